"""Confirmations before every destructive action: delete a user, suspend a user, take a role
or an application away from a user, take a user or an application out of a role.

Each action's button is a GET form to its confirmation page (the action's own URL, read
with GET), which states what will happen and holds the POST form that does it: that works
without JavaScript. With JavaScript, ``static/console.js`` opens the same text in a
``<dialog>`` on the page instead (the page renders it beside the button) and Cancel closes
it. The POST routes themselves are unchanged: the CSRF token, not the confirmation, is what
guards them against forged requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for

from mock_onelogin.account import OneLoginAccount
from mock_onelogin.domain.errors import NotFound
from mock_onelogin.engine import display_name
from mock_onelogin.web.console import bp
from mock_onelogin.web.console._session import _account, _page


@dataclass(frozen=True)
class Confirmation:
    """One destructive action as the page offers it and the confirmation states it."""

    #: The dialog's element id, unique on the page.
    key: str
    #: The button that asks (``label``), and its accessible name (``aria``).
    label: str
    aria: str
    title: str
    message: str
    #: The button that does it.
    confirm: str
    #: The action's URL: POST does it, GET shows this confirmation as a page.
    action: str
    #: Where Cancel leads on the confirmation page.
    back: str


def _user_name(user: dict[str, Any]) -> str:
    return display_name(user) or user.get("email") or f"user {user['id']}"


def delete_user(user: dict[str, Any]) -> Confirmation:
    name = _user_name(user)
    return Confirmation(
        key=f"confirm-delete-user-{user['id']}",
        label="Delete",
        aria=f"Delete {name}",
        title=f"Delete {name}?",
        message=f"{name} is deleted from OneLogin and cannot sign in any more. Each "
        "application the user has then applies its deprovisioning action (Provisioning tab: "
        "When users are deleted in OneLogin). A deleted user cannot be restored.",
        confirm="Delete user",
        action=url_for("onelogin_pages.delete_user", user_id=user["id"]),
        back=url_for("onelogin_pages.user", user_id=user["id"]),
    )


def suspend_user(user: dict[str, Any]) -> Confirmation:
    name = _user_name(user)
    return Confirmation(
        key=f"confirm-suspend-user-{user['id']}",
        label="Suspend",
        aria=f"Suspend {name}",
        title=f"Suspend {name}?",
        message=f"{name} cannot sign in until unsuspended. Each application the user has "
        "applies its suspension action (Provisioning tab: When users are suspended in "
        "OneLogin). Unsuspend reverses it.",
        confirm="Suspend user",
        action=url_for("onelogin_pages.suspend_user", user_id=user["id"]),
        back=url_for("onelogin_pages.user", user_id=user["id"]),
    )


def remove_user_role(user: dict[str, Any], role: dict[str, Any]) -> Confirmation:
    name = _user_name(user)
    return Confirmation(
        key=f"confirm-remove-role-{role['id']}-from-user-{user['id']}",
        label="Remove",
        aria=f"Remove role {role['name']}",
        title=f"Remove role {role['name']} from {name}?",
        message=f"{name} loses every application the role {role['name']} gives, unless "
        "another role or a direct login gives it too; each application lost applies its "
        "deprovisioning action.",
        confirm="Remove role",
        action=url_for("onelogin_pages.remove_user_role", user_id=user["id"], role_id=role["id"]),
        back=url_for("onelogin_pages.user", user_id=user["id"]),
    )


def remove_user_login(user: dict[str, Any], app: dict[str, Any]) -> Confirmation:
    name = _user_name(user)
    return Confirmation(
        key=f"confirm-remove-app-{app['id']}-from-user-{user['id']}",
        label="Remove",
        aria=f"Remove {app['name']} from {name}",
        title=f"Remove {app['name']} from {name}?",
        message=f"The direct login to {app['name']} is removed. Unless a role gives "
        f"{app['name']} to {name}, the application applies its deprovisioning action.",
        confirm="Remove application",
        action=url_for("onelogin_pages.remove_user_login", user_id=user["id"], app_id=app["id"]),
        back=url_for("onelogin_pages.user", user_id=user["id"]),
    )


def remove_role_user(role: dict[str, Any], user: dict[str, Any]) -> Confirmation:
    name = _user_name(user)
    return Confirmation(
        key=f"confirm-remove-user-{user['id']}-from-role-{role['id']}",
        label="Remove",
        aria=f"Remove {name} from the role",
        title=f"Remove {name} from {role['name']}?",
        message=f"{name} loses every application the role {role['name']} gives, unless "
        "another role or a direct login gives it too; each application lost applies its "
        "deprovisioning action.",
        confirm="Remove user",
        action=url_for("onelogin_pages.remove_role_user", role_id=role["id"], user_id=user["id"]),
        back=url_for("onelogin_pages.role", role_id=role["id"]),
    )


def remove_role_app(role: dict[str, Any], app: dict[str, Any], members: int) -> Confirmation:
    people = f"{members} user{'' if members == 1 else 's'}"
    return Confirmation(
        key=f"confirm-remove-app-{app['id']}-from-role-{role['id']}",
        label="Remove",
        aria=f"Remove {app['name']} from the role",
        title=f"Remove {app['name']} from {role['name']}?",
        message=f"The role's {people} lose {app['name']}, unless another role or a direct "
        f"login gives it to them; {app['name']} applies its deprovisioning action to each "
        "user who loses it.",
        confirm="Remove application",
        action=url_for("onelogin_pages.remove_role_app", role_id=role["id"], app_id=app["id"]),
        back=url_for("onelogin_pages.role", role_id=role["id"]),
    )


def _confirmation_page(confirmation: Confirmation) -> tuple[str, int]:
    return _page("confirm.html", c=confirmation)


def _role_member(acct: OneLoginAccount, role_id: int, user_id: int) -> tuple[Any, Any]:
    role = acct.directory.require_role(role_id)
    user = acct.directory.require_user(user_id)
    if user_id not in acct.directory.role_user_ids(role_id):
        raise NotFound(f"{_user_name(user)} is not in the role {role['name']}.")
    return role, user


@bp.get("/users/<int:user_id>/delete")
def confirm_delete_user(user_id: int) -> Any:
    return _confirmation_page(delete_user(_account().directory.require_user(user_id)))


@bp.get("/users/<int:user_id>/suspend")
def confirm_suspend_user(user_id: int) -> Any:
    return _confirmation_page(suspend_user(_account().directory.require_user(user_id)))


@bp.get("/users/<int:user_id>/roles/<int:role_id>/remove")
def confirm_remove_user_role(user_id: int, role_id: int) -> Any:
    role, user = _role_member(_account(), role_id, user_id)
    return _confirmation_page(remove_user_role(user, role))


@bp.get("/roles/<int:role_id>/users/<int:user_id>/remove")
def confirm_remove_role_user(role_id: int, user_id: int) -> Any:
    role, user = _role_member(_account(), role_id, user_id)
    return _confirmation_page(remove_role_user(role, user))


@bp.get("/users/<int:user_id>/logins/<int:app_id>/remove")
def confirm_remove_user_login(user_id: int, app_id: int) -> Any:
    acct = _account()
    user = acct.directory.require_user(user_id)
    app = acct.apps.require_app(app_id)
    return _confirmation_page(remove_user_login(user, app))


@bp.get("/roles/<int:role_id>/apps/<int:app_id>/remove")
def confirm_remove_role_app(role_id: int, app_id: int) -> Any:
    acct = _account()
    role = acct.directory.require_role(role_id)
    app = acct.apps.require_app(app_id)
    if app_id not in acct.directory.role_app_ids(role_id):
        raise NotFound(f"{app['name']} is not in the role {role['name']}.")
    members = len(acct.directory.role_user_ids(role_id))
    return _confirmation_page(remove_role_app(role, app, members))


def rotate_certificate(app: dict[str, Any]) -> Confirmation:
    return Confirmation(
        key=f"confirm-rotate-certificate-{app['id']}",
        label="Rotate certificate",
        aria=f"Rotate the SAML signing certificate of {app['name']}",
        title=f"Rotate the signing certificate of {app['name']}?",
        message=f"A new key and certificate sign {app['name']}'s SAML assertions from now on. "
        f"Until the new certificate (or the new SAML metadata) is entered in {app['name']}, "
        "every SSO login there fails: it still trusts the old one. The old certificate stays "
        "listed until you retire it.",
        confirm="Rotate certificate",
        action=url_for("onelogin_pages.rotate_certificate", app_id=app["id"]),
        back=url_for("onelogin_pages.app_sso", app_id=app["id"]),
    )


def retire_certificate(app: dict[str, Any], certificate: Any) -> Confirmation:
    return Confirmation(
        key=f"confirm-retire-certificate-{certificate.id}",
        label="Retire",
        aria=f"Retire certificate {certificate.id}",
        title=f"Retire certificate {certificate.id}?",
        message=f"Certificate {certificate.id} (valid until {certificate.not_after}) is "
        f"removed from {app['name']}'s list. It no longer signs anything, so nothing stops "
        "working that works now. This cannot be undone.",
        confirm="Retire certificate",
        action=url_for(
            "onelogin_pages.retire_certificate", app_id=app["id"], certificate_id=certificate.id
        ),
        back=url_for("onelogin_pages.app_sso", app_id=app["id"]),
    )


@bp.get("/apps/<int:app_id>/sso/certificates/rotate")
def confirm_rotate_certificate(app_id: int) -> Any:
    return _confirmation_page(rotate_certificate(_account().apps.require_app(app_id)))


@bp.get("/apps/<int:app_id>/sso/certificates/<int:certificate_id>/retire")
def confirm_retire_certificate(app_id: int, certificate_id: int) -> Any:
    acct = _account()
    app = acct.apps.require_app(app_id)
    listed = {c.id: c for c in acct.sso.certificates(app_id)}
    if certificate_id not in listed:
        raise NotFound(f"{app['name']} has no SAML certificate {certificate_id}.")
    return _confirmation_page(retire_certificate(app, listed[certificate_id]))

"""Roles: the list, the New Role form, and a role's users and applications."""

from __future__ import annotations

from typing import Any

from flask import flash, request
from werkzeug.wrappers import Response as BaseResponse

from mock_onelogin.domain.errors import OneLoginError
from mock_onelogin.domain.queries import UserQuery
from mock_onelogin.engine import display_name
from mock_onelogin.web.console import bp, confirm
from mock_onelogin.web.console._session import (
    _account,
    _actor,
    _back,
    _flash_refusal,
    _int_field,
    _page,
)
from mock_onelogin.web.console.users import _user_row


def _roles_page(status: int = 200, **context: Any) -> tuple[str, int]:
    acct = _account()
    apps = {a["id"]: a["name"] for a in acct.apps.list_apps()}
    roles = [
        {
            "id": r["id"],
            "name": r["name"],
            "users": len(acct.directory.role_user_ids(r["id"])),
            "apps": [apps.get(a, "") for a in acct.directory.role_app_ids(r["id"])],
        }
        for r in acct.directory.list_roles()
    ]
    context.setdefault("name", "")
    return _page("roles.html", status, section="roles", roles=roles, **context)


@bp.get("/roles")
def roles() -> Any:
    return _roles_page()


@bp.post("/roles")
def create_role() -> Any:
    name = request.form.get("name", "")
    try:
        role_id = _account().directory.create_role({"name": name}, _actor())
    except OneLoginError as error:
        return _roles_page(error.status, error=error.message, name=name)
    flash(f"Role {name.strip()} created.")
    return _back("onelogin_pages.role", role_id=role_id)


@bp.get("/roles/<int:role_id>")
def role(role_id: int) -> Any:
    acct = _account()
    the_role = acct.directory.require_role(role_id)
    member_ids = acct.directory.role_user_ids(role_id)
    members = acct.directory.users_by_ids(member_ids)
    app_ids = acct.directory.role_app_ids(role_id)
    apps = acct.apps.list_apps()
    everyone, _ = acct.directory.list_users(UserQuery(limit=1000))
    return _page(
        "role.html",
        section="roles",
        role=the_role,
        members=[
            _user_row(members[u], []) | {"remove": confirm.remove_role_user(the_role, members[u])}
            for u in member_ids
            if u in members
        ],
        others=[u for u in everyone if u["id"] not in members],
        apps=[
            a | {"remove": confirm.remove_role_app(the_role, a, len(member_ids))}
            for a in apps
            if a["id"] in app_ids
        ],
        other_apps=[a for a in apps if a["id"] not in app_ids],
        display_name=display_name,
    )


def _role_change(role_id: int, change: str, item_id: int | None = None) -> BaseResponse:
    acct = _account()
    acct.directory.require_role(role_id)
    try:
        if change == "add_user":
            user_id = _int_field("user_id", "user")
            acct.directory.add_role_users(role_id, [user_id], _actor())
            flash(f"{display_name(acct.directory.require_user(user_id))} added to the role.")
        elif change == "remove_user" and item_id is not None:
            acct.directory.remove_role_users(role_id, [item_id], _actor())
            flash("User removed from the role.")
        elif change == "add_app":
            app_id = _int_field("app_id", "application")
            acct.directory.add_role_app(role_id, app_id, _actor())
            flash(f"{acct.apps.require_app(app_id)['name']} added to the role.")
        elif change == "remove_app" and item_id is not None:
            acct.directory.remove_role_app(role_id, item_id, _actor())
            flash("Application removed from the role.")
    except OneLoginError as error:
        _flash_refusal(error)
    return _back("onelogin_pages.role", role_id=role_id)


@bp.post("/roles/<int:role_id>/users")
def add_role_user(role_id: int) -> BaseResponse:
    return _role_change(role_id, "add_user")


@bp.post("/roles/<int:role_id>/users/<int:user_id>/remove")
def remove_role_user(role_id: int, user_id: int) -> BaseResponse:
    return _role_change(role_id, "remove_user", user_id)


@bp.post("/roles/<int:role_id>/apps")
def add_role_app(role_id: int) -> BaseResponse:
    return _role_change(role_id, "add_app")


@bp.post("/roles/<int:role_id>/apps/<int:app_id>/remove")
def remove_role_app(role_id: int, app_id: int) -> BaseResponse:
    return _role_change(role_id, "remove_app", app_id)

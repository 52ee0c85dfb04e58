"""Roles: the list, the New Role form, and a role's users and applications."""

from __future__ import annotations

from typing import Any

from flask import flash, request
from werkzeug.wrappers import Response as BaseResponse

from mock_onelogin.domain.errors import OneLoginError
from mock_onelogin.engine import display_name
from mock_onelogin.web.console import bp
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
    apps = {a["id"]: a["name"] for a in acct.store.list_apps()}
    roles = [
        {
            "id": r["id"],
            "name": r["name"],
            "users": len(acct.store.role_user_ids(r["id"])),
            "apps": [apps.get(a, "") for a in acct.store.role_app_ids(r["id"])],
        }
        for r in acct.store.list_roles()
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
        role_id = _account().create_role({"name": name}, _actor())
    except OneLoginError as error:
        return _roles_page(error.status, error=error.message, name=name)
    flash(f"Role {name.strip()} created.")
    return _back("onelogin_pages.role", role_id=role_id)


@bp.get("/roles/<int:role_id>")
def role(role_id: int) -> Any:
    acct = _account()
    the_role = acct.require_role(role_id)
    member_ids = acct.store.role_user_ids(role_id)
    members = acct.store.users_by_ids(member_ids)
    app_ids = acct.store.role_app_ids(role_id)
    apps = acct.store.list_apps()
    everyone, _ = acct.store.list_users([], [], "id", 1000, 0)
    return _page(
        "role.html",
        section="roles",
        role=the_role,
        members=[_user_row(members[u], []) for u in member_ids if u in members],
        others=[u for u in everyone if u["id"] not in members],
        apps=[a for a in apps if a["id"] in app_ids],
        other_apps=[a for a in apps if a["id"] not in app_ids],
        display_name=display_name,
    )


def _role_change(role_id: int, change: str, item_id: int | None = None) -> BaseResponse:
    acct = _account()
    acct.require_role(role_id)
    try:
        if change == "add_user":
            user_id = _int_field("user_id", "user")
            acct.add_role_users(role_id, [user_id], _actor())
            flash(f"{display_name(acct.require_user(user_id))} added to the role.")
        elif change == "remove_user" and item_id is not None:
            acct.remove_role_users(role_id, [item_id], _actor())
            flash("User removed from the role.")
        elif change == "add_app":
            app_id = _int_field("app_id", "application")
            current = acct.store.role_app_ids(role_id)
            acct.set_role_apps(role_id, [*current, app_id], _actor())
            flash(f"{acct.require_app(app_id)['name']} added to the role.")
        elif change == "remove_app" and item_id is not None:
            current = acct.store.role_app_ids(role_id)
            acct.set_role_apps(role_id, [a for a in current if a != item_id], _actor())
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

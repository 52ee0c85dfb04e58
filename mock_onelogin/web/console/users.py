"""Users: the list (search, pages), the New User form, and the user form's fields the
user page shares.
"""

from __future__ import annotations

import json
from typing import Any

from flask import flash, request

from mock_onelogin.domain import modelling
from mock_onelogin.domain.directory import CUSTOM_ATTRIBUTES, STATUS_SUSPENDED, USER_STATUSES
from mock_onelogin.domain.errors import OneLoginError
from mock_onelogin.domain.input_bounds import ascii_int
from mock_onelogin.domain.queries import UserQuery
from mock_onelogin.engine import display_name
from mock_onelogin.web.console import bp
from mock_onelogin.web.console._session import _account, _actor, _back, _page

#: Wrike's user types, offered as suggestions only: OneLogin stores a custom attribute as free
#: text, so a wrong value reaches Wrike and its refusal shows in the System Log.
WRIKE_USER_TYPE_SUGGESTIONS = ("Regular", "External", "Collaborator", "Contributor", "Viewer")
USER_TYPE_ATTRIBUTE = "wrike_user_type"
#: Text fields of the user form, in OneLogin's order, with the console's labels.
USER_FIELDS = (
    ("firstname", "First name"),
    ("lastname", "Last name"),
    ("email", "Email"),
    ("username", "Username"),
    ("title", "Title"),
    ("department", "Department"),
    ("company", "Company"),
    ("phone", "Phone"),
)
USERS_PER_PAGE = 100


def _user_type(user: dict[str, Any]) -> str:
    custom = json.loads(user.get("custom_attributes") or "{}")
    return custom.get(USER_TYPE_ATTRIBUTE) or ""


def _user_row(user: dict[str, Any], role_names: list[str]) -> dict[str, Any]:
    return {
        "id": user["id"],
        "name": display_name(user),
        "email": user["email"] or "",
        "username": user["username"] or "",
        "status": USER_STATUSES.get(user["status"], "?"),
        "suspended": user["status"] == STATUS_SUSPENDED,
        "active_in_apps": modelling.status_is_active(user["status"]),
        "user_type": _user_type(user),
        "roles": role_names,
        "updated_at": user["updated_at"],
    }


@bp.get("/users")
def users() -> Any:
    acct = _account()
    query = request.args.get("q", "").strip()
    page = ascii_int(request.args.get("page", "1").strip(), 1, modelling.MAX_PAGE) or 1
    rows, total = acct.directory.list_users(
        UserQuery(search=query, limit=USERS_PER_PAGE, offset=(page - 1) * USERS_PER_PAGE)
    )
    roles = {r["id"]: r["name"] for r in acct.directory.list_roles()}
    by_user = acct.directory.role_ids_by_user([r["id"] for r in rows])
    return _page(
        "users.html",
        section="users",
        query=query,
        total=total,
        page=page,
        pages=max(1, -(-total // USERS_PER_PAGE)),
        users=[_user_row(r, [roles.get(x, "") for x in by_user.get(r["id"], [])]) for r in rows],
    )


def _user_form_data(*, creating: bool) -> dict[str, Any]:
    """The form as a v2 user body: empty fields are left out on create and cleared on edit."""
    data: dict[str, Any] = {}
    for name, _ in USER_FIELDS:
        value = request.form.get(name, "").strip()
        if value:
            data[name] = value
        elif not creating and name not in ("email", "username"):
            data[name] = None
    user_type = request.form.get(USER_TYPE_ATTRIBUTE, "").strip()
    if user_type or not creating:
        data["custom_attributes"] = {USER_TYPE_ATTRIBUTE: user_type or None}
    password = request.form.get("password", "")
    if password:
        data["password"] = password
        data["password_confirmation"] = password
    return data


def _form_values() -> dict[str, str]:
    """What the admin typed, to show again next to a refusal (never the password)."""
    return {name: request.form.get(name, "") for name, _ in USER_FIELDS} | {
        USER_TYPE_ATTRIBUTE: request.form.get(USER_TYPE_ATTRIBUTE, "")
    }


def _user_form(status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("values", {})
    return _page(
        "user_new.html",
        status,
        section="users",
        fields=USER_FIELDS,
        type_label=CUSTOM_ATTRIBUTES[USER_TYPE_ATTRIBUTE],
        suggestions=WRIKE_USER_TYPE_SUGGESTIONS,
        **context,
    )


@bp.get("/users/new")
def new_user() -> Any:
    return _user_form()


@bp.post("/users")
def create_user() -> Any:
    try:
        user = _account().directory.create_user(_user_form_data(creating=True), _actor())
    except OneLoginError as error:
        return _user_form(error.status, error=error.message, values=_form_values())
    flash(f"User {display_name(user)} created.")
    return _back("onelogin_pages.user", user_id=user["id"])

"""``/api/2``: users, roles and apps, with OneLogin's success codes and v2 error shape."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, jsonify, request

from mock_onelogin.domain import modelling
from mock_onelogin.domain.errors import BadRequest, NotFound, OneLoginError
from mock_onelogin.web.common import (
    account,
    actor,
    authenticate,
    int_arg,
    json_body,
    only_fields,
    page_args,
    page_headers,
    rate_headers,
    register_id_converter,
    user_query,
)
from mock_onelogin.web.errors import v2_error
from mock_onelogin.web.serializers import (
    app_brief,
    app_json,
    user_app_json,
    user_brief,
    user_json,
)

bp = Blueprint("api_v2", __name__, url_prefix="/api/2")
register_id_converter(bp)


@bp.before_request
def _auth() -> None:
    authenticate()


bp.after_request(rate_headers)


@bp.errorhandler(OneLoginError)
def _error(exc: OneLoginError) -> Response:
    return v2_error(exc.status, exc.message, exc.field)


def _paged(items: list[Any], total: int, limit: int, page: int) -> Response:
    response = jsonify(items)
    response.headers.update(page_headers(total, limit, page, len(items)))
    return response


# users ---------------------------------------------------------------------------------------
@bp.get("/users")
def list_users() -> Response:
    limit, page = page_args()
    rows, total = account().directory.list_users(user_query(limit, (page - 1) * limit))
    roles = account().directory.role_ids_by_user([r["id"] for r in rows])
    items = only_fields([user_json(r, roles[r["id"]]) for r in rows])
    return _paged(items, total, limit, page)


@bp.post("/users")
def create_user() -> tuple[Response, int]:
    mode = _mappings_arg()
    user = account().directory.create_user(json_body(), actor(), _now_or_never(mode))
    body = jsonify(user_json(user, account().directory.user_role_ids(user["id"])))
    if mode == "async":  # applied after the answer is made: it shows the roles before
        account().mappings.apply(user["id"], "user created")
    return body, 201


def _mappings_arg() -> str:
    value = request.args.get("mappings")
    if value is not None and value not in ("async", "sync", "disabled"):
        raise BadRequest("mappings must be async, sync or disabled", "mappings")
    validate = request.args.get("validate_policy")
    if validate is not None and validate.lower() not in ("true", "false"):
        raise BadRequest("validate_policy must be true or false", "validate_policy")
    return value or "async"


def _now_or_never(mode: str) -> str:
    """What the directory does in the change itself: sync applies the mappings, async and
    disabled do not (async applies them once the answer is made)."""
    return "sync" if mode == "sync" else "disabled"


@bp.get("/users/<id:user_id>")
def get_user(user_id: int) -> Response:
    user = account().directory.require_user(user_id)
    return jsonify(user_json(user, account().directory.user_role_ids(user_id)))


@bp.put("/users/<id:user_id>")
def update_user(user_id: int) -> Response:
    mode = _mappings_arg()
    user = account().directory.update_user(user_id, json_body(), actor(), _now_or_never(mode))
    body = jsonify(user_json(user, account().directory.user_role_ids(user_id)))
    if mode == "async":
        account().mappings.apply(user_id, "user updated")
    return body


@bp.delete("/users/<id:user_id>")
def delete_user(user_id: int) -> tuple[str, int]:
    account().directory.delete_user(user_id, actor())
    return "", modelling.DELETE_STATUS


@bp.get("/users/<id:user_id>/apps")
def user_apps(user_id: int) -> Response:
    return jsonify([user_app_json(item) for item in account().directory.user_apps(user_id)])


# roles ---------------------------------------------------------------------------------------
def _role_json(role: dict[str, Any]) -> dict[str, Any]:
    directory = account().directory
    return {
        "id": role["id"],
        "name": role["name"],
        "apps": directory.role_app_ids(role["id"]),
        "users": directory.role_user_ids(role["id"]),
        "admins": directory.role_admin_ids(role["id"]),
    }


@bp.get("/roles")
def list_roles() -> Response:
    limit, page = page_args()
    roles = [_role_json(r) for r in account().directory.list_roles()]
    name = request.args.get("role_name") or request.args.get("name")
    if name:
        pattern = re.compile("^" + ".*".join(map(re.escape, name.split("*"))) + "$", re.I)
        roles = [r for r in roles if pattern.match(r["name"])]
    app_id = int_arg("app_id")
    if app_id is not None:
        roles = [r for r in roles if app_id in r["apps"]]
    app_name = request.args.get("app_name")
    if app_name:
        ids = {a["id"] for a in account().apps.list_apps() if a["name"] == app_name}
        roles = [r for r in roles if ids & set(r["apps"])]
    total = len(roles)
    items = only_fields(roles[(page - 1) * limit : page * limit])
    return _paged(items, total, limit, page)


@bp.post("/roles")
def create_role() -> tuple[Response, int]:
    role_id = account().directory.create_role(json_body(), actor())
    return jsonify({"id": role_id}), 201


@bp.get("/roles/<id:role_id>")
def get_role(role_id: int) -> Response:
    return jsonify(_role_json(account().directory.require_role(role_id)))


@bp.put("/roles/<id:role_id>")
def update_role(role_id: int) -> Response:
    return jsonify({"id": account().directory.rename_role(role_id, json_body())})


@bp.delete("/roles/<id:role_id>")
def delete_role(role_id: int) -> tuple[str, int]:
    account().directory.delete_role(role_id, actor())
    return "", modelling.DELETE_STATUS


@bp.get("/roles/<id:role_id>/apps")
def role_apps(role_id: int) -> Response:
    account().directory.require_role(role_id)
    limit, page = page_args()
    assigned = request.args.get("assigned", "true").lower() != "false"
    mine = set(account().directory.role_app_ids(role_id))
    apps = [app_brief(a) for a in account().apps.list_apps() if (a["id"] in mine) == assigned]
    return _paged(apps[(page - 1) * limit : page * limit], len(apps), limit, page)


@bp.put("/roles/<id:role_id>/apps")
def set_role_apps(role_id: int) -> Response:
    apps = account().directory.set_role_apps(role_id, json_body(array=True), actor())
    return jsonify([{"id": a} for a in apps])


@bp.get("/roles/<id:role_id>/users")
def role_users(role_id: int) -> Response:
    account().directory.require_role(role_id)
    limit, page = page_args()
    ids = account().directory.role_user_ids(role_id)
    users = account().directory.users_by_ids(ids)
    items = [user_brief(users[i]) for i in ids if i in users and not users[i]["deleted_at"]]
    items = _name_filter(items)
    return _paged(items[(page - 1) * limit : page * limit], len(items), limit, page)


@bp.post("/roles/<id:role_id>/users")
def add_role_users(role_id: int) -> Response:
    ids = account().directory.add_role_users(role_id, json_body(array=True), actor())
    return jsonify([{"id": u} for u in ids])


@bp.delete("/roles/<id:role_id>/users")
def remove_role_users(role_id: int) -> tuple[str, int]:
    account().directory.remove_role_users(role_id, json_body(array=True), actor())
    return "", modelling.DELETE_STATUS


def _name_filter(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``name=``: a part of the first or last name, username or email (``*`` ignored)."""
    name = request.args.get("name")
    if not name:
        return items
    needle = name.replace("*", "").lower()
    return [
        u
        for u in items
        if needle in f"{u['firstname']} {u['lastname']}".lower()
        or needle in u["username"].lower()
        or needle in u["email"].lower()
    ]


@bp.get("/roles/<id:role_id>/admins")
def role_admins(role_id: int) -> Response:
    """Each admin as OneLogin's sample shows one (developers.onelogin.com/api-docs/2/roles/
    get-role-admins), with the fields of a role's user besides, so the SDK's ``User`` reads
    it."""
    limit, page = page_args()
    items = [
        {
            **user_brief(admin["user"]),
            "name": " ".join(
                p for p in (admin["user"]["firstname"], admin["user"]["lastname"]) if p
            ),
            "added_by": {"id": None, "name": admin["added_by"]},
            "added_at": admin["added_at"],
            "assigned": True,
        }
        for admin in account().directory.role_admins(role_id)
    ]
    items = _name_filter(items)
    return _paged(items[(page - 1) * limit : page * limit], len(items), limit, page)


@bp.post("/roles/<id:role_id>/admins")
def add_role_admins(role_id: int) -> Response:
    ids = account().directory.add_role_admins(role_id, json_body(array=True), actor())
    return jsonify([{"id": u} for u in ids])


@bp.delete("/roles/<id:role_id>/admins")
def remove_role_admins(role_id: int) -> tuple[str, int]:
    account().directory.remove_role_admins(role_id, json_body(array=True), actor())
    return "", modelling.DELETE_STATUS


# apps ----------------------------------------------------------------------------------------
@bp.get("/apps")
def list_apps() -> Response:
    apps_ = account().apps
    apps = [app_json(a, apps_.app_role_ids(a["id"])) for a in apps_.list_apps()]
    return jsonify(apps)


@bp.get("/apps/<id:app_id>")
def get_app(app_id: int) -> Response:
    app = account().apps.require_app(app_id)
    return jsonify(app_json(app, account().apps.app_role_ids(app_id)))


@bp.put("/apps/<id:app_id>")
def update_app(app_id: int) -> Response:
    """A partial update, as OneLogin's v2 apps API takes it: only the attributes sent
    change. ``provisioning.enabled`` is the Provisioning tab's "Enable provisioning"."""
    apps = account().apps
    shown = app_json(apps.require_app(app_id), apps.app_role_ids(app_id))
    app = apps.update_app(app_id, json_body(), shown, actor())
    return jsonify(app_json(app, apps.app_role_ids(app_id)))


@bp.get("/apps/<id:app_id>/users")
def app_users(app_id: int) -> Response:
    limit, page = page_args()
    ids = account().apps.app_user_ids(app_id)
    users = account().directory.users_by_ids(ids)
    items = [user_brief(users[i]) for i in ids if i in users]
    return _paged(items[(page - 1) * limit : page * limit], len(items), limit, page)


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def unknown(rest: str) -> Response:
    raise NotFound(f"No such endpoint: /api/2/{rest}")

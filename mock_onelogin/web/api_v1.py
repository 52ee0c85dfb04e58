"""``/api/1``: the System Log (events, event types), users and roles, in OneLogin's wrapped v1
shapes (``{"status": {...}, "data": [...]}``, a ``pagination`` object where v1 pages)."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request

from mock_onelogin.domain import modelling
from mock_onelogin.domain.directory import CUSTOM_ATTRIBUTES, READ_ONLY_FIELDS
from mock_onelogin.domain.errors import BadRequest, NotFound, OneLoginError
from mock_onelogin.domain.events import EVENT_TYPES
from mock_onelogin.domain.input_bounds import ascii_int
from mock_onelogin.web.common import (
    V1_USER_TIME_FILTERS,
    account,
    actor,
    authenticate,
    bounded_int,
    id_list_arg,
    int_arg,
    json_body,
    only_fields,
    rate_headers,
    register_id_converter,
    status_only,
    user_query,
)
from mock_onelogin.web.errors import v1_error, v1_success
from mock_onelogin.web.serializers import (
    V1_RENAMED,
    event_json,
    user_app_v1_json,
    user_v1_json,
)

#: The fields v1 Create User marks required (developers.onelogin.com/api-docs/1/users/
#: create-user).
V1_REQUIRED = ("firstname", "lastname", "email", "username")

bp = Blueprint("api_v1", __name__, url_prefix="/api/1")
register_id_converter(bp)
PUBLIC = {"api_v1.event_types"}


@bp.before_request
def _auth() -> None:
    if request.endpoint not in PUBLIC:
        authenticate()


bp.after_request(rate_headers)


@bp.errorhandler(OneLoginError)
def _error(exc: OneLoginError) -> Response:
    if exc.status == 401:
        return v1_error(401, "Authentication Failure")
    # A refusal naming an attribute carries OneLogin's {"description", "attribute"} message.
    return v1_error(exc.status, exc.message, exc.field if exc.status == 400 else None)


def done() -> Response:
    """A status-only success (``set_state``, ``add_roles``, ``lock_user``...)."""
    return jsonify(status_only())


@bp.get("/events/types")
def event_types() -> Response:
    """No Authorization needed, as documented. Beyond OneLogin's ``name``, ``description``
    and ``id``, each type says where its name comes from (``official_name``, ``name_source``:
    a public source, or "simulator"); the SDK's EventType model ignores the extra keys."""
    return jsonify(v1_success([t.to_json() for t in EVENT_TYPES.values()]))


def event_type_ids() -> list[int]:
    """Accept both ``event_type_id=51&event_type_id=52`` and ``event_type_id=51,52``."""
    out: list[int] = []
    for value in request.args.getlist("event_type_id"):
        for part in value.split(","):
            if not part.strip():
                continue
            out.append(bounded_int("event_type_id", part))
    return out


def _cursor_id(name: str) -> int | None:
    value = request.args.get(name)
    if not value:
        return None
    try:
        event_id = ascii_int(base64.urlsafe_b64decode(value.encode()).decode(), 1)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"{name} {value!r} is not a cursor this API issued") from exc
    if event_id is None:
        raise BadRequest(f"{name} {value!r} is not a cursor this API issued")
    return event_id


def _encode(event_id: int) -> str:
    return base64.urlsafe_b64encode(str(event_id).encode()).decode()


def events_query() -> dict[str, Any]:
    sort = request.args.get("sort", "-id")
    if sort not in ("-id", "+id", "id", " id"):
        raise BadRequest("sort must be +id or -id")
    return {
        "event_type_ids": event_type_ids(),
        "user_id": int_arg("user_id"),
        "app_id": int_arg("app_id"),
        "event_id": int_arg("id"),
        "client_id": request.args.get("client_id") or None,
        "since": request.args.get("since") or request.args.get("created_at"),
        "until": request.args.get("until"),
        "after_id": _cursor_id("after_cursor"),
        "before_id": _cursor_id("before_cursor"),
        "descending": sort == "-id",
        "limit": int_arg("limit", 50, 1, 1000) or 50,
    }


@bp.get("/events")
def events() -> Response:
    query = events_query()
    limit = query["limit"]
    query["limit"] = limit + 1
    rows = account().system_log.events(**query)
    more = len(rows) > limit
    rows = rows[:limit]
    acct = account()
    base = acct.config.public_url.rstrip("/") + "/api/1/events"
    params = {k: v for k, v in request.args.items() if k not in ("after_cursor", "before_cursor")}
    after = _encode(rows[-1].id) if more and rows else None
    before = _encode(rows[0].id) if rows and (query["after_id"] is not None) else None
    pagination = {
        "before_cursor": before,
        "after_cursor": after,
        "previous_link": f"{base}?{urlencode({**params, 'before_cursor': before})}"
        if before
        else None,
        "next_link": f"{base}?{urlencode({**params, 'after_cursor': after})}" if after else None,
    }
    data = [event_json(r, acct.config.account_id) for r in rows]
    return jsonify(v1_success(data, pagination=pagination))


@bp.get("/events/<id:event_id>")
def event(event_id: int) -> Response:
    rows = account().system_log.events(event_id=event_id, limit=1)
    if not rows:
        raise NotFound(f"Event {event_id} could not be found")
    return jsonify(v1_success(event_json(rows[0], account().config.account_id)))


# users ---------------------------------------------------------------------------------------
def _user(user_id: int) -> dict[str, Any]:
    user = account().directory.find_user(user_id, include_deleted=False)
    if user is None:
        raise NotFound(modelling.V1_USER_NOT_FOUND.format(id=user_id))
    return user


def _user_data(user: dict[str, Any]) -> dict[str, Any]:
    return v1_success([user_v1_json(user, account().directory.user_role_ids(user["id"]))])


def _v2_names(data: Any) -> Any:
    """A v1 user body in the directory's (v2) names: ``notes`` and ``locale_code``."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for v2_name, v1_name in V1_RENAMED.items():
        if v1_name in out:
            if v2_name in out:
                raise BadRequest(f"send {v1_name} or {v2_name}, not both", v1_name)
            out[v2_name] = out.pop(v1_name)
    return out


def _offset_cursor(name: str) -> int | None:
    """A users-list cursor: the offset it stands for."""
    offset = _cursor_id(name)
    return None if offset is None else offset - 1


def _pagination(base: str, offset: int, limit: int, total: int) -> dict[str, Any]:
    params = {k: v for k, v in request.args.items() if k not in ("after_cursor", "before_cursor")}
    after = _encode(offset + limit + 1) if offset + limit < total else None
    before = _encode(max(0, offset - limit) + 1) if offset > 0 else None
    return {
        "before_cursor": before,
        "after_cursor": after,
        "previous_link": f"{base}?{urlencode({**params, 'before_cursor': before})}"
        if before
        else None,
        "next_link": f"{base}?{urlencode({**params, 'after_cursor': after})}" if after else None,
    }


@bp.get("/users")
def list_users() -> Response:
    """v1 Get Users: the filters of the v2 list and v1's ``since``/``until``, ``fields``,
    ``sort``; at most ``modelling.V1_PAGE_LIMIT`` a page, paged by cursor."""
    limit = int_arg("limit", modelling.V1_PAGE_LIMIT, 1, modelling.V1_PAGE_LIMIT)
    assert limit is not None
    after, before = _offset_cursor("after_cursor"), _offset_cursor("before_cursor")
    offset = after if after is not None else (before if before is not None else 0)
    directory = account().directory
    rows, total = directory.list_users(user_query(limit, offset, V1_USER_TIME_FILTERS))
    roles = directory.role_ids_by_user([r["id"] for r in rows])
    data = only_fields([user_v1_json(r, roles[r["id"]]) for r in rows])
    base = account().config.public_url.rstrip("/") + "/api/1/users"
    return jsonify(v1_success(data, pagination=_pagination(base, offset, limit, total)))


@bp.post("/users")
def create_user() -> Response:
    """v1 Create User: firstname, lastname, email and username are required, as v1 documents;
    200 with the user in ``data`` (v1's sample answer)."""
    data = _v2_names(json_body())
    if isinstance(data, dict):
        for name in V1_REQUIRED:
            if not isinstance(data.get(name), str) or not data[name].strip():
                raise BadRequest(f"{name} is required", name)
    return jsonify(_user_data(account().directory.create_user(data, actor())))


@bp.get("/users/custom_attributes")
def custom_attributes() -> Response:
    return jsonify(v1_success([sorted(CUSTOM_ATTRIBUTES)]))


@bp.get("/users/<id:user_id>")
def get_user(user_id: int) -> Response:
    return jsonify(_user_data(_user(user_id)))


#: The read-only fields of the v1 User resource: v2's and v1's own.
V1_READ_ONLY_FIELDS = (*READ_ONLY_FIELDS, *modelling.V1_ONLY_READ_ONLY_FIELDS)


def _without_read_only(user: dict[str, Any], data: Any) -> Any:
    """A v1 update body without the read-only fields the v1 User resource shows
    (``V1_READ_ONLY_FIELDS``): each sent unchanged (as ``GET`` returned it) is
    dropped, so a user read and sent back is accepted as v2 accepts its own; a changed one is
    refused whole (400, ``modelling.V1_READ_ONLY_MESSAGE``)."""
    if not isinstance(data, dict):
        return data
    current = user_v1_json(user, account().directory.user_role_ids(user["id"]))
    out = dict(data)
    for name in V1_READ_ONLY_FIELDS:
        if name in out:
            if out[name] != current.get(name):
                message = (
                    modelling.V1_ROLE_ID_MESSAGE
                    if name == "role_id"
                    else modelling.V1_READ_ONLY_MESSAGE.format(field=name)
                )
                raise BadRequest(message, name)
            del out[name]
    return out


@bp.put("/users/<id:user_id>")
def update_user(user_id: int) -> Response:
    data = _v2_names(_without_read_only(_user(user_id), json_body()))
    return jsonify(_user_data(account().directory.update_user(user_id, data, actor())))


@bp.delete("/users/<id:user_id>")
def delete_user(user_id: int) -> Response:
    _user(user_id)
    account().directory.delete_user(user_id, actor())
    return done()


@bp.get("/users/<id:user_id>/apps")
def user_apps(user_id: int) -> Response:
    """v1 Get Apps for a User; with no app, ``data`` is ``[[]]`` as OneLogin's sample
    shows."""
    _user(user_id)
    apps: list[Any] = [user_app_v1_json(i) for i in account().directory.user_apps(user_id)]
    return jsonify(v1_success(apps or [[]]))


@bp.get("/users/<id:user_id>/roles")
def user_roles(user_id: int) -> Response:
    _user(user_id)
    return jsonify(v1_success(account().directory.user_role_ids(user_id)))


def _field(name: str) -> Any:
    body = json_body()
    if not isinstance(body, dict):
        raise BadRequest("Input JSON is not valid")
    if name not in body:
        raise BadRequest("input parameters is empty")
    return body[name]


@bp.put("/users/<id:user_id>/add_roles")
def add_roles(user_id: int) -> Response:
    _user(user_id)
    account().directory.add_user_roles(user_id, _field("role_id_array"), actor())
    return done()


@bp.put("/users/<id:user_id>/remove_roles")
def remove_roles(user_id: int) -> Response:
    _user(user_id)
    account().directory.remove_user_roles(user_id, _field("role_id_array"), actor())
    return done()


@bp.put("/users/<id:user_id>/set_state")
def set_state(user_id: int) -> Response:
    _user(user_id)
    account().directory.set_user_state(user_id, _field("state"), actor())
    return done()


@bp.put("/users/<id:user_id>/lock_user")
def lock_user(user_id: int) -> Response:
    _user(user_id)
    account().directory.lock_user(user_id, _field("locked_until"), actor())
    return done()


@bp.put("/users/<id:user_id>/logout")
def logout(user_id: int) -> Response:
    _user(user_id)
    return done()


@bp.put("/users/set_password_clear_text/<id:user_id>")
def set_password_clear_text(user_id: int) -> Response:
    return _set_password(user_id, ("password", "password_confirmation"))


@bp.put("/users/set_password_using_salt/<id:user_id>")
def set_password_using_salt(user_id: int) -> Response:
    return _set_password(
        user_id, ("password", "password_confirmation", "password_algorithm", "password_salt")
    )


def _set_password(user_id: int, fields: tuple[str, ...]) -> Response:
    """The password is checked and discarded (the simulator keeps none); a Password Pending
    user becomes Active, as a v2 password update makes them."""
    _user(user_id)
    body = json_body()
    if not isinstance(body, dict):
        raise BadRequest("Input JSON is not valid")
    unknown = sorted(set(body) - {*fields, "validate_policy"})
    if unknown:
        raise BadRequest(f"unknown attribute: {unknown[0]}", unknown[0])
    for name in ("password", "password_confirmation"):
        if not isinstance(body.get(name), str) or not body[name]:
            raise BadRequest(f"{name} is required", name)
    if body["password"] != body["password_confirmation"]:
        raise BadRequest("Password confirmation doesn't match Password", "password_confirmation")
    update = {"password": body["password"], "password_confirmation": body["password"]}
    account().directory.update_user(user_id, update, actor())
    return done()


# roles ---------------------------------------------------------------------------------------
@bp.get("/roles/<id:role_id>")
def get_role(role_id: int) -> Response:
    role = account().directory.find_role(role_id)
    if role is None:
        raise NotFound(modelling.V1_ROLE_NOT_FOUND.format(id=role_id))
    return jsonify(v1_success([{"id": role["id"], "name": role["name"]}]))


@bp.get("/roles")
def list_roles() -> Response:
    """v1 Get Roles: ``name`` (exact, ``*`` a wildcard) and ``id`` filters, paged like the
    users list."""
    limit = int_arg("limit", modelling.V1_PAGE_LIMIT, 1, modelling.V1_PAGE_LIMIT)
    assert limit is not None
    after, before = _offset_cursor("after_cursor"), _offset_cursor("before_cursor")
    offset = after if after is not None else (before if before is not None else 0)
    roles = account().directory.list_roles()
    name = request.args.get("name")
    if name:
        pattern = re.compile("^" + ".*".join(map(re.escape, name.split("*"))) + "$", re.I)
        roles = [r for r in roles if pattern.match(r["name"])]
    ids = id_list_arg("id")
    if ids is not None:
        roles = [r for r in roles if r["id"] in ids]
    data = only_fields([{"id": r["id"], "name": r["name"]} for r in roles])
    base = account().config.public_url.rstrip("/") + "/api/1/roles"
    page = data[offset : offset + limit]
    return jsonify(v1_success(page, pagination=_pagination(base, offset, limit, len(data))))


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def unknown(rest: str) -> Response:
    return v1_error(404, f"No such endpoint: /api/1/{rest}")

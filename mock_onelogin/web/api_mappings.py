"""``/api/2/mappings``: user mappings, as the official SDK's ``UserMappingsApi`` calls them.

Create answers 201 ``{"id": ..}``, update 200 ``{"id": ..}``, delete 204; a refused body gets
the mappings API's own 422 shape (``{"code": 422, "message": "Validation Failed", "errors":
[...]}``), everything else the v2 shape."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from mock_onelogin.domain import mappings as rules
from mock_onelogin.domain import modelling
from mock_onelogin.domain.errors import BadRequest, NotFound, OneLoginError
from mock_onelogin.domain.mappings import MappingInvalid
from mock_onelogin.web.common import (
    account,
    actor,
    authenticate,
    json_body,
    rate_headers,
    register_id_converter,
)
from mock_onelogin.web.errors import v2_error

bp = Blueprint("api_mappings", __name__, url_prefix="/api/2/mappings")
register_id_converter(bp)

_FILTER_TYPES = ("builtin", "custom", "none")


@bp.before_request
def _auth() -> None:
    authenticate()


bp.after_request(rate_headers)


@bp.errorhandler(OneLoginError)
def _error(exc: OneLoginError) -> Response:
    if isinstance(exc, MappingInvalid):
        response = jsonify(exc.body())
        response.status_code = 422
        return response
    return v2_error(exc.status, exc.message, exc.field)


def _flag(name: str, default: bool) -> bool:
    value = request.args.get(name)
    if value is None:
        return default
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise BadRequest(f"{name} must be true or false, not {value!r}", name)


def _kind(name: str) -> str | None:
    value = request.args.get(name)
    if value is not None and value not in _FILTER_TYPES:
        raise BadRequest(f"{name} must be one of {', '.join(_FILTER_TYPES)}", name)
    return value


@bp.get("")
def list_mappings() -> Response:
    found = account().mappings.matching(
        enabled=_flag("enabled", True),
        has_condition=request.args.get("has_condition") or None,
        has_condition_type=_kind("has_condition_type"),
        has_action=request.args.get("has_action") or None,
        has_action_type=_kind("has_action_type"),
    )
    return jsonify([m.to_json() for m in found])


@bp.post("")
def create_mapping() -> tuple[Response, int]:
    mapping_id = account().mappings.create(json_body(), actor())
    return jsonify({"id": mapping_id}), 201


@bp.get("/<id:mapping_id>")
def get_mapping(mapping_id: int) -> Response:
    return jsonify(account().mappings.get(mapping_id).to_json())


@bp.put("/<id:mapping_id>")
def update_mapping(mapping_id: int) -> Response:
    return jsonify({"id": account().mappings.update(mapping_id, json_body(), actor())})


@bp.delete("/<id:mapping_id>")
def delete_mapping(mapping_id: int) -> tuple[str, int]:
    account().mappings.delete(mapping_id, actor())
    return "", modelling.DELETE_STATUS


@bp.put("/sort")
def sort_mappings() -> Response:
    return jsonify(account().mappings.sort(json_body(array=True), actor()))


@bp.get("/conditions")
def conditions() -> Response:
    return jsonify(rules.sources())


@bp.get("/conditions/<source>/operators")
def condition_operators(source: str) -> Response:
    ops = rules.operators(source)
    if ops is None:
        raise NotFound(f"Unknown condition {source!r}; see /api/2/mappings/conditions")
    return jsonify([{"name": name, "value": value} for value, name in ops.items()])


@bp.get("/conditions/<source>/values")
def condition_values(source: str) -> Response:
    values: list[dict[str, Any]] = account().mappings.condition_values(source)
    return jsonify(values)


@bp.get("/actions")
def actions() -> Response:
    return jsonify(rules.actions())


@bp.get("/actions/<action>/values")
def action_values(action: str) -> Response:
    return jsonify(account().mappings.action_values(action))

"""``/simulator/api``: what OneLogin keeps in its admin pages rather than its public API.

Connector configuration, the Provisioning tab, "API Connection: Enable", the approval queue
(approve, deny, retry), draining, reconciliation, direct logins, API credentials, the full
System Log with SCIM exchanges, and reset. Errors use the v2 shape. They stand for the admin
console, so they take the simulator key (``Authorization: Bearer <key>``, printed by
``mock-onelogin serve`` and ``harness up``) rather than an API token.
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from mock_onelogin.account import Actor
from mock_onelogin.domain import modelling
from mock_onelogin.domain.errors import BadRequest, NotFound, OneLoginError
from mock_onelogin.domain.events import EVENT_TYPES
from mock_onelogin.domain.input_bounds import is_id
from mock_onelogin.web.api_v1 import events_query
from mock_onelogin.web.common import (
    RateLimiter,
    account,
    int_arg,
    json_body,
    register_id_converter,
)
from mock_onelogin.web.errors import v2_error
from mock_onelogin.web.serializers import UI_LABELS, event_json, task_json, user_brief
from webguard.routes import index_document

bp = Blueprint("simulator", __name__, url_prefix="/simulator/api")
register_id_converter(bp)


@bp.errorhandler(OneLoginError)
def _error(exc: OneLoginError) -> Response:
    return v2_error(exc.status, exc.message, exc.field)


@bp.before_request
def _require_key() -> Response | None:
    key = account().config.simulator_key
    if key is None or request.endpoint == "simulator.index":
        return None
    header = request.headers.get("Authorization", "")
    given = header[7:].strip() if header[:7].lower() == "bearer " else ""
    if hmac.compare_digest(given.encode(), key.encode()):
        return None
    response = v2_error(
        401,
        "The simulator API needs 'Authorization: Bearer <simulator key>' (printed by "
        "`mock-onelogin serve` and `harness up`, and kept in their data folder)",
    )
    response.headers["WWW-Authenticate"] = 'Bearer realm="simulator"'
    return response


def _actor() -> Actor:
    name = request.headers.get("X-Simulator-Actor")
    return Actor(name=name) if name else Actor()


def _optional_body() -> dict[str, Any]:
    if not request.get_data(cache=True).strip():
        return {}
    body = json_body()
    if not isinstance(body, dict):
        raise BadRequest("Expected a JSON object in request body")
    return body


@bp.get("/status")
def status() -> Response:
    acct = account()
    return jsonify(
        {
            "drain_mode": acct.config.drain_mode,
            "tasks": acct.approvals.pending_count(),
            "apps": [{"id": a["id"], "name": a["name"]} for a in acct.apps.list_apps()],
        }
    )


@bp.post("/reset")
def reset() -> Response:
    account().reset()
    # A fresh account has its whole API rate budget again.
    current_app.extensions["mock_onelogin_rate"] = RateLimiter(account().config.rate_limit_per_hour)
    return jsonify(
        {
            "reset": True,
            "wrike_app_id": account().apps.wrike_app_id()
            if account().config.seed_wrike_app
            else None,
        }
    )


@bp.post("/credentials")
def create_credentials() -> tuple[Response, int]:
    body = _optional_body()
    client_id, secret = account().api_clients.create_client(body.get("name", "API credential"))
    return jsonify(
        {
            "client_id": client_id,
            "client_secret": secret,
            "name": body.get("name", "API credential"),
            "note": "The client secret is shown once; it is stored hashed.",
        }
    ), 201


@bp.get("/apps")
def apps() -> Response:
    acct = account()
    return jsonify(
        [
            {
                "id": a["id"],
                "name": a["name"],
                "connector_id": a["connector_id"],
                "provisioning": acct.apps.settings(a["id"]).to_json(),
                "api_status": acct.apps.connector(a["id"]).api_status,
            }
            for a in acct.apps.list_apps()
        ]
    )


@bp.post("/apps")
def create_app_route() -> tuple[Response, int]:
    body = _optional_body()
    app_id = account().apps.create_app(body.get("name", "Wrike"))
    return jsonify({"id": app_id, "name": account().apps.require_app(app_id)["name"]}), 201


@bp.get("/apps/<id:app_id>/connector")
def get_connector(app_id: int) -> Response:
    return jsonify(account().apps.connector(app_id).to_json())


@bp.put("/apps/<id:app_id>/connector")
def put_connector(app_id: int) -> Response:
    return jsonify(account().apps.configure_connector(app_id, json_body(), _actor()).to_json())


@bp.post("/apps/<id:app_id>/api-connection/enable")
def enable_api_connection(app_id: int) -> Response:
    config = account().apps.enable_api_connection(app_id, _actor())
    return jsonify({"api_status": config.api_status, "message": config.api_status_message})


@bp.get("/apps/<id:app_id>/provisioning")
def get_provisioning(app_id: int) -> Response:
    return jsonify(account().apps.settings(app_id).to_json())


@bp.put("/apps/<id:app_id>/provisioning")
def put_provisioning(app_id: int) -> Response:
    return jsonify(account().apps.set_provisioning(app_id, json_body(), _actor()).to_json())


@bp.get("/apps/<id:app_id>/users")
def app_users(app_id: int) -> Response:
    """The app's Users tab: each user's provisioning state, its UI label and last error."""
    out = []
    for entry in account().apps.app_users(app_id):
        login, state = entry.login, entry.state
        out.append(
            {
                **user_brief(entry.user),
                "assigned": entry.assigned,
                "provisioning_state": state,
                "provisioning_status": login.provisioning_status if login else "enabled",
                "label": UI_LABELS.get(state, state),
                "scim_id": login.scim_id if login else None,
                "last_error": login.last_error if login else None,
            }
        )
    return jsonify(out)


@bp.get("/tasks")
def tasks() -> Response:
    rows = account().approvals.list_tasks(
        int_arg("app_id"), request.args.get("state"), int_arg("user_id")
    )
    return jsonify([task_json(r) for r in rows])


@bp.get("/tasks/<id:task_id>")
def task(task_id: int) -> Response:
    return jsonify(task_json(account().approvals.require_task(task_id)))


@bp.post("/tasks/approve-all")
def approve_all() -> Response:
    body = _optional_body()
    app_id = body.get("app_id")
    if app_id is not None and not is_id(app_id):
        raise BadRequest(f"app_id must be an integer from 1 to {modelling.MAX_ID}", "app_id")
    return jsonify({"approved": account().approvals.approve_all(app_id, _actor())})


@bp.post("/tasks/<id:task_id>/approve")
def approve(task_id: int) -> Response:
    return jsonify(task_json(account().approvals.approve(task_id, _actor())))


@bp.post("/tasks/<id:task_id>/deny")
def deny(task_id: int) -> Response:
    return jsonify(task_json(account().approvals.deny(task_id, _actor())))


@bp.post("/tasks/<id:task_id>/retry")
def retry(task_id: int) -> Response:
    return jsonify(task_json(account().approvals.retry(task_id, _actor())))


@bp.post("/drain")
def drain() -> Response:
    body = _optional_body()
    max_tasks = body.get("max_tasks")
    if max_tasks is not None and not is_id(max_tasks):
        raise BadRequest(f"max_tasks must be an integer from 1 to {modelling.MAX_ID}", "max_tasks")
    return jsonify(account().drain(max_tasks))


@bp.post("/reconcile")
def reconcile() -> Response:
    body = _optional_body()
    app_id = body.get("app_id")
    if app_id is not None and not is_id(app_id):
        raise BadRequest(f"app_id must be an integer from 1 to {modelling.MAX_ID}", "app_id")
    if app_id is not None:
        account().apps.require_app(app_id)
    account().mappings.reapply(_actor())  # "Reapply entitlement mappings" applies them first
    return jsonify({"queued": account().provisioning.reconcile(app_id)})


@bp.post("/users/<id:user_id>/logins")
def add_login(user_id: int) -> tuple[Response, int]:
    body = json_body()
    app_id = body.get("app_id") if isinstance(body, dict) else None
    if not is_id(app_id):
        raise BadRequest(f"app_id (an integer from 1 to {modelling.MAX_ID}) is required", "app_id")
    account().directory.add_login(user_id, app_id, _actor())
    return jsonify({"user_id": user_id, "app_id": app_id}), 201


@bp.delete("/users/<id:user_id>/logins/<id:app_id>")
def remove_login(user_id: int, app_id: int) -> tuple[str, int]:
    account().directory.remove_login(user_id, app_id, _actor())
    return "", 204


@bp.get("/system-log")
def system_log() -> Response:
    """Events with their type names and the SCIM exchanges behind them (token masked)."""
    rows = account().system_log.events(**events_query())
    acct = account()
    return jsonify([event_json(r, acct.config.account_id, with_scim=True) for r in rows])


@bp.get("/system-log/<id:event_id>")
def system_log_event(event_id: int) -> Response:
    rows = account().system_log.events(event_id=event_id, limit=1)
    if not rows:
        raise NotFound(f"Event {event_id} could not be found")
    return jsonify(event_json(rows[0], account().config.account_id, with_scim=True))


@bp.get("/event-types")
def event_types() -> Response:
    return jsonify([t.to_json() for t in EVENT_TYPES.values()])


#: One line per endpoint for the index (a docstring's first sentence serves where none is here).
DESCRIPTIONS = {
    "status": "Drain mode, open tasks and the apps",
    "reset": "Reset the account to its first-start state",
    "create_credentials": "Make an API credential pair (the secret is shown once)",
    "apps": "The apps with their Provisioning tab and API Status",
    "create_app_route": "Add an app on the Wrike connector",
    "get_connector": "The app's Configuration tab (the token masked)",
    "put_connector": "Save SCIM Base URL, SCIM Bearer Token, template or custom headers",
    "enable_api_connection": "API Connection: Enable (tests the connection)",
    "get_provisioning": "The app's Provisioning tab",
    "put_provisioning": "Save the Provisioning tab",
    "tasks": "Provisioning tasks, by app_id, state and user_id",
    "task": "One provisioning task",
    "approve_all": "Approve every pending task (of app_id)",
    "approve": "Approve a pending task",
    "deny": "Deny a pending task",
    "retry": "Retry a failed task",
    "drain": "Run queued tasks now (up to max_tasks)",
    "reconcile": "Reapply mappings and queue what each user's access means for the apps",
    "add_login": "Give a user a direct login to an app",
    "remove_login": "Remove a user's direct login to an app",
    "system_log_event": "One System Log event with its SCIM exchanges",
    "event_types": "The System Log's event types",
}


# SAML SSO (docs/sso.md) --------------------------------------------------------------------
def saml_json(app_id: int) -> dict[str, Any]:
    """The app's SAML settings as ``GET /simulator/api/apps/APP/saml`` answers them."""
    sso = account().sso
    settings = sso.settings(app_id)
    endpoints = sso.endpoints(app_id)
    certificates = [
        {
            "id": c.id,
            "fingerprint_sha256": c.fingerprint_sha256,
            "not_after": c.not_after,
            "signing": c.signing,
            "created_at": c.created_at,
            "pem": c.certificate_pem,
        }
        for c in sso.certificates(app_id)
    ]
    signing = next(c for c in certificates if c["signing"])
    return {
        "issuer": endpoints.issuer,
        "metadata_url": endpoints.issuer,
        "sso_url_redirect": endpoints.sso_redirect,
        "sso_url_post": endpoints.sso_post,
        "audience": settings.audience,
        "acs_url": settings.acs_url,
        "recipient": settings.recipient,
        "effective_recipient": settings.effective_recipient,
        "nameid_format": settings.nameid_format,
        "clock_offset_seconds": settings.clock_offset_seconds,
        "signing_certificate": {
            k: signing[k] for k in ("id", "fingerprint_sha256", "not_after", "pem")
        },
        "certificates": certificates,
    }


@bp.get("/apps/<id:app_id>/saml")
def get_saml(app_id: int) -> Response:
    """The app's SAML settings, IdP URLs and certificates."""
    return jsonify(saml_json(app_id))


@bp.put("/apps/<id:app_id>/saml")
def put_saml(app_id: int) -> Response:
    """Change any of audience, acs_url, recipient, clock_offset_seconds."""
    account().sso.update_settings(app_id, json_body(), _actor())
    return jsonify(saml_json(app_id))


@bp.post("/apps/<id:app_id>/saml/certificates")
def rotate_saml_certificate(app_id: int) -> tuple[Response, int]:
    """Rotate: a new key and certificate sign from now on; the old one stays listed."""
    account().sso.rotate(app_id, _actor())
    return jsonify(saml_json(app_id)), 201


@bp.delete("/apps/<id:app_id>/saml/certificates/<id:certificate_id>")
def retire_saml_certificate(app_id: int, certificate_id: int) -> Response:
    """Retire a certificate that is not the signing one."""
    account().sso.retire(app_id, certificate_id, _actor())
    return jsonify(saml_json(app_id))


@bp.get("")
@bp.get("/")
def index() -> Response:
    """The endpoints below (``webguard.routes.index_document``: open without the key)."""
    return jsonify(
        index_document(
            current_app,
            bp.url_prefix or "",
            "Simulated OneLogin simulator API",
            "Bearer <simulator key> (printed by `mock-onelogin serve` "
            "and `harness up`, kept in the data folder) on every endpoint but this index",
            DESCRIPTIONS,
        )
    )


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def unknown(rest: str) -> Response:
    raise NotFound(f"No such simulator endpoint: /simulator/api/{rest}")

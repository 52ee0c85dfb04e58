"""The provider's application factory."""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml
from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from werkzeug.exceptions import Forbidden, HTTPException, MisdirectedRequest, NotFound
from werkzeug.routing import IntegerConverter

from webguard import allowed_names, request_refusal
from webguard.routes import LazyBuilderRule
from wrike_sp.config import WrikeConfig
from wrike_sp.domain.accounts import AccountAdmin
from wrike_sp.domain.errors import AdminError, ScimError
from wrike_sp.domain.modelling import MAX_ACCOUNT_ID
from wrike_sp.domain.scim_users import ScimUsers
from wrike_sp.domain.sso import Sso
from wrike_sp.store.sqlite import WrikeStore
from wrike_sp.web import admin, harness, pages, saml, scim
from wrike_sp.web.http import admin_error, scim_error

log = logging.getLogger("wrike_sp")


@dataclass
class WrikeRuntime:
    """What the web layer reaches through ``current_app.extensions["wrike"]``."""

    config: WrikeConfig
    store: WrikeStore
    scim_users: ScimUsers
    accounts: AccountAdmin
    harness: harness.HarnessState | None
    sso: Sso
    # scheme://host of each (scheme, Host, server name, port) seen, for SCIM URLs (web/scim.py)
    url_roots: dict[tuple[object, ...], str] = field(default_factory=dict)


def _openapi() -> Response:
    """The shipped OpenAPI description of the SCIM API, for clients and fuzzers."""
    return Response(json.dumps(openapi_description()), mimetype="application/json")


def openapi_description() -> dict[str, Any]:
    with resources.files("wrike_sp").joinpath("openapi.yaml").open() as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def _is_scim() -> bool:
    return request.path.startswith("/scim/")


class _PageSessions(SecureCookieSessionInterface):
    """Sessions for the admin pages only: a SCIM request carries a bearer token and no
    cookie, and opening a signed-cookie session for each one costs a noticeable share of a
    lookup."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith("/scim/"):
            return self.null_session_class()
        return super().open_session(app, request)


class _BoundedInt(IntegerConverter):
    """``<int:...>`` in every route: ASCII digits only (werkzeug's own matches any Unicode
    digit), and a number past SQLite's INTEGER range is a 404 that says so."""

    regex = r"[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value) if len(value) <= 19 else MAX_ACCOUNT_ID + 1
        if number > MAX_ACCOUNT_ID:
            raise NotFound(f"No object has the id {value[:40]}: ids are below 2^63")
        return number


#: Routes a browser posts to from another site by design, so the cross-origin refusal skips
#: them (the host check still applies): the SAML ACS alone, which the IdP's page posts to.
CROSS_SITE_ENDPOINTS = frozenset({saml.ACS_ENDPOINT})


def _guard(app: Flask, allowed: frozenset[str], public_url: str | None) -> None:
    """``webguard.routes.guard``'s checks (host name, then a browser's cross-site write)
    before any route runs, with the cross-site check skipped for :data:`CROSS_SITE_ENDPOINTS`
    only (the route is known here: Flask matches it before ``before_request`` runs)."""
    public = (public_url,)
    refusals = {421: MisdirectedRequest, 403: Forbidden}

    @app.before_request
    def _checks() -> None:
        method = request.method
        if request.endpoint in CROSS_SITE_ENDPOINTS and method == "POST":
            method = "GET"  # judged as a safe request: only the host name is checked
        refused = request_refusal(
            method,
            request.headers.get,
            request.scheme,
            request.environ.get("HTTP_HOST"),
            allowed,
            public,
        )
        if refused:
            raise refusals[refused[0]](refused[1])


def create_app(config: WrikeConfig | None = None) -> Flask:
    config = config or WrikeConfig()
    app = Flask(__name__, static_folder=None)
    app.url_rule_class = LazyBuilderRule  # URL builders compiled on first use
    app.url_map.converters["int"] = _BoundedInt
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    # Without a configured key, page sessions last as long as this app instance.
    app.config["SECRET_KEY"] = config.secret_key or secrets.token_urlsafe(32)
    app.session_interface = _PageSessions()
    store = WrikeStore(config.database)
    state = (
        harness.HarnessState(journal_size=config.journal_size, clock=config.clock)
        if config.harness_enabled
        else None
    )
    accounts = AccountAdmin(store, config.clock, config.password_iterations, config.new_id)
    app.extensions["wrike"] = WrikeRuntime(
        config=config,
        store=store,
        scim_users=ScimUsers(store, config.clock, config.new_id),
        accounts=accounts,
        harness=state,
        sso=Sso(store, accounts, config.clock),
    )
    _guard(app, allowed_names((config.public_url, *config.allowed_hosts)), config.public_url)
    app.register_blueprint(scim.blueprint)
    app.add_url_rule("/openapi.json", "openapi", _openapi)
    app.register_blueprint(admin.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(saml.blueprint)
    if state is not None:
        app.register_blueprint(harness.blueprint)
        app.wsgi_app = harness.HarnessMiddleware(app.wsgi_app, state)  # type: ignore[method-assign]

    @app.errorhandler(ScimError)
    def _scim_error(error: ScimError) -> Response:
        if _is_scim():
            return scim_error(error)
        return admin_error(error.status, error.scim_type or "error", error.detail)

    @app.errorhandler(AdminError)
    def _admin_error(error: AdminError) -> Response:
        return admin_error(error.status, error.code, error.message)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        detail = error.description or error.name
        if status == 413:
            detail = f"The request body is larger than {config.max_body_bytes} bytes"
        if _is_scim():
            return scim_error(ScimError(status, None, detail))
        return admin_error(status, error.name.lower().replace(" ", "_"), detail)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.path)
        if _is_scim():
            return scim_error(ScimError(500, None, "Internal error in the reference provider"))
        return admin_error(500, "internal_error", "Internal error in the reference provider")

    return app

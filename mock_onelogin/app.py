"""``create_app(config)``: the simulated OneLogin as a WSGI app."""

from __future__ import annotations

import logging

from flask import Flask, Response, redirect, request, url_for
from werkzeug.exceptions import Forbidden, HTTPException, MisdirectedRequest
from werkzeug.wrappers import Response as BaseResponse

from mock_onelogin.account import OneLoginAccount
from mock_onelogin.config import OneLoginConfig
from mock_onelogin.domain.clock import Clock
from mock_onelogin.engine import SessionFactory
from mock_onelogin.web import BLUEPRINTS, api_mappings, api_saml, console, sso
from mock_onelogin.web.common import BoundedJSONProvider, PageIdConverter, RateLimiter
from mock_onelogin.web.errors import v1_error, v2_error
from mock_onelogin.worker import DrainWorker
from webguard import allowed_names, host_refusal, request_refusal
from webguard.routes import LazyBuilderRule

log = logging.getLogger(__name__)


def _shaped(status: int, message: str) -> Response:
    """Errors raised outside a blueprint (404 routes, 405, 500) in the right family's shape."""
    if request.path.startswith(("/api/1", "/auth")):
        return v1_error(status, message)
    if request.path.startswith(sso.PAGE_PREFIXES):
        return sso.error_page(status, message)
    return v2_error(status, message)


def create_app(
    config: OneLoginConfig | None = None,
    *,
    clock: Clock | None = None,
    session_factory: SessionFactory | None = None,
    account: OneLoginAccount | None = None,
) -> Flask:
    """Build the app. ``session_factory(base_url)`` gives the engine its ``requests.Session``
    per connector (default: a plain session, i.e. real HTTP); pass one from
    ``mock_onelogin.transport.wsgi_session`` to reach a WSGI app in-process."""
    config = config or OneLoginConfig()
    account = account or OneLoginAccount(config, clock=clock, session_factory=session_factory)
    app = Flask("mock_onelogin")
    app.url_rule_class = LazyBuilderRule  # URL builders compiled on first use
    # Every request body is bounded; a larger one is refused with 413 before it is read.
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.json = BoundedJSONProvider(app)  # every get_json depth-bounded; keys kept in order
    # The console's <int:...> ids get the API's bounds too (1 .. 2^63 - 1, ASCII digits).
    app.url_map.converters["int"] = PageIdConverter
    app.extensions["mock_onelogin"] = account
    app.extensions["mock_onelogin_rate"] = RateLimiter(config.rate_limit_per_hour)
    allowed = allowed_names((config.public_url, *config.allowed_hosts))
    public = (config.public_url,)

    @app.before_request
    def _request_checks() -> None:
        """``webguard``'s two checks before any route (a host name the server does not
        answer to: 421; a browser's write from another site: 403), as
        ``webguard.routes.guard`` runs them, except that the SAML HTTP-POST binding's SSO
        endpoint, cross-site by design, gets the host check only: its AuthnRequest is
        checked instead."""
        host = request.environ.get("HTTP_HOST")
        if request.endpoint in sso.CROSS_SITE_ENDPOINTS:
            refusal = host_refusal(host, allowed)
            refused = (421, refusal) if refusal else None
        else:
            refused = request_refusal(
                request.method, request.headers.get, request.scheme, host, allowed, public
            )
        if refused:
            raise (MisdirectedRequest if refused[0] == 421 else Forbidden)(refused[1])

    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    app.register_blueprint(api_mappings.bp)  # /api/2/mappings
    app.register_blueprint(console.bp)  # the admin console, under /admin
    app.register_blueprint(api_saml.bp)  # /api/2/saml_assertion
    app.register_blueprint(sso.bp)  # metadata, SSO endpoints, the user login and portal

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        if exc.code == 413:
            return _shaped(413, f"The request body is larger than {config.max_body_bytes} bytes")
        return _shaped(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return _shaped(500, f"Internal error: {exc.__class__.__name__}")

    @app.get("/")
    def index() -> BaseResponse:
        """The root is what a person opens from the printed URL: it leads to the console
        (its login when signed out); the simulator API lists itself at /simulator/api."""
        return redirect(url_for("onelogin_pages.home"))

    if config.drain_mode == "worker":
        worker = DrainWorker(account, config.worker_poll_s)
        worker.start()
        app.extensions["mock_onelogin_worker"] = worker
    return app

"""``POST /api/2/saml_assertion``: the official SDK's ``SAMLAssertionsApi.generate_saml_assert2``
(``SamlAssert``: username_or_email, password, app_id, subdomain; ``ip_address`` optional).

An API access token is required, as for every /api/2 route. The answer is OneLogin's v1
``status`` object with the signed Response in ``data`` (shape: ``modelling``,
``SAML_ASSERTION_API_DATA_KEY``); a refusal is that ``status`` object with ``error: true``
(the SDK's ``Error`` model): 400 for a malformed body, 401 for wrong credentials or a user
the app cannot sign in (the reason code and ``modelling.SAML_ASSERTION_API_REFUSED``: the
detail goes to the System Log only).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from mock_onelogin.domain import modelling
from mock_onelogin.domain.errors import BadRequest, NotFound, OneLoginError
from mock_onelogin.domain.input_bounds import ascii_int
from mock_onelogin.domain.saml import Reason, SsoRefused
from mock_onelogin.domain.signin import Throttled
from mock_onelogin.web.common import account, actor, authenticate, json_body, rate_headers
from mock_onelogin.web.errors import v1_error, v1_success

bp = Blueprint("api_saml", __name__, url_prefix="/api/2/saml_assertion")


@bp.before_request
def _auth() -> None:
    authenticate()


bp.after_request(rate_headers)


@bp.errorhandler(OneLoginError)
def _error(exc: OneLoginError) -> Response:
    return v1_error(exc.status, exc.message, exc.field)


def _string(body: dict[str, Any], name: str, required: bool = True) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise BadRequest(f"{name} is required and must be a string", name)
    return value


@bp.post("")
def generate_saml_assertion() -> Response:
    """A signed SAML Response for a user and app (``generate_saml_assert2``)."""
    body = json_body()
    if not isinstance(body, dict):
        raise BadRequest("Expected a JSON object in request body")
    username = _string(body, "username_or_email")[:255]
    password = _string(body, "password")
    app_text = _string(body, "app_id")
    _string(body, "subdomain")
    _string(body, "ip_address", required=False)
    app_id = ascii_int(app_text.strip(), 1)
    if app_id is None:
        raise BadRequest("app_id must be the id of an app", "app_id")
    acct = account()
    if acct.apps.find_app(app_id) is None:
        raise NotFound(f"There is no app {app_id}")
    key = username.strip().lower()
    throttle = acct.sso.throttle
    client = f"api:{actor().client_id}"
    with throttle.attempt(key):
        try:
            throttle.check(key, client)
        except Throttled as refusal:
            response = v1_error(429, modelling.LOGIN_THROTTLED_MESSAGE)
            response.headers["Retry-After"] = str(refusal.retry_after)
            return response
        try:
            answer = acct.sso.api_assertion(username, password, app_id, actor())
        except SsoRefused as refusal:
            throttle.record(key, client, success=refusal.reason != Reason.INVALID_CREDENTIALS)
            if refusal.reason == Reason.INVALID_CREDENTIALS:
                return v1_error(401, modelling.SAML_ASSERTION_API_BAD_CREDENTIALS)
            return v1_error(401, f"{refusal.reason.value}: {modelling.SAML_ASSERTION_API_REFUSED}")
        throttle.record(key, client, success=True)
    return jsonify(v1_success([{modelling.SAML_ASSERTION_API_DATA_KEY: answer.saml_response}]))

"""The SP's SAML endpoints (docs/sso.md): the public SP metadata, the start of an SP-initiated
login, and the ACS. The checks are the domain's (:class:`wrike_sp.domain.sso.Sso`); this module
turns them into a redirect, a page session or a refusal page.

The ACS is posted to from the IdP's site by design, so ``wrike_sp.app`` exempts exactly this
route from the cross-origin refusal; the signature, InResponseTo and replay checks protect it
instead, and it changes nothing but the session of the browser that posted it.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from webguard import page_headers
from wrike_sp.domain import modelling
from wrike_sp.domain.errors import AdminError
from wrike_sp.domain.sso import Sso, SsoRefused
from wrike_sp.web.pages import safe_local_path, start_session

log = logging.getLogger("wrike_sp.saml")

blueprint = Blueprint("saml", __name__, url_prefix="/saml", template_folder="templates")

#: The one route a browser posts to from another site (see ``wrike_sp.app``).
ACS_ENDPOINT = "saml.acs"


def _sso() -> Sso:
    sso: Sso = current_app.extensions["wrike"].sso
    return sso


def base_url() -> str:
    return current_app.extensions["wrike"].config.public_url or request.host_url


def _refusal_page(refused: SsoRefused, account_id: int) -> tuple[str, int]:
    return (
        render_template(
            "sso_refused.html",
            reason=refused.reason,
            meaning=refused.meaning,
            detail=refused.detail,
            change=refused.what_to_change,
            name_id=refused.name_id,
            account_id=account_id,
        ),
        modelling.STATUS_SSO_REFUSED,
    )


@blueprint.after_request
def _headers(response: Response) -> Response:
    """The pages' headers; no SAML answer (metadata, refusal) is kept by any cache."""
    response.headers.setdefault("Cache-Control", "no-store")
    return page_headers(response)


@blueprint.errorhandler(AdminError)
def _admin_error(error: AdminError) -> tuple[str, int]:
    return render_template("error.html", title="Request refused", message=error.message), (
        error.status
    )


@blueprint.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> tuple[str, int]:
    return render_template(
        "error.html", title=error.name, message=error.description or error.name
    ), error.code or 400


@blueprint.errorhandler(Exception)
def _unexpected(error: Exception) -> tuple[str, int]:
    log.exception("unexpected error on %s %s", request.method, request.path)
    return render_template(
        "error.html", title="Internal error", message="Internal error in the reference provider."
    ), 500


@blueprint.get("/<int:account_id>/metadata")
def metadata(account_id: int) -> Response:
    """Wrike's SP metadata for the account (public, as the IdP's metadata is)."""
    return Response(
        _sso().sp_metadata(account_id, base_url()), mimetype="application/samlmetadata+xml"
    )


@blueprint.get("/<int:account_id>/login")
def login(account_id: int) -> Any:
    """SP-initiated: keep an AuthnRequest and redirect to the IdP with it."""
    relay = safe_local_path(request.args.get("next"))
    try:
        target = _sso().start_login(account_id, base_url(), relay)
    except SsoRefused as refused:
        return _refusal_page(refused, account_id)
    return redirect(target, 302)


@blueprint.post("/<int:account_id>/acs")
def acs(account_id: int) -> Any:
    """The assertion consumer service (HTTP-POST binding)."""
    try:
        signed_in = _sso().consume(
            account_id,
            base_url(),
            request.form.get("SAMLResponse"),
            request.form.get("RelayState"),
            safe_local_path,
        )
    except SsoRefused as refused:
        log.info("SSO refused for account %s: %s", account_id, refused.reason)
        return _refusal_page(refused, account_id)
    start_session(signed_in.member)
    log.info("member %s signed in through SSO to account %s", signed_in.member.id, account_id)
    return redirect(signed_in.relay_state or url_for("wrike_pages.home"), 303)

"""Applications > Wrike > SSO: the app's IdP details (issuer URL, SAML 2.0 endpoints, the
signing certificate's fingerprint and expiry, rotate and retire), its SAML fields with
OneLogin's labels, and More Actions > SAML metadata (the XML, downloaded)."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, request
from werkzeug.wrappers import Response as BaseResponse

from mock_onelogin.domain import modelling
from mock_onelogin.domain.errors import OneLoginError
from mock_onelogin.domain.saml import fingerprint_colons
from mock_onelogin.web.console import bp
from mock_onelogin.web.console import confirm as confirmations
from mock_onelogin.web.console._session import _account, _actor, _back, _page

_FIELDS = ("audience", "recipient", "acs_url")


def _sso_page(app_id: int, status: int = 200, **context: Any) -> tuple[str, int]:
    acct = _account()
    the_app = acct.apps.require_app(app_id)
    settings = acct.sso.settings(app_id)
    certificates = acct.sso.certificates(app_id)
    context.setdefault("values", {k: getattr(settings, k) for k in _FIELDS})
    context.setdefault("offset", settings.clock_offset_seconds)
    return _page(
        "app_sso.html",
        status,
        section="apps",
        app=the_app,
        tab="sso",
        endpoints=acct.sso.endpoints(app_id),
        settings=settings,
        labels_saml=modelling.SAML_FIELD_LABELS,
        missing=settings.missing(),
        certificates=[
            {
                "c": c,
                "fingerprint": fingerprint_colons(c.fingerprint_sha256),
                "retire": None if c.signing else confirmations.retire_certificate(the_app, c),
            }
            for c in certificates
        ],
        rotate=confirmations.rotate_certificate(the_app),
        **context,
    )


@bp.get("/apps/<int:app_id>/sso")
def app_sso(app_id: int) -> Any:
    return _sso_page(app_id)


@bp.post("/apps/<int:app_id>/sso")
def save_sso(app_id: int) -> Any:
    acct = _account()
    acct.apps.require_app(app_id)
    values = {k: request.form.get(k, "") for k in _FIELDS}
    offset_text = request.form.get("clock_offset_seconds", "0").strip() or "0"
    try:
        data: dict[str, Any] = dict(values)
        try:
            data["clock_offset_seconds"] = int(offset_text, 10)
        except ValueError:
            data["clock_offset_seconds"] = offset_text  # refused below, with the rule
        acct.sso.update_settings(app_id, data, _actor())
    except OneLoginError as error:
        return _sso_page(
            app_id, error.status, error=error.message, values=values, offset=offset_text
        )
    flash("SAML settings saved.")
    return _back("onelogin_pages.app_sso", app_id=app_id)


@bp.post("/apps/<int:app_id>/sso/certificates/rotate")
def rotate_certificate(app_id: int) -> BaseResponse:
    cert = _account().sso.rotate(app_id, _actor())
    flash(
        f"Certificate {cert.id} signs from now on. Enter it (or the new SAML metadata) in the "
        "app; the previous certificate stays listed until you retire it."
    )
    return _back("onelogin_pages.app_sso", app_id=app_id)


@bp.post("/apps/<int:app_id>/sso/certificates/<int:certificate_id>/retire")
def retire_certificate(app_id: int, certificate_id: int) -> Any:
    try:
        _account().sso.retire(app_id, certificate_id, _actor())
    except OneLoginError as error:
        return _sso_page(app_id, error.status, error=error.message)
    flash(f"Certificate {certificate_id} retired.")
    return _back("onelogin_pages.app_sso", app_id=app_id)


@bp.get("/apps/<int:app_id>/metadata")
def saml_metadata(app_id: int) -> Response:
    """More Actions > SAML metadata: the IdP metadata XML as a download."""
    response = Response(_account().sso.metadata(app_id), mimetype="application/xml")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="onelogin_metadata_{app_id}.xml"'
    )
    return response

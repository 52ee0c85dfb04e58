"""Applications: the list, and an app's Configuration (SCIM base URL, Bearer Token, JSON
template, API Connection) and Provisioning (toggles, approvals, deprovision actions) tabs.
"""

from __future__ import annotations

import json
from typing import Any

from flask import flash, request
from werkzeug.wrappers import Response as BaseResponse

from mock_onelogin.domain import modelling
from mock_onelogin.domain.connector import API_STATUS_ENABLED, API_STATUS_FAILED
from mock_onelogin.domain.errors import NotFound, OneLoginError, ValidationFailed
from mock_onelogin.domain.provisioning import DeprovisionAction, SuspendAction, UpdateMethod
from mock_onelogin.web.console import bp
from mock_onelogin.web.console._session import _account, _actor, _back, _page


@bp.get("/apps")
def apps() -> Any:
    acct = _account()
    rows = [
        {
            "id": a["id"],
            "name": a["name"],
            "api_status": acct.apps.connector(a["id"]).api_status,
            "provisioning": acct.apps.settings(a["id"]).enabled,
            "users": len(acct.apps.entitled_user_ids(a["id"])),
        }
        for a in acct.apps.list_apps()
    ]
    return _page("apps.html", section="apps", apps=rows)


@bp.get("/apps/<int:app_id>")
def app(app_id: int) -> BaseResponse:
    _account().apps.require_app(app_id)
    return _back("onelogin_pages.configuration", app_id=app_id)


def _headers_text(headers: dict[str, str]) -> str:
    return "\n".join(f"{name}: {value}" for name, value in headers.items())


def _parse_headers(text: str) -> dict[str, str]:
    """Custom Headers as the admin types them: one ``Name: value`` per line."""
    out: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise ValidationFailed(
                f"Custom Headers line {number} is not 'Name: value': {line.strip()[:80]!r}",
                "custom_headers",
            )
        out[name.strip()] = value.strip()
    return out


def _configuration_page(app_id: int, status: int = 200, **context: Any) -> tuple[str, int]:
    acct = _account()
    the_app = acct.apps.require_app(app_id)
    config = acct.apps.connector(app_id)
    shown = config.to_json()  # the token masked
    context.setdefault(
        "values",
        {
            "scim_base_url": config.scim_base_url,
            "scim_json_template": json.dumps(config.scim_json_template, indent=2),
            "custom_headers": _headers_text(config.custom_headers),
        },
    )
    return _page(
        "app_configuration.html",
        status,
        section="apps",
        app=the_app,
        tab="configuration",
        token_mask=shown["scim_bearer_token"],
        api_status=config.api_status,
        api_message=config.api_status_message,
        enabled=API_STATUS_ENABLED,
        failed=API_STATUS_FAILED,
        enabled_note="Saving another SCIM Base URL or SCIM Bearer Token sets API Status back to "
        "Disabled; Enable appears again then.",
        **context,
    )


@bp.get("/apps/<int:app_id>/configuration")
def configuration(app_id: int) -> Any:
    return _configuration_page(app_id)


@bp.post("/apps/<int:app_id>/configuration")
def save_configuration(app_id: int) -> Any:
    acct = _account()
    acct.apps.require_app(app_id)
    values = {
        name: request.form.get(name, "")
        for name in ("scim_base_url", "scim_json_template", "custom_headers")
    }
    try:
        data: dict[str, Any] = {
            "scim_base_url": values["scim_base_url"],
            "scim_json_template": values["scim_json_template"],
            "custom_headers": _parse_headers(values["custom_headers"]),
        }
        token = request.form.get("scim_bearer_token", "").strip()
        if token:  # an empty field keeps the saved token: the page never holds it
            data["scim_bearer_token"] = token
        had_token = bool(acct.apps.connector(app_id).scim_bearer_token)
        saved = acct.apps.configure_connector(app_id, data, _actor())
    except OneLoginError as error:
        return _configuration_page(app_id, error.status, error=error.message, values=values)
    flash("Configuration saved.")
    if had_token and not saved.scim_bearer_token:
        flash(
            "The SCIM Bearer Token was cleared: the SCIM Base URL now points to another "
            "server. Enter the token for that server.",
            "error",
        )
    return _back("onelogin_pages.configuration", app_id=app_id)


@bp.post("/apps/<int:app_id>/configuration/enable")
def enable_api(app_id: int) -> Any:
    acct = _account()
    try:
        config = acct.apps.enable_api_connection(app_id, _actor())
    except OneLoginError as error:
        if isinstance(error, NotFound):
            raise
        return _configuration_page(app_id, error.status, error=error.message)
    if config.api_status == API_STATUS_ENABLED:
        flash("API Connection enabled.")
    else:
        flash(config.api_status_message, "error")
    return _back("onelogin_pages.configuration", app_id=app_id)


def _provisioning_page(app_id: int, status: int = 200, **context: Any) -> tuple[str, int]:
    acct = _account()
    the_app = acct.apps.require_app(app_id)
    settings = context.pop("settings", None) or acct.apps.settings(app_id).to_json()
    return _page(
        "app_provisioning.html",
        status,
        section="apps",
        app=the_app,
        tab="provisioning",
        settings=settings,
        on_delete_choices=[a.value for a in DeprovisionAction],
        on_suspend_choices=[a.value for a in SuspendAction],
        update_methods=[m.value for m in UpdateMethod],
        api_status=acct.apps.connector(app_id).api_status
        if modelling.API_STATUS_GATES_PROVISIONING
        else API_STATUS_ENABLED,
        api_enabled=API_STATUS_ENABLED,
        gate_note=modelling.assumed("api_status_gate"),
        update_method_note=modelling.assumed("update_method"),
        **context,
    )


@bp.get("/apps/<int:app_id>/provisioning")
def provisioning(app_id: int) -> Any:
    return _provisioning_page(app_id)


@bp.post("/apps/<int:app_id>/provisioning")
def save_provisioning(app_id: int) -> Any:
    acct = _account()
    acct.apps.require_app(app_id)
    data = {
        "enabled": request.form.get("enabled") == "on",
        "require_approval": {
            key: request.form.get(key) == "on"
            for key in ("create_user", "delete_user", "update_user")
        },
        "on_delete": request.form.get("on_delete", ""),
        "on_suspend": request.form.get("on_suspend", ""),
    }
    if "update_method" in request.form:
        data["update_method"] = request.form["update_method"]
    try:
        acct.apps.set_provisioning(app_id, data, _actor())
    except OneLoginError as error:
        shown = acct.apps.settings(app_id).to_json() | {
            k: v for k, v in data.items() if k not in ("on_delete", "on_suspend", "update_method")
        }
        return _provisioning_page(app_id, error.status, error=error.message, settings=shown)
    flash("Provisioning settings saved.")
    return _back("onelogin_pages.provisioning", app_id=app_id)

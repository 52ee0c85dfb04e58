"""The Wrike app connector's Configuration tab: SCIM Base URL, SCIM Bearer Token, SCIM JSON
Template, Custom Headers, and the API Connection status."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from mock_onelogin.domain import modelling
from mock_onelogin.domain.errors import ValidationFailed
from mock_onelogin.domain.secrets import mask
from mock_onelogin.domain.template import (
    DEFAULT_PARAMETERS,
    DEFAULT_TEMPLATE,
    AppParameter,
    CompiledTemplate,
    parse_template,
)

API_STATUS_DISABLED = "Disabled"
API_STATUS_ENABLED = "Enabled"
API_STATUS_FAILED = "Failed"

#: Headers an admin may not set through Custom Headers: the token field owns Authorization.
RESERVED_HEADERS = frozenset({"authorization", "host", "content-length"})


@dataclass(frozen=True)
class ConnectorConfig:
    scim_base_url: str = ""
    scim_bearer_token: str = ""
    scim_json_template: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_TEMPLATE))
    parameters: dict[str, AppParameter] = field(default_factory=lambda: dict(DEFAULT_PARAMETERS))
    custom_headers: dict[str, str] = field(default_factory=dict)
    api_status: str = API_STATUS_DISABLED
    api_status_message: str = ""

    @property
    def ready(self) -> bool:
        return bool(self.scim_base_url and self.scim_bearer_token)

    def compile(self) -> CompiledTemplate:
        return CompiledTemplate(self.scim_json_template, self.parameters)

    def to_json(self, *, reveal_token: bool = False) -> dict[str, Any]:
        """The configuration as the admin page shows it; the token is masked."""
        return {
            "scim_base_url": self.scim_base_url,
            "scim_bearer_token": self.scim_bearer_token
            if reveal_token
            else mask(self.scim_bearer_token),
            "scim_json_template": self.scim_json_template,
            "parameters": {
                k: {"source": v.source, "default": v.default} for k, v in self.parameters.items()
            },
            "custom_headers": self.custom_headers,
            "api_connection": {"api_status": self.api_status, "message": self.api_status_message},
            "labels": {
                "scim_base_url": "SCIM Base URL",
                "scim_bearer_token": "SCIM Bearer Token",
                "scim_json_template": "SCIM JSON Template",
                "custom_headers": "Custom Headers",
                "api_connection": "API Connection",
                "api_status": "API Status",
            },
        }

    def to_storage(self) -> str:
        data = self.to_json(reveal_token=True)
        data.pop("labels")
        return json.dumps(data)

    @classmethod
    def from_storage(cls, text: str | None) -> ConnectorConfig:
        if not text:
            return cls()
        data = json.loads(text)
        status = data.pop("api_connection", {})
        # Headers saved before names and values were checked: one HTTP cannot carry is dropped
        # (the next save shows what is left).
        data["custom_headers"] = {
            name: value
            for name, value in (data.get("custom_headers") or {}).items()
            if _HEADER_NAME.fullmatch(name) and _HEADER_VALUE.fullmatch(value)
        }
        config = cls().updated(data)
        return replace(
            config,
            api_status=status.get("api_status", API_STATUS_DISABLED),
            api_status_message=status.get("message", ""),
        )

    def updated(self, data: Any) -> ConnectorConfig:
        """Apply a partial change. Changing the URL or token disables the API connection until
        "Enable" is pressed again, as a changed credential has not been tested."""
        if not isinstance(data, dict):
            raise ValidationFailed("connector configuration must be a JSON object")
        known = {
            "scim_base_url",
            "scim_bearer_token",
            "scim_json_template",
            "parameters",
            "custom_headers",
            "labels",
        }
        unknown = set(data) - known
        if unknown:
            raise ValidationFailed(
                f"unknown connector field(s) {sorted(unknown)}; known: {sorted(known - {'labels'})}"
            )
        changes: dict[str, Any] = {}
        if "scim_base_url" in data:
            changes["scim_base_url"] = _base_url(data["scim_base_url"])
        if "scim_bearer_token" in data:
            token = data["scim_bearer_token"]
            if not isinstance(token, str) or any(c.isspace() for c in token.strip()):
                raise ValidationFailed(
                    "SCIM Bearer Token must be a string without spaces", "scim_bearer_token"
                )
            changes["scim_bearer_token"] = token.strip()
        if "scim_json_template" in data:
            changes["scim_json_template"] = parse_template(data["scim_json_template"])
        if "parameters" in data:
            changes["parameters"] = _parameters(data["parameters"])
        if "custom_headers" in data:
            changes["custom_headers"] = _headers(data["custom_headers"])
        if (
            "scim_base_url" in changes
            and "scim_bearer_token" not in changes
            and self.scim_bearer_token
            and modelling.TOKEN_STAYS_WITH_ITS_ORIGIN
            and _origin(changes["scim_base_url"]) != _origin(self.scim_base_url)
        ):
            # The token was given for the old server; it is not sent to a new one unless
            # the admin gives it again with the new URL.
            changes["scim_bearer_token"] = ""
        config = replace(self, **changes)
        config.compile()  # refuse templates naming parameters the app lacks
        if ("scim_base_url" in changes and changes["scim_base_url"] != self.scim_base_url) or (
            "scim_bearer_token" in changes
            and changes["scim_bearer_token"] != self.scim_bearer_token
        ):
            config = replace(config, api_status=API_STATUS_DISABLED, api_status_message="")
        return config


def _origin(url: str) -> tuple[str, str]:
    """Scheme and host:port of a SCIM Base URL ("" for none)."""
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _base_url(value: Any) -> str:
    if not isinstance(value, str):
        raise ValidationFailed("SCIM Base URL must be a string", "scim_base_url")
    url = value.strip().rstrip("/")
    if url == "":
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationFailed(
            f"SCIM Base URL must be an http(s) URL, not {value!r}", "scim_base_url"
        )
    return url


def _parameters(value: Any) -> dict[str, AppParameter]:
    if not isinstance(value, dict):
        raise ValidationFailed(
            "parameters must be an object of name -> {source, default}", "parameters"
        )
    out: dict[str, AppParameter] = {}
    for name, spec in value.items():
        if isinstance(spec, str):
            spec = {"source": spec}
        if not isinstance(spec, dict) or not isinstance(spec.get("source"), str):
            raise ValidationFailed(
                f"parameter {name!r} needs a 'source' user field, e.g. "
                "'email' or 'custom_fields.wrike_user_type'",
                "parameters",
            )
        default = spec.get("default", "")
        if not isinstance(default, str):
            raise ValidationFailed(f"parameter {name!r}: default must be a string", "parameters")
        out[name] = AppParameter(spec["source"], default)
    return out


def _headers(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValidationFailed(
            "custom_headers must be an object of header name -> value", "custom_headers"
        )
    out: dict[str, str] = {}
    for name, item in value.items():
        if not isinstance(name, str) or not name.strip() or not isinstance(item, str):
            raise ValidationFailed(
                "custom_headers names and values must be strings", "custom_headers"
            )
        if name.strip().lower() in RESERVED_HEADERS:
            raise ValidationFailed(
                f"custom header {name!r} is set by OneLogin itself; use "
                "the SCIM Bearer Token field for credentials",
                "custom_headers",
            )
        if "\n" in item or "\r" in item:
            raise ValidationFailed(
                f"custom header {name!r} contains a line break", "custom_headers"
            )
        if not _HEADER_NAME.fullmatch(name.strip()):
            raise ValidationFailed(
                f"custom header name {name!r} is not an HTTP header name (letters, digits "
                "and !#$%&'*+-.^_`|~ only)",
                "custom_headers",
            )
        if not _HEADER_VALUE.fullmatch(item):
            raise ValidationFailed(
                f"custom header {name!r} has a value HTTP cannot carry (visible ASCII and "
                "spaces only)",
                "custom_headers",
            )
        out[name.strip()] = item
    return out


# RFC 9110 §5.1 field names (tokens); values are kept to visible ASCII and spaces, which
# every HTTP client sends as given.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HEADER_VALUE = re.compile(r"[\x20-\x7e\t]*")

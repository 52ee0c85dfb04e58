"""The SCIM JSON Template: OneLogin's placeholder syntax rendered against a directory user.

Placeholders: ``{$user.<field>}``, ``{$user.custom_fields.<shortname>}`` and
``{$parameters.<name>}`` (an app parameter, itself mapped to a user field with an optional
default). A template is compiled once per connector configuration, so that rendering ten
thousand users does not re-parse JSON or regexes for each.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mock_onelogin.domain import modelling
from mock_onelogin.domain.errors import ValidationFailed
from mock_onelogin.domain.input_bounds import nesting_exceeds, structure_exceeds
from mock_onelogin.domain.modelling import (
    CORE_SCHEMA,
    DEFAULT_PARAMETER_SOURCES,
    DEFAULT_TEMPLATE,
    ENTERPRISE_SCHEMA,
)

PLACEHOLDER = re.compile(r"\{\$(user|parameters)\.([A-Za-z0-9_.\-]+)\}")


@dataclass(frozen=True)
class AppParameter:
    """An app parameter: which user field feeds it, and the value used when that is empty."""

    source: str
    default: str = ""


#: The default app parameters: which user field feeds each, and its default.
DEFAULT_PARAMETERS: dict[str, AppParameter] = {
    name: AppParameter(source, default)
    for name, (source, default) in DEFAULT_PARAMETER_SOURCES.items()
}

__all__ = [
    "CORE_SCHEMA",
    "DEFAULT_PARAMETERS",
    "DEFAULT_TEMPLATE",
    "ENTERPRISE_SCHEMA",
    "AppParameter",
    "CompiledTemplate",
    "UserView",
    "parse_template",
]

#: ``{$user.x}`` names the simulator understands, beyond the raw directory fields.
DERIVED_USER_FIELDS = ("display_name", "active")


@dataclass(frozen=True)
class UserView:
    """What the template sees of a directory user."""

    fields: Mapping[str, Any]
    custom: Mapping[str, Any] = field(default_factory=dict)

    def lookup(self, path: str) -> Any:
        if path.startswith("custom_fields."):
            return self.custom.get(path[len("custom_fields.") :])
        if path == "display_name":
            first = self.fields.get("firstname") or ""
            last = self.fields.get("lastname") or ""
            return f"{first} {last}".strip()
        if path == "active":
            # One rule for status -> active (a Password Pending user is active in the app).
            return modelling.status_is_active(self.fields.get("status"))
        return self.fields.get(path)


_Resolver = Callable[[UserView], Any]
_Node = Callable[[UserView], tuple[Any, bool]]
_OMIT = object()


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


class CompiledTemplate:
    """A template turned into closures; ``render`` returns the SCIM body for one user."""

    def __init__(
        self, template: Mapping[str, Any], parameters: Mapping[str, AppParameter] | None = None
    ) -> None:
        self.parameters = dict(DEFAULT_PARAMETERS if parameters is None else parameters)
        self._root = self._compile(template)

    def render(self, user: UserView) -> dict[str, Any]:
        value, _ = self._root(user)
        return {} if value is _OMIT else value

    # compilation ---------------------------------------------------------------------------
    @staticmethod
    def _field(path: str) -> _Resolver:
        """A resolver specialised for one user path at compile time (plain fields are the
        common case and need only a dict lookup)."""
        if path.startswith("custom_fields."):
            key = path[len("custom_fields.") :]
            return lambda user: user.custom.get(key)
        if path in DERIVED_USER_FIELDS:
            return lambda user: user.lookup(path)
        return lambda user: user.fields.get(path)

    def _resolver(self, kind: str, name: str) -> _Resolver:
        if kind == "user":
            return self._field(name)
        param = self.parameters.get(name)
        if param is None:
            raise ValidationFailed(
                f"SCIM JSON Template uses {{$parameters.{name}}} but the app has no parameter "
                f"'{name}'. Add the parameter or change the template.",
                "scim_json_template",
            )
        source, default = self._field(param.source), param.default

        def resolve(user: UserView) -> Any:
            value = source(user)
            return default if _empty(value) else value

        return resolve

    def _compile(self, node: Any) -> _Node:
        if isinstance(node, str):
            return self._compile_string(node)
        if isinstance(node, list):
            items = [self._compile(item) for item in node]

            def render_list(user: UserView) -> tuple[Any, bool]:
                out, dynamic = [], False
                for item in items:
                    value, is_dynamic = item(user)
                    dynamic = dynamic or is_dynamic
                    if value is not _OMIT:
                        out.append(value)
                if dynamic and not out and modelling.OMIT_EMPTY_VALUES:
                    return _OMIT, True
                return out, dynamic

            return render_list
        if isinstance(node, dict):
            entries = [(key, self._compile(value)) for key, value in node.items()]

            def render_dict(user: UserView) -> tuple[Any, bool]:
                out: dict[str, Any] = {}
                dynamic = kept_dynamic = False
                for key, child in entries:
                    value, is_dynamic = child(user)
                    if is_dynamic:
                        dynamic = True
                    if value is _OMIT:
                        continue
                    out[key] = value
                    if is_dynamic:
                        kept_dynamic = True
                # An object whose placeholders all rendered empty (e.g. an email entry with
                # only "type" and "primary" left) carries no information: drop it.
                if dynamic and not kept_dynamic and modelling.OMIT_EMPTY_VALUES:
                    return _OMIT, True
                return out, dynamic

            return render_dict
        return lambda user: (node, False)

    def _compile_string(self, text: str) -> _Node:
        matches = list(PLACEHOLDER.finditer(text))
        if not matches:
            if "{$" in text:
                raise ValidationFailed(
                    f"SCIM JSON Template has a malformed placeholder in {text!r}; use "
                    "{$user.x}, {$user.custom_fields.x} or {$parameters.x}.",
                    "scim_json_template",
                )
            return lambda user: (text, False)
        if len(matches) == 1 and matches[0].span() == (0, len(text)):
            resolve = self._resolver(matches[0].group(1), matches[0].group(2))

            def render_single(user: UserView) -> tuple[Any, bool]:
                value = resolve(user)
                if _empty(value):
                    return (_OMIT if modelling.OMIT_EMPTY_VALUES else ""), True
                return (value if isinstance(value, bool) else str(value)), True

            return render_single
        pieces: list[str | _Resolver] = []
        pos = 0
        for match in matches:
            pieces.append(text[pos : match.start()])
            pieces.append(self._resolver(match.group(1), match.group(2)))
            pos = match.end()
        pieces.append(text[pos:])

        def render_mixed(user: UserView) -> tuple[Any, bool]:
            parts, any_value = [], False
            for piece in pieces:
                if isinstance(piece, str):
                    parts.append(piece)
                    continue
                value = piece(user)
                if not _empty(value):
                    any_value = True
                    parts.append(str(value))
            if not any_value and modelling.OMIT_EMPTY_VALUES:
                return _OMIT, True
            return " ".join("".join(parts).split()) if any_value else "".join(parts), True

        return render_mixed


def parse_template(text: str | Mapping[str, Any]) -> dict[str, Any]:
    """Accept the template as the admin pastes it (text) or as JSON; it must be an object."""
    limit = modelling.MAX_TEMPLATE_DEPTH
    too_deep = ValidationFailed(
        f"SCIM JSON Template nests objects and arrays more than {limit} levels deep.",
        "scim_json_template",
    )
    if isinstance(text, Mapping):
        if structure_exceeds(text, limit):
            raise too_deep
        return dict(text)
    if isinstance(text, str) and nesting_exceeds(text, limit):
        raise too_deep
    try:
        value = json.loads(text)
    except RecursionError as exc:  # unreachable after the scan; kept as a net
        raise too_deep from exc
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(
            f"SCIM JSON Template is not valid JSON: {exc}", "scim_json_template"
        ) from exc
    if not isinstance(value, dict):
        raise ValidationFailed("SCIM JSON Template must be a JSON object.", "scim_json_template")
    return value

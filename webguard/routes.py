"""What both apps do with werkzeug: URL rules whose URL builders are compiled when first used,
not when the app is made, and the hook that runs the request checks before any route.

Werkzeug compiles two Python functions per route (the URL builders ``url_for`` calls) as soon
as the route is added: for both apps' ~130 routes, that is four fifths of ``create_app``'s
time, paid again by every test that builds an app and by every server start, although a
request uses the builders of a handful of routes at most (redirects and links). Matching
incoming requests is untouched: only the builders wait. Both apps set
``app.url_rule_class = LazyBuilderRule`` before adding their routes.

It also builds each control API's index (:func:`endpoint_index`) from the app's URL map, so
the list a ``GET`` on an API's base answers is the list of routes really served.

This is the one module of ``webguard`` that imports the web framework (``werkzeug``, never
flask: the app and its request are passed in).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from werkzeug.exceptions import Forbidden, MisdirectedRequest
from werkzeug.routing import Rule

from webguard import request_refusal

_REFUSALS = {421: MisdirectedRequest, 403: Forbidden}


def guard(
    app: Any,
    request: Any,
    allowed: frozenset[str],
    public_url: str | None,
    *,
    cross_site: frozenset[str] = frozenset(),
) -> None:
    """Refuse a request for a host name the server does not answer to (DNS rebinding) and a
    browser's state-changing request from another site, before any route runs: ``app`` is
    the Flask app, ``request`` its request proxy; each app's error handlers shape the 421 or
    403 in its protocol's format.

    ``cross_site`` names the endpoints a browser posts to from another site by design (the
    SAML HTTP-POST binding: the IdP's SSO endpoint, the SP's ACS): those get the host check
    only, their message being checked instead (the route is known here: Flask matches it
    before ``before_request`` runs)."""
    public = (public_url,)

    @app.before_request
    def _checks() -> None:
        method = request.method
        if cross_site and request.endpoint in cross_site:
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
            raise _REFUSALS[refused[0]](refused[1])


class LazyBuilderRule(Rule):
    """A ``werkzeug`` rule that compiles each URL builder on its first call."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        compile_now = super()._compile_builder
        compiled: list[Callable[..., tuple[str, str]]] = []

        def build(rule: Rule, *args: Any, **values: Any) -> tuple[str, str]:
            # Two threads may both compile on a first call; each gets the same function.
            if not compiled:
                compiled.append(compile_now(append_unknown).__get__(rule, None))
            return compiled[0](*args, **values)

        return build


_CONVERTER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
_HIDDEN_METHODS = frozenset({"HEAD", "OPTIONS"})


def endpoint_index(
    app: Any, prefix: str, descriptions: dict[str, str] | None = None
) -> list[dict[str, str]]:
    """The endpoints under ``prefix`` as a list of method, path (``{name}`` for a path
    parameter) and one-line description, read from the app's URL map, so the index shows
    what is really served. The description is the route's entry in ``descriptions`` (keyed
    by view function name), else its docstring's first sentence, else its name; catch-all
    routes (a ``path`` parameter) are left out."""
    descriptions = descriptions or {}
    out = []
    for rule in app.url_map.iter_rules():
        if not (rule.rule == prefix or rule.rule.startswith(prefix.rstrip("/") + "/")):
            continue
        if "<path:" in rule.rule or rule.rule.rstrip("/") == prefix.rstrip("/"):
            continue
        name = rule.endpoint.rsplit(".", 1)[-1]
        view = app.view_functions.get(rule.endpoint)
        description = descriptions.get(name) or _first_sentence(getattr(view, "__doc__", None))
        for method in sorted((rule.methods or set()) - _HIDDEN_METHODS):
            out.append(
                {
                    "method": method,
                    "path": _CONVERTER.sub(r"{\1}", rule.rule),
                    "description": description or name.replace("_", " "),
                }
            )
    return sorted(out, key=lambda e: (e["path"], e["method"]))


def index_document(
    app: Any, prefix: str, service: str, authorization: str, descriptions: dict[str, str]
) -> dict[str, Any]:
    """What a control API's base URL answers: the service, how to authenticate, and its
    endpoints (:func:`endpoint_index`). Open without the key by choice: the routes are the
    same in every install (no state, no secret), and a caller without the key (a browser
    following a printed link) learns how to authenticate; every endpoint listed still wants
    the key."""
    return {
        "service": service,
        "authorization": authorization,
        "endpoints": endpoint_index(app, prefix, descriptions),
    }


def _first_sentence(doc: str | None) -> str:
    if not doc:
        return ""
    text = " ".join(doc.split())
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]

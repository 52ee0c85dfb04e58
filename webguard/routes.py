"""URL rules whose URL builders are compiled when first used, not when the app is made.

Werkzeug compiles two Python functions per route (the URL builders ``url_for`` calls) as soon
as the route is added: for both apps' ~130 routes, that is four fifths of ``create_app``'s
time, paid again by every test that builds an app and by every server start, although a
request uses the builders of a handful of routes at most (redirects and links). Matching
incoming requests is untouched: only the builders wait. Both apps set
``app.url_rule_class = LazyBuilderRule`` before adding their routes.

This is the one module of ``webguard`` that imports the web framework (``werkzeug``): it
changes nothing a request sees, only when work is done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule


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

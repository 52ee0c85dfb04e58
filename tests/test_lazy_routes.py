"""Both apps' URL rules compile their URL builders on first use (``webguard.routes``): the
URLs they build must be exactly those werkzeug's own rules build, for routes with and
without converters, defaults, query arguments and an external host."""

from __future__ import annotations

import threading

from flask import Flask, url_for
from werkzeug.routing import Rule

from mock_onelogin import OneLoginConfig
from mock_onelogin import create_app as create_onelogin
from webguard.routes import LazyBuilderRule
from wrike_sp import WrikeConfig
from wrike_sp import create_app as create_wrike


def built_urls(app: Flask) -> dict[str, str]:
    """Every endpoint's URL, with an id of 7 for each converter and a query argument."""
    urls: dict[str, str] = {}
    with app.test_request_context("/", base_url="http://localhost:8200"):
        for rule in app.url_map.iter_rules():
            values = {name: 7 for name in rule.arguments if name not in (rule.defaults or {})}
            if "filename" in rule.arguments:
                values["filename"] = "a.css"  # type: ignore[assignment]
            try:
                urls[rule.endpoint] = url_for(rule.endpoint, q="x y", _external=True, **values)
            except Exception as exc:  # a converter that takes no 7: compare the error too
                urls[rule.endpoint] = f"{type(exc).__name__}: {exc}"
    return urls


def with_eager_rules(build: object) -> Flask:
    """The same app made with werkzeug's own rule class (builders compiled at once)."""
    original = LazyBuilderRule._compile_builder
    LazyBuilderRule._compile_builder = Rule._compile_builder  # type: ignore[method-assign]
    try:
        return build()  # type: ignore[operator, no-any-return]
    finally:
        LazyBuilderRule._compile_builder = original  # type: ignore[method-assign]


def test_both_apps_build_the_urls_werkzeugs_rules_build() -> None:
    for build in (
        lambda: create_onelogin(OneLoginConfig()),
        lambda: create_wrike(WrikeConfig()),
    ):
        lazy, eager = build(), with_eager_rules(build)
        assert all(
            type(r) is LazyBuilderRule for r in lazy.url_map.iter_rules() if r.endpoint != "static"
        )
        lazy_urls, eager_urls = built_urls(lazy), built_urls(eager)
        assert len(lazy_urls) > 20
        assert lazy_urls == eager_urls


def test_first_use_from_many_threads_builds_one_url() -> None:
    app = Flask("t")
    app.url_rule_class = LazyBuilderRule
    app.add_url_rule("/users/<int:user_id>/apps", "apps", lambda user_id: "")
    seen: list[str] = []

    def build() -> None:
        with app.test_request_context("/"):
            seen.append(url_for("apps", user_id=3, page=2))

    threads = [threading.Thread(target=build) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == ["/users/3/apps?page=2"] * 8

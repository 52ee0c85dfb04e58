"""The reports of a failing run, end to end: the suite run in a child process the way
``harness check`` runs it (its pytest command, the token in PYTEST_ADDOPTS) against the
reference provider over real HTTP, set up so that scenarios fail.

- *unapproved*: the account approves only ``acme.example``, not the suite's ``acme.com``,
  so every creation is refused; a proxy in front of it adds markup to each SCIM error's
  ``detail``, as a hostile or careless provider might answer;
- *wrong token*: every request is refused with 401, so nearly every scenario fails.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.bdd import HERE
from harness.check import CUCUMBER, HTML, JUNIT, pytest_command
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS
from tests.live import serving
from wrike_sp import WrikeConfig, create_app
from wrike_sp.demo import seed_demo_account

pytestmark = pytest.mark.slow

HOSTILE = '<script>document.title="owned"</script><img src=x onerror=alert(1)>'


class MarkupInErrors:
    """WSGI middleware: the provider's SCIM errors come back with ``HOSTILE`` in their
    ``detail``; everything else passes untouched."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        captured: dict[str, Any] = {}

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured.update(status=status, headers=headers)
            return lambda _: None

        body = b"".join(self.app(environ, keep))
        status, headers = captured["status"], captured["headers"]
        if int(status.split()[0]) >= 400:
            try:
                data = json.loads(body)
            except ValueError:
                data = None
            if isinstance(data, dict) and "detail" in data:
                data["detail"] = f"{HOSTILE} {data['detail']}"
                body = json.dumps(data).encode()
                headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
                headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        return [body]


@dataclass
class Run:
    console: str
    returncode: int
    reports: Path
    token: str

    def junit(self) -> ET.Element:
        return ET.parse(self.reports / JUNIT).getroot()

    def cucumber(self) -> list[dict[str, Any]]:
        return list(json.loads((self.reports / CUCUMBER).read_text(encoding="utf-8")))

    def html(self) -> str:
        return (self.reports / HTML).read_text(encoding="utf-8")

    def texts(self) -> Iterable[tuple[str, str]]:
        yield "console", self.console
        for name in (JUNIT, CUCUMBER, HTML):
            yield name, (self.reports / name).read_text(encoding="utf-8")


def _run_suite(url: str, token: str, reports: Path) -> Run:
    """The suite as ``harness check`` starts it (without its preflight: these runs are
    meant to reach the scenarios)."""
    env = {**os.environ, "PYTEST_ADDOPTS": f"--scim-token {token}", "COLUMNS": "80"}
    command = pytest_command(HERE, url, reports, ("-p", "no:anyio"))
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=600, cwd=reports.parent
    )
    return Run(done.stdout + done.stderr, done.returncode, reports, token)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Run]]:
    app = create_app(WrikeConfig(password_iterations=1000))
    demo = seed_demo_account(app.extensions["wrike"].accounts)  # approves acme.example only
    with serving(MarkupInErrors(app)) as base:
        url = base + demo.scim_path
        yield {
            "unapproved": _run_suite(url, demo.token, tmp_path_factory.mktemp("unapproved")),
            "wrong token": _run_suite(
                url, "wrk_wrong-token-0000-abcd", tmp_path_factory.mktemp("wrong")
            ),
        }


def _counts(console: str) -> dict[str, int]:
    return {name: int(n) for n, name in re.findall(r"(\d+) (failed|passed|skipped)", console)}


@pytest.mark.parametrize("name", ["unapproved", "wrong token"])
def test_a_failing_run_ends_with_the_verdict_on_one_screen(runs: dict[str, Run], name: str) -> None:
    run = runs[name]
    assert run.returncode == 1, run.console[-3000:]
    lines = run.console.strip().splitlines()
    assert len(lines) < 40, f"{len(lines)} lines:\n{run.console}"
    assert "Traceback" not in run.console and "def " not in run.console, run.console
    verdict = run.console[run.console.index("verdict") :]
    failed = _counts(lines[-1])["failed"]
    assert failed >= 60, run.console  # nearly everything fails, and still one screen
    assert re.search(rf"^\d+ scenarios: {failed} failed", verdict, re.M), verdict
    # a row (or a group) names its cause in the assertion's words
    cause = {
        "unapproved": "Wrike should have the user ada@acme.com; it has no such user",
        "wrong token": "expected HTTP 200/201/204, got 401",
    }[name]
    assert re.search(rf"^\d+ failed: .*{re.escape(cause)}", verdict, re.M), verdict
    assert f"Reports in {run.reports}: cucumber.json, junit.xml, report.html" in verdict


def _failed_case(run: Run, needle: str) -> ET.Element:
    for case in run.junit().iter("testcase"):
        out = case.findtext("system-out") or ""
        if case.find("failure") is not None and needle in out:
            return case
    raise AssertionError(f"no failed testcase whose system-out holds {needle!r}")


def test_junit_system_out_carries_the_system_log_with_the_scim_exchanges(
    runs: dict[str, Run],
) -> None:
    case = _failed_case(runs["unapproved"], "> POST ")
    out = case.findtext("system-out") or ""
    assert "OneLogin System Log" in out and "Wrike SCIM journal" in out
    post = out[out.index("> POST ") :]
    assert re.match(r"> POST http://127\.0\.0\.1:\d+/scim/\d+/v2/Users \{", post), post[:300]
    assert '"userName": "' in post.splitlines()[0]  # the request body
    assert re.search(r"^\s+< 400 .*not an approved domain", post, re.M), post[:1000]
    wrong = _failed_case(runs["wrong token"], "< 401")
    assert "OneLogin System Log" in (wrong.findtext("system-out") or "")


@pytest.mark.parametrize("name", ["unapproved", "wrong token"])
def test_the_token_appears_in_no_report_and_not_on_the_console(
    runs: dict[str, Run], name: str
) -> None:
    run = runs[name]
    for where, text in run.texts():
        assert run.token not in text, f"the token shows in the {where}"
    assert f"Bearer ****{run.token[-4:]}" in run.html()  # masked, so support still sees it


def test_cucumber_error_messages_start_with_the_assertions_message(
    runs: dict[str, Run],
) -> None:
    messages = [
        step["result"]["error_message"]
        for feature in runs["unapproved"].cucumber()
        for element in feature["elements"]
        for step in element["steps"]
        if step["result"].get("error_message")
    ]
    assert len(messages) >= 60
    first_lines = [m.splitlines()[0] for m in messages]
    assert "Wrike should have the user ada@acme.com; it has no such user" in first_lines
    internals = [m for m in first_lines if m.startswith(("E ", "request", "def ", "self", "  "))]
    assert not internals, internals[:3]
    # the traceback follows the message: where in the steps it failed
    assert any("then.py" in m for m in messages)


def test_the_html_report_shows_the_failing_scenarios_exchange_escaped(
    runs: dict[str, Run],
) -> None:
    page = runs["unapproved"].html()
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;document.title=&quot;owned&quot;&lt;/script&gt;" in page
    assert re.search(r"&gt; POST http://127\.0\.0\.1:\d+/scim/\d+/v2/Users", page)
    assert "&lt; HTTP 400" in page and "not an approved domain" in page
    assert "A user from an approved domain is provisioned" in page
    assert "Target</dt><dd>external" in page


def test_the_html_report_opens_in_chromium_and_shows_the_failing_exchange(
    runs: dict[str, Run],
) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    report = runs["unapproved"].reports / HTML
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            dialogs: list[str] = []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(report.as_uri())
            assert page.title().startswith("SCIM check report: ")  # no script renamed it
            summary = page.locator("table tbody tr", has_text="A user from an approved domain")
            summary.first.get_by_role("link").click()  # an in-page link: no script needed
            section = page.locator("section.scenario.failed:target")
            assert (
                "A user from an approved domain is provisioned"
                in section.locator("h2").inner_text()
            )
            assert "ada@acme.com" in section.locator("pre.cause").inner_text()
            exchange = section.locator(".exchange", has_text="> POST").first
            assert exchange.is_visible()
            text = exchange.inner_text()
            assert re.search(r"> POST http://127\.0\.0\.1:\d+/scim/\d+/v2/Users", text), text
            assert "< HTTP 400" in text and "<script>document.title=" in text  # text, not run
            assert "Bearer ****" in text
            assert dialogs == []
        finally:
            browser.close()

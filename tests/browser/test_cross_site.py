"""What a web page the user visits can make chromium do to the two servers on loopback.

The attacker's page is served from another origin and tries, as such pages do: a form that
posts itself to Wrike's harness reset, and a ``no-cors`` fetch with a ``text/plain`` JSON body
to the simulator's reset and approvals. DNS rebinding is played by chromium's resolver rules:
the attacker's own host name resolves to 127.0.0.1, so the page is same-origin with a loopback
server in the browser's eyes, and only the ``Host`` check stands in the way.

Both servers run here with their keys *unset* (the in-process test default): what stops the
page is the request guard itself, not a key the page does not know.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page

from mock_onelogin import OneLoginConfig
from mock_onelogin import create_app as create_onelogin
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS
from wrike_sp import WrikeConfig
from wrike_sp import create_app as create_wrike
from wrike_sp.demo import seed_demo_account

pytestmark = pytest.mark.slow


def _attacker(wrike: str, onelogin: str) -> Flask:
    app = Flask("attacker")

    @app.get("/")
    def page() -> str:
        return f"""<!doctype html><html><body>
<form id="wipe" method="post" action="{wrike}/harness/api/reset" target="sink">
  <input name="x" value="1"></form>
<iframe name="sink"></iframe>
<script>
  document.getElementById("wipe").submit();
  const body = JSON.stringify({{app_id: 1}});
  Promise.all([
    fetch("{onelogin}/simulator/api/reset", {{method: "POST", mode: "no-cors", body}}),
    fetch("{onelogin}/simulator/api/users/1/logins", {{method: "POST", mode: "no-cors",
      headers: {{"Content-Type": "text/plain"}}, body}}),
  ]).finally(() => {{ document.title = "sent"; }});
</script></body></html>"""

    return app


@pytest.fixture
def servers(live_server: Callable[[Any], str]) -> Iterator[dict[str, Any]]:
    wrike = create_wrike(WrikeConfig(harness_enabled=True, password_iterations=1000))
    seed_demo_account(wrike.extensions["wrike"].accounts)
    onelogin = create_onelogin(OneLoginConfig(drain_mode="manual"))
    account = onelogin.extensions["mock_onelogin"]
    account.directory.create_user({"username": "ada@acme.com", "email": "ada@acme.com"})
    yield {
        "wrike": wrike,
        "onelogin": onelogin,
        "wrike_url": live_server(wrike),
        "onelogin_url": live_server(onelogin),
        "live": live_server,
    }


def test_a_page_on_another_site_changes_nothing(page: Page, servers: dict[str, Any]) -> None:
    attacker = servers["live"](_attacker(servers["wrike_url"], servers["onelogin_url"]))
    page.goto(attacker)
    page.wait_for_function("document.title === 'sent'")
    # the form's answer lands in the iframe: wait for it before looking at the state
    page.frame_locator("iframe[name=sink]").locator("body").wait_for()
    assert len(servers["wrike"].extensions["wrike"].accounts.accounts()) == 1
    account = servers["onelogin"].extensions["mock_onelogin"]
    [user] = account.directory.list_users(_all_users())[0]
    assert user["username"] == "ada@acme.com"
    assert not account.directory.has_direct_login(user["id"], account.apps.wrike_app_id())
    # and the same requests without the browser's marks would have worked (the check, not
    # some other failure, is what refused them)
    assert servers["onelogin"].test_client().post("/simulator/api/reset").status_code == 200


def _all_users() -> Any:
    from mock_onelogin.domain.queries import UserQuery

    return UserQuery()


@pytest.fixture(scope="module")
def rebinding_browser(browser: Browser) -> Iterator[Browser]:
    """A second chromium (same Playwright) whose resolver sends the attacker's name to
    loopback, as a rebound DNS answer would."""
    launched = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP rebind.example 127.0.0.1"],
    )
    yield launched
    launched.close()


@pytest.mark.parametrize(
    ("server", "path"),
    [("wrike_url", "/login"), ("wrike_url", "/scim/1/v2/Users"), ("onelogin_url", "/api/2/users")],
)
def test_a_rebound_host_name_reads_nothing(
    rebinding_browser: Browser, servers: dict[str, Any], server: str, path: str
) -> None:
    port = urlsplit(servers[server]).port
    context = rebinding_browser.new_context()
    context.set_default_navigation_timeout(TIMEOUT_MS)
    try:
        response = context.new_page().goto(f"http://rebind.example:{port}{path}")
        assert response is not None
        assert response.status == 421
        assert "rebind.example" in response.text()
        assert "acme" not in response.text()  # nothing of the account leaks
    finally:
        context.close()

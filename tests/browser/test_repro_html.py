"""The HTML report of a replayed case, as a support engineer opens it from disk in chromium:
the user's timeline with the failing SCIM exchange (401) and the diagnosis with what to
change, with nothing fetched from anywhere and the bodies one click away."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, expect

from harness.cli import main
from tests.browser.conftest import TIMEOUT_MS

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_the_wrong_token_report_shows_the_failing_exchange_and_the_diagnosis(
    browser: Browser, tmp_path: Path
) -> None:
    out = tmp_path / "wrong_token.html"
    result = CliRunner().invoke(
        main, ["repro", str(ROOT / "fixtures/cases/wrong_token.yaml"), "--html", str(out)]
    )
    assert result.exit_code == 0, result.output
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    try:
        page.goto(out.as_uri())
        expect(page).to_have_title(
            "Support case: A wrong SCIM Bearer Token fails the connection test and every "
            "provisioning attempt"
        )
        user = page.locator("section.user", has=page.get_by_role("heading", name="ada@acme.com"))
        expect(user).to_have_count(1)
        # The Enable click's connection test: OneLogin's event, the request Wrike refused.
        step = user.locator("li", has_text="timeline[0] enable_api_connection")
        expect(step.locator(".box.onelogin")).to_contain_text("Provisioning exception")
        failing = step.locator(".box.scim.failed .exchange .line.failed")
        expect(failing).to_have_count(1)
        expect(failing).to_contain_text("GET /scim/1/v2/Users?filter=userName eq")
        expect(failing.locator(".status")).to_have_text("401")
        expect(step.locator(".box.state")).to_contain_text("absent")
        # The bodies are folded away; a click shows Wrike's answer.
        answer = step.locator(".exchange pre").nth(1)
        expect(answer).to_be_hidden()
        step.locator(".exchange summary").click()
        expect(answer).to_be_visible()
        expect(answer).to_contain_text("The bearer token is not a valid Wrike API token")
        # The assignment then failed at the gate without a request.
        assign = user.locator("li", has_text="timeline[1] assign")
        expect(assign.locator(".box.onelogin")).to_contain_text("User creation failed in app")
        expect(assign.locator(".box.scim")).to_have_text("SCIMNo SCIM request.")
        expect(user.locator(".diagnosis h3")).to_have_text(
            "Diagnosis: wrong_token (error: Wrike does not know the SCIM Bearer Token)"
        )
        expect(user.locator(".diagnosis .fix")).to_contain_text(
            "What to change: In Wrike, obtain a permanent token"
        )
        expect(page.locator("td.not-met")).to_have_count(0)
        expect(page.locator("td.met")).to_have_count(6)
        assert requests == [out.as_uri()]  # nothing but the file itself was loaded
    finally:
        context.close()

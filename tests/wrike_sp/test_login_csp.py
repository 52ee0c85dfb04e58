"""The login page's CSP lets "Next" reach the identity provider and nothing else off-site:
chromium applies a page's ``form-action`` to the redirects after the form's POST too, so
``form-action 'self'`` alone blocked every SP-initiated login from the login page (the
chromium test in tests/browser/test_sso.py shows it end to end)."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.wrike_sp.saml_idp import sp_with_alice
from wrike_sp.demo import DemoAccount
from wrike_sp.domain.clock import ManualClock


def form_action(client: FlaskClient, path: str) -> list[str]:
    policy = client.get(path).headers["Content-Security-Policy"]
    (directive,) = [d.strip() for d in policy.split(";") if d.strip().startswith("form-action")]
    return directive.split()[1:]


def test_the_login_page_allows_the_idps_origin_and_no_other(
    client: FlaskClient, demo: DemoAccount, clock: ManualClock
) -> None:
    assert form_action(client, "/login") == ["'self'"]  # no SSO anywhere yet
    sp_with_alice(client, demo.account_id, clock)  # SSO on, IdP at https://idp.example
    assert form_action(client, "/login") == ["'self'", "https://idp.example"]
    # Every other page keeps its forms on this site.
    assert form_action(client, "/") == ["'self'"]

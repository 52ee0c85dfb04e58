"""The login page with SSO (docs/sso.md): "enter your email, Next" sends an SSO user to the
identity provider; optional mode keeps the password (and offers "IDP Login"); enforced mode
refuses an SSO user's password with ``password_login_enforced``; members at other domains
keep their password; the throttle and the one-hash-per-attempt timing safety stay."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient

from tests.wrike_sp.saml_idp import Sp, signed_in_as, sp_with_alice
from tests.wrike_sp.test_pages import csrf_of
from wrike_sp.demo import DemoAccount
from wrike_sp.domain import signin
from wrike_sp.domain.clock import ManualClock

PARTNER = "carl@partner.example"
PARTNER_PASSWORD = "partner password 1"


@pytest.fixture
def sp(client: FlaskClient, demo: DemoAccount, clock: ManualClock) -> Sp:
    sso = sp_with_alice(client, demo.account_id, clock)
    sso.admin.post(
        f"/accounts/{demo.account_id}/members",
        {"email": PARTNER, "password": PARTNER_PASSWORD, "user_type": "Collaborator"},
    )
    return sso


def submit(client: FlaskClient, **form: Any) -> Any:
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"csrf_token": token, **form})


def mode(sp: Sp, value: str, **more: Any) -> None:
    answer = sp.admin.put(f"/accounts/{sp.account_id}/saml", {"mode": value, **more})
    assert answer.status_code == 200


@pytest.mark.parametrize("sso_mode", ["optional", "enforced"])
def test_next_sends_an_sso_user_to_the_identity_provider(sp: Sp, sso_mode: str) -> None:
    mode(sp, sso_mode)
    answer = submit(sp.client, email="Alice@acme.example", action="next", next="/users")
    assert answer.status_code == 303
    target = urlsplit(answer.headers["Location"])
    assert target.path == f"/saml/{sp.account_id}/login"
    assert parse_qs(target.query) == {"email": ["Alice@acme.example"], "next": ["/users"]}
    to_idp = sp.client.get(answer.headers["Location"])
    assert to_idp.status_code == 302
    assert to_idp.headers["Location"].startswith(sp.idp.sso_url + "?SAMLRequest=")
    assert parse_qs(urlsplit(to_idp.headers["Location"]).query)["RelayState"] == ["/users"]


def test_next_keeps_the_password_for_a_member_at_another_domain(sp: Sp) -> None:
    answer = submit(sp.client, email=PARTNER, action="next")
    assert answer.status_code == 200
    assert 'data-testid="password-step"' in answer.text
    assert "IDP Login" not in answer.text
    answer = submit(sp.client, email=PARTNER, password=PARTNER_PASSWORD)
    assert answer.status_code == 302
    assert signed_in_as(sp.client) == PARTNER


def test_next_with_sso_off_keeps_the_password(sp: Sp) -> None:
    mode(sp, "off")
    answer = submit(sp.client, email="alice@acme.example", action="next")
    assert answer.status_code == 200 and 'data-testid="password-step"' in answer.text


def test_an_unknown_email_goes_to_sso_only_with_jit(sp: Sp) -> None:
    answer = submit(sp.client, email="nina@acme.example", action="next")
    assert answer.status_code == 200
    mode(sp, "optional", jit=True)
    answer = submit(sp.client, email="nina@acme.example", action="next")
    assert answer.status_code == 303
    assert f"/saml/{sp.account_id}/login" in answer.headers["Location"]
    answer = submit(sp.client, email="nina@elsewhere.example", action="next")
    assert answer.status_code == 200


def test_optional_mode_keeps_the_password_and_offers_idp_login(sp: Sp, demo: DemoAccount) -> None:
    wrong = submit(sp.client, email=demo.admin_email, password="not it")
    assert wrong.status_code == 401
    assert "IDP Login" in wrong.text
    assert f"/saml/{sp.account_id}/login?email=" in wrong.text
    answer = submit(sp.client, email=demo.admin_email, password=demo.admin_password)
    assert answer.status_code == 302
    assert signed_in_as(sp.client) == demo.admin_email


def test_enforced_mode_refuses_an_sso_users_password(sp: Sp, demo: DemoAccount) -> None:
    mode(sp, "enforced")
    answer = submit(sp.client, email=demo.admin_email, password=demo.admin_password)
    assert answer.status_code == 403
    assert "SAML SSO is enforced for this account" in answer.text
    assert "Next" in answer.text
    assert signed_in_as(sp.client) is None
    # A collaborator at another domain is no SSO user: the password still works.
    assert submit(sp.client, email=PARTNER, password=PARTNER_PASSWORD).status_code == 302
    assert signed_in_as(sp.client) == PARTNER


def test_enforced_refusal_costs_one_password_hash_like_any_attempt(
    sp: Sp, demo: DemoAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refusal does not answer faster than a wrong password: the hash is computed."""
    mode(sp, "enforced")
    calls: list[str] = []
    real = signin.check_password

    def counted(password: str, stored: str | None) -> bool:
        calls.append(password)
        return real(password, stored)

    monkeypatch.setattr(signin, "check_password", counted)
    submit(sp.client, email=demo.admin_email, password="whatever")
    submit(sp.client, email="nobody@acme.example", password="whatever")
    assert len(calls) == 2


def test_the_throttle_still_applies(sp: Sp) -> None:
    for _ in range(5):
        assert submit(sp.client, email=PARTNER, password="wrong").status_code == 401
    answer = submit(sp.client, email=PARTNER, password=PARTNER_PASSWORD)
    assert answer.status_code == 429


def test_next_without_an_email_asks_for_it(sp: Sp) -> None:
    answer = submit(sp.client, email="", action="next")
    assert answer.status_code == 400
    assert "Enter your email" in answer.text


def test_sso_off_login_start_is_a_refusal_page(sp: Sp) -> None:
    mode(sp, "off")
    answer = sp.client.get(f"/saml/{sp.account_id}/login")
    assert answer.status_code == 403
    assert 'data-reason="sso_off"' in answer.text


def test_the_owner_exemption_follows_the_modelling_switch(
    sp: Sp, demo: DemoAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wrike_sp.domain import modelling

    mode(sp, "enforced")
    monkeypatch.setattr(modelling, "SSO_ENFORCED_EXEMPTS_OWNER", True)
    answer = submit(sp.client, email=demo.admin_email, password=demo.admin_password)
    assert answer.status_code == 302


def rival(sp: Sp, *, jit: bool = True, domain: str = "acme.example") -> tuple[int, Any]:
    """Another Enterprise account that approves ``domain`` and points SSO at its own IdP."""
    from tests.wrike_sp.saml_idp import TestIdp, configure, key_pair

    account = sp.admin.post("/accounts", {"name": "Rival", "plan": "Pinnacle"}).json
    added = sp.admin.post(f"/accounts/{account['id']}/approved-domains", {"domain": domain})
    assert added.status_code == 201
    idp = TestIdp(
        entity_id="https://rival.example/metadata",
        sso_url="https://rival.example/sso",
        keys=key_pair("rival"),
    )
    assert configure(sp.admin, account["id"], idp, jit=jit).status_code == 200
    return int(account["id"]), idp


def test_another_account_approving_the_domain_cannot_take_over_its_members(sp: Sp) -> None:
    """Modelling choice (SSO routing): a member goes only to an account where it is a member."""
    rival_id, _ = rival(sp)
    mode(sp, "off")
    for email in ("alice@acme.example", "wanda.admin@acme.example"):
        answer = submit(sp.client, email=email, action="next")
        assert answer.status_code == 200, email
        assert 'data-testid="password-step"' in answer.text
    mode(sp, "optional")
    answer = submit(sp.client, email="alice@acme.example", action="next")
    assert urlsplit(answer.headers["Location"]).path == f"/saml/{sp.account_id}/login"
    assert f"/saml/{rival_id}/" not in answer.headers["Location"]


def test_an_unknown_email_goes_to_jit_only_when_one_account_holds_the_domain(sp: Sp) -> None:
    mode(sp, "optional", jit=True)
    rival_id, _ = rival(sp, jit=True)
    for jit_here in (True, False):
        mode(sp, "optional", jit=jit_here)
        answer = submit(sp.client, email="nina@acme.example", action="next")
        assert answer.status_code == 200 and 'data-testid="password-step"' in answer.text
    # The rival's own domain, approved by it alone, still routes to its JIT.
    sp.admin.post(f"/accounts/{rival_id}/approved-domains", {"domain": "rival.example"})
    answer = submit(sp.client, email="nina@rival.example", action="next")
    assert answer.status_code == 303
    assert urlsplit(answer.headers["Location"]).path == f"/saml/{rival_id}/login"


def test_next_sends_no_non_ascii_unknown_email_to_jit(sp: Sp) -> None:
    mode(sp, "optional", jit=True)
    answer = submit(sp.client, email="\uff41lice@acme.example", action="next")
    assert answer.status_code == 200 and 'data-testid="password-step"' in answer.text

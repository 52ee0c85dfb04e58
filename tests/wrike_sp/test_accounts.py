"""Plans, approved domains, the SCIM URL, API tokens and tenant isolation."""

from __future__ import annotations

import pytest

from tests.wrike_sp.conftest import Scim
from wrike_sp.demo import seed_demo_account
from wrike_sp.domain.modelling import PLANS, SCIM_PLANS


@pytest.mark.parametrize("plan", PLANS)
def test_scim_answers_only_on_enterprise_plans(app, client, plan):
    demo = seed_demo_account(app.extensions["wrike"].accounts, plan=plan)
    response = Scim(client, demo.scim_path, demo.token).request("GET", "/Users")
    if plan in SCIM_PLANS:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        body = response.get_json()
        assert body["status"] == "403"
        assert plan in body["detail"]
        assert "Enterprise" in body["detail"]


def test_changing_the_plan_turns_scim_off_and_on(scim, admin, demo):
    assert admin.put(f"/accounts/{demo.account_id}/plan", {"plan": "Business"}).status_code == 200
    assert scim.create("ada@acme.example").status_code == 403
    assert (
        admin.put(f"/accounts/{demo.account_id}/plan", {"plan": "Legacy Enterprise"}).status_code
        == 200
    )
    assert scim.create("ada@acme.example").status_code == 201


def test_unknown_plan_is_refused_with_the_list(admin):
    response = admin.post("/accounts", {"name": "X", "plan": "Platinum"})
    assert response.status_code == 400
    assert "Enterprise Pinnacle" in response.get_json()["message"]


def test_user_from_an_unapproved_domain_is_refused_with_the_fix(scim):
    response = scim.create("bob@elsewhere.example")
    assert response.status_code == 400
    body = response.get_json()
    assert body["scimType"] == "invalidValue"
    assert "elsewhere.example" in body["detail"]
    assert "approved domain" in body["detail"]
    assert scim.find('userName eq "bob@elsewhere.example"').get_json()["totalResults"] == 0


def test_approving_the_domain_lets_the_user_in(scim, admin, demo):
    assert scim.create("bob@elsewhere.example").status_code == 400
    added = admin.post(
        f"/accounts/{demo.account_id}/approved-domains", {"domain": "Elsewhere.example"}
    )
    assert added.status_code == 201
    assert "elsewhere.example" in added.get_json()
    assert scim.create("bob@elsewhere.example").status_code == 201


def test_domain_match_is_exact_not_a_suffix(scim):
    assert scim.create("eve@evilacme.example").status_code == 400
    assert scim.create("eve@sub.acme.example").status_code == 400


def test_with_no_approved_domain_nobody_is_provisioned(scim, admin, demo):
    admin.delete(f"/accounts/{demo.account_id}/approved-domains/acme.example")
    response = scim.create("ada@acme.example")
    assert response.status_code == 400
    assert "none yet" in response.get_json()["detail"]


def test_invalid_domain_is_refused(admin, demo):
    response = admin.post(
        f"/accounts/{demo.account_id}/approved-domains", {"domain": "not a domain"}
    )
    assert response.status_code == 400


def test_scim_url_shown_only_with_the_security_right(admin, demo):
    url = admin.get(f"/accounts/{demo.account_id}/members/{demo.admin_id}/scim-url")
    assert url.status_code == 200
    assert url.get_json()["scim_url"].endswith(demo.scim_path)
    member = admin.post(
        f"/accounts/{demo.account_id}/members",
        {"email": "rita@acme.example", "password": "longenough", "role": "admin"},
    ).get_json()
    refused = admin.get(f"/accounts/{demo.account_id}/members/{member['id']}/scim-url")
    assert refused.status_code == 403
    assert "Configure advanced security settings" in refused.get_json()["message"]


def test_token_needs_the_password_and_is_shown_once(app, admin, demo, scim):
    path = f"/accounts/{demo.account_id}/api-apps/{demo.app_id}/tokens"
    wrong = admin.post(path, {"member_id": demo.admin_id, "password": "guess"})
    assert wrong.status_code == 403
    issued = admin.post(path, {"member_id": demo.admin_id, "password": demo.admin_password})
    assert issued.status_code == 201
    token = issued.get_json()["token"]
    listed = admin.get(f"/accounts/{demo.account_id}/tokens").get_json()
    assert all(token not in str(entry) for entry in listed)
    assert any(entry["hint"] == "****" + token[-4:] for entry in listed)
    stored = (
        app.extensions["wrike"].store.db.execute("SELECT token_hash FROM api_tokens").fetchall()
    )
    assert all(token not in row[0] for row in stored)
    scim.token = token
    assert scim.request("GET", "/Users").status_code == 200


def test_revoked_token_is_refused_at_once(admin, demo, scim):
    assert scim.request("GET", "/Users").status_code == 200
    assert admin.delete(f"/accounts/{demo.account_id}/tokens/{demo.token_id}").status_code == 204
    response = scim.request("GET", "/Users")
    assert response.status_code == 401
    assert "revoked" in response.get_json()["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", [None, "Basic dXNlcjpwYXNz", "Bearer wrk_not_a_real_token"])
def test_missing_or_wrong_token_gets_401_with_a_challenge(client, demo, header):
    headers = {"Authorization": header} if header else {}
    response = client.get(demo.scim_path + "/Users", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.mimetype == "application/scim+json"
    assert response.get_json()["status"] == "401"


def test_wrong_scim_url_gets_404_naming_the_fix(client, demo):
    response = client.get("/scim/999/v2/Users", headers={"Authorization": f"Bearer {demo.token}"})
    assert response.status_code == 404
    assert "SCIM URL" in response.get_json()["detail"]


def test_a_token_of_account_a_cannot_see_or_change_account_b(app, client, demo, scim):
    other = seed_demo_account(
        app.extensions["wrike"].accounts, name="Other", domain="other.example"
    )
    victim = Scim(client, other.scim_path, other.token).create("val@other.example").get_json()
    cross = Scim(client, other.scim_path, demo.token)
    assert cross.request("GET", "/Users").status_code == 401
    assert cross.request("GET", f"/Users/{victim['id']}").status_code == 401
    assert cross.request("DELETE", f"/Users/{victim['id']}").status_code == 401
    # The id of another account's user is unknown under this account's URL.
    assert scim.request("GET", f"/Users/{victim['id']}").status_code == 404
    assert scim.request("DELETE", f"/Users/{victim['id']}").status_code == 404
    assert (
        Scim(client, other.scim_path, other.token)
        .request("GET", f"/Users/{victim['id']}")
        .status_code
        == 200
    )


def test_token_stops_working_when_its_issuer_is_no_longer_admin(admin, demo, scim):
    admin.patch(f"/accounts/{demo.account_id}/members/{demo.admin_id}", {"role": "regular"})
    response = scim.request("GET", "/Users")
    assert response.status_code == 403
    assert "no longer an active account admin" in response.get_json()["detail"]


def test_admin_api_needs_the_admin_key_when_one_is_set(clock):
    from wrike_sp import WrikeConfig, create_app

    app = create_app(WrikeConfig(admin_key="s3cret", password_iterations=1000, clock=clock))
    client = app.test_client()
    assert client.get("/admin/api/v1/accounts").status_code == 401
    ok = client.get("/admin/api/v1/accounts", headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200


def test_a_deactivated_member_cannot_sign_in(app, scim, demo):
    accounts, signin = app.extensions["wrike"].accounts, app.extensions["wrike_signin"]
    member = accounts.add_member(
        demo.account_id, {"email": "rita@acme.example", "password": "longenough"}
    )
    assert signin.log_in("rita@acme.example", "longenough", "198.51.100.1") is not None
    scim.patch(member["id"], {"op": "replace", "path": "active", "value": False})
    assert signin.log_in("rita@acme.example", "longenough", "198.51.100.1") is None


@pytest.mark.parametrize("plan", ["Pinnacle", "Apex", "apex"])
def test_the_newer_plans_wrikes_scim_pages_list_include_scim(admin, plan):
    """Wrike's SCIM pages: "Availability: Pinnacle, Apex. ; Unavailability: Free, Team,
    Business"; the plan name is matched case-insensitively and stored as Wrike spells it."""
    account = admin.post("/accounts", {"name": "New", "plan": plan}).get_json()
    assert account["plan"] == plan.capitalize()
    assert account["scim_available"] is True
    moved = admin.put(f"/accounts/{account['id']}/plan", {"plan": "Team"}).get_json()
    assert moved["scim_available"] is False


def test_a_case_file_names_the_newer_plans():
    from harness.case import parse_case

    case = parse_case(
        "case: x\ndescription: x\nwrike:\n  plan: Apex\nonelogin:\n  users:\n"
        "    - email: ada@acme.com\ntimeline:\n  - action: assign\n    user: ada@acme.com\n"
        "    role: Engineering\n"
    )
    assert case.wrike.plan == "Apex"

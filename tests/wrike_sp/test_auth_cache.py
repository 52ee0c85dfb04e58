"""The provider remembers what a bearer token stands for (plan, approved domains, the token,
its issuer) between requests. Every test here first makes a request that fills that memory,
then changes one of the facts and checks that the very next request sees the change."""

from __future__ import annotations

import threading

from tests.wrike_sp.conftest import Scim
from wrike_sp import WrikeConfig, create_app
from wrike_sp.demo import seed_demo_account


def _second_admin(app, demo) -> tuple[dict, str]:
    """Another admin of the demo account, with a token of their own."""
    accounts = app.extensions["wrike"].accounts
    member = accounts.add_member(
        demo.account_id,
        {"email": "otto.admin@acme.example", "password": "another long one", "role": "admin"},
    )
    token = accounts.issue_token(demo.account_id, demo.app_id, member["id"], "another long one")
    return member, token["token"]


def test_a_plan_change_is_seen_by_the_next_request(scim, admin, demo):
    assert scim.request("GET", "/Users").status_code == 200
    admin.put(f"/accounts/{demo.account_id}/plan", {"plan": "Business"})
    refused = scim.request("GET", "/Users")
    assert refused.status_code == 403
    assert "Business" in refused.get_json()["detail"]


def test_a_removed_domain_is_seen_by_the_next_create(scim, admin, demo):
    assert scim.create("ada@acme.example").status_code == 201
    admin.delete(f"/accounts/{demo.account_id}/approved-domains/acme.example")
    refused = scim.create("bob@acme.example")
    assert refused.status_code == 400
    assert "none yet" in refused.get_json()["detail"]


def test_an_added_domain_is_seen_by_the_next_create(scim, admin, demo):
    assert scim.create("bob@elsewhere.example").status_code == 400
    admin.post(f"/accounts/{demo.account_id}/approved-domains", {"domain": "elsewhere.example"})
    assert scim.create("bob@elsewhere.example").status_code == 201


def test_a_demoted_issuer_is_seen_by_the_next_request(scim, admin, demo):
    assert scim.request("GET", "/Users").status_code == 200
    admin.patch(f"/accounts/{demo.account_id}/members/{demo.admin_id}", {"role": "regular"})
    assert scim.request("GET", "/Users").status_code == 403


def test_an_issuer_deactivated_over_scim_loses_their_token_at_once(app, client, scim, demo):
    member, token = _second_admin(app, demo)
    theirs = Scim(client, demo.scim_path, token)
    assert theirs.request("GET", "/Users").status_code == 200
    deactivated = scim.patch(member["id"], {"op": "replace", "path": "active", "value": False})
    assert deactivated.status_code == 200
    refused = theirs.request("GET", "/Users")
    assert refused.status_code == 403
    assert "no longer an active account admin" in refused.get_json()["detail"]


def test_an_issuer_deleted_over_scim_loses_their_token_at_once(app, client, scim, demo):
    member, token = _second_admin(app, demo)
    theirs = Scim(client, demo.scim_path, token)
    assert theirs.request("GET", "/Users").status_code == 200
    assert scim.request("DELETE", f"/Users/{member['id']}").status_code == 204
    assert theirs.request("GET", "/Users").status_code == 403


def test_a_write_that_fails_leaves_the_remembered_facts_right(app, client, scim, demo):
    """A rolled-back change of an issuer must not leave the token refused (or accepted)."""
    member, token = _second_admin(app, demo)
    theirs = Scim(client, demo.scim_path, token)
    assert theirs.request("GET", "/Users").status_code == 200
    clash = scim.patch(
        member["id"], {"op": "replace", "path": "userName", "value": demo.admin_email}
    )
    assert clash.status_code == 409
    assert theirs.request("GET", "/Users").status_code == 200


def test_a_reset_forgets_every_token(app, client, scim, demo):
    assert scim.request("GET", "/Users").status_code == 200
    assert client.post("/harness/api/reset").status_code == 204
    assert scim.request("GET", "/Users").status_code == 404


def test_revocation_under_concurrent_requests_holds_for_every_later_request(tmp_path):
    """Four threads keep asking with a token while it is revoked: every request that starts
    after the revocation has returned is refused, in every thread (a file database, so that
    each thread has its own connection, as under a WSGI server)."""
    app = create_app(WrikeConfig(database=str(tmp_path / "w.sqlite3"), password_iterations=1000))
    demo = seed_demo_account(app.extensions["wrike"].accounts)
    revoked = threading.Event()
    warmed = threading.Barrier(5)
    late: list[int] = []
    errors: list[BaseException] = []

    def ask() -> None:
        client = Scim(app.test_client(), demo.scim_path, demo.token)
        try:
            assert client.request("GET", "/Users?count=1").status_code == 200
            warmed.wait(timeout=30)
            for _ in range(200):
                after = revoked.is_set()
                status = client.request("GET", "/Users?count=1").status_code
                if after:
                    late.append(status)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    warmed.wait(timeout=30)
    app.extensions["wrike"].accounts.revoke_token(demo.account_id, demo.token_id)
    revoked.set()
    for thread in threads:
        thread.join()
    app.extensions["wrike"].store.close()
    assert not errors
    assert late, "no request started after the revocation"
    assert set(late) == {401}

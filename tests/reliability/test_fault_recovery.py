"""With the provider failing a share of its requests (5xx, 429 with Retry-After, connections
dropped before or after the work is done), a 1,000-user provisioning run ends, after the
engine's automatic retries, with Wrike holding exactly the users OneLogin intends, and
every failure logged once with its details."""

from __future__ import annotations

from collections import Counter

import pytest

from mock_onelogin import FixedClock, OneLoginAccount, OneLoginConfig, wsgi_session
from wrike_sp import WrikeConfig
from wrike_sp import create_app as create_wrike
from wrike_sp.demo import seed_demo_account

WRIKE_HOST = "http://wrike.test"
USERS = 1000
FAULTS = [
    {"kind": "status", "status": 503, "share": 0.08},
    {"kind": "status", "status": 500, "share": 0.03},
    {"kind": "status", "status": 429, "share": 0.05, "retry_after": 7},
    {"kind": "drop", "share": 0.04},
    {"kind": "lost_response", "share": 0.04},
]
# Event ids of OneLogin's System Log (mock_onelogin/domain/events.py lists them).
CREATED, LINKED, CREATION_FAILED = 51, 59, 64


@pytest.mark.slow
def test_a_faulty_provider_ends_with_the_intended_state_after_retries() -> None:
    wrike = create_wrike(
        WrikeConfig(
            harness_enabled=True,
            journal_size=100_000,
            password_iterations=1000,
            allowed_hosts=("wrike.test",),
        )
    )
    demo = seed_demo_account(wrike.extensions["wrike"].accounts)
    clock = FixedClock()
    onelogin = OneLoginAccount(
        OneLoginConfig(drain_mode="manual"),
        clock=clock,
        session_factory=lambda base: wsgi_session(wrike, WRIKE_HOST),
    )
    app_id = onelogin.apps.wrike_app_id()
    onelogin.apps.configure_connector(
        app_id, {"scim_base_url": WRIKE_HOST + demo.scim_path, "scim_bearer_token": demo.token}
    )
    assert onelogin.apps.enable_api_connection(app_id).api_status == "Enabled"
    onelogin.apps.set_provisioning(
        app_id,
        {
            "enabled": True,
            "require_approval": {"create_user": False, "update_user": False, "delete_user": False},
            "retry_policy": {"max_attempts": 20, "base_delay_s": 1, "max_delay_s": 30},
        },
    )
    role = onelogin.directory.create_role({"name": "Everyone", "apps": [app_id]})
    emails = [f"user{i:04d}@{demo.domain}" for i in range(USERS)]
    user_ids = [
        onelogin.directory.create_user(
            {"email": e, "username": e, "firstname": "F", "lastname": f"L{i}"}
        )["id"]
        for i, e in enumerate(emails)
    ]
    admin = wrike.test_client()
    for fault in FAULTS:
        assert admin.post("/harness/api/faults", json=fault).status_code == 201
    onelogin.directory.add_role_users(role, user_ids)

    for _ in range(200):
        onelogin.drain()
        if not onelogin.approvals.list_tasks(app_id, "queued"):
            break
        clock.advance(30)
    assert not onelogin.approvals.list_tasks(app_id, "queued,failed"), "tasks left after retries"

    # Wrike holds exactly the intended users, once each, active.
    admin.delete("/harness/api/faults")
    resources = []
    for start in (1, 1001):
        page = admin.get(
            f"{demo.scim_path}/Users",
            query_string={"count": 1000, "startIndex": start},
            headers={"Authorization": f"Bearer {demo.token}"},
        ).get_json()
        resources += page["Resources"]
    provisioned = Counter(u["userName"] for u in resources if u["active"])
    assert provisioned == Counter([*emails, demo.admin_email])
    states = Counter(
        app.login.provisioning_state
        for uid in user_ids
        for app in onelogin.directory.user_apps(uid)
    )
    assert states == {"provisioned": USERS}

    # Every faulted request was seen by the engine as exactly one failed attempt, logged once.
    journal = admin.get("/harness/api/journal").get_json()
    faulted = [e for e in journal if e["fault"] is not None]
    assert len(faulted) > 100, "the faults did not fire"
    failures = onelogin.system_log.events(
        event_type_ids=[CREATION_FAILED], app_id=app_id, limit=100_000
    )
    assert len(failures) == len(faulted)
    assert all(f.error_description for f in failures)
    kinds = Counter(e["fault"] if e["fault"] != "status" else str(e["status"]) for e in faulted)
    print(
        f"requests={len(journal)} faults={len(faulted)} {dict(kinds)} "
        f"failure events={len(failures)}"
    )
    assert set(kinds) == {"503", "500", "429", "drop", "lost_response"}
    done = onelogin.system_log.events(
        event_type_ids=[CREATED, LINKED], app_id=app_id, limit=100_000
    )
    assert Counter(e.user_id for e in done) == Counter(user_ids)


@pytest.mark.slow
def test_timeouts_over_real_http_end_in_the_intended_state() -> None:
    """Over real HTTP the engine gives up on answers slower than its timeout; the provider
    still finishes that work, so a retry must find and link what the lost call created."""
    import time

    from tests.live import serving

    wrike = create_wrike(
        WrikeConfig(harness_enabled=True, password_iterations=1000, allowed_hosts=("wrike.test",))
    )
    demo = seed_demo_account(wrike.extensions["wrike"].accounts)
    admin = wrike.test_client()
    clock = FixedClock()
    with serving(wrike) as base:
        onelogin = OneLoginAccount(
            OneLoginConfig(drain_mode="manual", scim_timeout_s=0.3), clock=clock
        )
        app_id = onelogin.apps.wrike_app_id()
        onelogin.apps.configure_connector(
            app_id, {"scim_base_url": base + demo.scim_path, "scim_bearer_token": demo.token}
        )
        assert onelogin.apps.enable_api_connection(app_id).api_status == "Enabled"
        onelogin.apps.set_provisioning(
            app_id,
            {
                "enabled": True,
                "require_approval": {
                    "create_user": False,
                    "update_user": False,
                    "delete_user": False,
                },
                "retry_policy": {"max_attempts": 20, "base_delay_s": 1, "max_delay_s": 30},
            },
        )
        role = onelogin.directory.create_role({"name": "Everyone", "apps": [app_id]})
        emails = [f"slow{i:02d}@{demo.domain}" for i in range(40)]
        user_ids = [
            onelogin.directory.create_user({"email": e, "username": e})["id"] for e in emails
        ]
        for fault in (
            {"kind": "latency", "latency_ms": 700, "share": 0.2},
            {"kind": "status", "status": 503, "share": 0.1},
        ):
            assert admin.post("/harness/api/faults", json=fault).status_code == 201
        onelogin.directory.add_role_users(role, user_ids)
        for _ in range(100):
            onelogin.drain()
            if not onelogin.approvals.list_tasks(app_id, "queued"):
                break
            clock.advance(30)
        time.sleep(1)  # the provider finishes the calls the engine gave up on
    admin.delete("/harness/api/faults")
    assert not onelogin.approvals.list_tasks(app_id, "queued,failed")
    listed = admin.get(
        f"{demo.scim_path}/Users",
        query_string={"count": 1000},
        headers={"Authorization": f"Bearer {demo.token}"},
    ).get_json()
    assert Counter(u["userName"] for u in listed["Resources"]) == Counter(
        [*emails, demo.admin_email]
    )
    journal = admin.get("/harness/api/journal").get_json()
    timeouts = [e for e in journal if e["fault"] == "latency"]
    faulted = [e for e in journal if e["fault"] is not None]
    assert timeouts, "no call timed out"
    failures = onelogin.system_log.events(
        event_type_ids=[CREATION_FAILED], app_id=app_id, limit=10_000
    )
    assert len(failures) == len(faulted)
    # A timeout is logged in OneLogin's own wording; the client's detail stays in the notes.
    timed_out = "The connection timed out while provisioning to "
    assert sum(timed_out in (f.error_description or "") for f in failures) == len(timeouts)
    assert all(
        "Timeout after" in (f.notes or "") for f in failures if timed_out in f.error_description
    )

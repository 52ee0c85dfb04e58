"""The provisioning worker and admin actions running at the same time lose no task: every
user assigned while the worker drains ends up in Wrike, once."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

from mock_onelogin import OneLoginAccount, OneLoginConfig, wsgi_session
from mock_onelogin.worker import DrainWorker
from wrike_sp import WrikeConfig
from wrike_sp import create_app as create_wrike
from wrike_sp.demo import seed_demo_account

WRIKE_HOST = "http://wrike.test"
ADMINS, USERS_EACH = 4, 40


def test_worker_and_admin_actions_together_lose_no_task(tmp_path: Path) -> None:
    wrike = create_wrike(WrikeConfig(password_iterations=1000, allowed_hosts=("wrike.test",)))
    demo = seed_demo_account(wrike.extensions["wrike"].accounts)
    account = OneLoginAccount(
        OneLoginConfig(
            database=str(tmp_path / "onelogin.sqlite3"), drain_mode="worker", worker_poll_s=0.01
        ),
        session_factory=lambda base: wsgi_session(wrike, WRIKE_HOST),
    )
    app_id = account.apps.wrike_app_id()
    account.apps.configure_connector(
        app_id, {"scim_base_url": WRIKE_HOST + demo.scim_path, "scim_bearer_token": demo.token}
    )
    account.apps.enable_api_connection(app_id)
    account.apps.set_provisioning(
        app_id,
        {
            "enabled": True,
            "require_approval": {"create_user": False, "update_user": False, "delete_user": False},
        },
    )
    role = account.directory.create_role({"name": "Wrike users", "apps": [app_id]})
    worker = DrainWorker(account, 0.01)
    worker.start()
    errors: list[BaseException] = []

    def admin(index: int) -> None:
        try:
            for i in range(USERS_EACH):
                email = f"a{index}u{i}@{demo.domain}"
                user = account.directory.create_user({"email": email, "username": email})
                if i % 2:
                    account.directory.add_role_users(role, [user["id"]])
                else:
                    account.directory.add_login(user["id"], app_id)
                if i % 5 == 0:
                    account.directory.update_user(user["id"], {"title": f"Title {i}"})
        except BaseException as error:  # reported below, with the thread's name
            errors.append(error)

    threads = [threading.Thread(target=admin, args=(n,)) for n in range(ADMINS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    deadline = time.monotonic() + 60
    while account.approvals.list_tasks(app_id, "queued,running") and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.stop()
    assert not errors, errors
    assert not account.approvals.list_tasks(app_id, "queued,running,failed")

    client = wrike.test_client()
    listed = client.get(
        f"{demo.scim_path}/Users",
        query_string={"count": 1000},
        headers={"Authorization": f"Bearer {demo.token}"},
    ).get_json()
    in_wrike = Counter(u["userName"] for u in listed["Resources"])
    expected = [f"a{n}u{i}@{demo.domain}" for n in range(ADMINS) for i in range(USERS_EACH)]
    assert in_wrike == Counter([*expected, demo.admin_email])
    titled = {u["userName"]: u.get("title") for u in listed["Resources"]}
    for n in range(ADMINS):
        for i in range(0, USERS_EACH, 5):
            assert titled[f"a{n}u{i}@{demo.domain}"] == f"Title {i}"

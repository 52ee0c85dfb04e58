"""Concurrent clients over real HTTP: nothing lost, nothing duplicated, versions consistent."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.live import serving
from wrike_sp import WrikeConfig, create_app
from wrike_sp.demo import DemoAccount, seed_demo_account

PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, DemoAccount]]:
    app = create_app(
        WrikeConfig(database=str(tmp_path / "wrike.sqlite3"), password_iterations=1000)
    )
    demo = seed_demo_account(app.extensions["wrike"].accounts)
    with serving(app) as base:
        yield base + demo.scim_path, demo
    app.extensions["wrike"].store.close()


def _run_together(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def runner(index: int) -> None:
        session = requests.Session()
        barrier.wait()
        results[index] = work(index, session)

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_eight_clients_creating_overlapping_names_leave_one_user_per_name(live):
    base, demo = live
    headers = {"Authorization": f"Bearer {demo.token}"}
    names = [f"user{i}@acme.example" for i in range(10)]

    def create_all(index: int, session: requests.Session) -> list[int]:
        statuses = []
        for name in names[index % 3 :] + names[: index % 3]:
            # Case varies between clients: uniqueness is case-insensitive.
            spelled = name.upper() if index % 2 else name
            response = session.post(f"{base}/Users", json={"userName": spelled}, headers=headers)
            statuses.append(response.status_code)
        return statuses

    results = _run_together(8, create_all)
    counts = Counter(status for statuses in results for status in statuses)
    assert counts == {201: len(names), 409: 7 * len(names)}
    listed = requests.get(f"{base}/Users", params={"count": 100}, headers=headers).json()
    user_names = sorted(u["userName"].lower() for u in listed["Resources"])
    assert user_names == sorted([*names, demo.admin_email])


def test_parallel_updates_of_one_user_keep_a_consistent_version(live):
    base, demo = live
    headers = {"Authorization": f"Bearer {demo.token}"}
    user = requests.post(
        f"{base}/Users", json={"userName": "ada@acme.example"}, headers=headers
    ).json()

    def update(index: int, session: requests.Session) -> list[str]:
        versions = []
        for round_ in range(5):
            body = {
                "schemas": [PATCH_OP],
                "Operations": [{"op": "replace", "path": "title", "value": f"t{index}-{round_}"}],
            }
            response = session.patch(f"{base}/Users/{user['id']}", json=body, headers=headers)
            assert response.status_code == 200, response.text
            versions.append(response.json()["meta"]["version"])
        return versions

    results = _run_together(8, update)
    seen = [v for versions in results for v in versions]
    # Every update got its own version: no two writers saw the same one.
    assert len(set(seen)) == 40
    final = requests.get(f"{base}/Users/{user['id']}", headers=headers).json()
    assert final["meta"]["version"] == 'W/"41"'
    assert final["title"] in {f"t{i}-4" for i in range(8)}

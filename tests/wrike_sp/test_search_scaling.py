"""A lookup by email (how Wrike documents its search) costs the same however many users the
account holds. Measured without a clock: SQLite's progress handler counts the virtual
machine steps a request makes, a figure that does not depend on the machine's load."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.wrike_sp.conftest import Scim
from wrike_sp import WrikeConfig, create_app
from wrike_sp.demo import seed_demo_account

SMALL, LARGE = 30, 600

LOOKUPS = [
    'userName eq "{email}"',
    'emails.value eq "{email}"',
    'emails eq "{email}"',
    'emails[type eq "work"].value eq "{email}"',
    'emails[type eq "work" and value eq "{email}"]',
    'emails.value eq "{email}" and userName pr',
    'userName eq "nobody@acme.example" or emails.value eq "{email}"',
]


class Provider:
    """A provider on a database file, its demo account and a SCIM client; ``again`` opens
    the file of a stopped one, as a restart does."""

    def __init__(self, database: Path, again: Provider | None = None) -> None:
        self.app = create_app(WrikeConfig(database=str(database), password_iterations=1000))
        runtime = self.app.extensions["wrike"]
        self.store = runtime.store
        self.users = runtime.scim_users
        if again is None:
            demo = seed_demo_account(runtime.accounts)
            base, token, self.count = demo.scim_path, demo.token, 0
        else:
            base, token, self.count = again.scim.base, again.scim.token, again.count
        self.scim = Scim(self.app.test_client(), base, token)
        self.grant = self.users.authenticate(int(base.split("/")[2]), f"Bearer {token}")

    def grow_to(self, count: int) -> None:
        with self.store.transaction():
            for n in range(self.count, count):
                email = f"user{n:05d}@acme.example"
                self.users.create(
                    self.grant,
                    {"userName": email, "emails": [{"value": email, "type": "work"}]},
                )
        self.count = count

    @contextmanager
    def counting(self) -> Iterator[list[int]]:
        steps = [0]

        def tick() -> int:
            steps[0] += 1
            return 0

        self.store.db.set_progress_handler(tick, 50)
        try:
            yield steps
        finally:
            self.store.db.set_progress_handler(None, 50)

    def work(self, filter_template: str) -> int:
        """The SQLite steps of one lookup, after checking that it finds the right user."""
        email = f"user{self.count // 2:05d}@acme.example"
        with self.counting() as steps:
            answer = self.scim.find(filter_template.format(email=email))
        assert answer.status_code == 200, answer.get_json()
        found = answer.get_json()["Resources"]
        assert [u["userName"] for u in found] == [email]
        return steps[0]


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[Provider]:
    running = Provider(tmp_path / "wrike.sqlite3")
    yield running
    running.store.close()


@pytest.mark.parametrize("lookup", LOOKUPS)
def test_a_lookup_does_not_read_every_user_of_the_account(provider, lookup):
    provider.grow_to(SMALL)
    small = provider.work(lookup)
    provider.grow_to(LARGE)
    large = provider.work(lookup)
    # 20 times the users; a lookup that walked them would take 20 times the steps.
    assert large <= small * 1.5 + 5, (small, large)


def test_a_file_from_an_earlier_version_is_looked_up_through_the_index(tmp_path):
    first = Provider(tmp_path / "wrike.sqlite3")
    first.grow_to(SMALL)
    small = first.work(LOOKUPS[1])
    first.grow_to(LARGE)
    first.store.close()
    # Earlier versions wrote no planner statistics.
    with sqlite3.connect(tmp_path / "wrike.sqlite3") as db:
        db.execute("DROP TABLE sqlite_stat1")
    again = Provider(tmp_path / "wrike.sqlite3", again=first)
    try:
        assert again.work(LOOKUPS[1]) <= small * 1.5 + 5
    finally:
        again.store.close()

"""One SQLite database, one transaction per operation.

A single connection guarded by a lock serves every thread: the live server's request threads
and the background worker. SQLite serialises writers anyway, and one connection keeps an
in-memory database (a fresh one per test) visible to all of them.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mock_onelogin.store._sealing import SecretBox
from mock_onelogin.store.schema import SCHEMA
from webguard.files import private_database

#: SQLite accepts at most 999 bound parameters in old builds; lists of ids go in chunks.
CHUNK = 900

TABLES = (
    "users",
    "roles",
    "role_apps",
    "role_users",
    "role_admins",
    "apps",
    "direct_logins",
    "logins",
    "tasks",
    "events",
    "log_totals",
    "api_clients",
    "tokens",
    "mappings",
    "mapped_roles",
    "saml_settings",
    "saml_certificates",
    "user_passwords",
)

_last_columns: tuple[Any, tuple[str, ...]] = ((), ())


def _row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    """Rows as dicts. The column names are worked out once per result set (the cursor keeps
    one description object for all its rows), not once per row: bulk reads of 10,000 users
    or tasks are on the provisioning hot path."""
    global _last_columns
    description = cursor.description
    cached, names = _last_columns
    if cached is not description:
        names = tuple(col[0] for col in description)
        _last_columns = (description, names)
    return dict(zip(names, row, strict=True))


def marks(count: int) -> str:
    """``?, ?, ?`` for an IN list of ``count`` values."""
    return ", ".join("?" * count)


def chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    items = list(ids)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class Database:
    """The connection and its transactions; the entity stores build on it."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            private_database(self.path)
        #: Seals the secrets the simulator sends again (see ``_sealing``).
        self.box = SecretBox.for_database(self.path)
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = _row
        self._lock = threading.RLock()
        self._depth = 0
        with self._lock:
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(SCHEMA)

    @property
    def total_changes(self) -> int:
        """Rows written since the store opened: lets a test prove a refused call wrote
        nothing."""
        with self._lock:
            return self._conn.total_changes

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction; nested calls join the outer one so an operation stays atomic."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A part of the current transaction that can fail alone: on an error only what was
        written inside it is undone, and the error goes on to the caller."""
        with self._lock:
            if not self._depth:
                raise RuntimeError("a savepoint belongs inside a transaction")
            self._conn.execute("SAVEPOINT part")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK TO part")
                self._conn.execute("RELEASE part")
                raise
            else:
                self._conn.execute("RELEASE part")

    def reset(self) -> None:
        """Forget every row (a fresh account)."""
        with self.transaction():
            for table in TABLES:
                self._conn.execute(f"DELETE FROM {table}")
            self._conn.execute("DELETE FROM sqlite_sequence")

    def table_rows(self, table: str) -> list[dict[str, Any]]:
        """Every stored row of one table as it is at rest: for an audit that no secret is kept
        in the clear, and for tests that prove a refused request wrote nothing."""
        if table not in TABLES:
            raise ValueError(f"no table {table!r}; the tables are {', '.join(TABLES)}")
        return self._all(f"SELECT * FROM {table}")

    # the statements, for the entity stores ----------------------------------------------------
    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def _first(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        with self._lock:
            row: dict[str, Any] | None = self._conn.execute(sql, params).fetchone()
            return row

    def _write(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        with self.transaction():
            return self._conn.execute(sql, params)

    def _write_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        """Rows changed by one statement run once per parameter row."""
        with self.transaction():
            return self._conn.executemany(sql, rows).rowcount

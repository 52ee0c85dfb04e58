"""The repository behind the simulator: one SQLite database, one transaction per operation.

A single connection guarded by a lock serves every thread: the live server's request threads
and the background worker. SQLite serialises writers anyway, and one connection keeps an
in-memory database (a fresh one per test) visible to all of them.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mock_onelogin.store.schema import SCHEMA

USER_COLUMNS = (
    "username",
    "email",
    "firstname",
    "lastname",
    "title",
    "department",
    "company",
    "comment",
    "phone",
    "samaccountname",
    "member_of",
    "userprincipalname",
    "distinguished_name",
    "external_id",
    "manager_ad_id",
    "preferred_locale_code",
    "state",
    "status",
    "group_id",
    "directory_id",
    "trusted_idp_id",
    "manager_user_id",
    "custom_attributes",
    "password_set",
    "activated_at",
    "password_changed_at",
)
EVENT_COLUMNS = (
    "event_type_id",
    "created_at",
    "created_ts",
    "user_id",
    "user_name",
    "app_id",
    "app_name",
    "role_id",
    "role_name",
    "actor_user_id",
    "actor_user_name",
    "actor_system",
    "client_id",
    "error_description",
    "notes",
    "custom_message",
    "scim",
)
_EVENT_INSERT = (
    f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES "
    f"({', '.join('?' for _ in EVENT_COLUMNS)})"
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


class OneLoginStore:
    """The repository: small, explicit queries; callers group them with ``transaction()``."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
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
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction; nested calls join the outer one so an operation stays atomic."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._conn
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        with self._lock:
            return self._conn.execute(sql, params).fetchone()

    def reset(self) -> None:
        with self.transaction() as conn:
            for table in (
                "users",
                "roles",
                "role_apps",
                "role_users",
                "apps",
                "direct_logins",
                "logins",
                "tasks",
                "events",
                "api_clients",
                "tokens",
            ):
                conn.execute(f"DELETE FROM {table}")
            conn.execute("DELETE FROM sqlite_sequence")

    # users ----------------------------------------------------------------------------------
    def insert_user(self, fields: dict[str, Any], now: str) -> int:
        data = {k: v for k, v in fields.items() if k in USER_COLUMNS}
        data["custom_attributes"] = json.dumps(data.get("custom_attributes") or {})
        cols = [*data, "created_at", "updated_at"]
        with self.transaction() as conn:
            cur = conn.execute(
                f"INSERT INTO users ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
                [*data.values(), now, now],
            )
            return int(cur.lastrowid or 0)

    def update_user(self, user_id: int, fields: dict[str, Any], now: str) -> None:
        data = {k: v for k, v in fields.items() if k in USER_COLUMNS}
        if "custom_attributes" in data:
            data["custom_attributes"] = json.dumps(data["custom_attributes"] or {})
        data["updated_at"] = now
        with self.transaction() as conn:
            conn.execute(
                f"UPDATE users SET {', '.join(f'{k} = ?' for k in data)} WHERE id = ?",
                [*data.values(), user_id],
            )

    def soft_delete_user(self, user_id: int, now: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE users SET deleted_at = ?, updated_at = ? WHERE id = ?", (now, now, user_id)
            )
            conn.execute("DELETE FROM role_users WHERE user_id = ?", (user_id,))
            conn.execute("DELETE FROM direct_logins WHERE user_id = ?", (user_id,))

    def get_user(self, user_id: int, *, include_deleted: bool = False) -> dict[str, Any] | None:
        row = self.one("SELECT * FROM users WHERE id = ?", (user_id,))
        if row is None or (row["deleted_at"] and not include_deleted):
            return None
        return row

    def users_by_ids(self, user_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        ids = list(user_ids)
        out: dict[int, dict[str, Any]] = {}
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            rows = self.query(
                f"SELECT * FROM users WHERE id IN ({', '.join('?' * len(chunk))})", chunk
            )
            out.update({r["id"]: r for r in rows})
        return out

    def find_user_by(self, column: str, value: str) -> dict[str, Any] | None:
        assert column in ("username", "email")
        return self.one(
            f"SELECT * FROM users WHERE deleted_at IS NULL AND lower({column}) = lower(?)", (value,)
        )

    def list_users(
        self, where: list[str], params: list[Any], order: str, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        clause = " AND ".join(["deleted_at IS NULL", *where])
        total = self.one(f"SELECT count(*) AS n FROM users WHERE {clause}", params)
        rows = self.query(
            f"SELECT * FROM users WHERE {clause} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return rows, int(total["n"] if total else 0)

    def user_role_ids(self, user_id: int) -> list[int]:
        return [
            r["role_id"]
            for r in self.query(
                "SELECT role_id FROM role_users WHERE user_id = ? ORDER BY role_id", (user_id,)
            )
        ]

    def role_ids_by_user(self, user_ids: Sequence[int]) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {uid: [] for uid in user_ids}
        for start in range(0, len(user_ids), 900):
            chunk = list(user_ids[start : start + 900])
            for r in self.query(
                f"SELECT user_id, role_id FROM role_users WHERE user_id IN "
                f"({', '.join('?' * len(chunk))}) ORDER BY role_id",
                chunk,
            ):
                out[r["user_id"]].append(r["role_id"])
        return out

    # roles ----------------------------------------------------------------------------------
    def insert_role(self, name: str, now: str) -> int:
        with self.transaction() as conn:
            cur = conn.execute("INSERT INTO roles (name, created_at) VALUES (?, ?)", (name, now))
            return int(cur.lastrowid or 0)

    def get_role(self, role_id: int) -> dict[str, Any] | None:
        return self.one("SELECT * FROM roles WHERE id = ?", (role_id,))

    def list_roles(self) -> list[dict[str, Any]]:
        return self.query("SELECT * FROM roles ORDER BY id")

    def rename_role(self, role_id: int, name: str) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE roles SET name = ? WHERE id = ?", (name, role_id))

    def delete_role(self, role_id: int) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM roles WHERE id = ?", (role_id,))
            conn.execute("DELETE FROM role_apps WHERE role_id = ?", (role_id,))
            conn.execute("DELETE FROM role_users WHERE role_id = ?", (role_id,))

    def role_app_ids(self, role_id: int) -> list[int]:
        return [
            r["app_id"]
            for r in self.query(
                "SELECT app_id FROM role_apps WHERE role_id = ? ORDER BY app_id", (role_id,)
            )
        ]

    def role_user_ids(self, role_id: int) -> list[int]:
        return [
            r["user_id"]
            for r in self.query(
                "SELECT user_id FROM role_users WHERE role_id = ? ORDER BY user_id", (role_id,)
            )
        ]

    def set_role_apps(self, role_id: int, app_ids: Sequence[int]) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM role_apps WHERE role_id = ?", (role_id,))
            conn.executemany(
                "INSERT INTO role_apps (role_id, app_id) VALUES (?, ?)",
                [(role_id, a) for a in app_ids],
            )

    def add_role_users(self, role_id: int, user_ids: Sequence[int]) -> None:
        with self.transaction() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO role_users (role_id, user_id) VALUES (?, ?)",
                [(role_id, u) for u in user_ids],
            )

    def remove_role_users(self, role_id: int, user_ids: Sequence[int]) -> None:
        with self.transaction() as conn:
            conn.executemany(
                "DELETE FROM role_users WHERE role_id = ? AND user_id = ?",
                [(role_id, u) for u in user_ids],
            )

    # apps -----------------------------------------------------------------------------------
    def insert_app(
        self, name: str, connector_id: int, connector: str, provisioning: str, now: str
    ) -> int:
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO apps (name, connector_id, connector, provisioning, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (name, connector_id, connector, provisioning, now, now),
            )
            return int(cur.lastrowid or 0)

    def get_app(self, app_id: int) -> dict[str, Any] | None:
        return self.one("SELECT * FROM apps WHERE id = ?", (app_id,))

    def list_apps(self) -> list[dict[str, Any]]:
        return self.query("SELECT * FROM apps ORDER BY id")

    def update_app(self, app_id: int, column: str, value: str, now: str) -> None:
        assert column in ("connector", "provisioning")
        with self.transaction() as conn:
            conn.execute(
                f"UPDATE apps SET {column} = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                (value, now, app_id),
            )

    def app_role_ids(self, app_id: int) -> list[int]:
        return [
            r["role_id"]
            for r in self.query(
                "SELECT role_id FROM role_apps WHERE app_id = ? ORDER BY role_id", (app_id,)
            )
        ]

    # entitlement ----------------------------------------------------------------------------
    def entitled_user_ids(self, app_id: int) -> set[int]:
        """Users with access to the app: through a role holding it, or a direct login."""
        rows = self.query(
            "SELECT ru.user_id AS uid FROM role_users ru JOIN role_apps ra "
            "ON ra.role_id = ru.role_id WHERE ra.app_id = ? "
            "UNION SELECT user_id AS uid FROM direct_logins WHERE app_id = ?",
            (app_id, app_id),
        )
        return {r["uid"] for r in rows}

    def entitled_among(self, app_id: int, user_ids: Sequence[int]) -> set[int]:
        """Which of these users have access to the app; for a handful of users this avoids
        reading the app's whole membership."""
        if len(user_ids) > 500:
            return self.entitled_user_ids(app_id) & set(user_ids)
        marks = ", ".join("?" * len(user_ids))
        rows = self.query(
            f"SELECT ru.user_id AS uid FROM role_users ru JOIN role_apps ra "
            f"ON ra.role_id = ru.role_id WHERE ra.app_id = ? AND ru.user_id IN ({marks}) "
            f"UNION SELECT user_id AS uid FROM direct_logins WHERE app_id = ? "
            f"AND user_id IN ({marks})",
            (app_id, *user_ids, app_id, *user_ids),
        )
        return {r["uid"] for r in rows}

    def entitled_app_ids(self, user_id: int) -> set[int]:
        rows = self.query(
            "SELECT ra.app_id AS aid FROM role_users ru JOIN role_apps ra "
            "ON ra.role_id = ru.role_id WHERE ru.user_id = ? "
            "UNION SELECT app_id AS aid FROM direct_logins WHERE user_id = ?",
            (user_id, user_id),
        )
        return {r["aid"] for r in rows}

    def add_direct_login(self, user_id: int, app_id: int) -> bool:
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT OR IGNORE INTO direct_logins VALUES (?, ?)", (user_id, app_id)
            )
            return cur.rowcount > 0

    def remove_direct_login(self, user_id: int, app_id: int) -> bool:
        with self.transaction() as conn:
            cur = conn.execute(
                "DELETE FROM direct_logins WHERE user_id = ? AND app_id = ?", (user_id, app_id)
            )
            return cur.rowcount > 0

    # logins ---------------------------------------------------------------------------------
    def logins_for_app(
        self, app_id: int, user_ids: Sequence[int] | None = None
    ) -> dict[int, dict[str, Any]]:
        if user_ids is None:
            rows = self.query("SELECT * FROM logins WHERE app_id = ?", (app_id,))
            return {r["user_id"]: r for r in rows}
        out: dict[int, dict[str, Any]] = {}
        ids = list(user_ids)
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            rows = self.query(
                f"SELECT * FROM logins WHERE app_id = ? AND user_id IN "
                f"({', '.join('?' * len(chunk))})",
                [app_id, *chunk],
            )
            out.update({r["user_id"]: r for r in rows})
        return out

    def logins_for_user(self, user_id: int) -> list[dict[str, Any]]:
        return self.query("SELECT * FROM logins WHERE user_id = ? ORDER BY app_id", (user_id,))

    def open_tasks_for_app(
        self, app_id: int, user_ids: Sequence[int] | None = None
    ) -> dict[int, dict[str, Any]]:
        """The newest open task per user (pending approval, queued, running or failed)."""
        sql = (
            "SELECT * FROM tasks WHERE app_id = ? AND state IN "
            "('pending_approval', 'queued', 'failed', 'running')"
        )
        if user_ids is not None and len(user_ids) <= 500:
            rows = (
                self.query(
                    sql + f" AND user_id IN ({', '.join('?' * len(user_ids))}) ORDER BY id",
                    (app_id, *user_ids),
                )
                if user_ids
                else []
            )
            return {r["user_id"]: r for r in rows}
        rows = self.query(sql + " ORDER BY id", (app_id,))
        wanted = None if user_ids is None else set(user_ids)
        return {r["user_id"]: r for r in rows if wanted is None or r["user_id"] in wanted}

    # tasks ----------------------------------------------------------------------------------
    def get_task(self, task_id: int) -> dict[str, Any] | None:
        return self.one("SELECT * FROM tasks WHERE id = ?", (task_id,))

    def list_tasks(
        self, where: list[str], params: list[Any], limit: int = 1000
    ) -> list[dict[str, Any]]:
        clause = " AND ".join(where) if where else "1"
        return self.query(
            f"SELECT * FROM tasks WHERE {clause} ORDER BY id LIMIT ?", [*params, limit]
        )

    def due_tasks(self, now_ts: float, limit: int) -> list[dict[str, Any]]:
        return self.query(
            "SELECT t.id AS task_id, t.kind, t.attempts, t.trigger, t.prev_state, "
            "t.prev_status, l.*, u.username, u.email, u.firstname, u.lastname, u.title, "
            "u.department, u.company, u.phone, u.status, u.state, u.custom_attributes, "
            "u.deleted_at FROM tasks t JOIN logins l ON l.user_id = t.user_id "
            "AND l.app_id = t.app_id JOIN users u ON u.id = t.user_id "
            "WHERE t.state = 'queued' AND t.due_at <= ? ORDER BY t.id LIMIT ?",
            (now_ts, limit),
        )

    def next_due_at(self) -> float | None:
        row = self.one("SELECT min(due_at) AS due FROM tasks WHERE state = 'queued'")
        return None if row is None or row["due"] is None else float(row["due"])

    def count_tasks(self, state: str) -> int:
        row = self.one("SELECT count(*) AS n FROM tasks WHERE state = ?", (state,))
        return int(row["n"]) if row else 0

    # events ---------------------------------------------------------------------------------
    def insert_events(self, conn: sqlite3.Connection, events: Sequence[dict[str, Any]]) -> None:
        conn.executemany(_EVENT_INSERT, [tuple(e.get(c) for c in EVENT_COLUMNS) for e in events])

    def prune_events(self, keep: int) -> None:
        with self.transaction() as conn:
            row = conn.execute("SELECT max(id) AS m FROM events").fetchone()
            if row and row["m"] and row["m"] > keep:
                conn.execute("DELETE FROM events WHERE id <= ?", (row["m"] - keep,))

    def query_events(
        self, where: list[str], params: list[Any], order: str, limit: int
    ) -> list[dict[str, Any]]:
        clause = " AND ".join(where) if where else "1"
        return self.query(
            f"SELECT * FROM events WHERE {clause} ORDER BY id {order} LIMIT ?", [*params, limit]
        )

    # API credentials ------------------------------------------------------------------------
    def insert_client(self, client_id: str, name: str, salt: str, digest: str, now: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO api_clients VALUES (?, ?, ?, ?, ?)",
                (client_id, name, salt, digest, now),
            )

    def get_client(self, client_id: str) -> dict[str, Any] | None:
        return self.one("SELECT * FROM api_clients WHERE client_id = ?", (client_id,))

    def live_token_for(self, client_id: str, now_ts: float) -> dict[str, Any] | None:
        return self.one(
            "SELECT * FROM tokens WHERE client_id = ? AND revoked = 0 AND "
            "expires_ts > ? ORDER BY expires_ts DESC LIMIT 1",
            (client_id, now_ts),
        )

    def insert_token(self, token: str, client_id: str, now: str, expires_ts: float) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO tokens VALUES (?, ?, ?, ?, 0)", (token, client_id, now, expires_ts)
            )

    def get_token(self, token: str) -> dict[str, Any] | None:
        return self.one("SELECT * FROM tokens WHERE token = ?", (token,))

    def revoke_token(self, token: str) -> bool:
        with self.transaction() as conn:
            return (
                conn.execute("UPDATE tokens SET revoked = 1 WHERE token = ?", (token,)).rowcount > 0
            )

"""SQLite persistence for the provider: one transaction per operation, WAL, a file for live
servers and a private in-memory database for tests.

Every public method runs inside :meth:`WrikeStore.transaction`; the domain never sees SQL.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from wrike_sp.domain.records import Conflict, UserRow

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    plan TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS approved_domains (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    domain TEXT NOT NULL,
    PRIMARY KEY (account_id, domain)
);
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_name TEXT NOT NULL,
    user_name_key TEXT NOT NULL,
    login_key TEXT NOT NULL,
    active INTEGER NOT NULL,
    user_type TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'regular',
    can_configure_security INTEGER NOT NULL DEFAULT 0,
    can_grant_admin INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT,
    doc TEXT NOT NULL,
    created TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    version INTEGER NOT NULL,
    via_scim INTEGER NOT NULL DEFAULT 0,
    billable_since TEXT,
    deactivated_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS users_name ON users(account_id, user_name_key);
CREATE UNIQUE INDEX IF NOT EXISTS users_login ON users(account_id, login_key);
CREATE TABLE IF NOT EXISTS user_emails (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL,
    value_key TEXT NOT NULL,
    type TEXT
);
CREATE INDEX IF NOT EXISTS user_emails_value ON user_emails(account_id, value_key);
CREATE INDEX IF NOT EXISTS user_emails_user ON user_emails(user_id);
CREATE TABLE IF NOT EXISTS api_apps (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_tokens (
    id INTEGER PRIMARY KEY,
    app_id INTEGER NOT NULL REFERENCES api_apps(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL,
    member_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    hint TEXT NOT NULL,
    created TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS billing_ledger (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    login TEXT NOT NULL,
    user_type TEXT NOT NULL,
    event TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS billing_account ON billing_ledger(account_id, id);
"""


_USER_COLUMNS = (
    "id, account_id, user_name, login_key, active, user_type, role, can_configure_security, "
    "can_grant_admin, password_hash, doc, created, last_modified, version, via_scim, "
    "billable_since, deactivated_at"
)


def _user(row: Sequence[Any]) -> UserRow:
    return UserRow(
        id=row[0],
        account_id=row[1],
        user_name=row[2],
        login_key=row[3],
        active=bool(row[4]),
        user_type=row[5],
        role=row[6],
        can_configure_security=bool(row[7]),
        can_grant_admin=bool(row[8]),
        password_hash=row[9],
        doc=json.loads(row[10]),
        created=row[11],
        last_modified=row[12],
        version=row[13],
        via_scim=bool(row[14]),
        billable_since=row[15],
        deactivated_at=row[16],
    )


class WrikeStore:
    """The provider's repository over SQLite.

    Connections are per thread (a WSGI server serves from several threads); writes take the
    database lock at BEGIN IMMEDIATE so that two writers never deadlock on an upgrade.
    """

    def __init__(self, database: str) -> None:
        if database == ":memory:":
            self._uri = f"file:wrike-{uuid.uuid4().hex}?mode=memory&cache=shared"
        else:
            self._uri = f"file:{database}"
        self._local = threading.local()
        # Keeps an in-memory database alive for the life of the store.
        self._keeper = self._connect()
        self._keeper.executescript(_SCHEMA)
        self._keeper.commit()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self._uri, uri=True, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA busy_timeout=10000")
        return db

    @property
    def db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._connect()
            self._local.db = db
        return db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; everything inside commits together or not at all."""
        db = self.db
        if db.in_transaction:
            yield db
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        self._keeper.close()
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # -- accounts ---------------------------------------------------------------------------

    def add_account(self, name: str, plan: str, created: str) -> int:
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO accounts(name, plan, created) VALUES (?, ?, ?)", (name, plan, created)
            )
            return int(cur.lastrowid or 0)

    def account(self, account_id: int) -> dict[str, Any] | None:
        found = _dicts(
            self.db.execute("SELECT id, name, plan, created FROM accounts WHERE id = ?", (account_id,))
        )
        return found[0] if found else None

    def accounts(self) -> list[dict[str, Any]]:
        return _dicts(self.db.execute("SELECT id, name, plan, created FROM accounts ORDER BY id"))

    def set_plan(self, account_id: int, plan: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE accounts SET plan = ? WHERE id = ?", (plan, account_id))

    def approved_domains(self, account_id: int) -> list[str]:
        rows = self.db.execute(
            "SELECT domain FROM approved_domains WHERE account_id = ? ORDER BY domain",
            (account_id,),
        )
        return [r[0] for r in rows]

    def add_domain(self, account_id: int, domain: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO approved_domains(account_id, domain) VALUES (?, ?)",
                (account_id, domain),
            )

    def remove_domain(self, account_id: int, domain: str) -> bool:
        with self.transaction() as db:
            cur = db.execute(
                "DELETE FROM approved_domains WHERE account_id = ? AND domain = ?",
                (account_id, domain),
            )
            return cur.rowcount > 0

    # -- users ------------------------------------------------------------------------------

    def user(self, account_id: int, user_id: str) -> UserRow | None:
        row = self.db.execute(
            f"SELECT {_USER_COLUMNS} FROM users WHERE id = ? AND account_id = ?",
            (user_id, account_id),
        ).fetchone()
        return _user(row) if row else None

    def insert_user(self, user: UserRow, emails: list[tuple[str, str | None]]) -> None:
        with self.transaction() as db:
            try:
                db.execute(
                    f"INSERT INTO users({_USER_COLUMNS}, user_name_key) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (*_values(user), user.user_name.lower()),
                )
            except sqlite3.IntegrityError as error:
                raise Conflict(_conflict_column(error)) from error
            _write_emails(db, user, emails)

    def update_user(
        self, user: UserRow, emails: list[tuple[str, str | None]] | None, expected_version: int
    ) -> bool:
        """Write ``user`` if its stored version is still ``expected_version``."""
        with self.transaction() as db:
            try:
                cur = db.execute(
                    "UPDATE users SET user_name=?, user_name_key=?, login_key=?, active=?, "
                    "user_type=?, role=?, can_configure_security=?, can_grant_admin=?, "
                    "password_hash=?, doc=?, last_modified=?, version=?, billable_since=?, "
                    "deactivated_at=? WHERE id=? AND account_id=? AND version=?",
                    (
                        user.user_name,
                        user.user_name.lower(),
                        user.login_key,
                        int(user.active),
                        user.user_type,
                        user.role,
                        int(user.can_configure_security),
                        int(user.can_grant_admin),
                        user.password_hash,
                        json.dumps(user.doc, separators=(",", ":")),
                        user.last_modified,
                        user.version,
                        user.billable_since,
                        user.deactivated_at,
                        user.id,
                        user.account_id,
                        expected_version,
                    ),
                )
            except sqlite3.IntegrityError as error:
                raise Conflict(_conflict_column(error)) from error
            if cur.rowcount == 0:
                return False
            if emails is not None:
                db.execute("DELETE FROM user_emails WHERE user_id = ?", (user.id,))
                _write_emails(db, user, emails)
            return True

    def delete_user(self, account_id: int, user_id: str) -> bool:
        with self.transaction() as db:
            cur = db.execute(
                "DELETE FROM users WHERE id = ? AND account_id = ?", (user_id, account_id)
            )
            return cur.rowcount > 0

    def search_users(
        self, account_id: int, where: str, params: Sequence[Any], offset: int, limit: int
    ) -> tuple[int, list[UserRow]]:
        """Users of one account matching a SQL condition built by the filter translator."""
        condition = f"account_id = ? AND ({where})" if where else "account_id = ?"
        args = (account_id, *params)
        total = self.db.execute(f"SELECT count(*) FROM users u WHERE {condition}", args).fetchone()
        if limit <= 0:
            return int(total[0]), []
        rows = self.db.execute(
            f"SELECT {_USER_COLUMNS} FROM users u WHERE {condition} "
            "ORDER BY created, id LIMIT ? OFFSET ?",
            (*args, limit, offset),
        ).fetchall()
        return int(total[0]), [_user(r) for r in rows]

    def user_by_login(self, account_id: int, login_key: str) -> UserRow | None:
        row = self.db.execute(
            f"SELECT {_USER_COLUMNS} FROM users WHERE account_id = ? AND login_key = ?",
            (account_id, login_key),
        ).fetchone()
        return _user(row) if row else None

    # -- API apps and tokens ----------------------------------------------------------------

    def add_app(self, account_id: int, name: str, description: str, by: str, at: str) -> int:
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO api_apps(account_id, name, description, created_by, created) "
                "VALUES (?, ?, ?, ?, ?)",
                (account_id, name, description, by, at),
            )
            return int(cur.lastrowid or 0)

    def apps(self, account_id: int) -> list[dict[str, Any]]:
        return _dicts(self.db.execute(f"{_APPS} WHERE account_id = ? ORDER BY id", (account_id,)))

    def app(self, account_id: int, app_id: int) -> dict[str, Any] | None:
        found = _dicts(
            self.db.execute(f"{_APPS} WHERE account_id = ? AND id = ?", (account_id, app_id))
        )
        return found[0] if found else None

    def add_token(
        self, app_id: int, account_id: int, member_id: str, token_hash: str, hint: str, at: str
    ) -> int:
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO api_tokens(app_id, account_id, member_id, token_hash, hint, created) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (app_id, account_id, member_id, token_hash, hint, at),
            )
            return int(cur.lastrowid or 0)

    def tokens(self, account_id: int) -> list[dict[str, Any]]:
        return _dicts(
            self.db.execute(
                "SELECT id, app_id, member_id, hint, created, revoked_at FROM api_tokens "
                "WHERE account_id = ? ORDER BY id",
                (account_id,),
            )
        )

    def token_by_hash(self, token_hash: str) -> dict[str, Any] | None:
        found = _dicts(
            self.db.execute(
                "SELECT id, app_id, account_id, member_id, token_hash, revoked_at FROM api_tokens "
                "WHERE token_hash = ?",
                (token_hash,),
            )
        )
        return found[0] if found else None

    def revoke_token(self, account_id: int, token_id: int, at: str) -> bool:
        with self.transaction() as db:
            cur = db.execute(
                "UPDATE api_tokens SET revoked_at = ? "
                "WHERE id = ? AND account_id = ? AND revoked_at IS NULL",
                (at, token_id, account_id),
            )
            return cur.rowcount > 0

    # -- billing ----------------------------------------------------------------------------

    def record_billing(
        self, account_id: int, user_id: str, login: str, user_type: str, event: str, at: str
    ) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO billing_ledger(account_id, user_id, login, user_type, event, at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (account_id, user_id, login, user_type, event, at),
            )

    def ledger(self, account_id: int) -> list[dict[str, Any]]:
        return _dicts(
            self.db.execute(
                "SELECT id, user_id, login, user_type, event, at FROM billing_ledger "
                "WHERE account_id = ? ORDER BY id",
                (account_id,),
            )
        )

    def seats(self, account_id: int) -> dict[str, int]:
        rows = self.db.execute(
            "SELECT user_type, count(*) FROM users WHERE account_id = ? AND active = 1 "
            "AND billable_since IS NOT NULL GROUP BY user_type",
            (account_id,),
        )
        return {r[0]: int(r[1]) for r in rows}

    def reset(self) -> None:
        """Forget everything (harness reset)."""
        with self.transaction() as db:
            for table in (
                "billing_ledger", "api_tokens", "api_apps", "user_emails", "users",
                "approved_domains", "accounts",
            ):
                db.execute(f"DELETE FROM {table}")


_APPS = "SELECT id, name, description, created_by, created FROM api_apps"


def _dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    """Rows as dicts keyed by the selected column names."""
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _values(user: UserRow) -> tuple[Any, ...]:
    return (
        user.id,
        user.account_id,
        user.user_name,
        user.login_key,
        int(user.active),
        user.user_type,
        user.role,
        int(user.can_configure_security),
        int(user.can_grant_admin),
        user.password_hash,
        json.dumps(user.doc, separators=(",", ":")),
        user.created,
        user.last_modified,
        user.version,
        int(user.via_scim),
        user.billable_since,
        user.deactivated_at,
    )


def _write_emails(
    db: sqlite3.Connection, user: UserRow, emails: list[tuple[str, str | None]]
) -> None:
    db.executemany(
        "INSERT INTO user_emails(user_id, account_id, value_key, type) VALUES (?, ?, ?, ?)",
        [(user.id, user.account_id, value.lower(), kind) for value, kind in emails],
    )


def _conflict_column(error: sqlite3.IntegrityError) -> str:
    text = str(error)
    if "login_key" in text:
        return "login"
    return "userName"

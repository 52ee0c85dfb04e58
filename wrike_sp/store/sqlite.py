"""SQLite persistence for the provider: one transaction per operation, WAL, a file for live
servers and a private in-memory database for tests.

Every public method runs inside :meth:`WrikeStore.transaction`; the domain never sees SQL:
it reaches the store through :class:`wrike_sp.domain.repository.WrikeRepository`.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from webguard.files import private_database
from wrike_sp.domain.records import AuthFacts, Conflict, TokenFacts, UserRow
from wrike_sp.domain.search import UserSearch
from wrike_sp.json_text import decode_stored, encode_text
from wrike_sp.store.user_search import search_sql

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
    deactivated_at TEXT,
    can_edit_users INTEGER NOT NULL DEFAULT 0
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
CREATE TABLE IF NOT EXISTS page_sessions (
    id_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL,
    member_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created TEXT NOT NULL,
    expires TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS page_sessions_member ON page_sessions(member_id);
CREATE INDEX IF NOT EXISTS page_sessions_expires ON page_sessions(expires);
-- The SCIM requests each member's record received (the user page's history), numbered per
-- member. No foreign key: a deleted member's history stays, as the billing ledger does.
-- Written in the transaction of the request's own write, so an accepted change and its line
-- commit together. Clustered by member (WITHOUT ROWID): a line is one B-tree entry, not a row
-- and an index entry, so each write commits one page more, not two.
CREATE TABLE IF NOT EXISTS scim_history (
    account_id INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    method TEXT NOT NULL,
    status INTEGER NOT NULL,
    summary TEXT NOT NULL,
    PRIMARY KEY (account_id, user_id, seq)
) WITHOUT ROWID;
-- A member's page sessions end the moment the member is deactivated (over SCIM or the admin
-- API alike) or the password changes; a deletion ends them through the foreign key.
CREATE TRIGGER IF NOT EXISTS page_sessions_end
AFTER UPDATE OF active, password_hash ON users
WHEN (OLD.active = 1 AND NEW.active = 0) OR OLD.password_hash IS NOT NEW.password_hash
BEGIN
    DELETE FROM page_sessions WHERE member_id = NEW.id;
END;
-- SAML SSO (wrike_sp.domain.sso): one settings row per account, the AuthnRequests Wrike sent
-- and has not had answered (by their ID, until they expire), the assertion IDs already used
-- (until their NotOnOrAfter), and every attempt at the ACS.
CREATE TABLE IF NOT EXISTS sso_settings (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    mode TEXT NOT NULL,
    jit INTEGER NOT NULL,
    provider TEXT NOT NULL DEFAULT 'onelogin',
    idp TEXT,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS saml_requests (
    id TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL,
    created TEXT NOT NULL,
    expires TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS saml_requests_expires ON saml_requests(expires);
CREATE TABLE IF NOT EXISTS saml_assertions_used (
    account_id INTEGER NOT NULL,
    assertion_id TEXT NOT NULL,
    expires TEXT NOT NULL,
    PRIMARY KEY (account_id, assertion_id)
);
CREATE INDEX IF NOT EXISTS saml_assertions_used_expires ON saml_assertions_used(expires);
CREATE TABLE IF NOT EXISTS sso_attempts (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT,
    name_id TEXT,
    member_id TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sso_attempts_account ON sso_attempts(account_id, id);
"""

# What the query planner is told about the indexes instead of measuring them (SQLite's
# "manual control of query plans using sqlite_stat tables"): an account holds very many
# users and emails, a key within it names one. Without it the planner, knowing nothing,
# walks every user of the account to test a lookup by email against the set of ids found
# by that email; with it the set drives the lookup through the users' primary key.
_PLANNER_STATS = """
ANALYZE sqlite_schema;
DELETE FROM sqlite_stat1 WHERE tbl IN ('users', 'user_emails');
INSERT INTO sqlite_stat1(tbl, idx, stat) VALUES
    ('users', 'sqlite_autoindex_users_1', '1000000 1'),
    ('users', 'users_name', '1000000 1000000 1'),
    ('users', 'users_login', '1000000 1000000 1'),
    ('user_emails', 'user_emails_value', '1000000 1000000 1'),
    ('user_emails', 'user_emails_user', '1000000 1');
ANALYZE sqlite_schema;
"""

# The columns of a user in UserRow order (``_user`` reads them in this order).
_USER_FIELDS = (
    "id",
    "account_id",
    "user_name",
    "login_key",
    "active",
    "user_type",
    "role",
    "can_configure_security",
    "can_grant_admin",
    "password_hash",
    "doc",
    "created",
    "last_modified",
    "version",
    "via_scim",
    "billable_since",
    "deactivated_at",
    "can_edit_users",
)
# What a write stores: the fields plus the case-folded userName the unique index is on.
_STORED = (*_USER_FIELDS, "user_name_key")
_INSERT_USER = f"INSERT INTO users({', '.join(_STORED)}) VALUES ({', '.join('?' * len(_STORED))})"
# An update leaves the identity and the creation facts as they are.
_UPDATED = tuple(c for c in _STORED if c not in ("id", "account_id", "created", "via_scim"))
# Without the two unique keys when they stay: SQLite rewrites the entry of every index whose
# columns an UPDATE names, changed or not, and each index entry is a page more to commit.
_UPDATED_SAME_KEYS = tuple(c for c in _UPDATED if c not in ("user_name_key", "login_key"))


def _update_user_sql(columns: tuple[str, ...]) -> str:
    return (
        f"UPDATE users SET {', '.join(f'{c} = ?' for c in columns)} "
        "WHERE id = ? AND account_id = ? AND version = ?"
    )


_UPDATE_USER = _update_user_sql(_UPDATED)
_UPDATE_USER_SAME_KEYS = _update_user_sql(_UPDATED_SAME_KEYS)


_AUTH_QUERY = (
    "SELECT a.plan, (SELECT group_concat(d.domain, char(10)) FROM "
    "(SELECT domain FROM approved_domains WHERE account_id = a.id ORDER BY domain) d), "
    "t.id, t.app_id, t.account_id, t.member_id, t.revoked_at, "
    + ", ".join(f"u.{c}" for c in _USER_FIELDS)
    + " FROM accounts a LEFT JOIN api_tokens t ON t.token_hash = ? "
    "LEFT JOIN users u ON u.id = t.member_id AND u.account_id = t.account_id WHERE a.id = ?"
)


# A user is read as one JSON array column: Python's sqlite3 module lets go of the GIL around
# each column it fetches, and under a threaded server every such release is a thread switch;
# one column instead of seventeen keeps a lookup from trading the GIL dozens of times.
_USER_ROW = "json_array(" + ", ".join("json(doc)" if c == "doc" else c for c in _USER_FIELDS) + ")"


# A page's rowid and packed user, the latter only for a document of at most ``?`` bytes.
_SMALL_USER_ROW = f"rowid, CASE WHEN length(CAST(doc AS BLOB)) <= ? THEN {_USER_ROW} END"


def _user_from(packed: str) -> UserRow:
    return _user(decode_stored(packed))


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
        doc=row[10] if isinstance(row[10], dict) else decode_stored(row[10]),
        created=row[11],
        last_modified=row[12],
        version=row[13],
        via_scim=bool(row[14]),
        billable_since=row[15],
        deactivated_at=row[16],
        can_edit_users=bool(row[17]),
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
            private_database(database)  # 0600, and so are the -wal/-shm SQLite adds
            self._uri = f"file:{database}"
        self._local = threading.local()
        # Authentication facts by (account, token hash), each tagged with the epoch it was
        # read in. Every write through this store that can change them (plan, domains, a
        # token's revocation, a cached issuer's row, reset) moves to a new epoch, so a revoked
        # token or a demoted issuer is refused by the very next request. The file belongs to
        # this store: another process writing it directly would not be seen here.
        self._epochs = itertools.count(1)
        self._auth_epoch = 0
        self._auth_cache: dict[tuple[int, str], tuple[int, AuthFacts]] = {}
        self._issuers: set[str] = set()
        # Held while a cache miss reads and stores, and while a committed write checks
        # whether it touched a cached issuer: a write can never slip between the two.
        self._auth_lock = threading.Lock()
        # Keeps an in-memory database alive for the life of the store.
        self._keeper = self._connect()
        _add_missing_columns(self._keeper)
        self._keeper.executescript(_SCHEMA)
        self._keeper.executescript(_PLANNER_STATS)
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
        self._local.touched = None
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            self._local.touched = None
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        touched, self._local.touched = self._local.touched, None
        if touched is not None:
            self._forget_auth(touched)

    def _touch_auth(self, member_id: str | None = None) -> None:
        """Inside a write: this transaction changes authentication facts (of one member,
        or of anything when ``member_id`` is None); the cache is dropped once it commits."""
        touched = self._local.touched
        if member_id is None or touched == "*":
            self._local.touched = "*"
        else:
            self._local.touched = {*(touched or ()), member_id}

    def _forget_auth(self, touched: str | set[str]) -> None:
        with self._auth_lock:
            if touched == "*" or not self._issuers.isdisjoint(touched):
                self._auth_epoch = next(self._epochs)
                self._auth_cache.clear()
                self._issuers.clear()

    def auth_facts(self, account_id: int, token_hash: str) -> AuthFacts | None:
        """The facts behind a bearer token on an account's SCIM URL; ``None`` when there is
        no such account. Cached until a write changes any of them (see ``__init__``)."""
        epoch = self._auth_epoch
        cached = self._auth_cache.get((account_id, token_hash))
        if cached is not None and cached[0] == epoch:
            return cached[1]
        with self._auth_lock:
            epoch = self._auth_epoch
            row = self.db.execute(_AUTH_QUERY, (token_hash, account_id)).fetchone()
            if row is None:
                return None
            token = None if row[2] is None else TokenFacts(*row[2:7])
            facts = AuthFacts(
                plan=row[0],
                approved_domains=tuple(row[1].split("\n")) if row[1] else (),
                token=token,
                issuer=_user(row[7:]) if row[7] is not None else None,
            )
            if token is not None and len(self._auth_cache) < _AUTH_CACHE_SIZE:
                if facts.issuer is not None:
                    self._issuers.add(facts.issuer.id)
                self._auth_cache[(account_id, token_hash)] = (epoch, facts)
        return facts

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
            self.db.execute(
                "SELECT id, name, plan, created FROM accounts WHERE id = ?", (account_id,)
            )
        )
        return found[0] if found else None

    def accounts(self) -> list[dict[str, Any]]:
        return _dicts(self.db.execute("SELECT id, name, plan, created FROM accounts ORDER BY id"))

    def set_plan(self, account_id: int, plan: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE accounts SET plan = ? WHERE id = ?", (plan, account_id))
            self._touch_auth()

    def approved_domains(self, account_id: int) -> list[str]:
        rows = self.db.execute(
            "SELECT domain FROM approved_domains WHERE account_id = ? ORDER BY domain",
            (account_id,),
        )
        return [r[0] for r in rows]

    def domain_accounts(self, domain: str) -> list[int]:
        """The accounts that approve ``domain``, oldest first."""
        rows = self.db.execute(
            "SELECT account_id FROM approved_domains WHERE domain = ? "
            "AND account_id IN (SELECT id FROM accounts) ORDER BY account_id",
            (domain,),
        )
        return [int(r[0]) for r in rows]

    def add_domain(self, account_id: int, domain: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO approved_domains(account_id, domain) VALUES (?, ?)",
                (account_id, domain),
            )
            self._touch_auth()

    def remove_domain(self, account_id: int, domain: str) -> bool:
        with self.transaction() as db:
            cur = db.execute(
                "DELETE FROM approved_domains WHERE account_id = ? AND domain = ?",
                (account_id, domain),
            )
            self._touch_auth()
        return cur.rowcount > 0

    # -- users ------------------------------------------------------------------------------

    def user(self, account_id: int, user_id: str) -> UserRow | None:
        row = self.db.execute(
            f"SELECT {_USER_ROW} FROM users WHERE id = ? AND account_id = ?",
            (user_id, account_id),
        ).fetchone()
        return _user_from(row[0]) if row else None

    def insert_user(self, user: UserRow, emails: list[tuple[str, str | None]]) -> None:
        with self.transaction() as db:
            try:
                stored = _stored(user)
                db.execute(_INSERT_USER, [stored[c] for c in _STORED])
            except sqlite3.IntegrityError as error:
                raise Conflict(_conflict_column(error)) from error
            _write_emails(db, user, emails)

    def update_user(
        self,
        user: UserRow,
        emails: list[tuple[str, str | None]] | None,
        expected_version: int,
        previous: UserRow | None = None,
    ) -> bool:
        """Write ``user`` if its stored version is still ``expected_version``; ``previous``,
        the user as read, lets an update that keeps the unique keys leave their indexes be."""
        stored = _stored(user)
        sql, columns = _UPDATE_USER, _UPDATED
        if previous is not None and _stored_keys(previous) == _stored_keys(user):
            sql, columns = _UPDATE_USER_SAME_KEYS, _UPDATED_SAME_KEYS
        with self.transaction() as db:
            try:
                cur = db.execute(
                    sql, [*(stored[c] for c in columns), user.id, user.account_id, expected_version]
                )
            except sqlite3.IntegrityError as error:
                raise Conflict(_conflict_column(error)) from error
            if cur.rowcount == 0:
                return False
            self._touch_auth(user.id)
            if emails is not None:
                db.execute("DELETE FROM user_emails WHERE user_id = ?", (user.id,))
                _write_emails(db, user, emails)
            return True

    def delete_user(self, account_id: int, user_id: str) -> bool:
        with self.transaction() as db:
            cur = db.execute(
                "DELETE FROM users WHERE id = ? AND account_id = ?", (user_id, account_id)
            )
            self._touch_auth(user_id)
        return cur.rowcount > 0

    def search_users(
        self,
        account_id: int,
        search: UserSearch | None,
        offset: int,
        limit: int,
        max_bytes: int | None = None,
    ) -> tuple[int, list[UserRow]]:
        """Users of one account that ``search`` selects (all of them when ``None``), in the
        order they were created, and how many there are in all. With ``max_bytes`` the page
        ends before the user whose stored JSON would take it past that many bytes (it holds
        at least one user), and no more than about that much is ever read into memory."""
        if max_bytes is None:
            queries = search_sql(_USER_ROW, search)
            args = queries.arguments(account_id, search.operands if search else ())
            rows = []
            if limit > 0:
                rows = self.db.execute(queries.page, (*args, limit, offset)).fetchall()
            packed = [r[0] for r in rows]
        else:
            queries = search_sql(_SMALL_USER_ROW, search)
            args = queries.arguments(account_id, search.operands if search else ())
            rows = []
            if limit > 0:
                small = max(1, max_bytes // limit)
                rows = self.db.execute(queries.page, (small, *args, limit, offset)).fetchall()
            packed = self._within(rows, max_bytes)
        if 0 < len(rows) < limit or (not rows and offset == 0 and limit > 0):
            total = offset + len(rows)  # the page ends before the limit: nothing follows it
        else:
            total = int(self.db.execute(queries.count, args).fetchone()[0])
        return total, [_user_from(p) for p in packed]

    def _within(self, rows: list[tuple[int, str | None]], max_bytes: int) -> list[str]:
        """The packed users of a page, in order, up to ``max_bytes``. The page query sorts
        (rowid, packed user) pairs and SQLite's sorter holds each pair it may return, so it
        packs only users small enough that a whole page of them fits the budget; a bigger
        user is read here by rowid, one at a time, once the budget has room for it."""
        packed: list[str] = []
        size = 0
        for rowid, text in rows:
            if text is None:
                found = self.db.execute(
                    f"SELECT {_USER_ROW} FROM users WHERE rowid = ?", (rowid,)
                ).fetchone()
                if found is None:
                    continue  # deleted since the page was sorted
                text = found[0]
            size += len(text.encode())
            if packed and size > max_bytes:
                break
            packed.append(text)
        return packed

    def user_by_login(self, account_id: int, login_key: str) -> UserRow | None:
        row = self.db.execute(
            f"SELECT {_USER_ROW} FROM users WHERE account_id = ? AND login_key = ?",
            (account_id, login_key),
        ).fetchone()
        return _user_from(row[0]) if row else None

    # -- page sessions (wrike_sp.domain.signin) ---------------------------------------------

    def memberships(self, login_key: str) -> list[UserRow]:
        """The members with this login in every account, oldest account first: one probe of
        the (account, login) index per account."""
        rows = self.db.execute(
            f"SELECT {_USER_ROW} FROM users WHERE login_key = ? "
            "AND account_id IN (SELECT id FROM accounts) ORDER BY account_id",
            (login_key,),
        ).fetchall()
        return [_user_from(r[0]) for r in rows]

    def add_page_session(
        self, session_hash: str, account_id: int, member_id: str, created: str, expires: str
    ) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM page_sessions WHERE expires <= ?", (created,))
            db.execute(
                "INSERT INTO page_sessions(id_hash, account_id, member_id, created, expires) "
                "VALUES (?, ?, ?, ?, ?)",
                (session_hash, account_id, member_id, created, expires),
            )

    def page_session(self, session_hash: str, now: str) -> UserRow | None:
        row = self.db.execute(
            f"SELECT {_USER_ROW} FROM users WHERE id = (SELECT member_id FROM page_sessions "
            "WHERE id_hash = ? AND expires > ?)",
            (session_hash, now),
        ).fetchone()
        return _user_from(row[0]) if row else None

    def end_page_session(self, session_hash: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM page_sessions WHERE id_hash = ?", (session_hash,))

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

    def revoke_token(self, account_id: int, token_id: int, at: str) -> bool:
        with self.transaction() as db:
            cur = db.execute(
                "UPDATE api_tokens SET revoked_at = ? "
                "WHERE id = ? AND account_id = ? AND revoked_at IS NULL",
                (at, token_id, account_id),
            )
            self._touch_auth()
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

    # -- SCIM history of each member (the user page) -----------------------------------------

    def record_scim(
        self, account_id: int, user_id: str, at: str, method: str, status: int, summary: str
    ) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO scim_history(account_id, user_id, seq, at, method, status, summary) "
                "VALUES (?1, ?2, (SELECT coalesce(max(seq), 0) + 1 FROM scim_history "
                "WHERE account_id = ?1 AND user_id = ?2), ?3, ?4, ?5, ?6)",
                (account_id, user_id, at, method, status, summary),
            )

    def scim_history(self, account_id: int, user_id: str, limit: int) -> list[dict[str, Any]]:
        return _dicts(
            self.db.execute(
                "SELECT at, method, status, summary FROM scim_history "
                "WHERE account_id = ? AND user_id = ? ORDER BY seq DESC LIMIT ?",
                (account_id, user_id, limit),
            )
        )

    def seats(self, account_id: int) -> dict[str, int]:
        rows = self.db.execute(
            "SELECT user_type, count(*) FROM users WHERE account_id = ? AND active = 1 "
            "AND billable_since IS NOT NULL GROUP BY user_type",
            (account_id,),
        )
        return {r[0]: int(r[1]) for r in rows}

    # -- SAML SSO (wrike_sp.domain.sso) ------------------------------------------------------

    def sso_settings(self, account_id: int) -> dict[str, Any] | None:
        """``mode``, ``jit``, ``provider`` and ``idp`` (a dict, or None) of the account, or
        None when the account never had SSO settings saved."""
        row = self.db.execute(
            "SELECT mode, jit, provider, idp FROM sso_settings WHERE account_id = ?",
            (account_id,),
        ).fetchone()
        if row is None:
            return None
        idp = decode_stored(row[3]) if row[3] else None
        return {"mode": row[0], "jit": bool(row[1]), "provider": row[2], "idp": idp}

    def sso_accounts(self) -> list[int]:
        """The accounts whose SSO mode is not off, oldest first."""
        rows = self.db.execute(
            "SELECT account_id FROM sso_settings WHERE mode != 'off' ORDER BY account_id"
        )
        return [int(r[0]) for r in rows]

    def save_sso_settings(
        self,
        account_id: int,
        mode: str,
        jit: bool,
        provider: str,
        idp: dict[str, Any] | None,
        at: str,
    ) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO sso_settings(account_id, mode, jit, provider, idp, updated) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(account_id) DO UPDATE SET "
                "mode = excluded.mode, jit = excluded.jit, provider = excluded.provider, "
                "idp = excluded.idp, updated = excluded.updated",
                (
                    account_id,
                    mode,
                    int(jit),
                    provider,
                    encode_text(idp) if idp is not None else None,
                    at,
                ),
            )

    def add_saml_request(
        self, request_id: str, account_id: int, created: str, expires: str
    ) -> None:
        """Keep an AuthnRequest sent (and forget the ones expired by ``created``)."""
        with self.transaction() as db:
            db.execute("DELETE FROM saml_requests WHERE expires <= ?", (created,))
            db.execute(
                "INSERT INTO saml_requests(id, account_id, created, expires) VALUES (?, ?, ?, ?)",
                (request_id, account_id, created, expires),
            )

    def take_saml_request(self, request_id: str, account_id: int, now: str) -> bool:
        """Use up an outstanding, unexpired AuthnRequest: True once, False ever after."""
        with self.transaction() as db:
            cur = db.execute(
                "DELETE FROM saml_requests WHERE id = ? AND account_id = ? AND expires > ?",
                (request_id, account_id, now),
            )
        return cur.rowcount > 0

    def use_assertion(self, account_id: int, assertion_id: str, expires: str, now: str) -> bool:
        """Mark an assertion ID used until ``expires``: True the first time, False when it
        was already used (and has not expired since)."""
        with self.transaction() as db:
            db.execute("DELETE FROM saml_assertions_used WHERE expires <= ?", (now,))
            cur = db.execute(
                "INSERT OR IGNORE INTO saml_assertions_used(account_id, assertion_id, expires) "
                "VALUES (?, ?, ?)",
                (account_id, assertion_id, expires),
            )
        return cur.rowcount > 0

    def record_sso_attempt(
        self,
        account_id: int,
        at: str,
        outcome: str,
        reason: str | None,
        name_id: str | None,
        member_id: str | None,
        detail: str,
    ) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO sso_attempts(account_id, at, outcome, reason, name_id, member_id, "
                "detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (account_id, at, outcome, reason, name_id, member_id, detail),
            )

    def sso_attempts(self, account_id: int, limit: int) -> list[dict[str, Any]]:
        return _dicts(
            self.db.execute(
                "SELECT at, outcome, reason, name_id, member_id, detail FROM sso_attempts "
                "WHERE account_id = ? ORDER BY id DESC LIMIT ?",
                (account_id, limit),
            )
        )

    def reset(self) -> None:
        """Forget everything (harness reset)."""
        with self.transaction() as db:
            for table in (
                "sso_attempts",
                "saml_assertions_used",
                "saml_requests",
                "sso_settings",
                "scim_history",
                "page_sessions",
                "billing_ledger",
                "api_tokens",
                "api_apps",
                "user_emails",
                "users",
                "approved_domains",
                "accounts",
            ):
                db.execute(f"DELETE FROM {table}")
            self._touch_auth()


_AUTH_CACHE_SIZE = 10_000
_APPS = "SELECT id, name, description, created_by, created FROM api_apps"


def _add_missing_columns(db: sqlite3.Connection) -> None:
    """Bring a database an older version wrote up to this schema. ``can_edit_users`` came
    later: the admins and owners of such a database get it, as Wrike grants it to every new
    admin (``modelling.RIGHTS_OF_NEW_ADMINS``)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(users)")}
    if columns and "can_edit_users" not in columns:
        db.execute("BEGIN IMMEDIATE")
        db.execute("ALTER TABLE users ADD COLUMN can_edit_users INTEGER NOT NULL DEFAULT 0")
        db.execute("UPDATE users SET can_edit_users = 1 WHERE role IN ('owner', 'admin')")
        db.execute("COMMIT")


def _dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    """Rows as dicts keyed by the selected column names."""
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _stored(user: UserRow) -> dict[str, Any]:
    """A user as its columns hold it: flags as integers, the document as JSON text."""
    return {
        "id": user.id,
        "account_id": user.account_id,
        "user_name": user.user_name,
        "active": int(user.active),
        "user_type": user.user_type,
        "role": user.role,
        "can_configure_security": int(user.can_configure_security),
        "can_grant_admin": int(user.can_grant_admin),
        "password_hash": user.password_hash,
        "doc": encode_text(user.doc),
        "created": user.created,
        "last_modified": user.last_modified,
        "version": user.version,
        "via_scim": int(user.via_scim),
        "billable_since": user.billable_since,
        "deactivated_at": user.deactivated_at,
        "can_edit_users": int(user.can_edit_users),
        **_stored_keys(user),
    }


def _stored_keys(user: UserRow) -> dict[str, str]:
    """The unique keys of a user as its columns hold them."""
    return {"user_name_key": user.user_name.lower(), "login_key": user.login_key}


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

"""Users, roles, apps and who is entitled to which app."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mock_onelogin.domain import modelling
from mock_onelogin.domain.directory import CUSTOM_ATTRIBUTES, INT_FIELDS, STRING_FIELDS
from mock_onelogin.domain.queries import (
    USER_SORT_FIELDS,
    USER_TEXT_FIELDS,
    USER_TIME_FIELDS,
    UserQuery,
)
from mock_onelogin.store._database import Database, chunks, marks
from mock_onelogin.store._sealing import UnsealError
from mock_onelogin.store.schema import (
    DUPLICATE_USERS_SQL,
    UNIQUE_USER_INDEX,
    UNIQUE_USER_INDEX_SQL,
)

#: The users table's columns a caller may write (the API's fields, then the simulator's own).
USER_COLUMNS = (
    *STRING_FIELDS,
    *INT_FIELDS,
    "custom_attributes",
    "password_set",
    "activated_at",
    "password_changed_at",
)
#: Entitlement: a role that holds the app, or a direct login.
_ENTITLED_USERS = (
    "SELECT ru.user_id AS uid FROM role_users ru JOIN role_apps ra ON ra.role_id = ru.role_id "
    "WHERE ra.app_id = ? {among_ru} UNION SELECT user_id AS uid FROM direct_logins "
    "WHERE app_id = ? {among}"
)
#: The app's own attributes the API may change (``PUT /api/2/apps/{id}``).
APP_ATTRIBUTES = ("name", "visible", "description", "notes")
#: The connector field holding the SCIM bearer token, in the clear (as the account layer
#: reads it) and sealed (as it is stored).
_TOKEN = "scim_bearer_token"
_SEALED_TOKEN = "scim_bearer_token_sealed"
_log = logging.getLogger("mock_onelogin.store")


#: The fields a unique index can hold (the SQL names of ``modelling.UNIQUE_USER_FIELDS``).
UNIQUE_CAPABLE = ("username", "email")
_UNIQUE_INDEX_NAME = re.compile(r"users_unique_(\w+)|users\.(\w+)")


class UserFieldTaken(Exception):
    """A write would give two live users the same value of a unique field; the unique index
    refused it (the account layer checks first, so this is the last line under a race)."""

    def __init__(self, field: str) -> None:
        super().__init__(f"{field} is taken by another live user")
        self.field = field


class DuplicateUsers(RuntimeError):
    """An existing database holds live users who share a unique field, so the unique index
    cannot be built. The store refuses to open it rather than pick a winner: which account
    is the real one is an admin's call."""


@contextmanager
def _unique_refusals() -> Iterator[None]:
    try:
        yield
    except sqlite3.IntegrityError as exc:
        match = _UNIQUE_INDEX_NAME.search(str(exc))
        field = next((g for g in match.groups() if g), None) if match else None
        if field not in UNIQUE_CAPABLE:
            raise
        raise UserFieldTaken(field) from exc


def _match(column: str, value: str) -> tuple[str, str]:
    """OneLogin filters match exactly, with ``*`` as a wildcard."""
    if "*" in value:
        escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"{column} LIKE ? ESCAPE '\\'", escaped.replace("*", "%")
    return f"{column} = ?", value


def _checked(name: str, allowed: Collection[str]) -> str:
    """A name that goes into the SQL text: only ever one the query types allow."""
    if name not in allowed:
        raise ValueError(f"{name!r} is not one of {sorted(allowed)}")
    return name


def _user_where(query: UserQuery) -> tuple[str, list[Any]]:
    where = ["deleted_at IS NULL"]
    params: list[Any] = []
    for name, match in query.matches:
        clause, arg = _match(_checked(name, USER_TEXT_FIELDS), match.value)
        where.append(clause)
        params.append(arg)
    for name, match in query.custom:
        clause, arg = _match("json_extract(custom_attributes, ?)", match.value)
        where.append(clause)
        params.extend([f"$.{_checked(name, CUSTOM_ATTRIBUTES)}", arg])
    for bound in query.times:
        where.append(f"{_checked(bound.field, USER_TIME_FIELDS)} {'>=' if bound.after else '<='} ?")
        params.append(bound.stamp)
    if query.nobody:
        where.append("0")
    if query.directory_id is not None:
        where.append("directory_id = ?")
        params.append(query.directory_id)
    if query.ids is not None:
        where.append(f"id IN ({marks(len(query.ids)) or 'NULL'})")
        params.extend(query.ids)
    if query.role_ids is not None:
        where.append(
            "id IN (SELECT user_id FROM role_users WHERE role_id IN "
            f"({marks(len(query.role_ids)) or 'NULL'}))"
        )
        params.extend(query.role_ids)
    if query.search:
        where.append(
            "(lower(firstname || ' ' || lastname) LIKE ? OR lower(email) LIKE ? "
            "OR lower(username) LIKE ?)"
        )
        params.extend([f"%{query.search.lower()}%"] * 3)
    return " AND ".join(where), params


class DirectoryStore(Database):
    def __init__(self, path: str | Path = ":memory:") -> None:
        super().__init__(path)
        try:
            self._migrate_unique_users()
        except DuplicateUsers:
            self.close()
            raise

    def _migrate_unique_users(self) -> None:
        """Build the unique index of each field in ``modelling.UNIQUE_USER_FIELDS`` (and drop
        the index of a field taken out of it). A database written before the index existed
        is checked first: live users who already share a value stop the open with
        :class:`DuplicateUsers`, naming them."""
        with self.transaction():
            for field in UNIQUE_CAPABLE:
                if field not in modelling.UNIQUE_USER_FIELDS:
                    self._conn.execute(
                        f"DROP INDEX IF EXISTS {UNIQUE_USER_INDEX.format(field=field)}"
                    )
                    continue
                clashes = self._all(DUPLICATE_USERS_SQL.format(field=field))
                if clashes:
                    listed = "; ".join(f"{c['value']!r}: users {c['ids']}" for c in clashes)
                    raise DuplicateUsers(
                        f"{self.path}: live users share a {field} ({listed}), so the unique "
                        f"{field} index cannot be built. Rename or delete all but one user of "
                        "each, then open the database again."
                    )
                self._conn.execute(UNIQUE_USER_INDEX_SQL.format(field=field))

    # users --------------------------------------------------------------------------------
    def insert_user(self, fields: dict[str, Any], now: str) -> int:
        """Raises :class:`UserFieldTaken` when a unique field's value is taken."""
        data = {k: v for k, v in fields.items() if k in USER_COLUMNS}
        data["custom_attributes"] = json.dumps(data.get("custom_attributes") or {})
        cols = [*data, "created_at", "updated_at"]
        with _unique_refusals():
            cur = self._write(
                f"INSERT INTO users ({', '.join(cols)}) VALUES ({marks(len(cols))})",
                [*data.values(), now, now],
            )
        return int(cur.lastrowid or 0)

    def update_user(self, user_id: int, fields: dict[str, Any], now: str) -> None:
        data = {k: v for k, v in fields.items() if k in USER_COLUMNS}
        if "custom_attributes" in data:
            data["custom_attributes"] = json.dumps(data["custom_attributes"] or {})
        data["updated_at"] = now
        with _unique_refusals():
            self._write(
                f"UPDATE users SET {', '.join(f'{k} = ?' for k in data)} WHERE id = ?",
                [*data.values(), user_id],
            )

    def soft_delete_user(self, user_id: int, now: str) -> None:
        """The user is kept (the System Log and the app's Users tab still name them) but loses
        every role and direct login."""
        with self.transaction():
            self._write(
                "UPDATE users SET deleted_at = ?, updated_at = ? WHERE id = ?", (now, now, user_id)
            )
            self._write("DELETE FROM role_users WHERE user_id = ?", (user_id,))
            self._write("DELETE FROM role_admins WHERE user_id = ?", (user_id,))
            self._write("DELETE FROM direct_logins WHERE user_id = ?", (user_id,))

    def get_user(self, user_id: int, *, include_deleted: bool = False) -> dict[str, Any] | None:
        row = self._first("SELECT * FROM users WHERE id = ?", (user_id,))
        if row is None or (row["deleted_at"] and not include_deleted):
            return None
        return row

    def users_by_ids(self, user_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """Users by id, the deleted ones included."""
        out: dict[int, dict[str, Any]] = {}
        for chunk in chunks(user_ids):
            rows = self._all(f"SELECT * FROM users WHERE id IN ({marks(len(chunk))})", chunk)
            out.update({r["id"]: r for r in rows})
        return out

    def find_user_by(self, field: str, value: str) -> dict[str, Any] | None:
        """The live user whose username or email is ``value``, in any case."""
        if field not in ("username", "email"):
            raise ValueError(f"users are unique by username or email, not {field!r}")
        return self._first(
            f"SELECT * FROM users WHERE deleted_at IS NULL AND lower({field}) = lower(?)",
            (value,),
        )

    def list_users(self, query: UserQuery) -> tuple[list[dict[str, Any]], int]:
        """One page of users and how many match in all."""
        clause, params = _user_where(query)
        total = self._first(f"SELECT count(*) AS n FROM users WHERE {clause}", params)
        order = (
            f"{_checked(query.sort, USER_SORT_FIELDS)} {'DESC' if query.descending else 'ASC'}, id"
        )
        rows = self._all(
            f"SELECT * FROM users WHERE {clause} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, query.limit, query.offset],
        )
        return rows, int(total["n"] if total else 0)

    def user_role_ids(self, user_id: int) -> list[int]:
        rows = self._all(
            "SELECT role_id FROM role_users WHERE user_id = ? ORDER BY role_id", (user_id,)
        )
        return [r["role_id"] for r in rows]

    def role_ids_by_user(self, user_ids: Sequence[int]) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {uid: [] for uid in user_ids}
        for chunk in chunks(user_ids):
            for r in self._all(
                f"SELECT user_id, role_id FROM role_users WHERE user_id IN "
                f"({marks(len(chunk))}) ORDER BY role_id",
                chunk,
            ):
                out[r["user_id"]].append(r["role_id"])
        return out

    # roles --------------------------------------------------------------------------------
    def insert_role(self, name: str, now: str) -> int:
        cur = self._write("INSERT INTO roles (name, created_at) VALUES (?, ?)", (name, now))
        return int(cur.lastrowid or 0)

    def get_role(self, role_id: int) -> dict[str, Any] | None:
        return self._first("SELECT * FROM roles WHERE id = ?", (role_id,))

    def list_roles(self) -> list[dict[str, Any]]:
        return self._all("SELECT * FROM roles ORDER BY id")

    def rename_role(self, role_id: int, name: str) -> None:
        self._write("UPDATE roles SET name = ? WHERE id = ?", (name, role_id))

    def delete_role(self, role_id: int) -> None:
        with self.transaction():
            self._write("DELETE FROM roles WHERE id = ?", (role_id,))
            self._write("DELETE FROM role_apps WHERE role_id = ?", (role_id,))
            self._write("DELETE FROM role_users WHERE role_id = ?", (role_id,))
            self._write("DELETE FROM role_admins WHERE role_id = ?", (role_id,))

    def role_admins(self, role_id: int) -> list[dict[str, Any]]:
        """The role's administrators (``user_id``, ``added_at``, ``added_by``), by user id."""
        return self._all(
            "SELECT user_id, added_at, added_by FROM role_admins WHERE role_id = ? "
            "ORDER BY user_id",
            (role_id,),
        )

    def add_role_admins(
        self, role_id: int, user_ids: Sequence[int], now: str, added_by: str
    ) -> None:
        self._write_many(
            "INSERT OR IGNORE INTO role_admins (role_id, user_id, added_at, added_by) "
            "VALUES (?, ?, ?, ?)",
            [(role_id, u, now, added_by) for u in user_ids],
        )

    def remove_role_admins(self, role_id: int, user_ids: Sequence[int]) -> None:
        self._write_many(
            "DELETE FROM role_admins WHERE role_id = ? AND user_id = ?",
            [(role_id, u) for u in user_ids],
        )

    def role_app_ids(self, role_id: int) -> list[int]:
        rows = self._all(
            "SELECT app_id FROM role_apps WHERE role_id = ? ORDER BY app_id", (role_id,)
        )
        return [r["app_id"] for r in rows]

    def role_user_ids(self, role_id: int) -> list[int]:
        rows = self._all(
            "SELECT user_id FROM role_users WHERE role_id = ? ORDER BY user_id", (role_id,)
        )
        return [r["user_id"] for r in rows]

    def set_role_apps(self, role_id: int, app_ids: Sequence[int]) -> None:
        """Replace the role's apps with exactly these."""
        with self.transaction():
            self._write("DELETE FROM role_apps WHERE role_id = ?", (role_id,))
            self._write_many(
                "INSERT INTO role_apps (role_id, app_id) VALUES (?, ?)",
                [(role_id, a) for a in app_ids],
            )

    def add_role_app(self, role_id: int, app_id: int) -> bool:
        """Give the role one more app; False when it already holds it."""
        cur = self._write(
            "INSERT OR IGNORE INTO role_apps (role_id, app_id) VALUES (?, ?)", (role_id, app_id)
        )
        return cur.rowcount > 0

    def remove_role_app(self, role_id: int, app_id: int) -> bool:
        """Take one app from the role; False when it did not hold it."""
        cur = self._write(
            "DELETE FROM role_apps WHERE role_id = ? AND app_id = ?", (role_id, app_id)
        )
        return cur.rowcount > 0

    def add_role_users(self, role_id: int, user_ids: Sequence[int]) -> None:
        self._write_many(
            "INSERT OR IGNORE INTO role_users (role_id, user_id) VALUES (?, ?)",
            [(role_id, u) for u in user_ids],
        )

    def remove_role_users(self, role_id: int, user_ids: Sequence[int]) -> None:
        self._write_many(
            "DELETE FROM role_users WHERE role_id = ? AND user_id = ?",
            [(role_id, u) for u in user_ids],
        )

    # apps ---------------------------------------------------------------------------------
    def insert_app(
        self, name: str, connector_id: int, connector: str, provisioning: str, now: str
    ) -> int:
        cur = self._write(
            "INSERT INTO apps (name, connector_id, connector, provisioning, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            (name, connector_id, self._sealed_connector(connector), provisioning, now, now),
        )
        return int(cur.lastrowid or 0)

    def get_app(self, app_id: int) -> dict[str, Any] | None:
        row = self._first("SELECT * FROM apps WHERE id = ?", (app_id,))
        return self._opened_app(row) if row else None

    def list_apps(self) -> list[dict[str, Any]]:
        return [self._opened_app(row) for row in self._all("SELECT * FROM apps ORDER BY id")]

    def _sealed_connector(self, text: str) -> str:
        """The connector's settings as stored: the SCIM bearer token sealed (it must be sent,
        so it cannot be a hash), everything else as the admin saved it."""
        data = json.loads(text)
        token = data.pop(_TOKEN, "")
        if token:
            data[_SEALED_TOKEN] = self.box.seal(token)
        else:
            data[_TOKEN] = ""
        return json.dumps(data)

    def _opened_app(self, row: dict[str, Any]) -> dict[str, Any]:
        text = row.get("connector")
        if text and _SEALED_TOKEN in text:
            data = json.loads(text)
            try:
                data[_TOKEN] = self.box.open(data.pop(_SEALED_TOKEN))
            except UnsealError as error:
                # The token is lost with its key; the Configuration tab asks for it again.
                _log.warning(
                    "app %s: SCIM Bearer Token unreadable, enter it again: %s", row.get("id"), error
                )
                data[_TOKEN] = ""
            row["connector"] = json.dumps(data)
        return row

    def _seal_plain_connectors(self) -> int:
        """Seal the SCIM tokens an older version stored in the clear; the apps' versions
        stay (nothing the engine compiles changes)."""
        sealed = 0
        for row in self._all("SELECT id, connector FROM apps"):
            text = row["connector"]
            if text and f'"{_TOKEN}"' in text and json.loads(text).get(_TOKEN):
                self._write(
                    "UPDATE apps SET connector = ? WHERE id = ?",
                    (self._sealed_connector(text), row["id"]),
                )
                sealed += 1
        return sealed

    def update_app(self, app_id: int, part: str, value: str, now: str) -> None:
        """Save the app's ``connector`` or ``provisioning`` settings; the app's version moves
        on so that the engine compiles the new configuration."""
        if part not in ("connector", "provisioning"):
            raise ValueError(f"an app has connector and provisioning settings, not {part!r}")
        self._write(
            f"UPDATE apps SET {part} = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            (self._sealed_connector(value) if part == "connector" else value, now, app_id),
        )

    def update_app_attributes(self, app_id: int, fields: dict[str, Any], now: str) -> None:
        """Save the app's own attributes (name, visible, description, notes)."""
        data = {_checked(k, APP_ATTRIBUTES): v for k, v in fields.items()}
        if not data:
            return
        self._write(
            f"UPDATE apps SET {', '.join(f'{k} = ?' for k in data)}, updated_at = ? WHERE id = ?",
            [*data.values(), now, app_id],
        )

    def app_role_ids(self, app_id: int) -> list[int]:
        rows = self._all(
            "SELECT role_id FROM role_apps WHERE app_id = ? ORDER BY role_id", (app_id,)
        )
        return [r["role_id"] for r in rows]

    # entitlement --------------------------------------------------------------------------
    def entitled_user_ids(self, app_id: int) -> set[int]:
        """Users with access to the app: through a role holding it, or a direct login."""
        rows = self._all(_ENTITLED_USERS.format(among_ru="", among=""), (app_id, app_id))
        return {r["uid"] for r in rows}

    def entitled_among(self, app_id: int, user_ids: Sequence[int]) -> set[int]:
        """Which of these users have access to the app; for a handful of users this avoids
        reading the app's whole membership."""
        if len(user_ids) > 500:
            return self.entitled_user_ids(app_id) & set(user_ids)
        among = f"user_id IN ({marks(len(user_ids))})"
        rows = self._all(
            _ENTITLED_USERS.format(among_ru=f"AND ru.{among}", among=f"AND {among}"),
            (app_id, *user_ids, app_id, *user_ids),
        )
        return {r["uid"] for r in rows}

    def entitled_app_ids(self, user_id: int) -> set[int]:
        rows = self._all(
            "SELECT ra.app_id AS aid FROM role_users ru JOIN role_apps ra "
            "ON ra.role_id = ru.role_id WHERE ru.user_id = ? "
            "UNION SELECT app_id AS aid FROM direct_logins WHERE user_id = ?",
            (user_id, user_id),
        )
        return {r["aid"] for r in rows}

    def has_direct_login(self, user_id: int, app_id: int) -> bool:
        return (
            self._first(
                "SELECT 1 AS yes FROM direct_logins WHERE user_id = ? AND app_id = ?",
                (user_id, app_id),
            )
            is not None
        )

    def add_direct_login(self, user_id: int, app_id: int) -> bool:
        cur = self._write("INSERT OR IGNORE INTO direct_logins VALUES (?, ?)", (user_id, app_id))
        return cur.rowcount > 0

    def remove_direct_login(self, user_id: int, app_id: int) -> bool:
        cur = self._write(
            "DELETE FROM direct_logins WHERE user_id = ? AND app_id = ?", (user_id, app_id)
        )
        return cur.rowcount > 0

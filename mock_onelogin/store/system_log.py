"""The System Log and the API credentials (client secrets hashed; access tokens)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mock_onelogin.domain.events import Event
from mock_onelogin.domain.queries import EventQuery
from mock_onelogin.store._database import Database, marks
from mock_onelogin.store._sealing import DIGEST_PREFIX, UnsealError, token_digest

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
    f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({marks(len(EVENT_COLUMNS))})"
)


class SystemLogStore(Database):
    # events -------------------------------------------------------------------------------
    def insert_events(self, events: Sequence[dict[str, Any]]) -> None:
        if events:
            self._write_many(
                _EVENT_INSERT, [tuple(e.get(c) for c in EVENT_COLUMNS) for e in events]
            )

    def prune_events(self, keep: int) -> None:
        """Keep the newest ``keep`` events."""
        with self.transaction():
            row = self._first("SELECT max(id) AS m FROM events")
            if row and row["m"] and row["m"] > keep:
                self._write("DELETE FROM events WHERE id <= ?", (row["m"] - keep,))

    def query_events(self, query: EventQuery) -> list[Event]:
        where = ["1"]
        params: list[Any] = []
        if query.event_type_ids:
            where.append(f"event_type_id IN ({marks(len(query.event_type_ids))})")
            params.extend(query.event_type_ids)
        for column, value in (
            ("user_id", query.user_id),
            ("app_id", query.app_id),
            ("id", query.event_id),
            ("client_id", query.client_id),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if query.since_ts is not None:
            where.append("created_ts >= ?")
            params.append(query.since_ts)
        if query.until_ts is not None:
            where.append("created_ts <= ?")
            params.append(query.until_ts)
        # The cursor pages in the listing's own direction.
        older, newer = ("id < ?", "id > ?") if query.descending else ("id > ?", "id < ?")
        if query.after_id is not None:
            where.append(older)
            params.append(query.after_id)
        if query.before_id is not None:
            where.append(newer)
            params.append(query.before_id)
        order = "DESC" if query.descending else "ASC"
        rows = self._all(
            f"SELECT * FROM events WHERE {' AND '.join(where)} ORDER BY id {order} LIMIT ?",
            [*params, query.limit],
        )
        return [Event(**row) for row in rows]

    # API credentials ----------------------------------------------------------------------
    def insert_client(self, client_id: str, name: str, salt: str, digest: str, now: str) -> None:
        self._write(
            "INSERT INTO api_clients VALUES (?, ?, ?, ?, ?)", (client_id, name, salt, digest, now)
        )

    def get_client(self, client_id: str) -> dict[str, Any] | None:
        return self._first("SELECT * FROM api_clients WHERE client_id = ?", (client_id,))

    # Access tokens are stored as their digest (the bearer check only verifies one) and
    # sealed (the token endpoint returns the same token until it expires); rows come back
    # with the token in the clear under "token", as the account layer expects.
    def live_token_for(self, client_id: str, now_ts: float) -> dict[str, Any] | None:
        rows = self._all(
            "SELECT * FROM tokens WHERE client_id = ? AND revoked = 0 AND "
            "expires_ts > ? ORDER BY expires_ts DESC",
            (client_id, now_ts),
        )
        for row in rows:
            try:
                row["token"] = self.box.open(row.pop("sealed") or "")
            except UnsealError:
                continue  # sealed with a lost key: the client gets a new token
            return row
        return None

    def insert_token(self, token: str, client_id: str, now: str, expires_ts: float) -> None:
        self._write(
            "INSERT INTO tokens (token, client_id, created_at, expires_ts, revoked, sealed) "
            "VALUES (?, ?, ?, ?, 0, ?)",
            (token_digest(token), client_id, now, expires_ts, self.box.seal(token)),
        )

    def get_token(self, token: str) -> dict[str, Any] | None:
        row = self._first("SELECT * FROM tokens WHERE token = ?", (token_digest(token),))
        if row is not None:
            row.pop("sealed", None)
            row["token"] = token
        return row

    def revoke_token(self, token: str) -> bool:
        return (
            self._write(
                "UPDATE tokens SET revoked = 1 WHERE token = ?", (token_digest(token),)
            ).rowcount
            > 0
        )

    def _seal_plain_tokens(self) -> int:
        """Replace the access tokens an older version stored in the clear by their digest and
        sealed copy."""
        columns = {row["name"] for row in self._all("PRAGMA table_info(tokens)")}
        if "sealed" not in columns:
            self._write("ALTER TABLE tokens ADD COLUMN sealed TEXT")
        plain = self._all("SELECT token FROM tokens WHERE token NOT LIKE ?", (DIGEST_PREFIX + "%",))
        self._write_many(
            "UPDATE tokens SET token = ?, sealed = ? WHERE token = ?",
            [(token_digest(r["token"]), self.box.seal(r["token"]), r["token"]) for r in plain],
        )
        return len(plain)

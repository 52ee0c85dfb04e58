"""The System Log and the API credentials (client secrets hashed; access tokens)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mock_onelogin.domain import modelling
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


# What an event weighs in the byte retention: the bytes of its texts that can be long, and a
# fixed share for the rest of the row.
_EVENT_SIZE = (
    " + ".join(
        f"coalesce(length(CAST({c} AS BLOB)), 0)"
        for c in ("scim", "error_description", "notes", "custom_message")
    )
    + " + 200"
)
_PRUNE_CHUNK = 500


class SystemLogStore(Database):
    # events -------------------------------------------------------------------------------
    def insert_events(self, events: Sequence[dict[str, Any]], max_bytes: int | None = None) -> None:
        """Write ``events``; in the same transaction, when the log now weighs more than
        ``max_bytes`` (``EVENT_RETENTION_BYTES`` by default), prune the oldest events down to
        nine tenths of it. The weight is a running total (``log_totals``): only the new
        events and the pruned ones are measured, never the whole table."""
        if not events:
            return
        budget = modelling.EVENT_RETENTION_BYTES if max_bytes is None else max_bytes
        with self.transaction():
            total = self._log_bytes()
            last = self._first("SELECT coalesce(max(id), 0) AS m FROM events")
            self._write_many(
                _EVENT_INSERT, [tuple(e.get(c) for c in EVENT_COLUMNS) for e in events]
            )
            added = self._first(
                f"SELECT coalesce(sum({_EVENT_SIZE}), 0) AS b FROM events WHERE id > ?",
                (last["m"] if last else 0,),
            )
            total += int(added["b"]) if added else 0
            if total > budget:
                total -= self._prune_oldest(total - budget * 9 // 10)
            self._write("UPDATE log_totals SET bytes = ? WHERE id = 1", (total,))

    def log_bytes(self) -> int:
        """What the System Log weighs now, as its byte retention counts it."""
        with self.transaction():
            return self._log_bytes()

    def _log_bytes(self) -> int:
        row = self._first("SELECT bytes FROM log_totals WHERE id = 1")
        if row is not None:
            return int(row["bytes"])
        # A new (or reset, or older) database: measured once, kept up to date from then on.
        summed = self._first(f"SELECT coalesce(sum({_EVENT_SIZE}), 0) AS b FROM events")
        total = int(summed["b"]) if summed else 0
        self._write("INSERT INTO log_totals(id, bytes) VALUES (1, ?)", (total,))
        return total

    def _prune_oldest(self, at_least: int) -> int:
        """Delete the oldest events until at least ``at_least`` bytes are freed; returns the
        bytes freed. Reads only the events it deletes (and one chunk more)."""
        freed, cutoff = 0, 0
        while freed < at_least:
            rows = self._all(
                f"SELECT id, {_EVENT_SIZE} AS size FROM events WHERE id > ? ORDER BY id LIMIT ?",
                (cutoff, _PRUNE_CHUNK),
            )
            if not rows:
                break
            for row in rows:
                freed += int(row["size"])
                cutoff = row["id"]
                if freed >= at_least:
                    break
        if cutoff:
            self._write("DELETE FROM events WHERE id <= ?", (cutoff,))
        return freed

    def prune_events(self, keep: int) -> None:
        """Keep the newest ``keep`` events."""
        with self.transaction():
            row = self._first("SELECT max(id) AS m FROM events")
            if row and row["m"] and row["m"] > keep:
                cutoff = row["m"] - keep
                total = self._log_bytes()
                freed = self._first(
                    f"SELECT coalesce(sum({_EVENT_SIZE}), 0) AS b FROM events WHERE id <= ?",
                    (cutoff,),
                )
                self._write("DELETE FROM events WHERE id <= ?", (cutoff,))
                total -= int(freed["b"]) if freed else 0
                self._write("UPDATE log_totals SET bytes = ? WHERE id = 1", (max(0, total),))

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

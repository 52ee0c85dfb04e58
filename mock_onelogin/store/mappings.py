"""User mappings and the roles they gave."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from mock_onelogin.domain.mappings import Action, Condition, MappingSpec, StoredMapping
from mock_onelogin.store._database import Database


def _mapping(row: dict[str, Any]) -> StoredMapping:
    spec = MappingSpec(
        row["name"],
        bool(row["enabled"]),
        row["match"],
        row["position"],
        tuple(Condition(**c) for c in json.loads(row["conditions"])),
        tuple(Action(a["action"], tuple(a["value"])) for a in json.loads(row["actions"])),
    )
    return StoredMapping(row["id"], spec, row["position"])


class MappingStore(Database):
    def list_mappings(self) -> list[StoredMapping]:
        """Every mapping: the enabled ones by position, then the disabled ones by id."""
        rows = self._all(
            "SELECT * FROM mappings ORDER BY position IS NULL, position, id",
        )
        return [_mapping(r) for r in rows]

    def has_enabled_mappings(self) -> bool:
        return self._first("SELECT 1 AS x FROM mappings WHERE enabled = 1 LIMIT 1") is not None

    def get_mapping(self, mapping_id: int) -> StoredMapping | None:
        row = self._first("SELECT * FROM mappings WHERE id = ?", (mapping_id,))
        return _mapping(row) if row else None

    def insert_mapping(self, spec: MappingSpec, now: str) -> int:
        cursor = self._write(
            "INSERT INTO mappings (name, enabled, match, position, conditions, actions, "
            "created_at, updated_at) VALUES (?, ?, ?, NULL, ?, ?, ?, ?)",
            (
                spec.name,
                int(spec.enabled),
                spec.match,
                json.dumps([c.to_json() for c in spec.conditions]),
                json.dumps([a.to_json() for a in spec.actions]),
                now,
                now,
            ),
        )
        return int(cursor.lastrowid or 0)

    def update_mapping(self, mapping_id: int, spec: MappingSpec, now: str) -> None:
        self._write(
            "UPDATE mappings SET name = ?, enabled = ?, match = ?, conditions = ?, actions = ?, "
            "updated_at = ? WHERE id = ?",
            (
                spec.name,
                int(spec.enabled),
                spec.match,
                json.dumps([c.to_json() for c in spec.conditions]),
                json.dumps([a.to_json() for a in spec.actions]),
                now,
                mapping_id,
            ),
        )

    def delete_mapping(self, mapping_id: int) -> None:
        with self.transaction():
            self._write("DELETE FROM mappings WHERE id = ?", (mapping_id,))

    def set_mapping_positions(self, ordered_ids: Sequence[int]) -> None:
        """Positions 1..n for the enabled mappings in this order; null for every other."""
        with self.transaction():
            self._write("UPDATE mappings SET position = NULL")
            self._write_many(
                "UPDATE mappings SET position = ? WHERE id = ?",
                [(i, mid) for i, mid in enumerate(ordered_ids, 1)],
            )

    # the roles mappings gave -----------------------------------------------------------------
    def mapped_roles(self, user_id: int) -> dict[int, int]:
        """role id -> the mapping that gave it, for one user."""
        rows = self._all(
            "SELECT role_id, mapping_id FROM mapped_roles WHERE user_id = ?", (user_id,)
        )
        return {r["role_id"]: r["mapping_id"] for r in rows}

    def mapped_role_pairs(self) -> set[tuple[int, int]]:
        """Every (user, role) a mapping gave."""
        rows = self._all("SELECT user_id, role_id FROM mapped_roles")
        return {(r["user_id"], r["role_id"]) for r in rows}

    def users_with_mapped_roles(self) -> set[int]:
        return {r["user_id"] for r in self._all("SELECT DISTINCT user_id FROM mapped_roles")}

    def remember_mapped_role(self, user_id: int, role_id: int, mapping_id: int) -> None:
        self._write(
            "INSERT OR REPLACE INTO mapped_roles (user_id, role_id, mapping_id) VALUES (?, ?, ?)",
            (user_id, role_id, mapping_id),
        )

    def forget_mapped_role(self, user_id: int, role_id: int) -> None:
        self._write(
            "DELETE FROM mapped_roles WHERE user_id = ? AND role_id = ?", (user_id, role_id)
        )

    def live_user_ids(self) -> list[int]:
        return [r["id"] for r in self._all("SELECT id FROM users WHERE deleted_at IS NULL")]

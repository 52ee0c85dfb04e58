"""What the provider keeps about a member; the store reads and writes these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class UserRow:
    """A Wrike member as stored: the SCIM document plus the columns the rules need."""

    id: str
    account_id: int
    user_name: str
    login_key: str
    active: bool
    user_type: str
    role: str
    can_configure_security: bool
    can_grant_admin: bool
    password_hash: str | None
    doc: dict[str, Any]
    created: str
    last_modified: str
    version: int
    via_scim: bool
    billable_since: str | None
    deactivated_at: str | None

    @property
    def is_admin(self) -> bool:
        return self.role in ("admin", "owner")


class Conflict(Exception):
    """A uniqueness constraint refused the write; ``column`` names which one."""

    def __init__(self, column: str) -> None:
        super().__init__(column)
        self.column = column

"""What the provider keeps about a member and a token; the store reads and writes these."""

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
    # "Edit names and emails, add/remove people from groups, deactivate and delete individual
    # user accounts" (modelling.RIGHT_EDIT_USERS).
    can_edit_users: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role in ("admin", "owner")


class Conflict(Exception):
    """A uniqueness constraint refused the write; ``column`` names which one."""

    def __init__(self, column: str) -> None:
        super().__init__(column)
        self.column = column


@dataclass(frozen=True)
class TokenFacts:
    """An API token as authentication needs it (never its secret, which is kept hashed)."""

    id: int
    app_id: int
    account_id: int
    member_id: str
    revoked_at: str | None


@dataclass(frozen=True)
class AuthFacts:
    """What a SCIM request's bearer token stands for, read in one query: the account's plan
    and approved domains, the token (``None`` when no token has this hash) and its issuer."""

    plan: str
    approved_domains: tuple[str, ...]
    token: TokenFacts | None
    issuer: UserRow | None

"""What the domain asks of persistence: the whole seam between the rules and the store.

The domain depends on this protocol only; ``create_app`` passes in the concrete store
(:class:`wrike_sp.store.sqlite.WrikeStore`). Rows an admin screen shows as they are (accounts,
API apps, tokens, the ledger) travel as dicts of their fields; a member as a
:class:`~wrike_sp.domain.records.UserRow`.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

from wrike_sp.domain.records import AuthFacts, UserRow
from wrike_sp.domain.search import UserSearch


class WrikeRepository(Protocol):
    """Small typed operations, grouped by what they keep. Each runs in one transaction of its
    own, or in the caller's :meth:`transaction` when one is open."""

    def transaction(self) -> AbstractContextManager[object]:
        """Everything inside commits together or not at all."""
        ...

    # -- accounts and approved domains ------------------------------------------------------

    def add_account(self, name: str, plan: str, created: str) -> int: ...
    def account(self, account_id: int) -> dict[str, Any] | None: ...
    def accounts(self) -> list[dict[str, Any]]: ...
    def set_plan(self, account_id: int, plan: str) -> None: ...
    def approved_domains(self, account_id: int) -> list[str]: ...
    def add_domain(self, account_id: int, domain: str) -> None: ...
    def remove_domain(self, account_id: int, domain: str) -> bool: ...

    # -- members ----------------------------------------------------------------------------

    def user(self, account_id: int, user_id: str) -> UserRow | None: ...
    def user_by_login(self, account_id: int, login_key: str) -> UserRow | None: ...

    def insert_user(self, user: UserRow, emails: list[tuple[str, str | None]]) -> None:
        """Raises :class:`~wrike_sp.domain.records.Conflict` when the userName or the login
        is taken in the account. ``emails`` are the (value, type) pairs searches run over."""
        ...

    def update_user(
        self,
        user: UserRow,
        emails: list[tuple[str, str | None]] | None,
        expected_version: int,
        previous: UserRow | None = None,
    ) -> bool:
        """Write ``user`` if its stored version is still ``expected_version`` (False when it
        is not); ``emails`` None keeps the searchable addresses as they are. Raises
        :class:`~wrike_sp.domain.records.Conflict` like :meth:`insert_user`."""
        ...

    def delete_user(self, account_id: int, user_id: str) -> bool: ...

    def search_users(
        self,
        account_id: int,
        search: UserSearch | None,
        offset: int,
        limit: int,
        max_bytes: int | None = None,
    ) -> tuple[int, list[UserRow]]:
        """One page of the members ``search`` selects (all when ``None``), oldest first, and
        how many it selects in all; with ``max_bytes``, the page ends before the member that
        would take its stored JSON past that many bytes (it holds at least one)."""
        ...

    # -- API apps and tokens ----------------------------------------------------------------

    def auth_facts(self, account_id: int, token_hash: str) -> AuthFacts | None:
        """What a bearer token with this hash stands for on the account; ``None`` when there
        is no such account. A change to any of the facts is seen by the next call."""
        ...

    def add_app(self, account_id: int, name: str, description: str, by: str, at: str) -> int: ...
    def apps(self, account_id: int) -> list[dict[str, Any]]: ...
    def app(self, account_id: int, app_id: int) -> dict[str, Any] | None: ...

    def add_token(
        self, app_id: int, account_id: int, member_id: str, token_hash: str, hint: str, at: str
    ) -> int: ...

    def tokens(self, account_id: int) -> list[dict[str, Any]]: ...
    def revoke_token(self, account_id: int, token_id: int, at: str) -> bool: ...

    # -- billing ----------------------------------------------------------------------------

    def record_billing(
        self, account_id: int, user_id: str, login: str, user_type: str, event: str, at: str
    ) -> None: ...

    def ledger(self, account_id: int) -> list[dict[str, Any]]: ...

    # -- SCIM history of each member ---------------------------------------------------------

    def record_scim(
        self, account_id: int, user_id: str, at: str, method: str, status: int, summary: str
    ) -> None:
        """One SCIM request the member's record received (inside the request's own write
        transaction when it changed the member)."""
        ...

    def scim_history(self, account_id: int, user_id: str, limit: int) -> list[dict[str, Any]]:
        """The member's SCIM requests, newest first, at most ``limit``: ``at``, ``method``,
        ``status``, ``summary``."""
        ...

    def seats(self, account_id: int) -> dict[str, int]:
        """Active billable members by user type."""
        ...

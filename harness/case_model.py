"""The parts of a support case (docs/case-files.md), as the validator in harness/case.py
builds them: plain frozen dataclasses, so the action table, the replay and the export read a
case without knowing YAML."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class WrikeAdmin:
    name: str
    email: str
    rights: frozenset[str]
    admin: bool = True
    # Rights Wrike grants every new admin that this admin does not hold (``without_rights``).
    withheld: frozenset[str] = frozenset()


@dataclass(frozen=True)
class WrikeUser:
    email: str
    admin: bool = False
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WrikeSetup:
    plan: str
    approved_domains: tuple[str, ...]
    admins: tuple[WrikeAdmin, ...]
    users: tuple[WrikeUser, ...]


@dataclass(frozen=True)
class OneLoginUser:
    email: str
    attributes: dict[str, str] = field(default_factory=dict)
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class MappingCondition:
    """One condition of a user mapping: a OneLogin attribute (the case-file name), an
    operator label (is, is not, contains, does not contain) and the value."""

    attribute: str
    operator: str
    value: str


@dataclass(frozen=True)
class CaseMapping:
    """A OneLogin user mapping that adds ``role`` (a role holding the Wrike app) to the users
    its conditions match (``match``: all or any)."""

    name: str
    role: str
    conditions: tuple[MappingCondition, ...]
    match: str = "all"
    enabled: bool = True


@dataclass(frozen=True)
class OneLoginSetup:
    #: "account" (the account's SCIM URL), "wrong" (a typo in the path) or "none".
    scim_url: str
    #: The name of the Wrike admin whose token is used, "wrong", or "none".
    token: str
    provisioning: bool
    require_approval: tuple[str, ...]
    deprovision_action: str | None
    suspension_action: str | None
    update_method: str | None
    users: tuple[OneLoginUser, ...]
    #: User mappings, created (with their roles, which hold the Wrike app) before the users.
    mappings: tuple[CaseMapping, ...] = ()
    #: "Enable" next to API Status was clicked after the Configuration tab was saved (the
    #: article's step 7); False: the case's customer never clicked it.
    api_connection_enabled: bool = True


@dataclass(frozen=True)
class Step:
    """One timeline entry: ``timeline[index]``, written at ``line``."""

    index: int
    line: int
    action: str
    params: dict[str, Any]

    @property
    def where(self) -> str:
        return f"timeline[{self.index}] (line {self.line}, {self.action})"


@dataclass(frozen=True)
class Check:
    """One expectation: a key of an ``expect`` entry and the value it must have."""

    key: str
    value: Any
    line: int


@dataclass(frozen=True)
class UserExpectation:
    user: str
    line: int
    checks: tuple[Check, ...]


@dataclass(frozen=True)
class Expectations:
    users: tuple[UserExpectation, ...] = ()
    seats: dict[str, int] | None = None
    seats_line: int = 0
    api_status: str | None = None
    api_status_line: int = 0

    @property
    def empty(self) -> bool:
        return not self.users and self.seats is None and self.api_status is None


@dataclass(frozen=True)
class Case:
    path: str
    title: str
    description: str
    wrike: WrikeSetup
    onelogin: OneLoginSetup
    timeline: tuple[Step, ...]
    expect: Expectations
    #: Fields the file states explicitly (dotted), so an export writes only what was said.
    explicit: frozenset[str]
    #: Where the replay's ids and random values come from (``seed:``; the harness's seed by
    #: default), so a replay prints the same bytes every time.
    seed: int = 4242

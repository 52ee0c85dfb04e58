"""What callers ask the store for, as typed values: the store alone turns them into SQL.

The API, the console and the System Log screens each filter users, events and tasks their own
way (OneLogin's API filters match exactly with ``*`` as a wildcard; the console's search box
matches a part of a name, email or username). They describe the filter here; the store
renders it, so no SQL text lives outside ``mock_onelogin/store``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mock_onelogin.domain.directory import CUSTOM_ATTRIBUTES
from mock_onelogin.domain.errors import ValidationFailed
from mock_onelogin.domain.provisioning import TaskState

#: User fields OneLogin's API filters by value (``GET /api/2/users?email=...``).
USER_TEXT_FIELDS = ("firstname", "lastname", "email", "username", "samaccountname", "external_id")
#: User stamps the API filters by time (``created_since`` and the like).
USER_TIME_FIELDS = ("created_at", "updated_at")
#: Fields ``GET /api/2/users?sort=`` accepts.
USER_SORT_FIELDS = ("id", "created_at", "updated_at", "email", "username", "firstname", "lastname")


@dataclass(frozen=True)
class Match:
    """OneLogin's filter value: an exact match, or a pattern when it holds ``*`` (any run of
    characters)."""

    value: str

    @property
    def wildcard(self) -> bool:
        return "*" in self.value


@dataclass(frozen=True)
class TimeBound:
    """``field`` at or after (``after=True``) or at or before a stamp (ISO 8601, UTC)."""

    field: str
    stamp: str
    after: bool


@dataclass(frozen=True)
class UserQuery:
    """Directory users (never the deleted ones), filtered, sorted and paged."""

    #: Field name (one of ``USER_TEXT_FIELDS``) -> the value it must match.
    matches: tuple[tuple[str, Match], ...] = ()
    #: Custom attribute name (one of ``CUSTOM_ATTRIBUTES``) -> the value it must match.
    custom: tuple[tuple[str, Match], ...] = ()
    times: tuple[TimeBound, ...] = ()
    #: A filter that no user can meet (e.g. last login: nobody logs in to the simulator).
    nobody: bool = False
    directory_id: int | None = None
    ids: tuple[int, ...] | None = None
    #: Users holding at least one of these roles.
    role_ids: tuple[int, ...] | None = None
    #: The console's search box: a part of the full name, email or username, any case.
    search: str = ""
    sort: str = "id"
    descending: bool = False
    limit: int = 50
    offset: int = 0

    def __post_init__(self) -> None:
        for name, _ in self.matches:
            if name not in USER_TEXT_FIELDS:
                raise ValidationFailed(f"users cannot be filtered by {name!r}", name)
        for name, _ in self.custom:
            if name not in CUSTOM_ATTRIBUTES:
                raise ValidationFailed(f"no custom attribute {name!r}", name)
        for bound in self.times:
            if bound.field not in USER_TIME_FIELDS:
                raise ValidationFailed(f"users cannot be filtered by {bound.field!r}", bound.field)
        if self.sort not in USER_SORT_FIELDS:
            raise ValidationFailed(f"Invalid sort field: {self.sort}", "sort")


@dataclass(frozen=True)
class EventQuery:
    """System Log events, newest first unless ``descending`` is false. ``after_id`` and
    ``before_id`` page in the listing's own direction (OneLogin's cursor)."""

    event_type_ids: tuple[int, ...] = ()
    user_id: int | None = None
    app_id: int | None = None
    event_id: int | None = None
    client_id: str | None = None
    since_ts: float | None = None
    until_ts: float | None = None
    after_id: int | None = None
    before_id: int | None = None
    descending: bool = True
    limit: int = 50


@dataclass(frozen=True)
class TaskQuery:
    """Provisioning tasks, oldest first."""

    app_id: int | None = None
    user_id: int | None = None
    states: tuple[TaskState, ...] = field(default=())
    limit: int = 1000

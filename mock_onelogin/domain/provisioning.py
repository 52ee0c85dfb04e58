"""Provisioning rules: what a directory change means for the app, the approval gate, the
deprovision actions, and the provisioning state each task step shows.

State names are exactly OneLogin's API values (including the SDK's own spelling
``disabling_pendding_approval``); the Python SDK rejects anything else.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from mock_onelogin.domain import modelling
from mock_onelogin.domain.errors import ValidationFailed
from mock_onelogin.domain.events import EventType

PROVISIONING_STATES = (
    "unknown",
    "provisioning",
    "modifying",
    "deleting",
    "provisioning_pending_approval",
    "deleting_pending_approval",
    "modifying_pending_approval",
    "linking",
    "provisioned",
    "deleted",
    "modifying_failed",
    "provisioning_failed",
    "deleting_failed",
    "linking_failed",
    "disabled",
    "nonexistent",
    "modifying_pending_approval_then_disabled",
)
PROVISIONING_STATUSES = (
    "enabling",
    "disabling",
    "enabling_pending_approval",
    "disabling_pendding_approval",
    "enabled",
    "disabled",
    "disabling_failed",
    "enabling_failed",
)


class DeprovisionAction(StrEnum):
    """When users are deleted in OneLogin, or the user's app access is removed, perform the
    below action."""

    DELETE = "Delete"
    SUSPEND = "Suspend"
    DO_NOTHING = modelling.DO_NOTHING_LABEL


class SuspendAction(StrEnum):
    """When user accounts are suspended in OneLogin, perform the following action."""

    SUSPEND = "Suspend"
    DO_NOTHING = modelling.DO_NOTHING_LABEL


class UpdateMethod(StrEnum):
    """How attribute changes reach the provider: PUT of the whole template, or PATCH."""

    PUT = "put"
    PATCH = "patch"


class TaskKind(StrEnum):
    """What a task does to the account in the app; NOTHING is the "Do Nothing" warning."""

    CREATE = "create"
    UPDATE = "update"
    SUSPEND = "suspend"
    REACTIVATE = "reactivate"
    DELETE = "delete"
    NOTHING = "nothing"


class TaskState(StrEnum):
    """Where a task is in the durable queue (not OneLogin's provisioning_state, which the
    login shows)."""

    PENDING_APPROVAL = "pending_approval"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    DENIED = "denied"
    SUPERSEDED = "superseded"


#: Task states that still stand for work to do; a newer decision may replace them.
OPEN_TASK_STATES = (TaskState.PENDING_APPROVAL, TaskState.QUEUED, TaskState.FAILED)


class Remote(StrEnum):
    """What OneLogin last confirmed about the user's account in the app."""

    ABSENT = "absent"
    ACTIVE = "active"
    SUSPENDED = "suspended"


@dataclass(frozen=True)
class RetryPolicy:
    """Automatic retry of failed SCIM calls; ``max_attempts`` 0 means off (the default)."""

    max_attempts: int = modelling.DEFAULT_RETRY_MAX_ATTEMPTS
    base_delay_s: float = modelling.DEFAULT_RETRY_BASE_DELAY_S
    max_delay_s: float = modelling.DEFAULT_RETRY_MAX_DELAY_S

    def delay(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait after ``attempt`` failed attempts; None when no retry is due.

        ``max_attempts`` counts automatic retries after the first attempt. A 429's
        Retry-After wins over the exponential backoff, because the provider said exactly when
        it will accept the call again."""
        if attempt > self.max_attempts:
            return None
        if retry_after is not None:
            return max(0.0, retry_after)
        return min(self.max_delay_s, self.base_delay_s * (2 ** (attempt - 1)))


_DEFAULT_ON_DELETE = DeprovisionAction(modelling.DEFAULT_ON_DELETE)
_DEFAULT_ON_SUSPEND = SuspendAction(modelling.DEFAULT_ON_SUSPEND)
_DEFAULT_UPDATE_METHOD = UpdateMethod(modelling.DEFAULT_UPDATE_METHOD)
_NO_RETRY = RetryPolicy()


@dataclass(frozen=True)
class ProvisioningSettings:
    """The app's Provisioning tab, plus the simulator's per-app update method and retry."""

    enabled: bool = modelling.DEFAULT_PROVISIONING_ENABLED
    approve_create: bool = modelling.DEFAULT_REQUIRE_APPROVAL["create_user"]
    approve_update: bool = modelling.DEFAULT_REQUIRE_APPROVAL["update_user"]
    approve_delete: bool = modelling.DEFAULT_REQUIRE_APPROVAL["delete_user"]
    on_delete: DeprovisionAction = _DEFAULT_ON_DELETE
    on_suspend: SuspendAction = _DEFAULT_ON_SUSPEND
    update_method: UpdateMethod = _DEFAULT_UPDATE_METHOD
    retry: RetryPolicy = _NO_RETRY

    def requires_approval(self, kind: TaskKind) -> bool:
        """The approval gate: which "Require admin approval" checkbox holds this task."""
        gate = {
            TaskKind.CREATE: "create_user",
            TaskKind.UPDATE: "update_user",
            TaskKind.DELETE: "delete_user",
            TaskKind.SUSPEND: modelling.SUSPEND_APPROVAL_GATE,
            TaskKind.REACTIVATE: modelling.REACTIVATE_APPROVAL_GATE,
        }.get(kind)
        return {
            "create_user": self.approve_create,
            "update_user": self.approve_update,
            "delete_user": self.approve_delete,
        }.get(gate or "", False)

    def to_json(self) -> dict[str, Any]:
        """The tab with OneLogin's labels, so an admin recognises each setting."""
        return {
            "enabled": self.enabled,
            "require_approval": {
                "create_user": self.approve_create,
                "update_user": self.approve_update,
                "delete_user": self.approve_delete,
            },
            "on_delete": self.on_delete.value,
            "on_suspend": self.on_suspend.value,
            "update_method": self.update_method.value,
            "retry_policy": {
                "max_attempts": self.retry.max_attempts,
                "base_delay_s": self.retry.base_delay_s,
                "max_delay_s": self.retry.max_delay_s,
            },
            "labels": {
                "enabled": "Enable provisioning",
                "require_approval": "Require admin approval before this action is performed",
                "create_user": "Create user",
                "delete_user": "Delete user",
                "update_user": "Update user",
                "on_delete": "When users are deleted in OneLogin, or the user's app access is "
                "removed, perform the below action",
                "on_suspend": "When user accounts are suspended in OneLogin, perform the "
                "following action",
            },
        }

    def updated(self, data: dict[str, Any]) -> ProvisioningSettings:
        """Apply a partial change from the simulator API, refusing unknown keys and values."""
        known = {
            "enabled",
            "require_approval",
            "on_delete",
            "on_suspend",
            "update_method",
            "retry_policy",
            "labels",
        }
        unknown = set(data) - known
        if unknown:
            raise ValidationFailed(
                f"unknown provisioning setting(s): {sorted(unknown)}; "
                f"known: {sorted(known - {'labels'})}"
            )
        changes: dict[str, Any] = {}
        if "enabled" in data:
            changes["enabled"] = _bool(data["enabled"], "enabled")
        if "require_approval" in data:
            approval = data["require_approval"]
            if not isinstance(approval, dict):
                raise ValidationFailed(
                    "require_approval must be an object with create_user, "
                    "update_user and/or delete_user booleans",
                    "require_approval",
                )
            extra = set(approval) - {"create_user", "update_user", "delete_user"}
            if extra:
                raise ValidationFailed(
                    f"require_approval: unknown action(s) {sorted(extra)}; "
                    "use create_user, update_user, delete_user",
                    "require_approval",
                )
            for key, attr in (
                ("create_user", "approve_create"),
                ("update_user", "approve_update"),
                ("delete_user", "approve_delete"),
            ):
                if key in approval:
                    changes[attr] = _bool(approval[key], f"require_approval.{key}")
        if "on_delete" in data:
            changes["on_delete"] = _choice(DeprovisionAction, data["on_delete"], "on_delete")
        if "on_suspend" in data:
            changes["on_suspend"] = _choice(SuspendAction, data["on_suspend"], "on_suspend")
        if "update_method" in data:
            changes["update_method"] = _choice(UpdateMethod, data["update_method"], "update_method")
        if "retry_policy" in data:
            changes["retry"] = _retry(data["retry_policy"])
        return replace(self, **changes)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProvisioningSettings:
        return cls().updated({k: v for k, v in data.items() if k != "labels"})


def _bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationFailed(f"{name} must be true or false, not {value!r}", name)
    return value


def _choice(enum: type[StrEnum], value: Any, name: str) -> Any:
    """A choice matched case-insensitively, so the older spelling "Do nothing" (stored
    settings, case files, API callers) still reads as OneLogin's "Do Nothing"."""
    for member in enum:
        if isinstance(value, str) and value.strip().lower() == member.value.lower():
            return member
    raise ValidationFailed(f"{name} must be one of {[m.value for m in enum]}, not {value!r}", name)


def _retry(data: Any) -> RetryPolicy:
    if not isinstance(data, dict):
        raise ValidationFailed(
            "retry_policy must be an object with max_attempts, base_delay_s, max_delay_s",
            "retry_policy",
        )
    extra = set(data) - {"max_attempts", "base_delay_s", "max_delay_s"}
    if extra:
        raise ValidationFailed(f"retry_policy: unknown key(s) {sorted(extra)}", "retry_policy")
    policy = RetryPolicy()
    attempts = data.get("max_attempts", policy.max_attempts)
    base = data.get("base_delay_s", policy.base_delay_s)
    cap = data.get("max_delay_s", policy.max_delay_s)
    if isinstance(attempts, bool) or not isinstance(attempts, int) or not 0 <= attempts <= 20:
        raise ValidationFailed("retry_policy.max_attempts must be an integer 0..20", "retry_policy")
    for name, value in (("base_delay_s", base), ("max_delay_s", cap)):
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ValidationFailed(f"retry_policy.{name} must be a number >= 0", "retry_policy")
    return RetryPolicy(attempts, float(base), float(cap))


@dataclass(frozen=True)
class Entitlement:
    """The directory's view of one user and one app at this moment."""

    assigned: bool
    user_deleted: bool = False
    suspended: bool = False


@dataclass(frozen=True)
class LoginMemory:
    """What OneLogin remembers about the user's account in the app between changes."""

    remote: Remote = Remote.ABSENT
    was_entitled: bool = False
    was_suspended: bool = False
    confirmed_hash: str | None = None


def decide(
    settings: ProvisioningSettings, memory: LoginMemory, now: Entitlement, body_hash: str | None
) -> TaskKind | None:
    """What a directory change means for the app: the one task that brings the app's account
    to what the directory intends, or None.

    ``body_hash`` is the hash of the currently rendered template; it is only consulted when
    the account is active in the app (so callers may pass None otherwise). Provisioning
    disabled means no task at all: no SCIM call and no provisioning event.
    """
    if not settings.enabled:
        return None
    has_access = now.assigned and not now.user_deleted
    if has_access and not now.suspended:
        if memory.remote is Remote.ABSENT:
            return TaskKind.CREATE
        if memory.remote is Remote.SUSPENDED:
            return TaskKind.REACTIVATE
        if body_hash is not None and body_hash != memory.confirmed_hash:
            return TaskKind.UPDATE
        return None
    if has_access and now.suspended:
        if settings.on_suspend is SuspendAction.SUSPEND:
            return TaskKind.SUSPEND if memory.remote is Remote.ACTIVE else None
        if (
            memory.remote is Remote.ACTIVE
            and not memory.was_suspended
            and modelling.LOG_DO_NOTHING_ON_SUSPEND
        ):
            return TaskKind.NOTHING
        return None
    # Access lost: unassigned, or the user deleted in OneLogin.
    if memory.remote is Remote.ABSENT:
        return None
    if settings.on_delete is DeprovisionAction.DELETE:
        return TaskKind.DELETE
    if settings.on_delete is DeprovisionAction.SUSPEND:
        return TaskKind.SUSPEND if memory.remote is Remote.ACTIVE else None
    return TaskKind.NOTHING if memory.was_entitled else None


@dataclass(frozen=True)
class StepStates:
    """The (provisioning_state, provisioning_status) a login shows at each step of a task."""

    pending: tuple[str, str]
    running: tuple[str, str]
    failed: tuple[str, str]
    success_event: EventType
    failure_event: EventType


TASK_STATES: dict[TaskKind, StepStates] = {
    TaskKind.CREATE: StepStates(
        ("provisioning_pending_approval", "enabled"),
        ("provisioning", "enabled"),
        ("provisioning_failed", "enabled"),
        EventType.USER_CREATED_IN_APP,
        EventType.USER_CREATION_FAILED_IN_APP,
    ),
    TaskKind.UPDATE: StepStates(
        ("modifying_pending_approval", "enabled"),
        ("modifying", "enabled"),
        ("modifying_failed", "enabled"),
        EventType.USER_UPDATED_IN_APP,
        EventType.USER_UPDATE_FAILED_IN_APP,
    ),
    TaskKind.SUSPEND: StepStates(
        ("modifying_pending_approval", "disabling_pendding_approval"),
        ("modifying", "disabling"),
        ("modifying_failed", "disabling_failed"),
        EventType.USER_SUSPENDED_IN_APP,
        EventType.USER_SUSPENSION_FAILED_IN_APP,
    ),
    TaskKind.REACTIVATE: StepStates(
        ("modifying_pending_approval", "enabling_pending_approval"),
        ("modifying", "enabling"),
        ("modifying_failed", "enabling_failed"),
        EventType.USER_REACTIVATED_IN_APP,
        EventType.USER_REACTIVATION_FAILED_IN_APP,
    ),
    TaskKind.DELETE: StepStates(
        ("deleting_pending_approval", "enabled"),
        ("deleting", "enabled"),
        ("deleting_failed", "enabled"),
        EventType.USER_DELETED_IN_APP,
        EventType.USER_DELETION_FAILED_IN_APP,
    ),
}

#: Where a successful task leaves the login.
SUCCESS_STATES: dict[TaskKind, tuple[str, str, Remote]] = {
    TaskKind.CREATE: ("provisioned", "enabled", Remote.ACTIVE),
    TaskKind.UPDATE: ("provisioned", "enabled", Remote.ACTIVE),
    TaskKind.REACTIVATE: ("provisioned", "enabled", Remote.ACTIVE),
    TaskKind.SUSPEND: ("disabled", "disabled", Remote.SUSPENDED),
    TaskKind.DELETE: ("deleted", "enabled", Remote.ABSENT),
}


def precondition_holds(kind: TaskKind, remote: Remote, scim_id: str | None) -> bool:
    """A task queued earlier may no longer fit by the time it runs (another task already
    did the work); such a task is superseded instead of sending a request that makes no sense.
    """
    if kind is TaskKind.CREATE:
        return remote is Remote.ABSENT
    if kind is TaskKind.NOTHING:
        return True
    if not scim_id:
        return False
    if kind is TaskKind.UPDATE:
        return remote is Remote.ACTIVE
    if kind is TaskKind.SUSPEND:
        return remote is Remote.ACTIVE
    if kind is TaskKind.REACTIVATE:
        return remote is Remote.SUSPENDED
    return remote is not Remote.ABSENT  # DELETE

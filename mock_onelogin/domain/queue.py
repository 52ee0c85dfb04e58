"""The task queue's rules: the state machine a task follows, and what one directory change
means for a login and the task already open for it.

OneLogin shows a login's ``provisioning_state`` (``provisioning``, ``modifying_pending_approval``
...) while a task for it waits or runs, and the state it rests in once no task is open. The
queue keeps at most one open task per login: a change that asks for the same task keeps it;
one that asks for something else supersedes it (unless it is running: then the change is
checked again once the running task has confirmed what the app holds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from mock_onelogin.domain.errors import Conflict
from mock_onelogin.domain.provisioning import (
    TASK_STATES,
    Entitlement,
    LoginMemory,
    ProvisioningSettings,
    Remote,
    TaskKind,
    TaskState,
    decide,
)

#: The state machine a task row follows. The store refuses any other move.
TASK_TRANSITIONS: dict[TaskState, frozenset[TaskState]] = {
    TaskState.PENDING_APPROVAL: frozenset(
        {TaskState.QUEUED, TaskState.DENIED, TaskState.SUPERSEDED}
    ),
    TaskState.QUEUED: frozenset({TaskState.RUNNING, TaskState.SUPERSEDED}),
    TaskState.RUNNING: frozenset(
        {TaskState.DONE, TaskState.FAILED, TaskState.QUEUED, TaskState.SUPERSEDED}
    ),
    TaskState.FAILED: frozenset({TaskState.QUEUED, TaskState.SUPERSEDED}),
    TaskState.DONE: frozenset(),
    TaskState.DENIED: frozenset(),
    TaskState.SUPERSEDED: frozenset(),
}


class IllegalTransition(Conflict):
    """409: a task was asked to move to a state its state machine does not allow from where
    it is (approving a task that already ran, retrying one that did not fail)."""


def can_transition(current: TaskState, target: TaskState) -> bool:
    return target in TASK_TRANSITIONS[current]


def sources_of(target: TaskState) -> tuple[TaskState, ...]:
    """Every state a task may reach ``target`` from."""
    return tuple(s for s, targets in TASK_TRANSITIONS.items() if target in targets)


def check_transition(current: TaskState, target: TaskState, task_id: int | None = None) -> None:
    if not can_transition(current, target):
        which = "A task" if task_id is None else f"Task {task_id}"
        raise IllegalTransition(f"{which} is {current.value}; it cannot become {target.value}")


def resting_state(remote: Remote | str) -> tuple[str, str]:
    """The (provisioning_state, provisioning_status) a login shows when no task is open."""
    if remote == Remote.ACTIVE:
        return "provisioned", "enabled"
    if remote == Remote.SUSPENDED:
        return "disabled", "disabled"
    return "unknown", "enabled"


@dataclass(frozen=True, slots=True)
class Login:
    """What OneLogin remembers about one user's account in one app between changes, and the
    provisioning state the login shows."""

    login_id: int
    user_id: int
    app_id: int
    #: The account's id in the app, once created or linked.
    scim_id: str | None
    remote: Remote
    #: Fingerprint of the body the app last confirmed (an update is due when it changes).
    confirmed_hash: str | None
    was_entitled: bool
    was_suspended: bool
    provisioning_state: str
    provisioning_status: str
    last_error: str | None
    updated_at: str | None

    @property
    def shown(self) -> tuple[str, str]:
        return self.provisioning_state, self.provisioning_status

    @property
    def memory(self) -> LoginMemory:
        return LoginMemory(self.remote, self.was_entitled, self.was_suspended, self.confirmed_hash)


@dataclass(frozen=True, slots=True)
class Task:
    """One provisioning task, as the queue keeps it."""

    id: int
    user_id: int
    app_id: int
    kind: TaskKind
    state: TaskState
    #: What directory change queued it ("user added to role", "reconciliation" ...).
    trigger: str
    attempts: int
    #: When it may run next (seconds since the epoch); a retry waits.
    due_at: float
    #: The login's resting state when the task was queued (restored if it is denied).
    prev_state: str | None
    prev_status: str | None
    error: str | None
    created_at: str
    updated_at: str


class ChangeOutcome(NamedTuple):
    """What one change means for one login."""

    #: The task to queue now, or None.
    new_task: TaskKind | None
    #: Its first state: pending approval when the approval box for its kind is ticked.
    new_state: TaskState | None
    #: The open task no longer fits and is superseded.
    supersede: bool
    #: The state the login shows from now on.
    state: tuple[str, str]
    #: The state the login goes back to if the new task is denied (its resting state now).
    rest: tuple[str, str]
    #: The login's task is running: check this login again once it has finished.
    recheck: bool


def change_outcome(
    settings: ProvisioningSettings,
    memory: LoginMemory,
    entitlement: Entitlement,
    current_hash: str | None,
    shown: tuple[str, str] | None,
    open_task: Task | None,
) -> ChangeOutcome:
    """What a directory change means for a login and the task open for it.

    ``shown`` is the state the login shows now (None before the app knew the user);
    ``current_hash`` the fingerprint of the template rendered for the user now (only
    consulted while the account is active in the app)."""
    kind = decide(settings, memory, entitlement, current_hash)
    state = shown or ("unknown", "enabled")
    rest = resting_state(memory.remote)
    running = open_task is not None and open_task.state is TaskState.RUNNING
    if not settings.enabled:
        return ChangeOutcome(None, None, False, state, rest, running)
    keep = open_task is not None and open_task.kind == kind
    supersede = open_task is not None and not keep and not running
    if supersede and kind is None:
        state = rest
    new_state: TaskState | None = None
    if kind is not None and not keep:
        if kind is TaskKind.NOTHING:
            new_state = TaskState.QUEUED
        elif settings.requires_approval(kind):
            new_state = TaskState.PENDING_APPROVAL
            state = TASK_STATES[kind].pending
        else:
            new_state = TaskState.QUEUED
            state = TASK_STATES[kind].running
    return ChangeOutcome(
        kind if new_state is not None else None, new_state, supersede, state, rest, running
    )


# What the queue writes: one record per row, handed to the store in batches (named tuples:
# as immutable as a frozen dataclass, and several times cheaper to make, which counts when a
# role gains 10,000 users). ------------------------------------------------------------------
class LoginMark(NamedTuple):
    """A login as a change leaves it: whether the directory entitles and suspends the user,
    and the state the login shows."""

    user_id: int
    app_id: int
    entitled: bool
    suspended: bool
    state: tuple[str, str]


class NewTask(NamedTuple):
    user_id: int
    app_id: int
    kind: TaskKind
    state: TaskState
    trigger: str
    due_at: float
    #: The login's resting state when the task was queued (restored if it is denied).
    rest: tuple[str, str]


class TaskResult(NamedTuple):
    """How a running task ended: done, failed, queued again for a retry, or superseded."""

    task_id: int
    state: TaskState
    attempts: int
    due_at: float
    error: str | None


class LoginResult(NamedTuple):
    """What a task that ran confirmed about the account in the app."""

    login_id: int
    scim_id: str | None
    remote: str
    confirmed_hash: str | None
    state: tuple[str, str]
    last_error: str | None

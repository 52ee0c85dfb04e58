"""The approval queue: an admin approves or denies a pending request (Create user, Update
user, Delete user ticked on the Provisioning tab) or retries a failed one. The three are one
move of the task through its state machine, each with its own login state and event."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mock_onelogin.account._context import SIMULATOR_ADMIN, AccountContext, Actor
from mock_onelogin.account.apps import Apps
from mock_onelogin.account.planned import TaskPlan, plan_task
from mock_onelogin.domain import modelling
from mock_onelogin.domain.errors import Conflict, NotFound, ValidationFailed
from mock_onelogin.domain.events import EventType
from mock_onelogin.domain.provisioning import (
    OPEN_TASK_STATES,
    TASK_STATES,
    TaskKind,
    TaskState,
)
from mock_onelogin.domain.queries import TaskQuery
from mock_onelogin.domain.queue import Task


@dataclass(frozen=True)
class _Decision:
    """One admin decision on a task: where it must be, where it goes, what is logged."""

    verb: str
    source: TaskState
    target: TaskState
    event: EventType
    note: str
    #: The task runs again from the first attempt.
    reset_attempts: bool = False

    @property
    def runs(self) -> bool:
        return self.target is TaskState.QUEUED


_APPROVE = _Decision(
    "approved",
    TaskState.PENDING_APPROVAL,
    TaskState.QUEUED,
    EventType.USER_APP_REQUEST_APPROVED,
    "Approved: {kind} user",
)
_DENY = _Decision(
    "denied",
    TaskState.PENDING_APPROVAL,
    TaskState.DENIED,
    EventType.USER_APP_REQUEST_DENIED,
    "Denied: {kind} user; nothing was sent",
)
_RETRY = _Decision(
    "retried",
    TaskState.FAILED,
    TaskState.QUEUED,
    EventType.PROVISIONING_EVENT,
    "Retry requested: {kind} user",
    reset_attempts=True,
)


class Approvals:
    def __init__(self, ctx: AccountContext, apps: Apps) -> None:
        self._ctx = ctx
        self._store = ctx.store
        self._apps = apps

    def plan(self, task: Task) -> TaskPlan:
        """The SCIM calls the task will make if it runs now (the approval dialog)."""
        return plan_task(self._apps, self._store, task)

    def require_task(self, task_id: int) -> Task:
        task = self._store.get_task(task_id)
        if task is None:
            raise NotFound(f"Task {task_id} could not be found")
        return task

    def list_tasks(
        self, app_id: int | None = None, state: str | None = None, user_id: int | None = None
    ) -> list[Task]:
        """Tasks, oldest first; ``state`` is one state or several, comma-separated (an empty
        list of states matches no task)."""
        states: list[TaskState] = []
        for name in (s.strip() for s in (state or "").split(",")):
            if not name:
                continue
            if name not in TaskState.__members__.values():
                raise ValidationFailed(
                    f"unknown task state {name!r}; use one of {[t.value for t in TaskState]}",
                    "state",
                )
            states.append(TaskState(name))
        if state is not None and not states:
            return []
        return self._store.list_tasks(TaskQuery(app_id, user_id, tuple(states)))

    def open_tasks(self, app_id: int) -> dict[int, Task]:
        """The open task of each user of the app (pending approval, queued, running, failed)."""
        return self._store.open_tasks_for_app(app_id)

    def pending_count(self) -> dict[str, int]:
        return {s.value: self._store.count_tasks(s) for s in OPEN_TASK_STATES}

    def approve(self, task_id: int, actor: Actor = SIMULATOR_ADMIN) -> Task:
        """Approve one pending request: it runs (at once in sync mode, else on the next
        drain) and the approval is logged (event 137)."""
        return self._decide(_APPROVE, lambda: [self.require_task(task_id)], actor)[0]

    def approve_all(self, app_id: int | None = None, actor: Actor = SIMULATOR_ADMIN) -> list[int]:
        """Approve every pending request (of one app, if given) in one go."""
        if app_id is not None:
            self._ctx.require_app(app_id)
        approved = self._decide(
            _APPROVE,
            lambda: self.list_tasks(app_id=app_id, state=TaskState.PENDING_APPROVAL.value),
            actor,
        )
        return [t.id for t in approved]

    def deny(self, task_id: int, actor: Actor = SIMULATOR_ADMIN) -> Task:
        """Deny a pending request: nothing is sent, and the login goes back to where it was
        (a denied create leaves the modelled state, ``modelling.DENIED_CREATE_STATE``)."""
        return self._decide(_DENY, lambda: [self.require_task(task_id)], actor)[0]

    def retry(self, task_id: int, actor: Actor = SIMULATOR_ADMIN) -> Task:
        """Run a failed task again, from its first attempt."""
        return self._decide(_RETRY, lambda: [self.require_task(task_id)], actor)[0]

    def _decide(
        self, decision: _Decision, read: Callable[[], list[Task]], actor: Actor
    ) -> list[Task]:
        """Apply one decision to the tasks ``read`` returns, read in the same transaction so
        that no change can slip in between the check and the move."""
        store = self._ctx.store
        now, now_ts = self._ctx.now(), self._ctx.clock.now().timestamp()
        with store.transaction():
            tasks = read()
            for task in tasks:
                if task.state != decision.source:
                    raise Conflict(
                        f"Task {task.id} is {task.state.value}; only {decision.source.value} "
                        f"tasks can be {decision.verb}"
                    )
            for task in tasks:
                kind = task.kind
                store.move_task(
                    task.id,
                    decision.source,
                    decision.target,
                    now,
                    due_at=now_ts if decision.runs else None,
                    reset_attempts=decision.reset_attempts,
                )
                store.show_login_state(task.user_id, task.app_id, self._shown(decision, task))
                user = store.get_user(task.user_id, include_deleted=True) or {}
                self._ctx.log(
                    [
                        self._ctx.event(
                            decision.event,
                            actor,
                            user=user,
                            app=self._ctx.app_pair(task.app_id),
                            notes=decision.note.format(kind=kind.value),
                        )
                    ]
                )
        if decision.runs:
            self._ctx.run_now()
        return [self.require_task(t.id) for t in tasks]

    @staticmethod
    def _shown(decision: _Decision, task: Task) -> tuple[str, str]:
        """The login's state once the decision is made."""
        kind = task.kind
        if decision.runs:
            return TASK_STATES[kind].running
        if kind is TaskKind.CREATE:
            return modelling.DENIED_CREATE_STATE, "enabled"
        return task.prev_state or "unknown", task.prev_status or "enabled"

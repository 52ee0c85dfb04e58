"""The task queue: what a change means for a login and its open task (a pure rule), and the
state machine the store enforces on every move of a task."""

from __future__ import annotations

import pytest

from mock_onelogin import OneLoginAccount
from mock_onelogin.domain.provisioning import (
    Entitlement,
    LoginMemory,
    ProvisioningSettings,
    Remote,
    TaskKind,
    TaskState,
)
from mock_onelogin.domain.queue import (
    TASK_TRANSITIONS,
    IllegalTransition,
    Task,
    TaskResult,
    change_outcome,
)
from tests.mock_onelogin.conftest import make_user
from tests.mock_onelogin.scim_stub import ScimStub


def open_task(task_id: int, kind: TaskKind, state: TaskState) -> Task:
    at = "2024-01-01T00:00:00Z"
    return Task(task_id, 1, 1, kind, state, "test", 0, 0.0, None, None, None, at, at)


NO_APPROVAL = ProvisioningSettings(enabled=True).updated(
    {"require_approval": {"create_user": False, "update_user": False, "delete_user": False}}
)
GATED = ProvisioningSettings(enabled=True)  # every approval box ticked
ABSENT = LoginMemory()
ACTIVE = LoginMemory(Remote.ACTIVE, True, False, "h1")
ASSIGNED = Entitlement(assigned=True)
UNASSIGNED = Entitlement(assigned=False)
PROVISIONED = ("provisioned", "enabled")


# what a change means ----------------------------------------------------------------------------
def test_a_new_user_is_queued_for_creation_and_shows_provisioning() -> None:
    out = change_outcome(NO_APPROVAL, ABSENT, ASSIGNED, None, None, None)
    assert (out.new_task, out.new_state) == (TaskKind.CREATE, TaskState.QUEUED)
    assert out.state == ("provisioning", "enabled")
    assert out.rest == ("unknown", "enabled") and not out.supersede and not out.recheck


def test_with_the_approval_box_ticked_the_request_waits() -> None:
    out = change_outcome(GATED, ABSENT, ASSIGNED, None, None, None)
    assert out.new_state is TaskState.PENDING_APPROVAL
    assert out.state == ("provisioning_pending_approval", "enabled")


def test_the_same_request_again_keeps_the_open_task() -> None:
    pending = open_task(7, TaskKind.CREATE, TaskState.PENDING_APPROVAL)
    shown = ("provisioning_pending_approval", "enabled")
    out = change_outcome(GATED, ABSENT, ASSIGNED, None, shown, pending)
    assert out.new_task is None and not out.supersede and out.state == shown


def test_unassigning_before_approval_withdraws_the_request() -> None:
    pending = open_task(7, TaskKind.CREATE, TaskState.PENDING_APPROVAL)
    shown = ("provisioning_pending_approval", "enabled")
    out = change_outcome(GATED, ABSENT, UNASSIGNED, None, shown, pending)
    assert out.supersede and out.new_task is None
    assert out.state == ("unknown", "enabled")  # back to where it rested


def test_a_different_request_supersedes_the_open_one() -> None:
    failed = open_task(7, TaskKind.UPDATE, TaskState.FAILED)
    suspended = Entitlement(assigned=True, suspended=True)
    out = change_outcome(NO_APPROVAL, ACTIVE, suspended, None, PROVISIONED, failed)
    assert out.supersede and out.new_task is TaskKind.SUSPEND
    assert out.state == ("modifying", "disabling") and out.rest == PROVISIONED


def test_a_running_task_is_never_superseded_but_checked_again() -> None:
    running = open_task(7, TaskKind.UPDATE, TaskState.RUNNING)
    out = change_outcome(NO_APPROVAL, ACTIVE, UNASSIGNED, None, PROVISIONED, running)
    assert out.recheck and not out.supersede
    assert out.new_task is TaskKind.SUSPEND  # the default deprovision action


def test_provisioning_off_queues_nothing_and_keeps_the_shown_state() -> None:
    off = ProvisioningSettings(enabled=False)
    queued = open_task(7, TaskKind.CREATE, TaskState.QUEUED)
    out = change_outcome(off, ABSENT, ASSIGNED, None, ("provisioning", "enabled"), queued)
    assert out.new_task is None and not out.supersede
    assert out.state == ("provisioning", "enabled")


# the state machine, enforced by the store ---------------------------------------------------------
#: The moves a task may make, written out here rather than read from the code under test.
ALLOWED = {
    ("pending_approval", "queued"),  # approved
    ("pending_approval", "denied"),
    ("pending_approval", "superseded"),  # the directory changed before a decision
    ("queued", "running"),  # claimed by a drain
    ("queued", "superseded"),
    ("running", "done"),
    ("running", "failed"),
    ("running", "queued"),  # an automatic retry
    ("running", "superseded"),  # no longer applies when it runs
    ("failed", "queued"),  # retried by an admin
    ("failed", "superseded"),
}
NOW = "2024-01-01T00:00:00Z"


def test_the_state_machine_is_the_one_documented_here() -> None:
    coded = {(s.value, t.value) for s, targets in TASK_TRANSITIONS.items() for t in targets}
    assert coded == ALLOWED


def task_in(account: OneLoginAccount, stub: ScimStub, app: int, state: str) -> Task:
    """A create task really in ``state``, reached the way a user would get it there."""
    gated = state in ("pending_approval", "denied", "superseded")
    account.apps.set_provisioning(app, {"require_approval": {"create_user": gated}})
    user = make_user(account)
    account.directory.add_login(user["id"], app)
    [task] = account.approvals.list_tasks(app_id=app, user_id=user["id"])
    if state == "denied":
        account.approvals.deny(task.id)
    elif state == "superseded":
        account.directory.remove_login(user["id"], app)
    elif state == "running":
        account.store.claim_due_tasks(account.clock.now().timestamp(), 10)
    elif state in ("done", "failed"):
        if state == "failed":
            stub.fail(400, "invalidValue", "refused", times=2)
        account.drain()
    task = account.approvals.require_task(task.id)
    assert task.state == state
    return task


@pytest.mark.parametrize(
    ("source", "target"),
    [(s.value, t.value) for s in TaskState for t in TaskState if (s.value, t.value) not in ALLOWED],
)
def test_the_store_refuses_every_move_the_state_machine_does_not_allow(
    account: OneLoginAccount, stub: ScimStub, gated: int, source: str, target: str
) -> None:
    task = task_in(account, stub, gated, source)
    before = account.store.total_changes
    with pytest.raises(IllegalTransition):
        account.store.move_task(task.id, TaskState(source), TaskState(target), NOW)
    assert account.store.total_changes == before, "refused but written"
    assert account.approvals.require_task(task.id).state == source


@pytest.mark.parametrize(("source", "target"), sorted(ALLOWED))
def test_the_store_makes_every_move_the_state_machine_allows(
    account: OneLoginAccount, stub: ScimStub, gated: int, source: str, target: str
) -> None:
    task = task_in(account, stub, gated, source)
    account.store.move_task(task.id, TaskState(source), TaskState(target), NOW)
    assert account.approvals.require_task(task.id).state == target


def test_a_move_from_a_state_the_task_has_left_is_refused(
    account: OneLoginAccount, stub: ScimStub, gated: int
) -> None:
    task = task_in(account, stub, gated, "denied")
    # Read as pending before the denial: approving now must not revive it.
    with pytest.raises(IllegalTransition, match="no longer pending_approval"):
        account.store.move_task(task.id, TaskState.PENDING_APPROVAL, TaskState.QUEUED, NOW)
    assert account.approvals.require_task(task.id).state == "denied"


def test_only_a_running_task_can_be_finished(
    account: OneLoginAccount, stub: ScimStub, gated: int
) -> None:
    task = task_in(account, stub, gated, "pending_approval")
    for end in (TaskState.DONE, TaskState.DENIED):  # not running; and DENIED ends no run
        with pytest.raises(IllegalTransition):
            account.store.finish_tasks([TaskResult(task.id, end, 1, 0.0, None)], [], NOW)
    assert account.approvals.require_task(task.id).state == "pending_approval"


def test_a_running_task_is_never_superseded_by_a_change(
    account: OneLoginAccount, stub: ScimStub, gated: int
) -> None:
    task = task_in(account, stub, gated, "running")
    with pytest.raises(IllegalTransition):
        account.store.supersede_tasks([task.id], NOW)
    assert account.approvals.require_task(task.id).state == "running"


def test_a_claimed_task_is_claimed_once(
    account: OneLoginAccount, stub: ScimStub, gated: int
) -> None:
    task = task_in(account, stub, gated, "queued")
    now = account.clock.now().timestamp()
    first = account.store.claim_due_tasks(now, 10)
    assert [r["task_id"] for r in first] == [task.id]
    assert account.store.claim_due_tasks(now, 10) == []


def test_an_empty_state_filter_lists_no_task(
    account: OneLoginAccount, stub: ScimStub, gated: int
) -> None:
    task_in(account, stub, gated, "queued")
    assert account.approvals.list_tasks(state="") == []
    assert account.approvals.list_tasks(state=",") == []
    assert len(account.approvals.list_tasks()) == 1

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
@pytest.fixture
def gated(account: OneLoginAccount, stub: ScimStub) -> int:
    app_id = account.apps.wrike_app_id()
    account.apps.configure_connector(
        app_id, {"scim_base_url": "http://wrike.test/scim/v2", "scim_bearer_token": stub.token}
    )
    account.apps.set_provisioning(app_id, {"enabled": True})
    return app_id


def _pending(account: OneLoginAccount, gated: int) -> dict:
    user = make_user(account)
    account.directory.add_login(user["id"], gated)
    [task] = account.approvals.list_tasks(state="pending_approval")
    return task


@pytest.mark.parametrize(
    ("source", "target"),
    [(s, t) for s in TaskState for t in TaskState if t not in TASK_TRANSITIONS[s]],
)
def test_the_store_refuses_every_move_the_state_machine_does_not_allow(
    account: OneLoginAccount, gated: int, source: TaskState, target: TaskState
) -> None:
    task = _pending(account, gated)
    before = account.store.total_changes
    with pytest.raises(IllegalTransition):
        account.store.move_task(task.id, source, target, "2024-01-01T00:00:00Z")
    assert account.store.total_changes == before, "refused but written"


def test_a_move_from_a_state_the_task_has_left_is_refused(
    account: OneLoginAccount, gated: int
) -> None:
    task = _pending(account, gated)
    account.approvals.deny(task.id)
    # Read as pending before the denial: approving now must not revive it.
    with pytest.raises(IllegalTransition, match="no longer pending_approval"):
        account.store.move_task(
            task.id, TaskState.PENDING_APPROVAL, TaskState.QUEUED, "2024-01-01T00:00:00Z"
        )
    assert account.approvals.require_task(task.id).state == "denied"


def test_only_a_running_task_can_be_finished(account: OneLoginAccount, gated: int) -> None:
    task = _pending(account, gated)
    with pytest.raises(IllegalTransition):
        account.store.finish_tasks(
            [TaskResult(task.id, TaskState.DONE, 1, 0.0, None)], [], "2024-01-01T00:00:00Z"
        )
    with pytest.raises(IllegalTransition):  # DONE is no way out of pending
        account.store.finish_tasks(
            [TaskResult(task.id, TaskState.DENIED, 1, 0.0, None)], [], "2024-01-01T00:00:00Z"
        )
    assert account.approvals.require_task(task.id).state == "pending_approval"

"""The approval gate, the task state machine, and the state names the SDK accepts."""

from __future__ import annotations

import pytest

from mock_onelogin import OneLoginAccount
from mock_onelogin.domain.errors import Conflict, ValidationFailed
from mock_onelogin.domain.provisioning import (
    PROVISIONING_STATES,
    PROVISIONING_STATUSES,
    SUCCESS_STATES,
    TASK_STATES,
    DeprovisionAction,
    Entitlement,
    LoginMemory,
    ProvisioningSettings,
    Remote,
    RetryPolicy,
    SuspendAction,
    TaskKind,
    decide,
)
from tests.mock_onelogin.conftest import make_user
from tests.mock_onelogin.scim_stub import ScimStub

ON = ProvisioningSettings(enabled=True)
ASSIGNED = Entitlement(assigned=True)
UNASSIGNED = Entitlement(assigned=False)
ACTIVE = LoginMemory(Remote.ACTIVE, True, False, "h1")


def test_every_state_the_engine_shows_is_one_the_sdk_accepts() -> None:
    shown = {
        s for steps in TASK_STATES.values() for s in (steps.pending, steps.running, steps.failed)
    }
    shown |= {(state, status) for state, status, _ in SUCCESS_STATES.values()}
    for state, status in shown:
        assert state in PROVISIONING_STATES
        assert status in PROVISIONING_STATUSES
    assert "disabling_pendding_approval" in PROVISIONING_STATUSES  # the SDK's own spelling


@pytest.mark.parametrize(
    ("memory", "now", "body_hash", "expected"),
    [
        (LoginMemory(), ASSIGNED, None, TaskKind.CREATE),
        (ACTIVE, ASSIGNED, "h1", None),
        (ACTIVE, ASSIGNED, "h2", TaskKind.UPDATE),
        (LoginMemory(Remote.SUSPENDED, True, True, "h1"), ASSIGNED, None, TaskKind.REACTIVATE),
        (ACTIVE, Entitlement(True, suspended=True), None, TaskKind.SUSPEND),
        (ACTIVE, UNASSIGNED, None, TaskKind.SUSPEND),  # the default deprovision action
        (LoginMemory(), UNASSIGNED, None, None),
        (LoginMemory(), Entitlement(True, suspended=True), None, None),
    ],
)
def test_decide_with_default_actions(
    memory: LoginMemory, now: Entitlement, body_hash: str | None, expected: TaskKind | None
) -> None:
    assert decide(ON, memory, now, body_hash) is expected


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (DeprovisionAction.DELETE, TaskKind.DELETE),
        (DeprovisionAction.SUSPEND, TaskKind.SUSPEND),
        (DeprovisionAction.DO_NOTHING, TaskKind.NOTHING),
    ],
)
def test_loss_of_access_follows_the_deprovision_action(
    action: DeprovisionAction, expected: TaskKind
) -> None:
    settings = ProvisioningSettings(enabled=True, on_delete=action)
    assert decide(settings, ACTIVE, UNASSIGNED, None) is expected
    assert decide(settings, ACTIVE, Entitlement(True, user_deleted=True), None) is expected


def test_do_nothing_warns_only_on_the_transition() -> None:
    settings = ProvisioningSettings(enabled=True, on_delete=DeprovisionAction.DO_NOTHING)
    already_gone = LoginMemory(Remote.ACTIVE, False, False, "h1")
    assert decide(settings, already_gone, UNASSIGNED, None) is None


def test_suspend_action_do_nothing() -> None:
    settings = ProvisioningSettings(enabled=True, on_suspend=SuspendAction.DO_NOTHING)
    assert decide(settings, ACTIVE, Entitlement(True, suspended=True), None) is TaskKind.NOTHING


def test_disabled_provisioning_decides_nothing() -> None:
    off = ProvisioningSettings(enabled=False)
    assert decide(off, LoginMemory(), ASSIGNED, None) is None
    assert decide(off, ACTIVE, UNASSIGNED, None) is None


def test_approval_gates() -> None:
    settings = ProvisioningSettings(approve_create=True, approve_update=False, approve_delete=True)
    assert settings.requires_approval(TaskKind.CREATE)
    assert not settings.requires_approval(TaskKind.UPDATE)
    assert settings.requires_approval(TaskKind.DELETE)
    assert settings.requires_approval(TaskKind.SUSPEND)
    assert not settings.requires_approval(TaskKind.REACTIVATE)
    assert not settings.requires_approval(TaskKind.NOTHING)


def test_retry_policy_backoff_and_retry_after() -> None:
    policy = RetryPolicy(max_attempts=3, base_delay_s=2, max_delay_s=5)
    assert [policy.delay(a, None) for a in (1, 2, 3, 4)] == [2, 4, 5, None]
    assert policy.delay(1, 42.0) == 42.0
    assert RetryPolicy().delay(1, None) is None


def test_settings_refuse_unknown_values_with_the_choices() -> None:
    with pytest.raises(ValidationFailed, match="Delete"):
        ON.updated({"on_delete": "Remove"})
    with pytest.raises(ValidationFailed, match="unknown provisioning setting"):
        ON.updated({"enable": True})
    with pytest.raises(ValidationFailed, match="true or false"):
        ON.updated({"enabled": "yes"})
    assert ON.updated({"on_delete": "do nothing"}).on_delete is DeprovisionAction.DO_NOTHING


# the approval queue, end to end through the account --------------------------------------------
def login_state(account: OneLoginAccount, user_id: int) -> str:
    return account.directory.user_apps(user_id)[0].login.provisioning_state


def test_create_waits_for_approval_then_runs(
    account: OneLoginAccount, stub: ScimStub, gated: int
) -> None:
    user = make_user(account)
    account.directory.add_login(user["id"], gated)
    account.drain()
    assert stub.calls == []
    assert login_state(account, user["id"]) == "provisioning_pending_approval"
    [task] = account.approvals.list_tasks(state="pending_approval")
    account.approvals.approve(task.id)
    account.drain()
    assert login_state(account, user["id"]) == "provisioned"
    assert stub.by_username("user1@example.com") is not None
    [approved] = account.system_log.events(event_type_ids=[137])
    assert approved.user_id == user["id"] and approved.actor_user_name


def test_deny_drops_the_request(account: OneLoginAccount, stub: ScimStub, gated: int) -> None:
    user = make_user(account)
    account.directory.add_login(user["id"], gated)
    [task] = account.approvals.list_tasks(state="pending_approval")
    account.approvals.deny(task.id)
    account.drain()
    assert stub.calls == []
    assert login_state(account, user["id"]) == "nonexistent"
    assert len(account.system_log.events(event_type_ids=[138])) == 1
    with pytest.raises(Conflict, match="only pending_approval"):
        account.approvals.approve(task.id)


def test_denied_delete_returns_to_provisioned(
    account: OneLoginAccount, stub: ScimStub, gated: int
) -> None:
    account.apps.set_provisioning(
        gated, {"require_approval": {"create_user": False}, "on_delete": "Delete"}
    )
    user = make_user(account)
    account.directory.add_login(user["id"], gated)
    account.drain()
    account.directory.remove_login(user["id"], gated)
    assert login_state(account, user["id"]) == "deleting_pending_approval"
    [task] = account.approvals.list_tasks(state="pending_approval")
    account.approvals.deny(task.id)
    assert login_state(account, user["id"]) == "provisioned"
    assert stub.by_username("user1@example.com") is not None


def test_suspend_waits_with_the_sdk_spelling(account: OneLoginAccount, gated: int) -> None:
    account.apps.set_provisioning(gated, {"require_approval": {"create_user": False}})
    user = make_user(account)
    account.directory.add_login(user["id"], gated)
    account.drain()
    account.directory.update_user(user["id"], {"status": 2})
    [item] = account.directory.user_apps(user["id"])
    assert (item.login.provisioning_state, item.login.provisioning_status) == (
        "modifying_pending_approval",
        "disabling_pendding_approval",
    )


def test_unassigning_before_approval_withdraws_the_request(
    account: OneLoginAccount, stub: ScimStub, gated: int
) -> None:
    user = make_user(account)
    account.directory.add_login(user["id"], gated)
    [task] = account.approvals.list_tasks(state="pending_approval")
    account.directory.remove_login(user["id"], gated)
    assert account.approvals.require_task(task.id).state == "superseded"
    account.drain()
    assert stub.calls == []


def test_only_failed_tasks_can_be_retried(account: OneLoginAccount, gated: int) -> None:
    user = make_user(account)
    account.directory.add_login(user["id"], gated)
    [task] = account.approvals.list_tasks(state="pending_approval")
    with pytest.raises(Conflict, match="only failed"):
        account.approvals.retry(task.id)


def test_approve_all_runs_every_pending_request(
    account: OneLoginAccount, stub: ScimStub, gated: int
) -> None:
    users = [make_user(account, n) for n in range(3)]
    for user in users:
        account.directory.add_login(user["id"], gated)
    approved = account.approvals.approve_all(gated)
    assert len(approved) == 3
    account.drain()
    assert {login_state(account, u["id"]) for u in users} == {"provisioned"}
    assert len(account.system_log.events(event_type_ids=[137])) == 3
    assert account.approvals.approve_all(gated) == []

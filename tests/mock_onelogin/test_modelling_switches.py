"""Each modelling switch of the simulated OneLogin (README, "Modelling choices", lists them)
changes what a user sees when it is flipped: each test runs once with the shipped value and
once flipped. The named values (defaults, labels, limits) are not switches and are not here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from mock_onelogin import OneLoginAccount
from mock_onelogin.domain import modelling
from mock_onelogin.domain.connector import ConnectorConfig
from mock_onelogin.domain.provisioning import (
    Entitlement,
    LoginMemory,
    ProvisioningSettings,
    Remote,
    TaskKind,
    UpdateMethod,
    decide,
)
from mock_onelogin.domain.wire import task_calls
from tests.mock_onelogin.conftest import make_user
from tests.mock_onelogin.scim_stub import ScimStub


def flipped(name: str, value: Any, other: Any) -> Any:
    """Parametrise a test over a switch's shipped value and another one."""
    assert getattr(modelling, name) == value, f"{name} ships as {getattr(modelling, name)!r}"
    return pytest.mark.parametrize("switch", [value, other], ids=["shipped", "flipped"])


@pytest.fixture
def set_switch(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, Any], None]:
    return lambda name, value: monkeypatch.setattr(modelling, name, value)


BODY = {"userName": "ada@acme.com", "emails": [{"value": "ada@acme.com", "primary": True}]}


@flipped("ALWAYS_SET_ACTIVE", True, False)
def test_always_set_active(set_switch: Callable[[str, Any], None], switch: bool) -> None:
    set_switch("ALWAYS_SET_ACTIVE", switch)
    (_, post) = task_calls(TaskKind.CREATE, BODY, UpdateMethod.PUT)
    (update,) = task_calls(TaskKind.UPDATE, BODY, UpdateMethod.PUT)
    (put,) = task_calls(TaskKind.SUSPEND, BODY, UpdateMethod.PUT)
    assert [("active" in call.body) for call in (post, update, put)] == [switch] * 3
    if switch:
        assert (post.body["active"], update.body["active"], put.body["active"]) == (
            True,
            True,
            False,
        )


@flipped("PATCH_MULTI_VALUED", "replace_primary", "add")
def test_patch_multi_valued(set_switch: Callable[[str, Any], None], switch: str) -> None:
    set_switch("PATCH_MULTI_VALUED", switch)
    (patch,) = task_calls(TaskKind.UPDATE, BODY, UpdateMethod.PATCH)
    ops = {op["path"]: op["op"] for op in patch.body}
    if switch == "add":
        assert ops == {"userName": "replace", "emails": "add"}
    else:
        assert ops == {"userName": "replace", "emails[primary eq true]": "replace"}


def provisioned(account: OneLoginAccount, app_id: int) -> dict[str, Any]:
    """A user given the app and provisioned into it."""
    user = make_user(account)
    account.directory.add_login(user["id"], app_id)
    account.drain()
    return user


@flipped("SUSPEND_APPROVAL_GATE", "delete_user", "update_user")
def test_suspend_approval_gate(
    set_switch: Callable[[str, Any], None],
    switch: str,
    account: OneLoginAccount,
    stub: ScimStub,
    wrike: int,
) -> None:
    """Only "Delete user" ticked: a suspension waits for approval when that box holds it."""
    set_switch("SUSPEND_APPROVAL_GATE", switch)
    user = provisioned(account, wrike)
    account.apps.set_provisioning(wrike, {"require_approval": {"delete_user": True}})
    account.directory.set_user_status(user["id"], 2)
    account.drain()
    [item] = account.directory.user_apps(user["id"])
    waits = ("modifying_pending_approval", "disabling_pendding_approval")
    assert item.login.shown == (waits if switch == "delete_user" else ("disabled", "disabled"))


@flipped("REACTIVATE_APPROVAL_GATE", "update_user", "delete_user")
def test_reactivate_approval_gate(
    set_switch: Callable[[str, Any], None],
    switch: str,
    account: OneLoginAccount,
    stub: ScimStub,
    wrike: int,
) -> None:
    """Only "Update user" ticked: a reactivation waits for approval when that box holds it."""
    set_switch("REACTIVATE_APPROVAL_GATE", switch)
    user = provisioned(account, wrike)
    account.directory.set_user_status(user["id"], 2)
    account.drain()
    account.apps.set_provisioning(wrike, {"require_approval": {"update_user": True}})
    account.directory.set_user_status(user["id"], 1)
    account.drain()
    [item] = account.directory.user_apps(user["id"])
    waits = ("modifying_pending_approval", "enabling_pending_approval")
    assert item.login.shown == (waits if switch == "update_user" else ("provisioned", "enabled"))


@flipped("LOG_DO_NOTHING_ON_SUSPEND", True, False)
def test_log_do_nothing_on_suspend(set_switch: Callable[[str, Any], None], switch: bool) -> None:
    set_switch("LOG_DO_NOTHING_ON_SUSPEND", switch)
    settings = ProvisioningSettings(enabled=True).updated({"on_suspend": "Do nothing"})
    suspended = Entitlement(assigned=True, suspended=True)
    kind = decide(settings, LoginMemory(Remote.ACTIVE, True, False, "h"), suspended, None)
    assert kind is (TaskKind.NOTHING if switch else None)


@flipped("OMIT_EMPTY_VALUES", True, False)
def test_omit_empty_values(set_switch: Callable[[str, Any], None], switch: bool) -> None:
    set_switch("OMIT_EMPTY_VALUES", switch)
    template = ConnectorConfig().compile()
    from mock_onelogin.engine import user_view

    body = template.render(user_view({"email": "ada@acme.com", "username": "ada@acme.com"}))
    # Ada has no title in OneLogin: omitted, Wrike keeps its own; or sent empty.
    assert ("title" not in body) is switch


# switches seen through the account and a SCIM endpoint ---------------------------------------
@pytest.fixture
def wrike(wrike: int, account: OneLoginAccount) -> int:
    """The Wrike app as the package's fixture sets it up, deleting on unassignment."""
    account.apps.set_provisioning(wrike, {"on_delete": "Delete"})
    return wrike


def test_a_linked_account_is_brought_up_to_date_by_the_next_reconciliation(
    account: OneLoginAccount, stub: ScimStub, wrike: int
) -> None:
    """README "Link without update" (plain code, no switch): linking sends no PUT; the next
    reconciliation does."""
    user = make_user(account)
    stub.add_existing({"userName": user["email"], "name": {"givenName": "Old"}})
    account.directory.add_login(user["id"], wrike)
    account.drain()
    assert [c[0] for c in stub.calls] == ["GET"]
    account.provisioning.reconcile(wrike)
    account.drain()
    assert [c[0] for c in stub.calls] == ["GET", "PUT"]


@flipped("DELETE_NOT_FOUND_IS_SUCCESS", True, False)
def test_delete_not_found_is_success(
    set_switch: Callable[[str, Any], None],
    switch: bool,
    account: OneLoginAccount,
    stub: ScimStub,
    wrike: int,
) -> None:
    set_switch("DELETE_NOT_FOUND_IS_SUCCESS", switch)
    user = provisioned(account, wrike)
    stub.users.clear()  # someone deleted the account in Wrike already
    account.directory.remove_login(user["id"], wrike)
    account.drain()
    [item] = account.directory.user_apps(user["id"])
    assert item.login.provisioning_state == ("deleted" if switch else "deleting_failed")
    # What the System Log shows: a deletion done (55), or failed with Wrike's 404 (63).
    [latest] = account.system_log.events(user_id=user["id"], event_type_ids=[55, 63], limit=1)
    assert latest.event_type_id == (55 if switch else 63)
    assert (latest.error_description is None) is switch
    if not switch:
        assert "HTTP 404" in (latest.error_description or "")


@flipped("SHOW_UNASSIGNED_TRACKED_LOGINS", True, False)
def test_show_unassigned_tracked_logins(
    set_switch: Callable[[str, Any], None],
    switch: bool,
    account: OneLoginAccount,
    stub: ScimStub,
    wrike: int,
) -> None:
    set_switch("SHOW_UNASSIGNED_TRACKED_LOGINS", switch)
    user = provisioned(account, wrike)
    account.directory.remove_login(user["id"], wrike)
    account.drain()
    shown = [item.login.provisioning_state for item in account.directory.user_apps(user["id"])]
    assert shown == (["deleted"] if switch else [])


@flipped("DENIED_CREATE_STATE", "nonexistent", "unknown")
def test_denied_create_state(
    set_switch: Callable[[str, Any], None],
    switch: str,
    account: OneLoginAccount,
    stub: ScimStub,
    wrike: int,
) -> None:
    set_switch("DENIED_CREATE_STATE", switch)
    account.apps.set_provisioning(wrike, {"require_approval": {"create_user": True}})
    user = make_user(account)
    account.directory.add_login(user["id"], wrike)
    [task] = account.approvals.list_tasks(state="pending_approval")
    account.approvals.deny(task.id)
    [item] = account.directory.user_apps(user["id"])
    assert item.login.provisioning_state == switch


@flipped("SUSPENDED_STATUSES", frozenset({2}), frozenset({3}))
def test_suspended_statuses(
    set_switch: Callable[[str, Any], None],
    switch: frozenset[int],
    account: OneLoginAccount,
    stub: ScimStub,
    wrike: int,
) -> None:
    set_switch("SUSPENDED_STATUSES", switch)
    user = provisioned(account, wrike)
    account.directory.set_user_status(user["id"], 2)  # Suspended in OneLogin
    account.drain()
    [item] = account.directory.user_apps(user["id"])
    assert item.login.provisioning_state == ("disabled" if 2 in switch else "provisioned")


@flipped("TOKEN_STAYS_WITH_ITS_ORIGIN", True, False)
def test_token_stays_with_its_origin(set_switch: Callable[[str, Any], None], switch: bool) -> None:
    set_switch("TOKEN_STAYS_WITH_ITS_ORIGIN", switch)
    saved = ConnectorConfig().updated(
        {"scim_base_url": "https://wrike.example/scim/1/v2", "scim_bearer_token": "t0ken"}
    )
    moved = saved.updated({"scim_base_url": "https://elsewhere.example/scim/1/v2"})
    assert (moved.scim_bearer_token == "") is switch
    same_server = saved.updated({"scim_base_url": "https://wrike.example/scim/2/v2"})
    assert same_server.scim_bearer_token == "t0ken"


@flipped("API_STATUS_GATES_PROVISIONING", True, False)
def test_api_status_gates_provisioning(
    set_switch: Callable[[str, Any], None], switch: bool, account: OneLoginAccount, stub: ScimStub
) -> None:
    """The Configuration tab saved but Enable never clicked: with the gate, nothing reaches
    the provider and the creation fails saying why; without it, the user is provisioned."""
    set_switch("API_STATUS_GATES_PROVISIONING", switch)
    app_id = account.apps.wrike_app_id()
    account.apps.configure_connector(
        app_id, {"scim_base_url": "http://wrike.test/scim/v2", "scim_bearer_token": stub.token}
    )
    account.apps.set_provisioning(
        app_id,
        {
            "enabled": True,
            "require_approval": {"create_user": False, "update_user": False, "delete_user": False},
        },
    )
    user = provisioned(account, app_id)
    [item] = account.directory.user_apps(user["id"])
    assert item.login.provisioning_state == ("provisioning_failed" if switch else "provisioned")
    assert (stub.calls == []) is switch
    if switch:
        [event] = account.system_log.events(event_type_ids=[64])
        assert event.error_description.startswith(
            "Failed to create user in app. API Status is Disabled: no request was sent"
        )
        assert modelling.assumed("api_status_gate", "API Status gate") in (event.notes or "")


# --- user mappings
def _mapping(account: OneLoginAccount, role_id: int, *condition: str, name: str = "m") -> None:
    source, operator, value = condition
    account.mappings.create(
        {
            "name": name,
            "enabled": True,
            "match": "all",
            "conditions": [{"source": source, "operator": operator, "value": value}],
            "actions": [{"action": "add_role", "value": [str(role_id)]}],
        }
    )


@flipped("MAPPING_TEXT_CASE_SENSITIVE", False, True)
def test_mapping_text_case(
    account: OneLoginAccount, set_switch: Callable[[str, Any], None], switch: bool
) -> None:
    set_switch("MAPPING_TEXT_CASE_SENSITIVE", switch)
    eng = account.directory.create_role({"name": "Engineering"})
    _mapping(account, eng, "department", "=", "Engineering")
    user = make_user(account, 1, department="engineering")
    assert (account.directory.user_role_ids(user["id"]) == [eng]) is not switch


@flipped("MAPPING_ROLES_SEEN_BY_LATER", True, False)
def test_mapping_roles_seen_by_later(
    account: OneLoginAccount, set_switch: Callable[[str, Any], None], switch: bool
) -> None:
    set_switch("MAPPING_ROLES_SEEN_BY_LATER", switch)
    first, second = (account.directory.create_role({"name": n}) for n in ("First", "Second"))
    _mapping(account, first, "department", "=", "R&D", name="a")
    _mapping(account, second, "has_role", "ri", str(first), name="b")
    user = make_user(account, 1, department="R&D")
    assert (second in account.directory.user_role_ids(user["id"])) is switch


@flipped("MAPPING_APPLY_ON_SAVE", False, True)
def test_mapping_apply_on_save(
    account: OneLoginAccount, set_switch: Callable[[str, Any], None], switch: bool
) -> None:
    set_switch("MAPPING_APPLY_ON_SAVE", switch)
    eng = account.directory.create_role({"name": "Engineering"})
    user = make_user(account, 1, department="R&D")
    _mapping(account, eng, "department", "=", "R&D")
    assert (account.directory.user_role_ids(user["id"]) == [eng]) is switch


@flipped("V1_STATUS_FIELDS_AT_TOP", True, False)
def test_v1_status_fields_at_top(
    set_switch: Callable[[str, Any], None], switch: bool, client: Any, auth: dict[str, str]
) -> None:
    set_switch("V1_STATUS_FIELDS_AT_TOP", switch)
    user_id = client.post("/api/2/users", json={"email": "st@acme.com"}, headers=auth).get_json()
    answer = client.put(f"/api/1/users/{user_id['id']}/logout", headers=auth).get_json()
    assert answer["status"]["code"] == 200
    assert (answer.get("code") == 200) is switch


@flipped("V1_ROLE_ID_OBJECTS", True, False)
def test_v1_role_id_objects(
    set_switch: Callable[[str, Any], None],
    switch: bool,
    account: OneLoginAccount,
    client: Any,
    auth: dict[str, str],
) -> None:
    set_switch("V1_ROLE_ID_OBJECTS", switch)
    user = make_user(account)
    role = account.directory.create_role({"name": "R"})
    answer = client.put(
        f"/api/1/users/{user['id']}/add_roles",
        json={"role_id_array": [{"role_id": role}]},
        headers=auth,
    )
    assert answer.status_code == (200 if switch else 400)
    assert account.directory.user_role_ids(user["id"]) == ([role] if switch else [])


@flipped("REVOKE_UNKNOWN_TOKEN_SUCCEEDS", True, False)
def test_revoke_unknown_token_succeeds(
    set_switch: Callable[[str, Any], None], switch: bool, client: Any
) -> None:
    set_switch("REVOKE_UNKNOWN_TOKEN_SUCCEEDS", switch)
    creds = client.post("/simulator/api/credentials", json={"name": "r"}).get_json()
    header = {
        "Authorization": f"client_id:{creds['client_id']}, client_secret:{creds['client_secret']}"
    }
    answer = client.post("/auth/oauth2/revoke", json={"access_token": "unknown"}, headers=header)
    assert answer.status_code == (200 if switch else 400)
    assert answer.get_json()["status"]["error"] is (not switch)

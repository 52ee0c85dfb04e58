"""The provisioning engine against a SCIM side played by ``responses``: the requests OneLogin
sends, the states it shows, and what each failure leaves behind."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
import responses

from mock_onelogin import FixedClock, OneLoginAccount, OneLoginConfig
from mock_onelogin.domain.events import Event
from tests.mock_onelogin.conftest import NO_APPROVAL

BASE = "https://wrike.example/scim/v2"
TOKEN = "wrike-secret-token-9876"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
EMPTY = {"schemas": [LIST], "totalResults": 0, "startIndex": 1, "Resources": []}


@pytest.fixture
def scim() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def enable_api(account: OneLoginAccount, scim: responses.RequestsMock) -> None:
    """Click Enable next to API Status, the connection test answered by an empty list; the
    test's request and its answer are then forgotten."""
    probe = scim.get(f"{BASE}/Users", json=EMPTY)
    assert account.apps.enable_api_connection(account.apps.wrike_app_id()).api_status == "Enabled"
    scim.remove(probe)
    scim.calls.reset()


@pytest.fixture
def acct(clock: FixedClock, scim: responses.RequestsMock) -> Iterator[OneLoginAccount]:
    account = OneLoginAccount(
        OneLoginConfig(), clock=clock, session_factory=lambda base: requests.Session()
    )
    app = account.apps.wrike_app_id()
    account.apps.configure_connector(app, {"scim_base_url": BASE, "scim_bearer_token": TOKEN})
    enable_api(account, scim)
    account.apps.set_provisioning(app, {"enabled": True, "require_approval": NO_APPROVAL})
    yield account
    account.store.close()


def assign(acct: OneLoginAccount, **fields: object) -> int:
    data = {"email": "ann@example.com", "firstname": "Ann", "lastname": "Lee", **fields}
    user = acct.directory.create_user(data)
    acct.directory.add_login(user["id"], acct.apps.wrike_app_id())
    return int(user["id"])


def state(acct: OneLoginAccount, user_id: int) -> tuple[str, str]:
    [item] = acct.directory.user_apps(user_id)
    return item.login.provisioning_state, item.login.provisioning_status


def events_of(acct: OneLoginAccount, type_id: int) -> list[Event]:
    return acct.system_log.events(event_type_ids=[type_id])


def created(scim: responses.RequestsMock, scim_id: str = "w1") -> None:
    scim.get(f"{BASE}/Users", json=EMPTY)
    scim.post(f"{BASE}/Users", json={"id": scim_id, "userName": "ann@example.com"}, status=201)


def provisioned(acct: OneLoginAccount, scim: responses.RequestsMock) -> int:
    created(scim)
    user_id = assign(acct)
    acct.drain()
    assert state(acct, user_id) == ("provisioned", "enabled")
    return user_id


def test_create_checks_username_then_posts_and_keeps_the_id(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    created(scim, "w-77")
    user_id = assign(acct)
    assert state(acct, user_id) == ("provisioning", "enabled")
    acct.drain()
    get, post = scim.calls
    assert get.request.method == "GET"
    assert "filter=userName%20eq%20%22ann%40example.com%22" in get.request.url
    assert get.request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert json.loads(post.request.body)["userName"] == "ann@example.com"
    assert state(acct, user_id) == ("provisioned", "enabled")
    [event] = events_of(acct, 51)
    assert event.user_id == user_id and event.app_name == "Wrike"
    exchanges = json.loads(event.scim)
    assert [x["method"] for x in exchanges] == ["GET", "POST"]
    assert exchanges[1]["status"] == 201
    assert exchanges[1]["request_headers"]["Authorization"] == "Bearer ****9876"
    login = acct.store.logins_for_app(acct.apps.wrike_app_id())[user_id]
    assert login.scim_id == "w-77"


def test_existing_account_is_linked_not_duplicated(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    scim.get(
        f"{BASE}/Users",
        json={
            "schemas": [LIST],
            "totalResults": 1,
            "Resources": [{"id": "old-5", "userName": "ann@example.com"}],
        },
    )
    user_id = assign(acct)
    acct.drain()
    assert len(scim.calls) == 1
    assert state(acct, user_id) == ("provisioned", "enabled")
    assert len(events_of(acct, 59)) == 1 and events_of(acct, 51) == []


def test_attribute_change_puts_the_whole_rendered_template(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    user_id = provisioned(acct, scim)
    scim.put(f"{BASE}/Users/w1", json={"id": "w1"})
    acct.directory.update_user(
        user_id, {"title": "Lead", "custom_attributes": {"wrike_user_type": "Collaborator"}}
    )
    acct.drain()
    body = json.loads(scim.calls[-1].request.body)
    assert scim.calls[-1].request.method == "PUT"
    assert body["title"] == "Lead" and body["userType"] == "Collaborator"
    assert body["name"] == {"givenName": "Ann", "familyName": "Lee"}
    assert len(events_of(acct, 52)) == 1


def test_change_to_an_unmapped_field_sends_nothing(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    user_id = provisioned(acct, scim)
    calls = len(scim.calls)
    acct.directory.update_user(user_id, {"comment": "not in the template"})
    acct.drain()
    assert len(scim.calls) == calls and events_of(acct, 52) == []


def test_patch_update_method_sends_a_patchop(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    user_id = provisioned(acct, scim)
    acct.apps.set_provisioning(acct.apps.wrike_app_id(), {"update_method": "patch"})
    scim.patch(f"{BASE}/Users/w1", json={"id": "w1"})
    acct.directory.update_user(user_id, {"title": "Lead"})
    acct.drain()
    body = json.loads(scim.calls[-1].request.body)
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]
    assert {"op": "replace", "path": "title", "value": "Lead"} in body["Operations"]
    # the primary email replaces the provider's primary one, so a secondary email only Wrike
    # has survives and no second primary is appended
    assert {
        "op": "replace",
        "path": "emails[primary eq true]",
        "value": {"value": "ann@example.com", "type": "work", "primary": True},
    } in body["Operations"]


def test_suspension_and_its_end_set_active(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    user_id = provisioned(acct, scim)
    scim.put(f"{BASE}/Users/w1", json={"id": "w1"})
    acct.directory.update_user(user_id, {"status": 2})
    acct.drain()
    assert json.loads(scim.calls[-1].request.body)["active"] is False
    assert state(acct, user_id) == ("disabled", "disabled")
    acct.directory.update_user(user_id, {"status": 1})
    acct.drain()
    assert json.loads(scim.calls[-1].request.body)["active"] is True
    assert state(acct, user_id) == ("provisioned", "enabled")
    assert len(events_of(acct, 53)) == 1 and len(events_of(acct, 54)) == 1


def test_suspension_with_do_nothing_only_warns(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    user_id = provisioned(acct, scim)
    acct.apps.set_provisioning(acct.apps.wrike_app_id(), {"on_suspend": "Do nothing"})
    calls = len(scim.calls)
    acct.directory.update_user(user_id, {"status": 2})
    acct.drain()
    assert len(scim.calls) == calls
    assert len(events_of(acct, 60)) == 1


@pytest.mark.parametrize(
    ("action", "method", "event", "final"),
    [
        ("Delete", "DELETE", 55, ("deleted", "enabled")),
        ("Suspend", "PUT", 53, ("disabled", "disabled")),
    ],
)
def test_unassignment_follows_the_deprovision_setting(
    acct: OneLoginAccount,
    scim: responses.RequestsMock,
    action: str,
    method: str,
    event: int,
    final: tuple[str, str],
) -> None:
    user_id = provisioned(acct, scim)
    acct.apps.set_provisioning(acct.apps.wrike_app_id(), {"on_delete": action})
    scim.delete(f"{BASE}/Users/w1", status=204)
    scim.put(f"{BASE}/Users/w1", json={"id": "w1"})
    acct.directory.remove_login(user_id, acct.apps.wrike_app_id())
    acct.drain()
    assert scim.calls[-1].request.method == method
    assert state(acct, user_id) == final
    assert len(events_of(acct, event)) == 1


def test_unassignment_with_do_nothing_sends_nothing_and_warns_once(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    user_id = provisioned(acct, scim)
    acct.apps.set_provisioning(acct.apps.wrike_app_id(), {"on_delete": "Do nothing"})
    calls = len(scim.calls)
    acct.directory.remove_login(user_id, acct.apps.wrike_app_id())
    acct.drain()
    acct.provisioning.reconcile()
    acct.drain()
    assert len(scim.calls) == calls
    [warning] = events_of(acct, 60)
    assert warning.user_id == user_id


def test_deleting_the_user_in_onelogin_deletes_in_wrike(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    user_id = provisioned(acct, scim)
    acct.apps.set_provisioning(acct.apps.wrike_app_id(), {"on_delete": "Delete"})
    scim.delete(f"{BASE}/Users/w1", status=204)
    acct.directory.delete_user(user_id)
    acct.drain()
    assert scim.calls[-1].request.method == "DELETE"
    assert len(events_of(acct, 55)) == 1


def test_provisioning_disabled_sends_nothing_and_logs_no_provisioning_event(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    acct.apps.set_provisioning(acct.apps.wrike_app_id(), {"enabled": False})
    user_id = assign(acct)
    acct.drain()
    assert len(scim.calls) == 0
    assert [e for e in acct.system_log.events() if 51 <= e.event_type_id <= 65] == []
    assert state(acct, user_id) == ("unknown", "enabled")


def test_disabling_provisioning_drops_queued_work_until_it_is_enabled_again(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    user_id = assign(acct)
    acct.apps.set_provisioning(acct.apps.wrike_app_id(), {"enabled": False})
    acct.drain()
    assert len(scim.calls) == 0
    assert [e for e in acct.system_log.events() if 51 <= e.event_type_id <= 65] == []
    created(scim)
    acct.apps.set_provisioning(acct.apps.wrike_app_id(), {"enabled": True})
    acct.drain()
    assert state(acct, user_id) == ("provisioned", "enabled")


def test_unassigned_user_is_never_provisioned(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    acct.directory.create_user({"email": "bo@example.com"})
    acct.drain()
    assert len(scim.calls) == 0
    assert [e for e in acct.system_log.events() if 51 <= e.event_type_id <= 65] == []


def test_enabling_provisioning_provisions_already_assigned_users(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    acct.apps.set_provisioning(acct.apps.wrike_app_id(), {"enabled": False})
    user_id = assign(acct)
    created(scim)
    acct.apps.set_provisioning(acct.apps.wrike_app_id(), {"enabled": True})
    acct.drain()
    assert state(acct, user_id) == ("provisioned", "enabled")


# failures ------------------------------------------------------------------------------------
def test_scim_error_marks_the_task_failed_with_status_scimtype_and_detail(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    scim.get(f"{BASE}/Users", json=EMPTY)
    scim.post(
        f"{BASE}/Users",
        status=409,
        json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": "409",
            "scimType": "uniqueness",
            "detail": "Email is used by another account",
        },
    )
    user_id = assign(acct)
    acct.drain()
    assert state(acct, user_id) == ("provisioning_failed", "enabled")
    [event] = events_of(acct, 64)
    # OneLogin's attested prefix, then the simulator's summary (marked as its wording); Wrike's
    # own detail is kept apart in the notes, never passed off as OneLogin's text.
    assert event.error_description == "Failed to create user in app. HTTP 409 (scimType uniqueness)"
    assert "Email is used by another account" not in event.error_description
    notes = (event.notes or "").splitlines()
    assert (
        "Wrike's answer: HTTP 409: scimType uniqueness, Email is used by another account" in notes
    )
    assert (
        "Error text: wording assumed (the simulator's text; OneLogin's wording for this "
        "failure is not published)" in notes
    )
    [task] = acct.approvals.list_tasks(state="failed")
    assert "uniqueness" in task.error


def test_a_create_answered_404_shows_onelogins_own_text(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    scim.get(f"{BASE}/Users", json=EMPTY)
    scim.post(f"{BASE}/Users", status=404, json={"status": "404", "detail": "No account here"})
    assign(acct)
    acct.drain()
    [event] = events_of(acct, 64)
    assert event.error_description == (
        "Failed to create user in app. Specified resource (e.g. User) or endpoint does not exist"
    )
    notes = (event.notes or "").splitlines()
    assert "Wrike's answer: HTTP 404: No account here" in notes
    assert any(n.startswith("Error text: OneLogin's wording (") for n in notes)


def test_a_failed_reactivation_shows_onelogins_own_text(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    user_id = provisioned(acct, scim)
    scim.put(f"{BASE}/Users/w1", json={"id": "w1"})
    acct.directory.update_user(user_id, {"status": 2})
    acct.drain()
    scim.replace(responses.PUT, f"{BASE}/Users/w1", status=500, json={"detail": "down"})
    acct.directory.update_user(user_id, {"status": 1})
    acct.drain()
    [event] = events_of(acct, 62)
    assert event.error_description == "Ann Lee could not be reactivated in Wrike"
    assert "Wrike's answer: HTTP 500: down" in (event.notes or "").splitlines()


@pytest.mark.parametrize(
    ("error", "expected", "answer"),
    [
        (
            requests.exceptions.ReadTimeout("read timed out"),
            # OneLogin's own wording for a timeout (its failed-provisionings documentation).
            f"The connection timed out while provisioning to {BASE}",
            "Network error: Timeout after 30s",
        ),
        (
            requests.exceptions.ConnectionError("connection refused"),
            "Failed to create user in app. Connection error",
            "Error text: wording assumed",
        ),
    ],
)
def test_network_failures_are_reported(
    acct: OneLoginAccount,
    scim: responses.RequestsMock,
    error: Exception,
    expected: str,
    answer: str,
) -> None:
    scim.get(f"{BASE}/Users", body=error)
    user_id = assign(acct)
    acct.drain()
    assert state(acct, user_id) == ("provisioning_failed", "enabled")
    [event] = events_of(acct, 64)
    assert event.error_description.startswith(expected)
    assert answer in (event.notes or "")


def test_failed_update_then_admin_retry_succeeds(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    user_id = provisioned(acct, scim)
    scim.put(f"{BASE}/Users/w1", status=500, json={"detail": "boom"})
    acct.directory.update_user(user_id, {"title": "Lead"})
    acct.drain()
    assert state(acct, user_id) == ("modifying_failed", "enabled")
    assert "HTTP 500" in events_of(acct, 65)[0].error_description
    scim.replace(responses.PUT, f"{BASE}/Users/w1", json={"id": "w1"})
    [task] = acct.approvals.list_tasks(state="failed")
    acct.approvals.retry(task.id)
    acct.drain()
    assert state(acct, user_id) == ("provisioned", "enabled")
    assert len(events_of(acct, 52)) == 1


def test_failed_task_is_not_retried_automatically_by_default(
    acct: OneLoginAccount, scim: responses.RequestsMock, clock: FixedClock
) -> None:
    scim.get(f"{BASE}/Users", status=503)
    assign(acct)
    acct.drain()
    clock.advance(3600)
    acct.drain()
    assert len(scim.calls) == 1


def test_automatic_retry_honours_retry_after_on_429(
    acct: OneLoginAccount, scim: responses.RequestsMock, clock: FixedClock
) -> None:
    acct.apps.set_provisioning(acct.apps.wrike_app_id(), {"retry_policy": {"max_attempts": 2}})
    scim.get(
        f"{BASE}/Users", status=429, headers={"Retry-After": "30"}, json={"detail": "slow down"}
    )
    user_id = assign(acct)
    acct.drain()
    assert state(acct, user_id) == ("provisioning", "enabled")
    [event] = events_of(acct, 64)
    assert "retry 1 of 2 in 30s" in event.notes
    clock.advance(29)
    acct.drain()
    assert len(scim.calls) == 1
    scim.replace(responses.GET, f"{BASE}/Users", json=EMPTY)
    scim.post(f"{BASE}/Users", json={"id": "w9"}, status=201)
    clock.advance(1)
    acct.drain()
    assert state(acct, user_id) == ("provisioned", "enabled")


def test_automatic_retry_gives_up_after_max_attempts(
    acct: OneLoginAccount, scim: responses.RequestsMock, clock: FixedClock
) -> None:
    acct.apps.set_provisioning(
        acct.apps.wrike_app_id(),
        {"retry_policy": {"max_attempts": 2, "base_delay_s": 1, "max_delay_s": 10}},
    )
    scim.get(f"{BASE}/Users", status=502)
    user_id = assign(acct)
    for _ in range(5):
        acct.drain()
        clock.advance(10)
    assert len(scim.calls) == 3
    assert state(acct, user_id) == ("provisioning_failed", "enabled")


def test_client_errors_are_not_retried_automatically(
    acct: OneLoginAccount, scim: responses.RequestsMock, clock: FixedClock
) -> None:
    acct.apps.set_provisioning(acct.apps.wrike_app_id(), {"retry_policy": {"max_attempts": 3}})
    scim.get(f"{BASE}/Users", status=401, json={"detail": "Invalid token"})
    assign(acct)
    acct.drain()
    clock.advance(120)
    acct.drain()
    assert len(scim.calls) == 1


def test_create_response_without_id_is_a_failure(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    scim.get(f"{BASE}/Users", json=EMPTY)
    scim.post(f"{BASE}/Users", json={"userName": "ann@example.com"}, status=201)
    user_id = assign(acct)
    acct.drain()
    assert state(acct, user_id) == ("provisioning_failed", "enabled")
    assert "no user id" in events_of(acct, 64)[0].error_description


def test_template_without_username_fails_without_a_request(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    acct.apps.configure_connector(
        acct.apps.wrike_app_id(),
        {
            "parameters": {
                "scimusername": {"source": "username"},
                "userType": "custom_fields.wrike_user_type",
            }
        },
    )
    user_id = assign(acct)  # no username set
    acct.drain()
    assert len(scim.calls) == 0
    assert state(acct, user_id) == ("provisioning_failed", "enabled")


def test_queue_survives_a_restart(tmp_path, scim: responses.RequestsMock) -> None:
    config = OneLoginConfig(database=str(tmp_path / "onelogin.sqlite3"))
    first = OneLoginAccount(config, session_factory=lambda base: requests.Session())
    app = first.apps.wrike_app_id()
    first.apps.configure_connector(app, {"scim_base_url": BASE, "scim_bearer_token": TOKEN})
    enable_api(first, scim)
    first.apps.set_provisioning(app, {"enabled": True, "require_approval": NO_APPROVAL})
    assign(first)
    first.store.close()
    created(scim)
    second = OneLoginAccount(config, session_factory=lambda base: requests.Session())
    assert second.drain()["succeeded"] == 1
    assert second.apps.wrike_app_id() == app
    second.store.close()


@pytest.mark.parametrize(("status", "body"), [(404, {"detail": "no such user"}), (200, EMPTY)])
def test_connection_test_accepts_empty_list_or_404(
    acct: OneLoginAccount, scim: responses.RequestsMock, status: int, body: dict
) -> None:
    scim.get(f"{BASE}/Users", status=status, json=body)
    assert acct.apps.enable_api_connection(acct.apps.wrike_app_id()).api_status == "Enabled"
    flt = requests.utils.unquote(scim.calls[0].request.url).split("filter=", 1)[1]
    assert flt.startswith('userName eq "') and flt.endswith('@onelogin-sim.invalid"')
    assert len(scim.calls) == 1  # a test, not provisioning


def test_connection_test_fails_when_the_impossible_user_is_found(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    scim.get(
        f"{BASE}/Users", json={"schemas": [LIST], "totalResults": 1, "Resources": [{"id": "x"}]}
    )
    config = acct.apps.enable_api_connection(acct.apps.wrike_app_id())
    assert config.api_status == "Failed"
    assert "cannot exist" in config.api_status_message


def test_connection_test_failure_shows_and_logs_why(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    scim.get(f"{BASE}/Users", status=401, json={"detail": "Invalid bearer token"})
    config = acct.apps.enable_api_connection(acct.apps.wrike_app_id())
    assert config.api_status == "Failed"
    assert "HTTP 401" in config.api_status_message
    assert "Invalid bearer token" in config.api_status_message
    [event] = events_of(acct, 25)
    assert "HTTP 401" in event.error_description


@pytest.mark.parametrize("how", ["app removed from role", "role deleted", "user leaves role"])
def test_any_loss_of_access_through_a_role_deprovisions(
    acct: OneLoginAccount, scim: responses.RequestsMock, how: str
) -> None:
    acct.apps.set_provisioning(acct.apps.wrike_app_id(), {"on_delete": "Delete"})
    created(scim)
    scim.delete(f"{BASE}/Users/w1", status=204)
    user = acct.directory.create_user({"email": "ann@example.com", "firstname": "Ann"})
    role = acct.directory.create_role(
        {"name": "Wrike", "apps": [acct.apps.wrike_app_id()], "users": [user["id"]]}
    )
    acct.drain()
    assert state(acct, user["id"]) == ("provisioned", "enabled")
    if how == "app removed from role":
        acct.directory.set_role_apps(role, [])
    elif how == "role deleted":
        acct.directory.delete_role(role)
    else:
        acct.directory.remove_role_users(role, [user["id"]])
    acct.drain()
    assert scim.calls[-1].request.method == "DELETE"
    assert state(acct, user["id"]) == ("deleted", "enabled")


def test_access_through_a_second_role_keeps_the_account(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    created(scim)
    user = acct.directory.create_user({"email": "ann@example.com"})
    first = acct.directory.create_role(
        {"name": "A", "apps": [acct.apps.wrike_app_id()], "users": [user["id"]]}
    )
    acct.directory.create_role(
        {"name": "B", "apps": [acct.apps.wrike_app_id()], "users": [user["id"]]}
    )
    acct.drain()
    calls = len(scim.calls)
    acct.directory.remove_role_users(first, [user["id"]])
    acct.drain()
    assert len(scim.calls) == calls
    assert state(acct, user["id"]) == ("provisioned", "enabled")


def test_connection_test_reports_an_unreachable_endpoint(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    scim.get(f"{BASE}/Users", body=requests.exceptions.ConnectionError("Name or service not known"))
    config = acct.apps.enable_api_connection(acct.apps.wrike_app_id())
    assert config.api_status == "Failed"
    assert "Connection error" in config.api_status_message
    assert TOKEN not in config.api_status_message


def test_non_json_answer_to_the_existence_check_is_a_failure(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    scim.get(f"{BASE}/Users", body="<html>login page</html>", status=200)
    user_id = assign(acct)
    acct.drain()
    assert state(acct, user_id) == ("provisioning_failed", "enabled")
    [event] = events_of(acct, 64)
    assert event.error_description == "Failed to create user in app. HTTP 200"
    assert "Wrike's answer: HTTP 200: <html>login page</html>" in (event.notes or "")


def test_a_change_made_while_its_task_runs_is_sent_afterwards(
    acct: OneLoginAccount, scim: responses.RequestsMock
) -> None:
    user_id = 0

    def create_while_admin_edits(request: requests.PreparedRequest) -> tuple[int, dict, str]:
        acct.directory.update_user(user_id, {"title": "Changed mid-flight"})
        return 201, {}, json.dumps({"id": "w1"})

    scim.get(f"{BASE}/Users", json=EMPTY)
    scim.add_callback(responses.POST, f"{BASE}/Users", callback=create_while_admin_edits)
    scim.put(f"{BASE}/Users/w1", json={"id": "w1"})
    user_id = assign(acct, title="Before")
    acct.drain()
    assert json.loads(scim.calls[1].request.body)["title"] == "Before"
    acct.drain()
    assert scim.calls[-1].request.method == "PUT"
    assert json.loads(scim.calls[-1].request.body)["title"] == "Changed mid-flight"
    acct.drain()
    assert len(scim.calls) == 3  # and nothing more once Wrike holds the change

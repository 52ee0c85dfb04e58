"""What the simulator says of itself where a user reads a result: status -> active as one
rule, the API Status gate, OneLogin's attested error texts next to the simulator's (marked),
where each event type's name comes from, and the assumed update method."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from mock_onelogin import OneLoginAccount, OneLoginConfig, create_app
from mock_onelogin.domain import modelling
from mock_onelogin.domain.events import EVENT_TYPES, ONELOGIN_EVENT_TYPE_LIST, SIMULATOR_NAME
from mock_onelogin.domain.failures import error_wording_assumed
from mock_onelogin.domain.provisioning import ProvisioningSettings
from mock_onelogin.domain.template import CompiledTemplate, UserView
from tests.mock_onelogin.conftest import make_user
from tests.mock_onelogin.scim_stub import ScimStub
from tests.mock_onelogin.test_pages import PASSWORD, log_in


@pytest.fixture
def config() -> OneLoginConfig:
    return OneLoginConfig(drain_mode="manual", console_admin_password=PASSWORD)


@pytest.fixture
def admin(account: OneLoginAccount) -> FlaskClient:
    client = create_app(account=account).test_client()
    assert log_in(client).status_code == 302
    return client


ACTIVE_TEMPLATE = {"userName": "{$user.email}", "active": "{$user.active}"}


@pytest.mark.parametrize(
    ("status", "active"),
    [(1, True), (7, True), (0, True), (3, True), (2, False)],
    ids=["Active", "Password Pending", "Unactivated", "Locked", "Suspended"],
)
def test_user_active_follows_the_one_status_rule(status: int, active: bool) -> None:
    body = CompiledTemplate(ACTIVE_TEMPLATE).render(UserView({"email": "a@x.io", "status": status}))
    assert body["active"] is active
    assert modelling.status_is_active(status) is active


def test_a_user_created_without_a_password_is_provisioned_active(
    account: OneLoginAccount, stub: ScimStub, wrike: int
) -> None:
    account.apps.configure_connector(
        wrike, {"scim_json_template": {**modelling.DEFAULT_TEMPLATE, "active": "{$user.active}"}}
    )
    user = account.directory.create_user({"email": "pp@example.com", "username": "pp"})
    assert user["status"] == 7  # Password Pending
    account.directory.add_login(user["id"], wrike)
    account.drain()
    [item] = account.directory.user_apps(user["id"])
    assert item.login.provisioning_state == "provisioned"
    assert stub.by_username("pp@example.com")["active"] is True


def test_the_console_shows_a_password_pending_user_active_in_apps(
    account: OneLoginAccount, admin: FlaskClient
) -> None:
    user = account.directory.create_user({"email": "pp@example.com", "username": "pp"})
    page = admin.get(f"/admin/users/{user['id']}").get_data(as_text=True)
    assert "Password Pending" in page
    assert 'data-testid="user-active-in-apps">Active in apps<' in page
    account.directory.set_user_status(user["id"], 2)
    page = admin.get(f"/admin/users/{user['id']}").get_data(as_text=True)
    assert 'data-testid="user-active-in-apps">Suspended in apps<' in page


def test_every_official_name_has_a_public_source_and_the_rest_are_the_simulators() -> None:
    official = {t.id for t in EVENT_TYPES.values() if t.official}
    # OneLogin's list names 1-6; a third-party plugin 12, 13, 15, 17, 19, 24, 69. 206/207
    # ("Login manually added/removed") have KB texts, not names: they are ours.
    assert official == {1, 2, 4, 13, 17}
    assert EVENT_TYPES[1].name_source == ONELOGIN_EVENT_TYPE_LIST
    assert EVENT_TYPES[206].name_source == SIMULATOR_NAME
    assert EVENT_TYPES[207].name_source == SIMULATOR_NAME


def test_the_event_types_api_says_where_each_name_comes_from(account: OneLoginAccount) -> None:
    client = create_app(account=account).test_client()
    types = {t["id"]: t for t in client.get("/api/1/events/types").get_json()["data"]}
    assert types[1]["official_name"] is True and types[1]["name_source"].startswith("https://")
    assert types[51] == {
        "id": 51,
        "name": "USER_CREATED_IN_APP",
        "description": "User %user% created in app %app%",
        "official_name": False,
        "name_source": "simulator",
    }


@pytest.mark.parametrize(
    ("text", "assumed"),
    [
        (
            "Failed to create user in app. Specified resource (e.g. User) or endpoint does not exist",
            False,
        ),
        ("The connection timed out while provisioning to https://w.example/scim/1/v2", False),
        ("Ann Lee could not be reactivated in Wrike", False),
        ("Failed to create user in app. HTTP 409 (scimType uniqueness)", True),
        ("Failed to update user in app. HTTP 500", True),
        # OneLogin's text with the simulator's words after it is the simulator's wording.
        ("The connection timed out while provisioning to https://w.example: ReadTimeout", True),
        (None, False),
    ],
)
def test_only_onelogins_attested_texts_count_as_its_wording(
    text: str | None, assumed: bool
) -> None:
    assert error_wording_assumed(text) is assumed


def failed_create(account: OneLoginAccount, stub: ScimStub, wrike: int) -> dict[str, Any]:
    stub.fail(409, "uniqueness", "Email is used by another account")
    user = make_user(account)
    account.directory.add_login(user["id"], wrike)
    account.drain()
    return user


def test_the_event_pages_mark_the_simulators_wording_and_names(
    account: OneLoginAccount, stub: ScimStub, wrike: int, admin: FlaskClient
) -> None:
    failed_create(account, stub, wrike)
    [event] = account.system_log.events(event_type_ids=[64])
    page = admin.get(f"/admin/events/{event.id}").get_data(as_text=True)
    assert 'data-testid="wording-assumed">wording assumed<' in page
    assert (
        "Wrike&#39;s answer: HTTP 409: scimType uniqueness, Email is used by another account"
        in page
    )
    assert "Name (assumed: the simulator&#39;s name" in page
    listing = admin.get("/admin/events").get_data(as_text=True)
    assert 'data-testid="wording-assumed"' in listing
    assert 'data-testid="name-assumed"' in listing
    # OneLogin's own name (event 13, Created user) carries no such tag.
    assert "Created user</a> <span" not in listing


def test_update_suspend_and_reactivate_events_say_the_update_method_is_assumed(
    account: OneLoginAccount, stub: ScimStub, wrike: int
) -> None:
    user = make_user(account)
    account.directory.add_login(user["id"], wrike)
    account.drain()
    account.apps.set_provisioning(wrike, {"update_method": "patch"})
    for change in (
        lambda: account.directory.update_user(user["id"], {"title": "Lead"}),
        lambda: account.directory.set_user_status(user["id"], 2),
        lambda: account.directory.set_user_status(user["id"], 1),
    ):
        change()
        account.drain()
    note = modelling.assumed("update_method", "Update method: PATCH")
    for type_id in (52, 53, 54):
        [event] = account.system_log.events(event_type_ids=[type_id])
        assert event.notes == note, type_id
    [created] = account.system_log.events(event_type_ids=[51])
    assert "Update method" not in (created.notes or "")


def test_the_provisioning_tab_labels_the_update_method_as_the_simulators(
    account: OneLoginAccount, admin: FlaskClient
) -> None:
    from tests.mock_onelogin.test_pages import post

    page = admin.get("/admin/apps/1/provisioning").get_data(as_text=True)
    assert "Update method (the simulator's setting, not a OneLogin field)" in page
    note = modelling.assumed("update_method").replace("'", "&#39;")
    assert f'data-testid="update-method-assumed">{note}<' in page
    post(
        admin,
        "/admin/apps/1/provisioning",
        "/admin/apps/1/provisioning",
        enabled="on",
        on_delete="Do Nothing",
        on_suspend="Suspend",
        update_method="patch",
    )
    settings = account.apps.settings(1)
    assert (settings.update_method.value, settings.on_delete.value) == ("patch", "Do Nothing")


def test_the_older_do_nothing_spelling_is_accepted_from_the_api_and_stored_settings(
    account: OneLoginAccount,
) -> None:
    client = create_app(account=account).test_client()
    saved = client.put(
        "/simulator/api/apps/1/provisioning",
        json={"on_delete": "Do nothing", "on_suspend": "do nothing"},
    )
    assert saved.status_code == 200, saved.get_json()
    assert (saved.get_json()["on_delete"], saved.get_json()["on_suspend"]) == ("Do Nothing",) * 2
    assert ProvisioningSettings.from_json({"on_delete": "Do nothing"}).on_delete.value == (
        "Do Nothing"
    )


def test_the_provisioning_tab_warns_while_api_status_is_not_enabled(
    account: OneLoginAccount, stub: ScimStub, admin: FlaskClient
) -> None:
    page = admin.get("/admin/apps/1/provisioning").get_data(as_text=True)
    assert 'data-testid="api-status-gate">API Status is Disabled: no SCIM request is sent' in page
    account.apps.configure_connector(
        1, {"scim_base_url": "http://wrike.test/scim/v2", "scim_bearer_token": stub.token}
    )
    account.apps.enable_api_connection(1)
    page = admin.get("/admin/apps/1/provisioning").get_data(as_text=True)
    assert 'data-testid="api-status-gate"' not in page

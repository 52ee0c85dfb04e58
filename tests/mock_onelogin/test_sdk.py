"""Drive the simulated OneLogin with the official ``onelogin`` SDK (4.0.1) over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import onelogin
import pytest
from onelogin.api import events_api, o_auth2_api, roles_api, users_v2_api

from mock_onelogin import OneLoginAccount, OneLoginConfig, create_app, wsgi_session
from mock_onelogin.domain.events import EVENT_TYPES
from tests.live import serving
from tests.mock_onelogin.conftest import NO_APPROVAL, SCIM_BASE
from tests.mock_onelogin.scim_stub import ScimStub
from tests.mock_onelogin.sdk_world import sdk_client, sdk_events


@pytest.fixture
def server(stub: ScimStub) -> Iterator[tuple[str, OneLoginAccount]]:
    account = OneLoginAccount(
        OneLoginConfig(drain_mode="sync"),
        session_factory=lambda base: wsgi_session(stub.app, "http://wrike.test"),
    )
    with serving(create_app(account.config, account=account)) as host:
        yield host, account


@pytest.fixture
def sdk(server: tuple[str, OneLoginAccount]) -> onelogin.ApiClient:
    return sdk_client(*server)


def test_sdk_provisions_role_members_into_wrike(
    server: tuple[str, OneLoginAccount], sdk: onelogin.ApiClient, stub: ScimStub
) -> None:
    _, account = server
    wrike = account.apps.wrike_app_id()
    account.apps.configure_connector(
        wrike, {"scim_base_url": SCIM_BASE, "scim_bearer_token": stub.token}
    )
    assert account.apps.enable_api_connection(wrike).api_status == "Enabled"
    account.apps.set_provisioning(wrike, {"enabled": True, "require_approval": NO_APPROVAL})

    users = users_v2_api.UsersV2Api(sdk)
    created = [
        users.create_user2(
            user=onelogin.User(
                email=f"sdk{i}@example.com",
                username=f"sdk{i}",
                firstname="Sdk",
                lastname=f"User{i}",
                custom_attributes={"wrike_user_type": "Collaborator"} if i == 0 else None,
            )
        )
        for i in range(3)
    ]
    assert all(isinstance(u.id, int) for u in created)
    assert created[0].status == 7  # no password: Password Pending

    roles = roles_api.RolesApi(sdk)
    role = roles.create_role(role=onelogin.Role(name="Wrike users"))
    roles.set_role_apps(str(role.id), [wrike])
    roles.add_role_users(str(role.id), [u.id for u in created])

    for user in created:
        apps = users.get_user_apps2(user.id)
        assert [(a.name, a.provisioning_state, a.provisioning_enabled) for a in apps] == [
            ("Wrike", "provisioned", True)
        ]
    assert stub.by_username("sdk0@example.com")["userType"] == "Collaborator"
    assert stub.by_username("sdk1@example.com")["userType"] == "Regular"

    created_in_app = sdk_events(sdk, event_type_id=51)
    assert sorted(e.user_id for e in created_in_app) == sorted(u.id for u in created)
    assert {e.app_name for e in created_in_app} == {"Wrike"}
    everything = events_api.EventsApi(sdk).get_events(user_id=created[0].id).data
    assert {51, 147, 13} <= {e.event_type_id for e in everything}

    listed = users.list_users2_with_http_info(limit=2)
    assert len(listed.data) == 2
    assert listed.headers["Total-Count"] == "3"
    assert listed.headers["Total-Pages"] == "2"
    assert "X-RateLimit-Remaining" in listed.headers


def test_sdk_sees_pending_approval_then_failure_details(
    server: tuple[str, OneLoginAccount], sdk: onelogin.ApiClient, stub: ScimStub
) -> None:
    _, account = server
    wrike = account.apps.wrike_app_id()
    account.apps.configure_connector(
        wrike, {"scim_base_url": SCIM_BASE, "scim_bearer_token": stub.token}
    )
    assert account.apps.enable_api_connection(wrike).api_status == "Enabled"
    stub.calls.clear()  # the connection test's request
    account.apps.set_provisioning(wrike, {"enabled": True})  # approvals ticked by default
    users = users_v2_api.UsersV2Api(sdk)
    user = users.create_user2(user=onelogin.User(email="pending@example.com", firstname="Pen"))
    roles = roles_api.RolesApi(sdk)
    role = roles.create_role(role=onelogin.Role(name="Wrike"))
    roles.set_role_apps(str(role.id), [wrike])
    roles.add_role_users(str(role.id), [user.id])
    [app] = users.get_user_apps2(user.id)
    assert app.provisioning_state == "provisioning_pending_approval"
    assert stub.calls == []

    stub.fail(409, "uniqueness", "User already exists in another account")
    [task] = account.approvals.list_tasks(state="pending_approval")
    account.approvals.approve(task.id)
    [app] = users.get_user_apps2(user.id)
    assert app.provisioning_state == "provisioning_failed"
    failures = sdk_events(sdk, event_type_id=64)
    assert "HTTP 409" in failures[0].error_description
    assert "uniqueness" in failures[0].error_description
    assert stub.token not in failures[0].error_description

    account.approvals.retry(task.id)
    [app] = users.get_user_apps2(user.id)
    assert app.provisioning_state == "provisioned"


def test_sdk_error_shapes(sdk: onelogin.ApiClient) -> None:
    users = users_v2_api.UsersV2Api(sdk)
    with pytest.raises(onelogin.exceptions.NotFoundException) as missing:
        users.get_user2(999999)
    assert '"NotFoundError"' in missing.value.body
    # Each type also says where its name comes from (name_source); the SDK's EventType
    # model still deserialises every entry.
    types = events_api.EventsApi(sdk).get_event_types()
    names = {t.id: t.name for t in types.data}
    assert names[51] == "USER_CREATED_IN_APP" and names[1] == "APP_ADDED_TO_ROLE"
    assert len(names) == len(EVENT_TYPES)


def test_sdk_rate_limit_and_revoke(sdk: onelogin.ApiClient) -> None:
    oauth = o_auth2_api.OAuth2Api(sdk)
    limits = oauth.get_rate_limit().data
    assert limits.x_rate_limit_limit == 5000
    assert 0 < limits.x_rate_limit_remaining < 5000
    token = sdk.configuration.access_token
    result = oauth.revoke_tokens(
        revoke_tokens_request=onelogin.RevokeTokensRequest(access_token=token)
    )
    assert result.code == 200
    with pytest.raises(onelogin.exceptions.UnauthorizedException):
        users_v2_api.UsersV2Api(sdk).list_users2()


def test_sdk_update_and_delete_user(sdk: onelogin.ApiClient) -> None:
    users = users_v2_api.UsersV2Api(sdk)
    user = users.create_user2(user=onelogin.User(username="upd", email="upd@example.com"))
    updated = users.update_user2(user.id, user=onelogin.User(title="Lead", status=2))
    assert (updated.title, updated.status, updated.email) == ("Lead", 2, "upd@example.com")
    users.delete_user2(user.id)
    with pytest.raises(onelogin.exceptions.NotFoundException):
        users.get_user2(user.id)

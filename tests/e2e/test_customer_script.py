"""A customer's automation script, written against the official ``onelogin`` SDK 4.0.1 as a
OneLogin tenant's admin would write it, run against the simulated OneLogin over real HTTP
while it provisions into the reference Wrike provider. Every effect the script causes is
read back from Wrike over SCIM, not from the simulator.

The script: an API credential gets a token and checks its rate limit; a role gets the Wrike
app; a user mapping puts Engineering in that role; users are created through v2 (one matched
by the mapping) and through v1 (given the role by hand); both API versions read them back;
attributes and states change through both versions; the System Log is read with filters;
a user leaves Engineering; users are deleted; the token is revoked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import onelogin
import pytest
from onelogin.api import (
    events_api,
    o_auth2_api,
    roles_api,
    user_mappings_api,
    users_v1_api,
    users_v2_api,
)

from tests.mock_onelogin.sdk_world import World, sdk_events, sdk_world


@pytest.fixture
def world() -> Iterator[World]:
    with sdk_world() as built:
        yield built


def wrapped(response: Any) -> list[dict[str, Any]]:
    """The ``data`` of a v1 answer the SDK cannot type (see test_sdk_v1_users)."""
    body = json.loads(response.raw_data)
    assert body["status"]["error"] is False, body
    data: list[dict[str, Any]] = body["data"]
    return data


def test_a_customer_script_drives_onelogin_and_every_effect_reaches_wrike(world: World) -> None:
    domain = world.demo.domain
    ada_email, bob_email = f"ada@{domain}", f"bob@{domain}"
    v1 = users_v1_api.UsersV1Api(world.sdk)
    v2 = users_v2_api.UsersV2Api(world.sdk)
    roles = roles_api.RolesApi(world.sdk)
    world.onelogin.apps.set_provisioning(world.app_id, {"on_delete": "Delete"})

    # The script first checks how much of its hourly budget is left.
    budget = o_auth2_api.OAuth2Api(world.sdk).get_rate_limit().data
    assert budget.x_rate_limit_limit == 5000 and budget.x_rate_limit_remaining > 0

    # A role that holds the Wrike app, found again by name through v1.
    role = roles.create_role(role=onelogin.Role(name="Wrike users"))
    roles.set_role_apps(str(role.id), [world.app_id])
    [found] = roles.get_role_by_name(name="Wrike users").data
    assert found.id == int(role.id)

    # A mapping: everyone in Engineering gets the role.
    mappings = user_mappings_api.UserMappingsApi(world.sdk)
    mapping = mappings.create_mapping(
        mapping=onelogin.Mapping(
            name="Engineering uses Wrike",
            enabled=True,
            match="all",
            conditions=[onelogin.Condition(source="department", operator="=", value="Engineering")],
            actions=[onelogin.ActionObj(action="add_role", value=[str(role.id)])],
        )
    )
    assert mappings.get_mapping(mapping.id).name == "Engineering uses Wrike"

    # v2 create, mappings applied before the answer: Ada is in Wrike, active, with her title.
    ada = v2.create_user2(
        user=onelogin.User(
            email=ada_email,
            username="ada",
            firstname="Ada",
            lastname="Lovelace",
            title="Engineer",
            department="Engineering",
        ),
        mappings="sync",
    )
    assert v2.get_user2(ada.id).role_ids == [int(role.id)]
    in_wrike = world.wrike_user(ada_email)
    assert in_wrike is not None and in_wrike["active"] is True
    assert in_wrike["title"] == "Engineer" and in_wrike["name"]["familyName"] == "Lovelace"

    # v1 create (no department: the mapping does not match), then the role by hand.
    [bob_item] = wrapped(
        v1.create_user_with_http_info(
            user=onelogin.User(email=bob_email, username="bob", firstname="Bob", lastname="Ross"),
            _preload_content=False,
        )
    )
    bob_id = int(bob_item["id"])
    assert world.wrike_user(bob_email) is None
    v1.add_roles_to_user(bob_id, onelogin.AddRolesToUserRequest(role_id_array=[int(role.id)]))
    bob_in_wrike = world.wrike_user(bob_email)
    assert bob_in_wrike is not None and bob_in_wrike["active"] is True

    # Both API versions read the users and their app back.
    [bob_v1] = wrapped(v1.get_user_by_id_with_http_info(bob_id, _preload_content=False))
    assert (bob_v1["email"], bob_v1["role_id"]) == (bob_email, [int(role.id)])
    listed = wrapped(v1.list_users_with_http_info(email=f"*@{domain}", _preload_content=False))
    assert {u["id"] for u in listed} == {ada.id, bob_id}
    assert {u.id for u in v2.list_users2(email=f"*@{domain}")} == {ada.id, bob_id}
    [app] = v2.get_user_apps2(ada.id)
    assert (app.name, app.provisioning_state) == ("Wrike", "provisioned")
    apps = wrapped(v1.get_user_apps_with_http_info(bob_id, _preload_content=False))
    assert [(a["name"], a["provisioned"]) for a in apps] == [("Wrike", "provisioned")]

    # Attribute changes through v1 and v2 reach Wrike.
    v1.update_user_with_http_info(
        bob_id, user=onelogin.User(title="Painter"), _preload_content=False
    )
    assert world.wrike_user(bob_email)["title"] == "Painter"  # type: ignore[index]
    v2.update_user2(ada.id, user=onelogin.User(title="Principal Engineer"))
    assert world.wrike_user(ada_email)["title"] == "Principal Engineer"  # type: ignore[index]

    # State changes: suspended (status 2) through v2, deactivated in Wrike; back through v1.
    v2.update_user2(ada.id, user=onelogin.User(status=2))
    assert world.wrike_user(ada_email)["active"] is False  # type: ignore[index]
    v1.update_user_with_http_info(ada.id, user=onelogin.User(status=1), _preload_content=False)
    assert world.wrike_user(ada_email)["active"] is True  # type: ignore[index]
    # Locking (status 3) is not a suspension: Wrike keeps Bob active.
    v1.lock_account_user(bob_id, onelogin.LockAccountUserRequest(locked_until=0))
    assert world.wrike_user(bob_email)["active"] is True  # type: ignore[index]

    # The System Log, read with filters: Ada's creation in Wrike, once, by the mapping's role.
    created = sdk_events(world.sdk, user_id=ada.id, event_type_id=51)
    assert [(e.event_type_id, e.app_name) for e in created] == [(51, "Wrike")]
    by_mapping = sdk_events(world.sdk, user_id=ada.id, event_type_id=149)
    assert [e.role_name for e in by_mapping] == ["Wrike users"]
    bob_events = events_api.EventsApi(world.sdk).get_events(user_id=bob_id).data
    assert {e.event_type_id for e in bob_events} >= {13, 147, 51, 52}

    # Ada leaves Engineering: the mapping stops matching, the role goes, and the deprovision
    # action ("Delete" here) removes her from Wrike.
    v2.update_user2(ada.id, user=onelogin.User(department="Sales"), mappings="sync")
    assert v2.get_user2(ada.id).role_ids == []
    assert world.wrike_user(ada_email) is None

    # Bob is deleted through v1: gone from Wrike too.
    v1.delete_user_with_http_info(bob_id, _preload_content=False)
    assert world.wrike_user(bob_email) is None
    assert len(sdk_events(world.sdk, user_id=bob_id, event_type_id=55)) == 1

    # The script cleans up: the mapping and the role, then its own token.
    mappings.delete_mapping(mapping.id)
    roles.delete_role(str(role.id))
    with pytest.raises(onelogin.exceptions.NotFoundException):
        roles.get_role(str(role.id))
    o_auth2_api.OAuth2Api(world.sdk).revoke_tokens(
        revoke_tokens_request=onelogin.RevokeTokensRequest(
            access_token=world.sdk.configuration.access_token
        )
    )
    with pytest.raises(onelogin.exceptions.UnauthorizedException):
        v2.list_users2()

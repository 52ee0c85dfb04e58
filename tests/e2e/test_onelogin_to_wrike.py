"""End to end: the simulated OneLogin provisions into the reference Wrike provider through the
in-process transport, and the official SDK shows the result."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import onelogin
import pytest
from onelogin.api import roles_api, users_v2_api

from tests.mock_onelogin.sdk_world import World, sdk_world


@pytest.fixture
def world() -> Iterator[World]:
    with sdk_world() as built:
        yield built


def assign(world: World, email: str, **extra: Any) -> tuple[int, str]:
    users = users_v2_api.UsersV2Api(world.sdk)
    user = users.create_user2(
        user=onelogin.User(email=email, firstname="Pat", lastname="Doe", title="Analyst", **extra)
    )
    roles = roles_api.RolesApi(world.sdk)
    role = roles.create_role(role=onelogin.Role(name=f"Wrike {email}"))
    roles.set_role_apps(str(role.id), [world.app_id])
    roles.add_role_users(str(role.id), [user.id])
    return user.id, str(role.id)


def app_state(world: World, user_id: int) -> str:
    [app] = users_v2_api.UsersV2Api(world.sdk).get_user_apps2(user_id)
    return app.provisioning_state


def test_assignment_provisions_the_user_into_wrike(world: World) -> None:
    user_id, _ = assign(world, f"pat@{world.demo.domain}")
    assert app_state(world, user_id) == "provisioned"
    wrike_user = world.wrike_user(f"pat@{world.demo.domain}")
    assert wrike_user is not None and wrike_user["active"] is True
    assert wrike_user["name"]["givenName"] == "Pat"
    assert wrike_user.get("userType", "Regular") == "Regular"


@pytest.mark.parametrize(
    ("action", "state", "in_wrike"),
    [
        ("Delete", "deleted", None),
        ("Suspend", "disabled", False),
        ("Do nothing", "provisioned", True),
    ],
)
def test_unassignment_does_what_the_setting_says(
    world: World, action: str, state: str, in_wrike: bool | None
) -> None:
    world.onelogin.apps.set_provisioning(world.app_id, {"on_delete": action})
    email = f"sam@{world.demo.domain}"
    user_id, role_id = assign(world, email)
    roles_api.RolesApi(world.sdk).remove_role_users(role_id, [user_id])
    assert app_state(world, user_id) == state
    wrike_user = world.wrike_user(email)
    if in_wrike is None:
        assert wrike_user is None or wrike_user["active"] is False
    else:
        assert wrike_user is not None and wrike_user["active"] is in_wrike


def test_unapproved_domain_shows_as_failed_with_wrikes_reason(world: World) -> None:
    user_id, _ = assign(world, "eve@not-approved.example")
    assert app_state(world, user_id) == "provisioning_failed"
    [event] = world.onelogin.system_log.events(event_type_ids=[64])
    assert event.error_description.startswith("Failed to create user in app. HTTP 4")
    assert world.demo.token not in event.error_description


def test_wrike_user_type_flows_from_the_custom_attribute(world: World) -> None:
    email = f"cole@{world.demo.domain}"
    user_id, _ = assign(world, email, custom_attributes={"wrike_user_type": "Collaborator"})
    assert app_state(world, user_id) == "provisioned"
    assert world.wrike_user(email)["userType"] == "Collaborator"


def test_a_user_type_wrike_does_not_know_fails_with_wrikes_reason(world: World) -> None:
    user_id, _ = assign(
        world, f"bea@{world.demo.domain}", custom_attributes={"wrike_user_type": "Boss"}
    )
    assert app_state(world, user_id) == "provisioning_failed"
    [event] = world.onelogin.system_log.events(event_type_ids=[64])
    assert "HTTP 400" in event.error_description
    # Wrike's own reason is kept apart from OneLogin's error text, in the event's notes.
    assert "Wrike's answer: HTTP 400: scimType invalidValue" in (event.notes or "")
    assert "Boss" in (event.notes or "")

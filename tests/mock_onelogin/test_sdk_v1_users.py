"""``UsersV1Api`` of the official ``onelogin`` SDK (4.0.1) over real HTTP, against the simulated
OneLogin provisioning into the reference Wrike provider (``wrike_sp``).

OneLogin's v1 API wraps its answers (``{"status": {...}, "data": [...]}``); SDK 4.0.1 types
some of them as bare objects and cannot read them (against OneLogin as here). Those calls go
through the SDK's ``*_with_http_info(_preload_content=False)``, as the SDK itself advises, and
each ``data`` item is read with the SDK's own ``User`` model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import onelogin
import pydantic
import pytest
from onelogin.api import events_api, roles_api, users_v1_api, users_v2_api

from tests.mock_onelogin.sdk_world import World, sdk_world


@pytest.fixture
def world() -> Iterator[World]:
    with sdk_world() as built:
        yield built


V1_FIELDS = {"notes", "locale_code", "role_id", "openid_name"}


def raw(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(response.raw_data)
    return body


def sdk_user(item: dict[str, Any]) -> onelogin.User:
    """A v1 ``data`` item as the SDK's ``User`` model reads it."""
    return onelogin.User.from_dict(item)


def v1_create(world: World, n: int) -> dict[str, Any]:
    response = users_v1_api.UsersV1Api(world.sdk).create_user_with_http_info(
        user=onelogin.User(
            email=f"v1user{n}@acme.example",
            username=f"v1user{n}",
            firstname="Vee",
            lastname=f"One{n}",
        ),
        _preload_content=False,
    )
    assert response.status_code == 200
    body = raw(response)
    assert body["status"] == {"error": False, "code": 200, "type": "success", "message": "Success"}
    [item] = body["data"]
    return item


def wrike_role(world: World, name: str = "Wrike v1") -> int:
    roles = roles_api.RolesApi(world.sdk)
    role = roles.create_role(role=onelogin.Role(name=name))
    roles.set_role_apps(str(role.id), [world.app_id])
    return int(role.id)


def test_v1_user_lifecycle_provisions_suspends_and_deletes_in_wrike(world: World) -> None:
    v1 = users_v1_api.UsersV1Api(world.sdk)
    item = v1_create(world, 1)
    user = sdk_user(item)
    assert set(item) >= V1_FIELDS and "role_ids" not in item
    assert (user.status, user.email) == (7, "v1user1@acme.example")  # no password
    uid = int(item["id"])
    role = wrike_role(world)
    assert world.wrike_user("v1user1@acme.example") is None

    # add_roles with the Wrike app's role provisions the user exactly as v2 does
    result = v1.add_roles_to_user(uid, onelogin.AddRolesToUserRequest(role_id_array=[role]))
    assert (result.code, result.message) == (200, "Success")
    created = world.wrike_user("v1user1@acme.example")
    assert created is not None and created["active"] is True
    assert v1.get_user_roles(uid).data == [role]
    apps = raw(v1.get_user_apps_with_http_info(uid, _preload_content=False))["data"]
    assert [(a["name"], a["provisioned"]) for a in apps] == [("Wrike", "provisioned")]

    # get_user_by_id: wrapped, v1 names
    [got] = raw(v1.get_user_by_id_with_http_info(uid, _preload_content=False))["data"]
    assert got["role_id"] == [role] and sdk_user(got).lastname == "One1"

    # update: an attribute reaches Wrike; status 2 suspends, status 1 reactivates
    v1.update_user_with_http_info(
        uid, user=onelogin.User(lastname="Renamed"), _preload_content=False
    )
    assert world.wrike_user("v1user1@acme.example")["name"]["familyName"] == "Renamed"
    v1.update_user_with_http_info(uid, user=onelogin.User(status=2), _preload_content=False)
    assert world.wrike_user("v1user1@acme.example")["active"] is False
    v1.update_user_with_http_info(uid, user=onelogin.User(status=1), _preload_content=False)
    assert world.wrike_user("v1user1@acme.example")["active"] is True

    # remove_roles (the SDK's {"role_id": n} items): access lost, the default action suspends
    v1.remove_user_role(
        uid,
        onelogin.RemoveUserRoleRequest(
            role_id_array=[onelogin.RemoveUserRoleRequestRoleIdArrayInner(role_id=role)]
        ),
    )
    assert world.wrike_user("v1user1@acme.example")["active"] is False
    assert v1.get_user_roles(uid).data == []
    v1.add_roles_to_user(uid, onelogin.AddRolesToUserRequest(role_id_array=[role]))
    assert world.wrike_user("v1user1@acme.example")["active"] is True

    # delete with "Delete" as the deprovisioning action removes the Wrike account
    world.onelogin.apps.set_provisioning(world.app_id, {"on_delete": "Delete"})
    deleted = v1.delete_user_with_http_info(uid, _preload_content=False)
    assert raw(deleted)["status"]["code"] == 200
    assert world.wrike_user("v1user1@acme.example") is None
    # the user's System Log, read with the SDK's events filter, tells the same story
    logged = events_api.EventsApi(world.sdk).get_events(user_id=uid).data
    assert {13, 147, 51, 52, 53, 54, 148, 17, 55} <= {e.event_type_id for e in logged}
    assert {e.app_name for e in logged if e.event_type_id in (51, 53, 54, 55)} == {"Wrike"}
    with pytest.raises(onelogin.exceptions.NotFoundException) as gone:
        v1.get_user_by_id(uid)
    assert json.loads(gone.value.body)["status"] == {
        "error": True,
        "code": 404,
        "type": "not found",
        "message": f"User for id {uid} was not found",
    }


def test_v1_state_lock_logout_and_password_change_nothing_in_wrike(world: World) -> None:
    v1 = users_v1_api.UsersV1Api(world.sdk)
    uid = int(v1_create(world, 2)["id"])
    v1.add_roles_to_user(uid, onelogin.AddRolesToUserRequest(role_id_array=[wrike_role(world)]))
    before = world.wrike_user("v1user2@acme.example")
    assert before is not None and before["active"] is True
    sent = len(world.onelogin.system_log.events(event_type_ids=[52, 53, 54], limit=100))
    v2 = users_v2_api.UsersV2Api(world.sdk)

    assert v1.set_user_state(uid, onelogin.SetUserStateRequest(state=3)).code == 200
    assert v2.get_user2(uid).state == 3
    with pytest.raises(onelogin.exceptions.ApiException) as again:
        v1.set_user_state(uid, onelogin.SetUserStateRequest(state=3))
    assert again.value.status == 400
    assert json.loads(again.value.body)["status"]["message"] == "user is already in this state"

    assert v1.lock_account_user(uid, onelogin.LockAccountUserRequest(locked_until=15)).code == 200
    assert v2.get_user2(uid).status == 3  # Locked: not a suspension
    assert v1.log_out_user(uid).code == 200
    # neither a state, a lock nor a logout sends anything to Wrike
    assert world.wrike_user("v1user2@acme.example") == before
    assert len(world.onelogin.system_log.events(event_type_ids=[52, 53, 54], limit=100)) == sent

    fresh = int(v1_create(world, 3)["id"])
    assert v2.get_user2(fresh).status == 7
    v1.update_password_insecure(
        fresh,
        onelogin.UpdatePasswordInsecureRequest(
            password="S3cret!pw", password_confirmation="S3cret!pw"
        ),
    )
    assert v2.get_user2(fresh).status == 1  # Password Pending -> Active
    assert v1.get_custom_attributes().data == [["wrike_user_type"]]


def test_v1_list_users_filters_and_pages_by_cursor(world: World) -> None:
    v1 = users_v1_api.UsersV1Api(world.sdk)
    ids = [int(v1_create(world, n)["id"]) for n in range(10, 15)]
    role = wrike_role(world, "Listed")
    v1.add_roles_to_user(ids[1], onelogin.AddRolesToUserRequest(role_id_array=[role]))

    first = raw(v1.list_users_with_http_info(limit=2, _preload_content=False))
    assert [u["id"] for u in first["data"]] == ids[:2]
    pagination = first["pagination"]
    assert pagination["before_cursor"] is None and pagination["after_cursor"]
    assert "after_cursor=" in pagination["next_link"]
    second = raw(
        world.sdk.call_api(
            "/api/1/users",
            "GET",
            {},
            [("limit", "2"), ("after_cursor", pagination["after_cursor"])],
            {"Accept": "application/json"},
            auth_settings=["OAuth2"],
            _preload_content=False,
        )
    )
    assert [u["id"] for u in second["data"]] == ids[2:4]
    assert second["pagination"]["before_cursor"]
    assert all(sdk_user(u).id in ids for u in first["data"] + second["data"])

    def listed(**query: Any) -> list[int]:
        body = raw(v1.list_users_with_http_info(_preload_content=False, **query))
        return [u["id"] for u in body["data"]]

    assert listed(email="v1user1*@acme.example") == ids
    assert listed(lastname="One12") == [ids[2]]
    assert listed(user_ids=f"{ids[0]},{ids[4]}") == [ids[0], ids[4]]
    fields = raw(v1.list_users_with_http_info(fields="email", _preload_content=False))["data"]
    assert set(fields[0]) == {"id", "email"}
    by_role = raw(
        world.sdk.call_api(
            "/api/1/users",
            "GET",
            {},
            [("role_id", str(role))],
            {"Accept": "application/json"},
            auth_settings=["OAuth2"],
            _preload_content=False,
        )
    )
    assert [u["id"] for u in by_role["data"]] == [ids[1]]

    # past v1's page size: a v1 400
    with pytest.raises(onelogin.exceptions.ApiException) as big:
        v1.list_users(limit=51)
    assert big.value.status == 400
    assert json.loads(big.value.body)["status"]["error"] is True
    # SDK 4.0.1 types the answer as a bare list: it cannot read OneLogin's wrapped body
    with pytest.raises(pydantic.ValidationError):
        v1.list_users(limit=1)


def test_v1_role_changes_refused_as_onelogin_documents(world: World) -> None:
    v1 = users_v1_api.UsersV1Api(world.sdk)
    uid = int(v1_create(world, 20)["id"])
    role = wrike_role(world)

    def refused(body: Any, path: str = "add_roles") -> dict[str, Any]:
        with pytest.raises(onelogin.exceptions.ApiException) as exc:
            world.sdk.call_api(
                f"/api/1/users/{uid}/{path}",
                "PUT",
                {},
                [],
                {"Accept": "application/json", "Content-Type": "application/json"},
                body=body,
                auth_settings=["OAuth2"],
                _preload_content=False,
            )
        assert exc.value.status == 400
        status: dict[str, Any] = json.loads(exc.value.body)["status"]
        assert status["error"] is True and status["type"] == "bad request"
        return status

    assert refused({"role_id_array": [role + 1000]})["message"] == (
        f"role_id_array should be a subset of -> [{role}]"
    )
    assert refused({"role_id_array": []})["message"] == "role_id_array is empty"
    assert refused({"role_id_array": "x"})["message"] == {
        "description": "role_id_array has incorrect data type. It should be -> array",
        "attribute": "role_id_array",
    }
    assert refused({"role_id_array": [role]}, "remove_roles")["message"] == (
        "input role_id_array is not included as user roles"
    )
    v1.add_roles_to_user(uid, onelogin.AddRolesToUserRequest(role_id_array=[role]))
    assert refused({"role_id_array": [role]})["message"] == (
        "input role_id_array is already included as user roles"
    )
    assert v1.get_user_roles(uid).data == [role]
    with pytest.raises(onelogin.exceptions.ApiException) as missing:
        v1.create_user_with_http_info(
            user=onelogin.User(email="half@acme.example"), _preload_content=False
        )
    assert json.loads(missing.value.body)["status"]["message"]["attribute"] == "firstname"

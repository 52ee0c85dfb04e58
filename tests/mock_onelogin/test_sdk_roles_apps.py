"""``RolesApi`` (v1 lookups, admins, update, delete), ``AppsApi.update_app`` with the
provisioning switch, the v2 users ``id``/``role_id`` filters and ``OAuth2Api`` rate limit and
revoke, driven by the official ``onelogin`` SDK (4.0.1) over real HTTP, with each effect
checked in the reference Wrike provider."""

from __future__ import annotations

import json
from collections.abc import Iterator

import onelogin
import pytest
from onelogin.api import apps_api, o_auth2_api, roles_api, users_v2_api

from tests.mock_onelogin.sdk_world import World, sdk_get, sdk_world


@pytest.fixture
def world() -> Iterator[World]:
    with sdk_world() as built:
        yield built


def new_user(world: World, n: int) -> int:
    user = users_v2_api.UsersV2Api(world.sdk).create_user2(
        user=onelogin.User(
            email=f"ra{n}@acme.example", username=f"ra{n}", firstname="Ro", lastname=f"Le{n}"
        )
    )
    return int(user.id)


def test_v1_role_lookups_by_id_and_name(world: World) -> None:
    roles = roles_api.RolesApi(world.sdk)
    ids = [roles.create_role(role=onelogin.Role(name=n)).id for n in ("Wrike A", "Wrike B", "HR")]
    got = roles.get_role_by_id(str(ids[0]))
    assert got.status.code == 200
    assert [(r.id, r.name) for r in got.data] == [(ids[0], "Wrike A")]
    named = roles.get_role_by_name(name="Wrike*")
    assert [r.name for r in named.data] == ["Wrike A", "Wrike B"]
    assert named.pagination.after_cursor is None
    assert [r.id for r in roles.get_role_by_name(name="HR").data] == [ids[2]]
    with pytest.raises(onelogin.exceptions.NotFoundException) as missing:
        roles.get_role_by_id("999999")
    assert json.loads(missing.value.body)["status"] == {
        "error": True,
        "code": 404,
        "type": "not found",
        "message": "Role for id 999999 was not found",
    }


def test_role_admins_update_and_delete(world: World) -> None:
    roles = roles_api.RolesApi(world.sdk)
    role = roles.create_role(role=onelogin.Role(name="Wrike team"))
    rid = str(role.id)
    roles.set_role_apps(rid, [world.app_id])
    member, admin = new_user(world, 1), new_user(world, 2)
    roles.add_role_users(rid, [member])
    assert world.wrike_user("ra1@acme.example")["active"] is True

    added = roles.add_role_admins(rid, [admin])
    assert [a.id for a in added] == [admin]
    listed = roles.get_role_admins(rid)
    assert [(a.id, a.email) for a in listed] == [(admin, "ra2@acme.example")]
    assert roles.get_role(rid).admins == [admin]
    assert world.wrike_user("ra2@acme.example") is None  # administering gives no app
    roles.remove_role_admins(rid, [admin])
    assert roles.get_role_admins(rid) == [] and roles.get_role(rid).admins == []
    with pytest.raises(onelogin.exceptions.NotFoundException):
        roles.add_role_admins(rid, [999999])

    assert roles.update_role(rid, onelogin.Role(name="Wrike crew")).id == role.id
    assert roles.get_role(rid).name == "Wrike crew"
    with pytest.raises(onelogin.exceptions.ApiException) as partial:
        roles.update_role(rid, onelogin.Role(name="X", users=[admin]))
    assert partial.value.status == 400
    assert json.loads(partial.value.body) == {
        "statusCode": 400,
        "name": "BadRequestError",
        "message": "unknown attribute: users",
    }
    assert roles.get_role(rid).name == "Wrike crew"  # nothing half applied

    deleted = roles.delete_role_with_http_info(rid)
    assert deleted.status_code == 204
    assert world.wrike_user("ra1@acme.example")["active"] is False  # access lost: suspended
    with pytest.raises(onelogin.exceptions.NotFoundException):
        roles.get_role_admins(rid)


def test_update_app_provisioning_switch_and_read_only_fields(world: World) -> None:
    apps = apps_api.AppsApi(world.sdk)
    roles = roles_api.RolesApi(world.sdk)
    off = apps.update_app(world.app_id, {"provisioning": {"enabled": False}})
    assert off.provisioning.enabled is False
    role = roles.create_role(role=onelogin.Role(name="Wrike"))
    roles.set_role_apps(str(role.id), [world.app_id])
    first = new_user(world, 3)
    roles.add_role_users(str(role.id), [first])
    assert world.wrike_user("ra3@acme.example") is None  # off: nothing provisioned

    on = apps.update_app(world.app_id, {"provisioning": {"enabled": True}, "notes": "SCIM"})
    assert on.provisioning.enabled is True and on.notes == "SCIM"
    assert world.wrike_user("ra3@acme.example")["active"] is True  # reconciled like Save
    assert apps.get_app(world.app_id).provisioning.enabled is True

    shown = apps.get_app(world.app_id).to_dict()
    same = apps.update_app(world.app_id, {**shown, "visible": False})
    assert same.visible is False and same.connector_id == shown["connector_id"]
    for body, field in (
        ({"connector_id": 1}, "connector_id"),
        ({"provisioning": {"status": "Disabled"}}, "provisioning.status"),
        ({"parameters": {"scimusername": {}}}, "parameters"),
        ({"role_ids": []}, "role_ids"),
    ):
        with pytest.raises(onelogin.exceptions.ApiException) as refused:
            apps.update_app(world.app_id, body)
        answer = json.loads(refused.value.body)
        assert refused.value.status == 422, body
        assert (answer["name"], answer["field"]) == ("UnprocessableEntityFieldError", field)
    with pytest.raises(onelogin.exceptions.ApiException) as unknown:
        apps.update_app(world.app_id, {"provisioning": {"enabled": False}, "colour": "red"})
    assert unknown.value.status == 400
    assert apps.get_app(world.app_id).provisioning.enabled is True  # refused whole


def test_v2_users_filter_by_id_and_role_id(world: World) -> None:
    users = users_v2_api.UsersV2Api(world.sdk)
    roles = roles_api.RolesApi(world.sdk)
    ids = [new_user(world, n) for n in range(10, 14)]
    role = roles.create_role(role=onelogin.Role(name="Some"))
    roles.add_role_users(str(role.id), [ids[1], ids[3]])

    def listed(query: list[tuple[str, str]]) -> list[int]:
        answer = sdk_get(world.sdk, "/api/2/users", query, "List[User]")
        return [u.id for u in answer]

    assert listed([("id", f"{ids[0]},{ids[2]}")]) == [ids[0], ids[2]]
    assert listed([("role_id", str(role.id))]) == [ids[1], ids[3]]
    assert listed([("role_id", str(role.id)), ("id", str(ids[3]))]) == [ids[3]]
    assert [u.id for u in users.list_users2(user_ids=f"{ids[1]}")] == [ids[1]]


def test_rate_limit_matches_headers_and_revoke_stops_the_token(world: World) -> None:
    oauth = o_auth2_api.OAuth2Api(world.sdk)
    first = oauth.get_rate_limit_with_http_info()
    data = first.data.data
    assert data.x_rate_limit_limit == int(first.headers["X-RateLimit-Limit"]) == 5000
    assert data.x_rate_limit_remaining == int(first.headers["X-RateLimit-Remaining"])
    assert 0 < data.x_rate_limit_reset == int(first.headers["X-RateLimit-Reset"]) <= 3600
    again = oauth.get_rate_limit().data
    assert again.x_rate_limit_remaining == data.x_rate_limit_remaining - 1

    other_id, other_secret = world.onelogin.api_clients.create_client("other")
    other_token = world.onelogin.api_clients.issue_token(other_id)["access_token"]
    token = world.sdk.configuration.access_token
    request = onelogin.RevokeTokensRequest
    # another credential's token: nothing revoked, answered like an unknown one
    assert oauth.revoke_tokens(revoke_tokens_request=request(access_token=other_token)).code == 200
    assert world.onelogin.api_clients.token_client(other_token) is not None
    assert oauth.revoke_tokens(revoke_tokens_request=request(access_token="nope")).code == 200

    revoked = oauth.revoke_tokens(revoke_tokens_request=request(access_token=token))
    assert (revoked.code, revoked.message) == (200, "Success")
    with pytest.raises(onelogin.exceptions.UnauthorizedException):
        users_v2_api.UsersV2Api(world.sdk).list_users2()
    with pytest.raises(onelogin.exceptions.UnauthorizedException):
        oauth.get_rate_limit()
    assert oauth.revoke_tokens(revoke_tokens_request=request(access_token=token)).code == 200
    assert other_secret  # the other credential is untouched


def test_rate_limit_reports_a_spent_budget_instead_of_refusing() -> None:
    with sdk_world(rate_limit_per_hour=2) as world:
        oauth = o_auth2_api.OAuth2Api(world.sdk)
        assert oauth.get_rate_limit().data.x_rate_limit_remaining == 1
        users_v2_api.UsersV2Api(world.sdk).list_users2()  # the last call of the hour
        with pytest.raises(onelogin.exceptions.ApiException) as over:
            users_v2_api.UsersV2Api(world.sdk).list_users2()
        assert over.value.status == 429
        for _ in range(2):  # asking is answered, and costs nothing once spent
            spent = oauth.get_rate_limit_with_http_info()
            assert spent.status_code == 200
            data = spent.data.data
            assert (data.x_rate_limit_limit, data.x_rate_limit_remaining) == (2, 0)
            assert spent.headers["X-RateLimit-Remaining"] == "0"
            assert 0 < data.x_rate_limit_reset == int(spent.headers["X-RateLimit-Reset"]) <= 3600


def test_create_role_applies_admins_and_refuses_unknown_ones_whole(world: World) -> None:
    roles = roles_api.RolesApi(world.sdk)
    member, admin = new_user(world, 5), new_user(world, 6)
    with pytest.raises(onelogin.exceptions.NotFoundException) as missing:
        roles.create_role(
            role=onelogin.Role(
                name="Half", apps=[world.app_id], users=[member], admins=[admin, 999999]
            )
        )
    assert json.loads(missing.value.body) == {
        "statusCode": 404,
        "name": "NotFoundError",
        "message": "User(s) [999999] could not be found",
    }
    assert [r.name for r in roles.list_roles()] == []  # nothing half written
    assert world.wrike_user("ra5@acme.example") is None

    role = roles.create_role(
        role=onelogin.Role(name="Wrike", apps=[world.app_id], users=[member], admins=[admin])
    )
    assert roles.get_role(str(role.id)).admins == [admin]
    assert [a.id for a in roles.get_role_admins(str(role.id))] == [admin]
    assert world.wrike_user("ra5@acme.example")["active"] is True
    assert world.wrike_user("ra6@acme.example") is None  # administering gives no app

"""User mappings driven by the official SDK's ``UserMappingsApi`` (onelogin 4.0.1) over real
HTTP: every endpoint, the shapes the SDK deserialises, OneLogin's status codes and the
mappings API's 422 shape; and a mapping giving a role that holds the Wrike app provisions the
user (the SCIM stub stands for Wrike here; tests/e2e drives the reference provider)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import onelogin
import pytest
from onelogin.api import events_api, roles_api, user_mappings_api, users_v2_api
from onelogin.exceptions import ApiException, NotFoundException

from mock_onelogin import OneLoginAccount, OneLoginConfig, create_app, wsgi_session
from tests.live import serving
from tests.mock_onelogin.conftest import NO_APPROVAL, SCIM_BASE
from tests.mock_onelogin.scim_stub import ScimStub
from tests.mock_onelogin.sdk_world import sdk_client


@pytest.fixture(scope="module")
def stub() -> ScimStub:
    return ScimStub()


@pytest.fixture(scope="module")
def server(stub: ScimStub) -> Iterator[tuple[str, OneLoginAccount]]:
    """One live server for the module (a build costs more than the tests); each test
    resets the account."""
    account = OneLoginAccount(
        OneLoginConfig(drain_mode="sync"),
        session_factory=lambda base: wsgi_session(stub.app, "http://wrike.test"),
    )
    with serving(create_app(account.config, account=account)) as host:
        yield host, account


@pytest.fixture
def account(server: tuple[str, OneLoginAccount]) -> OneLoginAccount:
    acct = server[1]
    acct.reset()
    return acct


@pytest.fixture
def sdk(server: tuple[str, OneLoginAccount], account: OneLoginAccount) -> onelogin.ApiClient:
    return sdk_client(server[0], account)


@pytest.fixture
def maps(sdk: onelogin.ApiClient) -> user_mappings_api.UserMappingsApi:
    return user_mappings_api.UserMappingsApi(sdk)


def role(sdk: onelogin.ApiClient, name: str, apps: list[int] | None = None) -> int:
    created = roles_api.RolesApi(sdk).create_role(role=onelogin.Role(name=name))
    role_id = int(created[0].id if isinstance(created, list) else created.id)
    if apps:
        roles_api.RolesApi(sdk).set_role_apps(str(role_id), apps)
    return role_id


def mapping(
    name: str, role_id: int, *conditions: tuple[str, str, str], enabled: bool = True, **kw: object
) -> onelogin.Mapping:
    return onelogin.Mapping(
        name=name,
        enabled=enabled,
        match=str(kw.get("match", "all")),
        position=kw.get("position"),  # type: ignore[arg-type]
        conditions=[onelogin.Condition(source=s, operator=o, value=v) for s, o, v in conditions],
        actions=[onelogin.ActionObj(action="add_role", value=[str(role_id)])],
    )


def body_of(error: ApiException) -> dict[str, object]:
    return dict(json.loads(error.body))


def test_create_get_list_update_delete(
    sdk: onelogin.ApiClient, maps: user_mappings_api.UserMappingsApi
) -> None:
    eng = role(sdk, "Engineering")
    created = maps.create_mapping(
        mapping=mapping("Engineers", eng, ("department", "=", "Engineering"))
    )
    assert created.id and created.name is None  # 201 with the partial {"id": ..}
    got = maps.get_mapping(created.id)
    assert (got.name, got.enabled, got.match, got.position) == ("Engineers", True, "all", 1)
    assert got.conditions[0].to_dict() == {
        "source": "department",
        "operator": "=",
        "value": "Engineering",
    }
    assert got.actions[0].to_dict() == {"action": "add_role", "value": [str(eng)]}
    assert [m.id for m in maps.list_mappings()] == [created.id]

    # update answers 200 with the id; disabling takes the mapping out of the order
    body = mapping("Engineers", eng, ("department", "~", "eng"), enabled=False).to_dict()
    answer = maps.update_mapping(created.id, body=body)
    assert answer == {"id": created.id}
    after = maps.get_mapping(created.id)
    assert (after.enabled, after.position, after.conditions[0].operator) == (False, None, "~")
    assert maps.list_mappings() == []
    assert [m.id for m in maps.list_mappings(enabled=False)] == [created.id]

    info = maps.delete_mapping_with_http_info(created.id)
    assert info.status_code == 204
    with pytest.raises(NotFoundException) as missing:
        maps.get_mapping(created.id)
    assert body_of(missing.value)["statusCode"] == 404


def test_positions_and_bulk_sort(
    sdk: onelogin.ApiClient, maps: user_mappings_api.UserMappingsApi
) -> None:
    eng = role(sdk, "Engineering")
    a = maps.create_mapping(mapping=mapping("A", eng, ("title", "~", "a"))).id
    b = maps.create_mapping(mapping=mapping("B", eng, ("title", "~", "b"))).id
    c = maps.create_mapping(mapping=mapping("C", eng, ("title", "~", "c"), position=1)).id
    assert [(m.name, m.position) for m in maps.list_mappings()] == [
        ("C", 1),
        ("A", 2),
        ("B", 3),
    ]
    assert maps.sort_mappings([b, a, c]) == [b, a, c]
    assert [m.name for m in maps.list_mappings()] == ["B", "A", "C"]
    with pytest.raises(ApiException) as refused:
        maps.sort_mappings([a, b])
    assert refused.value.status == 422
    error = body_of(refused.value)
    assert error["code"] == 422 and error["message"] == "Validation Failed"
    assert "missing" in json.dumps(error["errors"])
    maps.delete_mapping(a)
    assert [(m.name, m.position) for m in maps.list_mappings()] == [("B", 1), ("C", 2)]


def test_a_refused_body_lists_every_problem_in_the_mappings_shape(
    maps: user_mappings_api.UserMappingsApi, account: OneLoginAccount
) -> None:
    before = account.store.total_changes
    with pytest.raises(ApiException) as refused:
        maps.create_mapping_with_http_info(
            mapping=onelogin.Mapping.model_construct(
                name="", match="all", conditions=[], actions=[]
            )
        )
    assert refused.value.status == 422
    error = body_of(refused.value)
    fields = {e["field"]: e["message"] for e in error["errors"]}  # type: ignore[union-attr]
    assert error["code"] == 422 and error["message"] == "Validation Failed"
    assert fields["enabled"] == ["Required field is missing"]
    assert "name" in fields and "conditions" in fields
    assert account.store.total_changes == before  # nothing half-written


def test_unknown_roles_actions_and_operators_are_refused(
    sdk: onelogin.ApiClient, maps: user_mappings_api.UserMappingsApi
) -> None:
    eng = role(sdk, "Engineering")
    cases = {
        "actions[0].value": mapping("x", eng + 100, ("email", "~", "@acme.com")),
        "conditions[0].operator": mapping("x", eng, ("email", ">", "1")),
        "conditions[0].source": mapping("x", eng, ("shoe_size", "=", "9")),
    }
    for field, body in cases.items():
        with pytest.raises(ApiException) as refused:
            maps.create_mapping(mapping=body)
        errors = body_of(refused.value)["errors"]
        assert [e["field"] for e in errors] == [field], errors  # type: ignore[union-attr]
    set_role = mapping("x", eng, ("email", "~", "@acme.com")).to_dict()
    set_role["actions"] = [{"action": "set_role", "value": [str(eng)]}]
    with pytest.raises(ApiException) as refused:
        maps.create_mapping(mapping=onelogin.Mapping.from_dict(set_role))
    (error,) = body_of(refused.value)["errors"]  # type: ignore[misc]
    assert error["field"] == "actions[0].action" and "not simulated" in error["message"][0]


def test_conditions_operators_values_and_actions(
    sdk: onelogin.ApiClient, maps: user_mappings_api.UserMappingsApi
) -> None:
    eng = role(sdk, "Engineering")
    # The SDK types this list as one object and cannot read OneLogin's array: read it raw.
    raw = maps.list_mapping_conditions_with_http_info(_preload_content=False)
    sources = {c["value"]: c["name"] for c in json.loads(raw.raw_data)}
    assert {"email", "department", "title", "status", "has_role"} <= set(sources)
    assert "custom_attributes.wrike_user_type" in sources
    ops = {o.value: o.name for o in maps.list_mapping_conditions_operators("department")}
    assert ops == {"=": "is", "!=": "is not", "~": "contains", "!~": "does not contain"}
    assert [o.value for o in maps.list_mapping_conditions_operators("has_role")] == ["ri"]
    roles_ = maps.list_mapping_contion_values("has_role")
    assert [(v.name, v.value) for v in roles_] == [("Engineering", eng)]
    statuses = {v.value: v.name for v in maps.list_mapping_contion_values("status")}
    assert statuses[2] == "Suspended"
    assert maps.list_mapping_contion_values("email") == []
    assert [(a.value, a.name) for a in maps.list_mappings_actions()] == [("add_role", "Add Role")]
    assert [(v.name, v.value) for v in maps.list_mapping_action_values("add_role")] == [
        ("Engineering", eng)
    ]
    for call in (
        lambda: maps.list_mapping_conditions_operators("shoe_size"),
        lambda: maps.list_mapping_contion_values("shoe_size"),
        lambda: maps.list_mapping_action_values("set_status"),
    ):
        with pytest.raises(NotFoundException):
            call()


def test_list_filters(sdk: onelogin.ApiClient, maps: user_mappings_api.UserMappingsApi) -> None:
    eng, ops = role(sdk, "Engineering"), role(sdk, "Ops")
    a = maps.create_mapping(mapping=mapping("A", eng, ("has_role", "ri", str(ops)))).id
    b = maps.create_mapping(
        mapping=mapping("B", ops, ("custom_attributes.wrike_user_type", "=", "Collaborator"))
    ).id
    assert [m.id for m in maps.list_mappings(has_condition=f"has_role:{ops}")] == [a]
    assert [m.id for m in maps.list_mappings(has_condition="*:Collab*")] == [b]
    assert [m.id for m in maps.list_mappings(has_action=f"add_role:{ops}")] == [b]
    assert [m.id for m in maps.list_mappings(has_condition_type="custom")] == [b]
    assert [m.id for m in maps.list_mappings(has_action_type="builtin")] == [a, b]
    assert maps.list_mappings(has_action_type="none") == []


def test_a_mapping_gives_the_role_and_takes_it_back(
    server: tuple[str, OneLoginAccount],
    sdk: onelogin.ApiClient,
    maps: user_mappings_api.UserMappingsApi,
    account: OneLoginAccount,
    stub: ScimStub,
) -> None:
    wrike = account.apps.wrike_app_id()
    account.apps.configure_connector(
        wrike, {"scim_base_url": SCIM_BASE, "scim_bearer_token": stub.token}
    )
    assert account.apps.enable_api_connection(wrike).api_status == "Enabled"
    account.apps.set_provisioning(wrike, {"enabled": True, "require_approval": NO_APPROVAL})
    eng = role(sdk, "Engineering", [wrike])
    manual = role(sdk, "Sales")
    maps.create_mapping(mapping=mapping("Engineers", eng, ("department", "=", "engineering")))
    users = users_v2_api.UsersV2Api(sdk)

    # sync: the answer already shows the role the mapping gave (compared case-insensitively)
    ada = users.create_user2(
        mappings="sync",
        user=onelogin.User(
            email="ada@acme.com", username="ada", department="Engineering", role_ids=[manual]
        ),
    )
    assert sorted(ada.role_ids) == sorted([eng, manual])
    # disabled: no mapping runs
    bob = users.create_user2(
        mappings="disabled",
        user=onelogin.User(email="bob@acme.com", username="bob", department="Engineering"),
    )
    assert bob.role_ids == [] and users.get_user2(bob.id).role_ids == []
    # async (the default): applied after the answer
    cyd = users.create_user2(
        user=onelogin.User(email="cyd@acme.com", username="cyd", department="Engineering")
    )
    assert cyd.role_ids == []  # the answer was made before the mappings ran
    assert users.get_user2(cyd.id).role_ids == [eng]
    assert (
        stub.by_username("ada@acme.com") is not None
        and stub.by_username("cyd@acme.com") is not None
    )
    assert stub.by_username("bob@acme.com") is None

    # the department changes: the mapping no longer matches, the role goes, the manual stays
    users.update_user2(ada.id, mappings="sync", user=onelogin.User(department="Sales"))
    assert users.get_user2(ada.id).role_ids == [manual]
    assert stub.by_username("ada@acme.com")["active"] is False  # suspended in Wrike (the default)
    kinds = [
        (e.event_type_id, e.role_name, e.notes)
        for e in account.system_log.events(user_id=ada.id, descending=False)
        if e.event_type_id in (149, 150)
    ]
    assert kinds == [
        (149, "Engineering", "User mapping 'Engineers' (id 1) matched"),
        (150, "Engineering", "User mapping 'Engineers' (id 1) no longer matches"),
    ]
    # the SDK's Event model accepts the ids (it validates event_type_id against a fixed list)
    listed = events_api.EventsApi(sdk).get_events(user_id=ada.id).data
    assert {149, 150} <= {e.event_type_id for e in listed}
    types = {t.id: t.name for t in events_api.EventsApi(sdk).get_event_types().data}
    assert {149, 150, 202} <= set(types)

"""End to end: a OneLogin user mapping puts users in a role that holds the Wrike app, and the
reference Wrike provider (over SCIM) gains, deactivates and regains them as the mapping's
conditions start and stop matching, on user changes and on "Reapply entitlement mappings"."""

from __future__ import annotations

import onelogin
import requests
from onelogin.api import roles_api, user_mappings_api, users_v2_api

from tests.e2e.test_onelogin_to_wrike import World, world  # noqa: F401 (the fixture)


def test_a_mapping_provisions_deprovisions_and_reapplies_into_wrike(world: World) -> None:  # noqa: F811
    roles = roles_api.RolesApi(world.sdk)
    role = roles.create_role(role=onelogin.Role(name="Engineering"))
    roles.set_role_apps(str(role.id), [world.app_id])
    maps = user_mappings_api.UserMappingsApi(world.sdk)
    condition = onelogin.Condition(source="department", operator="=", value="Engineering")
    action = onelogin.ActionObj(action="add_role", value=[str(role.id)])
    created = maps.create_mapping(
        mapping=onelogin.Mapping(
            name="Engineers use Wrike",
            enabled=True,
            match="all",
            conditions=[condition],
            actions=[action],
        )
    )
    users = users_v2_api.UsersV2Api(world.sdk)
    ada_email, bob_email = f"ada@{world.demo.domain}", f"bob@{world.demo.domain}"
    ada = users.create_user2(
        user=onelogin.User(email=ada_email, firstname="Ada", lastname="L", department="Engineering")
    )
    users.create_user2(
        user=onelogin.User(email=bob_email, firstname="Bob", lastname="K", department="Sales")
    )
    in_wrike = world.wrike_user(ada_email)
    assert in_wrike is not None and in_wrike["active"] is True
    assert world.wrike_user(bob_email) is None

    # Ada moves to Sales: the mapping no longer matches, the role goes, Wrike deactivates her
    users.update_user2(ada.id, user=onelogin.User(department="Sales"))
    assert users.get_user2(ada.id).role_ids == []
    assert world.wrike_user(ada_email)["active"] is False  # type: ignore[index]

    # The mapping is widened to Sales; nothing happens until mappings are reapplied
    maps.update_mapping(
        created.id,
        body={
            "name": "Engineers and Sales use Wrike",
            "enabled": True,
            "match": "any",
            "conditions": [condition.to_dict(), {**condition.to_dict(), "value": "Sales"}],
            "actions": [action.to_dict()],
        },
    )
    assert world.wrike_user(bob_email) is None
    host = world.sdk.configuration.host
    answer = requests.post(f"{host}/simulator/api/reconcile", json={"app_id": world.app_id})
    assert answer.status_code == 200, answer.text
    assert world.wrike_user(bob_email)["active"] is True  # type: ignore[index]
    assert world.wrike_user(ada_email)["active"] is True  # type: ignore[index]
    reapplied = world.onelogin.system_log.events(event_type_ids=[202])
    assert len(reapplied) == 1 and "2 role(s) added" in (reapplied[0].notes or "")

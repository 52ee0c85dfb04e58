"""The v1 users and roles endpoints and the v2 additions, through the Flask test client (fast):
every refusal in its API family's own shape with nothing written, and the System Log and
paging details a script reads."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from mock_onelogin import FixedClock, OneLoginAccount
from mock_onelogin.domain.clock import iso
from tests.mock_onelogin.conftest import make_user

BIG = str(2**63)


def v1_refusal(body: Any, status: int) -> bool:
    return (
        isinstance(body, dict)
        and isinstance(body.get("status"), dict)
        and body["status"]["error"] is True
        and body["status"]["code"] == status
    )


def test_v1_ids_out_of_range_or_unknown_are_v1_404s(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    for path in ("/api/1/users/{id}", "/api/1/users/{id}/apps", "/api/1/roles/{id}"):
        for value in (BIG, "0", "%D9%A1", "999"):
            response = client.get(path.format(id=value), headers=auth)
            assert response.status_code == 404, (path, value)
            assert v1_refusal(response.get_json(), 404), (path, value)


BAD_WRITES = [
    ("POST", "/api/1/users", {"email": "x@acme.com"}),  # v1 requires four fields
    ("POST", "/api/1/users", ["not", "an", "object"]),
    (
        "POST",
        "/api/1/users",
        {**dict.fromkeys(("firstname", "lastname"), "A"), "email": "bad", "username": "u"},
    ),
    ("PUT", "/api/1/users/{uid}", {"openid_name": "x"}),
    ("PUT", "/api/1/users/{uid}", {"notes": "a", "comment": "b"}),
    ("PUT", "/api/1/users/{uid}/set_state", {"state": 9}),
    ("PUT", "/api/1/users/{uid}/set_state", {"state": "1"}),
    ("PUT", "/api/1/users/{uid}/set_state", {}),
    ("PUT", "/api/1/users/{uid}/lock_user", {"locked_until": -1}),
    ("PUT", "/api/1/users/{uid}/lock_user", {"locked_until": 2**64}),
    ("PUT", "/api/1/users/{uid}/add_roles", {"role_id_array": [{"role_id": 2**64}]}),
    ("PUT", "/api/1/users/{uid}/add_roles", {"role_id_array": [True]}),
    ("PUT", "/api/1/users/{uid}/add_roles", {"role_id_array": [{"role_id": 1, "x": 2}]}),
    ("PUT", "/api/1/users/set_password_clear_text/{uid}", {"password": "a"}),
    (
        "PUT",
        "/api/1/users/set_password_clear_text/{uid}",
        {"password": "a", "password_confirmation": "b"},
    ),
    (
        "PUT",
        "/api/1/users/set_password_using_salt/{uid}",
        {"password": "a", "password_confirmation": "a", "salt": "x"},
    ),
    ("PUT", "/api/2/roles/{rid}", {"name": "X", "apps": [1]}),
    ("POST", "/api/2/roles/{rid}/admins", [2**64]),
    ("POST", "/api/2/roles/{rid}/admins", {"user_id": [1]}),
    ("PUT", "/api/2/apps/1", {"name": "New", "connector_id": 5}),
    ("PUT", "/api/2/apps/1", {"notes": "n", "provisioning": {"enabled": "yes"}}),
    ("PUT", "/api/2/apps/1", {"visible": "no"}),
    ("PUT", "/api/2/apps/1", {"name": " "}),
    ("PUT", "/api/2/apps/1", {"sso": {}}),
]


def test_refused_writes_answer_in_shape_and_write_nothing(
    account: OneLoginAccount, client: FlaskClient, auth: dict[str, str]
) -> None:
    uid = make_user(account)["id"]
    rid = account.directory.create_role({"name": "R"})
    for method, path, body in BAD_WRITES:
        before = account.store.total_changes
        url = path.format(uid=uid, rid=rid)
        response = client.open(url, method=method, json=body, headers=auth)
        assert 400 <= response.status_code < 500, (url, body, response.get_json())
        answer = response.get_json()
        if url.startswith("/api/1"):
            assert v1_refusal(answer, response.status_code), (url, body, answer)
        else:
            assert {"statusCode", "name", "message"} <= set(answer), (url, body, answer)
        assert account.store.total_changes == before, ("refused but written", url, body)


def test_v1_role_changes_are_logged_with_the_api_credential_as_actor(
    account: OneLoginAccount, client: FlaskClient, auth: dict[str, str]
) -> None:
    uid = make_user(account)["id"]
    rid = account.directory.create_role({"name": "Staff"})
    assert (
        client.put(
            f"/api/1/users/{uid}/add_roles", json={"role_id_array": [rid]}, headers=auth
        ).status_code
        == 200
    )
    assert (
        client.put(
            f"/api/1/users/{uid}/remove_roles", json={"role_id_array": [rid]}, headers=auth
        ).status_code
        == 200
    )
    events = account.system_log.events(event_type_ids=[147, 148], limit=10)
    assert sorted(e.event_type_id for e in events) == [147, 148]
    assert {(e.role_name, e.actor_user_name) for e in events} == {("Staff", "API credential tests")}


def test_v1_roles_list_pages_and_filters(
    account: OneLoginAccount, client: FlaskClient, auth: dict[str, str]
) -> None:
    ids = [account.directory.create_role({"name": f"Team {n}"}) for n in range(3)]
    first = client.get("/api/1/roles", query_string={"limit": 2}, headers=auth).get_json()
    assert [r["id"] for r in first["data"]] == ids[:2]
    after = first["pagination"]["after_cursor"]
    second = client.get(
        "/api/1/roles", query_string={"limit": 2, "after_cursor": after}, headers=auth
    ).get_json()
    assert [r["id"] for r in second["data"]] == ids[2:]
    assert second["pagination"]["after_cursor"] is None
    back = client.get(
        "/api/1/roles",
        query_string={"limit": 2, "before_cursor": second["pagination"]["before_cursor"]},
        headers=auth,
    ).get_json()
    assert [r["id"] for r in back["data"]] == ids[:2]
    named = client.get("/api/1/roles", query_string={"name": "team 1"}, headers=auth)
    assert [r["id"] for r in named.get_json()["data"]] == [ids[1]]
    bad = client.get("/api/1/roles", query_string={"after_cursor": "%%"}, headers=auth)
    assert bad.status_code == 400 and v1_refusal(bad.get_json(), 400)


def test_v1_user_apps_empty_is_a_list_in_a_list(
    account: OneLoginAccount, client: FlaskClient, auth: dict[str, str]
) -> None:
    uid = make_user(account)["id"]
    answer = client.get(f"/api/1/users/{uid}/apps", headers=auth).get_json()
    assert answer["data"] == [[]]


def test_v1_users_since_until_and_sort(
    account: OneLoginAccount, clock: FixedClock, client: FlaskClient, auth: dict[str, str]
) -> None:
    early = make_user(account, 1)["id"]
    clock.advance(3600)
    middle = iso(clock.now())
    clock.advance(3600)
    late = make_user(account, 2)["id"]

    def ids(**query: str) -> list[int]:
        answer = client.get("/api/1/users", query_string=query, headers=auth).get_json()
        return [u["id"] for u in answer["data"]]

    assert ids(since=middle) == [late]
    assert ids(until=middle) == [early]
    assert ids(sort="-id") == [late, early]
    bad = client.get("/api/1/users", query_string={"since": "yesterday"}, headers=auth)
    assert bad.status_code == 400 and v1_refusal(bad.get_json(), 400)


def test_a_renamed_wrike_app_is_still_the_wrike_app(
    client: FlaskClient, auth: dict[str, str], account: OneLoginAccount
) -> None:
    """An admin renames the app (More Actions or ``AppsApi.update_app``): the harness and
    the simulator API still find it by its connector."""
    app_id = account.apps.wrike_app_id()
    answer = client.put(f"/api/2/apps/{app_id}", json={"name": "Wrike (prod)"}, headers=auth)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert account.apps.wrike_app_id() == app_id


def test_v1_user_sent_back_as_read_is_accepted_and_changed_read_only_refused(
    account: OneLoginAccount, client: FlaskClient, auth: dict[str, str]
) -> None:
    uid = make_user(account, manager_user_id=None)["id"]
    rid = account.directory.create_role({"name": "R", "users": [uid]})
    url = f"/api/1/users/{uid}"
    [read] = client.get(url, headers=auth).get_json()["data"]
    assert read["role_id"] == [rid] and read["openid_name"] == "user1"
    same = client.put(url, json=read, headers=auth)
    assert same.status_code == 200, same.get_json()
    [after] = same.get_json()["data"]
    assert after["role_id"] == [rid] and after["firstname"] == "First1"
    edited = client.put(url, json={**after, "title": "Lead"}, headers=auth)
    assert edited.status_code == 200 and edited.get_json()["data"][0]["title"] == "Lead"

    [read] = client.get(url, headers=auth).get_json()["data"]
    refusals = [
        ({"role_id": []}, "role_id", "use add_roles and remove_roles"),
        ({"created_at": "2020-01-01T00:00:00.000Z"}, "created_at", "read-only"),
        ({"openid_name": "other"}, "openid_name", "read-only"),
        ({"bogus": 1}, "bogus", "unknown attribute: bogus"),
    ]
    for change, field, text in refusals:
        before = account.store.total_changes
        refused = client.put(url, json={**read, "title": "Boss", **change}, headers=auth)
        body = refused.get_json()
        assert refused.status_code == 400 and v1_refusal(body, 400), (field, body)
        message = body["status"]["message"]
        assert message["attribute"] == field and text in message["description"], body
        assert account.store.total_changes == before, ("refused but written", field)
    [now] = client.get(url, headers=auth).get_json()["data"]
    assert now["title"] == "Lead" and now["role_id"] == [rid]

"""User mappings in the account: which roles they give and take, which they leave alone,
what survives a restart, and the Mappings page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from mock_onelogin import OneLoginAccount, OneLoginConfig
from mock_onelogin.domain.mappings import MappingInvalid
from tests.mock_onelogin.conftest import make_user
from tests.mock_onelogin.test_pages import PASSWORD, log_in, post, text_of


def body(role_id: int, *conditions: tuple[str, str, str], **extra: Any) -> dict[str, Any]:
    return {
        "name": extra.pop("name", "Engineers"),
        "enabled": extra.pop("enabled", True),
        "match": extra.pop("match", "all"),
        "conditions": [{"source": s, "operator": o, "value": v} for s, o, v in conditions],
        "actions": [{"action": "add_role", "value": [str(role_id)]}],
        **extra,
    }


def roles_of(account: OneLoginAccount, user_id: int) -> list[int]:
    return sorted(account.directory.user_role_ids(user_id))


def test_match_any_and_all(account: OneLoginAccount) -> None:
    eng = account.directory.create_role({"name": "Engineering"})
    account.mappings.create(
        body(eng, ("department", "=", "R&D"), ("title", "~", "engineer"), match="any")
    )
    one = make_user(account, 1, department="Sales", title="Senior Engineer")
    two = make_user(account, 2, department="Sales", title="Designer")
    assert roles_of(account, one["id"]) == [eng] and roles_of(account, two["id"]) == []


@pytest.mark.parametrize(
    ("operator", "value", "matches"),
    [("=", "R&D", True), ("!=", "R&D", False), ("~", "&", True), ("!~", "&", False)],
)
def test_text_operators(account: OneLoginAccount, operator: str, value: str, matches: bool) -> None:
    eng = account.directory.create_role({"name": "Engineering"})
    account.mappings.create(body(eng, ("department", operator, value)))
    user = make_user(account, 1, department="R&D")
    assert (roles_of(account, user["id"]) == [eng]) is matches


def test_status_custom_attribute_and_has_role_conditions(account: OneLoginAccount) -> None:
    eng, ops, collab = (account.directory.create_role({"name": n}) for n in ("E", "O", "C"))
    account.mappings.create(body(ops, ("status", "=", "2"), name="suspended"))
    account.mappings.create(
        body(collab, ("custom_attributes.wrike_user_type", "=", "Collaborator"), name="c")
    )
    account.mappings.create(body(eng, ("has_role", "ri", str(collab)), name="chained"))
    user = make_user(account, 1, custom_attributes={"wrike_user_type": "collaborator"})
    assert roles_of(account, user["id"]) == sorted([collab, eng])  # the third sees the second
    account.directory.update_user(user["id"], {"status": 2})
    assert roles_of(account, user["id"]) == sorted([ops, collab, eng])


def test_a_manual_role_stays_and_a_mapped_role_removed_by_hand_comes_back(
    account: OneLoginAccount,
) -> None:
    eng = account.directory.create_role({"name": "Engineering"})
    account.mappings.create(body(eng, ("department", "=", "Engineering")))
    manual = make_user(account, 1, department="Sales", role_ids=[eng])
    account.directory.update_user(manual["id"], {"department": "Engineering"})
    account.directory.update_user(manual["id"], {"department": "Sales"})
    assert roles_of(account, manual["id"]) == [eng]  # never the mapping's: it stays
    mapped = make_user(account, 2, department="Engineering")
    account.directory.remove_role_users(eng, [mapped["id"]])
    assert roles_of(account, mapped["id"]) == []
    account.directory.update_user(mapped["id"], {"title": "Lead"})
    assert roles_of(account, mapped["id"]) == [eng]


def test_saving_a_mapping_waits_for_reapply_which_logs_event_202(account: OneLoginAccount) -> None:
    eng = account.directory.create_role({"name": "Engineering"})
    user = make_user(account, 1, department="Engineering")
    mapping_id = account.mappings.create(body(eng, ("department", "=", "Engineering")))
    assert roles_of(account, user["id"]) == []
    assert account.mappings.reapply() == {"users": 1, "added": 1, "removed": 0}
    assert roles_of(account, user["id"]) == [eng]
    account.mappings.delete(mapping_id)
    assert account.mappings.reapply()["removed"] == 1
    assert roles_of(account, user["id"]) == []
    reapplied = account.system_log.events(event_type_ids=[202])
    assert [e.notes for e in reversed(reapplied)] == [
        "User mappings applied to 1 user(s): 1 role(s) added, 0 removed",
        "User mappings applied to 1 user(s): 0 role(s) added, 1 removed",
    ]
    removed = account.system_log.events(event_type_ids=[150])[0]
    assert "is disabled or deleted" in (removed.notes or "")


def test_without_mappings_reapply_logs_nothing(account: OneLoginAccount) -> None:
    make_user(account, 1)
    assert account.mappings.reapply() == {}
    assert account.system_log.events(event_type_ids=[202]) == []


def test_a_refused_mapping_writes_nothing(account: OneLoginAccount) -> None:
    eng = account.directory.create_role({"name": "Engineering"})
    before = account.store.total_changes
    for bad in (
        body(eng, ("department", "=", "x"), position=5),
        body(eng, ("department", "=", "x"), match="some"),
        {**body(eng, ("department", "=", "x")), "actions": [{"action": "add_role", "value": []}]},
        [],
    ):
        with pytest.raises(MappingInvalid):
            account.mappings.create(bad)
    assert account.store.total_changes == before


def test_mappings_and_the_roles_they_gave_survive_a_restart(tmp_path: Path) -> None:
    config = OneLoginConfig(database=str(tmp_path / "onelogin.sqlite3"), drain_mode="manual")
    first = OneLoginAccount(config)
    eng = first.directory.create_role({"name": "Engineering"})
    first.mappings.create(body(eng, ("department", "=", "Engineering")))
    user = make_user(first, 1, department="Engineering")
    first.store.close()
    second = OneLoginAccount(config)
    assert [m.spec.name for m in second.mappings.matching()] == ["Engineers"]
    second.directory.update_user(user["id"], {"department": "Sales"})
    assert roles_of(second, user["id"]) == []  # it knew the role was the mapping's
    second.store.close()


@pytest.fixture
def config() -> OneLoginConfig:
    return OneLoginConfig(drain_mode="sync", console_admin_password=PASSWORD)


def test_the_mappings_page_lists_them_and_reapplies(
    account: OneLoginAccount, client: FlaskClient
) -> None:
    eng = account.directory.create_role({"name": "Engineering"})
    account.mappings.create(body(eng, ("department", "=", "Engineering")))
    account.mappings.create(body(eng, ("title", "~", "x"), name="Off", enabled=False))
    user = make_user(account, 1, department="Engineering")
    account.directory.remove_role_users(eng, [user["id"]])
    assert client.get("/admin/mappings").status_code == 302  # to the login page
    assert client.post("/admin/mappings/reapply").status_code in (302, 400, 403)
    assert roles_of(account, user["id"]) == []
    assert log_in(client).status_code == 302
    page = text_of(client.get("/admin/mappings").text)
    assert "1 Engineers Enabled All of: department is 'Engineering' Add Role: Engineering" in page
    assert "— Off Disabled" in page
    answer = post(client, "/admin/mappings/reapply", "/admin/mappings")
    assert answer.status_code == 302
    assert "1 role(s) added" in text_of(client.get("/admin/mappings").text)
    assert roles_of(account, user["id"]) == [eng]


def test_reapply_entitlement_mappings_on_the_apps_users_tab_applies_them(
    account: OneLoginAccount, client: FlaskClient
) -> None:
    eng = account.directory.create_role({"name": "Engineering"})
    user = make_user(account, 1, department="Engineering")
    account.mappings.create(body(eng, ("department", "=", "Engineering")))
    app_id = account.apps.wrike_app_id()
    assert log_in(client).status_code == 302
    page = f"/admin/apps/{app_id}/users"
    assert post(client, f"/admin/apps/{app_id}/reapply", page).status_code == 302
    assert roles_of(account, user["id"]) == [eng]
    assert len(account.system_log.events(event_type_ids=[202])) == 1


def test_reconcile_of_an_unknown_app_reapplies_nothing(
    account: OneLoginAccount, client: FlaskClient
) -> None:
    eng = account.directory.create_role({"name": "Engineering"})
    user = make_user(account, 1, department="Engineering")
    account.mappings.create(body(eng, ("department", "=", "Engineering")))
    answer = client.post("/simulator/api/reconcile", json={"app_id": 999})
    assert answer.status_code == 404 and answer.get_json()["statusCode"] == 404
    assert roles_of(account, user["id"]) == []

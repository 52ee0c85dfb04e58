"""One app added to or taken from a role (the console's "Add app" and "Remove") changes that
app alone: the role's other apps, and their users' access, stay as they are."""

from __future__ import annotations

import pytest

from mock_onelogin import OneLoginAccount
from mock_onelogin.domain.errors import NotFound
from mock_onelogin.domain.events import EventType
from tests.mock_onelogin.conftest import make_user
from tests.mock_onelogin.scim_stub import ScimStub

ADDED, REMOVED = int(EventType.APP_ADDED_TO_ROLE), int(EventType.APP_REMOVED_FROM_ROLE)


def test_adding_an_app_keeps_the_roles_other_apps_and_logs_once(
    account: OneLoginAccount, wrike: int, stub: ScimStub
) -> None:
    other = account.apps.create_app("Other")
    role = account.directory.create_role({"name": "Staff", "apps": [other]})
    user = make_user(account)
    account.directory.add_role_users(role, [user["id"]])
    account.directory.add_role_app(role, wrike)
    account.directory.add_role_app(role, wrike)  # already there: nothing happens
    assert account.directory.role_app_ids(role) == sorted([other, wrike])
    assert len(account.system_log.events(event_type_ids=[ADDED], app_id=wrike)) == 1
    account.drain()
    assert stub.by_username(user["email"]) is not None  # the role's user got the app


def test_removing_an_app_takes_that_app_alone(account: OneLoginAccount, wrike: int) -> None:
    other = account.apps.create_app("Other")
    role = account.directory.create_role({"name": "Staff", "apps": [other, wrike]})
    account.directory.remove_role_app(role, wrike)
    account.directory.remove_role_app(role, wrike)  # no longer there: nothing happens
    assert account.directory.role_app_ids(role) == [other]
    assert len(account.system_log.events(event_type_ids=[REMOVED], app_id=wrike)) == 1


def test_an_unknown_app_is_refused(account: OneLoginAccount) -> None:
    role = account.directory.create_role({"name": "Staff"})
    with pytest.raises(NotFound, match="App 999"):
        account.directory.add_role_app(role, 999)

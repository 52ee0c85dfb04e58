"""OneLogin's wire habits: which SCIM calls each kind of task makes (the engine sends them, the
approval dialog shows them)."""

from __future__ import annotations

import pytest

from mock_onelogin.domain.provisioning import TaskKind, UpdateMethod
from mock_onelogin.domain.wire import task_calls

BODY = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "userName": "ada@acme.com",
    "name": {"givenName": "Ada"},
    "emails": [{"value": "ada@acme.com", "primary": True}],
}


def methods(kind: TaskKind, method: UpdateMethod = UpdateMethod.PUT) -> list[str]:
    return [call.method for call in task_calls(kind, BODY, method)]


def test_a_create_checks_the_username_first_then_posts_the_template() -> None:
    check, post = task_calls(TaskKind.CREATE, BODY, UpdateMethod.PUT)
    assert (check.method, check.user_name, check.body) == ("GET", "ada@acme.com", None)
    # The template has no "active": the create says so, since an RFC provider has no default.
    assert (post.method, post.body) == ("POST", {**BODY, "active": True})


@pytest.mark.parametrize("method", list(UpdateMethod))
def test_a_create_and_a_delete_do_not_depend_on_the_update_method(method: UpdateMethod) -> None:
    assert methods(TaskKind.CREATE, method) == ["GET", "POST"]
    assert methods(TaskKind.DELETE, method) == ["DELETE"]


def test_do_nothing_sends_nothing() -> None:
    assert task_calls(TaskKind.NOTHING, BODY, UpdateMethod.PUT) == []


def test_put_sends_the_whole_template_and_always_sets_active() -> None:
    # The template has no "active"; a full PUT without one would drop it on an RFC provider.
    (update,) = task_calls(TaskKind.UPDATE, BODY, UpdateMethod.PUT)
    assert update.method == "PUT" and update.body == {**BODY, "active": True}
    (suspend,) = task_calls(TaskKind.SUSPEND, BODY, UpdateMethod.PUT)
    assert suspend.body == {**BODY, "active": False}
    (reactivate,) = task_calls(TaskKind.REACTIVATE, BODY, UpdateMethod.PUT)
    assert reactivate.body == {**BODY, "active": True}


def test_patch_replaces_each_attribute_and_suspends_with_active_alone() -> None:
    (update,) = task_calls(TaskKind.UPDATE, BODY, UpdateMethod.PATCH)
    assert update.method == "PATCH"
    assert [(op["op"], op["path"]) for op in update.body] == [
        ("replace", "userName"),
        ("replace", "name"),
        ("replace", "emails[primary eq true]"),
    ]
    # The primary entry replaces the provider's primary one (one value, not a list); an
    # update leaves "active" alone.
    assert update.body[-1]["value"] == {"value": "ada@acme.com", "primary": True}
    (suspend,) = task_calls(TaskKind.SUSPEND, BODY, UpdateMethod.PATCH)
    assert suspend.body == [{"op": "replace", "path": "active", "value": False}]
    (reactivate,) = task_calls(TaskKind.REACTIVATE, BODY, UpdateMethod.PATCH)
    assert reactivate.body[-1] == {"op": "replace", "path": "active", "value": True}


def test_patch_adds_the_entries_that_are_not_primary() -> None:
    body = {
        "emails": [
            {"value": "ada@acme.com", "type": "work", "primary": True},
            {"value": "ada@home.example", "type": "home"},
        ]
    }
    (update,) = task_calls(TaskKind.UPDATE, body, UpdateMethod.PATCH)
    assert update.body == [
        {"op": "replace", "path": "emails[primary eq true]", "value": body["emails"][0]},
        {"op": "add", "path": "emails", "value": [body["emails"][1]]},
    ]

"""The user's provisioning timeline: the order a support engineer reads on the user page, which
request each approval, denial, retry and result belongs to, and the state badges."""

from __future__ import annotations

import itertools

import pytest

from mock_onelogin.domain.events import Event, EventType
from mock_onelogin.domain.provisioning import TaskKind, TaskState
from mock_onelogin.domain.queue import Task
from mock_onelogin.domain.timeline import TimelineEntry, outcome_kind, user_timeline

AT = "2026-01-01T09:00:00.000Z"  # a test clock: every row shares one millisecond


_ids = itertools.count(1)


def event(type_id: EventType, notes: str | None = None, at: str = AT) -> Event:
    return Event(
        next(_ids),
        int(type_id),
        at,
        0.0,
        1,
        "Ada",
        1,
        "Wrike",
        None,
        None,
        None,
        None,
        "OneLogin",
        None,
        None,
        notes,
        None,
        None,
    )


def request(task_id: int, kind: str, state: str, at: str = AT) -> Task:
    return Task(
        task_id, 1, 1, TaskKind(kind), TaskState(state), "test", 0, 0.0, None, None, None, at, at
    )


def lines(entries: list[TimelineEntry]) -> list[str]:
    """Each entry as one short line: the event type, or which request, with its badge."""
    out = []
    for entry in entries:
        if entry.task is not None:
            text = f"request {entry.task.id} ({entry.task.kind.value})"
        else:
            assert entry.event is not None
            text = EventType(entry.event.event_type_id).name
        out.append(f"{text} [{entry.state}]" if entry.state else text)
    return out


def owners(entries: list[TimelineEntry]) -> dict[str, int | None]:
    """Outcome events by type name, with the request each one reports on."""
    return {
        EventType(e.event.event_type_id).name: e.request_id
        for e in entries
        if e.event is not None and e.request_id is not None
    }


def test_a_request_comes_after_the_change_that_caused_it_and_before_its_outcome() -> None:
    events = [
        event(EventType.CREATED_USER),
        event(EventType.LOGIN_MANUALLY_ADDED),
        event(EventType.USER_APP_REQUEST_APPROVED, "Approved: create user"),
        event(EventType.USER_CREATED_IN_APP),
        event(EventType.UPDATED_USER),
        event(EventType.USER_SUSPENDED),
        event(EventType.USER_SUSPENDED_IN_APP),
    ]
    tasks = [request(1, "create", "done"), request(2, "suspend", "done")]
    timeline = user_timeline(events, tasks)
    assert lines(timeline) == [
        "CREATED_USER",
        "LOGIN_MANUALLY_ADDED",
        "request 1 (create)",
        "USER_APP_REQUEST_APPROVED",
        "USER_CREATED_IN_APP [Provisioned]",
        "UPDATED_USER",
        "USER_SUSPENDED",
        "request 2 (suspend)",
        "USER_SUSPENDED_IN_APP [Suspended]",
    ]
    assert owners(timeline) == {
        "USER_APP_REQUEST_APPROVED": 1,
        "USER_CREATED_IN_APP": 1,
        "USER_SUSPENDED_IN_APP": 2,
    }


def test_a_denied_request_and_the_next_one_failed_and_retried_keep_their_order() -> None:
    events = [
        event(EventType.CREATED_USER),
        event(EventType.LOGIN_MANUALLY_ADDED),
        event(EventType.USER_APP_REQUEST_DENIED, "Denied: create user; nothing was sent"),
        event(EventType.USER_APP_REQUEST_APPROVED, "Approved: create user"),
        event(EventType.USER_CREATION_FAILED_IN_APP),
        event(EventType.PROVISIONING_EVENT, "Retry requested: create user"),
        event(EventType.USER_CREATED_IN_APP),
    ]
    tasks = [request(1, "create", "denied"), request(2, "create", "done")]
    timeline = user_timeline(events, tasks)
    assert lines(timeline) == [
        "CREATED_USER",
        "LOGIN_MANUALLY_ADDED",
        "request 1 (create)",
        "USER_APP_REQUEST_DENIED [Denied]",
        "request 2 (create)",
        "USER_APP_REQUEST_APPROVED",
        "USER_CREATION_FAILED_IN_APP [Failed]",
        "PROVISIONING_EVENT",
        "USER_CREATED_IN_APP [Provisioned]",
    ]
    # The denial closes the first request: everything after it belongs to the second.
    assert [e.request_id for e in timeline if e.event is not None][2:] == [1, 2, 2, 2, 2]


def test_when_times_differ_a_pending_request_follows_the_last_change_before_it() -> None:
    events = [
        event(EventType.CREATED_USER, at="2026-01-01T09:00:00.000Z"),
        event(EventType.LOGIN_MANUALLY_ADDED, at="2026-01-01T09:01:00.000Z"),
        event(EventType.UPDATED_USER, at="2026-01-01T09:05:00.000Z"),
    ]
    tasks = [request(1, "create", "pending_approval", at="2026-01-01T09:01:00.000Z")]
    assert lines(user_timeline(events, tasks)) == [
        "CREATED_USER",
        "LOGIN_MANUALLY_ADDED",
        "request 1 (create) [Pending]",
        "UPDATED_USER",
    ]


def test_a_request_older_than_every_event_comes_first() -> None:
    events = [event(EventType.UPDATED_USER, at="2026-01-01T09:05:00.000Z")]
    tasks = [request(7, "update", "queued", at="2026-01-01T09:00:00.000Z")]
    assert lines(user_timeline(events, tasks)) == ["request 7 (update)", "UPDATED_USER"]


def test_without_requests_the_events_keep_the_log_order_and_belong_to_none() -> None:
    events = [
        event(EventType.CREATED_USER),
        event(EventType.USER_APP_REQUEST_APPROVED, "Approved: create user"),
        event(EventType.USER_CREATED_IN_APP),
    ]
    timeline = user_timeline(events, [])
    assert lines(timeline) == [
        "CREATED_USER",
        "USER_APP_REQUEST_APPROVED",
        "USER_CREATED_IN_APP [Provisioned]",
    ]
    assert owners(timeline) == {}


@pytest.mark.parametrize(
    ("type_id", "notes", "kind"),
    [
        (EventType.USER_CREATED_IN_APP, None, "create"),
        (EventType.USER_SUSPENSION_FAILED_IN_APP, None, "suspend"),
        (EventType.USER_DELETED_IN_APP, None, "delete"),
        (EventType.PROVISIONING_DO_NOTHING_WARNING, None, "nothing"),
        (EventType.USER_APP_REQUEST_APPROVED, "Approved: delete user", "delete"),
        (EventType.USER_APP_REQUEST_DENIED, "Denied: update user; nothing was sent", "update"),
        (EventType.PROVISIONING_EVENT, "Retry requested: reactivate user", "reactivate"),
        (EventType.UPDATED_USER, None, None),
        (EventType.PROVISIONING_EVENT, "Something else", None),
    ],
)
def test_outcome_kind_names_the_request_an_event_reports_on(
    type_id: EventType, notes: str | None, kind: str | None
) -> None:
    assert outcome_kind(event(type_id, notes)) == kind

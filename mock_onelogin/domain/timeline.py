"""A user's provisioning timeline: the System Log events and the provisioning requests for one
app in a single order, each request right after the directory change that caused it.

Events and requests are kept apart (the System Log and the task queue), and they often share
a millisecond (always, under a test clock), so time alone cannot order them. The rule here
orders them by cause and effect: a request follows the change that caused it and comes before
its own approval, denial, retry and result. It works on plain rows (the store's dicts), so the
console page and a test see the same order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mock_onelogin.domain.events import Event, EventType
from mock_onelogin.domain.provisioning import TASK_STATES, TaskKind, TaskState
from mock_onelogin.domain.queue import Task

#: The provisioning state a System Log event leaves the user in, for the user's timeline.
STATE_AFTER_EVENT: dict[int, str] = {
    EventType.USER_CREATED_IN_APP: "Provisioned",
    EventType.USER_UPDATED_IN_APP: "Provisioned",
    EventType.USER_REACTIVATED_IN_APP: "Provisioned",
    EventType.USER_LINKED_IN_APP: "Provisioned",
    EventType.USER_SUSPENDED_IN_APP: "Suspended",
    EventType.USER_DELETED_IN_APP: "Deleted",
    EventType.USER_SUSPENSION_FAILED_IN_APP: "Failed",
    EventType.USER_REACTIVATION_FAILED_IN_APP: "Failed",
    EventType.USER_DELETION_FAILED_IN_APP: "Failed",
    EventType.USER_CREATION_FAILED_IN_APP: "Failed",
    EventType.USER_UPDATE_FAILED_IN_APP: "Failed",
    EventType.USER_APP_REQUEST_DENIED: "Denied",
}
#: Events that report on provisioning rather than change the directory: a request is never
#: caused by one of them, so the timeline places requests after the change that caused them.
OUTCOME_EVENTS = {
    *STATE_AFTER_EVENT,
    EventType.USER_APP_REQUEST_APPROVED,
    EventType.PROVISIONING_EVENT,
    EventType.PROVISIONING_EXCEPTION,
    EventType.PROVISIONING_DO_NOTHING_WARNING,
}


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the timeline: a System Log event or a provisioning request (never both)."""

    event: Event | None = None
    task: Task | None = None
    #: The state badge: where the event leaves the user, or "Pending" for a request that
    #: waits for approval; empty when there is none to show.
    state: str = ""
    #: For an outcome event (approval, denial, retry, result): the id of the request it
    #: reports on, if that request is in the timeline.
    request_id: int | None = None


def outcome_kind(event: Event) -> str | None:
    """Which kind of request an outcome event reports on (approval, denial, retry, result)."""
    type_id = event.event_type_id
    for kind, steps in TASK_STATES.items():
        if type_id in (steps.success_event, steps.failure_event):
            return kind.value
    if type_id == EventType.PROVISIONING_DO_NOTHING_WARNING:
        return TaskKind.NOTHING.value
    notes = event.notes or ""
    for prefix in ("Approved: ", "Denied: ", "Retry requested: "):
        if notes.startswith(prefix):
            return notes[len(prefix) :].split(" ", 1)[0]
    return None


def _outcome_owners(
    events: Sequence[Event], tasks: Sequence[Task]
) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """Match outcome events to finished requests, in order by kind.

    Returns, by event index, the request each outcome event reports on; by request id, the
    index of its first outcome event; and by request id, the index of its last one."""
    owner_of: dict[int, int] = {}
    first_outcome: dict[int, int] = {}
    closed_at: dict[int, int] = {}
    open_tasks = [
        t for t in tasks if t.state in (TaskState.DONE, TaskState.FAILED, TaskState.DENIED)
    ]
    for index, event in enumerate(events):
        kind = outcome_kind(event) if event.event_type_id in OUTCOME_EVENTS else None
        owner = next((t for t in open_tasks if t.kind == kind), None)
        if owner is None:
            continue
        owner_of[index] = owner.id
        first_outcome.setdefault(owner.id, index)
        steps = TASK_STATES.get(TaskKind(owner.kind))
        if steps is None or event.event_type_id in (
            EventType.USER_APP_REQUEST_DENIED,
            steps.success_event,
        ):
            open_tasks.remove(owner)  # its last event: later ones belong to later requests
            closed_at[owner.id] = index
    return owner_of, first_outcome, closed_at


def _task_anchors(
    events: Sequence[Event],
    tasks: Sequence[Task],
    first_outcome: Mapping[int, int],
    closed_at: Mapping[int, int],
) -> dict[int, int]:
    """For each request, the index of the directory change it follows in the timeline (-1:
    before every event).

    By time: the latest directory change logged at or before the request. Events and
    requests often share a millisecond (always, under a test clock), so a request is also
    kept before its own approval and result, matched to requests in order by kind."""
    anchors: dict[int, int] = {}
    floor = -1  # one open request per user and app: the next comes after the last closed
    for task in tasks:
        limit = first_outcome.get(task.id, len(events))
        anchor = floor if floor < limit else -1
        for index, event in enumerate(events[:limit]):
            if (
                event.created_at <= task.created_at
                and index > anchor
                and event.event_type_id not in OUTCOME_EVENTS
            ):
                anchor = index
        anchors[task.id] = anchor
        floor = closed_at.get(task.id, floor)
    return anchors


def user_timeline(events: Sequence[Event], tasks: Sequence[Task]) -> list[TimelineEntry]:
    """The user's events (oldest first, as logged) and requests (as queued) in one order:
    each event keeps its place, each request comes right after its anchor (see
    ``_task_anchors``), and requests anchored to the same event keep their queue order."""
    owner_of, first_outcome, closed_at = _outcome_owners(events, tasks)
    anchors = _task_anchors(events, tasks, first_outcome, closed_at)
    keyed: list[tuple[tuple[int, int, int], TimelineEntry]] = [
        (
            (index, 0, 0),
            TimelineEntry(
                event=event,
                state=STATE_AFTER_EVENT.get(event.event_type_id, ""),
                request_id=owner_of.get(index),
            ),
        )
        for index, event in enumerate(events)
    ]
    keyed += [
        (
            (anchors[task.id], 1, task.id),
            TimelineEntry(
                task=task,
                state="Pending" if task.state == TaskState.PENDING_APPROVAL else "",
            ),
        )
        for task in tasks
    ]
    keyed.sort(key=lambda item: item[0])
    return [entry for _, entry in keyed]

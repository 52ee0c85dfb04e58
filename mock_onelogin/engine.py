"""The provisioning engine: runs queued tasks against the app's SCIM endpoint.

Hot path design (the bench provisions 10,000 users): tasks are fetched in batches with the
user and login rows joined in one query, app configuration (template, session, settings) is
compiled once per configuration version rather than re-read per request, and each batch's
task, login and System Log writes go to SQLite in one transaction. Tasks of a batch are
marked ``running`` first, so a change arriving mid-batch cannot be overwritten, and a crash
mid-batch only re-runs tasks whose create is idempotent (the existence check links the
account OneLogin already created).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from mock_onelogin.domain import modelling
from mock_onelogin.domain.clock import Clock, iso
from mock_onelogin.domain.connector import API_STATUS_ENABLED, API_STATUS_FAILED, ConnectorConfig
from mock_onelogin.domain.events import EventType
from mock_onelogin.domain.failures import failure_notes, failure_text, update_method_note
from mock_onelogin.domain.provisioning import (
    SUCCESS_STATES,
    TASK_STATES,
    ProvisioningSettings,
    Remote,
    TaskKind,
    TaskState,
    precondition_holds,
)
from mock_onelogin.domain.queue import LoginResult, TaskResult, resting_state
from mock_onelogin.domain.secrets import scrub
from mock_onelogin.domain.template import CompiledTemplate, UserView
from mock_onelogin.domain.wire import task_calls
from mock_onelogin.scim_client import ScimClient, ScimExchange, clip_text, found_user_id
from mock_onelogin.store import OneLoginStore

SessionFactory = Callable[[str], requests.Session]
_log = logging.getLogger("mock_onelogin.engine")
ACTOR_SYSTEM = "OneLogin Provisioning"


def _not_sent(why: str) -> ScimExchange:
    """A task that fails before any request goes out: ``why`` is the simulator's reason."""
    return ScimExchange("", "", {}, None, network_error=why)


def api_status_not_enabled(connector: ConnectorConfig) -> str:
    """Why nothing was sent while the API Status is not Enabled (the simulator's wording),
    with the connection test's own result when it failed."""
    tested = (
        f" (the connection test said: {connector.api_status_message})"
        if connector.api_status == API_STATUS_FAILED and connector.api_status_message
        else ""
    )
    return (
        f"API Status is {connector.api_status}{tested}: no request was sent. Click Enable "
        "next to API Status on the Configuration tab, then retry"
    )


def body_hash(body: dict[str, Any], text: str | None = None) -> str:
    """A fingerprint of a rendered body: an update is due only when it changes.

    A compiled template always renders keys in the same order, so the plain ``json.dumps``
    text is a stable fingerprint; pass ``text`` when that text was already made (the body of
    the request just sent) to avoid encoding it twice."""
    return hashlib.sha1((text if text is not None else json.dumps(body)).encode()).hexdigest()


def display_name(user: dict[str, Any]) -> str:
    """OneLogin's actor/user name: first and last name, falling back to email."""
    name = f"{user.get('firstname') or ''} {user.get('lastname') or ''}".strip()
    return name or user.get("email") or user.get("username") or ""


def user_view(row: dict[str, Any]) -> UserView:
    custom = row.get("custom_attributes") or "{}"
    return UserView(row, json.loads(custom) if isinstance(custom, str) else custom)


@dataclass
class AppContext:
    """Everything the engine needs about one app, built once per configuration version."""

    app_id: int
    version: int
    name: str
    settings: ProvisioningSettings
    connector: ConnectorConfig
    template: CompiledTemplate
    client: ScimClient | None
    secrets: list[str]


@dataclass
class DrainReport:
    ran: int = 0
    succeeded: int = 0
    failed: int = 0
    retried: int = 0
    superseded: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "ran": self.ran,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "retry_scheduled": self.retried,
            "superseded": self.superseded,
            "by_kind": self.by_kind,
        }


@dataclass
class _Outcome:
    task_state: TaskState
    login: LoginResult | None
    events: list[dict[str, Any]]
    error: str | None = None
    due_at: float = 0.0


def make_event(
    clock: Clock,
    event_type: EventType,
    *,
    user: dict[str, Any] | None = None,
    app: tuple[int, str] | None = None,
    role: tuple[int, str] | None = None,
    actor: tuple[int | None, str] | None = None,
    actor_system: str | None = None,
    client_id: str | None = None,
    error: str | None = None,
    notes: str | None = None,
    scim: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    now = clock.now()
    return {
        "event_type_id": int(event_type),
        "created_at": iso(now),
        "created_ts": now.timestamp(),
        "user_id": user.get("id", user.get("user_id")) if user else None,
        "user_name": display_name(user) if user else None,
        "app_id": app[0] if app else None,
        "app_name": app[1] if app else None,
        "role_id": role[0] if role else None,
        "role_name": role[1] if role else None,
        "actor_user_id": actor[0] if actor else None,
        "actor_user_name": actor[1] if actor else None,
        "actor_system": actor_system,
        "client_id": client_id,
        "error_description": error,
        "notes": notes,
        "custom_message": None,
        "scim": json.dumps(scim) if scim is not None else None,
    }


class ProvisioningEngine:
    """Runs queued provisioning tasks over each app connector's ``requests.Session``.

    It knows nothing of what is behind the session; ``session_factory(base_url)`` supplies one
    per connector (a plain session for real HTTP, ``wsgi_session`` for in-process)."""

    def __init__(
        self,
        store: OneLoginStore,
        clock: Clock,
        session_factory: SessionFactory | None = None,
        batch_size: int = 250,
        event_retention: int = modelling.DEFAULT_EVENT_RETENTION,
        scim_timeout_s: float = modelling.SCIM_TIMEOUT_S,
    ) -> None:
        self.store = store
        self.clock = clock
        self.session_factory = session_factory or (lambda base_url: requests.Session())
        self.batch_size = batch_size
        self.scim_timeout_s = scim_timeout_s
        self.event_retention = event_retention
        self._apps: dict[int, AppContext] = {}
        self._sessions: dict[tuple[int, str], requests.Session] = {}
        self._events_since_prune = 0

    # configuration cache --------------------------------------------------------------------
    def app_context(self, app_id: int, row: dict[str, Any] | None = None) -> AppContext | None:
        row = row or self.store.get_app(app_id)
        if row is None:
            return None
        cached = self._apps.get(app_id)
        if cached and cached.version == row["version"]:
            return cached
        settings = ProvisioningSettings.from_json(json.loads(row["provisioning"] or "{}"))
        connector = ConnectorConfig.from_storage(row["connector"])
        client = None
        if connector.ready:
            key = (app_id, connector.scim_base_url)
            session = self._sessions.get(key)
            if session is None:
                session = self.session_factory(connector.scim_base_url)
                self._sessions[key] = session
            client = ScimClient(
                session,
                connector.scim_base_url,
                connector.scim_bearer_token,
                connector.custom_headers,
                timeout=self.scim_timeout_s,
            )
        ctx = AppContext(
            app_id,
            row["version"],
            row["name"],
            settings,
            connector,
            connector.compile(),
            client,
            [connector.scim_bearer_token],
        )
        self._apps[app_id] = ctx
        return ctx

    def forget_sessions(self) -> None:
        self._apps.clear()
        self._sessions.clear()

    def connection_client(self, app_id: int) -> tuple[AppContext | None, ScimClient | None]:
        ctx = self.app_context(app_id)
        return ctx, ctx.client if ctx else None

    # draining -------------------------------------------------------------------------------
    def recover(self) -> None:
        """Tasks left running by a stopped process go back to the queue: nothing is lost."""
        self.store.requeue_running()

    def drain(
        self, max_tasks: int | None = None, after_batch: Callable[[], None] | None = None
    ) -> DrainReport:
        """Run every task that is due now (synchronously), in batches. ``after_batch`` runs in
        the transaction that records each batch's results, so whatever it queues is committed
        together with them: nobody can see the queue empty in between."""
        report = DrainReport()
        while max_tasks is None or report.ran < max_tasks:
            limit = (
                self.batch_size
                if max_tasks is None
                else min(self.batch_size, max_tasks - report.ran)
            )
            rows = self._claim(limit)
            if not rows:
                break
            self._run_batch(rows, report, after_batch)
        return report

    def _claim(self, limit: int) -> list[dict[str, Any]]:
        return self.store.claim_due_tasks(self.clock.now().timestamp(), limit)

    def _run_batch(
        self,
        rows: list[dict[str, Any]],
        report: DrainReport,
        after_batch: Callable[[], None] | None = None,
    ) -> None:
        versions = {r["id"]: r for r in self.store.list_apps()}
        results: list[TaskResult] = []
        logins: list[LoginResult] = []
        events: list[dict[str, Any]] = []
        for row in rows:
            app_row = versions.get(row["app_id"])
            ctx = self.app_context(row["app_id"], app_row) if app_row else None
            outcome = self._run_one(row, ctx)
            report.ran += 1
            report.by_kind[row["kind"]] = report.by_kind.get(row["kind"], 0) + 1
            if outcome.task_state == TaskState.DONE:
                report.succeeded += 1
            elif outcome.task_state == TaskState.FAILED:
                report.failed += 1
            elif outcome.task_state == TaskState.QUEUED:
                report.retried += 1
            elif outcome.task_state == TaskState.SUPERSEDED:
                report.superseded += 1
            attempts = row["attempts"] + (1 if outcome.task_state != TaskState.SUPERSEDED else 0)
            results.append(
                TaskResult(
                    row["task_id"], outcome.task_state, attempts, outcome.due_at, outcome.error
                )
            )
            if outcome.login is not None:
                logins.append(outcome.login)
            events.extend(outcome.events)
        with self.store.transaction():
            self.store.finish_tasks(results, logins, iso(self.clock.now()))
            self.store.insert_events(events)
            if after_batch is not None:
                # The batch's results stand even if what follows them fails.
                try:
                    with self.store.savepoint():
                        after_batch()
                except Exception:
                    _log.exception("checking again the logins changed while their task ran")
        self.note_events(len(events))

    def note_events(self, count: int) -> None:
        """Bounded retention: at most ``event_retention`` plus one pruning step (a tenth of
        it, capped) are kept, pruned every so often rather than on every write."""
        self._events_since_prune += count
        if self._events_since_prune >= max(1, min(1000, self.event_retention // 10)):
            self._events_since_prune = 0
            self.store.prune_events(self.event_retention)

    @staticmethod
    def _login(row: dict[str, Any], **changes: Any) -> LoginResult:
        """The login as the task leaves it: the claimed row's values, with ``changes``."""
        return LoginResult(
            row["login_id"],
            changes.get("scim_id", row["scim_id"]),
            changes.get("remote", row["remote"]),
            changes.get("confirmed_hash", row["confirmed_hash"]),
            changes.get("state", (row["provisioning_state"], row["provisioning_status"])),
            changes.get("last_error", row["last_error"]),
        )

    def _run_one(self, row: dict[str, Any], ctx: AppContext | None) -> _Outcome:
        kind = TaskKind(row["kind"])
        remote = Remote(row["remote"])
        user = row  # the joined row carries user_id and the name fields make_event needs
        if ctx is None:
            return _Outcome(TaskState.SUPERSEDED, None, [], "app no longer exists")
        app = (ctx.app_id, ctx.name)
        if not ctx.settings.enabled:
            # Provisioning was switched off after the task was queued: nothing is sent and
            # nothing is logged; switching it back on reconciles the app.
            state, status = resting_state(remote)
            return _Outcome(
                TaskState.SUPERSEDED,
                self._login(row, state=(state, status)),
                [],
                "provisioning is disabled for the app",
            )
        if kind is TaskKind.NOTHING:
            event = make_event(
                self.clock,
                EventType.PROVISIONING_DO_NOTHING_WARNING,
                user=user,
                app=app,
                actor_system=ACTOR_SYSTEM,
                notes=f"Deprovisioning mode is '{modelling.DO_NOTHING_LABEL}': no request was sent "
                f"to {ctx.name} ({row['trigger']})",
            )
            return _Outcome(TaskState.DONE, None, [event])
        stale = not precondition_holds(kind, remote, row["scim_id"]) or (
            row["deleted_at"] and kind in (TaskKind.CREATE, TaskKind.UPDATE, TaskKind.REACTIVATE)
        )
        if stale:
            state, status = resting_state(remote)
            return _Outcome(
                TaskState.SUPERSEDED,
                self._login(row, state=(state, status)),
                [],
                "no longer applies: another task already changed the account",
            )
        if ctx.client is None:
            exchange = ScimExchange(
                "",
                "",
                {},
                None,
                network_error="SCIM Base URL or SCIM Bearer Token is not configured for the app",
            )
            return self._failure(row, ctx, kind, exchange, [], retryable=False)
        if (
            modelling.API_STATUS_GATES_PROVISIONING
            and ctx.connector.api_status != API_STATUS_ENABLED
        ):
            return self._failure(
                row,
                ctx,
                kind,
                _not_sent(api_status_not_enabled(ctx.connector)),
                [],
                retryable=False,
                extra_notes=[modelling.assumed("api_status_gate", "API Status gate")],
            )
        body = ctx.template.render(user_view(row))
        client = ctx.client
        steps = TASK_STATES[kind]
        success_state, success_status, success_remote = SUCCESS_STATES[kind]
        if kind is TaskKind.CREATE:
            user_name = body.get("userName")
            if not user_name:
                exchange = _not_sent(
                    "the SCIM JSON Template rendered no userName for this user (is the "
                    "scimusername parameter's source empty?); no request was sent"
                )
                return self._failure(row, ctx, kind, exchange, [], retryable=False)
            lookup, create = task_calls(kind, body, ctx.settings.update_method)
            check = client.find_by_username(str(lookup.user_name))
            understood, found = found_user_id(check)
            if not understood:
                return self._failure(row, ctx, kind, check, [check])
            if found is not None:
                event = self._event(
                    EventType.USER_LINKED_IN_APP,
                    user,
                    ctx,
                    [check],
                    notes=f"Existing account {found} matched by userName",
                )
                return _Outcome(
                    TaskState.DONE,
                    self._login(
                        row,
                        scim_id=found,
                        remote=Remote.ACTIVE.value,
                        # Linked, not updated: nothing is confirmed about the account's attributes,
                        # so the next change or reconciliation sends the whole body (README:
                        # "Link without update").
                        confirmed_hash=None,
                        state=("provisioned", "enabled"),
                        last_error=None,
                    ),
                    [event],
                )
            created = client.create(create.body)
            if not created.ok:
                return self._failure(row, ctx, kind, created, [check, created])
            new_id = (
                created.response_body.get("id") if isinstance(created.response_body, dict) else None
            )
            if new_id is None:
                created.network_error = (
                    f"HTTP {created.status} but the response carries no "
                    "user id, so OneLogin cannot manage the account later"
                )
                return self._failure(row, ctx, kind, created, [check, created], retryable=False)
            event = self._event(steps.success_event, user, ctx, [check, created])
            return _Outcome(
                TaskState.DONE,
                self._login(
                    row,
                    scim_id=str(new_id),
                    remote=Remote.ACTIVE.value,
                    confirmed_hash=body_hash(
                        body, created.request_text if create.body is body else None
                    ),
                    state=(success_state, success_status),
                    last_error=None,
                ),
                [event],
            )
        scim_id = str(row["scim_id"])
        (call,) = task_calls(kind, body, ctx.settings.update_method)
        if call.method == "DELETE":
            exchange = client.delete(scim_id)
            ok = exchange.ok or (exchange.status == 404 and modelling.DELETE_NOT_FOUND_IS_SUCCESS)
            new_hash = None
        else:
            if call.method == "PATCH":
                exchange = client.patch(scim_id, call.body)
            else:
                exchange = client.replace(scim_id, call.body)
            ok = exchange.ok
            new_hash = body_hash(body)
        method_note = (
            None
            if call.method == "DELETE"
            else update_method_note(ctx.settings.update_method.value)
        )
        if not ok:
            return self._failure(
                row,
                ctx,
                kind,
                exchange,
                [exchange],
                extra_notes=[method_note] if method_note else [],
            )
        event = self._event(steps.success_event, user, ctx, [exchange], notes=method_note)
        return _Outcome(
            TaskState.DONE,
            self._login(
                row,
                scim_id=None if kind is TaskKind.DELETE else scim_id,
                remote=success_remote.value,
                confirmed_hash=new_hash,
                state=(success_state, success_status),
                last_error=None,
            ),
            [event],
        )

    def _event(
        self,
        event_type: EventType,
        user: dict[str, Any],
        ctx: AppContext,
        exchanges: list[ScimExchange],
        error: str | None = None,
        notes: str | None = None,
    ) -> dict[str, Any]:
        event = make_event(
            self.clock,
            event_type,
            user=user,
            app=(ctx.app_id, ctx.name),
            actor_system=ACTOR_SYSTEM,
            error=error,
            notes=notes,
        )
        event["scim"] = scrub(
            "[" + ", ".join(e.as_log_json(ctx.secrets) for e in exchanges) + "]", ctx.secrets
        )
        return event

    def _failure(
        self,
        row: dict[str, Any],
        ctx: AppContext,
        kind: TaskKind,
        exchange: ScimExchange,
        exchanges: list[ScimExchange],
        retryable: bool = True,
        extra_notes: list[str] | None = None,
    ) -> _Outcome:
        steps = TASK_STATES[kind]
        sent = bool(exchange.method)
        answered = sent and exchange.status is not None
        answer = (
            clip_text(scrub(exchange.describe_failure(), ctx.secrets), ctx.secrets)
            if answered
            else None
        )
        text = failure_text(
            kind,
            exchange.failure_summary(),
            answer=answer,
            network=exchange.network_error if sent and not answered else None,
            status=exchange.status,
            timed_out=exchange.timed_out,
            base_url=ctx.connector.scim_base_url,
            user=display_name(row),
            app=ctx.name,
        )
        description = clip_text(scrub(text.error, ctx.secrets), ctx.secrets)
        # The Failed entry's dialog (and the task's error) shows OneLogin's text and Wrike's
        # own answer, each for what it is.
        details = description + (f"\nWrike's answer: {answer}" if answer else "")
        attempt = row["attempts"] + 1
        can_retry = retryable and (
            exchange.network_error is not None or exchange.status in modelling.RETRYABLE_STATUSES
        )
        delay = (
            ctx.settings.retry.delay(
                attempt, exchange.retry_after if exchange.status == 429 else None
            )
            if can_retry
            else None
        )
        lines = [*failure_notes(text), *(extra_notes or [])]
        if delay is not None:
            lines.append(
                f"Automatic retry {attempt} of {ctx.settings.retry.max_attempts} in {delay:g}s"
            )
        notes = scrub("\n".join(lines), ctx.secrets)  # each line is bounded already
        event = self._event(
            steps.failure_event, row, ctx, exchanges, error=description, notes=notes
        )
        if delay is not None:
            running_state, running_status = steps.running
            return _Outcome(
                TaskState.QUEUED,
                self._login(
                    row,
                    state=(running_state, running_status),
                    last_error=details,
                ),
                [event],
                details,
                self.clock.now().timestamp() + delay,
            )
        failed_state, failed_status = steps.failed
        return _Outcome(
            TaskState.FAILED,
            self._login(
                row,
                state=(failed_state, failed_status),
                last_error=details,
            ),
            [event],
            details,
        )

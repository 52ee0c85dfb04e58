"""The provisioning queue of the account: what each change means for the app's logins, the
"Reapply entitlement mappings" reconciliation, and draining the queue through the engine."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from mock_onelogin.account._context import AccountContext
from mock_onelogin.domain import modelling
from mock_onelogin.domain.provisioning import (
    Entitlement,
    LoginMemory,
    Remote,
)
from mock_onelogin.domain.queue import LoginMark, NewTask, change_outcome
from mock_onelogin.engine import body_hash, user_view


class ProvisioningQueue:
    def __init__(self, ctx: AccountContext) -> None:
        self._ctx = ctx
        self._store = ctx.store
        self._drain_lock = threading.RLock()
        #: (app, user) pairs changed while their task was running; see drain().
        self._recheck: set[tuple[int, int]] = set()
        self._recheck_lock = threading.Lock()
        ctx.on_drain(self.drain)

    def evaluate(
        self,
        app_id: int,
        user_ids: Sequence[int],
        trigger: str,
        users: dict[int, dict[str, Any]] | None = None,
    ) -> dict[str, int]:
        """Decide, for each user, what the change means for the app and queue the task.

        Runs inside the caller's transaction (or its own): reads and writes see one state of
        the data. Batched: one read of entitlement, users, logins
        and open tasks, then one write of each kind, so that a role gaining 10,000 users costs
        a handful of statements."""
        if not user_ids:
            return {}
        with self._store.transaction():
            return self._evaluate(app_id, user_ids, trigger, users)

    def _evaluate(
        self,
        app_id: int,
        user_ids: Sequence[int],
        trigger: str,
        users: dict[int, dict[str, Any]] | None,
    ) -> dict[str, int]:
        ctx = self._ctx.engine.app_context(app_id)
        if ctx is None:
            return {}
        store = self._store
        settings = ctx.settings
        entitled = store.entitled_among(app_id, user_ids)
        if users is None:
            users = store.users_by_ids(user_ids)
        logins = store.logins_for_app(app_id, user_ids)
        open_tasks = store.open_tasks_for_app(app_id, user_ids)
        now_ts = self._ctx.clock.now().timestamp()
        login_marks: list[LoginMark] = []
        superseded: list[int] = []
        new_tasks: list[NewTask] = []
        running: list[tuple[int, int]] = []
        counts: dict[str, int] = {}
        for uid in user_ids:
            user = users.get(uid)
            if user is None:
                continue
            login = logins.get(uid)
            assigned = uid in entitled and not user["deleted_at"]
            if login is None and not assigned:
                continue
            suspended = not modelling.status_is_active(user["status"])
            memory = login.memory if login else LoginMemory()
            current_hash = None
            if memory.remote is Remote.ACTIVE and assigned and not suspended:
                current_hash = body_hash(ctx.template.render(user_view(user)))
            task = open_tasks.get(uid)
            outcome = change_outcome(
                settings,
                memory,
                Entitlement(assigned, bool(user["deleted_at"]), suspended),
                current_hash,
                login.shown if login else None,
                task,
            )
            if outcome.recheck:
                running.append((app_id, uid))
            if outcome.supersede and task is not None:
                superseded.append(task.id)
            if outcome.new_task is not None and outcome.new_state is not None:
                new_tasks.append(
                    NewTask(
                        uid,
                        app_id,
                        outcome.new_task,
                        outcome.new_state,
                        trigger,
                        now_ts,
                        outcome.rest,
                    )
                )
                counts[outcome.new_task.value] = counts.get(outcome.new_task.value, 0) + 1
            login_marks.append(LoginMark(uid, app_id, assigned, suspended, outcome.state))
        now = self._ctx.now()
        with store.transaction():
            store.mark_logins(login_marks, now)
            store.supersede_tasks(superseded, now)
            store.queue_tasks(new_tasks, now)
        if running:
            with self._recheck_lock:
                self._recheck.update(running)
        if new_tasks:
            self._ctx.wake.set()
        return counts

    def evaluate_user(self, user_id: int, trigger: str) -> None:
        """Evaluate every app the user is entitled to or holds a login in."""
        store = self._store
        app_ids = store.entitled_app_ids(user_id) | {
            r.app_id for r in store.logins_for_user(user_id)
        }
        for app_id in sorted(app_ids):
            self.evaluate(app_id, [user_id], trigger)

    def reconcile_app(self, app_id: int, trigger: str) -> dict[str, int]:
        user_ids = sorted(
            self._store.entitled_user_ids(app_id) | set(self._store.logins_for_app(app_id))
        )
        return self.evaluate(app_id, user_ids, trigger)

    def reconcile(self, app_id: int | None = None) -> dict[str, int]:
        """Compare, for every user the app knows, what the directory intends with what was last
        confirmed in the app, and queue whatever is missing (OneLogin's "Reapply entitlement
        mappings")."""
        app_ids = [app_id] if app_id is not None else [a["id"] for a in self._store.list_apps()]
        totals: dict[str, int] = {}
        with self._store.transaction():
            for aid in app_ids:
                self._ctx.require_app(aid)
                for kind, n in self.reconcile_app(aid, "reconciliation").items():
                    totals[kind] = totals.get(kind, 0) + n
        self._ctx.after_change()
        return totals

    def drain(self, max_tasks: int | None = None) -> dict[str, Any]:
        """Run every due task now. One drain at a time: the worker and an explicit call never
        run the same task twice."""
        with self._drain_lock:
            return self._ctx.engine.drain(max_tasks, self._recheck_changed).to_json()

    def _recheck_changed(self) -> None:
        """A change that arrived while its user's task was running is not in the body that
        task sent. Only those users (noted by evaluate) are checked again, now that their task
        has confirmed what the app holds (re-checking every provisioned user would double the
        cost of each drain), in the transaction that records the task's result."""
        with self._recheck_lock:
            recheck, self._recheck = self._recheck, set()
        by_app: dict[int, list[int]] = {}
        for app_id, user_id in recheck:
            by_app.setdefault(app_id, []).append(user_id)
        try:
            for app_id, user_ids in sorted(by_app.items()):
                self.evaluate(app_id, sorted(user_ids), "changed while provisioning")
        except BaseException:
            # Undone with the savepoint it runs in: check them again next time.
            with self._recheck_lock:
                self._recheck |= recheck
            raise

    @contextmanager
    def forget(self) -> Iterator[None]:
        """Wait for a running drain to end and hold the next one off while the account's data
        is wiped (a reset): a result must never land on a task of the fresh account."""
        with self._drain_lock:
            with self._recheck_lock:
                self._recheck.clear()
            yield

"""Logins (what OneLogin remembers about each user's account in each app) and the durable
task queue. Every change of a task's state is checked against the state machine in
``domain.queue``, and written only where the row is still in the state the move starts from:
a move the machine does not allow, or one from a state the task has left, raises
``IllegalTransition`` and writes nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from mock_onelogin.domain.provisioning import OPEN_TASK_STATES, Remote, TaskKind, TaskState
from mock_onelogin.domain.queries import TaskQuery
from mock_onelogin.domain.queue import (
    IllegalTransition,
    Login,
    LoginMark,
    LoginResult,
    NewTask,
    Task,
    TaskResult,
    check_transition,
    sources_of,
)
from mock_onelogin.store._database import Database, chunks, marks

_OPEN = (*OPEN_TASK_STATES, TaskState.RUNNING)
_LOGIN_MARK = (
    "INSERT INTO logins (user_id, app_id, was_entitled, was_suspended, provisioning_state, "
    "provisioning_status, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(user_id, app_id) DO UPDATE SET was_entitled = excluded.was_entitled, "
    "was_suspended = excluded.was_suspended, provisioning_state = excluded.provisioning_state, "
    "provisioning_status = excluded.provisioning_status, updated_at = excluded.updated_at"
)


def _login(row: dict[str, Any]) -> Login:
    row["remote"] = Remote(row["remote"])
    row["was_entitled"] = bool(row["was_entitled"])
    row["was_suspended"] = bool(row["was_suspended"])
    return Login(**row)


def _task(row: dict[str, Any]) -> Task:
    row["kind"] = TaskKind(row["kind"])
    row["state"] = TaskState(row["state"])
    return Task(**row)


class QueueStore(Database):
    # logins -------------------------------------------------------------------------------
    def logins_for_app(
        self, app_id: int, user_ids: Sequence[int] | None = None
    ) -> dict[int, Login]:
        if user_ids is None:
            rows = self._all("SELECT * FROM logins WHERE app_id = ?", (app_id,))
            return {r["user_id"]: _login(r) for r in rows}
        out: dict[int, Login] = {}
        for chunk in chunks(user_ids):
            rows = self._all(
                f"SELECT * FROM logins WHERE app_id = ? AND user_id IN ({marks(len(chunk))})",
                [app_id, *chunk],
            )
            out.update({r["user_id"]: _login(r) for r in rows})
        return out

    def logins_for_user(self, user_id: int) -> list[Login]:
        rows = self._all("SELECT * FROM logins WHERE user_id = ? ORDER BY app_id", (user_id,))
        return [_login(r) for r in rows]

    def mark_logins(self, marks_: Iterable[LoginMark], now: str) -> None:
        """Record each login as a change leaves it (created the first time the app knows the
        user)."""
        self._write_many(
            _LOGIN_MARK,
            [
                (m.user_id, m.app_id, int(m.entitled), int(m.suspended), *m.state, now)
                for m in marks_
            ],
        )

    def show_login_state(self, user_id: int, app_id: int, state: tuple[str, str]) -> None:
        """The (provisioning_state, provisioning_status) the login shows from now on."""
        self._write(
            "UPDATE logins SET provisioning_state = ?, provisioning_status = ? "
            "WHERE user_id = ? AND app_id = ?",
            (*state, user_id, app_id),
        )

    def login_state_counts(self, app_id: int) -> dict[str, int]:
        """How many logins of the app show each provisioning_state."""
        rows = self._all(
            "SELECT provisioning_state AS state, count(*) AS n FROM logins WHERE app_id = ? "
            "GROUP BY provisioning_state",
            (app_id,),
        )
        return {r["state"]: r["n"] for r in rows}

    # tasks: reads -------------------------------------------------------------------------
    def get_task(self, task_id: int) -> Task | None:
        row = self._first("SELECT * FROM tasks WHERE id = ?", (task_id,))
        return None if row is None else _task(row)

    def list_tasks(self, query: TaskQuery) -> list[Task]:
        where: list[str] = ["1"]
        params: list[Any] = []
        if query.app_id is not None:
            where.append("app_id = ?")
            params.append(query.app_id)
        if query.user_id is not None:
            where.append("user_id = ?")
            params.append(query.user_id)
        if query.states:
            where.append(f"state IN ({marks(len(query.states))})")
            params.extend(s.value for s in query.states)
        rows = self._all(
            f"SELECT * FROM tasks WHERE {' AND '.join(where)} ORDER BY id LIMIT ?",
            [*params, query.limit],
        )
        return [_task(r) for r in rows]

    def open_tasks_for_app(
        self, app_id: int, user_ids: Sequence[int] | None = None
    ) -> dict[int, Task]:
        """The newest open task per user (pending approval, queued, running or failed)."""
        sql = f"SELECT * FROM tasks WHERE app_id = ? AND state IN ({marks(len(_OPEN))})"
        params: list[Any] = [app_id, *(s.value for s in _OPEN)]
        if user_ids is not None and len(user_ids) <= 500:
            if not user_ids:
                return {}
            rows = self._all(
                sql + f" AND user_id IN ({marks(len(user_ids))}) ORDER BY id",
                [*params, *user_ids],
            )
            return {r["user_id"]: _task(r) for r in rows}
        rows = self._all(sql + " ORDER BY id", params)
        wanted = None if user_ids is None else set(user_ids)
        return {r["user_id"]: _task(r) for r in rows if wanted is None or r["user_id"] in wanted}

    def count_tasks(self, state: TaskState) -> int:
        row = self._first("SELECT count(*) AS n FROM tasks WHERE state = ?", (state.value,))
        return int(row["n"]) if row else 0

    # tasks: the state machine ---------------------------------------------------------------
    def queue_tasks(self, tasks: Iterable[NewTask], now: str) -> None:
        self._write_many(
            "INSERT INTO tasks (user_id, app_id, kind, state, trigger, due_at, prev_state, "
            "prev_status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    t.user_id,
                    t.app_id,
                    t.kind.value,
                    t.state.value,
                    t.trigger,
                    t.due_at,
                    *t.rest,
                    now,
                    now,
                )
                for t in tasks
            ],
        )

    def move_task(
        self,
        task_id: int,
        current: TaskState,
        target: TaskState,
        now: str,
        *,
        due_at: float | None = None,
        reset_attempts: bool = False,
    ) -> None:
        """Move one task from ``current`` (the state its caller read) to ``target``."""
        check_transition(current, target, task_id)
        sets = ["state = ?", "updated_at = ?"]
        params: list[Any] = [target.value, now]
        if due_at is not None:
            sets.append("due_at = ?")
            params.append(due_at)
        if reset_attempts:
            sets.append("attempts = 0")
        cur = self._write(
            f"UPDATE tasks SET {', '.join(sets)} WHERE id = ? AND state = ?",
            [*params, task_id, current.value],
        )
        if cur.rowcount != 1:
            raise IllegalTransition(f"Task {task_id} is no longer {current.value}")

    def supersede_tasks(self, task_ids: Sequence[int], now: str) -> None:
        """Open tasks that no longer fit the directory; a running one is never superseded
        here (it finishes, then its login is checked again)."""
        if not task_ids:
            return
        sources = [s.value for s in sources_of(TaskState.SUPERSEDED) if s is not TaskState.RUNNING]
        changed = self._write_many(
            f"UPDATE tasks SET state = ?, updated_at = ? WHERE id = ? "
            f"AND state IN ({marks(len(sources))})",
            [(TaskState.SUPERSEDED.value, now, task_id, *sources) for task_id in task_ids],
        )
        if changed != len(task_ids):
            raise IllegalTransition("a task to supersede was no longer open")

    def claim_due_tasks(self, now_ts: float, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` queued tasks that are due, marked running, each joined with its
        login and user."""
        check_transition(TaskState.QUEUED, TaskState.RUNNING)
        with self.transaction():
            rows = self._all(
                "SELECT t.id AS task_id, t.kind, t.attempts, t.trigger, t.prev_state, "
                "t.prev_status, l.*, u.username, u.email, u.firstname, u.lastname, u.title, "
                "u.department, u.company, u.phone, u.status, u.state, u.custom_attributes, "
                "u.deleted_at FROM tasks t JOIN logins l ON l.user_id = t.user_id "
                "AND l.app_id = t.app_id JOIN users u ON u.id = t.user_id "
                "WHERE t.state = 'queued' AND t.due_at <= ? ORDER BY t.id LIMIT ?",
                (now_ts, limit),
            )
            if rows:
                claimed = self._write_many(
                    "UPDATE tasks SET state = 'running' WHERE id = ? AND state = 'queued'",
                    [(r["task_id"],) for r in rows],
                )
                if claimed != len(rows):
                    raise IllegalTransition("a task to claim was no longer queued")
        return rows

    def finish_tasks(
        self, results: Sequence[TaskResult], logins: Sequence[LoginResult], now: str
    ) -> None:
        """Record how running tasks ended and what they confirmed about each login."""
        for result in results:
            check_transition(TaskState.RUNNING, result.state, result.task_id)
        with self.transaction():
            changed = self._write_many(
                "UPDATE tasks SET state = ?, attempts = ?, due_at = ?, error = ?, "
                "updated_at = ? WHERE id = ? AND state = 'running'",
                [(r.state.value, r.attempts, r.due_at, r.error, now, r.task_id) for r in results],
            )
            if changed != len(results):
                raise IllegalTransition("a task that ran was no longer running")
            self._write_many(
                "UPDATE logins SET scim_id = ?, remote = ?, confirmed_hash = ?, "
                "provisioning_state = ?, provisioning_status = ?, last_error = ?, "
                "updated_at = ? WHERE login_id = ?",
                [
                    (
                        g.scim_id,
                        g.remote,
                        g.confirmed_hash,
                        *g.state,
                        g.last_error,
                        now,
                        g.login_id,
                    )
                    for g in logins
                ],
            )

    def requeue_running(self) -> int:
        """Tasks left running by a stopped process go back to the queue: nothing is lost."""
        check_transition(TaskState.RUNNING, TaskState.QUEUED)
        return self._write("UPDATE tasks SET state = 'queued' WHERE state = 'running'").rowcount

"""The simulated OneLogin account: directory, apps, approval queue, System Log.

This is the application layer the web blueprints (and steps, case files, bench) call. Each
operation is one store transaction that records the change and its System Log event, then
asks "what does this change mean for the app?" (``domain.provisioning.decide``) for every
user it touches and queues the resulting task. Rules live in ``domain``; this module only
sequences them.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from mock_onelogin.config import OneLoginConfig
from mock_onelogin.domain import modelling
from mock_onelogin.domain.clock import Clock, SystemClock, iso, parse_iso
from mock_onelogin.domain.connector import (
    API_STATUS_ENABLED,
    API_STATUS_FAILED,
    ConnectorConfig,
)
from mock_onelogin.domain.directory import (
    STATUS_ACTIVE,
    STATUS_PASSWORD_PENDING,
    STATUS_SUSPENDED,
    validate_id_list,
    validate_user_payload,
)
from mock_onelogin.domain.errors import BadRequest, Conflict, NotFound, ValidationFailed
from mock_onelogin.domain.events import EventType
from mock_onelogin.domain.provisioning import (
    OPEN_TASK_STATES,
    TASK_STATES,
    Entitlement,
    LoginMemory,
    ProvisioningSettings,
    Remote,
    TaskKind,
    TaskState,
    can_transition,
    decide,
)
from mock_onelogin.domain.secrets import hash_secret, secret_matches
from mock_onelogin.engine import (
    ProvisioningEngine,
    SessionFactory,
    body_hash,
    make_event,
    resting_state,
    user_view,
)
from mock_onelogin.scim_client import found_user_id
from mock_onelogin.store import OneLoginStore

WRIKE_CONNECTOR_ID = 108419
_LOGIN_UPSERT = (
    "INSERT INTO logins (user_id, app_id, was_entitled, was_suspended, provisioning_state, "
    "provisioning_status, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(user_id, app_id) DO UPDATE SET was_entitled = excluded.was_entitled, "
    "was_suspended = excluded.was_suspended, provisioning_state = excluded.provisioning_state, "
    "provisioning_status = excluded.provisioning_status, updated_at = excluded.updated_at"
)


@dataclass(frozen=True)
class Actor:
    """Who did it, as the System Log shows it."""

    name: str = "Simulator admin"
    user_id: int | None = None
    client_id: str | None = None

    @property
    def pair(self) -> tuple[int | None, str]:
        return self.user_id, self.name


SIMULATOR_ADMIN = Actor()


@dataclass(frozen=True)
class AppUser:
    """One user the app knows, as its Users tab shows them: the directory record, the login in
    the app (``None`` before any), and whether the directory still entitles them to it."""

    user: dict[str, Any]
    login: dict[str, Any] | None
    assigned: bool

    @property
    def state(self) -> str:
        return self.login["provisioning_state"] if self.login else "unknown"


class OneLoginAccount:
    """One simulated OneLogin account: the entry point for the API, the admin console, the
    BDD steps and the bench. Every change goes through here so that each one is recorded,
    logged and evaluated for provisioning the same way, whoever makes it."""

    def __init__(
        self,
        config: OneLoginConfig | None = None,
        clock: Clock | None = None,
        session_factory: SessionFactory | None = None,
        store: OneLoginStore | None = None,
    ) -> None:
        self.config = config or OneLoginConfig()
        self.clock = clock or SystemClock()
        self.store = store or OneLoginStore(self.config.database)
        self.engine = ProvisioningEngine(
            self.store,
            self.clock,
            session_factory,
            self.config.drain_batch_size,
            self.config.event_retention,
            self.config.scim_timeout_s,
        )
        self.engine.recover()
        self.wake = threading.Event()
        self._drain_lock = threading.Lock()
        #: (app, user) pairs changed while their task was running; see drain().
        self._recheck: set[tuple[int, int]] = set()
        self._recheck_lock = threading.Lock()
        self.seed()

    def seed(self) -> None:
        if self.config.seed_wrike_app and not self.store.list_apps():
            self.create_app("Wrike")
        if (
            self.config.seed_client_id
            and self.config.seed_client_secret
            and not self.store.get_client(self.config.seed_client_id)
        ):
            self._insert_client(
                self.config.seed_client_id, self.config.seed_client_secret, "Seeded API credential"
            )

    def reset(self) -> None:
        """Forget everything (a fresh account), then seed again."""
        self.store.reset()
        self.engine.forget_sessions()
        self.seed()

    def _now(self) -> str:
        return iso(self.clock.now())

    def _log(self, conn: Any, events: Sequence[dict[str, Any]]) -> None:
        self.store.insert_events(conn, events)
        self.engine.note_events(len(events))

    def _event(self, event_type: EventType, actor: Actor, **kwargs: Any) -> dict[str, Any]:
        return make_event(
            self.clock, event_type, actor=actor.pair, client_id=actor.client_id, **kwargs
        )

    def _after_change(self) -> None:
        """Let queued work run: now (sync mode) or on the worker (worker mode)."""
        if self.config.drain_mode == "sync":
            self.drain()
        elif self.config.drain_mode == "worker":
            self.wake.set()

    # users ----------------------------------------------------------------------------------
    def require_user(self, user_id: int) -> dict[str, Any]:
        user = self.store.get_user(user_id)
        if user is None:
            raise NotFound("The resource with the given id could not be found")
        return user

    def create_user(self, data: Any, actor: Actor = SIMULATOR_ADMIN) -> dict[str, Any]:
        fields = validate_user_payload(data, creating=True)
        self._check_unique(fields)
        role_ids = fields.pop("role_ids", None)
        if role_ids:
            self._require_roles(role_ids)
        now = self._now()
        if "status" not in fields:
            # Without a password OneLogin creates the user as Password Pending.
            fields["status"] = (
                STATUS_ACTIVE if fields.get("password_set") else STATUS_PASSWORD_PENDING
            )
        fields.setdefault("state", 1)
        if fields["status"] == STATUS_ACTIVE:
            fields["activated_at"] = now
        if fields.get("password_set"):
            fields["password_changed_at"] = now
        with self.store.transaction() as conn:
            user_id = self.store.insert_user(fields, now)
            user = self.store.get_user(user_id) or {}
            events = [self._event(EventType.CREATED_USER, actor, user=user)]
            if role_ids:
                for role_id in role_ids:
                    self.store.add_role_users(role_id, [user_id])
                    role = self.store.get_role(role_id) or {}
                    events.append(
                        self._event(
                            EventType.USER_MANUALLY_ADDED_TO_ROLE,
                            actor,
                            user=user,
                            role=(role_id, role.get("name", "")),
                        )
                    )
            self._log(conn, events)
            self._evaluate_user(user_id, "user created")
        self._after_change()
        return self.require_user(user_id)

    def _check_unique(self, fields: dict[str, Any], user_id: int | None = None) -> None:
        for column in ("username", "email"):
            value = fields.get(column)
            if value:
                other = self.store.find_user_by(column, value)
                if other and other["id"] != user_id:
                    raise ValidationFailed(
                        f"Validation failed: {column.capitalize()} must be "
                        f"unique; {value!r} is taken by user {other['id']}",
                        column,
                    )

    def update_user(
        self, user_id: int, data: Any, actor: Actor = SIMULATOR_ADMIN
    ) -> dict[str, Any]:
        before = self.require_user(user_id)
        fields = validate_user_payload(data, creating=False)
        self._check_unique(fields, user_id)
        role_ids = fields.pop("role_ids", None)
        if role_ids is not None:
            self._require_roles(role_ids)
        if "custom_attributes" in fields:
            merged = json.loads(before["custom_attributes"] or "{}")
            merged.update(fields["custom_attributes"])
            fields["custom_attributes"] = merged
        if fields.get("password_set"):
            fields["password_changed_at"] = self._now()
            if before["status"] == STATUS_PASSWORD_PENDING and "status" not in fields:
                fields["status"] = STATUS_ACTIVE
        now = self._now()
        with self.store.transaction() as conn:
            self.store.update_user(user_id, fields, now)
            user = self.store.get_user(user_id) or {}
            events = [self._event(EventType.UPDATED_USER, actor, user=user)]
            old_status, new_status = before["status"], user["status"]
            if old_status != new_status and new_status == STATUS_SUSPENDED:
                events.append(self._event(EventType.USER_SUSPENDED, actor, user=user))
            elif old_status == STATUS_SUSPENDED and new_status != STATUS_SUSPENDED:
                events.append(self._event(EventType.USER_REACTIVATED, actor, user=user))
            if role_ids is not None:
                current = set(self.store.user_role_ids(user_id))
                for role_id in sorted(set(role_ids) - current):
                    self.store.add_role_users(role_id, [user_id])
                    events.append(
                        self._event(
                            EventType.USER_MANUALLY_ADDED_TO_ROLE,
                            actor,
                            user=user,
                            role=self._role_pair(role_id),
                        )
                    )
                for role_id in sorted(current - set(role_ids)):
                    self.store.remove_role_users(role_id, [user_id])
                    events.append(
                        self._event(
                            EventType.USER_MANUALLY_REMOVED_FROM_ROLE,
                            actor,
                            user=user,
                            role=self._role_pair(role_id),
                        )
                    )
            self._log(conn, events)
            self._evaluate_user(user_id, "user updated")
        self._after_change()
        return self.require_user(user_id)

    def set_user_status(
        self, user_id: int, status: int, actor: Actor = SIMULATOR_ADMIN
    ) -> dict[str, Any]:
        return self.update_user(user_id, {"status": status}, actor)

    def delete_user(self, user_id: int, actor: Actor = SIMULATOR_ADMIN) -> None:
        user = self.require_user(user_id)
        app_ids = self.store.entitled_app_ids(user_id)
        with self.store.transaction() as conn:
            self.store.soft_delete_user(user_id, self._now())
            self._log(conn, [self._event(EventType.DELETED_USER, actor, user=user)])
            for app_id in app_ids | {r["app_id"] for r in self.store.logins_for_user(user_id)}:
                self._evaluate(app_id, [user_id], "user deleted in OneLogin")
        self._after_change()

    def _evaluate_user(self, user_id: int, trigger: str) -> None:
        app_ids = self.store.entitled_app_ids(user_id) | {
            r["app_id"] for r in self.store.logins_for_user(user_id)
        }
        for app_id in sorted(app_ids):
            self._evaluate(app_id, [user_id], trigger)

    def user_apps(self, user_id: int) -> list[dict[str, Any]]:
        """The user's apps with provisioning state, as /api/2/users/{id}/apps lists them."""
        self.require_user(user_id)
        entitled = self.store.entitled_app_ids(user_id)
        out = []
        for login in self.store.logins_for_user(user_id):
            tracked = login["provisioning_state"] not in ("unknown", "nonexistent")
            if login["app_id"] not in entitled and not (
                tracked and modelling.SHOW_UNASSIGNED_TRACKED_LOGINS
            ):
                continue
            app = self.store.get_app(login["app_id"])
            if app is None:
                continue
            settings = ProvisioningSettings.from_json(json.loads(app["provisioning"] or "{}"))
            out.append({"app": app, "login": login, "provisioning_enabled": settings.enabled})
        return out

    # roles ----------------------------------------------------------------------------------
    def require_role(self, role_id: int) -> dict[str, Any]:
        role = self.store.get_role(role_id)
        if role is None:
            raise NotFound("The resource with the given id could not be found")
        return role

    def _require_roles(self, role_ids: Iterable[int]) -> None:
        for role_id in role_ids:
            if self.store.get_role(role_id) is None:
                raise NotFound(f"Role {role_id} could not be found", "role_ids")

    def _role_pair(self, role_id: int) -> tuple[int, str]:
        role = self.store.get_role(role_id) or {}
        return role_id, role.get("name", "")

    def _require_apps(self, app_ids: Iterable[int]) -> None:
        for app_id in app_ids:
            if self.store.get_app(app_id) is None:
                raise NotFound(f"App {app_id} could not be found", "apps")

    def _require_users(self, user_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        ids = list(user_ids)
        users = self.store.users_by_ids(ids)
        missing = [u for u in ids if u not in users or users[u]["deleted_at"]]
        if missing:
            raise NotFound(f"User(s) {missing[:10]} could not be found", "users")
        return users

    def create_role(self, data: Any, actor: Actor = SIMULATOR_ADMIN) -> int:
        if not isinstance(data, dict):
            raise BadRequest("Expected a JSON object in request body")
        unknown = set(data) - {"name", "apps", "users", "admins", "id"}
        if unknown:
            raise BadRequest(f"unknown attribute: {sorted(unknown)[0]}")
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValidationFailed("Validation failed: name is required", "name")
        apps = validate_id_list(data.get("apps", []), "apps")
        users = validate_id_list(data.get("users", []), "users")
        validate_id_list(data.get("admins", []), "admins")
        self._require_apps(apps)
        self._require_users(users)
        with self.store.transaction():
            role_id = self.store.insert_role(name.strip(), self._now())
            if apps:
                self.set_role_apps(role_id, apps, actor, drain=False)
            if users:
                self.add_role_users(role_id, users, actor, drain=False)
        self._after_change()
        return role_id

    def rename_role(self, role_id: int, data: Any) -> int:
        self.require_role(role_id)
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("name"), str)
            or not data["name"].strip()
        ):
            raise ValidationFailed("Validation failed: name is required", "name")
        self.store.rename_role(role_id, data["name"].strip())
        return role_id

    def delete_role(self, role_id: int, actor: Actor = SIMULATOR_ADMIN) -> None:
        self.require_role(role_id)
        user_ids = self.store.role_user_ids(role_id)
        app_ids = self.store.role_app_ids(role_id)
        with self.store.transaction() as conn:
            events = [
                self._event(
                    EventType.APP_REMOVED_FROM_ROLE,
                    actor,
                    app=self._app_pair(a),
                    role=self._role_pair(role_id),
                )
                for a in app_ids
            ]
            self.store.delete_role(role_id)
            self._log(conn, events)
            for app_id in app_ids:
                self._evaluate(app_id, user_ids, "role deleted")
        self._after_change()

    def set_role_apps(
        self, role_id: int, app_ids: Any, actor: Actor = SIMULATOR_ADMIN, drain: bool = True
    ) -> list[int]:
        """Replace the role's apps with the complete list (OneLogin: "Don't submit a partial
        list"); users of the role gain or lose access accordingly."""
        self.require_role(role_id)
        apps = validate_id_list(app_ids, "apps")
        self._require_apps(apps)
        before = set(self.store.role_app_ids(role_id))
        users = self.store.role_user_ids(role_id)
        with self.store.transaction() as conn:
            self.store.set_role_apps(role_id, apps)
            events = [
                self._event(
                    EventType.APP_ADDED_TO_ROLE,
                    actor,
                    app=self._app_pair(a),
                    role=self._role_pair(role_id),
                )
                for a in apps
                if a not in before
            ]
            events += [
                self._event(
                    EventType.APP_REMOVED_FROM_ROLE,
                    actor,
                    app=self._app_pair(a),
                    role=self._role_pair(role_id),
                )
                for a in sorted(before - set(apps))
            ]
            self._log(conn, events)
            for app_id in sorted(before ^ set(apps)):
                self._evaluate(
                    app_id,
                    users,
                    "app added to role" if app_id in apps else "app removed from role",
                )
        if drain:
            self._after_change()
        return apps

    def add_role_users(
        self, role_id: int, user_ids: Any, actor: Actor = SIMULATOR_ADMIN, drain: bool = True
    ) -> list[int]:
        role = self.require_role(role_id)
        ids = validate_id_list(user_ids, "users")
        users = self._require_users(ids)
        current = set(self.store.role_user_ids(role_id))
        new = [u for u in ids if u not in current]
        with self.store.transaction() as conn:
            self.store.add_role_users(role_id, new)
            self._log(
                conn,
                [
                    self._event(
                        EventType.USER_MANUALLY_ADDED_TO_ROLE,
                        actor,
                        user=users[u],
                        role=(role_id, role["name"]),
                    )
                    for u in new
                ],
            )
            for app_id in self.store.role_app_ids(role_id):
                self._evaluate(app_id, new, "user added to role", users)
        if drain:
            self._after_change()
        return ids

    def remove_role_users(
        self, role_id: int, user_ids: Any, actor: Actor = SIMULATOR_ADMIN
    ) -> None:
        role = self.require_role(role_id)
        ids = validate_id_list(user_ids, "users")
        current = set(self.store.role_user_ids(role_id))
        gone = [u for u in ids if u in current]
        users = self.store.users_by_ids(gone)
        with self.store.transaction() as conn:
            self.store.remove_role_users(role_id, gone)
            self._log(
                conn,
                [
                    self._event(
                        EventType.USER_MANUALLY_REMOVED_FROM_ROLE,
                        actor,
                        user=users[u],
                        role=(role_id, role["name"]),
                    )
                    for u in gone
                ],
            )
            for app_id in self.store.role_app_ids(role_id):
                self._evaluate(app_id, gone, "user removed from role")
        self._after_change()

    # direct logins --------------------------------------------------------------------------
    def add_login(self, user_id: int, app_id: int, actor: Actor = SIMULATOR_ADMIN) -> None:
        user = self.require_user(user_id)
        self.require_app(app_id)
        with self.store.transaction() as conn:
            if self.store.add_direct_login(user_id, app_id):
                self._log(
                    conn,
                    [
                        self._event(
                            EventType.LOGIN_MANUALLY_ADDED,
                            actor,
                            user=user,
                            app=self._app_pair(app_id),
                        )
                    ],
                )
            self._evaluate(app_id, [user_id], "login manually added")
        self._after_change()

    def remove_login(self, user_id: int, app_id: int, actor: Actor = SIMULATOR_ADMIN) -> None:
        user = self.require_user(user_id)
        self.require_app(app_id)
        with self.store.transaction() as conn:
            if not self.store.remove_direct_login(user_id, app_id):
                raise NotFound(
                    f"User {user_id} has no direct login to app {app_id}; access "
                    "through a role is removed by removing the role"
                )
            self._log(
                conn,
                [
                    self._event(
                        EventType.LOGIN_MANUALLY_REMOVED,
                        actor,
                        user=user,
                        app=self._app_pair(app_id),
                    )
                ],
            )
            self._evaluate(app_id, [user_id], "login manually removed")
        self._after_change()

    # apps -----------------------------------------------------------------------------------
    def create_app(self, name: str, connector_id: int = WRIKE_CONNECTOR_ID) -> int:
        if not isinstance(name, str) or not name.strip():
            raise ValidationFailed("app name is required", "name")
        return self.store.insert_app(
            name.strip(),
            connector_id,
            ConnectorConfig().to_storage(),
            json.dumps(ProvisioningSettings().to_json()),
            self._now(),
        )

    def require_app(self, app_id: int) -> dict[str, Any]:
        app = self.store.get_app(app_id)
        if app is None:
            raise NotFound("The resource with the given id could not be found")
        return app

    def _app_pair(self, app_id: int) -> tuple[int, str]:
        app = self.store.get_app(app_id) or {}
        return app_id, app.get("name", "")

    def wrike_app_id(self) -> int:
        for app in self.store.list_apps():
            if app["name"] == "Wrike":
                return int(app["id"])
        raise NotFound("No app named Wrike; create it with POST /simulator/api/apps")

    def connector(self, app_id: int) -> ConnectorConfig:
        return ConnectorConfig.from_storage(self.require_app(app_id)["connector"])

    def settings(self, app_id: int) -> ProvisioningSettings:
        return ProvisioningSettings.from_json(
            json.loads(self.require_app(app_id)["provisioning"] or "{}")
        )

    def configure_connector(
        self, app_id: int, data: Any, actor: Actor = SIMULATOR_ADMIN
    ) -> ConnectorConfig:
        config = self.connector(app_id).updated(data)
        with self.store.transaction() as conn:
            self.store.update_app(app_id, "connector", config.to_storage(), self._now())
            changed = sorted(k for k in data if k != "labels")
            self._log(
                conn,
                [
                    self._event(
                        EventType.PROVISIONING_EVENT,
                        actor,
                        app=self._app_pair(app_id),
                        notes=f"Configuration saved: {', '.join(changed)}",
                    )
                ],
            )
        return config

    def set_provisioning(
        self, app_id: int, data: Any, actor: Actor = SIMULATOR_ADMIN
    ) -> ProvisioningSettings:
        if not isinstance(data, dict):
            raise ValidationFailed("provisioning settings must be a JSON object")
        before = self.settings(app_id)
        settings = before.updated(data)
        with self.store.transaction() as conn:
            self.store.update_app(
                app_id, "provisioning", json.dumps(settings.to_json()), self._now()
            )
            self._log(
                conn,
                [
                    self._event(
                        EventType.PROVISIONING_EVENT,
                        actor,
                        app=self._app_pair(app_id),
                        notes="Provisioning settings saved: "
                        + json.dumps(
                            {k: v for k, v in settings.to_json().items() if k != "labels"}
                        ),
                    )
                ],
            )
            if settings.enabled and not before.enabled:
                # Saving with "Enable provisioning" ticked provisions the app's users.
                self._reconcile(app_id, "provisioning enabled")
        self._after_change()
        return settings

    def enable_api_connection(self, app_id: int, actor: Actor = SIMULATOR_ADMIN) -> ConnectorConfig:
        """ "API Connection: Enable": ask for a userName that cannot exist; an empty list or a
        404 means the endpoint and token work."""
        config = self.connector(app_id)
        if not config.ready:
            raise ValidationFailed(
                "Fill in SCIM Base URL and SCIM Bearer Token before enabling the API connection",
                "scim_base_url",
            )
        ctx, client = self.engine.connection_client(app_id)
        assert ctx is not None and client is not None
        probe = f"{secrets.token_hex(16)}@{modelling.CONNECTION_TEST_DOMAIN}"
        exchange = client.find_by_username(probe)
        understood, found = found_user_id(exchange)
        if understood and found is None:
            status, message = API_STATUS_ENABLED, "Enabled"
            event_type, error = EventType.PROVISIONING_EVENT, None
        else:
            reason = (
                exchange.describe_failure()
                if not exchange.ok
                else "the provider returned a user for a userName that cannot exist"
            )
            status, message = API_STATUS_FAILED, f"API connection failed: {reason}"
            event_type, error = EventType.PROVISIONING_EXCEPTION, message
        config = replace(config, api_status=status, api_status_message=message)
        with self.store.transaction() as conn:
            self.store.update_app(app_id, "connector", config.to_storage(), self._now())
            self._log(
                conn,
                [
                    self._event(
                        event_type,
                        actor,
                        app=self._app_pair(app_id),
                        error=error,
                        notes=f"API Connection test: {message}",
                        scim=[exchange.to_log(ctx.secrets)],
                    )
                ],
            )
        return config

    def app_user_ids(self, app_id: int) -> list[int]:
        self.require_app(app_id)
        return sorted(self.store.entitled_user_ids(app_id))

    def app_users(self, app_id: int) -> list[AppUser]:
        """Every user the app knows, by id: those entitled to it and those who still hold a
        login in it (unassigned, their deprovisioning due or done)."""
        self.require_app(app_id)
        logins = self.store.logins_for_app(app_id)
        entitled = self.store.entitled_user_ids(app_id)
        users = self.store.users_by_ids(sorted(set(logins) | entitled))
        return [AppUser(users[uid], logins.get(uid), uid in entitled) for uid in sorted(users)]

    # provisioning decisions -----------------------------------------------------------------
    def _evaluate(
        self,
        app_id: int,
        user_ids: Sequence[int],
        trigger: str,
        users: dict[int, dict[str, Any]] | None = None,
    ) -> dict[str, int]:
        """Decide, for each user, what the change means for the app and queue the task.

        Runs inside the caller's transaction. Batched: one read of entitlement, users, logins
        and open tasks, then executemany writes, so that a role gaining 10,000 users costs a
        handful of statements."""
        if not user_ids:
            return {}
        ctx = self.engine.app_context(app_id)
        if ctx is None:
            return {}
        settings = ctx.settings
        entitled = self.store.entitled_among(app_id, user_ids)
        if users is None:
            users = self.store.users_by_ids(user_ids)
        logins = self.store.logins_for_app(app_id, user_ids)
        open_tasks = self.store.open_tasks_for_app(app_id, user_ids)
        now = self._now()
        now_ts = self.clock.now().timestamp()
        login_rows: list[tuple[Any, ...]] = []
        superseded: list[tuple[Any, ...]] = []
        new_tasks: list[tuple[Any, ...]] = []
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
            suspended = user["status"] in modelling.SUSPENDED_STATUSES
            memory = LoginMemory(
                Remote(login["remote"]) if login else Remote.ABSENT,
                bool(login and login["was_entitled"]),
                bool(login and login["was_suspended"]),
                login["confirmed_hash"] if login else None,
            )
            current_hash = None
            if memory.remote is Remote.ACTIVE and assigned and not suspended:
                current_hash = body_hash(ctx.template.render(user_view(user)))
            kind = decide(
                settings,
                memory,
                Entitlement(assigned, bool(user["deleted_at"]), suspended),
                current_hash,
            )
            state, status = (
                (login["provisioning_state"], login["provisioning_status"])
                if login
                else ("unknown", "enabled")
            )
            task = open_tasks.get(uid)
            if task is not None and task["state"] == TaskState.RUNNING:
                running.append((app_id, uid))
            if settings.enabled:
                keep = task is not None and task["kind"] == kind
                if task is not None and not keep and task["state"] != TaskState.RUNNING:
                    superseded.append((now, task["id"]))
                    if kind is None:
                        state, status = resting_state(memory.remote.value)
                if kind is not None and not keep:
                    rest_state, rest_status = resting_state(memory.remote.value)
                    if kind is TaskKind.NOTHING:
                        task_state = TaskState.QUEUED
                    else:
                        steps = TASK_STATES[kind]
                        if settings.requires_approval(kind):
                            task_state = TaskState.PENDING_APPROVAL
                            state, status = steps.pending
                        else:
                            task_state = TaskState.QUEUED
                            state, status = steps.running
                    new_tasks.append(
                        (
                            uid,
                            app_id,
                            kind.value,
                            task_state.value,
                            trigger,
                            now_ts,
                            rest_state,
                            rest_status,
                            now,
                            now,
                        )
                    )
                    counts[kind.value] = counts.get(kind.value, 0) + 1
            login_rows.append((uid, app_id, int(assigned), int(suspended), state, status, now))
        with self.store.transaction() as conn:
            conn.executemany(_LOGIN_UPSERT, login_rows)
            conn.executemany(
                "UPDATE tasks SET state = 'superseded', updated_at = ? WHERE id = ?", superseded
            )
            conn.executemany(
                "INSERT INTO tasks (user_id, app_id, kind, state, trigger, due_at, prev_state, "
                "prev_status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                new_tasks,
            )
        if running:
            with self._recheck_lock:
                self._recheck.update(running)
        if new_tasks:
            self.wake.set()
        return counts

    def _reconcile(self, app_id: int, trigger: str) -> dict[str, int]:
        user_ids = sorted(
            self.store.entitled_user_ids(app_id) | set(self.store.logins_for_app(app_id))
        )
        return self._evaluate(app_id, user_ids, trigger)

    def reconcile(self, app_id: int | None = None) -> dict[str, int]:
        """Compare, for every user the app knows, what the directory intends with what was last
        confirmed in the app, and queue whatever is missing (OneLogin's "Reapply entitlement
        mappings")."""
        app_ids = [app_id] if app_id is not None else [a["id"] for a in self.store.list_apps()]
        totals: dict[str, int] = {}
        with self.store.transaction():
            for aid in app_ids:
                self.require_app(aid)
                for kind, n in self._reconcile(aid, "reconciliation").items():
                    totals[kind] = totals.get(kind, 0) + n
        self._after_change()
        return totals

    # approval queue -------------------------------------------------------------------------
    def require_task(self, task_id: int) -> dict[str, Any]:
        task = self.store.get_task(task_id)
        if task is None:
            raise NotFound(f"Task {task_id} could not be found")
        return task

    def list_tasks(
        self, app_id: int | None = None, state: str | None = None, user_id: int | None = None
    ) -> list[dict[str, Any]]:
        where, params = [], []
        if app_id is not None:
            where.append("app_id = ?")
            params.append(app_id)
        if user_id is not None:
            where.append("user_id = ?")
            params.append(user_id)
        if state is not None:
            states = [s.strip() for s in state.split(",") if s.strip()]
            for s in states:
                if s not in TaskState.__members__.values():
                    raise ValidationFailed(
                        f"unknown task state {s!r}; use one of {[t.value for t in TaskState]}",
                        "state",
                    )
            where.append(f"state IN ({', '.join('?' * len(states))})")
            params.extend(states)
        return self.store.list_tasks(where, params)

    def approve(self, task_id: int, actor: Actor = SIMULATOR_ADMIN) -> dict[str, Any]:
        """Approve one pending request: it runs (at once in sync mode, else on the next
        drain) and the approval is logged (event 137)."""
        task = self.require_task(task_id)
        with self.store.transaction():
            self._approve(task, actor)
        self._after_approval()
        return self.require_task(task_id)

    def approve_all(self, app_id: int | None = None, actor: Actor = SIMULATOR_ADMIN) -> list[int]:
        """Approve every pending request (of one app, if given) in one go."""
        if app_id is not None:
            self.require_app(app_id)
        tasks = self.list_tasks(app_id=app_id, state=TaskState.PENDING_APPROVAL.value)
        with self.store.transaction():
            for task in tasks:
                self._approve(task, actor)
        self._after_approval()
        return [t["id"] for t in tasks]

    def _after_approval(self) -> None:
        self.wake.set()
        if self.config.drain_mode == "sync":
            self.drain()

    def _approve(self, task: dict[str, Any], actor: Actor) -> None:
        if (
            not can_transition(TaskState(task["state"]), TaskState.QUEUED)
            or task["state"] != TaskState.PENDING_APPROVAL
        ):
            raise Conflict(
                f"Task {task['id']} is {task['state']}; only pending_approval tasks can be approved"
            )
        kind = TaskKind(task["kind"])
        user = self.store.get_user(task["user_id"], include_deleted=True) or {}
        state, status = TASK_STATES[kind].running
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE tasks SET state = 'queued', due_at = ?, updated_at = ? WHERE id = ?",
                (self.clock.now().timestamp(), self._now(), task["id"]),
            )
            conn.execute(
                "UPDATE logins SET provisioning_state = ?, provisioning_status = ? "
                "WHERE user_id = ? AND app_id = ?",
                (state, status, task["user_id"], task["app_id"]),
            )
            self._log(
                conn,
                [
                    self._event(
                        EventType.USER_APP_REQUEST_APPROVED,
                        actor,
                        user=user,
                        app=self._app_pair(task["app_id"]),
                        notes=f"Approved: {kind.value} user",
                    )
                ],
            )

    def deny(self, task_id: int, actor: Actor = SIMULATOR_ADMIN) -> dict[str, Any]:
        task = self.require_task(task_id)
        if task["state"] != TaskState.PENDING_APPROVAL:
            raise Conflict(
                f"Task {task_id} is {task['state']}; only pending_approval tasks can be denied"
            )
        kind = TaskKind(task["kind"])
        user = self.store.get_user(task["user_id"], include_deleted=True) or {}
        if kind is TaskKind.CREATE:
            state, status = modelling.DENIED_CREATE_STATE, "enabled"
        else:
            state, status = task["prev_state"], task["prev_status"]
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE tasks SET state = 'denied', updated_at = ? WHERE id = ?",
                (self._now(), task_id),
            )
            conn.execute(
                "UPDATE logins SET provisioning_state = ?, provisioning_status = ? "
                "WHERE user_id = ? AND app_id = ?",
                (state, status, task["user_id"], task["app_id"]),
            )
            self._log(
                conn,
                [
                    self._event(
                        EventType.USER_APP_REQUEST_DENIED,
                        actor,
                        user=user,
                        app=self._app_pair(task["app_id"]),
                        notes=f"Denied: {kind.value} user; nothing was sent",
                    )
                ],
            )
        return self.require_task(task_id)

    def retry(self, task_id: int, actor: Actor = SIMULATOR_ADMIN) -> dict[str, Any]:
        task = self.require_task(task_id)
        if task["state"] != TaskState.FAILED:
            raise Conflict(f"Task {task_id} is {task['state']}; only failed tasks can be retried")
        kind = TaskKind(task["kind"])
        user = self.store.get_user(task["user_id"], include_deleted=True) or {}
        state, status = TASK_STATES[kind].running
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE tasks SET state = 'queued', attempts = 0, due_at = ?, "
                "updated_at = ? WHERE id = ?",
                (self.clock.now().timestamp(), self._now(), task_id),
            )
            conn.execute(
                "UPDATE logins SET provisioning_state = ?, provisioning_status = ? "
                "WHERE user_id = ? AND app_id = ?",
                (state, status, task["user_id"], task["app_id"]),
            )
            self._log(
                conn,
                [
                    self._event(
                        EventType.PROVISIONING_EVENT,
                        actor,
                        user=user,
                        app=self._app_pair(task["app_id"]),
                        notes=f"Retry requested: {kind.value} user",
                    )
                ],
            )
        self.wake.set()
        if self.config.drain_mode == "sync":
            self.drain()
        return self.require_task(task_id)

    def drain(self, max_tasks: int | None = None) -> dict[str, Any]:
        """Run every due task now. One drain at a time: the worker and an explicit call never
        run the same task twice."""
        with self._drain_lock:
            report = self.engine.drain(max_tasks)
            # A change that arrived while its user's task was running is not in the body that
            # task sent. Only those users (noted by _evaluate) are checked again, now that
            # their task has confirmed what Wrike holds: re-checking every provisioned user
            # would double the cost of each drain.
            with self._recheck_lock:
                recheck, self._recheck = self._recheck, set()
            by_app: dict[int, list[int]] = {}
            for app_id, user_id in recheck:
                by_app.setdefault(app_id, []).append(user_id)
            for app_id, user_ids in sorted(by_app.items()):
                with self.store.transaction():
                    self._evaluate(app_id, sorted(user_ids), "changed while provisioning")
            return report.to_json()

    # System Log -----------------------------------------------------------------------------
    def events(
        self,
        *,
        event_type_ids: Sequence[int] = (),
        user_id: int | None = None,
        app_id: int | None = None,
        since: str | None = None,
        until: str | None = None,
        event_id: int | None = None,
        client_id: str | None = None,
        after_id: int | None = None,
        before_id: int | None = None,
        descending: bool = True,
        limit: int = 50,
    ) -> list[dict[str, Any]]:
        where: list[str] = []
        params: list[Any] = []
        if event_type_ids:
            where.append(f"event_type_id IN ({', '.join('?' * len(event_type_ids))})")
            params.extend(event_type_ids)
        for column, value in (
            ("user_id", user_id),
            ("app_id", app_id),
            ("id", event_id),
            ("client_id", client_id),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        for op, value, name in ((">=", since, "since"), ("<=", until, "until")):
            if value:
                try:
                    ts = parse_iso(value).timestamp()
                except ValueError as exc:
                    raise BadRequest(
                        f"{name} must be an ISO 8601 time such as "
                        f"2024-01-01T00:00:00Z, not {value!r}",
                        name,
                    ) from exc
                where.append(f"created_ts {op} ?")
                params.append(ts)
        if after_id is not None:
            where.append("id < ?" if descending else "id > ?")
            params.append(after_id)
        if before_id is not None:
            where.append("id > ?" if descending else "id < ?")
            params.append(before_id)
        return self.store.query_events(where, params, "DESC" if descending else "ASC", limit)

    # API credentials ------------------------------------------------------------------------
    def create_client(self, name: str = "API credential") -> tuple[str, str]:
        """A client id and secret, the secret shown once and stored hashed."""
        if not isinstance(name, str) or not name.strip():
            raise ValidationFailed("credential name must be a non-empty string", "name")
        client_id = secrets.token_hex(32)
        secret = secrets.token_hex(32)
        self._insert_client(client_id, secret, name.strip())
        return client_id, secret

    def _insert_client(self, client_id: str, secret: str, name: str) -> None:
        salt, digest = hash_secret(secret)
        self.store.insert_client(client_id, name, salt, digest, self._now())

    def check_client(self, client_id: str, secret: str) -> dict[str, Any] | None:
        client = self.store.get_client(client_id)
        if client and secret_matches(secret, client["secret_salt"], client["secret_hash"]):
            return client
        return None

    def issue_token(self, client_id: str) -> dict[str, Any]:
        """v2 returns the same token for the same credentials until it expires."""
        now = self.clock.now()
        live = self.store.live_token_for(client_id, now.timestamp())
        if live is None:
            token = secrets.token_hex(32)
            self.store.insert_token(
                token, client_id, iso(now), now.timestamp() + self.config.token_lifetime_s
            )
            live = self.store.get_token(token) or {}
        return {
            "access_token": live["token"],
            "created_at": live["created_at"],
            "expires_in": max(0, int(live["expires_ts"] - now.timestamp())),
            "refresh_token": "",
            "token_type": "bearer",
            "account_id": self.config.account_id,
        }

    def token_client(self, token: str) -> dict[str, Any] | None:
        row = self.store.get_token(token)
        if row is None or row["revoked"] or row["expires_ts"] <= self.clock.now().timestamp():
            return None
        return self.store.get_client(row["client_id"])

    def revoke_token(self, token: str) -> bool:
        return self.store.revoke_token(token)

    def pending_count(self) -> dict[str, int]:
        return {s.value: self.store.count_tasks(s.value) for s in OPEN_TASK_STATES}

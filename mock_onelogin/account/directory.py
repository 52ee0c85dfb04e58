"""The directory: users, roles and direct logins. Each change is one transaction that records
it and its System Log event, then asks the provisioning queue what it means for every app the
user is entitled to or known in."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from mock_onelogin.account._context import SIMULATOR_ADMIN, AccountContext, Actor
from mock_onelogin.account.provisioning import ProvisioningQueue
from mock_onelogin.domain import modelling
from mock_onelogin.domain.directory import (
    STATUS_ACTIVE,
    STATUS_LOCKED,
    STATUS_PASSWORD_PENDING,
    STATUS_SUSPENDED,
    USER_STATES,
    validate_id_list,
    validate_user_payload,
)
from mock_onelogin.domain.errors import BadRequest, NotFound, ValidationFailed
from mock_onelogin.domain.events import EventType
from mock_onelogin.domain.input_bounds import is_id
from mock_onelogin.domain.provisioning import ProvisioningSettings
from mock_onelogin.domain.queries import UserQuery
from mock_onelogin.domain.queue import Login
from mock_onelogin.store.directory import UserFieldTaken


def is_int(value: Any) -> bool:
    """A JSON integer (not a bool) from 0 to ``modelling.MAX_ID``."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= modelling.MAX_ID


@dataclass(frozen=True)
class UserApp:
    """One app in the user's app list, with the login's provisioning state."""

    app: dict[str, Any]
    login: Login
    provisioning_enabled: bool


class Directory:
    def __init__(self, ctx: AccountContext, queue: ProvisioningQueue) -> None:
        self._ctx = ctx
        self._store = ctx.store
        self._queue = queue
        #: The user mappings' hook (set by the account): applies them to a user inside the
        #: change's transaction, before provisioning evaluates the user.
        self.apply_mappings: Callable[[int], object] = lambda user_id: None
        #: Keeps a user's password hash (the ``sso`` part registers it): the ``password`` of
        #: a create or update is what the /login page and the SAML assertion API check.
        self.set_password: Callable[[int, str], object] = lambda user_id, password: None

    # reads, for the API and the console -----------------------------------------------------
    def list_users(self, query: UserQuery) -> tuple[list[dict[str, Any]], int]:
        """One page of live users and how many match in all."""
        return self._store.list_users(query)

    def find_user(self, user_id: int, *, include_deleted: bool = True) -> dict[str, Any] | None:
        return self._store.get_user(user_id, include_deleted=include_deleted)

    def users_by_ids(self, user_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """Users by id, the deleted ones included."""
        return self._store.users_by_ids(user_ids)

    def user_role_ids(self, user_id: int) -> list[int]:
        return self._store.user_role_ids(user_id)

    def role_ids_by_user(self, user_ids: Sequence[int]) -> dict[int, list[int]]:
        return self._store.role_ids_by_user(user_ids)

    def entitled_app_ids(self, user_id: int) -> set[int]:
        """The apps the user may use: through a role, or a direct login."""
        return self._store.entitled_app_ids(user_id)

    def has_direct_login(self, user_id: int, app_id: int) -> bool:
        return self._store.has_direct_login(user_id, app_id)

    def list_roles(self) -> list[dict[str, Any]]:
        return self._store.list_roles()

    def role_app_ids(self, role_id: int) -> list[int]:
        return self._store.role_app_ids(role_id)

    def role_user_ids(self, role_id: int) -> list[int]:
        return self._store.role_user_ids(role_id)

    # users ----------------------------------------------------------------------------------
    def require_user(self, user_id: int) -> dict[str, Any]:
        return self._ctx.require_user(user_id)

    def create_user(
        self, data: Any, actor: Actor = SIMULATOR_ADMIN, mappings: str = "sync"
    ) -> dict[str, Any]:
        """``mappings``: ``sync`` applies the user mappings in the change, ``disabled`` not
        (the v2 API's ``mappings`` argument; its ``async`` applies them after the answer)."""
        fields = validate_user_payload(data, creating=True)
        role_ids = fields.pop("role_ids", None)
        if role_ids:
            self._require_roles(role_ids)
        now = self._ctx.now()
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
        with self._unique(fields), self._store.transaction():
            self._check_unique(fields)
            user_id = self._store.insert_user(fields, now)
            if fields.get("password_set"):
                self.set_password(user_id, data["password"])
            user = self._store.get_user(user_id) or {}
            events = [self._ctx.event(EventType.CREATED_USER, actor, user=user)]
            if role_ids:
                for role_id in role_ids:
                    self._store.add_role_users(role_id, [user_id])
                    role = self._store.get_role(role_id) or {}
                    events.append(
                        self._ctx.event(
                            EventType.USER_MANUALLY_ADDED_TO_ROLE,
                            actor,
                            user=user,
                            role=(role_id, role.get("name", "")),
                        )
                    )
            self._ctx.log(events)
            if mappings != "disabled":
                self.apply_mappings(user_id)
            self._queue.evaluate_user(user_id, "user created")
        self._ctx.after_change()
        return self._ctx.require_user(user_id)

    def _check_unique(self, fields: dict[str, Any], user_id: int | None = None) -> None:
        """Refuse a value of a unique field another live user holds. Called inside the write's
        transaction, so that no other writer can take the value between check and write."""
        for column in modelling.UNIQUE_USER_FIELDS:
            value = fields.get(column)
            if value:
                other = self._store.find_user_by(column, value)
                if other and other["id"] != user_id:
                    raise self._taken(column, value, other["id"])

    @staticmethod
    def _taken(column: str, value: str, other_id: int | None) -> ValidationFailed:
        holder = f"user {other_id}" if other_id is not None else "another user"
        return ValidationFailed(
            f"Validation failed: {column.capitalize()} must be unique; {value!r} is taken "
            f"by {holder}",
            column,
        )

    @contextmanager
    def _unique(self, fields: dict[str, Any]) -> Iterator[None]:
        """The store's unique index refusing a write (another process holding the database
        won the race) answers like the check: the same 422."""
        try:
            yield
        except UserFieldTaken as exc:
            value = str(fields.get(exc.field) or "")
            other = self._store.find_user_by(exc.field, value) if value else None
            raise self._taken(exc.field, value, other["id"] if other else None) from exc

    def update_user(
        self, user_id: int, data: Any, actor: Actor = SIMULATOR_ADMIN, mappings: str = "sync"
    ) -> dict[str, Any]:
        """``mappings`` as for ``create_user``."""
        before = self._ctx.require_user(user_id)
        fields = validate_user_payload(data, creating=False)
        role_ids = fields.pop("role_ids", None)
        if role_ids is not None:
            self._require_roles(role_ids)
        if "custom_attributes" in fields:
            merged = json.loads(before["custom_attributes"] or "{}")
            merged.update(fields["custom_attributes"])
            fields["custom_attributes"] = merged
        if fields.get("password_set"):
            fields["password_changed_at"] = self._ctx.now()
            if before["status"] == STATUS_PASSWORD_PENDING and "status" not in fields:
                fields["status"] = STATUS_ACTIVE
        now = self._ctx.now()
        with self._unique(fields), self._store.transaction():
            self._check_unique(fields, user_id)
            self._store.update_user(user_id, fields, now)
            if fields.get("password_set"):
                self.set_password(user_id, data["password"])
            user = self._store.get_user(user_id) or {}
            events = [self._ctx.event(EventType.UPDATED_USER, actor, user=user)]
            old_status, new_status = before["status"], user["status"]
            if old_status != new_status and new_status == STATUS_SUSPENDED:
                events.append(self._ctx.event(EventType.USER_SUSPENDED, actor, user=user))
            elif old_status == STATUS_SUSPENDED and new_status != STATUS_SUSPENDED:
                events.append(self._ctx.event(EventType.USER_REACTIVATED, actor, user=user))
            if role_ids is not None:
                current = set(self._store.user_role_ids(user_id))
                for role_id in sorted(set(role_ids) - current):
                    self._store.add_role_users(role_id, [user_id])
                    events.append(
                        self._ctx.event(
                            EventType.USER_MANUALLY_ADDED_TO_ROLE,
                            actor,
                            user=user,
                            role=self._ctx.role_pair(role_id),
                        )
                    )
                for role_id in sorted(current - set(role_ids)):
                    self._store.remove_role_users(role_id, [user_id])
                    events.append(
                        self._ctx.event(
                            EventType.USER_MANUALLY_REMOVED_FROM_ROLE,
                            actor,
                            user=user,
                            role=self._ctx.role_pair(role_id),
                        )
                    )
            self._ctx.log(events)
            if mappings != "disabled":
                self.apply_mappings(user_id)
            self._queue.evaluate_user(user_id, "user updated")
        self._ctx.after_change()
        return self._ctx.require_user(user_id)

    def set_user_status(
        self, user_id: int, status: int, actor: Actor = SIMULATOR_ADMIN
    ) -> dict[str, Any]:
        return self.update_user(user_id, {"status": status}, actor)

    def set_user_state(
        self, user_id: int, state: Any, actor: Actor = SIMULATOR_ADMIN
    ) -> dict[str, Any]:
        """``PUT /api/1/users/{id}/set_state``: the user's state (0 Unapproved, 1 Approved,
        2 Rejected, 3 Unlicensed), with the refusals OneLogin documents. State is not status:
        only a status in ``modelling.SUSPENDED_STATUSES`` suspends the user in apps."""
        user = self._ctx.require_user(user_id)
        if not is_int(state):
            raise BadRequest("state has incorrect data type. It should be -> integer", "state")
        if state not in USER_STATES:
            raise BadRequest("state is invalid")
        if user["state"] == state:
            raise BadRequest("user is already in this state")
        return self.update_user(user_id, {"state": state}, actor)

    def lock_user(
        self, user_id: int, minutes: Any, actor: Actor = SIMULATOR_ADMIN
    ) -> dict[str, Any]:
        """``PUT /api/1/users/{id}/lock_user``: status 3 (Locked). The lock period is checked
        but not kept (``locked_until`` stays null): nobody signs in to the simulated portal."""
        self._ctx.require_user(user_id)
        if not is_int(minutes):  # a whole number of minutes, 0 and up
            raise BadRequest("locked_until should be -> integer", "locked_until")
        return self.update_user(user_id, {"status": STATUS_LOCKED}, actor)

    def add_user_roles(
        self, user_id: int, role_ids: Any, actor: Actor = SIMULATOR_ADMIN
    ) -> list[int]:
        """``PUT /api/1/users/{id}/add_roles``: give the user more roles; the apps those roles
        hold are provisioned exactly as when the user is added to the role (v2)."""
        return self._change_user_roles(user_id, role_ids, actor, adding=True)

    def remove_user_roles(
        self, user_id: int, role_ids: Any, actor: Actor = SIMULATOR_ADMIN
    ) -> list[int]:
        """``PUT /api/1/users/{id}/remove_roles``: take roles from the user; losing an app's
        last role is losing access to it (the Provisioning tab's deprovisioning action)."""
        return self._change_user_roles(user_id, role_ids, actor, adding=False)

    def _change_user_roles(
        self, user_id: int, role_ids: Any, actor: Actor, adding: bool
    ) -> list[int]:
        """Add or remove (``adding``) the roles of ``role_id_array`` for one user, refused
        whole when one is already held (adding) or not held (removing), logged as manual."""
        ids = self._v1_role_ids(role_ids)
        user = self._ctx.require_user(user_id)
        held = set(self._store.user_role_ids(user_id))
        if adding and held & set(ids):
            raise BadRequest("input role_id_array is already included as user roles")
        if not adding and not set(ids) <= held:
            raise BadRequest("input role_id_array is not included as user roles")
        change = self._store.add_role_users if adding else self._store.remove_role_users
        kind = (
            EventType.USER_MANUALLY_ADDED_TO_ROLE
            if adding
            else EventType.USER_MANUALLY_REMOVED_FROM_ROLE
        )
        with self._store.transaction():
            for role_id in ids:
                change(role_id, [user_id])
            self._ctx.log(
                [
                    self._ctx.event(kind, actor, user=user, role=self._ctx.role_pair(role_id))
                    for role_id in ids
                ]
            )
            trigger = "user added to role" if adding else "user removed from role"
            self._queue.evaluate_user(user_id, trigger)
        self._ctx.after_change()
        return ids

    def _v1_role_ids(self, value: Any) -> list[int]:
        """``role_id_array`` as the v1 API checks it (its own messages, in this order)."""
        if not isinstance(value, list):
            raise BadRequest(
                "role_id_array has incorrect data type. It should be -> array", "role_id_array"
            )
        if not value:
            raise BadRequest("role_id_array is empty")
        if modelling.V1_ROLE_ID_OBJECTS:
            value = [
                v["role_id"] if isinstance(v, dict) and set(v) == {"role_id"} else v for v in value
            ]
        known = [r["id"] for r in self._store.list_roles()]
        if not all(is_id(v) for v in value) or not set(value) <= set(known):
            raise BadRequest(f"role_id_array should be a subset of -> {known}")
        return list(dict.fromkeys(value))

    def delete_user(self, user_id: int, actor: Actor = SIMULATOR_ADMIN) -> None:
        user = self._ctx.require_user(user_id)
        app_ids = self._store.entitled_app_ids(user_id)
        with self._store.transaction():
            self._store.soft_delete_user(user_id, self._ctx.now())
            self._ctx.log([self._ctx.event(EventType.DELETED_USER, actor, user=user)])
            for app_id in app_ids | {r.app_id for r in self._store.logins_for_user(user_id)}:
                self._queue.evaluate(app_id, [user_id], "user deleted in OneLogin")
        self._ctx.after_change()

    def user_apps(self, user_id: int) -> list[UserApp]:
        """The user's apps with provisioning state, as /api/2/users/{id}/apps lists them."""
        self._ctx.require_user(user_id)
        entitled = self._store.entitled_app_ids(user_id)
        out = []
        for login in self._store.logins_for_user(user_id):
            tracked = login.provisioning_state not in ("unknown", "nonexistent")
            if login.app_id not in entitled and not (
                tracked and modelling.SHOW_UNASSIGNED_TRACKED_LOGINS
            ):
                continue
            app = self._store.get_app(login.app_id)
            if app is None:
                continue
            settings = ProvisioningSettings.from_json(json.loads(app["provisioning"] or "{}"))
            out.append(UserApp(app, login, settings.enabled))
        return out

    # roles ----------------------------------------------------------------------------------
    def require_role(self, role_id: int) -> dict[str, Any]:
        return self._ctx.require_role(role_id)

    def find_role(self, role_id: int) -> dict[str, Any] | None:
        return self._store.get_role(role_id)

    def _require_roles(self, role_ids: Iterable[int]) -> None:
        for role_id in role_ids:
            if self._store.get_role(role_id) is None:
                raise NotFound(f"Role {role_id} could not be found", "role_ids")

    def _require_apps(self, app_ids: Iterable[int]) -> None:
        for app_id in app_ids:
            if self._store.get_app(app_id) is None:
                raise NotFound(f"App {app_id} could not be found", "apps")

    def _require_users(
        self, user_ids: Iterable[int], field: str = "users"
    ) -> dict[int, dict[str, Any]]:
        ids = list(user_ids)
        users = self._store.users_by_ids(ids)
        missing = [u for u in ids if u not in users or users[u]["deleted_at"]]
        if missing:
            raise NotFound(f"User(s) {missing[:10]} could not be found", field)
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
        admins = validate_id_list(data.get("admins", []), "admins")
        self._require_apps(apps)
        self._require_users(users)
        self._require_users(admins, "admins")
        with self._store.transaction():
            role_id = self._store.insert_role(name.strip(), self._ctx.now())
            if apps:
                self.set_role_apps(role_id, apps, actor, drain=False)
            if users:
                self.add_role_users(role_id, users, actor, drain=False)
            if admins:
                self._store.add_role_admins(role_id, admins, self._ctx.now(), actor.name)
        self._ctx.after_change()
        return role_id

    def rename_role(self, role_id: int, data: Any) -> int:
        """``PUT /api/2/roles/{id}``: the role's name. Its apps, users and admins have their
        own endpoints; a body naming them is refused rather than half applied
        (``modelling.ROLE_UPDATE_FIELDS``)."""
        self._ctx.require_role(role_id)
        if not isinstance(data, dict):
            raise BadRequest("Expected a JSON object in request body")
        unknown = sorted(set(data) - set(modelling.ROLE_UPDATE_FIELDS))
        if unknown:
            raise BadRequest(f"unknown attribute: {unknown[0]}", unknown[0])
        if not isinstance(data.get("name"), str) or not data["name"].strip():
            raise ValidationFailed("Validation failed: name is required", "name")
        self._store.rename_role(role_id, data["name"].strip())
        return role_id

    def role_admins(self, role_id: int) -> list[dict[str, Any]]:
        """The role's administrators: ``user`` (the directory row) with ``added_at`` and
        ``added_by``; deleted users are left out."""
        self._ctx.require_role(role_id)
        rows = self._store.role_admins(role_id)
        users = self._store.users_by_ids([r["user_id"] for r in rows])
        return [
            {**r, "user": users[r["user_id"]]}
            for r in rows
            if r["user_id"] in users and not users[r["user_id"]]["deleted_at"]
        ]

    def role_admin_ids(self, role_id: int) -> list[int]:
        return [r["user_id"] for r in self._store.role_admins(role_id)]

    def add_role_admins(
        self, role_id: int, user_ids: Any, actor: Actor = SIMULATOR_ADMIN
    ) -> list[int]:
        """Role admins manage the role's membership; being one gives no app access, so
        nothing is provisioned."""
        self._ctx.require_role(role_id)
        ids = validate_id_list(user_ids, "users")
        self._require_users(ids)
        self._store.add_role_admins(role_id, ids, self._ctx.now(), actor.name)
        return ids

    def remove_role_admins(
        self, role_id: int, user_ids: Any, actor: Actor = SIMULATOR_ADMIN
    ) -> None:
        self._ctx.require_role(role_id)
        ids = validate_id_list(user_ids, "users")
        self._store.remove_role_admins(role_id, ids)

    def delete_role(self, role_id: int, actor: Actor = SIMULATOR_ADMIN) -> None:
        self._ctx.require_role(role_id)
        user_ids = self._store.role_user_ids(role_id)
        app_ids = self._store.role_app_ids(role_id)
        with self._store.transaction():
            events = [
                self._ctx.event(
                    EventType.APP_REMOVED_FROM_ROLE,
                    actor,
                    app=self._ctx.app_pair(a),
                    role=self._ctx.role_pair(role_id),
                )
                for a in app_ids
            ]
            self._store.delete_role(role_id)
            self._ctx.log(events)
            for app_id in app_ids:
                self._queue.evaluate(app_id, user_ids, "role deleted")
        self._ctx.after_change()

    def set_role_apps(
        self, role_id: int, app_ids: Any, actor: Actor = SIMULATOR_ADMIN, drain: bool = True
    ) -> list[int]:
        """Replace the role's apps with the complete list (OneLogin: "Don't submit a partial
        list"); users of the role gain or lose access accordingly."""
        self._ctx.require_role(role_id)
        apps = validate_id_list(app_ids, "apps")
        self._require_apps(apps)
        with self._store.transaction():
            before = self._store.role_app_ids(role_id)
            self._store.set_role_apps(role_id, apps)
            self._role_apps_changed(
                role_id,
                [a for a in apps if a not in before],
                sorted(set(before) - set(apps)),
                actor,
            )
        if drain:
            self._ctx.after_change()
        return apps

    def add_role_app(self, role_id: int, app_id: int, actor: Actor = SIMULATOR_ADMIN) -> None:
        """Give the role one more app (the console's "Add app"), leaving its other apps as
        they are even if someone changes them at the same time."""
        self._ctx.require_role(role_id)
        self._require_apps([app_id])
        with self._store.transaction():
            if self._store.add_role_app(role_id, app_id):
                self._role_apps_changed(role_id, [app_id], [], actor)
        self._ctx.after_change()

    def remove_role_app(self, role_id: int, app_id: int, actor: Actor = SIMULATOR_ADMIN) -> None:
        """Take one app from the role; its users lose access unless another role or a direct
        login still gives it."""
        self._ctx.require_role(role_id)
        self._require_apps([app_id])
        with self._store.transaction():
            if self._store.remove_role_app(role_id, app_id):
                self._role_apps_changed(role_id, [], [app_id], actor)
        self._ctx.after_change()

    def _role_apps_changed(
        self, role_id: int, added: list[int], removed: list[int], actor: Actor
    ) -> None:
        """Log the role's new and removed apps and evaluate its users for each; inside the
        caller's transaction."""
        role = self._ctx.role_pair(role_id)
        self._ctx.log(
            [
                self._ctx.event(event, actor, app=self._ctx.app_pair(a), role=role)
                for event, apps in (
                    (EventType.APP_ADDED_TO_ROLE, added),
                    (EventType.APP_REMOVED_FROM_ROLE, removed),
                )
                for a in apps
            ]
        )
        users = self._store.role_user_ids(role_id)
        for app_id in sorted({*added, *removed}):
            trigger = "app added to role" if app_id in added else "app removed from role"
            self._queue.evaluate(app_id, users, trigger)

    def add_role_users(
        self, role_id: int, user_ids: Any, actor: Actor = SIMULATOR_ADMIN, drain: bool = True
    ) -> list[int]:
        role = self._ctx.require_role(role_id)
        ids = validate_id_list(user_ids, "users")
        users = self._require_users(ids)
        with self._store.transaction():
            current = set(self._store.role_user_ids(role_id))
            new = [u for u in ids if u not in current]
            self._store.add_role_users(role_id, new)
            self._ctx.log(
                [
                    self._ctx.event(
                        EventType.USER_MANUALLY_ADDED_TO_ROLE,
                        actor,
                        user=users[u],
                        role=(role_id, role["name"]),
                    )
                    for u in new
                ],
            )
            for app_id in self._store.role_app_ids(role_id):
                self._queue.evaluate(app_id, new, "user added to role", users)
        if drain:
            self._ctx.after_change()
        return ids

    def remove_role_users(
        self, role_id: int, user_ids: Any, actor: Actor = SIMULATOR_ADMIN
    ) -> None:
        role = self._ctx.require_role(role_id)
        ids = validate_id_list(user_ids, "users")
        with self._store.transaction():
            current = set(self._store.role_user_ids(role_id))
            gone = [u for u in ids if u in current]
            users = self._store.users_by_ids(gone)
            self._store.remove_role_users(role_id, gone)
            self._ctx.log(
                [
                    self._ctx.event(
                        EventType.USER_MANUALLY_REMOVED_FROM_ROLE,
                        actor,
                        user=users[u],
                        role=(role_id, role["name"]),
                    )
                    for u in gone
                ],
            )
            for app_id in self._store.role_app_ids(role_id):
                self._queue.evaluate(app_id, gone, "user removed from role")
        self._ctx.after_change()

    # direct logins --------------------------------------------------------------------------
    def add_login(self, user_id: int, app_id: int, actor: Actor = SIMULATOR_ADMIN) -> None:
        user = self._ctx.require_user(user_id)
        self._ctx.require_app(app_id)
        with self._store.transaction():
            if self._store.add_direct_login(user_id, app_id):
                self._ctx.log(
                    [
                        self._ctx.event(
                            EventType.LOGIN_MANUALLY_ADDED,
                            actor,
                            user=user,
                            app=self._ctx.app_pair(app_id),
                        )
                    ],
                )
            self._queue.evaluate(app_id, [user_id], "login manually added")
        self._ctx.after_change()

    def remove_login(self, user_id: int, app_id: int, actor: Actor = SIMULATOR_ADMIN) -> None:
        user = self._ctx.require_user(user_id)
        self._ctx.require_app(app_id)
        with self._store.transaction():
            if not self._store.remove_direct_login(user_id, app_id):
                raise NotFound(
                    f"User {user_id} has no direct login to app {app_id}; access "
                    "through a role is removed by removing the role"
                )
            self._ctx.log(
                [
                    self._ctx.event(
                        EventType.LOGIN_MANUALLY_REMOVED,
                        actor,
                        user=user,
                        app=self._ctx.app_pair(app_id),
                    )
                ],
            )
            self._queue.evaluate(app_id, [user_id], "login manually removed")
        self._ctx.after_change()

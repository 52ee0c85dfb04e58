"""User mappings: their CRUD and order, and applying them to users.

A mapping's ``add_role`` gives a user a role while its conditions hold; the role goes when
they stop holding (OneLogin: a mapping-assigned role is removed by changing the mapping's
conditions). A role the user had by hand is never taken by a mapping. Role changes are
logged as events 149 / 150 and evaluated for provisioning like any other role change, so a
mapping that puts a user in a role holding the Wrike app provisions them to Wrike.

Mappings are applied when a user is created or updated (the v2 API's ``mappings`` argument
can defer or skip that) and on "Reapply entitlement mappings" (event 202).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from mock_onelogin.account._context import SIMULATOR_ADMIN, AccountContext, Actor
from mock_onelogin.account.provisioning import ProvisioningQueue
from mock_onelogin.domain import mappings as rules
from mock_onelogin.domain import modelling
from mock_onelogin.domain.errors import NotFound
from mock_onelogin.domain.events import EventType
from mock_onelogin.domain.mappings import MappingInvalid, MappingResult, StoredMapping

NOT_FOUND = "The resource with the given id could not be found"


def user_view(user: Mapping[str, Any]) -> dict[str, Any]:
    """A stored user as conditions read it (custom attributes as a dict)."""
    view = dict(user)
    custom = view.get("custom_attributes")
    if isinstance(custom, str):
        view["custom_attributes"] = json.loads(custom or "{}")
    return view


class Mappings:
    def __init__(self, ctx: AccountContext, queue: ProvisioningQueue) -> None:
        self._ctx = ctx
        self._store = ctx.store
        self._queue = queue

    # reads ----------------------------------------------------------------------------------
    def matching(
        self,
        enabled: bool = True,
        has_condition: str | None = None,
        has_condition_type: str | None = None,
        has_action: str | None = None,
        has_action_type: str | None = None,
    ) -> list[StoredMapping]:
        """OneLogin's list: the enabled mappings by position (``enabled=false``: the disabled
        ones), narrowed by the ``has_*`` filters."""
        out = [m for m in self._store.list_mappings() if m.spec.enabled is enabled]
        if has_condition:
            out = [m for m in out if rules.matches_filter(m, "condition", has_condition)]
        if has_action:
            out = [m for m in out if rules.matches_filter(m, "action", has_action)]
        if has_condition_type:
            out = [m for m in out if rules.matches_type(m, "condition", has_condition_type)]
        if has_action_type:
            out = [m for m in out if rules.matches_type(m, "action", has_action_type)]
        return out

    def all(self) -> list[StoredMapping]:
        return self._store.list_mappings()

    def get(self, mapping_id: int) -> StoredMapping:
        mapping = self._store.get_mapping(mapping_id)
        if mapping is None:
            raise NotFound(NOT_FOUND)
        return mapping

    def role_names(self) -> dict[int, str]:
        return {r["id"]: r["name"] for r in self._store.list_roles()}

    def condition_values(self, source: str) -> list[dict[str, Any]]:
        """``/conditions/{source}/values``: the choices of a source with a fixed set (roles,
        statuses); a free-text source has none."""
        if rules.operators(source) is None:
            raise NotFound(f"Unknown condition {source!r}; see /api/2/mappings/conditions")
        if source == rules.HAS_ROLE:
            return [{"name": r["name"], "value": r["id"]} for r in self._store.list_roles()]
        if source == rules.STATUS:
            return [{"name": n, "value": v} for v, n in rules.STATUS_NAMES.items()]
        return []

    def action_values(self, action: str) -> list[dict[str, Any]]:
        if action not in modelling.MAPPING_ACTIONS:
            raise NotFound(f"Unknown action {action!r}; see /api/2/mappings/actions")
        return [{"name": r["name"], "value": r["id"]} for r in self._store.list_roles()]

    def explain_user(self, user_id: int) -> list[MappingResult]:
        """Every enabled mapping against the user as stored now (what the console and the
        diagnosis show)."""
        user = self._ctx.require_user(user_id)
        mapped = self._store.mapped_roles(user_id)
        manual = [r for r in self._store.user_role_ids(user_id) if r not in mapped]
        return rules.evaluate(
            self._store.list_mappings(), user_view(user), manual, self.role_names()
        )

    # changes --------------------------------------------------------------------------------
    def _role_exists(self, role_id: int) -> bool:
        return self._store.get_role(role_id) is not None

    def _order(self) -> list[int]:
        return [m.id for m in self._store.list_mappings() if m.spec.enabled]

    def create(self, data: Any, actor: Actor = SIMULATOR_ADMIN) -> int:
        # Read the order, check and write in one transaction: two saves at once cannot
        # both take the same position.
        with self._store.transaction():
            order = self._order()
            spec = rules.validate(data, self._role_exists, len(order) + 1)
            mapping_id = self._store.insert_mapping(spec, self._ctx.now())
            if spec.enabled:
                at = (spec.position or len(order) + 1) - 1
                self._store.set_mapping_positions([*order[:at], mapping_id, *order[at:]])
        self._saved(actor)
        return mapping_id

    def update(self, mapping_id: int, data: Any, actor: Actor = SIMULATOR_ADMIN) -> int:
        """PUT replaces the whole mapping (every required field again), as the SDK's model
        requires them; ``position`` moves it, null keeps its place (last if newly enabled)."""
        with self._store.transaction():
            current = self.get(mapping_id)
            order = [m for m in self._order() if m != mapping_id]
            spec = rules.validate(data, self._role_exists, len(order) + 1)
            self._store.update_mapping(mapping_id, spec, self._ctx.now())
            if spec.enabled:
                if spec.position is not None:
                    at = spec.position - 1
                elif current.position is not None:
                    at = current.position - 1
                else:
                    at = len(order)
                order = [*order[:at], mapping_id, *order[at:]]
            self._store.set_mapping_positions(order)
        self._saved(actor)
        return mapping_id

    def delete(self, mapping_id: int, actor: Actor = SIMULATOR_ADMIN) -> None:
        with self._store.transaction():
            self.get(mapping_id)
            self._store.delete_mapping(mapping_id)
            self._store.set_mapping_positions([m for m in self._order() if m != mapping_id])
        self._saved(actor)

    def sort(self, ids: Any, actor: Actor = SIMULATOR_ADMIN) -> list[int]:
        """Bulk sort: the complete list of enabled mapping ids, in their new order."""
        with self._store.transaction():
            order = self._sort(ids)
        self._saved(actor)
        return order

    def _sort(self, ids: Any) -> list[int]:
        order = self._order()
        if (
            not isinstance(ids, list)
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
            or len(ids) != len(set(ids))
        ):
            raise MappingInvalid([("body", "Expected an array of distinct mapping ids")])
        if sorted(ids) != sorted(order):
            missing = sorted(set(order) - set(ids))
            extra = sorted(set(ids) - set(order))
            raise MappingInvalid(
                [
                    (
                        "body",
                        "Give every enabled mapping's id once, in the new order"
                        + (f"; missing: {missing[:10]}" if missing else "")
                        + (f"; not enabled mappings: {extra[:10]}" if extra else ""),
                    )
                ]
            )
        self._store.set_mapping_positions(ids)
        return list(ids)

    def _saved(self, actor: Actor) -> None:
        if modelling.MAPPING_APPLY_ON_SAVE:
            self.reapply(actor, log=False)
            self._ctx.after_change()

    # applying -------------------------------------------------------------------------------
    def apply_in_change(self, user_id: int) -> tuple[list[int], list[int]]:
        """Apply the mappings to one user inside the caller's transaction (a user create or
        update), before it evaluates the user for provisioning: roles added, roles removed."""
        with self._store.transaction():
            return self._apply(user_id)

    def apply(self, user_id: int, trigger: str = "user mappings applied") -> None:
        """Apply the mappings to one user on their own (the v2 API's ``mappings=async``, after
        the answer is made), then let provisioning follow the roles."""
        with self._store.transaction():
            added, removed = self._apply(user_id)
            if added or removed:
                self._queue.evaluate_user(user_id, trigger)
        self._ctx.after_change()

    def reapply(self, actor: Actor = SIMULATOR_ADMIN, log: bool = True) -> dict[str, int]:
        """Apply the mappings to every live user ("Reapply entitlement mappings"); event 202
        when there is any mapping (or a role one gave) to apply. Provisioning follows each
        changed user's roles; the caller drains."""
        store = self._store
        with store.transaction():
            if store.has_enabled_mappings():
                user_ids = store.live_user_ids()
            else:
                user_ids = sorted(store.users_with_mapped_roles())
            if not user_ids and not store.list_mappings():
                return {}
            totals = {"users": len(user_ids), "added": 0, "removed": 0}
            changed = []
            for user_id in user_ids:
                added, removed = self._apply(user_id)
                totals["added"] += len(added)
                totals["removed"] += len(removed)
                if added or removed:
                    changed.append(user_id)
            if log:
                self._ctx.log(
                    [
                        self._ctx.event(
                            EventType.MAPPINGS_REAPPLIED,
                            actor,
                            notes=(
                                f"User mappings applied to {totals['users']} user(s): "
                                f"{totals['added']} role(s) added, {totals['removed']} removed"
                            ),
                        )
                    ]
                )
            for user_id in changed:
                self._queue.evaluate_user(user_id, "user mappings reapplied")
        return totals

    def _apply(self, user_id: int) -> tuple[list[int], list[int]]:
        store = self._store
        user = store.get_user(user_id)
        if user is None or user["deleted_at"]:
            return [], []
        mapped = store.mapped_roles(user_id)
        if not mapped and not store.has_enabled_mappings():
            return [], []
        current = set(store.user_role_ids(user_id))
        for role_id in [r for r in mapped if r not in current]:
            # Removed by hand (or the role was deleted): no longer the mapping's; if the
            # mapping still matches it gives the role again below.
            store.forget_mapped_role(user_id, role_id)
            del mapped[role_id]
        manual = [r for r in sorted(current) if r not in mapped]
        names = self.role_names()
        mappings = store.list_mappings()
        results = rules.evaluate(mappings, user_view(user), manual, names)
        granted = {r: m for r, m in rules.granted_roles(results).items() if r in names}
        added = [r for r in granted if r not in current]
        removed = [r for r in mapped if r not in granted]
        by_id = {m.id: m for m in mappings}
        actor = Actor(modelling.MAPPING_ACTOR)
        events = []
        for role_id in added:
            mapping = granted[role_id]
            store.add_role_users(role_id, [user_id])
            store.remember_mapped_role(user_id, role_id, mapping.id)
            events.append(
                self._ctx.event(
                    EventType.USER_AUTOMATICALLY_ADDED_TO_ROLE,
                    actor,
                    user=user,
                    role=(role_id, names[role_id]),
                    notes=f"User mapping {_named(mapping)} matched",
                )
            )
        for role_id in removed:
            store.remove_role_users(role_id, [user_id])
            store.forget_mapped_role(user_id, role_id)
            gave = by_id.get(mapped[role_id])
            events.append(
                self._ctx.event(
                    EventType.USER_AUTOMATICALLY_REMOVED_FROM_ROLE,
                    actor,
                    user=user,
                    role=(role_id, names.get(role_id, "")),
                    notes=(
                        f"User mapping {_named(gave)} no longer matches"
                        if gave is not None and gave.spec.enabled
                        else f"The user mapping that gave the role (id {mapped[role_id]}) "
                        "is disabled or deleted"
                    ),
                )
            )
        for role_id, mapping in granted.items():
            if role_id in mapped and mapped[role_id] != mapping.id:
                store.remember_mapped_role(user_id, role_id, mapping.id)
        if events:
            self._ctx.log(events)
        return added, removed

    def mapped_role_ids(self, user_id: int) -> set[int]:
        return set(self._store.mapped_roles(user_id))


def _named(mapping: StoredMapping | None) -> str:
    if mapping is None:
        return "(deleted)"
    return f"'{mapping.spec.name}' (id {mapping.id})"

"""SCIM operations on the members of one Wrike account, with every Wrike rule applied:
plan, token, the issuer's rights (``modelling.SCIM_OPERATION_RIGHTS``), approved domain,
login, user type, admin right, unknown attributes, attributes that stay, billing.

Each operation writes in one store transaction: it commits whole or not at all. An update
reads, merges and checks before that transaction opens, so the database lock is held for the
write alone (``ScimUsers._update``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any

from wrike_sp.domain import history, modelling
from wrike_sp.domain.accounts import held_rights
from wrike_sp.domain.clock import Clock, stamp
from wrike_sp.domain.errors import ScimError
from wrike_sp.domain.ids import IdSource, random_id
from wrike_sp.domain.modelling import DEFAULT_USER_TYPE, MAX_RESULTS, SCIM_PLANS
from wrike_sp.domain.records import Conflict, UserRow
from wrike_sp.domain.repository import WrikeRepository
from wrike_sp.domain.schema import (
    CORE_ATTRIBUTES,
    CORE_USER,
    ENTERPRISE_USER,
    PATCH_OP,
    check_value_count,
    known_patch_operations,
    read_attribute,
    read_user_payload,
)
from wrike_sp.domain.secrets_ import token_hash
from wrike_sp.domain.users import (
    check_admin_rule,
    check_approved_domain,
    check_owner_stays,
    derive_login,
    email_index,
    finish_document,
    is_email,
    key,
    merge_for_update,
)

if TYPE_CHECKING:
    from pydantic import ValidationError
    from scim2_models import PatchOp, SCIMException, ScimPolicy

    from wrike_sp.domain.user_model import WrikeUser

# scim2-models (the filter parser, PATCH) and the modules built on it are imported where a
# request first needs them, not at start-up: a request refused before its filter or body is
# read (a wrong token, a plan without SCIM) needs none of them (wrike_sp.domain.user_model).


@cache
def _patch_policy() -> ScimPolicy:
    """PATCH shapes Entra sends and a real-world provider tolerates: a ``remove`` whose
    ``value`` names the entries to drop (instead of a filtered path), and an
    ``add``/``replace`` on ``emails[type eq "work"].value`` when no such entry exists, which
    Entra expects to create."""
    from scim2_models import ScimPolicy

    return ScimPolicy(
        remove_value_as_filter=ScimPolicy.RemoveValue.apply,
        unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
    )


@dataclass(frozen=True)
class Grant:
    """What an accepted bearer token lets the caller do: one account, with the issuer's rights."""

    account_id: int
    plan: str
    token_id: int
    issuer_id: str
    issuer_login: str
    issuer_can_grant_admin: bool
    approved_domains: tuple[str, ...]
    # The issuer's rights, as Wrike labels them (accounts.held_rights).
    issuer_rights: frozenset[str] = frozenset()


def version_tag(version: int) -> str:
    return f'W/"{version}"'


class ScimUsers:
    """The /Users resource of every account, backed by a :class:`WrikeRepository`."""

    def __init__(self, store: WrikeRepository, clock: Clock, new_id: IdSource = random_id) -> None:
        self.store = store
        self.clock = clock
        self.new_id = new_id

    # -- authentication ---------------------------------------------------------------------

    def authenticate(self, account_id: int, authorization: str | None) -> Grant:
        if not authorization or authorization[:7].lower() != "bearer ":
            if self.store.account(account_id) is None:
                raise _no_account(account_id)
            raise ScimError(
                401,
                None,
                "A bearer token is required: send 'Authorization: Bearer <Wrike API token>' "
                "(the SCIM Bearer Token field in OneLogin).",
                {"WWW-Authenticate": 'Bearer realm="Wrike SCIM"'},
            )
        facts = self.store.auth_facts(account_id, token_hash(authorization[7:].strip()))
        if facts is None:
            raise _no_account(account_id)
        token = facts.token
        challenge = {"WWW-Authenticate": 'Bearer realm="Wrike SCIM", error="invalid_token"'}
        if token is None:
            raise ScimError(
                401,
                None,
                "The bearer token is not a valid Wrike API token. Obtain a permanent token in "
                "Wrike (Apps & Integrations > API) and paste it into the SCIM Bearer Token field.",
                challenge,
            )
        if token.revoked_at is not None:
            raise ScimError(
                401,
                None,
                f"This Wrike API token was revoked at {token.revoked_at}. Obtain a new token in "
                "Wrike and update the SCIM Bearer Token field.",
                challenge,
            )
        if token.account_id != account_id:
            raise ScimError(
                401,
                None,
                "This Wrike API token was not issued for the account at this SCIM URL. Use the "
                "SCIM URL and the token of the same Wrike account.",
                challenge,
            )
        issuer = facts.issuer
        if issuer is None or (
            modelling.TOKEN_NEEDS_ADMIN_ISSUER and not (issuer.is_admin and issuer.active)
        ):
            raise ScimError(
                403,
                None,
                "The member who issued this API token is no longer an active account admin of "
                "this Wrike account. Issue a new token from an account admin.",
            )
        if facts.plan not in SCIM_PLANS:
            raise ScimError(
                modelling.STATUS_PLAN_WITHOUT_SCIM,
                None,
                f"SCIM user provisioning is not available on the {facts.plan} plan. It is "
                f"available on {_listed(modelling.SCIM_PLAN_ORDER)}; upgrade the Wrike account "
                "to use it.",
            )
        return Grant(
            account_id=account_id,
            plan=facts.plan,
            token_id=token.id,
            issuer_id=issuer.id,
            issuer_login=issuer.user_name,
            issuer_can_grant_admin=issuer.can_grant_admin,
            approved_domains=facts.approved_domains,
            issuer_rights=held_rights(issuer),
        )

    # -- reading ----------------------------------------------------------------------------

    def get(self, grant: Grant, user_id: str) -> UserRow:
        """GET /Users/{id}."""
        require_issuer_right(grant, "read")
        return self._get(grant, user_id)

    def _get(self, grant: Grant, user_id: str) -> UserRow:
        user = self.store.user(grant.account_id, user_id)
        if user is None:
            raise ScimError(404, None, f"User {user_id} not found in this Wrike account")
        return user

    def search(
        self, grant: Grant, filter_text: str | None, start_index: int, count: int | None
    ) -> tuple[int, list[UserRow]]:
        require_issuer_right(grant, "list")
        from wrike_sp.domain.filters import parse_filter

        search = parse_filter(filter_text) if filter_text else None
        limit = MAX_RESULTS if count is None else min(max(count, 0), MAX_RESULTS)
        offset = min(max(start_index, 1), 2**31) - 1
        return self.store.search_users(
            grant.account_id, search, offset, limit, modelling.MAX_PAGE_BYTES
        )

    # -- writing ----------------------------------------------------------------------------

    def create(self, grant: Grant, payload: Any) -> UserRow:
        require_issuer_right(grant, "create")
        doc = finish_document(read_user_payload(payload), creating=True)
        login = self._admissible_login(grant, doc)
        now = stamp(self.clock())
        user = UserRow(
            id=self.new_id(),
            account_id=grant.account_id,
            user_name=doc["userName"],
            login_key=key(login),
            active=bool(doc["active"]),
            user_type=doc["userType"],
            role="regular",
            can_configure_security=False,
            can_grant_admin=False,
            password_hash=None,
            doc=doc,
            created=now,
            last_modified=now,
            version=1,
            via_scim=True,
            # "Members added through SCIM are billable as soon as they're provisioned" (the
            # article), whatever their user type: no type is exempt, so none is looked up.
            billable_since=now if doc["active"] else None,
            deactivated_at=None if doc["active"] else now,
        )
        line = history.created(doc)
        with self.store.transaction():
            self._insert(user)
            self.store.record_billing(
                grant.account_id, user.id, login, user.user_type, "provisioned", now
            )
            self.store.record_scim(grant.account_id, user.id, now, "POST", 201, line)
        return user

    def replace(self, grant: Grant, user_id: str, payload: Any, if_match: str | None) -> UserRow:
        with self._recorded(grant, user_id, "PUT"):
            incoming = read_user_payload(payload)
            return self._update(
                grant,
                user_id,
                if_match,
                lambda user: finish_document(merge_for_update(user.doc, incoming)),
                "PUT",
            )

    def patch(self, grant: Grant, user_id: str, payload: Any, if_match: str | None) -> UserRow:
        with self._recorded(grant, user_id, "PATCH"):
            _check_patch_size(payload)
            payload = _known_attributes_only(payload)
            changes = _simple_patch(payload)
            if changes is not None:
                simple = changes
                return self._update(
                    grant,
                    user_id,
                    if_match,
                    lambda user: finish_document({**user.doc, **simple}),
                    "PATCH",
                )
            operation = _patch_op(payload)
            if operation is None:
                user = self._for_write(grant, user_id, if_match)
                self._record_unchanged(grant, user, "PATCH")
                return user
            patch = operation
            return self._update(
                grant,
                user_id,
                if_match,
                lambda user: finish_document(_apply_patch(user, patch)),
                "PATCH",
            )

    def delete(self, grant: Grant, user_id: str, if_match: str | None) -> None:
        """DELETE removes the member from the account: RFC 7644 §3.6 wants a deleted resource
        to answer 404 afterwards, so a member kept as deactivated would break the protocol.
        The billing ledger keeps the deletion with its time, the member's history the
        request."""
        with self._recorded(grant, user_id, "DELETE"), self.store.transaction():
            user = self._for_write(grant, user_id, if_match)
            check_admin_rule(user.is_admin, grant.issuer_can_grant_admin, grant.issuer_login)
            check_owner_stays(user.role, removing=True)
            require_issuer_right(grant, "delete")
            self.store.delete_user(grant.account_id, user.id)
            now = stamp(self.clock())
            self.store.record_billing(
                grant.account_id, user.id, user.login_key, user.user_type, "deleted", now
            )
            self.store.record_scim(grant.account_id, user.id, now, "DELETE", 204, "deleted")

    # -- internals --------------------------------------------------------------------------

    @contextmanager
    def _recorded(self, grant: Grant, user_id: str, method: str) -> Iterator[None]:
        """A refusal of a request on an existing member goes into its history (in a
        transaction of its own: the refused request wrote nothing). An accepted request is
        recorded by the write itself, in the write's transaction."""
        try:
            yield
        except ScimError as error:
            if self.store.user(grant.account_id, user_id) is not None:
                self.store.record_scim(
                    grant.account_id,
                    user_id,
                    stamp(self.clock()),
                    method,
                    error.status,
                    history.refused(error.detail),
                )
            raise

    def _record_unchanged(self, grant: Grant, user: UserRow, method: str) -> None:
        """An accepted request that changed nothing (OneLogin's PUT of the same values): no
        new version, only a line in the history."""
        self.store.record_scim(
            grant.account_id, user.id, stamp(self.clock()), method, 200, history.NO_CHANGE
        )

    def _for_write(self, grant: Grant, user_id: str, if_match: str | None) -> UserRow:
        user = self._get(grant, user_id)
        if if_match is not None and if_match.strip() != "*":
            wanted = {tag.strip() for tag in if_match.split(",")}
            if version_tag(user.version) not in wanted and f'"{user.version}"' not in wanted:
                raise ScimError(
                    412,
                    None,
                    f"If-Match {if_match} does not match the current version "
                    f"{version_tag(user.version)}; read the user again and retry.",
                )
        return user

    def _admissible_login(self, grant: Grant, doc: dict[str, Any]) -> str:
        for email in doc.get("emails") or []:
            if not isinstance(email.get("value"), str) or not is_email(email["value"]):
                raise ScimError(
                    400,
                    "invalidValue",
                    f"emails value {email.get('value')!r} is not an email address",
                )
        login = derive_login(doc)
        check_approved_domain(login, grant.approved_domains)
        return login

    def _insert(self, user: UserRow) -> None:
        try:
            self.store.insert_user(user, email_index(user.doc))
        except Conflict as conflict:
            raise _uniqueness(conflict, user) from conflict

    def _update(
        self,
        grant: Grant,
        user_id: str,
        if_match: str | None,
        change: Callable[[UserRow], dict[str, Any]],
        method: str,
    ) -> UserRow:
        """Apply ``change`` (the user as read -> its new document) with every rule checked.

        The read, the merge and every check run before the write transaction opens, so the
        database lock is held for the write alone; the write lands only if the user's version
        is still the one read (``update_user``'s compare-and-set), else the whole update starts
        again from a fresh read (and an If-Match that named the old version then fails).
        After ``_OPTIMISTIC_TRIES`` lost races the last try reads and writes inside one
        transaction, so an update always ends; the values cap keeps that try short too.
        """
        for _ in range(_OPTIMISTIC_TRIES):
            user = self._for_write(grant, user_id, if_match)
            update = self._prepare(grant, user, change(user))
            if update is None:
                self._record_unchanged(grant, user, method)
                return user
            with self.store.transaction():
                if self._write(grant, user, update, method):
                    return update.user
        with self.store.transaction():
            user = self._for_write(grant, user_id, if_match)
            update = self._prepare(grant, user, change(user))
            if update is None:
                self._record_unchanged(grant, user, method)
                return user
            if not self._write(grant, user, update, method):  # pragma: no cover - the lock is held
                raise ScimError(412, None, "The user changed while it was being updated; retry")
            return update.user

    def _prepare(self, grant: Grant, user: UserRow, doc: dict[str, Any]) -> _Update | None:
        """The checked new row, search index and billing events; ``None`` when nothing
        changes (no new version, no lastModified bump). Touches no storage."""
        if doc == user.doc:
            return None
        check_admin_rule(user.is_admin, grant.issuer_can_grant_admin, grant.issuer_login)
        active = bool(doc.get("active", user.active))
        check_owner_stays(user.role, removing=user.active and not active)
        if active != user.active:
            require_issuer_right(grant, "reactivate" if active else "deactivate")
        if {k: v for k, v in doc.items() if k != "active"} != {
            k: v for k, v in user.doc.items() if k != "active"
        }:
            require_issuer_right(grant, "edit")
        login = self._admissible_login(grant, doc)
        now = stamp(self.clock())
        updated = replace(
            user,
            user_name=doc["userName"],
            login_key=key(login),
            active=active,
            user_type=doc.get("userType", DEFAULT_USER_TYPE),
            doc=doc,
            last_modified=now,
            version=user.version + 1,
        )
        events: list[str] = []
        if active and not user.active:
            updated = replace(updated, deactivated_at=None, billable_since=now)
            events.append("reactivated")
        elif user.active and not active:
            updated = replace(updated, deactivated_at=now)
            events.append("deactivated")
        if updated.user_type != user.user_type:
            events.append("type_changed")
        emails: list[tuple[str, str | None]] | None = email_index(doc)
        if emails == email_index(user.doc):
            emails = None  # the search index of emails stays as it is
        return _Update(updated, login, emails, tuple(events), now, history.changes(user.doc, doc))

    def _write(self, grant: Grant, user: UserRow, update: _Update, method: str) -> bool:
        """Inside the write transaction: store ``update`` if ``user`` is still the stored
        version, with its billing events; False when another write came first."""
        try:
            written = self.store.update_user(update.user, update.emails, user.version, user)
        except Conflict as conflict:
            raise _uniqueness(conflict, update.user) from conflict
        if not written:
            return False
        for event in update.events:
            self.store.record_billing(
                grant.account_id, user.id, update.login, update.user.user_type, event, update.at
            )
        self.store.record_scim(grant.account_id, user.id, update.at, method, 200, update.summary)
        return True


# Optimistic tries of an update before the last one, which holds the lock (see _update).
_OPTIMISTIC_TRIES = 3


@dataclass(frozen=True)
class _Update:
    """An update worked out and checked, waiting for the write transaction."""

    user: UserRow
    login: str
    emails: list[tuple[str, str | None]] | None
    events: tuple[str, ...]
    at: str
    # The history line of the change (history.changes).
    summary: str


def _check_patch_size(payload: Any) -> None:
    """The caps on a PATCH body, before scim2-models reads it (it applies operations one by
    one, each over the whole list, so thousands of ``add`` operations cost minutes): at most
    ``MAX_PATCH_OPERATIONS`` operations, and at most ``MAX_MULTI_VALUES`` values for one
    multi-valued attribute over all of them."""
    if not isinstance(payload, dict):
        return
    operations = next((v for k, v in payload.items() if str(k).lower() == "operations"), None)
    if not isinstance(operations, list):
        return
    if len(operations) > modelling.MAX_PATCH_OPERATIONS:
        raise ScimError(
            400,
            "invalidValue",
            f"This PATCH has {len(operations)} operations; Wrike applies at most "
            f"{modelling.MAX_PATCH_OPERATIONS} in one request. Send the changes in several "
            "requests, or as one PUT.",
        )
    values: dict[str, int] = {}
    for operation in operations:
        if not isinstance(operation, dict):
            continue
        path = next((v for k, v in operation.items() if str(k).lower() == "path"), None)
        value = next((v for k, v in operation.items() if str(k).lower() == "value"), None)
        if isinstance(path, str):
            items = [(path, value)]
        elif isinstance(value, dict):
            items = list(value.items())
            # {"urn:...:core:2.0:User": {"emails": [...]}}: the schema's attributes inside
            items += [
                pair
                for key, inner in value.items()
                if str(key).lower().startswith("urn:") and isinstance(inner, dict)
                for pair in inner.items()
            ]
        else:
            continue
        for name, item in items:
            # "emails", "emails[type eq ...].value", "urn:...:User:emails" all name emails
            bare = str(name).split("[", 1)[0].rsplit(":", 1)[-1].split(".", 1)[0]
            attr = CORE_ATTRIBUTES.get(bare.lower())
            if attr is not None and attr.multi_valued and item is not None:
                count = len(item) if isinstance(item, list) else 1
                values[attr.name] = values.get(attr.name, 0) + count
    for name, count in values.items():
        check_value_count(name, count)


def require_issuer_right(grant: Grant, operation: str) -> None:
    """Refuse ``operation`` when the token's issuer lacks the right
    ``modelling.SCIM_OPERATION_RIGHTS`` names for it (read at use: the table is a choice)."""
    needed = modelling.SCIM_OPERATION_RIGHTS[operation]
    if needed.right is None or needed.right in grant.issuer_rights:
        return
    raise ScimError(
        modelling.STATUS_ISSUER_RIGHT_MISSING,
        None,
        f"The account admin who issued the API token ({grant.issuer_login}) lacks the Wrike "
        f"right '{needed.right}', which SCIM needs to {needed.ability}. Have the account "
        f"owner (or an admin who may grant and revoke admin rights) enable it for "
        f"{grant.issuer_login} in Wrike, or issue the token from an admin who has it.",
    )


def _listed(names: tuple[str, ...]) -> str:
    """``a, b and c``."""
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def _known_attributes_only(payload: Any) -> Any:
    """The PATCH body with operations on attributes outside the schema dropped or refused
    (``modelling.UNKNOWN_ATTRIBUTES``, :func:`known_patch_operations`). An operation list
    emptied by it is a no-op, like the empty list the Entra validator sends."""
    if not isinstance(payload, dict):
        return payload
    name = next((k for k in payload if str(k).lower() == "operations"), None)
    if name is None or not isinstance(payload[name], list) or not payload[name]:
        return payload
    return {**payload, name: known_patch_operations(payload[name])}


def _no_account(account_id: int) -> ScimError:
    return ScimError(
        404,
        None,
        f"No Wrike account answers at this SCIM URL (account {account_id}). Copy the SCIM "
        "URL from Apps & Integrations > OneLogin > SCIM tab in Wrike into the SCIM Base "
        "URL field.",
    )


def _uniqueness(conflict: Conflict, user: UserRow) -> ScimError:
    if conflict.column == "login":
        return ScimError(
            409,
            "uniqueness",
            f"A Wrike user with the login '{user.login_key}' already exists in this account",
        )
    return ScimError(
        409, "uniqueness", f"A Wrike user with userName '{user.user_name}' already exists"
    )


def _simple_patch(payload: Any) -> dict[str, Any] | None:
    """The new values of a PATCH that only sets single-valued core attributes (``replace`` or
    ``add``, with a path or as a no-path object): what identity providers send most, such as
    ``active`` false. Applied without building the pydantic models, which cost milliseconds.

    Anything else, and any value this reader would refuse, returns ``None`` and takes the
    general way through scim2-models, so both ways answer a request alike.
    """
    if not isinstance(payload, dict) or payload.keys() != {"schemas", "Operations"}:
        return None
    operations = payload["Operations"]
    if payload["schemas"] != [PATCH_OP] or not isinstance(operations, list) or not operations:
        return None
    changes: dict[str, Any] = {}
    for operation in operations:
        if not isinstance(operation, dict) or not operation.keys() <= {"op", "path", "value"}:
            return None
        op, path, value = operation.get("op"), operation.get("path"), operation.get("value")
        if not isinstance(op, str) or op.lower() not in ("replace", "add"):
            return None
        if path is None and isinstance(value, dict) and value:
            items = list(value.items())
        elif isinstance(path, str):
            items = [(path, value)]
        else:
            return None
        for name, item in items:
            attr = CORE_ATTRIBUTES.get(name.lower()) if isinstance(name, str) else None
            if (
                attr is None
                or item is None
                or attr.multi_valued
                or attr.type == "complex"
                or attr.mutability != "readWrite"
            ):
                return None
            try:
                changes[attr.name] = read_attribute(attr, item, attr.name)
            except ScimError:
                return None
    return changes


_MANAGER_PATH = f"{ENTERPRISE_USER}:manager".lower()


def _manager_as_object(operation: Any) -> Any:
    """The Entra SCIM Validator sets the enterprise manager to a bare id and clears it with an
    empty string (its Add/Replace/Remove Manager tests); RFC 7643 §4.3 wants ``{"value": id}``.
    A bare id becomes that object; an empty value (``""`` or ``{"value": ""}``) removes the
    manager."""
    if not isinstance(operation, dict):
        return operation
    path = next((v for k, v in operation.items() if k.lower() == "path"), None)
    if not isinstance(path, str) or path.lower() != _MANAGER_PATH:
        return operation
    value = next((v for k, v in operation.items() if k.lower() == "value"), None)
    if value == "" or value == {"value": ""}:
        return {"op": "remove", "path": path}
    if isinstance(value, str):
        values = {k: v for k, v in operation.items() if k.lower() != "value"}
        return {**values, "value": {"value": value}}
    return operation


def _patch_op(payload: Any) -> PatchOp[WrikeUser] | None:
    if not isinstance(payload, dict):
        raise ScimError(400, "invalidSyntax", "The PATCH body must be a JSON object")
    operations = next((v for k, v in payload.items() if k.lower() == "operations"), None)
    if operations == []:
        # RFC 7644 §3.5.2 wants at least one operation, but the Entra SCIM Validator sends an
        # empty list in one of its tests and expects success: a no-op.
        return None
    schemas = payload.get("schemas")
    if not isinstance(schemas, list) or PATCH_OP not in schemas:
        raise ScimError(400, "invalidSyntax", f"A PATCH body must list the schema {PATCH_OP}")
    if isinstance(operations, list):
        name = next(k for k in payload if k.lower() == "operations")
        payload = {**payload, name: [_manager_as_object(o) for o in operations]}
    from pydantic import ValidationError
    from scim2_models import Context, PatchOp, SCIMException

    from wrike_sp.domain.user_model import WrikeUser

    try:
        return PatchOp[WrikeUser].model_validate(payload, scim_ctx=Context.RESOURCE_PATCH_REQUEST)
    except ValidationError as error:
        raise _from_validation(error) from error
    except SCIMException as error:
        raise _from_scim_exception(error) from error


def _apply_patch(user: UserRow, operation: PatchOp[WrikeUser]) -> dict[str, Any]:
    from pydantic import ValidationError
    from scim2_models import Context, SCIMException

    from wrike_sp.domain.user_model import WrikeUser

    resource = {"schemas": [CORE_USER, ENTERPRISE_USER], "id": user.id, **user.doc}
    try:
        model = WrikeUser.model_validate(resource, scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        operation.patch(model, _patch_policy())
        out = model.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    except ValidationError as error:
        raise _from_validation(error) from error
    except SCIMException as error:
        raise _from_scim_exception(error) from error
    out.pop("schemas", None)
    out.pop("id", None)
    out.pop("meta", None)
    return out


def _from_validation(error: ValidationError) -> ScimError:
    from scim2_models import Error

    first = error.errors()[0]
    try:
        rendered = Error.from_validation_error(first)
        return ScimError(int(rendered.status or 400), rendered.scim_type, rendered.detail or "")
    except Exception:
        location = ".".join(str(p) for p in first.get("loc", ()))
        return ScimError(400, "invalidValue", f"{location}: {first.get('msg')}")


def _from_scim_exception(error: SCIMException) -> ScimError:
    rendered = error.to_error()
    return ScimError(int(rendered.status or 400), rendered.scim_type, rendered.detail or str(error))

"""One in-process world: a simulated OneLogin whose SCIM client reaches the reference Wrike
provider through a WSGI adapter (no sockets), both on fresh in-memory databases and one
deterministic clock.

Why in-process for ``repro``: a support case must replay the same way every time, in well
under a second, without ports. The wiring is the same as tests/e2e's; faults are injected
through the provider's own harness controls (status codes, Retry-After, dropped connections)
plus a refused connection, which only the transport can model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from faker import Faker
from flask import Flask

from harness import vocabulary as v
from harness.case import Case, OneLoginUser, Step
from harness.diagnosis import LoggedEvent, UserFacts
from mock_onelogin import OneLoginAccount, OneLoginConfig
from mock_onelogin.domain.errors import OneLoginError
from mock_onelogin.domain.queue import Task
from mock_onelogin.transport import WSGIAdapter
from mock_onelogin.web.serializers import UI_LABELS
from wrike_sp import WrikeConfig
from wrike_sp import create_app as create_wrike
from wrike_sp.app import WrikeRuntime
from wrike_sp.domain.errors import AdminError
from wrike_sp.domain.modelling import SCIM_PATH
from wrike_sp.domain.scim_users import Grant

WRIKE_BASE = "http://wrike.test"
PASSWORD = "correct horse battery"
_STATUS_ACTIVE = 1
_STATUS_SUSPENDED = 2


class CaseClock:
    """One clock for both sides: OneLogin calls ``now()``, Wrike calls the clock itself. It
    starts at a fixed moment and moves a second per step, so a replay prints the same times
    and the System Log keeps its order."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 9, 0, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def __call__(self) -> datetime:
        return self._now

    def advance(self, seconds: float = 1.0) -> None:
        self._now += timedelta(seconds=seconds)


class _WrikeTransport(WSGIAdapter):
    """The WSGI adapter plus the network failures a live connection can have: a refused
    connection (set by the ``fault`` action) and a connection dropped mid-answer (injected
    by the provider, which raises inside its response body)."""

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.refusing: int | None = 0  # None: refuse every request; n > 0: the next n

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if self.refusing is None or self.refusing > 0:
            if self.refusing is not None:
                self.refusing -= 1
            raise requests.ConnectionError(
                "[Errno 111] Connection refused (nothing listens at the SCIM Base URL's host)",
                request=request,
            )
        try:
            return super().send(request, **kwargs)
        except OSError as error:
            raise requests.ConnectionError(
                f"connection dropped: {error}", request=request
            ) from error


class ActionFailed(Exception):
    """A timeline action could not be carried out (for example nothing was pending to
    approve); the message says what the case should do instead."""


@dataclass
class World:
    clock: CaseClock
    wrike: Flask
    transport: _WrikeTransport
    onelogin: OneLoginAccount
    app_id: int
    account_id: int = 0
    admins: dict[str, str] = field(default_factory=dict)  # name → member id
    tokens: dict[str, tuple[int, str]] = field(default_factory=dict)  # name → (id, token)
    users: dict[str, int] = field(default_factory=dict)  # email → OneLogin user id
    roles: dict[str, int] = field(default_factory=dict)  # name → OneLogin role id
    #: The task label each approve/deny step acted on (export writes it when the case did
    #: not name one).
    decided: dict[int, str] = field(default_factory=dict)

    @property
    def runtime(self) -> WrikeRuntime:
        runtime: WrikeRuntime = self.wrike.extensions["wrike"]
        return runtime

    @property
    def scim_url(self) -> str:
        return WRIKE_BASE + SCIM_PATH.format(account_id=self.account_id)

    @property
    def wrong_scim_url(self) -> str:
        """The account's SCIM URL with a typo in the path: an extra digit in the account id."""
        return WRIKE_BASE + SCIM_PATH.format(account_id=f"{self.account_id}0")


def build_world(clock: CaseClock | None = None) -> World:
    clock = clock or CaseClock()
    wrike = create_wrike(
        WrikeConfig(
            public_url=WRIKE_BASE, harness_enabled=True, password_iterations=1000, clock=clock
        )
    )
    transport = _WrikeTransport(wrike)

    def session_factory(base_url: str) -> requests.Session:
        session = requests.Session()
        session.trust_env = False
        session.mount(WRIKE_BASE + "/", transport)
        return session

    account = OneLoginAccount(
        OneLoginConfig(drain_mode="sync"), clock=clock, session_factory=session_factory
    )
    return World(clock, wrike, transport, account, account.apps.wrike_app_id())


# -- set-up ------------------------------------------------------------------------------------


def set_up(world: World, case: Case) -> None:
    """The customer's set-up before the timeline: Wrike first (Steps 1 to 3 of the article),
    then OneLogin's Configuration and Provisioning tabs, then the directory."""
    accounts = world.runtime.accounts
    wrike = case.wrike
    account = accounts.create_account("Customer account", wrike.plan)
    world.account_id = account["id"]
    for domain in wrike.approved_domains:
        accounts.add_domain(world.account_id, domain)
    for index, admin in enumerate(wrike.admins):
        role = "owner" if index == 0 else ("admin" if admin.admin else "regular")
        first, _, last = admin.name.partition(" ")
        member = accounts.add_member(
            world.account_id,
            {
                "email": admin.email,
                "first_name": first,
                "last_name": last or "Admin",
                "password": PASSWORD,
                "role": role,
                "rights": {
                    "configure_advanced_security_settings": v.RIGHT_SECURITY in admin.rights,
                    "grant_revoke_admin_rights": v.RIGHT_GRANT_ADMIN in admin.rights,
                },
            },
        )
        world.admins[admin.name] = member["id"]
        api_app = accounts.create_app(
            world.account_id, member["id"], "OneLogin SCIM", "User provisioning"
        )
        try:
            issued = accounts.issue_token(world.account_id, api_app["id"], member["id"], PASSWORD)
        except AdminError:
            continue  # Wrike issues this member no token; naming it in the case fails later
        world.tokens[admin.name] = (issued["id"], issued["token"])
    for user in wrike.users:
        accounts.add_member(world.account_id, {"email": user.email, "role": "regular"})
        if user.admin:
            make_wrike_admin(world, user.email)
        for attribute, value in user.attributes.items():
            wrike_fill(world, user.email, attribute, value)
    one = case.onelogin
    configure(world, one.scim_url, one.token)
    settings: dict[str, Any] = {
        "enabled": one.provisioning,
        "require_approval": {v.TASK_KEYS[t]: t in one.require_approval for t in v.TASKS},
    }
    if one.deprovision_action:
        settings["on_delete"] = one.deprovision_action
    if one.suspension_action:
        settings["on_suspend"] = one.suspension_action
    if one.update_method:
        settings["update_method"] = one.update_method.lower()
    world.onelogin.apps.set_provisioning(world.app_id, settings)
    for user in one.users:
        create_onelogin_user(world, user)
    world.clock.advance()


def configure(world: World, scim_url: str | None, token: str | None) -> None:
    data: dict[str, str] = {}
    if scim_url is not None:
        data["scim_base_url"] = {
            "account": world.scim_url,
            "wrong": world.wrong_scim_url,
            "none": "",
        }[scim_url]
    if token is not None:
        data["scim_bearer_token"] = {"wrong": "not-a-wrike-token-0000000000000000", "none": ""}.get(
            token
        ) or _token_of(world, token)
    world.onelogin.apps.configure_connector(world.app_id, data)


def _token_of(world: World, admin: str) -> str:
    if admin not in world.tokens:
        raise ActionFailed(f"Wrike issued {admin} no token (only members may obtain one)")
    return world.tokens[admin][1]


def create_onelogin_user(world: World, user: OneLoginUser) -> None:
    fake = Faker()
    fake.seed_instance(user.email)
    body: dict[str, Any] = {
        "username": user.email,
        "email": user.email,
        "firstname": fake.first_name(),
        "lastname": fake.last_name(),
        "status": _STATUS_ACTIVE,
    }
    body.update(_onelogin_fields(user.attributes))
    world.users[user.email] = int(world.onelogin.directory.create_user(body)["id"])
    for role in user.roles:
        world.onelogin.directory.add_role_users(_role(world, role), [world.users[user.email]])


def _onelogin_fields(attributes: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for attribute, value in attributes.items():
        target = v.ONELOGIN_ATTRIBUTES[attribute]
        if target.startswith("custom:"):
            body.setdefault("custom_attributes", {})[target[len("custom:") :]] = value
        else:
            body[target] = value
    return body


def _role(world: World, name: str) -> int:
    if name not in world.roles:
        world.roles[name] = world.onelogin.directory.create_role({"name": name})
    return world.roles[name]


# -- the timeline ----------------------------------------------------------------------------


def run_step(world: World, step: Step) -> None:
    """Carry out one timeline action; the OneLogin side drains its queue before returning,
    so the next step sees every effect."""
    try:
        _run(world, step)
    except OneLoginError as error:
        raise ActionFailed(f"OneLogin refused: {error.message}") from error
    world.clock.advance()


def _run(world: World, step: Step) -> None:
    p = step.params
    one = world.onelogin
    app = world.app_id
    uid = world.users.get(p.get("user", ""))
    action = step.action
    if action == "assign":
        if p.get("direct"):
            one.directory.add_login(_uid(uid), app)
        else:
            role = _role(world, p["role"])
            apps = one.directory.role_app_ids(role)
            if app not in apps:
                one.directory.set_role_apps(role, [*apps, app])
            one.directory.add_role_users(role, [_uid(uid)])
    elif action == "unassign":
        if p.get("direct"):
            try:
                one.directory.remove_login(_uid(uid), app)
            except OneLoginError as error:
                raise ActionFailed(f"{p['user']} has no direct login to the Wrike app") from error
        else:
            if p["role"] not in world.roles or _uid(uid) not in one.directory.role_user_ids(
                world.roles[p["role"]]
            ):
                raise ActionFailed(f"{p['user']} is not in the role {p['role']!r}")
            one.directory.remove_role_users(world.roles[p["role"]], [_uid(uid)])
    elif action == "add_app_to_role":
        role = _role(world, p["role"])
        one.directory.set_role_apps(role, sorted({*one.directory.role_app_ids(role), app}))
    elif action == "remove_app_from_role":
        if p["role"] not in world.roles:
            raise ActionFailed(f"there is no role {p['role']!r}")
        role = world.roles[p["role"]]
        one.directory.set_role_apps(role, [a for a in one.directory.role_app_ids(role) if a != app])
    elif action == "change":
        one.directory.update_user(_uid(uid), _onelogin_fields({p["attribute"]: p["value"]}))
    elif action == "suspend":
        one.directory.set_user_status(_uid(uid), _STATUS_SUSPENDED)
    elif action == "unsuspend":
        one.directory.set_user_status(_uid(uid), _STATUS_ACTIVE)
    elif action == "delete":
        one.directory.delete_user(_uid(uid))
    elif action in ("approve", "deny"):
        task = _open_task(world, p["user"], "pending_approval", p.get("task"))
        world.decided[step.index] = _task_label(task.kind)
        (one.approvals.approve if action == "approve" else one.approvals.deny)(task.id)
    elif action == "retry":
        one.approvals.retry(_open_task(world, p["user"], "failed", None).id)
    elif action in ("enable_provisioning", "disable_provisioning"):
        one.apps.set_provisioning(app, {"enabled": action == "enable_provisioning"})
    elif action == "enable_api_connection":
        one.apps.enable_api_connection(app)
    elif action == "configure":
        configure(world, p.get("scim_url"), p.get("token"))
    else:
        _wrike_side(world, step)


def _wrike_side(world: World, step: Step) -> None:
    p = step.params
    accounts = world.runtime.accounts
    harness = world.runtime.harness
    assert harness is not None
    try:
        if step.action == "revoke_token":
            if p["admin"] not in world.tokens:
                raise ActionFailed(f"{p['admin']} is not an admin and issued no token")
            accounts.revoke_token(world.account_id, world.tokens[p["admin"]][0])
        elif step.action == "change_plan":
            accounts.set_plan(world.account_id, p["plan"])
        elif step.action == "add_domain":
            accounts.add_domain(world.account_id, p["domain"])
        elif step.action == "remove_domain":
            accounts.remove_domain(world.account_id, p["domain"])
        elif step.action == "make_wrike_admin":
            make_wrike_admin(world, p["user"])
        elif step.action == "wrike_fill":
            wrike_fill(world, p["user"], p["attribute"], p["value"])
        elif step.action == "fault":
            fault, count = p["fault"], p.get("count")
            if fault == "connection refused":
                world.transport.refusing = count
                return
            body: dict[str, Any] = (
                {"kind": "drop"}
                if fault == "connection dropped"
                else {"kind": "status", "status": int(fault.split()[0])}
            )
            if p.get("retry_after") is not None:
                body["retry_after"] = p["retry_after"]
            body.update({"count": count} if count else {"share": 1.0})
            harness.add_fault(body)
        elif step.action == "recover":
            with harness.lock:
                harness.faults.clear()
            world.transport.refusing = 0
        else:  # pragma: no cover - the case validator knows every action
            raise ActionFailed(f"unknown action {step.action!r}")
    except AdminError as error:
        raise ActionFailed(f"Wrike refused: {error.message}") from error


def make_wrike_admin(world: World, email: str) -> None:
    accounts = world.runtime.accounts
    member = _member(world, email)
    accounts.update_member(world.account_id, member.id, {"role": "admin"})


def wrike_fill(world: World, email: str, attribute: str, value: str) -> None:
    """Set an attribute in Wrike itself, as a Wrike admin would in the user's profile. It goes
    through the provider's PATCH rules with an admin's full rights, so it behaves as an
    edit made in Wrike, not as one sent by OneLogin."""
    member = _member(world, email)
    path, op_value = _wrike_patch(attribute, value)
    domains = tuple(world.runtime.store.approved_domains(world.account_id))
    grant = Grant(world.account_id, "", 0, "support", "Wrike admin", True, domains)
    world.runtime.scim_users.patch(
        grant,
        member.id,
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "add", "path": path, "value": op_value}],
        },
        None,
    )


def _wrike_patch(attribute: str, value: str) -> tuple[str, Any]:
    return {
        "Given name": ("name.givenName", value),
        "Family name": ("name.familyName", value),
        "Job title": ("title", value),
        "Primary phone number": (
            "phoneNumbers",
            [{"value": value, "type": "work", "primary": True}],
        ),
        "Organization name": (f"{v.ENTERPRISE}:organization", value),
        "Department": (f"{v.ENTERPRISE}:department", value),
        "Secondary email": ("emails", [{"value": value, "type": "other"}]),
    }[attribute]


def _member(world: World, email: str) -> Any:
    try:
        return world.runtime.accounts.member_by_email(world.account_id, email)
    except AdminError as error:
        raise ActionFailed(f"{email} is not a Wrike user (yet)") from error


def _uid(uid: int | None) -> int:
    if uid is None:  # pragma: no cover - the case validator knows every user
        raise ActionFailed("unknown user")
    return uid


def _task_label(kind: str) -> str:
    return next(label for label, kinds in v.TASKS.items() if kind in kinds)


def _open_task(world: World, email: str, state: str, label: str | None) -> Task:
    uid = world.users[email]
    tasks = world.onelogin.approvals.list_tasks(world.app_id, state, uid)
    if label:
        tasks = [t for t in tasks if t.kind in v.TASKS[label]]
    if not tasks:
        what = "pending" if state == "pending_approval" else "failed"
        facts = user_facts(world, email)
        raise ActionFailed(
            f"{email} has no {what} {label or ''} task to act on (OneLogin "
            f"shows {facts.state}"
            + (f"; pending: {', '.join(facts.pending)}" if facts.pending else "")
            + ")"
        )
    return tasks[-1]


# -- what support looks up -----------------------------------------------------------------------


def user_facts(world: World, email: str) -> UserFacts:
    one = world.onelogin
    app = world.app_id
    uid = world.users[email]
    user = one.directory.find_user(uid, include_deleted=True) or {}
    role_names = {rid: name for name, rid in world.roles.items()}
    roles = tuple(role_names.get(r, str(r)) for r in one.directory.user_role_ids(uid))
    holders = tuple(role_names.get(r, str(r)) for r in one.apps.app_role_ids(app))
    entitled = uid in one.apps.entitled_user_ids(app) and not user.get("deleted_at")
    direct = one.directory.has_direct_login(uid, app)
    via = tuple(f'role "{r}"' for r in roles if r in holders) + (
        ("a direct login",) if direct else ()
    )
    login = one.apps.logins(app, [uid]).get(uid)
    state = UI_LABELS.get(login.provisioning_state, "Unknown") if login else "Unknown"
    pending = tuple(
        dict.fromkeys(
            _task_label(t.kind)
            for t in one.approvals.list_tasks(app, "pending_approval", uid)
            if t.kind != "nothing"
        )
    )
    events = tuple(
        LoggedEvent(
            e["id"], e["event_type_id"], e["created_at"], e.get("error_description"), e.get("notes")
        )
        for e in one.system_log.events(user_id=uid, descending=False, limit=10_000)
        if e["event_type_id"] in v.EVENT_NAMES and e.get("app_id") in (None, app)
    )
    settings = one.apps.settings(app)
    status, user_type = wrike_status(world, email)
    return UserFacts(
        email=email,
        assigned=entitled or bool(via),
        via=via or (("access",) if entitled else ()),
        roles=roles,
        roles_with_app=holders,
        deleted=bool(user.get("deleted_at")),
        suspended=user.get("status") == _STATUS_SUSPENDED,
        provisioning_enabled=settings.enabled,
        connector_ready=one.apps.connector(app).ready,
        deprovision_action=settings.on_delete.value,
        suspension_action=settings.on_suspend.value,
        state=state,
        pending=pending,
        events=events,
        wrike_status=status,
        wrike_type=user_type,
    )


def wrike_status(world: World, email: str) -> tuple[str, str | None]:
    try:
        member = world.runtime.accounts.member_by_email(world.account_id, email)
    except AdminError:
        return "absent", None
    return ("active" if member.active else "deactivated"), member.user_type


def wrike_attribute(world: World, email: str, attribute: str) -> str | None:
    try:
        doc = world.runtime.accounts.member_by_email(world.account_id, email).doc
    except AdminError:
        return None
    if attribute in ("Given name", "Family name"):
        return (doc.get("name") or {}).get(
            "givenName" if attribute == "Given name" else "familyName"
        )
    if attribute == "Job title":
        return doc.get("title")
    if attribute in ("Organization name", "Department"):
        return (doc.get(v.ENTERPRISE) or {}).get(
            "organization" if attribute == "Organization name" else "department"
        )
    if attribute == "Primary phone number":
        phones = doc.get("phoneNumbers") or []
        chosen = next((p for p in phones if p.get("primary")), phones[0] if phones else None)
        return chosen.get("value") if chosen else None
    if attribute == "Wrike user type":
        return doc.get("userType")
    emails = doc.get("emails") or []
    if attribute == "Primary email":
        chosen = next((e for e in emails if e.get("primary")), emails[0] if emails else None)
        return chosen.get("value") if chosen else None
    if attribute == "Secondary email":
        others = [e for e in emails if not e.get("primary")]
        return others[0].get("value") if others else None
    return doc.get("userName")


def system_log(world: World) -> list[dict[str, Any]]:
    return list(world.onelogin.system_log.events(descending=False, limit=100_000))


def scim_exchanges(event: dict[str, Any]) -> list[dict[str, Any]]:
    raw = event.get("scim")
    if not raw:
        return []
    loaded = json.loads(raw) if isinstance(raw, str) else raw
    return loaded if isinstance(loaded, list) else []

"""A case replay's world: the BDD suite's in-process World (harness/drivers/), on one
deterministic clock, with the case's set-up built through the same drivers the steps use,
and the facts support looks up read back through the apps' APIs.

Why the same world: a case exported to Gherkin runs in the suite as a regression scenario;
built by the same code, the scenario and the replay cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from harness import vocabulary as v
from harness.case_model import Case, CaseMapping
from harness.diagnosis import LoggedEvent, SsoAttempt, SsoFacts, UserFacts
from harness.drivers import people
from harness.drivers.http import Refused
from harness.drivers.onelogin import OneLogin
from harness.drivers.reference import ReferenceWrike
from harness.drivers.scim import scim_attribute
from harness.drivers.stage import Stage, Target
from harness.drivers.world import World
from harness.sso import Outcome
from mock_onelogin.domain import mappings as onelogin_mappings
from wrike_sp.domain.ids import SeededIds


class CaseClock:
    """One clock for both sides: OneLogin calls ``now()``, Wrike calls the clock itself. It
    starts at a fixed moment and moves a second per step, so a replay prints the same times
    and the System Log keeps its order."""

    def __init__(self, start: datetime | None = None) -> None:
        self._start = start or datetime(2026, 1, 5, 9, 0, 0, tzinfo=UTC)
        self._now = self._start

    def rewind(self) -> None:
        """Back to the first moment, for the next replay on the same apps."""
        self._now = self._start

    def now(self) -> datetime:
        return self._now

    def __call__(self) -> datetime:
        return self._now

    def advance(self, seconds: float = 1.0) -> None:
        self._now += timedelta(seconds=seconds)


class CaseIds:
    """The ids and random values of a replay, drawn from the case's seed: the ids Wrike gives
    the users it creates and the random part of OneLogin's connection-test userName. The
    real apps draw both at random; a replay must print the same bytes every time."""

    def __init__(self, seed: int = people.SEED) -> None:
        self.wrike = SeededIds(f"{seed}:wrike-user")
        self.probe = SeededIds(f"{seed}:onelogin-probe")

    def rewind(self, seed: int) -> None:
        """Back to the first id of ``seed``, for the next replay on the same apps."""
        self.wrike.rewind(f"{seed}:wrike-user")
        self.probe.rewind(f"{seed}:onelogin-probe")


class ActionFailed(Exception):
    """A timeline action could not be carried out (for example nothing was pending to
    approve); the message says what the case should do instead."""


@dataclass
class CaseRun:
    """One case being replayed: its world and clock, and what the replay learnt on the way."""

    world: World
    clock: CaseClock
    #: The task label each approve/deny step acted on (export writes it when the case did
    #: not name one).
    decided: dict[int, str] = field(default_factory=dict)
    #: Each login of the timeline: (timeline index, who, how it ended).
    sso_logins: list[tuple[int, str, Outcome]] = field(default_factory=list)

    @property
    def onelogin(self) -> OneLogin:
        return self.world.onelogin

    @property
    def wrike(self) -> ReferenceWrike:
        admin = self.world.admin
        assert admin is not None, "a replay runs on the in-process reference provider"
        return admin

    def close(self) -> None:
        self.world.close()


#: The in-process apps of this process's replays and their clock. Building the two Flask
#: apps costs more than a whole replay, so a second replay (the tests, ``repro`` of several
#: cases) resets them through their reset endpoints instead, as the BDD suite does.
_stage: tuple[Stage, CaseClock, CaseIds] | None = None


def start(seed: int = people.SEED) -> CaseRun:
    """A fresh in-process world on the case clock, at the clock's first moment, drawing its
    ids from ``seed`` (the case's)."""
    global _stage
    if _stage is None:
        clock, ids = CaseClock(), CaseIds(seed)
        _stage = (Stage(Target("in-process"), clock=clock, ids=ids), clock, ids)
    stage, clock, ids = _stage
    clock.rewind()
    ids.rewind(seed)
    return CaseRun(stage.world(), clock)


def refused(side: str, error: Refused) -> ActionFailed:
    return ActionFailed(f"{side} refused: {error.detail}")


# -- set-up ------------------------------------------------------------------------------------


def set_up(run: CaseRun, case: Case) -> None:
    """The customer's set-up before the timeline: Wrike first (Steps 1 to 3 of the article),
    then OneLogin's Configuration and Provisioning tabs, then the directory."""
    wrike, admin = case.wrike, run.wrike
    try:
        admin.create_account(wrike.plan, name="Customer account")
        for domain in wrike.approved_domains:
            admin.approve_domain(domain)
        for index, member in enumerate(wrike.admins):
            role = "owner" if index == 0 else ("admin" if member.admin else "regular")
            admin.add_member(
                member.name,
                role,
                sorted(member.rights),
                email=member.email,
                withheld=sorted(member.withheld),
            )
            try:
                admin.integration_token(member.name)
            except Refused:
                continue  # Wrike issues this member no token; naming it in the case fails later
        for user in wrike.users:
            admin.add_existing_user(user.email)
            if user.admin:
                admin.make_account_admin(user.email)
            for attribute, value in user.attributes.items():
                admin.fill_in(user.email, attribute, value)
    except Refused as error:
        raise refused("Wrike", error) from error
    one = case.onelogin
    try:
        configure(run, one.scim_url, one.token)
        if one.api_connection_enabled and one.scim_url != "none" and one.token != "none":
            # Step 7 of the article: "Click Enable next to API status". A case says
            # ``api_connection: never enabled`` when its customer skipped it.
            run.onelogin.enable_api_connection()
        settings: dict[str, Any] = {
            "enabled": one.provisioning,
            "require_approval": run.onelogin.approval_settings(one.require_approval),
        }
        if one.deprovision_action:
            settings["on_delete"] = one.deprovision_action
        if one.suspension_action:
            settings["on_suspend"] = one.suspension_action
        if one.update_method:
            settings["update_method"] = one.update_method.lower()
        run.onelogin.set_provisioning(**settings)
        for mapping in one.mappings:
            create_mapping(run, mapping)
        for person in one.users:
            run.world.create_onelogin_user(person.email, person.attributes)
            for role in person.roles:
                run.onelogin.add_to_role(person.email, role)
    except Refused as error:
        raise refused("OneLogin", error) from error
    run.clock.advance()


def create_mapping(run: CaseRun, mapping: CaseMapping) -> None:
    """A case's user mapping through OneLogin's mappings API: its role is created and given
    the Wrike app (docs/case-files.md), then the mapping adds that role."""
    from harness.case import MAPPING_ATTRIBUTES, MAPPING_OPERATORS

    one = run.onelogin
    one.add_app_to_role(mapping.role)
    body = {
        "name": mapping.name,
        "enabled": mapping.enabled,
        "match": mapping.match,
        "conditions": [
            {
                "source": MAPPING_ATTRIBUTES[c.attribute],
                "operator": MAPPING_OPERATORS[c.operator],
                "value": c.value,
            }
            for c in mapping.conditions
        ],
        "actions": [{"action": "add_role", "value": [str(one.role_id(mapping.role))]}],
    }
    one._api("POST", "/mappings", f"create the user mapping {mapping.name}", body)


def mapping_misses(
    run: CaseRun, record: dict[str, Any] | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """For a user not assigned the Wrike app: each mapping that would have given them a role
    holding the app but did not (an enabled one whose conditions failed, with the failed
    conditions and the user's values; a disabled one, with whether its conditions hold),
    read through OneLogin's mappings API and evaluated by the same rule; and the names of the
    disabled ones."""
    if record is None:
        return (), ()
    one = run.onelogin
    holders = set(one.app_role_ids())
    names = {rid: name for name, rid in one.roles.items()}
    # OneLogin's list answers the enabled mappings unless asked for the disabled ones.
    listed = one._api("GET", "/mappings", "list the user mappings")
    listed += one._api("GET", "/mappings?enabled=false", "list the disabled user mappings")
    mappings = [onelogin_mappings.StoredMapping.from_json(m) for m in listed]
    manual = list(record.get("role_ids") or [])
    results = onelogin_mappings.evaluate(mappings, record, manual, names)
    out = []
    for result in results:
        gives = [r for r in result.mapping.spec.role_ids() if r in holders]
        if result.matched or not gives:
            continue
        out.append(
            f"user mapping '{result.mapping.spec.name}' would add the role {_quoted(gives, names)} "
            f"(which holds the Wrike app), but {onelogin_mappings.explain(result, names)}"
        )
    disabled = []
    for mapping in mappings:
        gives = [r for r in mapping.spec.role_ids() if r in holders]
        if mapping.spec.enabled or not gives:
            continue
        # Evaluated as if enabled, to say whether enabling it alone would give the role.
        [tried] = onelogin_mappings.evaluate(
            [replace(mapping, spec=replace(mapping.spec, enabled=True))], record, manual, names
        )
        disabled.append(mapping.spec.name)
        out.append(
            f"user mapping '{mapping.spec.name}' would add the role {_quoted(gives, names)} "
            "(which holds the Wrike app), but it is disabled"
            + (
                ", though its conditions hold for the user"
                if tried.matched
                else f"; besides, {onelogin_mappings.explain(tried, names)}"
            )
        )
    return tuple(out), tuple(disabled)


def _quoted(role_ids: list[int], names: dict[int, str]) -> str:
    return ", ".join(f'"{names.get(r, r)}"' for r in role_ids)


def configure(run: CaseRun, scim_url: str | None, token: str | None) -> None:
    """Save the Configuration tab as a case names its values (docs/case-files.md)."""
    url = None
    if scim_url is not None:
        url = {
            "account": run.wrike.scim_url,
            "wrong": run.wrike.wrong_scim_url,
            "none": lambda: "",
        }[scim_url]()
    bearer = None
    if token is not None:
        bearer = {"wrong": people.bogus_token(), "none": ""}.get(token)
        if bearer is None:
            if token not in run.wrike.integration_tokens:
                raise ActionFailed(f"Wrike issued {token} no token (only members may obtain one)")
            bearer = run.wrike.integration_tokens[token][1]
    run.onelogin.configure(url, bearer)


# -- what support looks up ---------------------------------------------------------------------


def user_facts(run: CaseRun, email: str) -> UserFacts:
    one = run.onelogin
    record = one.user_record(email)  # None: deleted
    role_names = {rid: name for name, rid in one.roles.items()}
    roles = tuple(role_names.get(r, str(r)) for r in (record or {}).get("role_ids", []))
    holders = tuple(role_names.get(r, str(r)) for r in one.app_role_ids())
    uid = one.user_id(email)
    row = next((r for r in one.app_users() if r["id"] == uid), None)
    entitled = bool(row and row["assigned"]) and record is not None
    direct = email in one.direct_logins
    via = tuple(f'role "{r}"' for r in roles if r in holders) + (
        ("a direct login",) if direct else ()
    )
    # A state the Users list has no label for shows as its raw name: "Unknown" to support.
    state = row["label"] if row and row["label"] != row["provisioning_state"] else "Unknown"
    pending = tuple(
        dict.fromkeys(
            v.task_label(t["kind"])
            for t in one.tasks(email, "pending_approval")
            if t["kind"] in v.ALL_TASK_KINDS
        )
    )
    events = tuple(
        LoggedEvent(
            e["id"],
            e["event_type_id"],
            e["created_at"],
            e.get("error_description"),
            e.get("notes"),
            e.get("actor_user_name"),
        )
        for e in one.all_events(email)
        if e["event_type_id"] in v.EVENT_NAMES and e.get("app_id") in (None, one.app_id)
    )
    # The kinds of the denied tasks, oldest first, as the System Log's denials (one each).
    denied = tuple(t["kind"] for t in one.tasks(email, "denied") if t["kind"] in v.ALL_TASK_KINDS)
    settings = one.provisioning()
    connector = one.connector()
    status, user_type = wrike_status(run, email)
    misses, disabled = ((), ()) if entitled or via else mapping_misses(run, record)
    return UserFacts(
        email=email,
        assigned=entitled or bool(via),
        via=via or (("access",) if entitled else ()),
        roles=roles,
        roles_with_app=holders,
        deleted=record is None,
        suspended=(record or {}).get("status", one.statuses.get(email)) == v.ONELOGIN_SUSPENDED,
        provisioning_enabled=settings["enabled"],
        connector_ready=bool(connector["scim_base_url"] and connector["scim_bearer_token"]),
        deprovision_action=settings["on_delete"],
        suspension_action=settings["on_suspend"],
        state=state,
        pending=pending,
        denied=denied,
        events=events,
        wrike_status=status,
        wrike_type=user_type,
        mapping_misses=misses,
        mapping_disabled=disabled,
        api_status=connector["api_connection"]["api_status"],
        wrike_plan=run.wrike.account()["plan"],
        sso=sso_facts(run, email),
    )


def _logged(event: dict[str, Any]) -> LoggedEvent:
    return LoggedEvent(
        event["id"],
        event["event_type_id"],
        event["created_at"],
        event.get("error_description"),
        event.get("notes"),
        event.get("actor_user_name"),
    )


def sso_facts(run: CaseRun, email: str) -> SsoFacts | None:
    """What support looks up about the user's last login of the timeline (None: the case
    made none): the page it ended on, OneLogin's System Log, Wrike's SSO attempts, and both
    sides' SAML settings."""
    logins = [outcome for _, who, outcome in run.sso_logins if who == email]
    if not logins:
        return None
    outcome = logins[-1]
    one, wrike = run.onelogin, run.wrike
    events = [
        e
        for e in one.all_events(email)
        if e.get("app_id") in (None, one.app_id)
        and e["event_type_id"] in v.SSO_SIGNED_IN_EVENT_IDS | v.SSO_REFUSED_EVENT_IDS
    ]
    idp = one.saml()
    sp = wrike.saml()
    record = one.user_record(email) or {}
    name_id = outcome.name_id
    member = wrike.member_row(name_id) if name_id else wrike.member_row(email)
    username = str(record.get("username") or email)
    by_username = None
    if name_id and member is None and username.lower() != name_id.lower():
        row = wrike.member_row(username)
        by_username = row["email"] if row else None
    attempt = wrike.sso_attempt_for(email, name_id, posted=outcome.saml_response is not None)
    held = tuple(c["fingerprint_sha256"] for c in ((sp.get("idp") or {}).get("certificates") or []))
    return SsoFacts(
        signed_in=outcome.signed_in,
        refused_at=outcome.refused_at,
        reason=outcome.reason,
        page=outcome.text,
        name_id=name_id,
        onelogin_username=username,
        onelogin_email=record.get("email"),
        logged_in=tuple(
            _logged(e) for e in events if e["event_type_id"] in v.SSO_SIGNED_IN_EVENT_IDS
        ),
        refused=tuple(_logged(e) for e in events if e["event_type_id"] in v.SSO_REFUSED_EVENT_IDS),
        attempt=SsoAttempt(
            attempt["at"],
            attempt["outcome"],
            attempt.get("reason"),
            attempt.get("name_id"),
            attempt.get("detail"),
        )
        if attempt
        else None,
        member_status=str(member["status"]) if member else "absent",
        member_by_username=by_username,
        signing_fingerprint=(idp.get("signing_certificate") or {}).get("fingerprint_sha256"),
        held_fingerprints=held,
        metadata_url=idp.get("metadata_url"),
        audience=idp.get("audience"),
        sp_entity_id=sp.get("sp_entity_id"),
        recipient=idp.get("recipient"),
        acs_url=sp.get("acs_url"),
        idp_entity_id=(sp.get("idp") or {}).get("entity_id"),
        issuer=idp.get("issuer"),
        clock_offset_seconds=int(idp.get("clock_offset_seconds") or 0),
        mode=str(sp.get("mode") or "off"),
        jit=bool(sp.get("jit")),
        approved_domains=tuple(wrike.account()["approved_domains"]),
    )


def wrike_status(run: CaseRun, email: str) -> tuple[str, str | None]:
    row = run.wrike.member_row(email)
    if row is None:
        return "absent", None
    return str(row["status"]), row["user_type"]


def wrike_attribute(run: CaseRun, email: str, attribute: str) -> str | None:
    user = run.wrike.user(email)
    return None if user is None else scim_attribute(user, attribute)

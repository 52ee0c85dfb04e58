"""Replay a case: set up, run the timeline, report what support would look at, diagnose each
user, and check the case's expectations."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from harness import vocabulary as v
from harness.actions import run_step
from harness.case_model import Case, Check, Step
from harness.case_world import (
    ActionFailed,
    CaseRun,
    set_up,
    start,
    user_facts,
    wrike_attribute,
    wrike_status,
)
from harness.diagnosis import CAUSES, Diagnosis, UserFacts, diagnose
from mock_onelogin.domain import modelling


class ReplayFailed(Exception):
    """A timeline action could not be carried out; names the step and why."""


@dataclass
class Replay:
    case: Case
    run: CaseRun
    facts: dict[str, UserFacts] = field(default_factory=dict)
    diagnoses: dict[str, Diagnosis] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    #: What the report shows, read once the timeline has run.
    lines: list[str] = field(default_factory=list)
    lines_with_scim: list[str] = field(default_factory=list)
    #: The same report as one JSON-ready document (``--json``).
    document: dict[str, Any] = field(default_factory=dict)

    @property
    def decided(self) -> dict[int, str]:
        return self.run.decided


def replay(case: Case, on_step: Callable[[Step], None] | None = None) -> Replay:
    """Build the case in a fresh in-process world, run its timeline, and read back what
    support would look at (the world is closed afterwards)."""
    run = start(case.seed)
    try:
        try:
            set_up(run, case)
        except ActionFailed as error:
            raise ReplayFailed(f"{case.path}: the set-up could not be built: {error}") from error
        for step in case.timeline:
            try:
                run_step(run, step)
            except ActionFailed as error:
                raise ReplayFailed(
                    f"{case.path}:{step.line}: timeline[{step.index}] ({step.action}): {error}"
                ) from error
            if on_step is not None:
                on_step(step)
        result = Replay(case, run)
        for user in case.onelogin.users:
            result.facts[user.email] = user_facts(run, user.email)
            result.diagnoses[user.email] = diagnose(result.facts[user.email])
        result.failures = check_expectations(result)
        result.lines, result.lines_with_scim = _report(result)
        result.document = _document(result)
        _name_certificates(result)
    finally:
        run.close()
    return result


# -- the report ----------------------------------------------------------------------------

_FINGERPRINT = re.compile(r"\b[0-9a-f]{64}\b")
#: A SAML message ID as both sides draw it (webguard.saml.new_id): an underscore, 40 hex.
_SAML_ID = re.compile(r"(?<![0-9A-Za-z])_[0-9a-f]{40}\b")


def _name_certificates(result: Replay) -> None:
    """Every SAML certificate fingerprint in the report and its JSON, as ``certificate <id>``
    (OneLogin's id of it), and every SAML message ID as ``SAML message <n>`` (by first
    appearance). OneLogin draws each signing key anew and both sides draw message IDs at
    random, so they differ on every replay while these names do not: the report reads the
    same each time, and which certificate signs and which Wrike holds, or which request a
    Response answers, is still told apart."""
    labels = {
        c["fingerprint_sha256"]: f"[certificate {c['id']}]"
        for c in result.run.onelogin.saml().get("certificates") or []
    }

    ids: dict[str, str] = {}

    def saml_id(found: re.Match[str]) -> str:
        return ids.setdefault(found[0], f"[SAML message {len(ids) + 1}]")

    def named(text: str) -> str:
        text = _FINGERPRINT.sub(
            lambda m: labels.get(m[0], "[a certificate OneLogin no longer lists]"), text
        )
        return _SAML_ID.sub(saml_id, text)

    result.lines = [named(line) for line in result.lines]
    result.lines_with_scim = [named(line) for line in result.lines_with_scim]
    result.document = json.loads(named(json.dumps(result.document, default=_plain)))
    for diagnosis in list(result.diagnoses):
        d = result.diagnoses[diagnosis]
        result.diagnoses[diagnosis] = replace(
            d,
            explanation=named(d.explanation),
            fix=named(d.fix),
            steps=tuple(replace(st, answer=named(st.answer)) for st in d.steps),
        )


def report(result: Replay, *, show_scim: bool = False) -> list[str]:
    return result.lines_with_scim if show_scim else result.lines


def _report(result: Replay) -> tuple[list[str], list[str]]:
    """The report without and with each SCIM body and answer."""
    run, case = result.run, result.case
    one, wrike = run.onelogin, run.wrike
    out = [f"Case: {case.title}"]
    if case.description:
        out += [f"  {line}" for line in case.description.splitlines()]
    connector = one.connector()
    status, message = (
        connector["api_connection"]["api_status"],
        connector["api_connection"]["message"],
    )
    settings = one.provisioning()
    approvals = [label for label, key in v.TASK_KEYS.items() if settings["require_approval"][key]]
    scim_url = wrike.scim_url()
    out += [
        "",
        "OneLogin: the Wrike app",
        f"  SCIM Base URL: {connector['scim_base_url'] or '(empty)'}"
        + (
            "   (the account's SCIM URL is " + scim_url + ")"
            if connector["scim_base_url"] != scim_url
            else ""
        ),
        f"  API Status: {status}" + (f" ({message})" if message and message != status else ""),
        *(
            [
                "  "
                + modelling.assumed(
                    "api_status_gate", "No SCIM request is sent until it is Enabled"
                )
            ]
            if status != "Enabled" and modelling.API_STATUS_GATES_PROVISIONING
            else []
        ),
        f"  Enable provisioning: {'on' if settings['enabled'] else 'off'}; require approval "
        f"for: {', '.join(approvals) or 'nothing'}; deprovision action: "
        f"{settings['on_delete']}; suspension action: {settings['on_suspend']}",
        "  "
        + modelling.assumed("update_method", f"Update method: {settings['update_method'].upper()}"),
        "",
        "OneLogin System Log (oldest first)",
    ]
    names = {uid: email for email, uid in one.users.items()}
    logged = one.all_events()
    ours = sorted({e["event_type_id"] for e in logged if v.event_name_assumed(e["event_type_id"])})
    if ours:
        # Which names are the simulator's, once, rather than a mark on every line.
        out.append(
            "  "
            + modelling.assumed(
                "event_name",
                f"Event names of types {', '.join(f'[{i}]' for i in ours)}",
            )
        )
    for event in logged:
        type_id = event["event_type_id"]
        name = v.EVENT_NAMES.get(type_id) or _event_type_name(event)
        who = names.get(event.get("user_id") or -1, event.get("user_name") or "")
        line = f"  #{event['id']:<3} {event['created_at']}  [{type_id}] {name}"
        if who:
            line += f"  user {who}"
        if event.get("role_name"):
            line += f"  role {event['role_name']}"
        out.append(line)
        if event.get("error_description"):
            out.append(f"        error: {event['error_description']}")
        # The notes: Wrike's own answer, whose wording the error is, the update method (each
        # assumption in the simulator's one wording), automatic retries.
        out += [f"        {line}" for line in (event.get("notes") or "").splitlines()]
        for exchange in event.get("scim_exchanges") or []:
            status = exchange.get("status") or exchange.get("network_error") or "no answer"
            out.append(f"        SCIM {exchange.get('method')} {exchange.get('url')} -> {status}")
            for label, key in (("sent", "request_body"), ("answer", "response_body")):
                out += [_SCIM_ONLY + line for line in _body(label, exchange.get(key))]
    account = wrike.account()
    out += [
        "",
        f"Wrike: account {wrike.account_id} on the {account['plan']} plan; approved "
        f"domains: {', '.join(account['approved_domains']) or 'none'}",
        "  users:",
    ]
    billing = wrike.billing()
    # Wrike lists members by id, which it draws at random: by creation time (the owner first)
    # and email, the report reads the same on every replay.
    for member in sorted(
        billing["members"],
        key=lambda m: (m["created"] or "", m["role"] != "owner", m["email"]),
    ):
        out.append(
            f"    {member['email']:<28} {member['role']:<8} {member['user_type']:<12} "
            f"{member['status']:<11} "
            f"{'via SCIM' if member['via_scim'] else 'in Wrike':<9} billable since "
            f"{member['billable_since'] or '-'}"
        )

    # ``seats`` counts billable members per user type; the paid seats are a subset of them
    # (limited licences may be free), so the two lines are labelled apart.
    def per_type(counts: dict[str, int]) -> str:
        return ", ".join(f"{t} {n}" for t, n in counts.items() if n) or "none"

    out.append(
        f"  billable members by user type: {per_type(billing['seats'])} "
        f"(total {billing['total_seats']})"
    )
    if "paid_seats" in billing:
        # Which user types take a paid seat is partly the reference provider's assumption.
        assumed = [r["user_type"] for r in billing["seat_rules"] if r["source"] == "assumed"]
        by_type = billing.get("paid_seats_by_type")
        out.append(
            f"  paid seats: {billing['paid_seats']}"
            + (f" ({per_type(by_type)})" if by_type and billing["paid_seats"] else "")
            + (f"; user-type billing assumed for {', '.join(assumed)}" if assumed else "")
        )
    out += _sso_report(run)
    out += ["", "Diagnosis"]
    for diagnosis in result.diagnoses.values():
        out += ["  " + line for line in diagnosis.lines()]
    if not case.expect.empty:
        out += ["", "Expectations"]
        if result.failures:
            out += [f"  FAILED {f}" for f in result.failures]
        else:
            out.append("  all met")
    plain = [line for line in out if not line.startswith(_SCIM_ONLY)]
    return plain, [line.removeprefix(_SCIM_ONLY) for line in out]


_SCIM_ONLY = "\0scim\0"  # marks the lines only --scim shows


def _sso_report(run: CaseRun) -> list[str]:
    """The SSO part of the report, when the case set SSO up or logged anyone in: both
    sides' SAML settings, each login of the timeline and where it ended, and Wrike's SSO
    attempts (what support reads next to the System Log)."""
    sp = run.wrike.saml()
    if sp.get("mode") in (None, "off") and not run.sso_logins and not sp.get("idp"):
        return []
    idp = run.onelogin.saml()
    signing = idp.get("signing_certificate") or {}
    held = [c["fingerprint_sha256"] for c in ((sp.get("idp") or {}).get("certificates") or [])]
    out = [
        "",
        "SAML SSO (certificates by OneLogin's id: a replay draws new keys, so their "
        "fingerprints differ each time)",
        f"  OneLogin, the Wrike app: audience {idp.get('audience')}; ACS (consumer) URL "
        f"{idp.get('acs_url')}; recipient {idp.get('recipient')}; clock offset "
        f"{idp.get('clock_offset_seconds') or 0} s",
        f"    signs with {signing.get('fingerprint_sha256')} (valid until "
        f"{signing.get('not_after')}); certificates listed: "
        + ", ".join(
            f"{c['fingerprint_sha256']}{' (signing)' if c.get('signing') else ''}"
            for c in idp.get("certificates") or []
        ),
        f"  Wrike: mode {sp.get('mode')}; just-in-time provisioning "
        f"{'on' if sp.get('jit') else 'off'}; SP entity id {sp.get('sp_entity_id')}; ACS "
        f"{sp.get('acs_url')}",
        f"    IdP {(sp.get('idp') or {}).get('entity_id') or '(none)'}; holds "
        + (", ".join(held) or "none")
        + (
            ""
            if not signing or signing.get("fingerprint_sha256") in held
            else "  (not the one OneLogin signs with)"
        ),
        "  logins of the timeline:",
    ]
    for index, who, outcome in run.sso_logins:
        out.append(f"    timeline[{index}] {who}: {outcome.describe()[:240]}")
    attempts = run.wrike.sso_attempts()
    out.append("  Wrike's SSO attempts (newest first):" + ("" if attempts else " none"))
    for attempt in attempts:
        out.append(
            f"    {attempt['at']}  {attempt['outcome']:<9} {attempt.get('reason') or '':<22} "
            f"NameID {attempt.get('name_id') or '-'}"
            + (f"  ({attempt['detail']})" if attempt.get("detail") else "")
        )
    return out


def _body(label: str, body: Any) -> list[str]:
    """A SCIM body as indented JSON under its label, so it pastes into any JSON tool (an
    answer that was not JSON shows as a JSON string)."""
    if body is None:
        return [f"          {label}: (no body)"]
    text = json.dumps(body, indent=2, ensure_ascii=False)
    return [f"          {label}:"] + [f"            {line}" for line in text.splitlines()]


def report_json(result: Replay) -> str:
    """The whole report as one JSON document, for tools and tickets."""
    return json.dumps(result.document, indent=2, ensure_ascii=False, default=_plain)


def _plain(value: Any) -> Any:
    """What JSON has no type for: a set as a sorted list, anything else as text."""
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)


def _document(result: Replay) -> dict[str, Any]:
    """What the text report shows, as data: the case, the Wrike app's configuration, the
    System Log events with their SCIM exchanges, the Wrike account, users and seats, the
    diagnosis per user, and each expectation with its result."""
    run, case = result.run, result.case
    one, wrike = run.onelogin, run.wrike
    connector = one.connector()
    settings = one.provisioning()
    names = {uid: email for email, uid in one.users.items()}
    events = []
    for event in one.all_events():
        type_id = event["event_type_id"]
        events.append(
            {
                "id": event["id"],
                "created_at": event["created_at"],
                "event_type_id": type_id,
                "name": v.EVENT_NAMES.get(type_id) or _event_type_name(event),
                "name_assumed": bool(v.event_name_assumed(type_id)),
                "user": names.get(event.get("user_id") or -1, event.get("user_name") or None),
                "role": event.get("role_name") or None,
                "error": event.get("error_description") or None,
                "notes": (event.get("notes") or "").splitlines(),
                "scim_exchanges": [
                    {
                        "method": x.get("method"),
                        "url": x.get("url"),
                        "status": x.get("status"),
                        "network_error": x.get("network_error"),
                        "request_body": x.get("request_body"),
                        "response_body": x.get("response_body"),
                    }
                    for x in event.get("scim_exchanges") or []
                ],
            }
        )
    account = wrike.account()
    billing = wrike.billing()
    members = sorted(
        billing["members"], key=lambda m: (m["created"] or "", m["role"] != "owner", m["email"])
    )
    failed = set(result.failures)
    return {
        "case": {
            "path": case.path,
            "title": case.title,
            "description": case.description,
            "seed": case.seed,
        },
        "onelogin": {
            "scim_base_url": connector["scim_base_url"] or "",
            "account_scim_url": wrike.scim_url(),
            "api_status": connector["api_connection"]["api_status"],
            "api_status_message": connector["api_connection"]["message"],
            "provisioning": {
                "enabled": settings["enabled"],
                "require_approval": [
                    label for label, key in v.TASK_KEYS.items() if settings["require_approval"][key]
                ],
                "deprovision_action": settings["on_delete"],
                "suspension_action": settings["on_suspend"],
                "update_method": settings["update_method"].upper(),
            },
        },
        "system_log": events,
        "wrike": {
            "account_id": wrike.account_id,
            "plan": account["plan"],
            "approved_domains": list(account["approved_domains"]),
            "users": [
                {
                    "email": m["email"],
                    "role": m["role"],
                    "user_type": m["user_type"],
                    "status": m["status"],
                    "via_scim": bool(m["via_scim"]),
                    "billable_since": m["billable_since"],
                }
                for m in members
            ],
            "seats": {t: n for t, n in billing["seats"].items() if n},
            "total_seats": billing["total_seats"],
            "paid_seats": billing.get("paid_seats"),
            "paid_seats_by_type": billing.get("paid_seats_by_type"),
            "seat_rules": billing.get("seat_rules"),
        },
        "sso": _sso_document(run),
        "diagnosis": [
            {**asdict(d), "meaning": CAUSES[d.cause], "lines": d.lines()}
            for d in result.diagnoses.values()
        ],
        "expectations": {
            "stated": not case.expect.empty,
            "met": not result.failures,
            "checks": _expectation_results(case, failed),
            "failures": list(result.failures),
        },
    }


def _sso_document(run: CaseRun) -> dict[str, Any] | None:
    """The report's SAML SSO section as data (None when the case set up no SSO)."""
    sp = run.wrike.saml()
    if sp.get("mode") in (None, "off") and not run.sso_logins and not sp.get("idp"):
        return None
    idp = run.onelogin.saml()
    return {
        "onelogin": {
            key: idp.get(key)
            for key in ("issuer", "audience", "acs_url", "recipient", "clock_offset_seconds")
        }
        | {
            "signing_certificate": (idp.get("signing_certificate") or {}).get("fingerprint_sha256"),
            "certificates": [
                {"fingerprint_sha256": c["fingerprint_sha256"], "signing": bool(c.get("signing"))}
                for c in idp.get("certificates") or []
            ],
        },
        "wrike": {key: sp.get(key) for key in ("mode", "jit", "sp_entity_id", "acs_url")}
        | {
            "idp_entity_id": (sp.get("idp") or {}).get("entity_id"),
            "certificates_held": [
                c["fingerprint_sha256"] for c in ((sp.get("idp") or {}).get("certificates") or [])
            ],
        },
        "logins": [
            {
                "timeline_index": index,
                "who": who,
                "signed_in": outcome.signed_in,
                "refused_at": outcome.refused_at,
                "reason": outcome.reason,
                "name_id": outcome.name_id,
                "status": outcome.status,
                "described": outcome.describe()[:240],
            }
            for index, who, outcome in run.sso_logins
        ],
        "attempts": run.wrike.sso_attempts(),
    }


def _expectation_results(case: Case, failed: set[str]) -> list[dict[str, Any]]:
    """Each expectation of the case and whether it held (a failure names its line)."""
    expect = case.expect
    out: list[dict[str, Any]] = []

    def held(line: int | None, prefix: str) -> bool:
        return not any(f.startswith(f"{case.path}:{line}: {prefix}") for f in failed)

    if expect.api_status is not None:
        out.append(
            {
                "line": expect.api_status_line,
                "key": "api_status",
                "expected": expect.api_status,
                "met": held(expect.api_status_line, "expect.api_status"),
            }
        )
    if expect.seats is not None:
        for user_type, count in expect.seats.items():
            out.append(
                {
                    "line": expect.seats_line,
                    "key": f"seats.{user_type}",
                    "expected": count,
                    "met": held(expect.seats_line, f"expect.seats.{user_type}:"),
                }
            )
    for user in expect.users:
        for check in user.checks:
            out.append(
                {
                    "line": check.line,
                    "user": user.user,
                    "key": check.key,
                    "expected": check.value,
                    "met": held(check.line, f"{user.user}: {check.key}:"),
                }
            )
    return out


def _event_type_name(event: dict[str, Any]) -> str:
    """An event type the vocabulary does not name, as OneLogin's type name reads."""
    name = event.get("event_type_name")
    return name.replace("_", " ").capitalize() if name else f"event {event['event_type_id']}"


# -- expectations ----------------------------------------------------------------------------


def check_expectations(result: Replay) -> list[str]:
    run = result.run
    case = result.case
    failures: list[str] = []
    expect = case.expect
    if expect.api_status is not None:
        actual = run.onelogin.api_connection()["api_status"]
        if actual != expect.api_status:
            failures.append(
                f"{case.path}:{expect.api_status_line}: expect.api_status: "
                f"expected {expect.api_status}, got {actual}"
            )
    if expect.seats is not None:
        seats = run.wrike.billing()["seats"]
        for user_type, count in expect.seats.items():
            if seats.get(user_type, 0) != count:
                failures.append(
                    f"{case.path}:{expect.seats_line}: expect.seats.{user_type}: "
                    f"expected {count}, got {seats.get(user_type, 0)}"
                )
    for user in expect.users:
        for check in user.checks:
            problem = _check_user(result, user.user, check)
            if problem:
                failures.append(f"{case.path}:{check.line}: {user.user}: {check.key}: {problem}")
    return failures


def _check_user(result: Replay, email: str, check: Check) -> str | None:
    run = result.run
    facts = result.facts[email]
    key, want = check.key, check.value
    if key == "wrike":
        got = wrike_status(run, email)[0]
        return None if got == want else f"expected Wrike to show the user as {want}, got {got}"
    if key == "wrike_type":
        status, user_type = wrike_status(run, email)
        if status != "active" or user_type != want:
            return (
                f"expected an active Wrike user of type {want}, got {status} "
                f"({user_type or 'no type'})"
            )
        return None
    if key == "wrike_attributes":
        found = {a: wrike_attribute(run, email, a) for a in want}
        wrong = {a: got for a, got in found.items() if got != want[a]}
        return (
            None
            if not wrong
            else "; ".join(f"{a} is {got!r}, expected {want[a]!r}" for a, got in wrong.items())
        )
    if key == "billable":
        member = [m for m in run.wrike.member_rows() if m["email"] == email]
        billable = bool(member and member[0]["billable_since"] and member[0]["status"] == "active")
        return None if billable == want else f"expected billable: {want}, got {billable}"
    if key == "provisioning_state":
        return (
            None if facts.state == want else f"expected OneLogin to show {want}, got {facts.state}"
        )
    names = [e.name for e in facts.events]
    if key == "events":
        missing = [n for n in want if n not in names]
        return (
            None
            if not missing
            else f"not in the System Log: {', '.join(missing)} (logged: {', '.join(names) or 'none'})"
        )
    if key == "no_events":
        present = [n for n in want if n in names]
        return None if not present else f"in the System Log but should not be: {', '.join(present)}"
    attempts = [e for e in facts.events if e.event_type_id in v.PROVISIONING_EVENT_IDS]
    if key == "no_provisioning_attempt":
        return (
            None
            if bool(not attempts) == want
            else (
                f"expected no provisioning attempt, found {', '.join(e.name for e in attempts)}"
                if want
                else "expected a provisioning attempt, found none"
            )
        )
    if key == "error_mentions":
        failed = [e for e in facts.events if e.event_type_id in v.FAILURE_EVENT_IDS]
        # The error details: OneLogin's error text and Wrike's own answer (kept in the notes).
        text = "\n".join(filter(None, (failed[-1].error, failed[-1].notes))) if failed else ""
        missing = [m for m in want if m not in text]
        return (
            None
            if not missing
            else (
                f"the latest error does not mention "
                f"{', '.join(repr(m) for m in missing)} (error: "
                f"{text or 'none logged'})"
            )
        )
    if key == "pending_task":
        if want == "none":
            return (
                None
                if not facts.pending
                else f"expected nothing pending, got {', '.join(facts.pending)}"
            )
        return (
            None
            if want in facts.pending
            else (f"expected a pending {want} task, got {', '.join(facts.pending) or 'none'}")
        )
    if key == "sso":
        logins = [o for _, who, o in run.sso_logins if who == email]
        if not logins:
            return "the timeline has no sso_login of the user"
        last = logins[-1]
        got = "signed_in" if last.signed_in else (last.reason or "refused (no reason named)")
        return None if got == want else f"expected the last SSO login to end {want}, got {got}"
    if key == "diagnosis":
        got = result.diagnoses[email].cause
        return None if got == want else f"expected diagnosis {want}, got {got}"
    raise AssertionError(f"unhandled check {key}")  # pragma: no cover

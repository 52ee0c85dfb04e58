"""Write a case as a Gherkin scenario in the suite's step vocabulary (features/STEPS.md).

Why the vocabulary and nothing else: an exported case goes into features/ as a regression
scenario and must run there with the existing step definitions; tests/test_traceability.py
refuses any sentence STEPS.md does not list. So each case field and action maps to one
vocabulary sentence, and anything without one (a removed approved domain, a Retry-After
value, a literal count of faults, ...) is refused by name rather than silently dropped.

Steps keep the timeline's order. A sentence the vocabulary offers only as a Given is written
as a Given; one offered only as a When is a When; one offered as both is a When only when it
is the last action or follows only When-only actions up to the end. The case's ``diagnosis``
expectation is the harness's reading, not behaviour of either system, so it is kept as a
comment.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness import vocabulary as v
from harness.case import Case, Check, Step

GIVEN, WHEN, BOTH = "Given", "When", "Given/When"


class NotExpressible(ValueError):
    """The case uses something the step vocabulary cannot say."""


@dataclass(frozen=True)
class Sentence:
    kind: str  # GIVEN, WHEN or BOTH
    text: str
    table: tuple[tuple[str, ...], ...] = ()


def _q(text: str) -> str:
    if '"' in text:
        raise NotExpressible(
            f"the value {text!r} contains a double quote, which a step parameter cannot carry"
        )
    return text


def export_feature(case: Case) -> str:
    """The case as a feature file with one scenario."""
    decided = _decided_tasks(case)
    setup = setup_sentences(case)
    timeline = [timeline_sentence(case, step, decided) for step in case.timeline]
    kinds = _timeline_kinds(timeline)
    thens, comments = expectation_sentences(case)
    if not any(kind == WHEN for kind in kinds):
        raise NotExpressible(
            "the timeline has no action to write as a When (add at least one action, e.g. `assign`)"
        )
    if not thens:
        raise NotExpressible(
            "the case has no `expect:` that the vocabulary can state, so the "
            "scenario would check nothing"
        )
    tags = ["@troubleshooting"]
    if reference_only(case):
        tags.append("@reference_only")
    lines = [" ".join(tags), f"Feature: Support case: {_one_line(case.title)}"]
    if case.description:
        lines += [f"  {_description(line)}".rstrip() for line in case.description.splitlines()]
    lines += ["", f"  Scenario: Support case: {_one_line(case.title)}"]
    steps = (
        [(GIVEN, s) for s in setup]
        + list(zip(kinds, timeline, strict=True))
        + [("Then", s) for s in thens]
    )
    previous = None
    for kind, sentence in steps:
        keyword = "And" if kind == previous else kind
        lines.append(f"    {keyword} {sentence.text}")
        previous = kind
        if sentence.table:
            widths = [
                max(len(row[i]) for row in sentence.table) for i in range(len(sentence.table[0]))
            ]
            for row in sentence.table:
                cells = " | ".join(
                    cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                )
                lines.append(f"      | {cells} |")
    lines += [f"    # {comment}" for comment in comments]
    return "\n".join(lines) + "\n"


_KEYWORDS = (
    "Given",
    "When",
    "Then",
    "And",
    "But",
    "*",
    "Feature",
    "Background",
    "Scenario",
    "Example",
    "Rule",
    "#",
    "@",
    "|",
    '"""',
    "```",
)


def _description(line: str) -> str:
    """A description line the Gherkin parser reads as text, never as a keyword, tag, table
    or comment (a case's free-text description may start a line with "When ...")."""
    stripped = line.strip()
    if stripped.startswith(_KEYWORDS):
        return f"- {stripped}"
    return stripped


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _decided_tasks(case: Case) -> dict[int, str]:
    """The task each approve/deny acts on. When the case does not name it, replay the case
    to see which request was pending (the replay is in-process and quick)."""
    needed = [
        s for s in case.timeline if s.action in ("approve", "deny") and not s.params.get("task")
    ]
    if not needed:
        return {}
    from harness.repro import replay

    return dict(replay(case).world.decided)


def reference_only(case: Case) -> bool:
    """Does the scenario need the reference provider's internals (STEPS.md: anything beyond
    the external account's plan, approved domain, admin and token)?"""
    wrike_side = {
        "revoke_token",
        "change_plan",
        "add_domain",
        "remove_domain",
        "make_wrike_admin",
        "wrike_fill",
        "fault",
        "recover",
    }
    if any(step.action in wrike_side for step in case.timeline) or case.wrike.users:
        return True
    if any(a.rights != frozenset(v.RIGHTS) or not a.admin for a in case.wrike.admins):
        return True
    domains = set(case.wrike.approved_domains)
    if any(u.email.split("@")[1] not in domains for u in case.onelogin.users):
        return True
    if case.expect.seats is not None:
        return True
    return any(
        c.key in ("billable", "wrike_attributes") for u in case.expect.users for c in u.checks
    )


def setup_sentences(case: Case) -> list[Sentence]:
    out = [Sentence(GIVEN, f'a Wrike account on the "{case.wrike.plan}" plan')]
    out += [
        Sentence(GIVEN, f'"{_q(d)}" is an approved domain in Wrike')
        for d in case.wrike.approved_domains
    ]
    for admin in case.wrike.admins:
        name = _q(admin.name)
        if not admin.admin:
            out.append(Sentence(GIVEN, f'a Wrike member "{name}" without admin rights'))
        elif len(admin.rights) == 2:
            out.append(
                Sentence(
                    GIVEN,
                    f'a Wrike admin "{name}" with the rights '
                    f'"{v.RIGHT_SECURITY}" and "{v.RIGHT_GRANT_ADMIN}"',
                )
            )
        elif len(admin.rights) == 1:
            out.append(
                Sentence(
                    GIVEN,
                    f'a Wrike admin "{name}" with only the right "{next(iter(admin.rights))}"',
                )
            )
        else:
            raise NotExpressible(
                f"wrike.admins: {admin.name} is an admin with no rights; the "
                "vocabulary knows admins with one or both rights"
            )
    for user in case.wrike.users:
        out.append(Sentence(GIVEN, f'Wrike already has an active user "{user.email}"'))
        if user.admin:
            out.append(Sentence(GIVEN, f'"{user.email}" is a Wrike account admin'))
        out += [
            Sentence(GIVEN, f'the Wrike admin fills in "{a}" of "{user.email}" with "{_q(val)}"')
            for a, val in user.attributes.items()
        ]
    one = case.onelogin
    connector = _connector(one.scim_url, one.token, given=True)
    if connector:
        out.append(connector)
    out.append(
        Sentence(
            GIVEN,
            "provisioning is enabled for the Wrike app"
            if one.provisioning
            else "provisioning is disabled for the Wrike app",
        )
    )
    if one.require_approval:
        out += [
            Sentence(GIVEN, f"the Wrike app requires admin approval to {task}")
            for task in v.TASKS
            if task in one.require_approval
        ]
    else:
        out.append(Sentence(GIVEN, "the Wrike app requires no admin approval"))
    if one.deprovision_action:
        out.append(Sentence(GIVEN, f'the deprovision action is "{one.deprovision_action}"'))
    if one.suspension_action:
        out.append(Sentence(GIVEN, f'the suspension action is "{one.suspension_action}"'))
    if one.update_method:
        out.append(Sentence(GIVEN, f'the Wrike app sends user updates as "{one.update_method}"'))
    for user in one.users:
        if user.attributes:
            table = (("attribute", "value"), *((a, _q(val)) for a, val in user.attributes.items()))
            out.append(
                Sentence(GIVEN, f'a OneLogin user "{user.email}" with these attributes:', table)
            )
        else:
            out.append(Sentence(GIVEN, f'a OneLogin user "{user.email}"'))
        out += [
            Sentence(GIVEN, f'"{user.email}" is in the OneLogin role "{_q(role)}"')
            for role in user.roles
        ]
    return out


def _connector(scim_url: str | None, token: str | None, *, given: bool) -> Sentence | None:
    if scim_url == "none" and token == "none":
        return None
    if scim_url == "none" or token == "none":
        raise NotExpressible(
            "a Wrike app with only one of SCIM Base URL and SCIM Bearer Token filled in"
        )
    if scim_url == "account" and token == "wrong":
        return Sentence(
            GIVEN,
            "the Wrike app in OneLogin is configured with the account's SCIM URL and a wrong token",
        )
    if scim_url == "wrong" and token == "wrong":
        raise NotExpressible("a wrong SCIM URL together with a wrong token")
    if scim_url == "wrong":
        return Sentence(
            GIVEN,
            "the Wrike app in OneLogin is configured with a wrong SCIM URL "
            f'and a token issued by "{_q(token or "")}"',
        )
    if not given:
        return Sentence(
            WHEN,
            "the OneLogin admin saves the SCIM URL and the token shown to "
            f'"{_q(token or "")}" in the Wrike app',
        )
    return Sentence(
        GIVEN,
        "the Wrike app in OneLogin is configured with the account's SCIM "
        f'URL and a token issued by "{_q(token or "")}"',
    )


def timeline_sentence(case: Case, step: Step, decided: dict[int, str]) -> Sentence:
    p = step.params
    user = p.get("user", "")
    action = step.action
    if action == "assign":
        return Sentence(
            BOTH,
            f'"{user}" is assigned the Wrike app directly'
            if p.get("direct")
            else f'"{user}" is assigned the Wrike app through the role "{_q(p["role"])}"',
        )
    if action == "unassign":
        return (
            Sentence(WHEN, f'the direct Wrike app login of "{user}" is removed')
            if p.get("direct")
            else Sentence(BOTH, f'"{user}" is removed from the role "{_q(p["role"])}"')
        )
    if action == "add_app_to_role":
        return Sentence(WHEN, f'the Wrike app is added to the role "{_q(p["role"])}"')
    if action == "remove_app_from_role":
        return Sentence(WHEN, f'the Wrike app is removed from the role "{_q(p["role"])}"')
    if action == "change":
        return Sentence(
            WHEN, f'the OneLogin admin changes "{p["attribute"]}" of "{user}" to "{_q(p["value"])}"'
        )
    if action == "suspend":
        return Sentence(BOTH, f'"{user}" is suspended in OneLogin')
    if action == "unsuspend":
        return Sentence(WHEN, f'"{user}" is reactivated in OneLogin')
    if action == "delete":
        return Sentence(WHEN, f'"{user}" is deleted in OneLogin')
    if action in ("approve", "deny"):
        task = p.get("task") or decided.get(step.index)
        if not task:  # pragma: no cover - the replay raises first
            raise NotExpressible(f"{step.where}: name the `task` to {action}")
        verb = "approves" if action == "approve" else "denies"
        return Sentence(
            BOTH if action == "approve" else WHEN,
            f'the OneLogin admin {verb} the pending {task} task for "{user}"',
        )
    if action == "retry":
        return Sentence(WHEN, f'the OneLogin admin retries the failed task for "{user}"')
    if action == "enable_provisioning":
        return Sentence(WHEN, "the OneLogin admin enables provisioning for the Wrike app and saves")
    if action == "disable_provisioning":
        return Sentence(GIVEN, "provisioning is disabled for the Wrike app")
    if action == "enable_api_connection":
        return Sentence(WHEN, "the OneLogin admin enables the API connection of the Wrike app")
    if action == "configure":
        if "scim_url" not in p or "token" not in p:
            missing = "token" if "scim_url" in p else "scim_url"
            raise NotExpressible(
                f"{step.where}: the vocabulary saves SCIM Base URL and SCIM "
                f"Bearer Token together; give `{missing}` too"
            )
        sentence = _connector(p["scim_url"], p["token"], given=False)
        if sentence is None:
            raise NotExpressible(f"{step.where}: clearing the Wrike app's configuration")
        return sentence
    if action == "revoke_token":
        return Sentence(GIVEN, f'the token issued by "{_q(p["admin"])}" has been revoked in Wrike')
    if action == "change_plan":
        return Sentence(GIVEN, f'the Wrike account is moved to the "{p["plan"]}" plan')
    if action == "add_domain":
        return Sentence(GIVEN, f'"{_q(p["domain"])}" is an approved domain in Wrike')
    if action == "make_wrike_admin":
        return Sentence(GIVEN, f'"{user}" is a Wrike account admin')
    if action == "wrike_fill":
        return Sentence(
            GIVEN,
            f'the Wrike admin fills in "{p["attribute"]}" of "{user}" with "{_q(p["value"])}"',
        )
    if action == "fault":
        if p["fault"] not in v.VOCABULARY_FAULTS:
            raise NotExpressible(
                f"{step.where}: the fault {p['fault']!r} (the vocabulary "
                f"knows: {', '.join(v.VOCABULARY_FAULTS)})"
            )
        for option in ("retry_after", "count"):
            if p.get(option) is not None:
                raise NotExpressible(
                    f"{step.where}: `{option}` (the vocabulary's fault "
                    "sentence carries only the fault; drop the field to "
                    "export)"
                )
        return Sentence(GIVEN, f'Wrike fails every SCIM request with "{p["fault"]}"')
    if action == "recover":
        return Sentence(WHEN, "Wrike recovers")
    raise NotExpressible(
        f"{step.where}: the action `{action}` (no sentence in features/STEPS.md says it)"
    )


def _timeline_kinds(sentences: list[Sentence]) -> list[str]:
    """Given or When for each timeline sentence. The Whens are the last action and the
    When-only actions right before it (what the case is about); a Given/When sentence
    before them is a Given, as a feature author would write it."""
    start = len(sentences) - 1
    while start > 0 and sentences[start - 1].kind == WHEN:
        start -= 1
    last_given = max((i for i, s in enumerate(sentences) if s.kind == GIVEN), default=-1)
    start = max(start, last_given + 1)
    return [
        s.kind if s.kind != BOTH else (WHEN if i >= start else GIVEN)
        for i, s in enumerate(sentences)
    ]


def expectation_sentences(case: Case) -> tuple[list[Sentence], list[str]]:
    out: list[Sentence] = []
    comments: list[str] = []
    expect = case.expect
    if expect.api_status is not None:
        if expect.api_status == "Disabled":
            raise NotExpressible(
                "expect.api_status: Disabled (the vocabulary checks Enabled or Failed)"
            )
        out.append(Sentence("Then", f'the API status of the Wrike app is "{expect.api_status}"'))
    for user in expect.users:
        for check in user.checks:
            sentence = _then(user.user, check)
            if isinstance(sentence, str):
                comments.append(sentence)
            else:
                out.extend(sentence)
    if expect.seats is not None:
        table = (("user type", "seats"), *((t, str(n)) for t, n in expect.seats.items()))
        out.append(Sentence("Then", "Wrike counts these seats per user type:", table))
    return out, comments


def _then(email: str, check: Check) -> list[Sentence] | str:
    key, value = check.key, check.value
    if key == "wrike":
        return [Sentence("Then", f'Wrike shows "{email}" as {value}')]
    if key == "wrike_type":
        return [Sentence("Then", f'Wrike has an active user "{email}" of type "{value}"')]
    if key == "wrike_attributes":
        if len(value) == 1:
            [(attribute, text)] = value.items()
            return [
                Sentence("Then", f'the Wrike user "{email}" has "{attribute}" set to "{_q(text)}"')
            ]
        table = (("attribute", "value"), *((a, _q(t)) for a, t in value.items()))
        return [Sentence("Then", f'the Wrike user "{email}" has these attributes:', table)]
    if key == "billable":
        return [
            Sentence(
                "Then",
                f'the Wrike billing ledger shows "{email}" as billable from '
                "the moment of provisioning"
                if value
                else f'the Wrike billing ledger shows "{email}" as not billable',
            )
        ]
    if key == "provisioning_state":
        if value not in v.VOCABULARY_STATES:
            raise NotExpressible(
                f"line {check.line}: provisioning_state {value!r} (the "
                f"vocabulary knows: {', '.join(v.VOCABULARY_STATES)})"
            )
        return [
            Sentence("Then", f'the provisioning state of "{email}" in the Wrike app is "{value}"')
        ]
    if key == "events":
        return [Sentence("Then", f'the System Log shows "{name}" for "{email}"') for name in value]
    if key == "no_events":
        return [
            Sentence("Then", f'the System Log does not show "{name}" for "{email}"')
            for name in value
        ]
    if key == "no_provisioning_attempt":
        if not value:
            raise NotExpressible(
                f"line {check.line}: no_provisioning_attempt: false (expect "
                "the event instead, with `events:`)"
            )
        return [Sentence("Then", f'the System Log shows no provisioning attempt for "{email}"')]
    if key == "error_mentions":
        return [
            Sentence("Then", f'the error details logged for "{email}" mention "{_q(text)}"')
            for text in value
        ]
    if key == "pending_task":
        return [
            Sentence(
                "Then",
                f'there is no pending task for "{email}"'
                if value == "none"
                else f'there is a pending {value} task for "{email}"',
            )
        ]
    if key == "diagnosis":
        return (
            f"harness diagnosis for {email}: {value} (checked by `harness repro`, not by the suite)"
        )
    raise NotExpressible(f"line {check.line}: the expectation `{key}`")  # pragma: no cover

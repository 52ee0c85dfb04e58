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

from harness import vocabulary as v
from harness.actions import ACTIONS
from harness.case_model import Case, Check, Step
from harness.sentences import BOTH, GIVEN, WHEN, NotExpressible, Sentence, connector
from harness.sentences import quoted as _q

__all__ = ["NotExpressible", "export_feature"]


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
    tags = ["@troubleshooting", *wrike_rule_tags(case)]
    if any(ACTIONS[s.action].sso for s in case.timeline):
        tags.append("@sso")
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

    return dict(replay(case).decided)


def reference_only(case: Case) -> bool:
    """Does the scenario need the reference provider's internals (STEPS.md: anything beyond
    the external account's plan, approved domain, admin and token)?"""
    if any(ACTIONS[s.action].side == "Wrike" for s in case.timeline) or case.wrike.users:
        return True
    if any(a.rights != frozenset(v.RIGHTS) or a.withheld or not a.admin for a in case.wrike.admins):
        return True
    domains = set(case.wrike.approved_domains)
    if any(u.email.split("@")[1] not in domains for u in case.onelogin.users):
        return True
    if case.expect.seats is not None:
        return True
    return any(
        c.key in ("billable", "wrike_attributes") for u in case.expect.users for c in u.checks
    )


def wrike_rule_tags(case: Case) -> list[str]:
    """The ``@wrike_<rule>`` tags (features/TAGS.md) of the rules only Wrike has that the
    exported scenario relies on, so ``--profile rfc`` skips it against an RFC provider as it
    skips the suite's own scenarios of those rules."""
    tags = []
    domains = set(case.wrike.approved_domains)
    if any(u.email.split("@")[1] not in domains for u in case.onelogin.users):
        tags.append("@wrike_approved_domains")
    if any(
        u.attributes.get(v.USER_TYPE) not in (None, "", *v.USER_TYPES) for u in case.onelogin.users
    ):
        tags.append("@wrike_user_types")
    if case.onelogin.scim_url == "wrong":
        tags.append("@wrike_unknown_url_404")
    return tags


def setup_sentences(case: Case) -> list[Sentence]:
    if case.onelogin.mappings:
        raise NotExpressible(
            "onelogin.mappings (the vocabulary has no sentence for a user mapping; replay "
            "the case with `harness repro`)"
        )
    out = [Sentence(GIVEN, f'a Wrike account on the "{case.wrike.plan}" plan')]
    out += [
        Sentence(GIVEN, f'"{_q(d)}" is an approved domain in Wrike')
        for d in case.wrike.approved_domains
    ]
    for admin in case.wrike.admins:
        name = _q(admin.name)
        if not admin.admin:
            out.append(Sentence(GIVEN, f'a Wrike member "{name}" without admin rights'))
        elif admin.withheld:
            if admin.rights != frozenset(v.RIGHTS) or len(admin.withheld) != 1:
                raise NotExpressible(
                    f"wrike.admins: {admin.name} lacks more than one right; the vocabulary "
                    "knows an admin without one right"
                )
            out.append(
                Sentence(
                    GIVEN,
                    f'a Wrike admin "{name}" without the right "{next(iter(admin.withheld))}"',
                )
            )
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
    configured = connector(one.scim_url, one.token, given=True, enabled=one.api_connection_enabled)
    if configured:
        out.append(configured)
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
    for person in one.users:
        if person.attributes:
            table = (
                ("attribute", "value"),
                *((a, _q(val)) for a, val in person.attributes.items()),
            )
            out.append(
                Sentence(GIVEN, f'a OneLogin user "{person.email}" with these attributes:', table)
            )
        else:
            out.append(Sentence(GIVEN, f'a OneLogin user "{person.email}"'))
        out += [
            Sentence(GIVEN, f'"{person.email}" is in the OneLogin role "{_q(role)}"')
            for role in person.roles
        ]
    return out


def timeline_sentence(case: Case, step: Step, decided: dict[int, str]) -> Sentence:
    return ACTIONS[step.action].say(step, decided)


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
    if key == "sso":
        if value == "signed_in":
            return [Sentence("Then", f'"{email}" is signed in to Wrike')]
        side = "OneLogin" if value in v.SSO_IDP_REASONS else "Wrike"
        return [Sentence("Then", f'{side} refuses the login of "{email}" with "{value}"')]
    if key == "diagnosis":
        return (
            f"harness diagnosis for {email}: {value} (checked by `harness repro`, not by the suite)"
        )
    raise NotExpressible(f"line {check.line}: the expectation `{key}`")  # pragma: no cover

"""The one table of case actions (docs/case-files.md, "timeline"): for each action, the fields
it takes (what harness/case.py validates), how it runs in a replay (through the same drivers
as the BDD steps), and the sentence of features/STEPS.md an exported scenario says it with.

Why one table: an action added or changed in one place cannot miss its validation, its run or
its sentence; tests/harness/test_actions.py checks every entry has all three, and that
docs/case-files.md lists exactly this table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from harness import vocabulary as v
from harness.case_model import Step
from harness.case_world import ActionFailed, CaseRun, configure, user_facts
from harness.drivers.http import Refused
from harness.sentences import BOTH, GIVEN, WHEN, NotExpressible, Sentence, connector, quoted

#: What a run returns is not read (a driver's answer, or None).
Run = Callable[[CaseRun, Step], object]
#: Step, and the task each approve/deny acted on (by timeline index) → its sentence.
Say = Callable[[Step, Mapping[int, str]], Sentence]


@dataclass(frozen=True)
class Action:
    """One case action. ``one_of`` groups fields of which exactly one is given; ``side`` is
    the app the action works in (a Wrike-side action needs the reference provider, so an
    exported scenario with one is tagged @reference_only); ``sso``: the action needs SAML
    SSO (an exported scenario with one is tagged @sso)."""

    fields: str  # as docs/case-files.md writes them
    summary: str  # what happens, as docs/case-files.md says it
    run: Run
    say: Say
    side: str = "OneLogin"
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    one_of: tuple[str, ...] = ()
    sso: bool = False


def _user(step: Step) -> str:
    return str(step.params["user"])


# -- running ---------------------------------------------------------------------------------


def _assign(run: CaseRun, step: Step) -> None:
    if step.params.get("direct"):
        run.onelogin.add_direct_login(_user(step))
    else:
        run.onelogin.add_app_to_role(step.params["role"])
        run.onelogin.add_to_role(_user(step), step.params["role"])


def _unassign(run: CaseRun, step: Step) -> None:
    one, user = run.onelogin, _user(step)
    if step.params.get("direct"):
        if user not in one.direct_logins:
            raise ActionFailed(f"{user} has no direct login to the Wrike app")
        one.remove_direct_login(user)
        return
    role = step.params["role"]
    if role not in one.roles or one.user_id(user) not in one.role_user_ids(role):
        raise ActionFailed(f"{user} is not in the role {role!r}")
    one.remove_from_role(user, role)


def _remove_app_from_role(run: CaseRun, step: Step) -> None:
    if step.params["role"] not in run.onelogin.roles:
        raise ActionFailed(f"there is no role {step.params['role']!r}")
    run.onelogin.remove_app_from_role(step.params["role"])


def _open_task(run: CaseRun, email: str, state: str, label: str | None) -> dict[str, Any]:
    tasks = run.onelogin.tasks(email, state)
    if label:
        tasks = [t for t in tasks if t["kind"] in v.TASKS[label]]
    if not tasks:
        what = "pending" if state == "pending_approval" else "failed"
        facts = user_facts(run, email)
        raise ActionFailed(
            f"{email} has no {what} {label + ' ' if label else ''}task to act on (OneLogin "
            f"shows {facts.state}"
            + (f"; pending: {', '.join(facts.pending)}" if facts.pending else "")
            + ")"
        )
    return tasks[-1]


def _decide(verb: str) -> Run:
    def decide(run: CaseRun, step: Step) -> None:
        task = _open_task(run, _user(step), "pending_approval", step.params.get("task"))
        run.decided[step.index] = v.task_label(task["kind"])
        run.onelogin.act_on_task(task, verb, _user(step), actor=step.params.get("by"))

    return decide


def _retry(run: CaseRun, step: Step) -> None:
    run.onelogin.act_on_task(_open_task(run, _user(step), "failed", None), "retry", _user(step))


def _revoke_token(run: CaseRun, step: Step) -> None:
    if step.params["admin"] not in run.wrike.integration_tokens:
        raise ActionFailed(f"{step.params['admin']} is not an admin and issued no token")
    run.wrike.revoke_integration_token(step.params["admin"])


def _make_wrike_admin(run: CaseRun, step: Step) -> None:
    if run.wrike.member_row(_user(step)) is None:
        raise ActionFailed(f"{_user(step)} is not a Wrike user (yet)")
    run.wrike.make_account_admin(_user(step))


def _wrike_fill(run: CaseRun, step: Step) -> None:
    if run.wrike.member_row(_user(step)) is None:
        raise ActionFailed(f"{_user(step)} is not a Wrike user (yet)")
    run.wrike.fill_in(_user(step), step.params["attribute"], step.params["value"])


def _wrike_deactivate(run: CaseRun, step: Step) -> None:
    if run.wrike.member_row(_user(step)) is None:
        raise ActionFailed(f"{_user(step)} is not a Wrike user (yet)")
    run.wrike.deactivate_in_wrike(_user(step))


def _fault(run: CaseRun, step: Step) -> None:
    p = step.params
    run.wrike.fail_every_request(p["fault"], count=p.get("count"), retry_after=p.get("retry_after"))


def _sso_login(run: CaseRun, step: Step) -> None:
    outcome = run.world.sso_login(_user(step), from_portal=step.params.get("from") == "portal")
    run.sso_logins.append((step.index, _user(step), outcome))


def _password_login(run: CaseRun, step: Step) -> None:
    outcome = run.world.password_login(step.params["admin"])
    run.sso_logins.append((step.index, step.params["admin"], outcome))


def _clock(minutes: int) -> str:
    return f"{abs(minutes)}"


def _say_clock(step: Step, _: Mapping[int, str]) -> Sentence:
    minutes = int(step.params["minutes"])
    if minutes == 0:
        raise NotExpressible(f"{step.where}: a clock that is not off (`minutes: 0`)")
    side = "ahead of" if minutes > 0 else "behind"
    return Sentence(GIVEN, f"OneLogin's clock is \"{_clock(minutes)}\" minutes {side} Wrike's")


def run_step(run: CaseRun, step: Step) -> None:
    """Carry out one timeline action; OneLogin drains its queue before answering, so the
    next step sees every effect."""
    action = ACTIONS[step.action]
    try:
        action.run(run, step)
    except Refused as error:
        raise ActionFailed(f"{action.side} refused: {error.detail}") from error
    run.clock.advance()


# -- saying ----------------------------------------------------------------------------------


def _say_task(verb: str, kind: str) -> Say:
    def say(step: Step, decided: Mapping[int, str]) -> Sentence:
        task = step.params.get("task") or decided.get(step.index)
        if not task:  # pragma: no cover - the replay raises first
            raise NotExpressible(f"{step.where}: name the `task` to {step.action}")
        return Sentence(
            kind, f'the OneLogin admin {verb} the pending {task} task for "{_user(step)}"'
        )

    return say


def _say_configure(step: Step, _: Mapping[int, str]) -> Sentence:
    p = step.params
    if "scim_url" not in p or "token" not in p:
        missing = "token" if "scim_url" in p else "scim_url"
        raise NotExpressible(
            f"{step.where}: the vocabulary saves SCIM Base URL and SCIM "
            f"Bearer Token together; give `{missing}` too"
        )
    sentence = connector(p["scim_url"], p["token"], given=False)
    if sentence is None:
        raise NotExpressible(f"{step.where}: clearing the Wrike app's configuration")
    return sentence


def _say_fault(step: Step, _: Mapping[int, str]) -> Sentence:
    p = step.params
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


def _says(kind: str, text: Callable[[dict[str, Any]], str]) -> Say:
    """A sentence of one kind whose text depends only on the step's fields."""
    return lambda step, _decided: Sentence(kind, text(step.params))


ACTIONS: dict[str, Action] = {
    # OneLogin directory
    "assign": Action(
        "`user`, and `role: <name>` or `direct: true`",
        "the user joins the role, which holds the Wrike app (the role is created and given "
        "the app if needed), or gets a direct Wrike login",
        _assign,
        _says(
            BOTH,
            lambda p: (
                f'"{p["user"]}" is assigned the Wrike app directly'
                if p.get("direct")
                else f'"{p["user"]}" is assigned the Wrike app through the role "{quoted(p["role"])}"'
            ),
        ),
        required=("user",),
        one_of=("role", "direct"),
    ),
    "unassign": Action(
        "`user`, and `role` or `direct: true`",
        "the user leaves the role, or loses the direct login",
        _unassign,
        lambda step, _: (
            Sentence(WHEN, f'the direct Wrike app login of "{_user(step)}" is removed')
            if step.params.get("direct")
            else Sentence(
                BOTH, f'"{_user(step)}" is removed from the role "{quoted(step.params["role"])}"'
            )
        ),
        required=("user",),
        one_of=("role", "direct"),
    ),
    "add_app_to_role": Action(
        "`role`",
        "the role gains the Wrike app; its members gain access",
        lambda run, step: run.onelogin.add_app_to_role(step.params["role"]),
        _says(WHEN, lambda p: f'the Wrike app is added to the role "{quoted(p["role"])}"'),
        required=("role",),
    ),
    "remove_app_from_role": Action(
        "`role`",
        "the role loses the Wrike app; its members lose access",
        _remove_app_from_role,
        _says(WHEN, lambda p: f'the Wrike app is removed from the role "{quoted(p["role"])}"'),
        required=("role",),
    ),
    "change": Action(
        "`user`, `attribute`, `value`",
        "a OneLogin admin changes a synced attribute",
        lambda run, step: run.onelogin.change(
            _user(step), step.params["attribute"], step.params["value"]
        ),
        _says(
            WHEN,
            lambda p: (
                f'the OneLogin admin changes "{p["attribute"]}" of "{p["user"]}" to '
                f'"{quoted(p["value"])}"'
            ),
        ),
        required=("user", "attribute", "value"),
    ),
    "suspend": Action(
        "`user`",
        "the OneLogin user is suspended",
        lambda run, step: run.onelogin.set_status(_user(step), v.ONELOGIN_SUSPENDED),
        _says(BOTH, lambda p: f'"{p["user"]}" is suspended in OneLogin'),
        required=("user",),
    ),
    "unsuspend": Action(
        "`user`",
        "the suspension ends",
        lambda run, step: run.onelogin.set_status(_user(step), v.ONELOGIN_ACTIVE),
        _says(WHEN, lambda p: f'"{p["user"]}" is reactivated in OneLogin'),
        required=("user",),
    ),
    "delete": Action(
        "`user`",
        "the OneLogin user is deleted",
        lambda run, step: run.onelogin.delete_user(_user(step)),
        _says(WHEN, lambda p: f'"{p["user"]}" is deleted in OneLogin'),
        required=("user",),
    ),
    # OneLogin approvals and retries
    "approve": Action(
        "`user`, optional `task`, optional `by`",
        "approve the user's pending task (`Create user`, `Update user`, `Delete user`; "
        "default: the one pending); `by` names the OneLogin admin who decides, as the System "
        "Log and the diagnosis show them (default: Simulator admin; an exported scenario "
        'says "the OneLogin admin")',
        _decide("approve"),
        _say_task("approves", BOTH),
        required=("user",),
        optional=("task", "by"),
    ),
    "deny": Action(
        "`user`, optional `task`, optional `by`",
        "deny it: nothing is sent to Wrike for it",
        _decide("deny"),
        _say_task("denies", WHEN),
        required=("user",),
        optional=("task", "by"),
    ),
    "retry": Action(
        "`user`",
        "retry the user's Failed entry",
        _retry,
        _says(WHEN, lambda p: f'the OneLogin admin retries the failed task for "{p["user"]}"'),
        required=("user",),
    ),
    # OneLogin configuration
    "enable_provisioning": Action(
        "",
        "tick Enable provisioning and save (provisions the app's users)",
        lambda run, _: run.onelogin.set_provisioning(enabled=True),
        _says(
            WHEN, lambda _: "the OneLogin admin enables provisioning for the Wrike app and saves"
        ),
    ),
    "disable_provisioning": Action(
        "",
        "untick it and save",
        lambda run, _: run.onelogin.set_provisioning(enabled=False),
        _says(GIVEN, lambda _: "provisioning is disabled for the Wrike app"),
    ),
    "enable_api_connection": Action(
        "",
        "click Enable next to API Status (OneLogin's connection test)",
        lambda run, _: run.onelogin.enable_api_connection(),
        _says(WHEN, lambda _: "the OneLogin admin enables the API connection of the Wrike app"),
    ),
    "configure": Action(
        "`scim_url` and/or `token` (as in `onelogin`)",
        "save new values in the Configuration tab",
        lambda run, step: configure(run, step.params.get("scim_url"), step.params.get("token")),
        _say_configure,
        optional=("scim_url", "token"),
    ),
    # Wrike side
    "revoke_token": Action(
        "`admin`",
        "revoke in Wrike the token that admin issued",
        _revoke_token,
        _says(
            GIVEN, lambda p: f'the token issued by "{quoted(p["admin"])}" has been revoked in Wrike'
        ),
        side="Wrike",
        required=("admin",),
    ),
    "change_plan": Action(
        "`plan`",
        "move the Wrike account to another plan",
        lambda run, step: run.wrike.move_to_plan(step.params["plan"]),
        _says(GIVEN, lambda p: f'the Wrike account is moved to the "{p["plan"]}" plan'),
        side="Wrike",
        required=("plan",),
    ),
    "add_domain": Action(
        "`domain`",
        "add an approved domain in Wrike",
        lambda run, step: run.wrike.approve_domain(step.params["domain"]),
        _says(GIVEN, lambda p: f'"{quoted(p["domain"])}" is an approved domain in Wrike'),
        side="Wrike",
        required=("domain",),
    ),
    "remove_domain": Action(
        "`domain`",
        "remove an approved domain in Wrike",
        lambda run, step: run.wrike.remove_domain(step.params["domain"]),
        _says(
            BOTH,
            lambda p: f'the Wrike admin removes "{quoted(p["domain"])}" from the approved domains',
        ),
        side="Wrike",
        required=("domain",),
    ),
    "make_wrike_admin": Action(
        "`user`",
        "make the Wrike user an account admin",
        _make_wrike_admin,
        _says(GIVEN, lambda p: f'"{p["user"]}" is a Wrike account admin'),
        side="Wrike",
        required=("user",),
    ),
    "wrike_fill": Action(
        "`user`, `attribute`, `value`",
        "a Wrike admin fills in an attribute in Wrike itself",
        _wrike_fill,
        _says(
            GIVEN,
            lambda p: (
                f'the Wrike admin fills in "{p["attribute"]}" of "{p["user"]}" with '
                f'"{quoted(p["value"])}"'
            ),
        ),
        side="Wrike",
        required=("user", "attribute", "value"),
    ),
    "fault": Action(
        "`fault`, optional `retry_after`, optional `count`",
        "Wrike answers every SCIM request (or only the next `count`) with `503 Service "
        "Unavailable`, `500 Internal Server Error`, `429 Too Many Requests` (with "
        "`retry_after: <seconds>` if given), any other 4xx or 5xx status (`502 Bad "
        "Gateway`), `connection refused` (nothing accepts the connection) or `connection "
        "dropped` (the answer breaks off)",
        _fault,
        _say_fault,
        side="Wrike",
        required=("fault",),
        optional=("retry_after", "count"),
    ),
    "recover": Action(
        "",
        "the faults end",
        lambda run, _: run.wrike.recover(),
        _says(WHEN, lambda _: "Wrike recovers"),
        side="Wrike",
    ),
    # SAML SSO (docs/sso.md)
    "sso_setup": Action(
        "optional `mode: optional` or `mode: enforced`",
        "set up SAML SSO on both sides: the Wrike app's SAML audience and consumer (ACS) URL in "
        "OneLogin from Wrike's SSO settings, and in Wrike the IdP metadata downloaded from "
        "OneLogin pasted and SSO enabled in the mode (default optional)",
        lambda run, step: run.world.set_up_sso(step.params.get("mode") or "optional"),
        _says(
            GIVEN,
            lambda p: (
                "SAML SSO through the Wrike app in OneLogin is set up in Wrike in "
                f'"{p.get("mode") or "optional"}" mode'
            ),
        ),
        side="Wrike",
        optional=("mode",),
        sso=True,
    ),
    "sso_mode": Action(
        "`mode: off`, `optional` or `enforced`",
        "switch Wrike's SSO mode (enforced: SSO users must use SSO)",
        lambda run, step: run.wrike.set_saml(mode=step.params["mode"]),
        _says(GIVEN, lambda p: f'Wrike\'s SSO mode is "{p["mode"]}"'),
        side="Wrike",
        required=("mode",),
        sso=True,
    ),
    "sso_jit": Action(
        "",
        "turn just-in-time provisioning on in Wrike's SSO settings",
        lambda run, _: run.wrike.set_saml(jit=True),
        _says(GIVEN, lambda _: "just-in-time provisioning is on in Wrike"),
        side="Wrike",
        sso=True,
    ),
    "paste_idp_metadata": Action(
        "",
        "the Wrike admin pastes the IdP metadata OneLogin serves now into Wrike's SSO settings "
        "(after a certificate rotation: the fix)",
        lambda run, _: run.world.paste_idp_metadata(),
        _says(
            WHEN,
            lambda _: "the Wrike admin pastes the current IdP metadata of the Wrike app into Wrike",
        ),
        side="Wrike",
        sso=True,
    ),
    "rotate_certificate": Action(
        "",
        "OneLogin signs the Wrike app's assertions with a new key and certificate from now on; "
        "Wrike still holds the old one",
        lambda run, _: run.onelogin.rotate_certificate(),
        _says(
            BOTH, lambda _: "the OneLogin admin rotates the signing certificate of the Wrike app"
        ),
        sso=True,
    ),
    "clock_skew": Action(
        "`minutes` (negative: OneLogin's clock is behind Wrike's; positive: ahead)",
        "OneLogin writes every instant of the Wrike app's assertions that many minutes off "
        "(the app's `clock_offset_seconds`)",
        lambda run, step: run.onelogin.set_saml(
            clock_offset_seconds=60 * int(step.params["minutes"])
        ),
        _say_clock,
        required=("minutes",),
        sso=True,
    ),
    "set_audience": Action(
        "`audience`",
        "save another SAML audience in the Wrike app in OneLogin",
        lambda run, step: run.onelogin.set_saml(audience=step.params["audience"]),
        _says(
            GIVEN,
            lambda p: (
                f'the SAML audience of the Wrike app in OneLogin is "{quoted(p["audience"])}"'
            ),
        ),
        required=("audience",),
        sso=True,
    ),
    "change_email": Action(
        "`user`, `to`",
        "a OneLogin admin changes the user's primary email (so the NameID); the username and "
        "the case's name for the user stay",
        lambda run, step: run.onelogin.change(_user(step), "Primary email", step.params["to"]),
        _says(
            WHEN,
            lambda p: f'the OneLogin admin changes "Primary email" of "{p["user"]}" to "{p["to"]}"',
        ),
        required=("user", "to"),
    ),
    "wrike_deactivate": Action(
        "`user`",
        "a Wrike admin deactivates the user in Wrike itself (not through OneLogin)",
        _wrike_deactivate,
        _says(GIVEN, lambda p: f'the Wrike admin deactivates "{p["user"]}" in Wrike'),
        side="Wrike",
        required=("user",),
    ),
    "sso_login": Action(
        "`user`, optional `from: wrike` (SP-initiated, the default) or `from: portal` "
        "(IdP-initiated)",
        "the user logs in to Wrike through SSO in their own browser: from Wrike's login page "
        "(email, Next, OneLogin's login page with their OneLogin password) or from the OneLogin "
        "portal; the report shows where it ended and why",
        _sso_login,
        lambda step, _: Sentence(
            WHEN,
            f'"{_user(step)}" opens Wrike from the OneLogin portal'
            if step.params.get("from") == "portal"
            else f'"{_user(step)}" logs in to Wrike through SSO',
        ),
        required=("user",),
        optional=("from",),
        sso=True,
    ),
    "password_login": Action(
        "`admin`",
        "the Wrike member (one of `wrike.admins`) logs in to Wrike with their password",
        _password_login,
        _says(WHEN, lambda p: f'"{quoted(p["admin"])}" logs in to Wrike with a password'),
        side="Wrike",
        required=("admin",),
        sso=True,
    ),
}


def docs_table() -> str:
    """The timeline table of docs/case-files.md, generated from :data:`ACTIONS`."""
    rows = ["| action | fields | what happens |", "|---|---|---|"]
    rows += [
        f"| `{name}` | {a.fields + ' ' if a.fields else ''}| {a.summary} |"
        for name, a in ACTIONS.items()
    ]
    return "\n".join(rows)

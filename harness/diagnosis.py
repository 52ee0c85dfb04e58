"""A plain-language diagnosis per user that walks the article's troubleshooting steps.

The article: "If a user doesn't get provisioned or deprovisioned: check the System Log in the
OneLogin administration portal to see if a SCIM provisioning attempt is listed there. If there
is no provisioning attempt listed, ensure that users are properly assigned to Wrike's
application in OneLogin. If an error is listed, [...] provide error details."

This module is pure: it reads :class:`UserFacts` (gathered from OneLogin and Wrike by the
runner) and returns the steps walked, a cause id and what to change. The cause ids are
stable, so a case file can expect one (``diagnosis: unapproved_domain``). Error details are
read by their text first (the reference provider's refusals say what and why) and by the
HTTP status second, so a real Wrike's differently-worded answers still land on a cause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from harness.vocabulary import (
    EVENT_IDS,
    EVENT_NAMES,
    FAILURE_EVENT_IDS,
    PROVISIONING_EVENT_IDS,
    SCIM_PLANS,
    SSO_EVENT_NAMES,
    SSO_IDP_REASONS,
    SSO_SP_REASONS,
    event_name_assumed,
    task_label,
)
from mock_onelogin.domain import modelling as onelogin_modelling
from wrike_sp.domain import modelling as wrike_modelling

#: Cause id → one-line meaning. Shown in docs/case-files.md and accepted by ``expect``.
CAUSES: dict[str, str] = {
    "in_sync": "the last provisioning attempt succeeded; nothing to fix",
    "not_assigned": "no attempt: the user is not assigned the Wrike app",
    "mapping_did_not_match": (
        "no attempt: a user mapping that adds a role holding the Wrike app did not match the "
        "user or is disabled"
    ),
    "provisioning_disabled": "no attempt: provisioning is not enabled for the Wrike app",
    "pending_approval": "no attempt yet: the request waits for an admin's approval",
    "denied": "an admin denied the request: nothing was sent to Wrike for it",
    "not_configured": "the Wrike app has no SCIM Base URL or SCIM Bearer Token",
    "api_status_not_enabled": "no request sent: the Wrike app's API Status is not Enabled",
    "do_nothing": "not deprovisioned: the deprovision or suspension action is Do Nothing",
    "no_change": "no attempt: nothing has changed that OneLogin would send",
    "unapproved_domain": "error: the user's email domain is not approved in Wrike",
    "wrong_token": "error: Wrike does not know the SCIM Bearer Token",
    "revoked_token": "error: the SCIM Bearer Token was revoked in Wrike",
    "token_other_account": "error: the token belongs to another Wrike account",
    "token_issuer_not_admin": "error: whoever issued the token is no longer an account admin",
    "wrong_scim_url": "error: the SCIM Base URL is not the account's SCIM URL",
    "plan_without_scim": "error: the Wrike plan does not include SCIM provisioning",
    "missing_admin_right": "error: the token's issuer lacks the right Grant/revoke admin rights",
    "missing_issuer_right": "error: the token's issuer lacks a Wrike right the SCIM operation "
    "needs (the reference provider's table of operations and rights)",
    "owner_protected": "error: the Wrike account owner cannot be deactivated or deleted",
    "wrike_unavailable": "error: Wrike was unavailable or unreachable",
    "rate_limited": "error: Wrike rate-limited the requests (429)",
    "unknown_user_type": "error: the Wrike user type is not one Wrike knows",
    "login_not_email": "error: the user has no email address Wrike can use as the login",
    "duplicate_user": "error: Wrike already has a user with that login",
    "unknown_attribute": "error: Wrike refused an attribute outside its User schema "
    "(the reference provider's unknown-attribute policy)",
    "template_error": "error: the SCIM JSON Template sends something Wrike does not accept",
    "unknown_error": "error: Wrike refused the request; see the error details",
}


@dataclass(frozen=True)
class LoggedEvent:
    id: int
    event_type_id: int
    created_at: str
    error: str | None = None
    notes: str | None = None
    #: Who did it, as the System Log names them (an admin's name, or None for OneLogin).
    actor: str | None = None

    @property
    def name(self) -> str:
        return EVENT_NAMES.get(self.event_type_id) or SSO_EVENT_NAMES.get(
            self.event_type_id, f"event {self.event_type_id}"
        )


@dataclass(frozen=True)
class UserFacts:
    """What OneLogin and Wrike say about one user, as support would look it up."""

    email: str
    assigned: bool
    via: tuple[str, ...]  # "role Engineering", "a direct login"
    roles: tuple[str, ...]  # every role the user is in
    roles_with_app: tuple[str, ...]  # every role that holds the Wrike app
    deleted: bool
    suspended: bool
    provisioning_enabled: bool
    connector_ready: bool
    deprovision_action: str
    suspension_action: str
    state: str  # the Users list label: Pending, Provisioned, Failed, ...
    pending: tuple[str, ...]  # approval labels of pending tasks: "Create user", ...
    events: tuple[LoggedEvent, ...]  # the user's events in the Wrike app, oldest first
    wrike_status: str  # active, deactivated, absent
    wrike_type: str | None = None
    #: Kinds of the tasks an admin denied, oldest first: create, update, suspend, ...
    denied: tuple[str, ...] = ()
    #: For a user not assigned the app: each user mapping that would have added a role
    #: holding it but did not match, with the failed conditions and the user's values.
    mapping_misses: tuple[str, ...] = ()
    #: The names of the disabled mappings among them.
    mapping_disabled: tuple[str, ...] = ()
    #: The Wrike app's API Status now (Enabled, Failed, Disabled), and the Wrike account's
    #: plan now: an error logged before either changed is read against them.
    api_status: str | None = None
    wrike_plan: str | None = None
    #: The user's last login through SSO (or a password login), when the case made one.
    sso: SsoFacts | None = None


@dataclass(frozen=True)
class StepResult:
    question: str
    answer: str


@dataclass(frozen=True)
class Diagnosis:
    email: str
    cause: str
    steps: tuple[StepResult, ...]
    explanation: str
    fix: str
    error: str | None = None
    outcome: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def lines(self) -> list[str]:
        out = [f"{self.email}: {self.cause} ({CAUSES[self.cause]})"]
        for number, step in enumerate(self.steps, 1):
            out.append(f"  {number}. {step.question}")
            out.append(f"     {step.answer}")
        if self.error:
            out.append(f"  Error details: {self.error}")
        out.append(f"  Meaning: {self.explanation}")
        out.append(f"  What to change: {self.fix}")
        out.extend(f"  Note: {note}" for note in self.notes)
        if self.outcome:
            out.append(f"  Now: {self.outcome}")
        return out


_RETRY = (
    "then, in OneLogin, open Applications > Wrike > Users and Retry the Failed entry "
    "(or change the user again so OneLogin sends a new request)"
)
#: The retry after a failure at the API Status gate: the connection test behind Enable must
#: pass again first, or the retry meets the gate again ("API Status is ...: no request was
#: sent") whatever was fixed.
_ENABLE = (
    "click Enable next to API Status (Applications > Wrike > Configuration, API Connection) "
    "so OneLogin tests the connection again, and check it shows Enabled"
)
_GATED_RETRY = (
    f"then {_ENABLE}; then, in OneLogin, open Applications > Wrike > Users and Retry the "
    "Failed entry"
)
STEP_LOG = "Check the System Log: is a SCIM provisioning attempt listed for the user?"
STEP_ASSIGNED = "No attempt listed: is the user properly assigned to Wrike's application?"
STEP_ENABLED = "Is provisioning enabled for the Wrike app (Provisioning tab)?"
STEP_APPROVAL = "Is a request waiting for an admin's approval (Applications > Wrike > Users)?"
STEP_ERROR = "An error is listed: what do its details say?"


def diagnose(facts: UserFacts) -> Diagnosis:
    """The user's last login when the case made one ("provisioned but cannot log in"),
    else the article's provisioning walk."""
    found = diagnose_sso(facts, facts.sso) if facts.sso is not None else _diagnose(facts)
    return replace(found, notes=(*found.notes, *_assumed_names(found, facts)))


def _assumed_names(found: Diagnosis, facts: UserFacts) -> tuple[str, ...]:
    """A note naming the System Log event names the diagnosis quotes that are the
    simulator's (OneLogin publishes none for them), so none reads as OneLogin's own."""
    text = "\n".join([found.explanation, found.fix, *(s.answer for s in found.steps), *found.notes])
    sso = (*facts.sso.logged_in, *facts.sso.refused) if facts.sso else ()
    quoted = dict.fromkeys(
        e.name
        for e in (*facts.events, *sso)
        if f"'{e.name}'" in text and event_name_assumed(e.event_type_id)
    )
    if not quoted:
        return ()
    listed = ", ".join(f"'{n}'" for n in quoted)
    return (
        onelogin_modelling.assumed(
            "event_name", f"System Log name{'s' * (len(quoted) > 1)} {listed}"
        ),
    )


def _diagnose(facts: UserFacts) -> Diagnosis:
    attempts = [e for e in facts.events if e.event_type_id in PROVISIONING_EVENT_IDS]
    denials = [e for e in facts.events if e.event_type_id == DENIED_EVENT_ID]
    outcome = f"OneLogin shows {facts.state}; Wrike shows the user as {facts.wrike_status}" + (
        f" ({facts.wrike_type})" if facts.wrike_type and facts.wrike_status != "absent" else ""
    )
    if attempts:
        latest = attempts[-1]
        seen = StepResult(
            STEP_LOG,
            f"Yes: {len(attempts)} attempt(s); the latest is "
            f"'{latest.name}' at {latest.created_at}.",
        )
        if (
            facts.state != "Pending"
            and not facts.pending
            and denials
            and denials[-1].id > latest.id
        ):
            # A later request (an update, a suspension, a deletion) was denied: what Wrike
            # shows is the latest attempt's doing, not what OneLogin asked for since.
            return _denied(facts, (seen,), denials[-1], outcome)
        if latest.event_type_id in FAILURE_EVENT_IDS and facts.state != "Pending":
            return _from_error(facts, seen, latest, outcome)
        if facts.state == "Pending":
            return _waiting(facts, seen, outcome)
        if latest.event_type_id == 60:
            return Diagnosis(
                facts.email,
                "do_nothing",
                (seen,),
                "OneLogin logged a 'Do Nothing' warning: by its settings it sent nothing to "
                "Wrike when the user lost access or was suspended, so the Wrike user stays "
                "as it was.",
                "If the user should be deactivated or removed in Wrike, set 'When users are "
                "deleted in OneLogin, or the user's app access is removed' to Suspend or "
                "Delete (Provisioning tab), or deactivate the user in Wrike by hand.",
                outcome=outcome,
            )
        earlier = [e for e in attempts[:-1] if e.event_type_id in FAILURE_EVENT_IDS]
        notes = (
            (
                f"An earlier attempt failed ('{earlier[-1].name}': {earlier[-1].error}); "
                "a later attempt succeeded.",
            )
            if earlier
            else ()
        )
        return Diagnosis(
            facts.email,
            "in_sync",
            (seen,),
            f"The latest attempt, '{latest.name}', succeeded.",
            "Nothing: OneLogin and Wrike agree for this user.",
            notes=notes,
            outcome=outcome,
        )
    seen = StepResult(
        STEP_LOG, "No: the System Log lists no SCIM provisioning attempt for the user."
    )
    if facts.state == "Pending" or facts.pending:
        return _waiting(facts, seen, outcome)
    if not facts.assigned:
        where = (
            f"the user is in {_names('role', facts.roles)}, which "
            f"{'does' if len(facts.roles) == 1 else 'do'} not hold the Wrike app"
            if facts.roles
            else "the user is in no role"
        )
        holders = (
            f"The Wrike app is held by {_names('role', facts.roles_with_app)}."
            if facts.roles_with_app
            else "No role holds the Wrike app."
        )
        if facts.deleted:
            where = "the user was deleted in OneLogin before it was ever provisioned"
        if facts.mapping_misses and not facts.deleted:
            misses = "; ".join(m[0].upper() + m[1:] for m in facts.mapping_misses)
            return Diagnosis(
                facts.email,
                "mapping_did_not_match",
                (
                    seen,
                    StepResult(
                        STEP_ASSIGNED,
                        f"No: {where}, and it has no direct login. {holders} {misses}.",
                    ),
                ),
                "The user would get the Wrike app through a user mapping, but "
                + (
                    "the mapping's conditions do not hold for the user"
                    if not facts.mapping_disabled
                    else f"{_names('the mapping', facts.mapping_disabled)} "
                    f"{'is' if len(facts.mapping_disabled) == 1 else 'are'} disabled"
                    + (
                        " and the others' conditions do not hold for the user"
                        if len(facts.mapping_disabled) < len(facts.mapping_misses)
                        else ""
                    )
                )
                + ", so the role was never added and OneLogin never tried to provision.",
                (
                    f"Enable {_names('the mapping', facts.mapping_disabled)} (Users > "
                    "Mappings, with its conditions matching the user) and use 'Reapply "
                    "entitlement mappings'; or correct the user's attribute in OneLogin so an "
                    "enabled mapping matches; or assign the Wrike app another way."
                    if facts.mapping_disabled
                    else "Correct the user's attribute in OneLogin so the mapping matches, or "
                    "change the mapping's conditions (Users > Mappings) and use 'Reapply "
                    "entitlement mappings'; or assign the Wrike app another way."
                ),
                outcome=outcome,
            )
        return Diagnosis(
            facts.email,
            "not_assigned",
            (
                seen,
                StepResult(STEP_ASSIGNED, f"No: {where}, and it has no direct login. {holders}"),
            ),
            "OneLogin provisions only users who have access to the Wrike app, so it never tried.",
            "Assign the user the Wrike app: add the Wrike app to one of the user's roles, "
            "add the user to a role that holds it, or add a Wrike login to the user directly "
            "(Users > the user > Applications).",
            outcome=outcome,
        )
    assigned = StepResult(STEP_ASSIGNED, f"Yes: through {', '.join(facts.via)}.")
    if not facts.provisioning_enabled:
        return Diagnosis(
            facts.email,
            "provisioning_disabled",
            (seen, assigned, StepResult(STEP_ENABLED, "No: 'Enable provisioning' is not ticked.")),
            "With provisioning off, OneLogin sends nothing to Wrike, whoever is assigned.",
            "Open Applications > Wrike > Provisioning, tick 'Enable provisioning' and click "
            "Save: OneLogin then provisions every assigned user.",
            outcome=outcome,
        )
    enabled = StepResult(STEP_ENABLED, "Yes.")
    if denials:
        return _denied(facts, (seen, assigned, enabled), denials[-1], outcome)
    if not facts.connector_ready:
        return Diagnosis(
            facts.email,
            "not_configured",
            (seen, assigned, enabled),
            "The Wrike app has no SCIM Base URL or SCIM Bearer Token, so OneLogin cannot "
            "reach Wrike.",
            "Fill in SCIM Base URL (Wrike: Apps & Integrations > OneLogin > SCIM tab) and "
            "SCIM Bearer Token (Wrike: Apps & Integrations > API) on the Configuration tab.",
            outcome=outcome,
        )
    return Diagnosis(
        facts.email,
        "no_change",
        (seen, assigned, enabled, StepResult(STEP_APPROVAL, "No.")),
        "The user is assigned and provisioning is on, but nothing happened since that "
        "OneLogin would send (for example the user was suspended before it was ever "
        "provisioned).",
        "Change the user or use 'Reapply entitlement mappings' so OneLogin compares the user "
        "with Wrike again.",
        outcome=outcome,
    )


DENIED_EVENT_ID = EVENT_IDS["User app request denied"]
_REAPPLY = "Applications > Wrike > More Actions > Reapply entitlement mappings"
#: The kinds of request whose approval box does not name them alone.
_BOX_HOLDS_TOO = {"suspend": " (the suspension)", "reactivate": " (the reactivation)"}
#: kind -> (what the denial left in Wrike, what to change).
_AFTER_DENIAL = {
    "create": (
        "OneLogin never sent the user to Wrike, so the user was not created there.",
        "If the user should be in Wrike, have OneLogin ask again ({reapply}, or remove the "
        "user's access to the Wrike app and give it back) and Approve the new pending entry "
        "in Applications > Wrike > Users. If the denial was meant, remove the user's access "
        "to the Wrike app so that the request is not made again.",
    ),
    "update": (
        "Wrike keeps what OneLogin sent it last; the change made in OneLogin since then is "
        "not in Wrike.",
        "If Wrike should have the change, have OneLogin send it again ({reapply}, or change "
        "the user again) and Approve the new Update user entry in Applications > Wrike > "
        "Users; untick Update user under 'Require admin approval before this action is "
        "performed' (Provisioning tab) to let changes flow without approval.",
    ),
    "reactivate": (
        "The user stays deactivated in Wrike although the suspension in OneLogin ended.",
        "If the user should be active in Wrike, have OneLogin ask again ({reapply}) and "
        "Approve the new Update user entry in Applications > Wrike > Users, or reactivate "
        "the user in Wrike by hand.",
    ),
    "suspend": (
        "The user stays active in Wrike although OneLogin suspended them or removed their access.",
        "If the user should be deactivated in Wrike, have OneLogin ask again ({reapply}) and "
        "Approve the new Delete user entry in Applications > Wrike > Users, or deactivate the "
        "user in Wrike by hand. If the denial was meant, nothing needs to change.",
    ),
    "delete": (
        "The user stays in Wrike as it was although OneLogin deleted them or removed their access.",
        "If the user should be removed from Wrike, have OneLogin ask again ({reapply}) and "
        "Approve the new Delete user entry in Applications > Wrike > Users, or deactivate or "
        "delete the user in Wrike by hand. If the denial was meant, nothing needs to change.",
    ),
}


def _denied(
    facts: UserFacts, steps: tuple[StepResult, ...], denial: LoggedEvent, outcome: str
) -> Diagnosis:
    """An admin denied the user's latest request: who, when, what it was, and what it left."""
    kind = facts.denied[-1] if facts.denied else None
    what = (
        f"the {task_label(kind)}{_BOX_HOLDS_TOO.get(kind, '')} request" if kind else "the request"
    )
    who = denial.actor or "an admin"
    left, fix = _AFTER_DENIAL.get(
        kind or "",
        (
            "Nothing was sent to Wrike for it.",
            "Have OneLogin ask again ({reapply}) and Approve the new pending entry.",
        ),
    )
    return Diagnosis(
        facts.email,
        "denied",
        (
            *steps,
            StepResult(
                STEP_APPROVAL,
                f"No: {who} denied {what} at {denial.created_at} (System Log: "
                f"'{denial.name}'); nothing was sent to Wrike for it.",
            ),
        ),
        f"A denied request is dropped, not retried: {left}",
        fix.format(reapply=_REAPPLY),
        outcome=outcome,
    )


def _waiting(facts: UserFacts, seen: StepResult, outcome: str) -> Diagnosis:
    tasks = ", ".join(facts.pending) or "a request"
    steps = [seen]
    if facts.assigned:
        steps.append(StepResult(STEP_ASSIGNED, f"Yes: through {', '.join(facts.via)}."))
    steps += [
        StepResult(STEP_ENABLED, "Yes."),
        StepResult(STEP_APPROVAL, f"Yes: {tasks} is pending."),
    ]
    return Diagnosis(
        facts.email,
        "pending_approval",
        tuple(steps),
        "'Require admin approval before this action is performed' is ticked for "
        f"{tasks}, so nothing is sent to Wrike until an admin decides.",
        "Approve the pending entry in Applications > Wrike > Users (or untick the approval "
        "box on the Provisioning tab so later changes flow automatically).",
        outcome=outcome,
    )


def _from_error(facts: UserFacts, seen: StepResult, event: LoggedEvent, outcome: str) -> Diagnosis:
    text = event.error or ""
    # The provider's own answer is kept apart from OneLogin's error text (the event's notes
    # say "Wrike's answer: ..."); a cause may be named by either.
    cause, explanation, fix = classify_error(
        "\n".join(filter(None, (text, event.notes))),
        api_status=facts.api_status,
        plan=facts.wrike_plan,
    )
    notes = tuple(
        line
        for line in (event.notes or "").splitlines()
        if line.startswith(("Wrike's answer:", "Error text", "Update method", "API Status gate"))
    )
    return Diagnosis(
        facts.email,
        cause,
        (seen, StepResult(STEP_ERROR, f"'{event.name}' at {event.created_at}.")),
        explanation,
        fix,
        error=text or "(no details logged)",
        outcome=outcome,
        notes=notes,
    )


_API_STATUS = re.compile(r"API Status is (\w+)")
API_STATUS_FIX = (
    "Click Enable next to API status (Applications > Wrike > Configuration, API Connection) "
    "and check it shows Enabled; then Retry the Failed entries (Applications > Wrike > Users)"
)


def classify_error(
    text: str, *, api_status: str | None = None, plan: str | None = None
) -> tuple[str, str, str]:
    """(cause, what it means, what to change) for a logged error description (and the
    provider's answer kept with it). ``api_status`` and ``plan``: the Wrike app's API Status
    and the Wrike account's plan now, when known, so that a cause fixed since the error is
    not told to be fixed again."""
    if "SCIM Base URL or SCIM Bearer Token is not configured" in text:
        return (
            "not_configured",
            "The Wrike app has no SCIM Base URL or SCIM Bearer Token, so OneLogin sent nothing.",
            "Fill in SCIM Base URL and SCIM Bearer Token on the Configuration tab, click "
            f"Enable next to API status; {_RETRY}.",
        )
    gate = _API_STATUS.search(text)
    if gate and gate[1] != "Failed":
        found = (
            "api_status_not_enabled",
            f"API status is not enabled: the Wrike app's API Status is {gate[1]}, so OneLogin "
            "sent nothing to Wrike (the connection test behind Enable was never run, or the "
            "SCIM Base URL or token changed since).",
            f"{API_STATUS_FIX}.",
        )
        return _now(found, text, gated=True, api_status=api_status, plan=plan)
    found = _classify(text, gated=bool(gate))
    if gate and found[0] == "unknown_error":
        found = (
            "api_status_not_enabled",
            "API status is not enabled: the connection test behind Enable failed, so OneLogin "
            "sent nothing to Wrike; the error details say what the test was told.",
            f"Fix what the connection test reports, then {API_STATUS_FIX[0].lower()}"
            f"{API_STATUS_FIX[1:]}.",
        )
    elif gate:
        cause, explanation, fix = found
        found = (
            cause,
            "The connection test behind Enable next to API Status was refused, so API Status "
            "shows Failed and OneLogin sends nothing to Wrike until the test passes. "
            + explanation,
            fix,
        )
    return _now(found, text, gated=bool(gate), api_status=api_status, plan=plan)


def _now(
    found: tuple[str, str, str],
    text: str,
    *,
    gated: bool,
    api_status: str | None,
    plan: str | None,
) -> tuple[str, str, str]:
    """The diagnosis read against the state now: a plan upgraded since the error, or an API
    Status enabled since the gate stopped the task, changes what is left to do."""
    cause, explanation, fix = found
    enabled_since = gated and api_status == "Enabled"
    then = re.search(r"not available on the (.+?) plan", text)
    if cause == "plan_without_scim" and then and plan and plan != then[1] and plan in SCIM_PLANS:
        explanation = (
            f"{'When OneLogin tested the connection' if gated else 'When OneLogin called it'}"
            f", the Wrike account was on the {then[1]} plan, which does not include SCIM "
            f"provisioning; it has since been moved to the {plan} plan, which does"
            + (
                "."
                if enabled_since or not gated
                else ", but API Status stays Failed until the connection test runs again."
            )
        )
        fix = "Nothing is left to change in Wrike; " + (
            f"{_RETRY[len('then, ') :]}."
            if enabled_since or not gated
            else f"{_GATED_RETRY[len('then ') :]}."
        )
    if enabled_since:
        fix = (
            "API Status now shows Enabled (the connection test passed after this failure): "
            f"{_RETRY[len('then, ') :]}."
        )
    return cause, explanation, fix


def _classify(text: str, gated: bool = False) -> tuple[str, str, str]:
    """The cause named by the error text; ``gated``: the text is the API Status gate's, so
    the cause was met by the connection test and every fix ends by testing it again."""
    retry = _GATED_RETRY if gated else _RETRY
    tested = _GATED_RETRY if gated else f"click Enable next to API Status to test it; {retry}"
    status = _status(text)
    quoted = re.search(r"email domain '([^']+)'", text)
    if quoted or "approved domain" in text:
        domain = quoted[1] if quoted else "the user's domain"
        return (
            "unapproved_domain",
            f"Wrike provisions only users from approved domains, and {domain} is not one "
            "of the account's approved domains.",
            f"In Wrike, add {domain} to the approved domains (Step 1 of the article), or "
            f"give the user an email address at an approved domain; {retry}.",
        )
    revoked = re.search(r"revoked at (\S+)", text)
    if revoked:
        return (
            "revoked_token",
            f"The SCIM Bearer Token was revoked in Wrike (at {revoked[1].rstrip('.')}), "
            "so Wrike refuses every request made with it.",
            "In Wrike, obtain a new token (Apps & Integrations > API > Create Token) and "
            "paste it into SCIM Bearer Token on the Wrike app's Configuration tab; "
            f"{tested}.",
        )
    if "not issued for the account" in text:
        return (
            "token_other_account",
            "The token is valid but belongs to a different Wrike account than the SCIM URL.",
            "Use the SCIM URL and a token of the same Wrike account (both from the account "
            f"users should join); {retry}.",
        )
    if "no longer an active account admin" in text:
        return (
            "token_issuer_not_admin",
            "The member who issued the token is not (or no longer) an active account "
            "admin of the Wrike account, so Wrike does not accept the token.",
            f"Have a current account admin obtain a new token and save it in OneLogin; {retry}.",
        )
    if status == 401 or "bearer token" in text.lower():
        return (
            "wrong_token",
            "Wrike did not accept the SCIM Bearer Token (HTTP 401): it is not a token "
            "Wrike issued, or it was mistyped.",
            "In Wrike, obtain a permanent token (Apps & Integrations > API > Create Token, "
            "enter your password, Obtain token) and paste it into SCIM Bearer Token; "
            f"{tested}.",
        )
    plan = re.search(r"not available on the (.+?) plan", text)
    if plan:
        return (
            "plan_without_scim",
            f"The Wrike account is on the {plan[1]} plan, which does not include SCIM "
            f"provisioning (it is available on {', '.join(SCIM_PLANS[:-1])} and "
            f"{SCIM_PLANS[-1]}).",
            f"Upgrade the Wrike account to a plan with SCIM; {retry}.",
        )
    if "Grant/revoke admin rights" in text or "grant/revoke" in text.lower():
        issuer = re.search(r"issued the API token \(([^)]+)\)", text)
        who = issuer[1] if issuer else "the admin who issued the token"
        return (
            "missing_admin_right",
            "The user is a Wrike account admin, and changes to account admins need a token "
            f"whose issuer ({who}) holds the right 'Grant/revoke admin rights'.",
            f"In Wrike, give {who} the right 'Grant/revoke admin rights', or obtain a new "
            "token from an admin who has it and save it in OneLogin; "
            f"{retry}.",
        )
    lacking = re.search(
        r"issued the API token \(([^)]+)\) lacks the Wrike right '([^']+)', which SCIM needs "
        r"to ([^.]+)\.",
        text,
    )
    if lacking:
        who, right, ability = lacking[1], lacking[2], lacking[3]
        return (
            "missing_issuer_right",
            f"The admin who issued the token ({who}) lacks the Wrike right '{right}', which "
            f"Wrike's SCIM API article lists among the rights the token's issuer needs; the "
            f"reference provider asks for it to {ability} (which SCIM operation needs which "
            "right is its modelling choice, SCIM_OPERATION_RIGHTS in "
            "wrike_sp/domain/modelling.py).",
            f"In Wrike, have the account owner enable '{right}' for {who} (Settings > Users > "
            "the admin's permissions), or obtain a new token from an admin who has it and save "
            f"it in OneLogin; {retry}.",
        )
    if "owner of the Wrike account" in text:
        return (
            "owner_protected",
            "The user owns the Wrike account, and the owner cannot be deactivated or "
            "deleted through SCIM.",
            f"Transfer ownership of the Wrike account to someone else in Wrike first; {retry}.",
        )
    if "No Wrike account answers at this SCIM URL" in text or status == 404:
        return (
            "wrong_scim_url",
            "Nothing answers at the SCIM Base URL OneLogin uses (HTTP 404): it is not the "
            "account's SCIM URL (a typo, or a URL of another account).",
            "Copy the SCIM URL from Wrike (Apps & Integrations > OneLogin > Configure > "
            "SCIM tab) into SCIM Base URL, without a trailing slash; "
            f"{tested}.",
        )
    user_type = re.search(r"'([^']*)' is not a Wrike user type", text)
    if user_type or "user type" in text.lower():
        value = f"'{user_type[1]}'" if user_type else "The value sent"
        return (
            "unknown_user_type",
            f"{value} is not a Wrike user type; Wrike knows Regular, External, "
            "Collaborator, Contributor and Viewer (empty means Regular).",
            "Correct the user's 'Wrike user type' attribute in OneLogin (Users > the user) "
            "to one of those values; the change is sent to Wrike again.",
        )
    if status == 429:
        return (
            "rate_limited",
            "Wrike answered 429 Too Many Requests: it rate-limited OneLogin's requests. "
            "OneLogin does not retry on its own.",
            f"Wait for the period Wrike names in Retry-After; {retry}; spread large "
            "assignments out over time.",
        )
    if (status is not None and status >= 500) or re.search(
        r"Connection error|Timeout after|timed out|connection (refused|dropped|aborted|reset)",
        text,
        re.IGNORECASE,
    ):
        what = f"HTTP {status}" if status else "no answer (the connection failed)"
        return (
            "wrike_unavailable",
            f"Wrike was unavailable when OneLogin called it ({what}). Nothing is wrong "
            "with the set-up; OneLogin does not retry on its own.",
            f"Wait until Wrike answers again; {retry}; if it keeps failing, contact Wrike "
            "Support with the error details.",
        )
    if "uses an email address as the login" in text:
        return (
            "login_not_email",
            "Wrike uses an email address as the login, and the request carried none it could use.",
            "Map userName (or the primary email) to the user's email in the SCIM JSON "
            f"Template, or fill in the user's email in OneLogin; {retry}.",
        )
    if status == 409 or "uniqueness" in text:
        return (
            "duplicate_user",
            "Wrike already has a user with that login, and OneLogin did not link to it.",
            "Check the user's email in OneLogin and in Wrike; remove or rename the "
            f"duplicate; {retry}.",
        )
    unknown = re.search(r"Unknown attribute '([^']+)'", text)
    if unknown:
        policy = wrike_modelling.UNKNOWN_ATTRIBUTES
        return (
            "unknown_attribute",
            f"Wrike refused the attribute '{unknown[1]}', which is not in its User schema or "
            "the enterprise extension. The reference provider refuses such an attribute only "
            'under its unknown-attribute policy "refuse" (UNKNOWN_ATTRIBUTES in '
            f'wrike_sp/domain/modelling.py, now "{policy}"; shipped "ignore"): a '
            "modelling choice, since Wrike does not publish whether it refuses or ignores "
            "attributes it does not know.",
            "Remove the attribute from the SCIM JSON Template on the Configuration tab, or "
            "use the User schema's name for it (the enterprise manager is manager.value, not "
            "manager.managerId); to model a Wrike that ignores it, set UNKNOWN_ATTRIBUTES = "
            f'"ignore"; {retry}.',
        )
    if "invalidSyntax" in text:
        return (
            "template_error",
            "The SCIM JSON Template sends an attribute or shape Wrike does not accept.",
            "Correct the SCIM JSON Template on the Configuration tab (start from the "
            f"default template); {retry}.",
        )
    return (
        "unknown_error",
        "Wrike refused the request; the error details say why.",
        "Contact Wrike Support with the error details above (the article's advice), "
        "including the time of the attempt.",
    )


def _status(text: str) -> int | None:
    match = re.search(r"\bHTTP (\d{3})\b", text)
    return int(match[1]) if match else None


def _names(kind: str, names: tuple[str, ...]) -> str:
    quoted = ", ".join(f'"{n}"' for n in names)
    return f"{kind}{'s' if len(names) > 1 else ''} {quoted}"


# -- SAML SSO: "provisioned but cannot log in" (docs/sso.md) -----------------------------------


@dataclass(frozen=True)
class SsoAttempt:
    """One of Wrike's SSO attempts (``/admin/api/v1/accounts/ACC/saml/attempts``)."""

    at: str
    outcome: str  # signed_in, refused
    reason: str | None
    name_id: str | None
    detail: str | None


@dataclass(frozen=True)
class SsoFacts:
    """What support looks up about one user's last login through SSO: where the login
    ended (the refusal page), OneLogin's System Log, Wrike's SSO attempts, and the two
    sides' SAML settings a refusal is read against."""

    signed_in: bool
    refused_at: str | None  # OneLogin, Wrike, or None
    reason: str | None  # the code the refusal page names
    page: str  # the text of the page the login ended on
    name_id: str | None  # the NameID of the assertion the browser carried to Wrike
    password_login: bool = False  # a Wrike password login, not SSO
    onelogin_username: str | None = None
    onelogin_email: str | None = None
    logged_in: tuple[LoggedEvent, ...] = ()  # OneLogin's SSO logins of the user to the app
    refused: tuple[LoggedEvent, ...] = ()  # OneLogin's refused ones
    attempt: SsoAttempt | None = None  # Wrike's newest attempt for the user
    #: The Wrike member whose login is the NameID: its status (active, deactivated, absent).
    member_status: str = "absent"
    #: A Wrike member whose login is the user's OneLogin username (an email before a change).
    member_by_username: str | None = None
    signing_fingerprint: str | None = None  # the certificate OneLogin signs with now
    held_fingerprints: tuple[str, ...] = ()  # the certificates Wrike holds
    metadata_url: str | None = None
    audience: str | None = None  # the Wrike app's SAML audience in OneLogin
    sp_entity_id: str | None = None
    recipient: str | None = None  # the Wrike app's recipient / ACS in OneLogin
    acs_url: str | None = None  # Wrike's ACS
    idp_entity_id: str | None = None  # the IdP Wrike's settings name
    issuer: str | None = None  # the issuer OneLogin writes
    clock_offset_seconds: int = 0
    mode: str = "off"
    jit: bool = False
    approved_domains: tuple[str, ...] = ()

    @property
    def final_reason(self) -> str | None:
        """The reason of the refusal: the page's, else Wrike's attempt's, else OneLogin's log."""
        if self.reason:
            return self.reason
        if self.attempt is not None and self.attempt.outcome == "refused":
            return self.attempt.reason
        return None


#: The SSO causes: one per reason code of docs/sso.md, the NameID case, and a login that
#: worked. Their meanings join CAUSES (so a case can expect them).
SSO_CAUSES: dict[str, str] = {
    "sso_signed_in": "the SSO login worked; nothing to fix",
    "sso_nameid_mismatch": (
        "SSO refused at Wrike: the NameID (the email in OneLogin) is not the Wrike login, "
        "after an email change SCIM did not carry"
    ),
    **{
        f"sso_{code}": f"SSO refused at Wrike: {meaning}"
        for code, meaning in SSO_SP_REASONS.items()
    },
    **{
        f"sso_{code}": f"SSO refused at OneLogin: {meaning}"
        for code, meaning in SSO_IDP_REASONS.items()
    },
}
CAUSES.update(SSO_CAUSES)

STEP_SSO_IDP = (
    "Did OneLogin let the user into the Wrike app (System Log: an SSO login of the user to "
    "the Wrike app)?"
)
STEP_SSO_SP = "What does Wrike list for the attempt (Settings > Security > SAML SSO, attempts)?"
_SSO_SETTINGS = "Wrike: Settings > Account Management > Security > SAML SSO"
_RETRY_SSO = "then have the user log in again"


def _behind_or_ahead(seconds: int) -> str:
    minutes = abs(seconds) / 60
    amount = f"{minutes:g} minutes" if seconds % 60 == 0 else f"{abs(seconds)} seconds"
    return f"{amount} {'behind' if seconds < 0 else 'ahead of'} Wrike's"


def _sso_explain(sso: SsoFacts, reason: str, facts: UserFacts) -> tuple[str, str, str]:
    """(cause, what it means, what to change) for an SSO refusal, read against the facts."""
    name_id = sso.name_id or facts.email
    domain = name_id.rpartition("@")[2]
    if reason == "unknown_user" and sso.member_by_username:
        return (
            "sso_nameid_mismatch",
            f"OneLogin sent the NameID {name_id} (the user's email in OneLogin now), but the "
            f"Wrike member's login is {sso.member_by_username}: the email was changed in "
            "OneLogin and SCIM did not carry the change to Wrike"
            + (" (provisioning is off)." if not facts.provisioning_enabled else "."),
            "Let SCIM carry the change: "
            + (
                "enable provisioning for the Wrike app (Provisioning tab) and change the user "
                "again or use Reapply entitlement mappings"
                if not facts.provisioning_enabled
                else "Retry the failed update in Applications > Wrike > Users"
            )
            + f", so the Wrike login becomes {name_id}; or change the member's email in Wrike "
            f"to {name_id}; {_RETRY_SSO}.",
        )
    table: dict[str, tuple[str, str]] = {
        "malformed": (
            "Wrike could not read what was posted to its ACS as a SAML Response.",
            f"Check that the Wrike app in OneLogin posts to Wrike's ACS ({sso.acs_url}); if it "
            "does, contact Wrike Support with the attempt's details.",
        ),
        "sso_off": (
            "SAML SSO is off in Wrike's settings, so Wrike takes no assertion.",
            f"In {_SSO_SETTINGS}, enable SSO in the optional or enforced mode; {_RETRY_SSO}.",
        ),
        "status_not_success": (
            "OneLogin answered with a status other than Success.",
            f"Read the user's login in OneLogin's System Log and fix what it names; {_RETRY_SSO}.",
        ),
        "unsigned": (
            "The assertion carries no signature Wrike can check.",
            "In OneLogin, make the Wrike app sign the assertion (SAML signature element); "
            f"{_RETRY_SSO}.",
        ),
        "certificate_mismatch": (
            f"OneLogin signs the Wrike app's assertions with the certificate "
            f"{sso.signing_fingerprint or '(unknown)'} (SHA-256), but Wrike holds "
            f"{', '.join(sso.held_fingerprints) or 'none'}: the certificate was rotated in "
            "OneLogin after its IdP metadata was pasted into Wrike.",
            "Download the Wrike app's IdP metadata in OneLogin (Applications > Wrike > More "
            f"Actions > SAML metadata{', or ' + sso.metadata_url if sso.metadata_url else ''}) "
            f"and paste it into {_SSO_SETTINGS}; keep the old certificate in OneLogin until "
            f"Wrike holds the new one; {_RETRY_SSO}.",
        ),
        "signature_invalid": (
            "The signature is by a certificate Wrike holds but does not verify: the assertion "
            "was altered on its way from OneLogin to Wrike.",
            "Look for a proxy, browser extension or tool that rewrites the posted form; if "
            "none, contact Wrike Support with the attempt's details.",
        ),
        "issuer_mismatch": (
            f"The assertion's Issuer ({sso.issuer or 'as sent'}) is not the identity provider "
            f"in Wrike's settings ({sso.idp_entity_id or 'none'}): the IdP metadata in Wrike "
            "is another app's or account's.",
            f"Paste the IdP metadata of this OneLogin app into {_SSO_SETTINGS}; {_RETRY_SSO}.",
        ),
        "audience_mismatch": (
            f"The Wrike app in OneLogin sends the audience {sso.audience!r}, but Wrike's SP "
            f"entity id is {sso.sp_entity_id!r}.",
            "In OneLogin, Applications > Wrike > Configuration: set the SAML audience to "
            f"{sso.sp_entity_id} (Wrike's SP metadata shows it); {_RETRY_SSO}.",
        ),
        "recipient_mismatch": (
            f"The Wrike app in OneLogin names the recipient {sso.recipient!r}, but Wrike's "
            f"ACS is {sso.acs_url!r}.",
            "In OneLogin, Applications > Wrike > Configuration: set the SAML consumer URL and "
            f"recipient to {sso.acs_url}; {_RETRY_SSO}.",
        ),
        "expired": _clock_text(sso, "had already ended"),
        "not_yet_valid": _clock_text(sso, "had not yet begun"),
        "in_response_to_unknown": (
            "The Response answers a request Wrike did not send, or one already answered (a "
            "back button, two tabs, an old bookmark of OneLogin's page).",
            "Start the login again from Wrike's login page or from the OneLogin portal.",
        ),
        "replayed": (
            "The same assertion was posted to Wrike twice; Wrike takes each one once.",
            "Start a new login; if it happens again, look for a tool that re-posts the form.",
        ),
        "unknown_user": (
            f"No Wrike member has the login {name_id}, and just-in-time provisioning is "
            f"{'on but could not apply' if sso.jit else 'off'} in Wrike.",
            "Provision the user (assign the Wrike app in OneLogin with provisioning enabled), "
            f"or turn on just-in-time provisioning in {_SSO_SETTINGS}; {_RETRY_SSO}.",
        ),
        "user_deactivated": (
            f"The Wrike member {name_id} is deactivated in Wrike, while OneLogin still lets "
            f"the user into the Wrike app"
            + (f" (through {', '.join(facts.via)})" if facts.via else "")
            + ".",
            "Reactivate the member in Wrike (Settings > Users); or, if Wrike should follow "
            "OneLogin, have OneLogin send the user again (Applications > Wrike > More Actions "
            f"> Reapply entitlement mappings); {_RETRY_SSO}.",
        ),
        "domain_not_approved": (
            f"The NameID's domain {domain} is not an approved domain of the Wrike account "
            f"(approved: {', '.join(sso.approved_domains) or 'none'}).",
            f"In Wrike, add {domain} to the approved domains (Step 1 of the article), or give "
            f"the user an email address at an approved domain; {_RETRY_SSO}.",
        ),
        "password_login_enforced": (
            "SSO is enforced in Wrike, so an SSO user's password login is refused.",
            "Log in through SSO (Wrike's login page: the email, Next), or switch Wrike's SSO "
            f"mode to optional in {_SSO_SETTINGS}.",
        ),
        "app_not_assigned": (
            "OneLogin refused the login: the user is not assigned the Wrike app, so OneLogin "
            "issues no assertion for it.",
            "Assign the user the Wrike app: add the user to a role that holds it, or add a "
            f"Wrike login to the user directly (Users > the user > Applications); {_RETRY_SSO}.",
        ),
        "invalid_credentials": (
            "OneLogin refused the login: the username or password typed at OneLogin is not "
            "correct.",
            f"Have the user reset their OneLogin password (or an admin set one); {_RETRY_SSO}.",
        ),
        "user_not_active": (
            "OneLogin refused the login: the OneLogin user is not active (suspended, locked or "
            "without a password).",
            f"Reactivate the user in OneLogin (Users > the user > Activate); {_RETRY_SSO}.",
        ),
        "request_invalid": (
            "OneLogin could not read Wrike's AuthnRequest, or its ACS is not the Wrike app's "
            "consumer URL.",
            "In OneLogin, Applications > Wrike > Configuration: set the SAML consumer URL to "
            f"{sso.acs_url} (Wrike's SP metadata shows it); {_RETRY_SSO}.",
        ),
    }
    explanation, fix = table.get(
        reason,
        (
            f"The login was refused ({reason}).",
            "Contact Wrike Support with the attempt's details.",
        ),
    )
    return f"sso_{reason}", explanation, fix


def _clock_text(sso: SsoFacts, when: str) -> tuple[str, str]:
    offset = sso.clock_offset_seconds
    if offset:
        return (
            f"OneLogin's clock for the Wrike app is {_behind_or_ahead(offset)} (the app's "
            f"clock_offset_seconds is {offset}), so the assertion's validity window {when} "
            "when Wrike read it, beyond the skew Wrike allows.",
            "Correct OneLogin's clock (in the simulator: set the Wrike app's "
            "clock_offset_seconds to 0); check Wrike's clock too; "
            f"{_RETRY_SSO}.",
        )
    return (
        f"The assertion's validity window {when} when Wrike read it: the clocks of OneLogin "
        "and Wrike differ by more than Wrike allows, or the browser took too long to post it.",
        f"Check both clocks (NTP); {_RETRY_SSO}.",
    )


def diagnose_sso(facts: UserFacts, sso: SsoFacts) -> Diagnosis:
    """The user's last login through SSO, walked as support does: OneLogin's System Log
    first (did OneLogin let the user in?), then Wrike's attempts, then the settings the
    refusal names."""
    outcome = f"OneLogin shows {facts.state}; Wrike shows the user as {facts.wrike_status}"
    if sso.password_login:
        idp = StepResult(STEP_SSO_IDP, "Not asked: a password login does not go to OneLogin.")
    elif sso.refused_at == "OneLogin" or (sso.refused and not sso.logged_in):
        last = sso.refused[-1] if sso.refused else None
        idp = StepResult(
            STEP_SSO_IDP,
            "No: "
            + (
                f"'{last.name}' at {last.created_at}"
                + (f" ({last.error or last.notes})" if last.error or last.notes else "")
                if last
                else "OneLogin's refusal page"
            )
            + (f"; the page says: {sso.page[:300]}" if sso.page else ""),
        )
    elif sso.logged_in:
        last = sso.logged_in[-1]
        idp = StepResult(
            STEP_SSO_IDP,
            f"Yes: '{last.name}' at {last.created_at}; OneLogin issued the assertion, with the "
            f"NameID {sso.name_id or '(not seen)'}.",
        )
    else:
        idp = StepResult(STEP_SSO_IDP, "The System Log lists no SSO login of the user.")
    if sso.signed_in:
        return Diagnosis(
            facts.email,
            "sso_signed_in",
            (idp, StepResult(STEP_SSO_SP, f"Signed in as {sso.name_id}.")),
            "The login through SSO worked.",
            "Nothing: OneLogin issued the assertion and Wrike signed the user in.",
            outcome=outcome,
        )
    reason = sso.final_reason
    steps = [idp]
    if sso.refused_at != "OneLogin" and not sso.password_login:
        attempt = sso.attempt
        steps.append(
            StepResult(
                STEP_SSO_SP,
                (
                    f"{attempt.outcome} at {attempt.at}: {attempt.reason}"
                    + (f" ({attempt.detail})" if attempt.detail else "")
                    + (f"; NameID {attempt.name_id}" if attempt.name_id else "")
                )
                if attempt
                else "No attempt listed: the assertion never reached Wrike's ACS.",
            )
        )
    elif sso.password_login:
        steps.append(StepResult(STEP_SSO_SP, f"Wrike's login page says: {sso.page[:300]}"))
    if reason is None:
        return Diagnosis(
            facts.email,
            "unknown_error",
            tuple(steps),
            "The login stopped on a page that names no reason code.",
            "Read the page and the attempts above; contact Wrike Support with them.",
            outcome=outcome,
        )
    cause, explanation, fix = _sso_explain(sso, reason, facts)
    return Diagnosis(
        facts.email,
        cause,
        tuple(steps),
        explanation,
        fix,
        error=f"{sso.refused_at or 'the login'} refused it: {reason}",
        outcome=outcome,
    )

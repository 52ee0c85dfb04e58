"""Then steps: what Wrike and OneLogin show afterwards, in the words of features/STEPS.md.
Every assertion says what was expected and what was found."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from pytest_bdd import then

from harness import vocabulary as v
from harness.bdd.step_types import parse, table
from harness.bdd.world import World
from harness.drivers.scim import scim_attribute
from harness.sso import Outcome, Page, reasons_named

# -- Wrike outcomes ---------------------------------------------------------------------------


@then(parse('"{member}" sees the account\'s SCIM URL'))
def _(world: World, member: str) -> None:
    assert member in world.seen_scim_urls, f"{member} never opened the SCIM tab"
    seen, expected = world.seen_scim_urls[member], world.wrike.scim_url()
    assert seen == expected, f"{member} should see the SCIM URL {expected!r}; saw {seen!r}"


@then(parse('"{member}" does not see the account\'s SCIM URL'))
def _(world: World, member: str) -> None:
    assert member in world.seen_scim_urls, f"{member} never opened the SCIM tab"
    seen = world.seen_scim_urls[member]
    assert seen is None, f"{member} should not see the SCIM URL; saw {seen!r}"


@then(parse('Wrike shows the token to "{member}"'))
def _(world: World, member: str) -> None:
    attempt = world.last_token_attempt
    token = world.shown_tokens.get(member)
    assert token, f"Wrike should show {member} a token; it answered {attempt}"
    status = world.reference("Checking a token Wrike showed").token_status(token)
    assert status == 200, (
        f"the token shown to {member} should open the SCIM API; it got HTTP {status}"
    )


@then("Wrike does not show the token again")
def _(world: World) -> None:
    assert world.shown_tokens, "no token was shown in the first place"
    page = world.last_api_app_page
    assert page is not None, "nobody opened the API app again"
    for member, token in world.shown_tokens.items():
        assert token not in page, f"the token shown to {member} is displayed again: {page}"


@then("Wrike refuses to issue a token and says the password is wrong")
def _(world: World) -> None:
    attempt = world.last_token_attempt
    assert attempt is not None, "nobody asked for a token"
    assert attempt.token is None and attempt.status >= 400, (
        f"Wrike should refuse to issue a token; it answered HTTP {attempt.status} with a token"
    )
    assert "password" in attempt.message.lower(), (
        f"the refusal should say the password is wrong; it says {attempt.message!r}"
    )


def _wrike_user(world: World, email: str) -> dict[str, Any]:
    user = world.wrike.user(email)
    assert user is not None, f"Wrike should have the user {email}; it has no such user"
    return user


@then(parse('Wrike has an active user "{email}" of type "{type}"'))
def _(world: World, email: str, type: str) -> None:
    user = _wrike_user(world, email)
    assert user.get("active") is True, f"{email} should be active in Wrike; found {user}"
    assert user.get("userType") == type, (
        f"{email} should be of type {type!r} in Wrike; found {user.get('userType')!r}"
    )


@then(parse('Wrike shows "{email}" as {status:Status}'))
def _(world: World, email: str, status: str) -> None:
    user = world.wrike.user(email)
    shown = v.scim_status(user)
    assert shown == status, f"Wrike should show {email} as {status}; it shows {shown}: {user}"


def _check_attribute(world: World, email: str, attribute: str, value: str) -> None:
    actual = scim_attribute(_wrike_user(world, email), attribute)
    assert actual == value, f"{attribute} of {email} in Wrike should be {value!r}; it is {actual!r}"


@then(parse('the Wrike user "{email}" has "{attribute}" set to "{value}"'))
def _(world: World, email: str, attribute: str, value: str) -> None:
    _check_attribute(world, email, attribute, value)


@then(parse('the Wrike user "{email}" has these attributes:'))
def _(world: World, email: str, datatable: list[list[str]]) -> None:
    user = _wrike_user(world, email)
    wrong = {
        row["attribute"]: {
            "expected": row["value"],
            "actual": scim_attribute(user, row["attribute"]),
        }
        for row in table(datatable)
        if scim_attribute(user, row["attribute"]) != row["value"]
    }
    assert not wrong, f"attributes of {email} in Wrike differ: {json.dumps(wrong, indent=1)}"


# -- Wrike billing ----------------------------------------------------------------------------


def _ledger(world: World, email: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    billing = world.reference("The billing ledger").billing()
    entries = [e for e in billing["ledger"] if e["login"].lower() == email.lower()]
    return entries, billing


@then(parse('the Wrike billing ledger shows "{email}" as billable from the moment of provisioning'))
def _(world: World, email: str) -> None:
    entries, billing = _ledger(world, email)
    provisioned = [e for e in entries if e["event"] == "provisioned"]
    assert provisioned, f"the ledger should show {email} as provisioned; its entries: {entries}"
    created = (_wrike_user(world, email).get("meta") or {}).get("created")
    member = next(m for m in billing["members"] if m["email"].lower() == email.lower())
    assert member["billable_since"] == provisioned[0]["at"] == created, (
        f"{email} should be billable from the moment of provisioning ({created}); billable "
        f"since {member['billable_since']}, ledger entry at {provisioned[0]['at']}"
    )


@then(parse('the Wrike billing ledger shows "{email}" as not billable'))
def _(world: World, email: str) -> None:
    entries, billing = _ledger(world, email)
    member = next((m for m in billing["members"] if m["email"].lower() == email.lower()), None)
    assert not entries, f"{email} should not be in the billing ledger; found {entries}"
    assert member is None or member["billable_since"] is None, (
        f"{email} should not be billable; billable since {member and member['billable_since']}"
    )


@then(parse('the Wrike billing ledger records the {change:Change} of "{email}"'))
def _(world: World, change: str, email: str) -> None:
    event = v.LEDGER_CHANGES[change]
    entries, _ = _ledger(world, email)
    recorded = [e for e in entries if e["event"] == event]
    assert recorded and recorded[-1]["at"], (
        f"the ledger should record the {change} of {email} with its time; entries: {entries}"
    )


@then("Wrike counts these seats per user type:")
def _(world: World, datatable: list[list[str]]) -> None:
    billing = world.reference("The billing ledger").billing()
    # The admins who set up the integration hold seats too; they were not provisioned.
    others = Counter(
        m["user_type"]
        for m in billing["members"]
        if not m["via_scim"] and m["status"] == "active" and m["billable_since"]
    )
    expected = {
        row["user type"]: int(row["seats"]) + others.get(row["user type"], 0)
        for row in table(datatable)
    }
    actual = {t: billing["seats"].get(t, 0) for t in expected}
    assert actual == expected, (
        f"Wrike should count seats {expected} (including the "
        f"{dict(others)} held by members not provisioned through SCIM); "
        f"it counts {billing['seats']}"
    )


@then("Wrike counts these billable members and paid seats per user type:")
def _(world: World, datatable: list[list[str]]) -> None:
    billing = world.reference("The billing report").billing()
    others = Counter(
        m["user_type"]
        for m in billing["members"]
        if not m["via_scim"] and m["status"] == "active" and m["billable_since"]
    )
    rules = {r["user_type"]: r for r in billing["seat_rules"]}
    expected, actual = {}, {}
    for row in table(datatable):
        kind = row["user type"]
        rule = rules[kind]
        expected[kind] = (
            int(row["billable members"]) + others.get(kind, 0),
            int(row["paid seats"]) + (others.get(kind, 0) if rule["paid_seat"] else 0),
            row["takes a paid seat"],
        )
        actual[kind] = (
            billing["seats"].get(kind, 0),
            billing["paid_seats_by_type"].get(kind, 0),
            ("yes" if rule["paid_seat"] else "no")
            + (" (assumed)" if rule["source"] == "assumed" else ""),
        )
    assert actual == expected, (
        f"Wrike should count (billable members, paid seats, takes a paid seat) {expected} "
        f"(including members not provisioned through SCIM: {dict(others)}); it counts {actual}"
    )


# -- OneLogin outcomes ------------------------------------------------------------------------


@then(parse('the API status of the Wrike app is "{status}"'))
def _(world: World, status: str) -> None:
    connection = world.onelogin.api_connection()
    assert connection["api_status"] == status, (
        f"the API status should be {status!r}; it is {connection['api_status']!r} "
        f"({connection['message']})"
    )


@then(parse('the API connection error mentions "{text}"'))
def _(world: World, text: str) -> None:
    message = world.onelogin.api_connection()["message"]
    assert text.lower() in message.lower(), (
        f"the API connection error should mention {text!r}; it says {message!r}"
    )


@then(parse('there is a pending {task:Task} task for "{email}"'))
def _(world: World, task: str, email: str) -> None:
    pending = world.onelogin.pending(email, task)
    assert len(pending) == 1, (
        f"one pending {task} task for {email} expected; tasks: {world.onelogin.tasks(email)}"
    )
    assert pending[0]["attempts"] == 0, (
        f"nothing should be sent to Wrike for the pending task; it was tried: {pending[0]}"
    )


@then(parse('there is no pending task for "{email}"'))
def _(world: World, email: str) -> None:
    pending = world.onelogin.pending(email)
    assert not pending, f"no pending task expected for {email}; found {pending}"


@then(parse('the provisioning state of "{email}" in the Wrike app is "{state}"'))
def _(world: World, email: str, state: str) -> None:
    row = world.onelogin.app_user(email)
    assert row is not None, f"{email} is not listed in the Wrike app's Users"
    assert row["label"] == state, (
        f"the provisioning state of {email} should be {state!r}; "
        f"it is {row['label']!r} (last error: {row['last_error']})"
    )


# -- System Log -------------------------------------------------------------------------------


def _event_id(event: str) -> int:
    try:
        return v.EVENT_IDS[event]
    except KeyError:
        raise ValueError(f"unknown event {event!r}; STEPS.md lists {sorted(v.EVENT_IDS)}") from None


def _summary(events: list[dict[str, Any]]) -> list[str]:
    return [
        f"{e['event_type_id']} {e.get('event_type_name')}: {e.get('error_description') or ''}"
        for e in events
    ]


@then(parse('the System Log shows "{event}" for "{email}"'))
def _(world: World, event: str, email: str) -> None:
    events = world.onelogin.events(email)
    assert any(e["event_type_id"] == _event_id(event) for e in events), (
        f"the System Log should show {event!r} for {email}; it shows {_summary(events)}"
    )


@then(parse('the System Log does not show "{event}" for "{email}"'))
def _(world: World, event: str, email: str) -> None:
    events = world.onelogin.events(email)
    assert not any(e["event_type_id"] == _event_id(event) for e in events), (
        f"the System Log should not show {event!r} for {email}; it shows {_summary(events)}"
    )


@then(parse('the System Log shows no provisioning attempt for "{email}"'))
def _(world: World, email: str) -> None:
    attempts = [
        e for e in world.onelogin.events(email) if e["event_type_id"] in v.PROVISIONING_EVENT_IDS
    ]
    assert not attempts, f"no provisioning attempt expected for {email}; {_summary(attempts)}"


@then(parse('the error details logged for "{email}" mention "{text}"'))
def _(world: World, email: str, text: str) -> None:
    failures = [
        e for e in world.onelogin.events(email) if e["event_type_id"] in v.FAILURE_EVENT_IDS
    ]
    assert failures, f"a failed provisioning event was expected for {email}; none was logged"
    # OneLogin's error text, and Wrike's own answer kept apart in the event's notes.
    details = "\n".join(filter(None, (failures[-1]["error_description"], failures[-1]["notes"])))
    assert text.lower() in details.lower(), (
        f"the error details for {email} should mention {text!r}; they say {details!r}"
    )


@then(parse('the System Log keeps the request sent to Wrike and Wrike\'s answer for "{email}"'))
def _(world: World, email: str) -> None:
    attempts = [
        e for e in world.onelogin.events(email) if e["event_type_id"] in v.PROVISIONING_EVENT_IDS
    ]
    assert attempts, f"a provisioning event was expected for {email}; none was logged"
    exchanges = attempts[-1]["scim_exchanges"]
    assert exchanges, f"the latest provisioning event of {email} keeps no SCIM exchange"
    last = exchanges[-1]
    assert last.get("method") and last.get("url") and "request_body" in last, (
        f"the request sent to Wrike is not kept: {last}"
    )
    assert last.get("status") and last.get("response_body") is not None, (
        f"Wrike's answer is not kept: {last}"
    )


@then(parse('the System Log shows Wrike\'s answer "{status}" for "{email}"'))
def _(world: World, status: str, email: str) -> None:
    attempts = [
        e for e in world.onelogin.events(email) if e["event_type_id"] in v.PROVISIONING_EVENT_IDS
    ]
    assert attempts, f"a provisioning event was expected for {email}; none was logged"
    latest = attempts[-1]
    answers = [x.get("status") for x in latest["scim_exchanges"] or []]
    assert answers and answers[-1] == int(status), (
        f"the latest provisioning event of {email} ({_summary([latest])[0]}) should keep "
        f"Wrike's answer {status}; Wrike answered {answers or 'nothing'}"
    )


@then("the System Log does not reveal the SCIM Bearer Token")
def _(world: World) -> None:
    token = world.onelogin.configured_token
    assert token, "no SCIM Bearer Token was configured"
    text = json.dumps(world.onelogin.events())
    assert token not in text, "the System Log reveals the SCIM Bearer Token"


# -- SAML SSO (docs/sso.md) -------------------------------------------------------------------


def _login(world: World, who: str) -> Outcome:
    outcome = world.logins.get(who)
    assert outcome is not None, f"{who} has not tried to log in in this scenario"
    return outcome


def _attempt(world: World, email: str, outcome: Outcome | None = None) -> dict[str, Any]:
    """Wrike's newest SSO attempt of ``email``'s login (by the NameID it carried, or the
    member; before the NameID could be trusted, the newest attempt naming none)."""
    admin = world.reference("Wrike's SSO attempts")
    name_id = outcome.name_id if outcome else None
    posted = outcome is not None and outcome.saml_response is not None
    found = admin.sso_attempt_for(email, name_id, posted=posted)
    assert found is not None, (
        f"Wrike lists no SSO attempt for {email}; its attempts: {admin.sso_attempts()}"
    )
    return found


@then(parse('"{who}" is signed in to Wrike'))
def _(world: World, who: str) -> None:
    outcome = _login(world, who)
    email = world.login_email(who)
    assert outcome.signed_in, f"{who} should be signed in to Wrike; {outcome.describe()}"
    assert (outcome.name_id or "").lower() == email.lower(), (
        f"{who} should be signed in as {email}; Wrike signed in {outcome.name_id}"
    )
    assert email.lower() in outcome.text.lower(), (
        f"Wrike's page after the login should name {email}: {outcome.text[:500]}"
    )
    if outcome.saml_response is not None:
        attempt = _attempt(world, email, outcome)
        assert attempt["outcome"] == "signed_in", (
            f"Wrike's newest SSO attempt for {email} should be signed_in: {attempt}"
        )


@then(parse('Wrike refuses the login of "{who}" with "{reason}"'))
def _(world: World, who: str, reason: str) -> None:
    assert reason in v.SSO_SP_REASONS, (
        f"{reason!r} is not one of Wrike's reasons: {', '.join(v.SSO_SP_REASONS)}"
    )
    outcome = _login(world, who)
    assert not outcome.signed_in and outcome.refused_at == "Wrike", (
        f"Wrike should refuse the login of {who}; {outcome.describe()}"
    )
    assert outcome.reason == reason, (
        f"Wrike's refusal page should name {reason!r}; {outcome.describe()}"
    )
    if outcome.saml_response is None:
        return  # a password login: no SSO attempt to list
    assert outcome.status == 403, f"Wrike's refusal page should answer 403: {outcome.describe()}"
    attempt = _attempt(world, world.login_email(who), outcome)
    assert (attempt["outcome"], attempt["reason"]) == ("refused", reason), (
        f"Wrike's newest SSO attempt for {who} should be refused with {reason!r}: {attempt}"
    )


@then(parse('OneLogin refuses the login of "{email}" with "{reason}"'))
def _(world: World, email: str, reason: str) -> None:
    assert reason in v.SSO_IDP_REASONS, (
        f"{reason!r} is not one of OneLogin's reasons: {', '.join(v.SSO_IDP_REASONS)}"
    )
    outcome = _login(world, email)
    assert not outcome.signed_in and outcome.refused_at == "OneLogin", (
        f"OneLogin should refuse the login of {email}; {outcome.describe()}"
    )
    assert outcome.reason == reason and outcome.status == 403, (
        f"OneLogin's refusal page (HTTP 403) should name {reason!r}; {outcome.describe()}"
    )
    assert outcome.saml_response is None, f"OneLogin still issued an assertion for {email}"


def _sso_events(world: World, email: str, ids: frozenset[int]) -> list[dict[str, Any]]:
    return [e for e in world.onelogin.events(email) if e["event_type_id"] in ids]


@then(parse('the System Log shows an SSO login of "{email}" to the Wrike app'))
def _(world: World, email: str) -> None:
    found = _sso_events(world, email, v.SSO_SIGNED_IN_EVENT_IDS)
    assert found, (
        f"the System Log should show an SSO login of {email} to the Wrike app; the user's "
        f"events: {[e['event_type_id'] for e in world.onelogin.events(email)]}"
    )


@then(parse('the System Log shows a refused SSO login of "{email}" with "{reason}"'))
def _(world: World, email: str, reason: str) -> None:
    found = _sso_events(world, email, v.SSO_REFUSED_EVENT_IDS)
    assert found, (
        f"the System Log should show a refused SSO login of {email}; the user's events: "
        f"{[e['event_type_id'] for e in world.onelogin.events(email)]}"
    )
    named = reasons_named(
        [str(found[-1].get("error_description") or ""), str(found[-1].get("notes") or "")]
    )
    assert reason in named, (
        f"the refused SSO login of {email} should name {reason!r}; it logged {found[-1]}"
    )


@then(parse('OneLogin sent "{name_id}" as the NameID of "{email}"'))
def _(world: World, name_id: str, email: str) -> None:
    outcome = _login(world, email)
    assert outcome.saml_response is not None, f"OneLogin sent no assertion for {email}"
    assert outcome.name_id == name_id, (
        f"the assertion for {email} should carry the NameID {name_id}; it carried {outcome.name_id}"
    )
    attempt = _attempt(world, email, outcome)
    assert attempt["name_id"] == name_id, f"Wrike's attempt shows another NameID: {attempt}"


@then(parse('Wrike has one member "{email}"'))
def _(world: World, email: str) -> None:
    rows = [
        r
        for r in world.reference("Wrike's members").member_rows()
        if r["email"].lower() == email.lower()
    ]
    assert len(rows) == 1, f"Wrike should have one member {email}; it has {rows}"


@then(parse('the Wrike billing ledger shows "{email}" as billable from the SSO login'))
def _(world: World, email: str) -> None:
    attempt = _attempt(world, email)
    assert attempt["outcome"] == "signed_in", f"{email} never signed in: {attempt}"
    _entries, billing = _ledger(world, email)
    member = next((m for m in billing["members"] if m["email"].lower() == email.lower()), None)
    assert member is not None, f"{email} is not a Wrike member: {billing['members']}"
    since = member["billable_since"] or ""
    assert since[:19] == attempt["at"][:19], (
        f"{email} should be billable from the SSO login at {attempt['at']}; billable since "
        f"{since or 'never'}"
    )


def _settings_page(world: World, member: str) -> Page:
    page = world.sso_settings_pages.get(member)
    assert page is not None, f"{member} has not opened the SSO settings"
    return page


@then(parse('"{member}" sees Wrike\'s SP metadata in the SSO settings'))
def _(world: World, member: str) -> None:
    page = _settings_page(world, member)
    sp = world.reference("Wrike's SSO settings").saml()
    assert page.status == 200, (
        f"{member} should open the SSO settings; HTTP {page.status}: {page.text[:300]}"
    )
    for key in ("sp_entity_id", "acs_url"):
        assert sp[key] in page.html, (
            f"the SSO settings page should show Wrike's {key} {sp[key]}: {page.text[:500]}"
        )


@then(parse('"{member}" is refused the SSO settings'))
def _(world: World, member: str) -> None:
    page = _settings_page(world, member)
    assert page.status == 403, (
        f"{member} should be refused the SSO settings (HTTP 403); HTTP {page.status}: "
        f"{page.text[:300]}"
    )

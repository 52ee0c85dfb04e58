"""A replayed case as one self-contained HTML file to attach to a ticket (``harness repro
CASE --html OUT.html``).

It is drawn from the replay's report document (``Replay.document``, what ``--json`` prints)
and the case itself, never from a second walk of the apps, so it says what the text report
says. Like the suite's report (harness/report_html.py, whose style and body formatting it
reuses) it is one file with inline style, no script and no external resource, and a Content
Security Policy says so to the browser. Everything from the case or a provider is untrusted
text and escaped; any ``Bearer`` credential is masked the way the suite's reports mask it.

Per OneLogin user a timeline, top to bottom: the set-up and each timeline step that concerns
the user (its own steps and those of no particular user), each drawn as a row of boxes left
to right: the OneLogin System Log events the step caused (the user's own and the app-wide
ones, such as a connection test) -> the SCIM exchanges behind them -> the Wrike state after
the step. Then the user's diagnosis with what to change, and the case's expectations.

The Wrike state after a step is read from Wrike's SCIM answers about the user (a user
resource: active or deactivated and its user type; an empty search or a DELETE: absent), so
it is labelled as such; the last row is Wrike's own list of users at the end of the replay.
The HTML holds nothing of the run itself (no time, no path outside the case's), so the same
case writes the same bytes every time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from harness.actions import ACTIONS
from harness.case_world import CaseClock
from harness.report_html import STYLE, body_text
from mock_onelogin.domain import modelling
from webguard.masking import masked

if TYPE_CHECKING:
    from harness.case_model import Case, Step
    from harness.repro import Replay

_STYLE = """
body { max-width: 80em; }
h2 { margin-top: 1.2em; }
.description { white-space: pre-wrap; }
section.user { border: 1px solid #ccc; border-radius: 4px; padding: .7em 1em; margin: 1em 0;
  break-inside: avoid-page; }
ol.timeline { list-style: none; margin: .5em 0; padding: 0; }
ol.timeline > li { margin: 0 0 .2em; }
ol.timeline > li + li::before { content: "\\2193"; display: block; text-align: center;
  color: #888; width: 30%; line-height: 1.2; }
.step-label { font-weight: 600; margin: .3em 0 .2em; }
.step-label .where { font-weight: normal; color: #555; font-size: .9em; }
.flow { display: grid; grid-template-columns: 30% 2em 1fr 2em 17%; align-items: stretch; }
.flow .arrow { display: flex; align-items: center; justify-content: center; color: #888;
  font-size: 1.4em; }
.box { border: 1px solid #bbb; border-radius: 4px; padding: .35em .5em; background: #fff;
  min-width: 0; overflow-wrap: anywhere; }
.box.onelogin { border-left: 5px solid #1565c0; }
.box.wrike-side { border-left: 5px solid #6a1b9a; }
.box.scim { border-left: 5px solid #2e7d32; }
.box.scim.failed { border-left-color: #c62828; }
.box.scim.none { border-left-color: #bbb; color: #555; }
.box.state { border-left: 5px solid #888; }
.box.state.active { border-left-color: #2e7d32; }
.box.state.deactivated { border-left-color: #b28704; }
.box.state.absent { border-left-color: #c62828; }
.event { margin: .15em 0 .35em; }
.event .time, .exchange .line .status { font-family: ui-monospace, monospace; }
.event .app-wide, .tag { font-size: .8em; color: #555; border: 1px solid #ccc;
  border-radius: 3px; padding: 0 .3em; }
.event .error { color: #c62828; }
.event .notes { color: #555; font-size: .9em; margin: .1em 0 0; padding-left: 1em; }
.exchange { margin: .2em 0 .4em; padding: .3em .5em; }
.exchange .line { margin: 0; }
.exchange .line.failed .status { color: #c62828; }
.state-value { font-weight: 600; }
.state .source { font-size: .85em; color: #555; }
.changed { font-size: .8em; background: #fff3c4; border-radius: 3px; padding: 0 .3em; }
.diagnosis { border-top: 1px solid #ddd; margin-top: .6em; }
.fix { background: #e8f5e9; border: 1px solid #a5d6a7; border-radius: 4px; padding: .4em .6em; }
dl.run dd { overflow-wrap: anywhere; }
td.met { color: #2e7d32; font-weight: 600; } td.not-met { color: #c62828; font-weight: 600; }
@media (max-width: 50em) { .flow { grid-template-columns: 1fr; }
  .flow .arrow { transform: rotate(90deg); } }
"""

#: The Wrike state of a user as a timeline row shows it: status (active, deactivated,
#: absent, or "in Wrike" for a user the case created in Wrike before OneLogin acted, whose
#: type no SCIM answer has shown yet) and user type.
State = tuple[str, str | None]


def render(result: Replay) -> str:
    """The whole HTML file for a replayed case."""
    doc = result.document
    case = result.case
    title = str(doc["case"]["title"])
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>Support case: {_text(title)}</title>",
        f"<style>{STYLE}{_STYLE}</style></head><body>",
        f"<h1>Support case: {_text(title)}</h1>",
        _case_header(doc),
        _set_up(doc, case),
        "<h2>Timeline per user</h2>",
        '<p class="status">Top to bottom: the set-up, then each timeline step that concerns '
        "the user. Left to right: what OneLogin logged (the user's events and app-wide ones) "
        "&#8594; the SCIM requests behind them &#8594; the Wrike state after the step, as "
        "Wrike's SCIM answers showed it.</p>",
    ]
    diagnoses = {d["email"]: d for d in doc["diagnosis"]}
    for number, user in enumerate(case.onelogin.users):
        parts.append(_user_section(number, user.email, doc, case, diagnoses.get(user.email)))
    if not case.onelogin.users:
        parts.append("<p>The case has no OneLogin user.</p>")
    parts += [_expectations(doc), "</body></html>"]
    return "\n".join(parts) + "\n"


def _text(value: Any) -> str:
    """Untrusted text (from the case or a provider) as HTML: any ``Bearer`` credential
    masked the way the suite's reports mask it, then escaped."""
    return escape(masked(str(value)))


# -- the case and its set-up ----------------------------------------------------------------


def _rows(rows: list[tuple[str, Any]]) -> str:
    items = "".join(
        f"<dt>{_text(name)}</dt><dd>{_text(str(value))}</dd>"
        for name, value in rows
        if value not in (None, "")
    )
    return f'<dl class="run">{items}</dl>'


def _case_header(doc: dict[str, Any]) -> str:
    info = doc["case"]
    met = doc["expectations"]
    verdict = (
        "no expectation stated"
        if not met["stated"]
        else "every expectation met"
        if met["met"]
        else f"{len(met['failures'])} expectation(s) not met"
    )
    out = [
        _rows([("Case file", info["path"]), ("Seed", info["seed"]), ("Result", verdict)]),
    ]
    if info.get("description"):
        out.append(f'<p class="description">{_text(str(info["description"]))}</p>')
    return "\n".join(out)


def _set_up(doc: dict[str, Any], case: Case) -> str:
    one, wrike = doc["onelogin"], doc["wrike"]
    settings = one["provisioning"]
    status = one["api_status"]
    message = one.get("api_status_message")
    token = case.onelogin.token
    token_text = {
        "wrong": "a token Wrike did not issue",
        "none": "(empty)",
    }.get(token.lower(), f"the token issued by {token}")
    rows: list[tuple[str, Any]] = [
        (
            "SCIM Base URL",
            (one["scim_base_url"] or "(empty)")
            + (
                f" (the account's SCIM URL is {one['account_scim_url']})"
                if one["scim_base_url"] != one["account_scim_url"]
                else ""
            ),
        ),
        ("SCIM Bearer Token", token_text),
        ("API Status", status + (f" ({message})" if message and message != status else "")),
    ]
    if status != "Enabled" and modelling.API_STATUS_GATES_PROVISIONING:
        rows.append(
            (
                "",
                modelling.assumed("api_status_gate", "No SCIM request is sent until it is Enabled"),
            )
        )
    rows += [
        ("Enable provisioning", "on" if settings["enabled"] else "off"),
        ("Require approval for", ", ".join(settings["require_approval"]) or "nothing"),
        ("Deprovision action", settings["deprovision_action"]),
        ("Suspension action", settings["suspension_action"]),
        ("Update method", modelling.assumed("update_method", settings["update_method"])),
    ]
    users = "".join(
        f"<tr><td>{_text(u.email)}</td><td>{_text(', '.join(u.roles) or '-')}</td>"
        f"<td>{_text(', '.join(f'{k}: {v}' for k, v in u.attributes.items()) or '-')}</td></tr>"
        for u in case.onelogin.users
    )
    out = [
        "<h2>OneLogin set-up: the Wrike app</h2>",
        _rows(rows),
        "<h3>OneLogin users</h3>",
        "<table><thead><tr><th>Email</th><th>Roles</th><th>Attributes</th></tr></thead>"
        f"<tbody>{users}</tbody></table>"
        if users
        else "<p>None.</p>",
    ]
    if case.onelogin.mappings:
        mappings = "".join(
            f"<li>{_text(m.name)}{'' if m.enabled else ' (disabled)'}: adds role "
            f"{_text(m.role)} when {_text(m.match)} of: "
            + _text("; ".join(f"{c.attribute} {c.operator} {c.value}" for c in m.conditions))
            + "</li>"
            for m in case.onelogin.mappings
        )
        out.append(f"<h3>User mappings</h3><ul>{mappings}</ul>")
    seats = ", ".join(f"{t} {n}" for t, n in (wrike.get("seats") or {}).items()) or "none"
    members = "".join(
        f"<tr><td>{_text(m['email'])}</td><td>{_text(m['role'])}</td>"
        f"<td>{_text(m['user_type'])}</td><td>{_text(m['status'])}</td>"
        f"<td>{'via SCIM' if m['via_scim'] else 'in Wrike'}</td>"
        f"<td>{_text(m['billable_since'] or '-')}</td></tr>"
        for m in wrike["users"]
    )
    out += [
        "<h2>Wrike account</h2>",
        _rows(
            [
                ("Account", wrike["account_id"]),
                ("Plan", wrike["plan"]),
                ("Approved domains", ", ".join(wrike["approved_domains"]) or "none"),
                ("Billable members by user type", f"{seats} (total {wrike['total_seats']})"),
                ("Paid seats", wrike.get("paid_seats")),
            ]
        ),
        "<h3>Wrike users at the end of the replay</h3>",
        "<table><thead><tr><th>Email</th><th>Role</th><th>User type</th><th>Status</th>"
        f"<th>Came</th><th>Billable since</th></tr></thead><tbody>{members}</tbody></table>",
    ]
    return "\n".join(out)


# -- the timeline of one user ---------------------------------------------------------------


@dataclass
class _Row:
    """One step of a user's timeline: the case step (None for the set-up) and the System
    Log events it caused that the user's timeline shows."""

    step: Step | None
    events: list[dict[str, Any]] = field(default_factory=list)
    #: Events whose time matches no step of the case (none in a replay as it stands).
    unmatched: bool = False


def _step_index(created_at: str, start: datetime) -> int:
    """Which timeline step logged an event: the case clock starts at a fixed moment, the
    set-up runs there, and each step moves it one second (harness/case_world.py,
    harness/actions.py), so step ``i`` runs at start + i + 1 seconds; -1 is the set-up."""
    try:
        when = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return -2
    return int((when - start).total_seconds()) - 1


def _timeline(email: str, doc: dict[str, Any], case: Case) -> list[_Row]:
    start = CaseClock().now()
    steps = {step.index: step for step in case.timeline}
    rows: dict[int, _Row] = {-1: _Row(None), **{i: _Row(s) for i, s in steps.items()}}
    stray: list[dict[str, Any]] = []
    for event in doc["system_log"]:
        if event.get("user") not in (None, email):
            continue
        index = _step_index(str(event.get("created_at")), start)
        (rows[index].events if index in rows else stray).append(event)
    shown = []
    for _, row in sorted(rows.items()):
        user = row.step.params.get("user") if row.step else None
        mine = any(e.get("user") == email for e in row.events)
        scim = any(e.get("scim_exchanges") or e.get("error") for e in row.events)
        if row.step is None or user is None or str(user).lower() == email.lower() or mine or scim:
            shown.append(row)
    if stray:
        shown.append(_Row(None, stray, unmatched=True))
    return shown


def _initial_state(email: str, case: Case) -> State:
    existing = {u.email.lower() for u in case.wrike.users}
    return ("in Wrike", None) if email.lower() in existing else ("absent", None)


def _after(state: State, exchange: dict[str, Any]) -> State:
    """The user's Wrike state after one of its SCIM exchanges, as Wrike's answer shows it;
    an error, or an answer that shows no user, leaves it as it was."""
    status = exchange.get("status")
    if not isinstance(status, int) or not 200 <= status < 300:
        return state
    if str(exchange.get("method")).upper() == "DELETE":
        return ("absent", None)
    body = exchange.get("response_body")
    if not isinstance(body, dict):
        return state
    if isinstance(body.get("Resources"), list):
        found = [r for r in body["Resources"] if isinstance(r, dict)]
        if not found:
            return ("absent", None)
        body = found[0]
    if "active" not in body and "userName" not in body:
        return state
    user_type = body.get("userType")
    return (
        "deactivated" if body.get("active") is False else "active",
        str(user_type) if user_type else None,
    )


def _user_section(
    number: int,
    email: str,
    doc: dict[str, Any],
    case: Case,
    diagnosis: dict[str, Any] | None,
) -> str:
    state = _initial_state(email, case)
    items = []
    for row in _timeline(email, doc, case):
        before = state
        for event in row.events:
            if event.get("user") == email:
                for exchange in event.get("scim_exchanges") or []:
                    state = _after(state, exchange)
        items.append(_row(row, email, state, changed=state != before))
    final = next((m for m in doc["wrike"]["users"] if m["email"].lower() == email.lower()), None)
    end = (
        f"Wrike shows the user as {final['status']} ({final['user_type']}), "
        f"{'via SCIM' if final['via_scim'] else 'created in Wrike'}, billable since "
        f"{final['billable_since'] or '-'}"
        if final
        else "Wrike has no such user (absent)"
    )
    end_class = final["status"] if final else "absent"
    items.append(
        '<li><p class="step-label">End of the replay</p>'
        f'<div class="box state {_text(end_class)}"><span class="state-value">'
        f"{_text(end)}</span></div></li>"
    )
    return "\n".join(
        [
            f'<section class="user" id="user-{number}">',
            f"<h3>{_text(email)}</h3>",
            f'<ol class="timeline">{"".join(items)}</ol>',
            _diagnosis(diagnosis),
            "</section>",
        ]
    )


def _step_label(row: _Row) -> str:
    step = row.step
    if row.unmatched:
        return "Events at a time no step of the case ran"
    if step is None:
        return 'Set-up <span class="where">(the case\'s wrike: and onelogin: sections)</span>'
    action = ACTIONS.get(step.action)
    fields = ", ".join(f"{k}: {v}" for k, v in step.params.items())
    summary = f" &#8212; {_text(action.summary)}" if action else ""
    return (
        f"timeline[{step.index}] {_text(step.action)}"
        + (f" ({_text(fields)})" if fields else "")
        + f' <span class="where">(line {step.line}{summary})</span>'
    )


def _row(row: _Row, email: str, state: State, *, changed: bool) -> str:
    side = ACTIONS[row.step.action].side if row.step and row.step.action in ACTIONS else ""
    if row.events:
        events = "".join(_event(e, email) for e in row.events)
    elif side == "Wrike":
        events = "<p>An action in Wrike: OneLogin logged nothing.</p>"
    else:
        events = "<p>OneLogin logged nothing for this user.</p>"
    exchanges = [
        _exchange(event, x) for event in row.events for x in event.get("scim_exchanges") or []
    ]
    failed = any(
        not (isinstance(x.get("status"), int) and 200 <= x["status"] < 300)
        for e in row.events
        for x in e.get("scim_exchanges") or []
    )
    scim_class = "none" if not exchanges else "failed" if failed else ""
    scim = "".join(exchanges) or "<p>No SCIM request.</p>"
    status, user_type = state
    shown = status + (f" ({user_type})" if user_type else "")
    return (
        f'<li><p class="step-label">{_step_label(row)}</p><div class="flow">'
        f'<div class="box {"wrike-side" if side == "Wrike" else "onelogin"}">'
        f'<span class="tag">{_text(side or "OneLogin")}</span>{events}</div>'
        '<div class="arrow">&#8594;</div>'
        f'<div class="box scim {scim_class}"><span class="tag">SCIM</span>{scim}</div>'
        '<div class="arrow">&#8594;</div>'
        f'<div class="box state {_text(status.replace(" ", "-"))}">'
        f'<span class="tag">Wrike after</span> <span class="state-value">{_text(shown)}</span>'
        + (' <span class="changed">changed</span>' if changed else "")
        + "</div></div></li>"
    )


def _event(event: dict[str, Any], email: str) -> str:
    name = str(event.get("name"))
    assumed = ' <span class="tag">name assumed</span>' if event.get("name_assumed") else ""
    scope = "" if event.get("user") == email else ' <span class="app-wide">app-wide</span>'
    time = str(event.get("created_at") or "")
    out = [
        f'<div class="event"><span class="time">{_text(time[11:19] or time)}</span> '
        f"#{_text(str(event.get('id')))} [{_text(str(event.get('event_type_id')))}] "
        f"<strong>{_text(name)}</strong>{assumed}{scope}"
    ]
    if event.get("role"):
        out.append(f" role {_text(str(event['role']))}")
    if event.get("error"):
        out.append(f'<div class="error">error: {_text(str(event["error"]))}</div>')
    notes = [str(n) for n in event.get("notes") or []]
    if notes:
        out.append(
            '<details class="notes"><summary>notes</summary>'
            + "".join(f"<div>{_text(n)}</div>" for n in notes)
            + "</details>"
        )
    out.append("</div>")
    return "".join(out)


def _exchange(event: dict[str, Any], exchange: dict[str, Any]) -> str:
    status = exchange.get("status")
    ok = isinstance(status, int) and 200 <= status < 300
    answer = (
        str(status)
        if status is not None
        else f"network error: {exchange['network_error']}"
        if exchange.get("network_error")
        else "no answer"
    )
    url = urlsplit(str(exchange.get("url") or ""))
    path = unquote(url.path) + (f"?{unquote(url.query)}" if url.query else "")
    return (
        '<div class="exchange">'
        f'<p class="line{"" if ok else " failed"}">{_text(str(exchange.get("method")))} '
        f'{_text(path)} &#8594; <span class="status">{_text(answer)}</span></p>'
        f"<details><summary>bodies (event #{_text(str(event.get('id')))})</summary>"
        f"<div>sent:</div><pre>{_text(body_text(exchange.get('request_body')))}</pre>"
        f"<div>answer:</div><pre>{_text(body_text(exchange.get('response_body')))}</pre>"
        "</details></div>"
    )


def _diagnosis(d: dict[str, Any] | None) -> str:
    if d is None:
        return '<div class="diagnosis"><p>No diagnosis.</p></div>'
    steps = "".join(
        f"<li>{_text(str(s['question']))}<br>{_text(str(s['answer']))}</li>" for s in d["steps"]
    )
    out = [
        '<div class="diagnosis">',
        f"<h3>Diagnosis: {_text(str(d['cause']))} ({_text(str(d['meaning']))})</h3>",
        f"<ol>{steps}</ol>" if steps else "",
        f'<p class="bad">Error details: {_text(str(d["error"]))}</p>' if d.get("error") else "",
        f"<p>Meaning: {_text(str(d['explanation']))}</p>",
        f'<p class="fix"><strong>What to change:</strong> {_text(str(d["fix"]))}</p>',
        *(f"<p class='status'>Note: {_text(str(n))}</p>" for n in d.get("notes") or []),
        f"<p>Now: {_text(str(d['outcome']))}</p>" if d.get("outcome") else "",
        "</div>",
    ]
    return "".join(p for p in out if p)


# -- expectations ---------------------------------------------------------------------------


def _expectations(doc: dict[str, Any]) -> str:
    expect = doc["expectations"]
    if not expect["stated"]:
        return "<h2>Expectations</h2><p>The case states none.</p>"
    rows = "".join(
        f"<tr><td>{_text(str(c.get('line')))}</td><td>{_text(str(c.get('user') or '-'))}</td>"
        f"<td>{_text(str(c['key']))}</td><td>{_text(_value(c['expected']))}</td>"
        f'<td class="{"met" if c["met"] else "not-met"}">{"met" if c["met"] else "not met"}'
        "</td></tr>"
        for c in expect["checks"]
    )
    failures = "".join(f"<li>{_text(str(f))}</li>" for f in expect["failures"])
    return (
        f"<h2>Expectations: {'all met' if expect['met'] else 'not all met'}</h2>"
        "<table><thead><tr><th>Line</th><th>User</th><th>Check</th><th>Expected</th>"
        f"<th>Result</th></tr></thead><tbody>{rows}</tbody></table>"
        + (f'<h3>Not met</h3><ul class="bad">{failures}</ul>' if failures else "")
    )


def _value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)

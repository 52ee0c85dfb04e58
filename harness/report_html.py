"""The BDD run as one self-contained HTML file a support engineer attaches to a ticket.

One file: the style is inline, there is no script and no external resource (a Content
Security Policy says so to the browser too), so it opens from disk anywhere and reads the
same printed. Everything shown is escaped: scenario names, SCIM bodies and the provider's
answers are untrusted text (a provider may answer ``<script>``).

Layout: the run (target, SCIM URL, time, counts, profile and domain when given), a table
of the scenarios that did not pass with links to them, then one section per scenario: its
steps and result and, for one that did not pass, its cause, the SCIM exchanges of its
System Log (request and response, token masked), the System Log events, the provider's
journal and the full failure report.
"""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.bdd.reporting import ScenarioResult

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em auto; max-width: 70em;
  padding: 0 1em; color: #1d1d1f; }
h1 { font-size: 1.5em; margin-bottom: .3em; }
h2 { font-size: 1.15em; margin: 0 0 .3em; }
h3 { font-size: 1em; margin: 1em 0 .3em; }
dl.run { display: grid; grid-template-columns: max-content auto; gap: .15em 1em; }
dl.run dt { font-weight: 600; }
dl.run dd { margin: 0; }
table { border-collapse: collapse; width: 100%; }
td.scenario { width: 34%; } td.file { width: 18%; font-size: .9em; color: #555; }
th, td { border-bottom: 1px solid #ddd; padding: .3em .5em; text-align: left;
  vertical-align: top; }
section.scenario { border: 1px solid #ccc; border-left-width: 6px; border-radius: 4px;
  padding: .7em 1em; margin: 1em 0; }
section.failed, section.error { border-left-color: #c62828; }
section.skipped { border-left-color: #b28704; }
section.passed { border-left-color: #2e7d32; }
.result { display: inline-block; min-width: 4.5em; padding: 0 .4em; border-radius: 3px;
  color: #fff; font-weight: 600; text-align: center; }
.result.failed, .result.error { background: #c62828; }
.result.skipped { background: #b28704; }
.result.passed { background: #2e7d32; }
.feature { color: #555; margin: 0 0 .5em; }
ol.steps { margin: .3em 0; padding-left: 1.5em; }
ol.steps li.failed { color: #c62828; font-weight: 600; }
ol.steps li.not-run { color: #888; }
.status { font-size: .85em; color: #555; }
pre { background: #f6f6f6; border: 1px solid #e2e2e2; padding: .5em; overflow-x: auto;
  white-space: pre-wrap; word-break: break-word; margin: .2em 0 .6em; }
pre.cause { background: #fdecea; border-color: #f5c2c0; }
.exchange { border: 1px solid #e2e2e2; border-radius: 3px; padding: .4em .6em;
  margin: .4em 0; }
.exchange .line { font-family: ui-monospace, monospace; font-weight: 600; margin: .2em 0; }
.bad { color: #c62828; }
"""


def render(run: dict[str, Any], results: list[ScenarioResult]) -> str:
    """The whole report: ``run`` as ``RunReports.run_info`` gives it, and every scenario."""
    counts = run.get("counts", {})
    verdict = ", ".join(f"{n} {name}" for name, n in counts.items() if n) or "no scenario ran"
    order = {"failed": 0, "error": 1, "skipped": 2, "passed": 3}
    shown = sorted(enumerate(results), key=lambda ir: (order.get(ir[1].result, 9), ir[0]))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>SCIM check report: {escape(verdict)}</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>SCIM check report</h1>",
        _run_header(run, verdict),
        _not_passed_table(shown),
        *(_scenario(index, result) for index, result in shown),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _run_header(run: dict[str, Any], verdict: str) -> str:
    rows = [
        ("Result", verdict),
        ("Target", run.get("target")),
        ("SCIM URL", run.get("scim_url")),
        ("Profile", run.get("profile")),
        ("Domain", run.get("domain")),
        ("Started", run.get("started")),
        ("Duration", f"{run['duration']:.1f} s" if run.get("duration") is not None else None),
    ]
    items = "".join(
        f"<dt>{escape(name)}</dt><dd>{escape(str(value))}</dd>" for name, value in rows if value
    )
    return f'<dl class="run">{items}</dl>'


def _anchor(index: int) -> str:
    return f"scenario-{index}"


def _not_passed_table(shown: list[tuple[int, ScenarioResult]]) -> str:
    rows = [
        f'<tr><td><span class="result {r.result}">{escape(r.result)}</span></td>'
        f'<td class="scenario"><a href="#{_anchor(i)}">{escape(r.title)}</a></td>'
        f'<td class="file">{escape(r.feature_file)}</td><td>{escape(r.cause)}</td></tr>'
        for i, r in shown
        if r.result != "passed"
    ]
    if not rows:
        return "<h2>Every scenario passed</h2>"
    return (
        f"<h2>Scenarios that did not pass ({len(rows)})</h2>"
        "<table><thead><tr><th>Result</th><th>Scenario</th><th>Feature file</th>"
        f"<th>Cause</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _scenario(index: int, r: ScenarioResult) -> str:
    steps = "".join(
        f'<li class="{escape(s.status.replace(" ", "-"))}">{escape(s.keyword)} '
        f'{escape(s.text)} <span class="status">({escape(s.status)})</span></li>'
        for s in r.steps
    )
    out = [
        f'<section class="scenario {escape(r.result)}" id="{_anchor(index)}">',
        f'<h2><span class="result {escape(r.result)}">{escape(r.result)}</span> '
        f"{escape(r.title)}</h2>",
        f'<p class="feature">Feature: {escape(r.feature)} ({escape(r.feature_file)}) '
        f"· {r.duration:.2f} s</p>",
        f'<ol class="steps">{steps}</ol>' if steps else "",
    ]
    if r.result != "passed":
        label = "Skip reason" if r.result == "skipped" else "Cause"
        out.append(f'<h3>{label}</h3><pre class="cause">{escape(r.cause)}</pre>')
    if r.result in ("failed", "error"):
        out.append(_exchanges(r))
        out.append(f"<h3>OneLogin System Log</h3><pre>{escape(r.system_log())}</pre>")
        if r.journal:
            out.append(f"<h3>Wrike SCIM journal</h3><pre>{escape(r.journal)}</pre>")
        if r.detail:
            out.append(
                "<details><summary>Full failure report</summary>"
                f"<pre>{escape(r.detail)}</pre></details>"
            )
    out.append("</section>")
    return "\n".join(p for p in out if p)


def body_text(value: Any) -> str:
    """A SCIM body as a report shows it: JSON indented, anything else as text."""
    if value is None or value == "":
        return "(no body)"
    if isinstance(value, dict | list):
        return json.dumps(value, indent=2, ensure_ascii=False)
    return str(value)


def _exchanges(r: ScenarioResult) -> str:
    """Each SCIM exchange of the scenario's System Log: the request (method, URL, headers,
    body) and the response (status, body) or the network error."""
    blocks = []
    for event in r.events or []:
        for exchange in event.get("scim_exchanges") or []:
            status = exchange.get("status")
            failed = exchange.get("network_error") or not (
                isinstance(status, int) and 200 <= status < 300
            )
            headers = exchange.get("request_headers") or {}
            header_text = (
                "\n".join(f"{k}: {v}" for k, v in headers.items())
                if isinstance(headers, dict)
                else str(headers)
            )
            answer = (
                f"network error: {exchange['network_error']}"
                if exchange.get("network_error")
                else f"HTTP {status}"
            )
            blocks.append(
                '<div class="exchange">'
                f"<p>System Log event #{escape(str(event.get('id')))} "
                f"({escape(str(event.get('event_type_name') or event.get('event_type_id')))})</p>"
                f'<p class="line">&gt; {escape(str(exchange.get("method")))} '
                f"{escape(str(exchange.get('url')))}</p>"
                + f"<pre>{escape(header_text)}\n\n{escape(body_text(exchange.get('request_body')))}"
                "</pre>"
                f'<p class="line{" bad" if failed else ""}">&lt; {escape(answer)}</p>'
                f"<pre>{escape(body_text(exchange.get('response_body')))}</pre>"
                "</div>"
            )
    if not blocks:
        note = (
            f"(the System Log could not be read: {r.events_error})"
            if r.events_error
            else "(none: OneLogin sent no SCIM request in this scenario)"
        )
        return f"<h3>SCIM exchanges</h3><p>{escape(note)}</p>"
    return f"<h3>SCIM exchanges ({len(blocks)})</h3>" + "".join(blocks)

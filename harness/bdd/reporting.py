"""What the BDD suite's reports carry, and the verdict a person reads at the end of a run.

Per scenario the plugin keeps a ``ScenarioResult``: its steps and how each ended, the
result (passed, failed, error, skipped), a one-line cause (the assertion's own first line, or
the skip reason) and, for a scenario that did not pass, its OneLogin System Log (each SCIM
exchange: method, URL, request body, status, response body) and the journal of the requests
Wrike received, where the provider keeps one. From those:

- the terminal: a failed scenario's report shows the System Log and journal; with
  ``--verdict`` a summary table closes the run (one row per scenario that did not pass,
  grouped by cause when they do not fit on one screen) and says where the reports are;
- JUnit XML: the same System Log and journal as the scenario's captured output, so
  ``-o junit_logging=system-out`` puts them in its ``system-out``;
- cucumber JSON (pytest-bdd's ``--cucumberjson``): rewritten once pytest-bdd wrote it, so a
  failed step's ``error_message`` starts with the cause, the traceback after it, and the
  steps after the failed one read ``skipped`` (they did not run);
- ``--html-report PATH``: one self-contained HTML file (harness/report_html.py).

The SCIM bearer token (``--scim-token``, and any token Wrike showed a scenario) never leaves
the run in clear: it is masked (``****`` and its last four characters) in all of them, as is
any ``Bearer`` credential. Passing scenarios are counted and listed with their steps; their
System Logs are left out of the reports to keep them small.
"""

from __future__ import annotations

import importlib
import json
import re
import time
from collections.abc import Generator, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import _pytest
import pluggy
import pytest
import pytest_bdd

from harness.drivers.world import log_line
from webguard.masking import masked

#: What a run's results are called, in the order the verdict lists them.
RESULTS = ("failed", "error", "skipped", "passed")
#: Lines the verdict's table may take (header, count and reports lines aside): a fully
#: failing run, with pytest's progress and final lines and ``harness check``'s own, stays
#: well under 40 lines.
TABLE_LINES = 16
#: The folders of the test framework's own code, left out of a failure's traceback.
_FRAMEWORK_FOLDERS = tuple(
    str(Path(module.__file__ or "").parent) for module in (_pytest, pluggy, pytest_bdd)
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
#: Where a cause starts showing data (a Python or JSON list or object).
_DATA = re.compile(r"[\[{]")
_RESULT_KEY = "harness_scenario"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("bdd reports", "what the BDD suite's reports carry")
    group.addoption(
        "--verdict",
        action="store_true",
        default=False,
        help="end the run with a summary table: one row per scenario that did not pass "
        "(result and one-line cause), grouped by cause when they do not fit on one screen, "
        "and where the reports are",
    )
    group.addoption(
        "--html-report",
        default=None,
        metavar="PATH",
        help="write a self-contained HTML report (one file, no scripts, no external "
        "resources): each scenario's steps and result, and for one that did not pass its "
        "cause, SCIM exchanges and System Log, token masked",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(RunReports(config), "harness-run-reports")


# -- masking ----------------------------------------------------------------------------


def masked_json(value: Any, secrets: Iterable[str]) -> Any:
    """A JSON value with every string in it masked (see ``masked``)."""
    if isinstance(value, str):
        return masked(value, secrets)
    if isinstance(value, list):
        return [masked_json(v, secrets) for v in value]
    if isinstance(value, dict):
        return {masked(str(k), secrets): masked_json(v, secrets) for k, v in value.items()}
    return value


# -- what a scenario's reports say --------------------------------------------------------


@dataclass
class Step:
    keyword: str
    text: str
    #: passed, failed, or "not run" (a step after a failed one, or in a skipped scenario).
    status: str = "not run"


@dataclass
class ScenarioResult:
    """One scenario (one test: a ``@both_update_methods`` scenario is two) as its reports
    show it; plain data, so it travels on pytest's report between xdist workers."""

    nodeid: str
    #: The test's name: pytest-bdd's cucumber JSON ``id`` of the scenario.
    test_name: str
    scenario: str
    feature: str
    feature_file: str
    result: str = "passed"
    #: One line: the assertion's first line, the exception, or the skip reason.
    cause: str = ""
    #: The full failure report (traceback), masked.
    detail: str = ""
    steps: list[Step] = field(default_factory=list)
    #: The System Log's events with their SCIM exchanges (masked); None when not read.
    events: list[dict[str, Any]] | None = None
    events_error: str = ""
    journal: str = ""
    duration: float = 0.0

    @property
    def title(self) -> str:
        """The scenario's name, with the update method of a ``@both_update_methods`` run."""
        suffix = self.test_name.partition("[")[2]
        return f"{self.scenario} [{suffix}" if suffix else self.scenario

    def system_log(self) -> str:
        if self.events is None:
            return f"(could not be read: {self.events_error})" if self.events_error else ""
        return "\n".join(map(log_line, self.events)) or "(no events)"

    def sections(self) -> list[tuple[str, str]]:
        """What a scenario that did not pass adds to its terminal and JUnit reports."""
        if self.events is None and not self.events_error:
            return []
        return [("OneLogin System Log", self.system_log()), ("Wrike SCIM journal", self.journal)]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScenarioResult:
        steps = [Step(**s) for s in data.get("steps", [])]
        return cls(**{**data, "steps": steps})


def cause_of(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    """The one line a person reads first: an assertion's own message (its first line), or
    the exception's name and first line, or the skip reason."""
    exc = excinfo.value
    if isinstance(exc, pytest.skip.Exception):
        return str(exc.msg or "skipped").strip().splitlines()[0]
    text = str(exc).strip()
    first = text.splitlines()[0].strip() if text else ""
    if isinstance(exc, AssertionError):
        return first or "assertion failed"
    name = type(exc).__name__
    return f"{name}: {first}" if first else name


def _template(item: pytest.Item) -> Any:
    """The scenario a test runs (pytest-bdd keeps it by test function), known before it
    starts, so a scenario skipped in set-up is reported by name too."""
    bdd_scenario = importlib.import_module("pytest_bdd.scenario")
    registry = getattr(bdd_scenario, "scenario_wrapper_template_registry", {})
    function = getattr(item, "function", None)
    return registry.get(function) if function is not None else None


_STEPS_KEY = pytest.StashKey[list[Step]]()
_CURSOR_KEY = pytest.StashKey[int]()


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, scenario: Any, **_: Any) -> None:
    request.node.stash[_STEPS_KEY] = [Step(s.keyword, s.name) for s in scenario.steps]
    request.node.stash[_CURSOR_KEY] = -1


def _current_step(request: pytest.FixtureRequest, advance: bool = False) -> Step | None:
    steps = request.node.stash.get(_STEPS_KEY, [])
    cursor = request.node.stash.get(_CURSOR_KEY, -1) + (1 if advance else 0)
    request.node.stash[_CURSOR_KEY] = cursor
    return steps[cursor] if 0 <= cursor < len(steps) else None


def pytest_bdd_before_step(request: pytest.FixtureRequest, **_: Any) -> None:
    _current_step(request, advance=True)


def pytest_bdd_after_step(request: pytest.FixtureRequest, **_: Any) -> None:
    if step := _current_step(request):
        step.status = "passed"


def pytest_bdd_step_error(request: pytest.FixtureRequest, **_: Any) -> None:
    if step := _current_step(request):
        step.status = "failed"


def pytest_bdd_step_func_lookup_error(request: pytest.FixtureRequest, **_: Any) -> None:
    if step := _current_step(request, advance=True):
        step.status = "failed"


def _secrets(item: pytest.Item, world: Any) -> list[str]:
    found = [item.config.getoption("--scim-token", None) or ""]
    if world is not None:
        found.extend(getattr(world, "shown_tokens", {}).values())
    return [s for s in found if len(s) >= 4]


def _read_world(result: ScenarioResult, world: Any, secrets: list[str]) -> None:
    """The System Log and the provider's journal; a report must not hide the original
    failure, so what cannot be read says why instead."""
    try:
        result.events = masked_json(world.onelogin.events(), secrets)
    except Exception as exc:
        result.events_error = masked(repr(exc), secrets)
    try:
        result.journal = masked(world.wrike.journal(), secrets)
    except Exception as exc:
        result.journal = masked(f"(could not be read: {exc!r})", secrets)


def _traceback(
    excinfo: pytest.ExceptionInfo[BaseException] | None, report: pytest.TestReport
) -> str:
    """The failure with a short traceback (file and line of each step), whatever ``--tb``
    the console shows: the reports keep the detail the console leaves out."""
    if excinfo is not None:
        try:
            # pytest's, pluggy's and pytest-bdd's own frames say nothing about the scenario.
            own = excinfo.traceback.filter(
                lambda entry: not str(entry.path).startswith(_FRAMEWORK_FOLDERS)
            )
            if own:
                excinfo.traceback = own
            return str(excinfo.getrepr(style="short", funcargs=False, truncate_locals=True))
        except Exception:
            pass
    return str(report.longrepr)


def _mask_report(report: pytest.TestReport, secrets: list[str]) -> None:
    """Keep the token out of what pytest itself writes: the failure report (an assertion's
    rewritten values may show it) and the captured output."""
    if not secrets:
        return
    if report.longrepr is not None:
        text = str(report.longrepr)
        if masked(text, secrets) != text:
            report.longrepr = masked(text, secrets)
    report.sections = [(title, masked(text, secrets)) for title, text in report.sections]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    scenario = _template(item)
    from harness.bdd.world import WORLD_KEY

    world = item.stash.get(WORLD_KEY, None)
    secrets = _secrets(item, world)
    if scenario is not None:
        result = ScenarioResult(
            nodeid=item.nodeid,
            test_name=item.name,
            scenario=scenario.name,
            feature=scenario.feature.name or scenario.feature.rel_filename,
            feature_file=scenario.feature.rel_filename,
            duration=report.duration,
        )
        if report.skipped:
            result.result = "skipped"
            result.cause = masked(cause_of(call.excinfo), secrets) if call.excinfo else ""
        elif report.failed:
            result.result = "failed" if call.when == "call" else "error"
            cause = cause_of(call.excinfo) if call.excinfo else "failed"
            if call.when != "call":
                cause = f"error in {call.when}: {cause}"
            result.cause = masked(cause, secrets)
            result.detail = masked(_traceback(call.excinfo, report), secrets)
            if world is not None and call.when != "teardown":
                _read_world(result, world, secrets)
        if call.when == "call" or report.skipped or report.failed:
            result.steps = item.stash.get(_STEPS_KEY, []) or [
                Step(s.keyword, s.name) for s in scenario.steps
            ]
        for title, text in result.sections():
            report.sections.append((title, text))  # the terminal's failure report
            # ... and, as captured output, JUnit XML's system-out (-o junit_logging=...)
            item.add_report_section(call.when, "stdout", f"{title}\n{text}\n")
        setattr(report, _RESULT_KEY, result.to_json())
    _mask_report(report, secrets)
    return report


# -- the run: collect, rewrite cucumber JSON, write HTML, print the verdict ---------------


class RunReports:
    """Collects each scenario's result as its reports come in (on the controller under
    xdist), and writes what the run ends with."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.results: dict[str, ScenarioResult] = {}
        self.started = datetime.now(UTC)
        self.clock = time.monotonic()
        self.duration = 0.0
        self.written: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = getattr(report, _RESULT_KEY, None)
        if not isinstance(data, dict):
            return
        new = ScenarioResult.from_json(data)
        old = self.results.get(new.nodeid)
        if old is None:
            self.results[new.nodeid] = new
            return
        old.duration += new.duration
        if new.steps:
            old.steps = new.steps
        if RESULTS.index(new.result) < RESULTS.index(old.result):
            # teardown's error does not replace a failure; a failure replaces a pass
            for name in ("result", "cause", "detail", "events", "events_error", "journal"):
                setattr(old, name, getattr(new, name))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """After pytest-bdd wrote the cucumber JSON (trylast): rewrite it, write the HTML."""
        if hasattr(self.config, "workerinput"):
            return  # an xdist worker: the controller writes the reports
        self.duration = time.monotonic() - self.clock
        secrets = [s for s in [self.config.getoption("--scim-token", None) or ""] if s]
        cucumber = self.config.getoption("cucumber_json_path", None)
        if cucumber and Path(cucumber).is_file():
            rewrite_cucumber(Path(cucumber), list(self.results.values()), secrets)
            self.written.append(str(cucumber))
        junit = self.config.getoption("xmlpath", None)
        if junit:
            self.written.append(str(junit))
        html = self.config.getoption("--html-report")
        if html:
            from harness.report_html import render

            path = Path(html)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                masked(render(self.run_info(), list(self.results.values())), secrets),
                encoding="utf-8",
            )
            self.written.append(str(html))

    def run_info(self) -> dict[str, Any]:
        option = self.config.getoption
        return {
            "target": option("--target", None),
            "scim_url": option("--scim-url", None),
            "profile": option("--profile", None),
            "domain": option("--domain", None),
            "started": self.started.strftime("%Y-%m-%d %H:%M:%S UTC"),
            "duration": self.duration,
            "counts": counts(self.results.values()),
        }

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.config.getoption("--verdict") or hasattr(self.config, "workerinput"):
            return
        secrets = [s for s in [self.config.getoption("--scim-token", None) or ""] if s]
        width = max(60, int(getattr(terminalreporter._tw, "fullwidth", 80)))
        for line in verdict(list(self.results.values()), self.written, width):
            terminalreporter.write_line(masked(line, secrets))


def counts(results: Iterable[ScenarioResult]) -> dict[str, int]:
    found = {name: 0 for name in RESULTS}
    for result in results:
        found[result.result] += 1
    return found


def count_line(results: list[ScenarioResult]) -> str:
    found = counts(results)
    parts = [f"{found[name]} {name}" for name in RESULTS if found[name]]
    return f"{len(results)} scenarios: " + (", ".join(parts) if parts else "none ran")


# -- the verdict's table ------------------------------------------------------------------


def readable(cause: str) -> str:
    """A cause as the table shows it: a SCIM error object quoted in it (RFC 7644 §3.12)
    shortened to its ``detail``, the words a person acts on; the reports keep it whole."""
    start = cause.find('{"schemas"')
    if start < 0:
        return cause
    try:
        error, end = json.JSONDecoder().raw_decode(cause, start)
    except ValueError:
        return cause
    if not isinstance(error, dict) or not error.get("detail"):
        return cause
    return f"{cause[:start]}{error['detail']}{readable(cause[end:])}"


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def _wrap(text: str, width: int, lines: int) -> list[str]:
    """``text`` on at most ``lines`` lines of ``width``, the last one cut with an ellipsis."""
    words, out, line = " ".join(text.split()).split(" "), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    out.append(line)
    if len(out) > lines:
        out = [*out[: lines - 1], _clip(" ".join(out[lines - 1 :]), width)]
    return [_clip(line, width) for line in out]


def group_key(result: ScenarioResult) -> tuple[str, str]:
    """Scenarios that failed for the same reason: the same result and cause, whichever
    user (e-mail address) the cause names and whatever data it shows after its words (a
    list or an object: the tasks or events found)."""
    cause = _EMAIL.sub("<user>", result.cause)
    data = _DATA.search(cause, 20)
    return result.result, cause[: data.start()].rstrip() + " …" if data else cause


def verdict(
    results: list[ScenarioResult], reports: list[str], width: int = 80, budget: int = TABLE_LINES
) -> list[str]:
    """The lines that close a run: a header, the scenarios that did not pass, the count,
    where the reports are. When one row per scenario (its name, then its cause) fits the
    budget, that is the table; otherwise the scenarios are grouped by cause, the biggest
    group first ("47 failed: <cause>", then some of their names), and what still does not
    fit is summed up in a last line that points at the reports."""
    rows = sorted(
        (r for r in results if r.result != "passed"),
        key=lambda r: RESULTS.index(r.result),
    )
    tag = 8  # "failed  " / "skipped "
    inner = width - tag
    lines = [f"{' verdict ':=^{width}}"]
    if not rows:
        lines.append("every scenario passed" if results else "no scenario ran")
    elif 2 * len(rows) <= budget:
        for r in rows:
            lines.append(f"{r.result:<{tag}}" + _clip(f"{r.title}  ({r.feature_file})", inner))
            lines.append(" " * tag + _clip(readable(r.cause) or "(no cause recorded)", inner))
    else:
        groups: dict[tuple[str, str], list[ScenarioResult]] = {}
        for r in rows:
            groups.setdefault(group_key(r), []).append(r)
        ordered = sorted(groups.items(), key=lambda kv: (RESULTS.index(kv[0][0]), -len(kv[1])))
        used = 0
        for index, ((result, _), members) in enumerate(ordered):
            block = _group_block(result, members, width, tag)
            rest = len(ordered) - index - 1
            if used + len(block) + (1 if rest else 0) > budget:
                lines.append(_clip(_the_rest(ordered[index:]), width))
                break
            lines.extend(block)
            used += len(block)
    lines.append(count_line(results))
    if reports:
        lines.append(reports_line(reports))  # never cut: a path must stay whole
    return lines


def reports_line(reports: list[str]) -> str:
    """Where the reports are, their folder once when they share one."""
    folders = {str(Path(p).parent) for p in reports}
    if len(folders) == 1:
        return f"Reports in {folders.pop()}: " + ", ".join(Path(p).name for p in reports)
    return "Reports: " + ", ".join(reports)


def _the_rest(groups: list[tuple[tuple[str, str], list[ScenarioResult]]]) -> str:
    """The groups that do not fit, summed up: "… and 12 more (4 failed, 5 error, 3 skipped;
    10 causes): see the reports"."""
    found = {name: 0 for name in RESULTS}
    for (result, _), members in groups:
        found[result] += len(members)
    parts = ", ".join(f"{n} {name}" for name, n in found.items() if n)
    causes = f"{len(groups)} cause{'s' if len(groups) > 1 else ''}"
    return f"… and {sum(found.values())} more ({parts}; {causes}): see the reports"


def _group_block(result: str, members: list[ScenarioResult], width: int, tag: int) -> list[str]:
    inner = width - tag
    if len(members) == 1:
        only = members[0]
        return [
            f"{result:<{tag}}" + _clip(f"{only.title}  ({only.feature_file})", inner),
            " " * tag + _clip(readable(only.cause) or "(no cause recorded)", inner),
        ]
    shown = readable(members[0].cause)
    if len({m.cause for m in members}) > 1:
        shown += " (and similar)"
    head = f"{len(members)} {result}: "
    wrapped = _wrap(shown or "(no cause recorded)", width - len(head), 2)
    block = [head + wrapped[0], *(" " * len(head) + w for w in wrapped[1:])]
    names = "; ".join(m.title for m in members[:3])
    more = f" (+{len(members) - 3} more)" if len(members) > 3 else ""
    block.append(" " * len(head) + _clip(f"e.g. {names}", width - len(head) - len(more)) + more)
    return block


# -- cucumber JSON --------------------------------------------------------------------------


def rewrite_cucumber(path: Path, results: list[ScenarioResult], secrets: list[str]) -> None:
    """pytest-bdd's cucumber JSON with each failed step's ``error_message`` starting with the
    scenario's cause (the traceback after it), the steps after it ``skipped`` (they did not
    run: pytest-bdd marks them failed), a scenario that failed after its steps (a check at
    its end) failed on its last step, and the token masked throughout."""
    try:
        features = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # not ours to repair; pytest-bdd's own file stays as it is
    by_key = {(r.feature_file, r.test_name): r for r in results}
    for feature in features if isinstance(features, list) else []:
        for element in feature.get("elements", []):
            result = by_key.get((feature.get("uri"), element.get("id")))
            if result is None or result.result not in ("failed", "error"):
                continue
            steps = element.get("steps", [])
            failed = next(
                (i for i, s in enumerate(steps) if s.get("result", {}).get("status") == "failed"),
                None,
            )
            if failed is None and steps:
                failed = len(steps) - 1
                steps[failed]["result"]["status"] = "failed"
            if failed is None:
                continue
            first = steps[failed]["result"]
            original = result.detail or first.get("error_message")
            first["error_message"] = f"{result.cause}\n\n{original}" if original else result.cause
            for step in steps[failed + 1 :]:
                step["result"]["status"] = "skipped"
                step["result"].pop("error_message", None)
    path.write_text(json.dumps(masked_json(features, secrets)), encoding="utf-8")

"""``harness check``: the suite's black-box scenarios against an external SCIM endpoint.

It runs the BDD suite as it ships in the harness package (harness/bdd: the step definitions
and the feature files, with its own check.ini, so the folder it is started in has no say)
with ``--target external``, skipping the ``@reference_only`` scenarios, and writes cucumber
JSON and JUnit XML. It needs no checkout: an installed wheel carries the suite. The token travels to
pytest in ``PYTEST_ADDOPTS`` rather than on its command line, so it does not show in the
process list.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from harness.bdd import FEATURES, HERE

CUCUMBER = "cucumber.json"
HTML = "report.html"
#: Test-only plugins the BDD suite does not use; not loading them halves pytest's start-up.
_UNUSED_PLUGINS = ("-p", "no:schemathesis", "-p", "no:hypothesispytest")
JUNIT = "junit.xml"
#: The console shows one screen: pytest's progress and final line, and the plugin's verdict
#: table; the tracebacks, System Logs and SCIM exchanges go to the reports (the System Log
#: into JUnit's system-out). Extra arguments come after, so ``-- --tb=short`` brings them back.
_ONE_SCREEN = (
    "-q",
    "--tb=no",
    "--no-header",
    "-rN",
    "--disable-warnings",
    "--verdict",
    "-o",
    "junit_logging=system-out",
)


class CheckError(Exception):
    """``check`` cannot run; the message says what to change."""


def suite() -> Path:
    """The folder of the shipped suite (harness/bdd), checked to hold what a run needs."""
    missing = [
        str(path)
        for path in (HERE / "test_features.py", HERE / "check.ini", FEATURES / "TAGS.md")
        if not path.is_file()
    ]
    if missing:
        raise CheckError(
            f"the BDD suite is incomplete in this installation (missing {', '.join(missing)}); "
            "reinstall the harness"
        )
    return HERE


def pytest_command(
    root: Path, scim_url: str, reports: Path, extra: tuple[str, ...] = ()
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pytest",
        "-c",
        str(root / "check.ini"),
        "--rootdir",
        str(root),
        str(root / "test_features.py"),
        "--target",
        "external",
        "--scim-url",
        scim_url,
        "-m",
        "not reference_only",
        f"--cucumberjson={reports / CUCUMBER}",
        f"--junitxml={reports / JUNIT}",
        f"--html-report={reports / HTML}",
        *_UNUSED_PLUGINS,
        *_ONE_SCREEN,
        *extra,
    ]


def run_check(scim_url: str, token: str, reports: Path, extra: tuple[str, ...] = ()) -> int:
    """Run the scenarios; return pytest's exit code (0 all passed, 1 some failed)."""
    if not scim_url.startswith(("http://", "https://")):
        raise CheckError(
            f"--scim-url must be an http(s) URL such as "
            f"https://www.wrike.com/app/scim/v2, not {scim_url!r}"
        )
    if not token.strip() or any(c.isspace() for c in token.strip()):
        raise CheckError("--token must be the SCIM bearer token, without spaces")
    root = suite()
    reports.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["PYTEST_ADDOPTS"] = (
        env.get("PYTEST_ADDOPTS", "") + f" --scim-token {shlex.quote(token.strip())}"
    ).strip()
    command = pytest_command(root, scim_url.rstrip("/"), reports.resolve(), extra)
    # Started where the user is, not in the suite's folder: ``python -m`` puts its working
    # folder first on sys.path.
    return subprocess.call(command, env=env)

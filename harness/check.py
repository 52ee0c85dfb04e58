"""``harness check``: the suite's black-box scenarios against an external SCIM endpoint.

It runs the BDD suite (steps/, features/) with ``--target external``, skipping the
``@reference_only`` scenarios, and writes cucumber JSON and JUnit XML. The token travels to
pytest in ``PYTEST_ADDOPTS`` rather than on its command line, so it does not show in the
process list.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import harness

CUCUMBER = "cucumber.json"
#: Test-only plugins the BDD suite does not use; not loading them halves pytest's start-up.
_UNUSED_PLUGINS = ("-p", "no:schemathesis", "-p", "no:hypothesispytest")
JUNIT = "junit.xml"


class CheckError(Exception):
    """``check`` cannot run; the message says what to change."""


def project_root() -> Path:
    """The checkout the harness runs from: the suite lives next to the packages."""
    root = Path(harness.__file__).resolve().parent.parent
    if not (root / "steps" / "test_features.py").is_file() or not (root / "features").is_dir():
        raise CheckError(
            f"the BDD suite (steps/ and features/) is not next to the harness in "
            f"{root}; run `check` from a checkout installed with "
            "`pip install -e '.[test]'`"
        )
    return root


def pytest_command(
    root: Path, scim_url: str, reports: Path, extra: tuple[str, ...] = ()
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pytest",
        str(root / "steps"),
        "--target",
        "external",
        "--scim-url",
        scim_url,
        "-m",
        "not reference_only",
        f"--cucumberjson={reports / CUCUMBER}",
        f"--junitxml={reports / JUNIT}",
        "-p",
        "no:cacheprovider",
        *_UNUSED_PLUGINS,
        "-rfE",
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
    root = project_root()
    reports.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["PYTEST_ADDOPTS"] = (
        env.get("PYTEST_ADDOPTS", "") + f" --scim-token {shlex.quote(token.strip())}"
    ).strip()
    command = pytest_command(root, scim_url.rstrip("/"), reports.resolve(), extra)
    return subprocess.call(command, cwd=root, env=env)

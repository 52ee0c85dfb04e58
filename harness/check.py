"""``harness check``: the suite's black-box scenarios against an external SCIM endpoint.

Before any scenario it runs the preflight (:mod:`harness.preflight`): when the endpoint cannot
work at all (unreachable, untrusted certificate, not the SCIM base URL, token refused, no
filter, the domain refused) it prints the verdict and stops with exit code 2 instead of running
a suite that can only fail.

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
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from harness.bdd import DEFAULT_PROFILE, FEATURE_DOMAIN, FEATURES, HERE, PROFILES, domain_problem

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


class PreflightFailed(CheckError):
    """The preflight found a problem; its verdict is already printed."""


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
    root: Path,
    scim_url: str,
    reports: Path,
    extra: tuple[str, ...] = (),
    domain: str = FEATURE_DOMAIN,
    profile: str = DEFAULT_PROFILE,
) -> list[str]:
    return [
        sys.executable,
        # -P: the folder the user starts in is not put on sys.path, so a local module named
        # like one of the suite's (or a checkout's harness/) cannot shadow the installed one.
        "-P",
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
        "--domain",
        domain,
        "--profile",
        profile,
        *extra,
    ]


def pytest_environment(token: str) -> dict[str, str]:
    """The environment the suite runs in: this one, with the token in ``PYTEST_ADDOPTS`` (not
    on the command line, where the process list would show it) as one word
    (``--scim-token=…``), so a token that starts with "-" is still its value."""
    env = dict(os.environ)
    env["PYTEST_ADDOPTS"] = (
        env.get("PYTEST_ADDOPTS", "") + " " + shlex.quote(f"--scim-token={token.strip()}")
    ).strip()
    return env


def check_input(scim_url: str, token: str, domain: str, profile: str) -> None:
    """Refuse what no preflight could use, with what to pass instead."""
    if not scim_url.startswith(("http://", "https://")):
        raise CheckError(
            f"--scim-url must be an http(s) URL such as "
            f"https://wrike.example/scim/<account id>/v2, not {scim_url!r}"
        )
    try:
        split = urlsplit(scim_url)
        split.port  # noqa: B018 - raises ValueError when out of range
    except ValueError as error:
        raise CheckError(f"--scim-url is not a valid URL ({error}): {scim_url!r}") from None
    if not split.hostname or any(c.isspace() for c in scim_url):
        raise CheckError(f"--scim-url must name a host, without spaces, not {scim_url!r}")
    if split.username is not None or split.password is not None:
        raise CheckError(
            "--scim-url must not carry a user name or password; the token goes in --token"
        )
    if split.query or split.fragment:
        raise CheckError("--scim-url is the SCIM base URL, without a ?query or #fragment")
    if not token.strip() or any(c.isspace() for c in token.strip()):
        raise CheckError("--token must be the SCIM bearer token, without spaces")
    problem = domain_problem(domain)
    if problem:
        raise CheckError(problem)
    if profile not in PROFILES:
        raise CheckError(f"--profile must be one of {', '.join(PROFILES)}, not {profile!r}")


def run_check(
    scim_url: str,
    token: str,
    reports: Path,
    extra: tuple[str, ...] = (),
    domain: str = FEATURE_DOMAIN,
    profile: str = DEFAULT_PROFILE,
    *,
    writes: bool = True,
    preflight_only: bool = False,
    echo: Callable[[str], None] = print,
) -> int:
    """Run the preflight, then the scenarios; return pytest's exit code (0 all passed, 1 some
    failed), or 0 after the preflight alone with ``preflight_only``. Raises
    :class:`PreflightFailed` (after printing the verdict) when the endpoint cannot run the
    suite, :class:`CheckError` when the input is unusable."""
    from harness.preflight import run_preflight

    check_input(scim_url, token, domain, profile)
    domain = domain.strip().lower()  # the address the preflight tests is the suite's
    root = suite()
    if not preflight_only:
        # Before the preflight writes to the endpoint: a run whose reports cannot be
        # written is refused now, in one line.
        try:
            reports.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CheckError(
                f"--reports {reports}: cannot create the folder ({error.strerror or error})"
            ) from None
        if not os.access(reports, os.W_OK):
            raise CheckError(f"--reports {reports}: the folder is not writable")
    verdict = run_preflight(scim_url, token, domain, writes=writes)
    for line in verdict.lines():
        echo(line)
    if verdict.failed:
        raise PreflightFailed(
            f"the preflight found {len(verdict.problems)} problem(s) (fix above); "
            "no scenario was run"
        )
    if preflight_only:
        return 0
    env = pytest_environment(token)
    command = pytest_command(
        root, scim_url.rstrip("/"), reports.resolve(), extra, domain=domain, profile=profile
    )
    # Started where the user is, not in the suite's folder (and with -P, see pytest_command).
    return subprocess.call(command, env=env)

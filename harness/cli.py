"""``harness``: the support workflow's console script.

``up`` serves OneLogin and Wrike wired together; ``repro`` replays a case file and diagnoses
it (or exports it as a Gherkin scenario); ``check`` runs the suite's black-box scenarios
against an external SCIM endpoint. Exit codes: 0 done (expectations met), 1 expectations or
scenarios failed, 2 the input could not be used (the message says why).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

# Only light modules here: each command imports its own code when it runs (`harness --help`
# and the preflight of `check` must not wait for both apps' code to load).
from harness.bdd import DEFAULT_PROFILE, FEATURE_DOMAIN, PROFILES

#: The installed distribution whose version ``--version`` prints (all three console scripts).
DISTRIBUTION = "onelogin-wrike-scim-harness"


@click.group()
@click.version_option(package_name=DISTRIBUTION, message="%(prog)s %(version)s")
def main() -> None:
    """Bring up OneLogin and Wrike together, replay support cases, check an external SCIM
    endpoint.

    \b
    Exit status:
      0  done (expectations met, scenarios passed)
      1  expectations or scenarios failed
      2  the input could not be used (the message says why)
    Each command's --help says what its codes mean."""


@main.command(short_help="Replay a support case file and diagnose it.")
@click.argument("case_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--export-feature",
    "export",
    is_flag=False,
    flag_value="-",
    default=None,
    metavar="[OUT.feature]",
    help="Write the case as a Gherkin scenario in the suite's step vocabulary "
    "(to OUT.feature, or to standard output when no file is given) instead of "
    "the report. An existing OUT.feature is kept unless --force is given.",
)
@click.option(
    "--html",
    "html_out",
    default=None,
    metavar="OUT.html",
    type=click.Path(dir_okay=False),
    help="Also write the report as one self-contained HTML file to attach to a ticket "
    "(the set-up, a timeline per user: OneLogin event -> SCIM exchange -> Wrike state, "
    "the diagnosis and the expectations); the text report (or --json) is still printed. "
    "An existing OUT.html is kept unless --force is given.",
)
@click.option(
    "--force",
    is_flag=True,
    help="With --export-feature OUT.feature or --html OUT.html: overwrite that file if it exists.",
)
@click.option(
    "--scim",
    "show_scim",
    is_flag=True,
    help="Also print each SCIM request body and Wrike's answer, as indented JSON.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the whole report as one JSON document (case, System Log events with "
    "their SCIM exchanges, Wrike users and seats, diagnosis, expectations and results).",
)
def repro(
    case_file: Path,
    export: str | None,
    html_out: str | None,
    force: bool,
    show_scim: bool,
    as_json: bool,
) -> None:
    """Replay CASE_FILE: build its set-up, run its timeline, print the System Log, the Wrike
    users and seats, and a diagnosis per user; check its `expect:` section. The same case
    prints the same bytes every time (ids come from the case's seed).

    The format is in docs/case-files.md; examples in fixtures/cases/.

    \b
    Exit status:
      0  replayed and every expectation met (or the feature written)
      1  an expectation not met (the --html file is written all the same)
      2  an invalid case file, an action that could not be carried out, or an
         export or --html file that would overwrite a file (without --force)"""
    from harness.case import CaseFileError, load_case

    try:
        case = load_case(case_file)
    except CaseFileError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        sys.exit(2)
    from harness.repro import ReplayFailed, replay, report, report_json

    if export is not None and html_out is not None:
        click.echo(
            "--export-feature and --html cannot be given together: export the feature, "
            "then replay with --html.",
            err=True,
        )
        sys.exit(2)
    if export is not None:
        from harness.gherkin import NotExpressible, export_feature

        if export != "-":
            _keep_existing(export, force)
        try:
            text = export_feature(case)
        except NotExpressible as error:
            click.echo(f"{case_file}: cannot export: {error}", err=True)
            sys.exit(2)
        except ReplayFailed as error:
            click.echo(str(error), err=True)
            sys.exit(2)
        if export == "-":
            click.echo(text, nl=False)
        else:
            _write(export, text)
        return
    if html_out is not None:
        _keep_existing(html_out, force)
    total = len(case.timeline)
    with click.progressbar(
        length=total,
        label=f"Replaying {total} step(s)",
        file=sys.stderr,
        show_pos=True,
        item_show_func=lambda s: s,
    ) as bar:

        def advance(step: object) -> None:
            bar.update(1, getattr(step, "action", ""))

        try:
            result = replay(case, on_step=advance)
        except ReplayFailed as error:
            click.echo("", err=True)
            click.echo(str(error), err=True)
            sys.exit(2)
    if as_json:
        click.echo(report_json(result))
    else:
        click.echo("\n".join(report(result, show_scim=show_scim)))
    if html_out is not None:
        from harness.repro_html import render

        _write(html_out, render(result))
    if result.failures:
        click.echo(f"{len(result.failures)} expectation(s) not met.", err=True)
        sys.exit(1)


def _keep_existing(out: str, force: bool) -> None:
    """The rule of every file ``repro`` writes: an existing file is kept unless --force."""
    if Path(out).exists() and not force:
        click.echo(
            f"{out} exists: not overwritten (give --force to replace it, or choose another file).",
            err=True,
        )
        sys.exit(2)


def _write(out: str, text: str) -> None:
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as error:
        click.echo(f"{out}: cannot write: {error.strerror or error}", err=True)
        sys.exit(2)
    click.echo(f"Wrote {out}", err=True)


@main.command(
    short_help="Serve OneLogin and Wrike wired together, until Ctrl-C.",
    epilog="""\b
Exit status:
  0  stopped by Ctrl-C or SIGTERM; the state stays in the data folder
  2  could not start (a port taken, a host that is not loopback, a data folder
     it cannot use); the message says why and what to change, and a failed
     first start leaves no data folder behind""",
)
@click.option(
    "--data-dir",
    default="data",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the SQLite files, the access logs and the credentials file "
    "(harness-up.json); a second `up` with the same folder resumes.",
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Loopback address to listen on."
)
@click.option(
    "--wrike-port",
    default=8100,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port of the reference Wrike provider (SCIM, admin and harness APIs, pages); "
    "0 takes any free port, and the banner and harness-up.json show the one taken.",
)
@click.option(
    "--onelogin-port",
    default=8200,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port of the simulated OneLogin (API, simulator API, console); 0 takes any free port.",
)
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Server threads per side.",
)
@click.option(
    "--verbose",
    is_flag=True,
    help="Also write each server's access log lines (one per request) to standard error.",
)
def up(
    data_dir: Path, host: str, wrike_port: int, onelogin_port: int, threads: int, verbose: bool
) -> None:
    """Serve the simulated OneLogin and the reference Wrike provider, wired together, until
    Ctrl-C or SIGTERM. The first start seeds both sides; later starts resume.

    The banner and DATA_DIR/harness-up.json show the state as the apps report it (users,
    the roles holding the Wrike app, whether provisioning is on); each server logs every
    request to DATA_DIR/wrike-access.log and DATA_DIR/onelogin-access.log, with secrets
    masked."""
    from harness.up import EXIT_CANNOT_START, StopSignals, UpError, start, summary

    with StopSignals() as signals:
        try:
            running = start(data_dir, host, wrike_port, onelogin_port, threads, verbose=verbose)
        except UpError as error:
            click.echo(f"harness up: {error}", err=True)
            if verbose and error.__cause__ is not None:
                import traceback

                traceback.print_exception(error.__cause__, file=sys.stderr)
            sys.exit(EXIT_CANNOT_START)
        click.echo("\n".join(summary(running, data_dir)))
        try:
            signals.wait()
        finally:
            click.echo("Stopping both servers...")
            running.stop()
            click.echo(f"Stopped. State kept in {data_dir}.")


@main.command(
    context_settings={"ignore_unknown_options": True},
    short_help="Run the suite against an external SCIM endpoint.",
)
@click.option(
    "--scim-url",
    required=True,
    help="SCIM base URL of the Wrike account under test (as Wrike's SCIM tab shows it, "
    "without /Users).",
)
@click.option(
    "--token",
    required=True,
    envvar="HARNESS_SCIM_TOKEN",
    show_envvar=True,
    help="SCIM bearer token for that account (prefer the environment variable: it "
    "stays out of shell history). Never printed: the output shows only its last four "
    "characters.",
)
@click.option(
    "--domain",
    default=FEATURE_DOMAIN,
    show_default=True,
    help="An approved domain of that account: the suite's generated users and the "
    "preflight's test user get addresses there.",
)
@click.option(
    "--profile",
    type=click.Choice(PROFILES),
    default=DEFAULT_PROFILE,
    show_default=True,
    help="rfc: what any RFC 7643/7644 provider must do; wrike: also the scenarios that "
    "need a rule only Wrike has (for a staging Wrike).",
)
@click.option(
    "--no-writes",
    is_flag=True,
    help="Skip the preflight's write check (create, read back and delete a user at "
    "--domain); the verdict says it was skipped.",
)
@click.option(
    "--preflight-only",
    is_flag=True,
    help="Run only the preflight and exit: 0 when the endpoint can run the suite, 2 when not.",
)
@click.option(
    "--reports",
    default="reports",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for report.html (to attach to a ticket), cucumber.json and junit.xml "
    "(each failed scenario's System Log in system-out, the token masked).",
)
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
def check(
    scim_url: str,
    token: str,
    domain: str,
    profile: str,
    no_writes: bool,
    preflight_only: bool,
    reports: Path,
    pytest_args: tuple[str, ...],
) -> None:
    """Run the suite's black-box scenarios (those not tagged @reference_only, nor under
    --profile rfc those needing a rule only Wrike has) against an external SCIM endpoint,
    ending with a one-screen verdict and writing report.html, cucumber.json and junit.xml.
    Extra arguments after `--` go to pytest (e.g. `-- -k smoke -x`).

    A preflight runs first (within 10 s): reachable, TLS, the SCIM base URL, the token,
    ServiceProviderConfig (filter, PATCH), and a user created, read back and deleted at
    --domain. Its verdict prints one line per check, with the fix for each problem.

    \b
    Exit status:
      0  every selected scenario passed (with --preflight-only: the preflight passed)
      1  a scenario failed, or none was selected
      2  the preflight failed (no scenario was run), the input is unusable, or
         pytest could not run the suite
    """
    from harness.check import CUCUMBER, HTML, JUNIT, CheckError, run_check

    try:
        code = run_check(
            scim_url,
            token,
            reports,
            pytest_args,
            domain,
            profile,
            writes=not no_writes,
            preflight_only=preflight_only,
            echo=click.echo,
        )
    except CheckError as error:
        click.echo(f"harness check: {error}", err=True)
        sys.exit(2)
    if preflight_only:
        return
    if code in (0, 1, 5):  # pytest ran the suite, so it wrote the reports
        click.echo(f"Reports: {reports / HTML}, {reports / CUCUMBER}, {reports / JUNIT}", err=True)
    if code == 0:
        return
    if code == 1:
        click.echo("harness check: some scenarios failed (see above and the reports).", err=True)
        sys.exit(1)
    if code == 5:
        click.echo(
            "harness check: no scenario was selected; check the extra pytest arguments.", err=True
        )
        sys.exit(1)
    click.echo(f"harness check: pytest could not run the suite (exit code {code}).", err=True)
    sys.exit(2)


if __name__ == "__main__":
    main()

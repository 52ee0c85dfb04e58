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
    "--force",
    is_flag=True,
    help="With --export-feature OUT.feature: overwrite OUT.feature if it exists.",
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
def repro(case_file: Path, export: str | None, force: bool, show_scim: bool, as_json: bool) -> None:
    """Replay CASE_FILE: build its set-up, run its timeline, print the System Log, the Wrike
    users and seats, and a diagnosis per user; check its `expect:` section. The same case
    prints the same bytes every time (ids come from the case's seed).

    The format is in docs/case-files.md; examples in fixtures/cases/.

    \b
    Exit status:
      0  replayed and every expectation met (or the feature written)
      1  an expectation not met
      2  an invalid case file, an action that could not be carried out, or an
         export that would overwrite a file (without --force)"""
    from harness.case import CaseFileError, load_case

    try:
        case = load_case(case_file)
    except CaseFileError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        sys.exit(2)
    from harness.repro import ReplayFailed, replay, report, report_json

    if export is not None:
        from harness.gherkin import NotExpressible, export_feature

        if export != "-" and Path(export).exists() and not force:
            click.echo(
                f"{export} exists: not overwritten (give --force to replace it, or choose "
                "another file).",
                err=True,
            )
            sys.exit(2)
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
            try:
                Path(export).write_text(text, encoding="utf-8")
            except OSError as error:
                click.echo(f"{export}: cannot write: {error.strerror or error}", err=True)
                sys.exit(2)
            click.echo(f"Wrote {export}", err=True)
        return
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
    if result.failures:
        click.echo(f"{len(result.failures)} expectation(s) not met.", err=True)
        sys.exit(1)


@main.command(short_help="Serve OneLogin and Wrike wired together, until Ctrl-C.")
@click.option(
    "--data-dir",
    default="data",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the SQLite files and the credentials file; a second `up` with "
    "the same folder resumes.",
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Loopback address to listen on."
)
@click.option(
    "--wrike-port",
    default=8100,
    show_default=True,
    type=int,
    help="Port of the reference Wrike provider (SCIM, admin pages, admin API).",
)
@click.option(
    "--onelogin-port",
    default=8200,
    show_default=True,
    type=int,
    help="Port of the simulated OneLogin (console, API, simulator API).",
)
@click.option("--threads", default=8, show_default=True, type=int, help="Server threads per side.")
def up(data_dir: Path, host: str, wrike_port: int, onelogin_port: int, threads: int) -> None:
    """Serve the simulated OneLogin and the reference Wrike provider, wired together, until
    Ctrl-C or SIGTERM. The first start seeds both sides; later starts resume.

    \b
    Exit status:
      0  stopped by Ctrl-C or SIGTERM
      2  could not start (a port in use, an unusable data folder; the message says which)"""
    from harness.up import StopSignals, UpError, start, summary

    with StopSignals() as signals:
        try:
            running = start(data_dir, host, wrike_port, onelogin_port, threads)
        except UpError as error:
            click.echo(f"harness up: {error}", err=True)
            sys.exit(2)
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
    help="SCIM base URL of the Wrike account under test (as Wrike's SCIM tab shows it).",
)
@click.option(
    "--token",
    required=True,
    envvar="HARNESS_SCIM_TOKEN",
    show_envvar=True,
    help="SCIM bearer token for that account (prefer the environment variable: it "
    "stays out of shell history).",
)
@click.option(
    "--reports",
    default="reports",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for cucumber.json and junit.xml.",
)
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
def check(scim_url: str, token: str, reports: Path, pytest_args: tuple[str, ...]) -> None:
    """Run the suite's black-box scenarios (those not tagged @reference_only) against an
    external SCIM endpoint, writing cucumber JSON and JUnit reports. Extra arguments after
    `--` go to pytest (e.g. `-- -k smoke -x`).

    \b
    Exit status:
      0  every selected scenario passed
      1  a scenario failed, or none was selected
      2  the suite could not run (the message says why)"""
    from harness.check import CUCUMBER, JUNIT, CheckError, run_check

    try:
        code = run_check(scim_url, token, reports, pytest_args)
    except CheckError as error:
        click.echo(f"harness check: {error}", err=True)
        sys.exit(2)
    click.echo(f"Reports: {reports / CUCUMBER}, {reports / JUNIT}", err=True)
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

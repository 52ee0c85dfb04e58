"""``mock-onelogin``: serve the simulated OneLogin under waitress with a background worker."""

from __future__ import annotations

import secrets
from pathlib import Path

import click

from mock_onelogin.app import create_app
from mock_onelogin.config import OneLoginConfig
from mock_onelogin.store._sealing import key_path
from webguard.files import database_files, kept_key, private_folder, write_private

DATABASE = "onelogin.sqlite3"
#: The console admin's generated password, kept (0600) so a restart can still sign in; not
#: written when the password comes from --console-password.
CONSOLE_PASSWORD = "onelogin-console-password"
#: The simulator API's bearer key, made at first start.
SIMULATOR_KEY = "simulator-key"
_PRIVATE_FILES = (
    *database_files(DATABASE),
    key_path(DATABASE).name,
    CONSOLE_PASSWORD,
    SIMULATOR_KEY,
)


def _console_password(data_dir: Path, given: str | None) -> tuple[str, str]:
    """The console password and how to tell the user about it: as given, kept from an earlier
    start, or generated now (and kept for the next one)."""
    if given:
        return given, "with the password given by --console-password"
    path = data_dir / CONSOLE_PASSWORD
    if path.exists():
        return path.read_text(encoding="utf-8").strip(), f"with the password in {path}"
    password = secrets.token_urlsafe(12)
    write_private(path, password + "\n")
    return password, f"/ {password}   (shown once; kept in {path})"


@click.group()
@click.version_option(package_name="onelogin-wrike-scim-harness", message="%(prog)s %(version)s")
def main() -> None:
    """A simulated OneLogin: directory, Wrike connector, provisioning, System Log, API.

    \b
    Exit status:
      0  stopped (Ctrl-C)
      2  the options could not be used (the message says why)"""


@main.command(short_help="Serve the simulated OneLogin over HTTP (state in DATA_DIR).")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="data",
    show_default=True,
    help="Folder for the SQLite database; state survives restarts.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (keep loopback unless behind a TLS proxy).",
)
@click.option("--port", default=8200, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--threads", default=8, show_default=True, type=int, help="Server (waitress) threads."
)
@click.option(
    "--client-id",
    envvar="MOCK_ONELOGIN_CLIENT_ID",
    default=None,
    help="Seed an API credential with this client id (with --client-secret).",
)
@click.option(
    "--client-secret",
    envvar="MOCK_ONELOGIN_CLIENT_SECRET",
    default=None,
    help="The secret of the API credential seeded with --client-id (env "
    "MOCK_ONELOGIN_CLIENT_SECRET: it stays out of shell history).",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="A host name clients reach the server by (repeatable). IP addresses and localhost "
    "are always accepted; a request naming any other host is refused (DNS rebinding).",
)
@click.option(
    "--console-password",
    envvar="MOCK_ONELOGIN_CONSOLE_PASSWORD",
    default=None,
    help="Password of the admin console's login (env MOCK_ONELOGIN_CONSOLE_PASSWORD). "
    "Default: a random one, printed at first start and kept in "
    f"DATA_DIR/{CONSOLE_PASSWORD} (mode 0600) for the next.",
)
def serve(
    data_dir: Path,
    host: str,
    port: int,
    threads: int,
    client_id: str | None,
    client_secret: str | None,
    allowed_hosts: tuple[str, ...],
    console_password: str | None,
) -> None:
    """Serve the API over HTTP; a worker thread drains the provisioning queue. The data folder
    is made private (0700, its files 0600): the database keeps the SCIM token sealed with the
    key file beside it.

    \b
    Exit status:
      0  stopped (Ctrl-C)
      2  the options could not be used (the message says why)"""
    import waitress

    from mock_onelogin.domain.modelling import server_options

    if bool(client_id) != bool(client_secret):
        raise click.UsageError("--client-id and --client-secret go together")
    tightened = private_folder(data_dir, _PRIVATE_FILES)
    if tightened:
        click.echo(f"Made private (they hold secrets): {', '.join(tightened)}")
    password, told = _console_password(data_dir, console_password)
    public = f"http://{'localhost' if host in ('0.0.0.0', '127.0.0.1') else host}:{port}"
    config = OneLoginConfig(
        database=str(data_dir / DATABASE),
        drain_mode="worker",
        public_url=public,
        seed_client_id=client_id,
        seed_client_secret=client_secret,
        allowed_hosts=allowed_hosts,
        simulator_key=kept_key(data_dir / SIMULATOR_KEY),
        console_admin_password=password,
    )
    app = create_app(config)
    account = app.extensions["mock_onelogin"]
    click.echo(
        f"Simulated OneLogin on {public} (data in {data_dir}); Wrike app id "
        f"{account.apps.wrike_app_id()}."
    )
    click.echo(
        f"Simulator API: {public}/simulator/api  (Authorization: Bearer {config.simulator_key}; "
        f"the key is kept in {data_dir}). Create API credentials with POST "
        f"{public}/simulator/api/credentials"
    )
    click.echo(f"Console: {public}/admin/login  sign in as {config.console_admin_email} {told}")
    wrike = account.apps.wrike_app_id()
    click.echo(
        f"SAML: IdP metadata of the Wrike app {public}/saml/metadata/{wrike}; users log in at "
        f"{public}/login and launch their apps from {public}/portal"
    )
    try:
        waitress.serve(app, host=host, port=port, threads=threads, **server_options())
    finally:
        worker = app.extensions.get("mock_onelogin_worker")
        if worker is not None:
            worker.stop()


if __name__ == "__main__":
    main()

"""``mock-onelogin``: serve the simulated OneLogin under waitress with a background worker."""

from __future__ import annotations

from pathlib import Path

import click

from mock_onelogin.app import create_app
from mock_onelogin.config import OneLoginConfig


@click.group()
def main() -> None:
    """A simulated OneLogin: directory, Wrike connector, provisioning, System Log, API."""


@main.command()
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="data",
    show_default=True,
    help="Folder for the SQLite database; state survives restarts.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8200, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option(
    "--client-id",
    envvar="MOCK_ONELOGIN_CLIENT_ID",
    default=None,
    help="Seed an API credential with this client id (with --client-secret).",
)
@click.option("--client-secret", envvar="MOCK_ONELOGIN_CLIENT_SECRET", default=None)
def serve(
    data_dir: Path,
    host: str,
    port: int,
    threads: int,
    client_id: str | None,
    client_secret: str | None,
) -> None:
    """Serve the API over HTTP; a worker thread drains the provisioning queue."""
    import waitress

    from mock_onelogin.domain.modelling import server_options

    if bool(client_id) != bool(client_secret):
        raise click.UsageError("--client-id and --client-secret go together")
    data_dir.mkdir(parents=True, exist_ok=True)
    public = f"http://{'localhost' if host in ('0.0.0.0', '127.0.0.1') else host}:{port}"
    config = OneLoginConfig(
        database=str(data_dir / "onelogin.sqlite3"),
        drain_mode="worker",
        public_url=public,
        seed_client_id=client_id,
        seed_client_secret=client_secret,
    )
    app = create_app(config)
    account = app.extensions["mock_onelogin"]
    click.echo(
        f"Simulated OneLogin on {public} (data in {data_dir}); Wrike app id "
        f"{account.apps.wrike_app_id()}. Create API credentials with "
        f"POST {public}/simulator/api/credentials"
    )
    try:
        waitress.serve(app, host=host, port=port, threads=threads, **server_options())
    finally:
        worker = app.extensions.get("mock_onelogin_worker")
        if worker is not None:
            worker.stop()


if __name__ == "__main__":
    main()

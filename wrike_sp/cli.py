"""``wrike-sp``: serve the reference provider under a real WSGI server (waitress)."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, fields
from pathlib import Path

import click

from wrike_sp.app import create_app
from wrike_sp.config import WrikeConfig
from wrike_sp.demo import seed_demo_account

_DEFAULTS = {f.name: f.default for f in fields(WrikeConfig)}


def _admin_key(data_dir: Path) -> str:
    path = data_dir / "wrike-admin-key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(24)
    path.write_text(key)
    os.chmod(path, 0o600)
    return key


@click.group()
def main() -> None:
    """The reference Wrike SCIM 2.0 provider."""


@main.command()
@click.option(
    "--data-dir",
    default="data",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Folder for the SQLite database; state survives a restart.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8100, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--public-url", default=None, help="Base URL clients use (default: http://HOST:PORT)."
)
@click.option(
    "--harness/--no-harness",
    default=_DEFAULTS["harness_enabled"],
    show_default=True,
    help="Enable the harness controls (reset, faults, journal).",
)
@click.option(
    "--seed/--no-seed",
    default=True,
    show_default=True,
    help="Seed a demo account when the database is empty.",
)
@click.option("--threads", default=8, show_default=True, type=int, help="Server threads.")
def serve(
    data_dir: Path,
    host: str,
    port: int,
    public_url: str | None,
    harness: bool,
    seed: bool,
    threads: int,
) -> None:
    """Serve the provider with a seeded demo account (plan, approved domain, an admin with both
    rights, a token printed once)."""
    from waitress import serve as waitress_serve

    from wrike_sp.domain.modelling import server_options

    data_dir.mkdir(parents=True, exist_ok=True)
    public = public_url or f"http://{host}:{port}"
    config = WrikeConfig(
        database=str(data_dir / "wrike.sqlite3"),
        public_url=public,
        admin_key=_admin_key(data_dir),
        harness_enabled=harness,
    )
    app = create_app(config)
    runtime = app.extensions["wrike"]
    info_path = data_dir / "wrike-demo.json"
    if seed and not runtime.store.accounts():
        demo = seed_demo_account(runtime.accounts)
        info = {k: v for k, v in asdict(demo).items() if k != "token"}
        info["scim_url"] = public.rstrip("/") + demo.scim_path
        info_path.write_text(json.dumps(info, indent=2))
        click.echo(
            f"Seeded demo account {demo.account_id} ({demo.plan}), approved domain "
            f"{demo.domain}, admin {demo.admin_email} / {demo.admin_password}"
        )
        click.echo(f"SCIM URL:    {info['scim_url']}")
        click.echo(f"SCIM token:  {demo.token}   (shown once; it is stored only as a hash)")
    elif info_path.exists():
        info = json.loads(info_path.read_text())
        click.echo(
            f"Resuming account {info['account_id']}; SCIM URL {info['scim_url']} "
            "(the token was shown when it was issued)"
        )
    click.echo(f"Admin API:   {public}/admin/api/v1  (Authorization: Bearer {config.admin_key})")
    click.echo(f"Serving on {public}")
    waitress_serve(app, host=host, port=port, threads=threads, ident="wrike-sp", **server_options())


if __name__ == "__main__":
    main()

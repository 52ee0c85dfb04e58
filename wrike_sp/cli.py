"""``wrike-sp``: serve the reference provider under a real WSGI server (waitress)."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import click

from webguard.files import database_files, kept_key, private_folder, write_private
from wrike_sp.app import create_app
from wrike_sp.config import WrikeConfig
from wrike_sp.demo import seed_demo_account
from wrike_sp.domain import modelling

_DEFAULTS = {f.name: f.default for f in fields(WrikeConfig)}
DATABASE = "wrike.sqlite3"
DEMO_INFO = "wrike-demo.json"
ADMIN_KEY = "wrike-admin-key"
#: The demo owner's generated password, kept (0600) so a restart can still sign in; it is not
#: written when the password came from --owner-password.
OWNER_PASSWORD = "wrike-owner-password"
_PRIVATE_FILES = (*database_files(DATABASE), DEMO_INFO, ADMIN_KEY, OWNER_PASSWORD)


def _owner_password_note(signin: Any, info: dict[str, Any], kept: Path, given: str | None) -> str:
    """Where a restarted server's owner finds their password. The password was set when the
    account was seeded; --owner-password does not change it later."""
    if given:
        if signin.log_in(info["admin_email"], given, "wrike-sp serve", info["account_id"]):
            return "password as given by --owner-password"
        return (
            "--owner-password does not match: the password was set when the account was "
            "seeded and a restart does not change it"
            + (f"; the generated one is in {kept}" if kept.exists() else "")
        )
    if kept.exists():
        return f"password in {kept} (mode 0600)"
    return "password as given by --owner-password when the account was seeded"


@click.group()
@click.version_option(package_name="onelogin-wrike-scim-harness", message="%(prog)s %(version)s")
def main() -> None:
    """The reference Wrike SCIM 2.0 provider.

    \b
    Exit status:
      0  stopped (Ctrl-C)
      2  the options could not be used (the message says why)"""


@main.command(short_help="Serve the provider with a seeded demo account (state in DATA_DIR).")
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
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="A host name clients reach the server by (repeatable). IP addresses, localhost and "
    "--public-url's host are always accepted; a request naming any other host is refused "
    "(DNS rebinding).",
)
@click.option(
    "--owner-password",
    envvar="WRIKE_SP_OWNER_PASSWORD",
    default=None,
    help="Password of the demo account's owner, used when the account is seeded (env "
    "WRIKE_SP_OWNER_PASSWORD). Default: a random one, printed once and kept in "
    f"DATA_DIR/{OWNER_PASSWORD} (mode 0600).",
)
def serve(
    data_dir: Path,
    host: str,
    port: int,
    public_url: str | None,
    harness: bool,
    seed: bool,
    threads: int,
    allowed_hosts: tuple[str, ...],
    owner_password: str | None,
) -> None:
    """Serve the provider with a seeded demo account (plan, approved domain, an admin with both
    rights, a token printed once). The data folder is made private (0700, its files 0600): it
    holds the admin key and, unless --owner-password is given, the owner's password.

    \b
    Exit status:
      0  stopped (Ctrl-C)
      2  the options could not be used (the message says why)"""
    from waitress import serve as waitress_serve

    from wrike_sp.domain.modelling import server_options

    if owner_password is not None and len(owner_password) < 8:
        raise click.BadParameter(
            "a password has at least 8 characters", param_hint="--owner-password"
        )
    tightened = private_folder(data_dir, _PRIVATE_FILES)
    if tightened:
        click.echo(f"Made private (they hold secrets): {', '.join(tightened)}")
    public = public_url or f"http://{host}:{port}"
    config = WrikeConfig(
        database=str(data_dir / DATABASE),
        public_url=public,
        admin_key=kept_key(data_dir / ADMIN_KEY),
        harness_enabled=harness,
        allowed_hosts=allowed_hosts,
    )
    app = create_app(config)
    runtime = app.extensions["wrike"]
    info_path = data_dir / DEMO_INFO
    password_path = data_dir / OWNER_PASSWORD
    if seed and not runtime.store.accounts():
        demo = seed_demo_account(runtime.accounts, admin_password=owner_password)
        info = {k: v for k, v in asdict(demo).items() if k not in ("token", "admin_password")}
        info["scim_url"] = public.rstrip("/") + demo.scim_path
        write_private(info_path, json.dumps(info, indent=2))
        if owner_password:
            kept = "(as given by --owner-password)"
        else:
            write_private(password_path, demo.admin_password + "\n")
            kept = f"(shown once; kept in {password_path})"
        click.echo(
            f"Seeded demo account {demo.account_id} ({demo.plan}), approved domain "
            f"{demo.domain}, admin {demo.admin_email} / {demo.admin_password}   {kept}"
        )
        click.echo(f"SCIM URL:    {info['scim_url']}")
        click.echo(f"SCIM token:  {demo.token}   (shown once; it is stored only as a hash)")
    elif info_path.exists():
        info = json.loads(info_path.read_text())
        if "admin_password" in info:
            # An older version wrote the password here; it moves to its own private file.
            if not password_path.exists():
                write_private(password_path, info["admin_password"] + "\n")
            del info["admin_password"]
            write_private(info_path, json.dumps(info, indent=2))
            click.echo(f"Moved the owner's password from {info_path} to {password_path}")
        click.echo(
            f"Resuming account {info['account_id']}; SCIM URL {info['scim_url']} "
            "(the token was shown when it was issued)"
        )
        note = _owner_password_note(
            app.extensions["wrike_signin"], info, password_path, owner_password
        )
        click.echo(f"Admin {info['admin_email']}: {note}")
    click.echo(f"Admin key:   {config.admin_key}  (Authorization: Bearer ...; in {data_dir})")
    click.echo(f"Admin API:   {public}/admin/api/v1")
    if info_path.exists():
        account_id = json.loads(info_path.read_text())["account_id"]
        sp_path = modelling.SAML_BASE_PATH.format(account_id=account_id)
        click.echo(f"SAML SP metadata: {public.rstrip('/')}{sp_path}/metadata")
    if harness:
        click.echo(f"Harness API: {public}/harness/api  (the same admin key)")
    click.echo(f"Serving on {public}")
    waitress_serve(app, host=host, port=port, threads=threads, ident="wrike-sp", **server_options())


if __name__ == "__main__":
    main()

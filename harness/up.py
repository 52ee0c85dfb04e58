"""``harness up``: the simulated OneLogin and the reference Wrike provider on loopback, wired
together, in one process (waitress, a thread each), with state in SQLite files.

First start seeds both sides the way an admin would after following the article: a Wrike
account on Enterprise Standard with an approved domain, an owner holding every right and an
API token; OneLogin users, a role holding the Wrike app, and the Wrike app configured with the
SCIM URL and the token (API connection enabled, provisioning on). A second start finds the
credentials file and resumes without seeding.

The credentials file (``harness-up.json``, mode 0600) holds everything a script needs,
including the Wrike SCIM token and the OneLogin API client secret: the servers listen only on
loopback and exist for support and testing, and a script that runs ``harness check`` or calls
SCIM needs the token. Wrike itself keeps only the token's hash; the file is the one copy.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import secrets
import signal
import threading
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from waitress import wasyncore
from waitress.server import create_server

from harness import vocabulary as v
from mock_onelogin import OneLoginAccount, OneLoginConfig
from mock_onelogin import create_app as create_onelogin
from mock_onelogin.domain.modelling import server_options as onelogin_server_options
from wrike_sp import WrikeConfig
from wrike_sp import create_app as create_wrike
from wrike_sp.demo import seed_demo_account
from wrike_sp.domain.modelling import server_options as wrike_server_options

CREDENTIALS = "harness-up.json"
WRIKE_DB = "wrike.sqlite3"
ONELOGIN_DB = "onelogin.sqlite3"
#: The key the simulated OneLogin seals its SCIM token with, made beside its database.
ONELOGIN_KEY = "onelogin.key"
SEED_DOMAIN = "acme.example"
#: The BDD suite's users are at acme.com; approving it too lets `harness check` run green
#: against the local Wrike (a self-test of the gate before pointing it at a staging Wrike).
SUITE_DOMAIN = "acme.com"
SEED_ROLE = "Wrike users"
CONSOLE_ADMIN = "admin@onelogin.example"
#: OneLogin users seeded on first start: the first is in the role that holds the Wrike app
#: (so it is provisioned at once); the others are there to be assigned from the pages.
SEED_USERS = (
    ("ada", "Ada", "Lovelace", "Engineer"),
    ("grace", "Grace", "Hopper", "Admiral"),
    ("alan", "Alan", "Turing", "Researcher"),
    ("katherine", "Katherine", "Johnson", "Mathematician"),
)


class UpError(Exception):
    """``up`` cannot start; the message says what to change."""


def require_loopback(host: str) -> None:
    """The servers hold test credentials and a provider with fault controls: loopback only."""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise UpError(
        f"--host {host} is not a loopback address; the harness serves only on "
        "loopback (use 127.0.0.1, ::1 or localhost)"
    )


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def private_folder(data_dir: Path) -> list[str]:
    """Create the data folder 0700, or tighten an existing one and the files ``up`` keeps in
    it (the databases tighten their own files when they open). Returns what was tightened."""
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    tightened = []
    names = (
        CREDENTIALS,
        ONELOGIN_KEY,
        *(db + side for db in (WRIKE_DB, ONELOGIN_DB) for side in ("", "-wal", "-shm", "-journal")),
    )
    for path, private in ((data_dir, 0o700), *((data_dir / n, 0o600) for n in names)):
        if path.exists() and path.stat().st_mode & 0o077:
            tightened.append(f"{path} {path.stat().st_mode & 0o777:04o} -> {private:04o}")
            os.chmod(path, private)
    return tightened


def write_private(path: Path, data: dict[str, Any]) -> None:
    """Write JSON readable only by the owner (0600), also when the file already exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        json.dump(data, handle, indent=2)
        handle.write("\n")


@dataclass
class Running:
    """Both servers, their threads and the apps behind them."""

    info: dict[str, Any]
    seeded: bool
    notes: list[str]
    _servers: list[Any]
    _threads: list[threading.Thread]
    _wrike: Any
    _onelogin: Any

    def stop(self) -> None:
        """Stop the provisioning worker first (it may be calling Wrike), then both servers.
        Closing a waitress server leaves open keep-alive connections (the engine's own, to
        Wrike) in its socket map, which keeps its loop running; they are closed too."""
        worker = self._onelogin.extensions.get("mock_onelogin_worker")
        if worker is not None:
            worker.stop()
        for server in self._servers:
            server.close()
            socket_map = getattr(server, "_map", None)
            if socket_map:
                wasyncore.close_all(socket_map)
            server.task_dispatcher.shutdown()
        for thread in self._threads:
            thread.join(timeout=5)
        with contextlib.suppress(Exception):
            self._wrike.extensions["wrike"].store.close()
        with contextlib.suppress(Exception):
            self._onelogin.extensions["mock_onelogin"].store.close()


def start(
    data_dir: Path, host: str, wrike_port: int, onelogin_port: int, threads: int = 8
) -> Running:
    """Start both servers (seeding on first start) and return once they answer."""
    require_loopback(host)
    creds_path = data_dir / CREDENTIALS
    previous: dict[str, Any] | None = None
    if creds_path.exists():
        try:
            previous = json.loads(creds_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise UpError(
                f"{creds_path} is unreadable ({error}); restore it or start with an "
                "empty --data-dir"
            ) from error
    elif (data_dir / WRIKE_DB).exists() or (data_dir / ONELOGIN_DB).exists():
        raise UpError(
            f"{data_dir} holds databases but no {CREDENTIALS}: it was not made by "
            "`harness up`, or its first start was interrupted. Remove the folder or "
            "choose another --data-dir"
        )
    tightened = private_folder(data_dir)
    fresh = {
        "wrike_admin_key": secrets.token_urlsafe(24),
        "wrike_session_key": secrets.token_urlsafe(32),
        "onelogin_client_id": secrets.token_hex(32),
        "onelogin_client_secret": secrets.token_hex(32),
        "onelogin_console_password": secrets.token_urlsafe(12),
        "onelogin_session_key": secrets.token_urlsafe(32),
        "onelogin_simulator_key": secrets.token_urlsafe(24),
    }
    # A file from an earlier version lacks the newer keys: they are made now and kept.
    secrets_ = {**fresh, **((previous or {}).get("secrets") or {})}
    wrike_url, onelogin_url = _url(host, wrike_port), _url(host, onelogin_port)
    wrike = create_wrike(
        WrikeConfig(
            database=str(data_dir / WRIKE_DB),
            public_url=wrike_url,
            admin_key=secrets_["wrike_admin_key"],
            harness_enabled=True,
            secret_key=secrets_["wrike_session_key"],
        )
    )
    onelogin = create_onelogin(
        OneLoginConfig(
            database=str(data_dir / ONELOGIN_DB),
            drain_mode="worker",
            public_url=onelogin_url,
            seed_client_id=secrets_["onelogin_client_id"],
            seed_client_secret=secrets_["onelogin_client_secret"],
            console_admin_email=CONSOLE_ADMIN,
            console_admin_password=secrets_["onelogin_console_password"],
            secret_key=secrets_["onelogin_session_key"],
            simulator_key=secrets_["onelogin_simulator_key"],
        )
    )
    servers, started = [], []
    try:
        for app, port, ident in (
            (wrike, wrike_port, "wrike"),
            (onelogin, onelogin_port, "onelogin"),
        ):
            try:
                servers.append(
                    create_server(
                        app,
                        host=host,
                        port=port,
                        threads=threads,
                        ident=f"harness-{ident}",
                        **(
                            wrike_server_options()
                            if ident == "wrike"
                            else onelogin_server_options()
                        ),
                    )
                )
            except OSError as error:
                flag = "--wrike-port" if ident == "wrike" else "--onelogin-port"
                raise UpError(
                    f"cannot listen on {host}:{port} for {ident} ({error.strerror}); "
                    f"choose another port with {flag}"
                ) from error
        for server, name in zip(servers, ("wrike", "onelogin"), strict=True):
            thread = threading.Thread(target=server.run, name=f"harness-{name}", daemon=True)
            thread.start()
            started.append(thread)
    except BaseException:
        for server in servers:
            server.close()
        worker = onelogin.extensions.get("mock_onelogin_worker")
        if worker is not None:
            worker.stop()
        raise
    notes = [f"Made private (they hold secrets): {', '.join(tightened)}"] if tightened else []
    running = Running({}, previous is None, notes, servers, started, wrike, onelogin)
    try:
        if previous is None:
            info = _seed(wrike, onelogin, wrike_url, onelogin_url, secrets_)
        else:
            # The secrets as this start uses them: an older file gets the newer keys here.
            previous["secrets"] = secrets_
            info = _resume(previous, wrike, onelogin, wrike_url, onelogin_url, running.notes)
        info["secrets"] = secrets_
        write_private(creds_path, info)
    except BaseException:
        running.stop()
        raise
    running.info = info
    return running


def _seed(
    wrike: Any, onelogin: Any, wrike_url: str, onelogin_url: str, secrets_: dict[str, str]
) -> dict[str, Any]:
    runtime = wrike.extensions["wrike"]
    demo = seed_demo_account(runtime.accounts, domain=SEED_DOMAIN)
    runtime.accounts.add_domain(demo.account_id, SUITE_DOMAIN)
    scim_url = wrike_url + demo.scim_path
    account: OneLoginAccount = onelogin.extensions["mock_onelogin"]
    app_id = account.apps.wrike_app_id()
    account.apps.configure_connector(
        app_id, {"scim_base_url": scim_url, "scim_bearer_token": demo.token}
    )
    api_status = account.apps.enable_api_connection(app_id)
    account.apps.set_provisioning(
        app_id,
        {
            "enabled": True,
            "require_approval": dict.fromkeys(v.TASK_KEYS.values(), False),
        },
    )
    user_ids = [
        account.directory.create_user(
            {
                "username": f"{login}@{SEED_DOMAIN}",
                "email": f"{login}@{SEED_DOMAIN}",
                "firstname": first,
                "lastname": last,
                "title": title,
                "status": 1,
            }
        )["id"]
        for login, first, last, title in SEED_USERS
    ]
    account.directory.create_role({"name": SEED_ROLE, "apps": [app_id], "users": user_ids[:1]})
    return {
        "wrike": {
            "url": wrike_url,
            "pages": f"{wrike_url}/login",
            "account_id": demo.account_id,
            "plan": demo.plan,
            "approved_domains": [demo.domain, SUITE_DOMAIN],
            "admin": {
                "email": demo.admin_email,
                "password": demo.admin_password,
                "rights": list(v.ALL_RIGHTS),
            },
            "scim_url": scim_url,
            "scim_token": demo.token,
            "admin_api": {"url": f"{wrike_url}/admin/api/v1", "key": secrets_["wrike_admin_key"]},
            "harness_api": {"url": f"{wrike_url}/harness/api", "key": secrets_["wrike_admin_key"]},
        },
        "onelogin": {
            "url": onelogin_url,
            "pages": f"{onelogin_url}/admin/login",
            "console_admin": {
                "email": CONSOLE_ADMIN,
                "password": secrets_["onelogin_console_password"],
            },
            "api": {
                "token_url": f"{onelogin_url}/auth/oauth2/v2/token",
                "client_id": secrets_["onelogin_client_id"],
                "client_secret": secrets_["onelogin_client_secret"],
            },
            "simulator_api": {
                "url": f"{onelogin_url}/simulator/api",
                "key": secrets_["onelogin_simulator_key"],
            },
            "wrike_app_id": app_id,
            "api_status": api_status.api_status,
            "users": [f"{login}@{SEED_DOMAIN}" for login, *_ in SEED_USERS],
            "role": SEED_ROLE,
        },
    }


def _resume(
    info: dict[str, Any],
    wrike_app: Any,
    onelogin: Any,
    wrike_url: str,
    onelogin_url: str,
    notes: list[str],
) -> dict[str, Any]:
    """Keep the seeded state; follow a change of ports so the URLs stay true, and show the
    approved domains as they are now (an admin may have changed them in the pages)."""
    wrike, one = info["wrike"], info["onelogin"]
    wrike.pop("approved_domain", None)
    # Files written before the control APIs took keys name only their URLs.
    keys = info.get("secrets") or {}
    if not isinstance(wrike.get("harness_api"), dict):
        wrike["harness_api"] = {"url": f"{wrike['url']}/harness/api"}
    wrike["harness_api"]["key"] = wrike["admin_api"]["key"]
    if not isinstance(one.get("simulator_api"), dict):
        one["simulator_api"] = {"url": f"{one['url']}/simulator/api"}
    one["simulator_api"]["key"] = keys.get("onelogin_simulator_key")
    wrike["approved_domains"] = wrike_app.extensions["wrike"].accounts.account_view(
        wrike["account_id"]
    )["approved_domains"]
    if wrike["url"] != wrike_url:
        path = wrike["scim_url"][len(wrike["url"]) :]
        wrike.update(
            url=wrike_url,
            pages=f"{wrike_url}/login",
            scim_url=wrike_url + path,
        )
        wrike["admin_api"]["url"] = f"{wrike_url}/admin/api/v1"
        wrike["harness_api"]["url"] = f"{wrike_url}/harness/api"
        account: OneLoginAccount = onelogin.extensions["mock_onelogin"]
        # The token goes with the URL: a SCIM Base URL on another port is another server,
        # and the connector keeps no token across such a change.
        account.apps.configure_connector(
            one["wrike_app_id"],
            {"scim_base_url": wrike["scim_url"], "scim_bearer_token": wrike["scim_token"]},
        )
        one["api_status"] = account.apps.enable_api_connection(one["wrike_app_id"]).api_status
        notes.append(
            f"Wrike moved to {wrike_url}: the Wrike app's SCIM Base URL now points "
            "there (API connection re-tested)."
        )
    if one["url"] != onelogin_url:
        one.update(url=onelogin_url, pages=f"{onelogin_url}/admin/login")
        one["simulator_api"]["url"] = f"{onelogin_url}/simulator/api"
        one["api"]["token_url"] = f"{onelogin_url}/auth/oauth2/v2/token"
    return info


def summary(running: Running, data_dir: Path) -> list[str]:
    info = running.info
    wrike, one = info["wrike"], info["onelogin"]
    kept = f"(in {data_dir / CREDENTIALS})"

    def once(secret: str) -> str:
        """A secret is printed at first start; later starts say where it is kept."""
        return secret if running.seeded else kept

    token = once(wrike["scim_token"])
    lines = [
        "Seeded a new world." if running.seeded else f"Resumed the world in {data_dir}.",
        *running.notes,
        "",
        f"Wrike (reference provider)  {wrike['url']}",
        f"  pages:       {wrike['pages']}  sign in as {wrike['admin']['email']} / "
        f"{once(wrike['admin']['password'])} (account {wrike['account_id']}, {wrike['plan']}, "
        f"approved domains {', '.join(wrike['approved_domains'])})",
        f"  SCIM URL:    {wrike['scim_url']}",
        f"  SCIM token:  {token}",
        f"  admin API:   {wrike['admin_api']['url']}  (Authorization: Bearer "
        f"{once(wrike['admin_api']['key'])})",
        f"  harness API: {wrike['harness_api']['url']}  (faults, journal; the same key)",
        "",
        f"OneLogin (simulated)        {one['url']}",
        f"  pages:       {one['pages']}  sign in as {one['console_admin']['email']} / "
        f"{once(one['console_admin']['password'])}",
        f"  API:         {one['api']['token_url']}  client id {one['api']['client_id']}",
        f"               client secret {once(one['api']['client_secret'])}",
        f"  simulator:   {one['simulator_api']['url']}  (Authorization: Bearer "
        f"{once(one['simulator_api']['key'])})",
        f"  Wrike app:   id {one['wrike_app_id']}, API Status {one['api_status']}, "
        f'provisioning on; role "{one["role"]}" holds it; users: {", ".join(one["users"])}',
        "",
        f"Credentials for scripts: {data_dir / CREDENTIALS} (mode 0600; it holds the SCIM "
        "token, the API secret, both passwords and the keys of the admin, harness and "
        "simulator APIs)",
        "Press Ctrl-C to stop; the state stays in the data folder.",
    ]
    return lines


class StopSignals:
    """SIGINT and SIGTERM set an event instead of interrupting whatever runs, so a Ctrl-C
    during seeding still ends in a clean stop. Installed before the servers start."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> StopSignals:
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._previous[sig] = signal.signal(sig, self._handler)
        return self

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        self.stop.set()

    def wait(self) -> None:
        while not self.stop.wait(0.5):
            pass

    def __exit__(self, *exc: object) -> None:
        for sig, old in self._previous.items():
            signal.signal(sig, old)

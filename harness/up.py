"""``harness up``: the simulated OneLogin and the reference Wrike provider on loopback, wired
together, in one process (waitress, a thread each), with state in SQLite files.

First start seeds both sides the way an admin would after following the article: a Wrike
account on Enterprise Standard with an approved domain, an owner holding every right and an
API token; OneLogin users, a role holding the Wrike app, and the Wrike app configured with the
SCIM URL and the token (API connection enabled, provisioning on). A second start finds the
credentials file and resumes without seeding.

The order of a start is what keeps its output true and its failures clean:

1. both listening sockets are bound first (port 0 takes a free port; the real one is read
   back from the socket), so a port clash stops the start before anything is written;
2. only then is the data folder made and the apps built with the URLs they really have;
3. the banner and ``harness-up.json`` describe the state as the apps report it (the role's
   members, the users, whether provisioning is on), read back after seeding or resuming;
4. any failure of a first start takes back what it made (the folder, or the files it added
   to an existing empty one), so the next ``up`` starts cleanly; a failed resume removes
   nothing.

Each server writes an access log in the data folder (``wrike-access.log``,
``onelogin-access.log``; ``webguard.access_log``), and with ``verbose`` on stderr too.

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
import shutil
import signal
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from waitress import wasyncore
from waitress.server import create_server

from harness import vocabulary as v
from harness.bdd import FEATURE_DOMAIN
from mock_onelogin import OneLoginAccount, OneLoginConfig
from mock_onelogin import create_app as create_onelogin
from mock_onelogin.domain.errors import OneLoginError
from mock_onelogin.domain.modelling import server_options as onelogin_server_options
from mock_onelogin.domain.queries import UserQuery
from webguard.access_log import AccessLog, LogFile
from wrike_sp import WrikeConfig
from wrike_sp import create_app as create_wrike
from wrike_sp.demo import seed_demo_account
from wrike_sp.domain.errors import AdminError
from wrike_sp.domain.modelling import server_options as wrike_server_options

CREDENTIALS = "harness-up.json"
WRIKE_DB = "wrike.sqlite3"
ONELOGIN_DB = "onelogin.sqlite3"
#: The key the simulated OneLogin seals its SCIM token with, made beside its database.
ONELOGIN_KEY = "onelogin.key"
#: One access log per server, in the data folder.
ACCESS_LOGS = {"wrike": "wrike-access.log", "onelogin": "onelogin-access.log"}
SEED_DOMAIN = "acme.example"
#: The BDD suite's users are at acme.com; approving it too lets `harness check` run green
#: against the local Wrike (a self-test of the gate before pointing it at a staging Wrike).
SUITE_DOMAIN = FEATURE_DOMAIN
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
#: How many users (of the directory, of each role) the banner and the file name; the
#: counts are always given in full.
SHOWN_USERS = 10
#: SAML SSO as ``up`` sets it up on first start (docs/sso.md). Optional mode: passwords still
#: work beside SSO, the mode Wrike's OneLogin guide says to test in before enforcing SSO
#: (help.wrike.com 360033753394, [C]), so the owner's password login stays usable.
SSO_MODE = "optional"
#: JIT off: in a tenant that provisions with SCIM, SCIM creates the members, so an SSO login by
#: someone OneLogin did not provision is refused (``unknown_user``) and shows the gap; with
#: JIT on, the first SSO login would create a billable member and hide it.
SSO_JIT = False
SSO_WHY = (
    f"mode {SSO_MODE} (passwords still work, as Wrike advises testing before enforcing), "
    "JIT off (SCIM creates the members; JIT would create any SSO user at an approved domain "
    "on first login, billable, and hide a provisioning gap)"
)
#: Exit statuses of ``harness up`` (its ``--help`` lists them).
EXIT_STOPPED = 0
EXIT_CANNOT_START = 2


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
        *ACCESS_LOGS.values(),
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


def listen(host: str, port: int, flag: str, side: str) -> socket.socket:
    """A socket bound and listening on ``host:port`` (0: any free port), before anything
    else is made, so a clash costs nothing to take back."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (OSError, IndexError) as error:
        raise UpError(f"cannot resolve --host {host}: {error}") from error
    sock = socket.socket(family, kind, proto)
    try:
        # As waitress does: a restart may bind the port again while the last run's
        # connections linger in TIME_WAIT (a port held by a listener still refuses).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(1024)
    except OSError as error:
        sock.close()
        raise UpError(
            f"cannot listen on {host}:{port} for {side} ({error.strerror or error}); "
            f"choose another port with {flag} (0 takes any free port)"
        ) from error
    return sock


@dataclass
class FirstStart:
    """What a first start is about to create, so a failed one can take it back: the highest
    folder it makes (``made``), or, when the data folder already exists, the names it held."""

    data_dir: Path
    made: Path | None
    held: frozenset[str]

    @classmethod
    def before(cls, data_dir: Path) -> FirstStart:
        folder, made = data_dir.absolute(), None
        while not folder.exists() and folder != folder.parent:
            made, folder = folder, folder.parent
        held = (
            frozenset(os.listdir(data_dir)) if made is None and data_dir.is_dir() else frozenset()
        )
        return cls(data_dir, made, held)

    def undo(self) -> list[str]:
        """Remove what the start made; returns the names removed, for the message."""
        if self.made is not None:
            if self.made.exists():
                shutil.rmtree(self.made, ignore_errors=True)
                return [str(self.made)]
            return []
        removed = []
        with contextlib.suppress(OSError):
            for name in sorted(set(os.listdir(self.data_dir)) - self.held):
                path = self.data_dir / name
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed.append(name)
        return removed


@dataclass
class Running:
    """Both servers, their threads and the apps behind them; built up piece by piece, so
    :meth:`stop` also ends a start that failed half-way."""

    info: dict[str, Any] = field(default_factory=dict)
    seeded: bool = False
    notes: list[str] = field(default_factory=list)
    _servers: list[Any] = field(default_factory=list)
    _threads: list[threading.Thread] = field(default_factory=list)
    _sockets: list[socket.socket] = field(default_factory=list)
    _logs: list[LogFile] = field(default_factory=list)
    _wrike: Any = None
    _onelogin: Any = None

    def stop(self) -> None:
        """Stop the provisioning worker first (it may be calling Wrike), then both servers.
        Closing a waitress server leaves open keep-alive connections (the engine's own, to
        Wrike) in its socket map, which keeps its loop running; they are closed too."""
        worker = self._onelogin.extensions.get("mock_onelogin_worker") if self._onelogin else None
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
        for sock in self._sockets:
            sock.close()
        if self._wrike is not None:
            with contextlib.suppress(Exception):
                self._wrike.extensions["wrike"].store.close()
        if self._onelogin is not None:
            with contextlib.suppress(Exception):
                self._onelogin.extensions["mock_onelogin"].store.close()
        for log in self._logs:
            log.close()


def _previous(data_dir: Path) -> dict[str, Any] | None:
    """The credentials file of an earlier start, or None for a first start."""
    creds_path = data_dir / CREDENTIALS
    if creds_path.exists():
        try:
            previous: dict[str, Any] = json.loads(creds_path.read_text(encoding="utf-8"))
            return previous
        except (OSError, ValueError) as error:
            raise UpError(
                f"{creds_path} is unreadable ({error}); restore it or start with an "
                "empty --data-dir"
            ) from error
    if (data_dir / WRIKE_DB).exists() or (data_dir / ONELOGIN_DB).exists():
        raise UpError(
            f"{data_dir} holds databases but no {CREDENTIALS}: it was not made by "
            "`harness up`, or its first start was interrupted. Remove the folder or "
            "choose another --data-dir"
        )
    if data_dir.exists() and not data_dir.is_dir():
        raise UpError(f"--data-dir {data_dir} is a file, not a folder; choose another")
    return None


def start(
    data_dir: Path,
    host: str,
    wrike_port: int,
    onelogin_port: int,
    threads: int = 8,
    *,
    verbose: bool = False,
) -> Running:
    """Start both servers (seeding on first start) and return once they answer. Raises
    :class:`UpError` when they cannot start; a failed first start leaves nothing behind."""
    require_loopback(host)
    previous = _previous(data_dir)
    running = Running(seeded=previous is None)
    kept = "" if previous is None else f"; the data in {data_dir} is untouched"
    try:
        for port, flag, side in (
            (wrike_port, "--wrike-port", "Wrike"),
            (onelogin_port, "--onelogin-port", "OneLogin"),
        ):
            running._sockets.append(listen(host, port, flag, side))
    except UpError as error:
        running.stop()
        raise UpError(f"{error}{kept}") from error.__cause__
    except BaseException:
        running.stop()
        raise
    first = FirstStart.before(data_dir) if previous is None else None
    try:
        _start(running, data_dir, host, previous, threads, verbose)
    except BaseException as error:
        running.stop()
        removed = first.undo() if first is not None else []
        said = f" (this first start's files were removed: {', '.join(removed)})" if removed else ""
        if isinstance(error, UpError):
            raise UpError(f"{error}{said}{kept}") from error
        if isinstance(error, OSError):
            raise UpError(f"cannot start in {data_dir}: {error}{said}{kept}") from error
        if isinstance(error, Exception):
            raise UpError(
                f"could not start: {error.__class__.__name__}: {error}{said}{kept}"
            ) from error
        raise
    return running


def _start(
    running: Running,
    data_dir: Path,
    host: str,
    previous: dict[str, Any] | None,
    threads: int,
    verbose: bool,
) -> None:
    wrike_sock, onelogin_sock = running._sockets
    wrike_url = _url(host, wrike_sock.getsockname()[1])
    onelogin_url = _url(host, onelogin_sock.getsockname()[1])
    tightened = private_folder(data_dir)
    if tightened:
        running.notes.append(f"Made private (they hold secrets): {', '.join(tightened)}")
    fresh = {
        "wrike_admin_key": secrets.token_urlsafe(24),
        "wrike_session_key": secrets.token_urlsafe(32),
        "onelogin_client_id": secrets.token_hex(32),
        "onelogin_client_secret": secrets.token_hex(32),
        "onelogin_console_password": secrets.token_urlsafe(12),
        "onelogin_session_key": secrets.token_urlsafe(32),
        "onelogin_simulator_key": secrets.token_urlsafe(24),
        # The seeded OneLogin users' password, for their SSO logins (OneLogin's /login).
        "onelogin_users_password": secrets.token_urlsafe(12),
    }
    # A file from an earlier version lacks the newer keys: they are made now and kept.
    secrets_ = {**fresh, **((previous or {}).get("secrets") or {})}
    running._wrike = wrike = create_wrike(
        WrikeConfig(
            database=str(data_dir / WRIKE_DB),
            public_url=wrike_url,
            admin_key=secrets_["wrike_admin_key"],
            harness_enabled=True,
            secret_key=secrets_["wrike_session_key"],
        )
    )
    running._onelogin = onelogin = create_onelogin(
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
    for app, sock, side, options in (
        (wrike, wrike_sock, "wrike", wrike_server_options()),
        (onelogin, onelogin_sock, "onelogin", onelogin_server_options()),
    ):
        log = LogFile(data_dir / ACCESS_LOGS[side])
        running._logs.append(log)
        writers: list[Callable[[str], None]] = [log]
        if verbose:
            writers.append(_stderr_writer(side))
        server = create_server(
            AccessLog(app, writers),
            sockets=[sock],
            threads=threads,
            ident=f"harness-{side}",
            **options,
        )
        running._servers.append(server)
        thread = threading.Thread(target=server.run, name=f"harness-{side}", daemon=True)
        thread.start()
        running._threads.append(thread)
    if previous is None:
        info = _seed(wrike, onelogin, wrike_url, onelogin_url, secrets_)
    else:
        # The secrets as this start uses them: an older file gets the newer keys here.
        previous["secrets"] = secrets_
        info = _resume(previous, wrike, onelogin, wrike_url, onelogin_url, running.notes)
    info["secrets"] = secrets_
    info["access_logs"] = {side: str(data_dir / name) for side, name in ACCESS_LOGS.items()}
    live_state(info, wrike, onelogin)
    sso_state(info, wrike, onelogin)
    write_private(data_dir / CREDENTIALS, info)
    running.info = info


def _stderr_writer(side: str) -> Callable[[str], None]:
    def write(line: str) -> None:
        sys.stderr.write(f"{side} {line}\n")
        sys.stderr.flush()

    return write


def live_state(info: dict[str, Any], wrike_app: Any, onelogin: Any) -> None:
    """What the banner and the file say about the state, read from the apps as they are
    now: the Wrike account's plan and approved domains; the Wrike app's API Status and
    Provisioning tab, the roles that hold it and their members, the directory's users. An
    admin may have changed any of them in the pages since the first start."""
    wrike, one = info["wrike"], info["onelogin"]
    try:
        view = wrike_app.extensions["wrike"].accounts.account_view(wrike["account_id"])
        wrike.update(plan=view["plan"], approved_domains=view["approved_domains"])
        wrike.pop("missing", None)
    except AdminError:
        wrike.update(plan=None, approved_domains=[], missing=True)
    wrike.pop("approved_domain", None)
    account: OneLoginAccount = onelogin.extensions["mock_onelogin"]
    app_id = one.get("wrike_app_id")
    if app_id is None or account.apps.find_app(app_id) is None:
        try:
            app_id = account.apps.wrike_app_id()
        except OneLoginError:
            app_id = None
    one["wrike_app_id"] = app_id
    one.pop("role", None)  # the seeded role's name; "roles" says what holds the app now
    users, total = account.directory.list_users(UserQuery(limit=SHOWN_USERS))
    one["users"] = [u["username"] for u in users]
    one["users_total"] = total
    if app_id is None:
        one.update(api_status=None, provisioning=None, roles=[], users_with_access=0)
        return
    settings = account.apps.settings(app_id).to_json()
    one["api_status"] = account.apps.connector(app_id).api_status
    one["provisioning"] = {
        "enabled": settings["enabled"],
        "require_approval": settings["require_approval"],
    }
    holding = set(account.apps.app_role_ids(app_id))
    roles = []
    for role in account.directory.list_roles():
        if role["id"] not in holding:
            continue
        members, count = account.directory.list_users(
            UserQuery(role_ids=(role["id"],), limit=SHOWN_USERS)
        )
        roles.append(
            {"name": role["name"], "users": [m["username"] for m in members], "users_total": count}
        )
    one["roles"] = roles
    one["users_with_access"] = len(account.apps.entitled_user_ids(app_id))


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
    account.apps.enable_api_connection(app_id)
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
                "password": secrets_["onelogin_users_password"],
            }
        )["id"]
        for login, first, last, title in SEED_USERS
    ]
    account.directory.create_role({"name": SEED_ROLE, "apps": [app_id], "users": user_ids[:1]})
    wire_sso(
        wrike,
        onelogin,
        account_id=demo.account_id,
        app_id=app_id,
        admin_key=secrets_["wrike_admin_key"],
        simulator_key=secrets_["onelogin_simulator_key"],
        first=True,
    )
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
            "users_password": secrets_["onelogin_users_password"],
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
    """Keep the seeded state; follow a change of ports so the URLs stay true (the state
    itself is read afresh by :func:`live_state`)."""
    wrike, one = info["wrike"], info["onelogin"]
    moved = wrike["url"] != wrike_url or one["url"] != onelogin_url
    # Files written before the control APIs took keys name only their URLs.
    keys = info.get("secrets") or {}
    if not isinstance(wrike.get("harness_api"), dict):
        wrike["harness_api"] = {"url": f"{wrike['url']}/harness/api"}
    wrike["harness_api"]["key"] = wrike["admin_api"]["key"]
    if not isinstance(one.get("simulator_api"), dict):
        one["simulator_api"] = {"url": f"{one['url']}/simulator/api"}
    one["simulator_api"]["key"] = keys.get("onelogin_simulator_key")
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
        app_id = one.get("wrike_app_id")
        if app_id is not None and account.apps.find_app(app_id) is not None:
            # The token goes with the URL: a SCIM Base URL on another port is another
            # server, and the connector keeps no token across such a change.
            account.apps.configure_connector(
                app_id,
                {"scim_base_url": wrike["scim_url"], "scim_bearer_token": wrike["scim_token"]},
            )
            account.apps.enable_api_connection(app_id)
            notes.append(
                f"Wrike moved to {wrike_url}: the Wrike app's SCIM Base URL now points "
                "there (API connection re-tested)."
            )
    if one["url"] != onelogin_url:
        one.update(url=onelogin_url, pages=f"{onelogin_url}/admin/login")
        one["simulator_api"]["url"] = f"{onelogin_url}/simulator/api"
        one["api"]["token_url"] = f"{onelogin_url}/auth/oauth2/v2/token"
    # SSO's URLs carry the ports (the SP's entity id and ACS, the IdP's entity id and SSO
    # URL): after a move, or in a world made before `up` set up SSO, wire it again.
    older = "saml" not in wrike or "saml" not in one
    app_id = one.get("wrike_app_id")
    account = onelogin.extensions["mock_onelogin"]
    if (moved or older) and app_id is not None and account.apps.find_app(app_id) is not None:
        try:
            wire_sso(
                wrike_app,
                onelogin,
                account_id=wrike["account_id"],
                app_id=app_id,
                admin_key=wrike["admin_api"]["key"],
                simulator_key=one["simulator_api"]["key"],
                first=older,
            )
        except SsoUnwired as error:
            notes.append(f"SAML SSO not wired again: {error}")
        else:
            notes.append(
                "SAML SSO wired again for the new URLs: the Wrike app's audience, ACS and "
                "recipient, and the IdP metadata in Wrike's SSO settings."
                if not older
                else f"SAML SSO set up in this older world: {SSO_WHY}."
            )
    return info


class SsoUnwired(Exception):
    """A control API refused a step of wiring SSO; the message names the step and why."""


def _control(
    app: Any, method: str, path: str, key: str | None, body: dict[str, Any] | None = None
) -> Any:
    """One call of an app's own control API (docs/sso.md), in-process: ``up`` configures SSO
    the way a script would, through the contract, not through either app's internals."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    answer = app.test_client().open(path, method=method, json=body, headers=headers)
    if answer.status_code >= 400:
        raise SsoUnwired(
            f"{method} {path} answered {answer.status_code}: {answer.get_data(as_text=True)[:300]}"
        )
    return answer.get_json(silent=True) if answer.is_json else answer.get_data(as_text=True)


def wire_sso(
    wrike_app: Any,
    onelogin_app: Any,
    *,
    account_id: int | str,
    app_id: int,
    admin_key: str,
    simulator_key: str,
    first: bool,
) -> None:
    """SSO between the Wrike app and the Wrike account, as an admin sets it up following
    Wrike's OneLogin guide: the app's audience, ACS and recipient get the account's SP values;
    the account's SSO settings get the app's IdP metadata. A first set-up also chooses the
    mode and JIT (:data:`SSO_MODE`, :data:`SSO_JIT`); a later one keeps what Wrike has."""
    sp = _control(wrike_app, "GET", f"/admin/api/v1/accounts/{account_id}/saml", admin_key)
    _control(
        onelogin_app,
        "PUT",
        f"/simulator/api/apps/{app_id}/saml",
        simulator_key,
        {"audience": sp["sp_entity_id"], "acs_url": sp["acs_url"], "recipient": sp["acs_url"]},
    )
    metadata = _control(onelogin_app, "GET", f"/saml/metadata/{app_id}", None)
    settings: dict[str, Any] = {"idp_metadata_xml": metadata}
    if first:
        settings.update(mode=SSO_MODE, jit=SSO_JIT)
    _control(wrike_app, "PUT", f"/admin/api/v1/accounts/{account_id}/saml", admin_key, settings)


def sso_state(info: dict[str, Any], wrike_app: Any, onelogin_app: Any) -> None:
    """SSO as both apps report it now (``onelogin.saml``, ``wrike.saml``), and whether the
    two sides still agree: what an admin changed in either console shows at the next start."""
    wrike, one = info["wrike"], info["onelogin"]
    app_id = one.get("wrike_app_id")
    try:
        if app_id is None:
            raise SsoUnwired("there is no Wrike app in OneLogin")
        idp = _control(
            onelogin_app, "GET", f"/simulator/api/apps/{app_id}/saml", one["simulator_api"]["key"]
        )
        sp = _control(
            wrike_app,
            "GET",
            f"/admin/api/v1/accounts/{wrike['account_id']}/saml",
            wrike["admin_api"]["key"],
        )
    except SsoUnwired as error:
        one["saml"] = {"metadata_url": None}
        wrike["saml"] = {"metadata_url": None, "problems": [str(error)]}
        return
    signing = idp.get("signing_certificate") or {}
    one["saml"] = {
        "metadata_url": idp["metadata_url"],
        "issuer": idp["issuer"],
        "sso_url_redirect": idp["sso_url_redirect"],
        "sso_url_post": idp["sso_url_post"],
        "audience": idp["audience"],
        "acs_url": idp["acs_url"],
        "recipient": idp["recipient"],
        "signing_certificate": {
            "fingerprint_sha256": signing.get("fingerprint_sha256"),
            "not_after": signing.get("not_after"),
        },
    }
    held = sp.get("idp") or {}
    wrike["saml"] = {
        "metadata_url": sp["sp_metadata_url"],
        "entity_id": sp["sp_entity_id"],
        "acs_url": sp["acs_url"],
        "mode": sp["mode"],
        "jit": sp["jit"],
        "idp_entity_id": held.get("entity_id"),
        "problems": sso_problems(one["saml"], sp),
    }


def sso_problems(idp: dict[str, Any], sp: dict[str, Any]) -> list[str]:
    """Where the two sides' SSO settings disagree, each with what to change (the causes of
    "provisioned but cannot log in" that live in the settings, not in a user)."""
    problems = []
    held = sp.get("idp") or {}
    if sp.get("mode") == "off":
        problems.append("SSO is off in Wrike's SSO settings (Settings > Security > SSO)")
    if not held:
        problems.append("Wrike holds no IdP metadata: paste the Wrike app's SAML metadata")
    else:
        if held.get("entity_id") != idp["issuer"]:
            problems.append(
                f"Wrike expects the IdP {held.get('entity_id')}, OneLogin issues as "
                f"{idp['issuer']}: paste the Wrike app's SAML metadata again"
            )
        fingerprints = {c.get("fingerprint_sha256") for c in held.get("certificates") or []}
        if idp["signing_certificate"]["fingerprint_sha256"] not in fingerprints:
            problems.append(
                "Wrike does not hold the certificate OneLogin signs with now (rotated?): "
                "paste the Wrike app's SAML metadata again"
            )
    for name, value in (
        ("audience", sp.get("sp_entity_id")),
        ("acs_url", sp.get("acs_url")),
        ("recipient", sp.get("acs_url")),
    ):
        if idp[name] != value:
            problems.append(
                f"the Wrike app's SAML {name} is {idp[name]}, Wrike's is {value}: set it "
                "on the app's SSO tab in OneLogin"
            )
    return problems


def _listed(names: list[str], total: int) -> str:
    if not names:
        return "none"
    more = f" and {total - len(names)} more" if total > len(names) else ""
    return ", ".join(names) + more


def _onelogin_state(one: dict[str, Any]) -> list[str]:
    if one.get("wrike_app_id") is None:
        return ["  Wrike app:   none (deleted?); add one on the Applications screen"]
    provisioning = one.get("provisioning") or {}
    approvals = [
        label
        for key, label in (
            ("create_user", "Create user"),
            ("update_user", "Update user"),
            ("delete_user", "Delete user"),
        )
        if (provisioning.get("require_approval") or {}).get(key)
    ]
    asked = f"approval required for {', '.join(approvals)}" if approvals else "no approvals"
    on = "on" if provisioning.get("enabled") else "off"
    lines = [
        f"  Wrike app:   id {one['wrike_app_id']}, API Status {one['api_status']}, "
        f"provisioning {on} ({asked})"
    ]
    roles = one.get("roles") or []
    if not roles:
        lines.append("  roles:       no role holds the Wrike app")
    for n, role in enumerate(roles):
        lines.append(
            f'  {"roles:" if n == 0 else "":<12} "{role["name"]}" holds it; members: '
            f"{_listed(role['users'], role['users_total'])}"
        )
    lines.append(
        f"  users:       {_listed(one['users'], one['users_total'])} "
        f"({one['users_total']} in all, {one['users_with_access']} with access to the Wrike app)"
    )
    return lines


def _first_member(one: dict[str, Any]) -> str:
    for role in one.get("roles") or []:
        if role.get("users"):
            return str(role["users"][0])
    return "none yet: add a user to a role that holds the Wrike app"


def _sso_lines(
    running: Running, one: dict[str, Any], wrike: dict[str, Any], kept: str
) -> list[str]:
    idp, sp = one.get("saml") or {}, wrike.get("saml") or {}
    if not idp.get("metadata_url") or not sp.get("metadata_url"):
        problems = "; ".join(sp.get("problems") or []) or "no SAML settings"
        return [f"SAML SSO: not available ({problems})"]
    jit = "on" if sp.get("jit") else "off"
    password = one.get("users_password") if running.seeded else kept
    signing = idp.get("signing_certificate") or {}
    lines = [
        f"SAML SSO (Wrike app {one['wrike_app_id']} -> account {wrike['account_id']}): "
        f"mode {sp.get('mode')}, JIT {jit}",
        f"  IdP metadata: {idp['metadata_url']}  (signing certificate SHA-256 "
        f"{signing.get('fingerprint_sha256')}, until {signing.get('not_after')})",
        f"  SP metadata:  {sp['metadata_url']}  (ACS {sp['acs_url']})",
        f"  try it:       {wrike['url']}/login, enter the email of a user with access "
        f"({_first_member(one)}), Next; or sign in at {one['url']}/portal",
    ]
    if one.get("users_password"):
        lines.append(f"                the seeded OneLogin users' password: {password}")
    if running.seeded:
        lines.append(f"  set up as:    {SSO_WHY}")
    for problem in sp.get("problems") or []:
        lines.append(f"  problem:      {problem}")
    return lines


def summary(running: Running, data_dir: Path) -> list[str]:
    info = running.info
    wrike, one = info["wrike"], info["onelogin"]
    kept = f"(in {data_dir / CREDENTIALS})"

    def once(secret: str) -> str:
        """A secret is printed at first start; later starts say where it is kept."""
        return secret if running.seeded else kept

    token = once(wrike["scim_token"])
    if wrike.get("missing"):
        account = f"account {wrike['account_id']} no longer exists (reset through the harness API?)"
    else:
        account = (
            f"account {wrike['account_id']}, {wrike['plan']}, approved domains "
            f"{', '.join(wrike['approved_domains']) or 'none'}"
        )
    logs = info["access_logs"]
    lines = [
        "Seeded a new world." if running.seeded else f"Resumed the world in {data_dir}.",
        *running.notes,
        "",
        f"Wrike (reference provider)  {wrike['url']}",
        f"  pages:       {wrike['pages']}  sign in as {wrike['admin']['email']} / "
        f"{once(wrike['admin']['password'])} ({account})",
        f"  SCIM URL:    {wrike['scim_url']}",
        f"  SCIM token:  {token}",
        f"  admin API:   {wrike['admin_api']['url']}  (Authorization: Bearer "
        f"{once(wrike['admin_api']['key'])}; GET it for its endpoints)",
        f"  harness API: {wrike['harness_api']['url']}  (faults, journal; the same key)",
        "",
        f"OneLogin (simulated)        {one['url']}",
        f"  pages:       {one['pages']}  sign in as {one['console_admin']['email']} / "
        f"{once(one['console_admin']['password'])}",
        f"  API:         {one['api']['token_url']}  client id {one['api']['client_id']}",
        f"               client secret {once(one['api']['client_secret'])}",
        f"  simulator:   {one['simulator_api']['url']}  (Authorization: Bearer "
        f"{once(one['simulator_api']['key'])}; GET it for its endpoints)",
        *_onelogin_state(one),
        "",
        *_sso_lines(running, one, wrike, kept),
        "",
        f"Access logs: {logs['wrike']}, {logs['onelogin']} (one line per request)",
        f"Credentials for scripts: {data_dir / CREDENTIALS} (mode 0600; it holds the SCIM "
        "token, the API secret, both consoles' passwords, the seeded users' password and "
        "the keys of the admin, harness and simulator APIs)",
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

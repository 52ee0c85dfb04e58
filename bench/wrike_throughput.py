"""Throughput of the reference Wrike provider over real HTTP, against the ceiling of its stack.

Not a test. Run it from the repository root (needs ``wrk``: ``apt-get install wrk``):

    .venv/bin/python bench/wrike_throughput.py

Options: ``--seconds`` per measurement (default 3), ``--rounds`` (default 3; medians, and
ratios taken within each round), ``--operations create,lookup`` (a subset, for quick A/B
runs), ``--only-throughput`` / ``--only-latency``, ``--connections`` of wrk (default 8),
``--threads`` of waitress (default 4), ``--small``/``--large`` user counts of the lookup
latency comparison (default 1000 / 100000), ``--pin`` (every server on one CPU, wrk on
another: no thread of a server migrates between cores or competes with the client, so each
request costs less and the figures scatter less; the ceiling gains more from it than the
providers do).
It takes a few minutes, most of it seeding.

Three targets are served by waitress on 127.0.0.1 with the same settings, each in its own
process, and driven by the same client (wrk with the Lua scripts generated here) in one
sitting, interleaved operation by operation so that the machine's load hits them alike:

* ``wrike_sp``: the provider with a SQLite file database (WAL; every write is one
  transaction committed before the response);
* ``ceiling``: a minimal Flask app answering the same routes with canned bodies and no
  storage: what Flask + waitress + the client allow at most on this machine;
* ``scim2-server``: python-scim's scim2-server (its WSGI application, in-memory storage).

Operations: create (POST, unique userNames), lookup (GET ?filter=userName eq, as OneLogin
does, and ?filter=emails.value eq, Wrike's documented search), replace
(PUT of the whole user, a new title each time), deactivate as OneLogin does it (PUT of the
whole user with active false, each request on a user still active) and deactivate by PATCH
(replace active false, reported separately). Then the filter lookup latency of wrike_sp with
one connection at ``--small`` and at ``--large`` users, by userName (as OneLogin looks a
user up) and by ``emails.value`` (Wrike's documented search by email).

Targets, the script's exit status says whether they are met: every operation at least 0.7 of
the ceiling; lookup latency at 100,000 users within 1.5x of 1,000.

Beside the rates it prints each server's CPU time and context switches per request (from
/proc, where there is one): on a small machine a threaded Python server spends much of a
request handing the GIL between threads, and the switches show how often that happens.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any
from urllib.parse import quote

HOST = "127.0.0.1"
DOMAIN = "acme.example"
TOKEN_FOR_OTHERS = "bench-token-0123456789"
CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
OPERATIONS = ("create", "lookup", "lookup_email", "replace", "deactivate_put", "deactivate_patch")
LABELS = {
    "create": "create (POST)",
    "lookup": "lookup (GET filter userName eq)",
    "lookup_email": "lookup (GET filter emails.value eq)",
    "replace": "replace (PUT)",
    "deactivate_put": "deactivate (PUT active false)",
    "deactivate_patch": "deactivate (PATCH active false)",
}
# The filter of each kind of lookup: the one OneLogin sends, and Wrike's documented search.
LOOKUP_FILTERS = {"lookup": 'userName eq "{}"', "lookup_email": 'emails.value eq "{}"'}
TARGET = 0.7
# With --pin: the CPU of every server process and the CPU of wrk (empty: not pinned).
PINNED: dict[str, set[int]] = {}


def _pin(role: str) -> Any:
    """A ``preexec_fn`` that keeps the child on the CPU of its role, or ``None``."""
    cpus = PINNED.get(role)
    return None if not cpus else lambda: os.sched_setaffinity(0, cpus)


# Per kind of lookup, one (small, large) pair of wrk results per round.
Latency = dict[str, list[tuple[dict[str, Any], ...]]]
LATENCY_TARGET = 1.5


def user_body(email: str, **extra: Any) -> dict[str, Any]:
    """The user OneLogin's Wrike connector sends (userName and work email at the domain)."""
    return {
        "schemas": [CORE_USER],
        "userName": email,
        "name": {"givenName": "Bench", "familyName": "User"},
        "emails": [{"value": email, "type": "work", "primary": True}],
        "title": "Seeded",
        "active": True,
        **extra,
    }


# -- the servers (each runs in its own process: `serve` subcommand) ---------------------------


def ceiling_app(base: str) -> Any:
    """The same routes as the provider, canned answers, no storage, no parsing."""
    from flask import Flask, Response, request

    app = Flask("ceiling")
    resource = {
        **user_body(f"canned@{DOMAIN}"),
        "id": "0" * 32,
        "userType": "Regular",
        "meta": {
            "resourceType": "User",
            "created": "2026-01-01T00:00:00.000Z",
            "lastModified": "2026-01-01T00:00:00.000Z",
            "location": f"http://{HOST}{base}/Users/{'0' * 32}",
            "version": 'W/"1"',
        },
    }
    one = json.dumps(resource, separators=(",", ":"))
    listed = json.dumps(
        {
            "schemas": [LIST],
            "totalResults": 1,
            "startIndex": 1,
            "itemsPerPage": 1,
            "Resources": [resource],
        },
        separators=(",", ":"),
    )
    media = "application/scim+json"

    @app.route(f"{base}/Users", methods=["GET", "POST"])
    def users() -> Response:
        if request.method == "POST":
            request.get_data()
            return Response(one, 201, mimetype=media)
        return Response(listed, 200, mimetype=media)

    @app.route(f"{base}/Users/<user_id>", methods=["GET", "PUT", "PATCH"])
    def user(user_id: str) -> Response:
        request.get_data()
        return Response(one, 200, mimetype=media)

    return app


def _seed_wrike(database: str, count: int) -> tuple[Any, dict[str, Any]]:
    """A demo account seeded through the domain (the same rules as a POST), committed in
    batches so that 100,000 users take seconds, not minutes."""
    from wrike_sp import WrikeConfig, create_app
    from wrike_sp.demo import seed_demo_account

    app = create_app(WrikeConfig(database=database, password_iterations=1000))
    runtime = app.extensions["wrike"]
    demo = seed_demo_account(runtime.accounts, domain=DOMAIN)
    grant = runtime.scim_users.authenticate(demo.account_id, f"Bearer {demo.token}")
    users: list[list[str]] = []
    for start in range(0, count, 2000):
        with runtime.store.transaction():
            for n in range(start, min(count, start + 2000)):
                email = f"seed{n:06d}@{DOMAIN}"
                users.append([runtime.scim_users.create(grant, user_body(email)).id, email])
    return app, {"base": demo.scim_path, "token": demo.token, "users": users}


def _seed_scim2_server(count: int) -> tuple[Any, dict[str, Any]]:
    from scim2_models import ScimProvider
    from scim2_server.memory import InMemoryStorage
    from scim2_server.service import ScimService
    from scim2_server.testserver.application import BEARER_TOKEN_SCHEME, BearerTokenApplication
    from scim2_server.utils import (
        load_default_resource_types,
        load_default_schemas,
        load_default_service_provider_config,
    )
    from werkzeug.test import Client

    config = load_default_service_provider_config()
    config.authentication_schemes = [*(config.authentication_schemes or []), BEARER_TOKEN_SCHEME]
    provider = ScimProvider.from_discovery(
        load_default_schemas().values(), load_default_resource_types().values(), config=config
    )
    app = BearerTokenApplication(
        InMemoryStorage(),
        provider,
        service=ScimService(provider, secret="bench-secret"),
        bearer_tokens=[TOKEN_FOR_OTHERS],
    )
    client = Client(app)
    headers = {"Authorization": f"Bearer {TOKEN_FOR_OTHERS}"}
    users = []
    for n in range(count):
        email = f"seed{n:06d}@{DOMAIN}"
        response = client.post("/v2/Users", json=user_body(email), headers=headers)
        if response.status_code != 201:
            raise SystemExit(f"scim2-server refused a seed user: {response.get_data(as_text=True)}")
        users.append([response.get_json()["id"], email])
    return app, {"base": "/v2", "token": TOKEN_FOR_OTHERS, "users": users}


def serve(target: str, port: int, threads: int, seed: int, workdir: Path) -> None:
    import logging

    from waitress import serve as waitress_serve

    from wrike_sp.domain.modelling import server_options

    # waitress warns about its task queue under load; the bench means to load it.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)

    if target == "wrike_sp":
        app, info = _seed_wrike(str(workdir / "wrike.sqlite3"), seed)
    elif target == "scim2-server":
        app, info = _seed_scim2_server(seed)
    else:
        base = "/scim/1/v2"
        app = ceiling_app(base)
        info = {
            "base": base,
            "token": TOKEN_FOR_OTHERS,
            "users": [[f"{n:032x}", f"seed{n:06d}@{DOMAIN}"] for n in range(seed)],
        }
    (workdir / "ready.tmp").write_text(json.dumps(info))
    (workdir / "ready.tmp").rename(workdir / "ready.json")
    # The provider's own server settings, for all three targets alike.
    options = server_options()
    waitress_serve(app, host=HOST, port=port, threads=threads, ident=None, _quiet=True, **options)


class Server:
    """One target in a child process, stopped by its own pid when the block ends."""

    def __init__(self, target: str, threads: int, seed: int, root: Path) -> None:
        self.target = target
        self.workdir = Path(tempfile.mkdtemp(prefix="wrike-bench-", dir=root))
        with socket.socket() as sock:
            sock.bind((HOST, 0))
            self.port = sock.getsockname()[1]
        self.process = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "serve",
                target,
                "--port",
                str(self.port),
                "--threads",
                str(threads),
                "--seed",
                str(seed),
                "--workdir",
                str(self.workdir),
            ],
            preexec_fn=_pin("server"),
        )
        self.info: dict[str, Any] = {}

    def wait(self) -> None:
        """Until the target has seeded its users and accepts connections."""
        ready = self.workdir / "ready.json"
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.target} server exited with {self.process.returncode}")
            if ready.exists():
                try:
                    with socket.create_connection((HOST, self.port), timeout=0.2):
                        self.info = json.loads(ready.read_text())
                        return
                except OSError:
                    pass
            time.sleep(0.05)
        raise SystemExit(f"{self.target} server did not start")

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


# -- the client: wrk with generated Lua scripts -----------------------------------------------

_LUA_COMMON = r"""
local thread_count = 0
function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
end
wrk.headers["Authorization"] = "Bearer " .. TOKEN
wrk.headers["Content-Type"] = "application/scim+json"
wrk.headers["Accept"] = "application/scim+json"
function init(args)
  nthreads = tonumber(args[1])
  prefix = args[2]
  n = 0
end
function pick(list)
  -- Thread t takes items t+1, t+1+nthreads, ...: no two requests share an item until the
  -- list wraps around.
  local i = (tid + n * nthreads) % #list + 1
  n = n + 1
  return list[i]
end
function json_string(s)
  return '"' .. s .. '"'
end
function user_json(name, title, active)
  return '{"schemas":["' .. CORE .. '"],"userName":' .. json_string(name) ..
    ',"name":{"givenName":"Bench","familyName":"User"},"emails":[{"value":' ..
    json_string(name) .. ',"type":"work","primary":true}],"title":' .. json_string(title) ..
    ',"active":' .. active .. '}'
end
function done(summary, latency, requests)
  io.write(string.format(
    'RESULT {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"mean_us":%.1f,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency.mean, latency:percentile(50), latency:percentile(99)))
end
"""

_LUA_REQUEST = {
    "create": r"""
function request()
  n = n + 1
  local name = prefix .. "-" .. tid .. "-" .. n .. "@" .. DOMAIN
  return wrk.format("POST", BASE .. "/Users", nil, user_json(name, "Created", "true"))
end
""",
    "lookup": r"""
function request()
  return wrk.format("GET", pick(LOOKUPS))
end
""",
    "replace": r"""
function request()
  local user = pick(USERS)
  local title = prefix .. " " .. tid .. " " .. n
  return wrk.format("PUT", BASE .. "/Users/" .. user[1], nil, user_json(user[2], title, "true"))
end
""",
    "deactivate_put": r"""
function request()
  local user = pick(USERS)
  return wrk.format("PUT", BASE .. "/Users/" .. user[1], nil,
                    user_json(user[2], "Seeded", "false"))
end
""",
    "deactivate_patch": r"""
local body = '{"schemas":["' .. PATCH .. '"],"Operations":' ..
  '[{"op":"replace","path":"active","value":false}]}'
function request()
  local user = pick(USERS)
  return wrk.format("PATCH", BASE .. "/Users/" .. user[1], nil, body)
end
""",
}


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal here


def lua_script(operation: str, info: dict[str, Any], users: list[list[str]]) -> str:
    """The wrk script of one operation over ``users`` ([id, userName] pairs)."""
    base = info["base"]
    lines = [
        f"TOKEN = {_lua_string(info['token'])}",
        f"BASE = {_lua_string(base)}",
        f"DOMAIN = {_lua_string(DOMAIN)}",
        f"CORE = {_lua_string(CORE_USER)}",
        f"PATCH = {_lua_string(PATCH_OP)}",
    ]
    if operation in LOOKUP_FILTERS:
        paths = [
            f"{base}/Users?filter=" + quote(LOOKUP_FILTERS[operation].format(email), safe="")
            for _, email in users
        ]
        lines.append("LOOKUPS = {" + ",".join(_lua_string(p) for p in paths) + "}")
    else:
        lines.append(
            "USERS = {"
            + ",".join("{" + _lua_string(i) + "," + _lua_string(e) + "}" for i, e in users)
            + "}"
        )
    request = _LUA_REQUEST["lookup" if operation in LOOKUP_FILTERS else operation]
    return "\n".join(lines) + _LUA_COMMON + request


def run_wrk(
    server: Server,
    operation: str,
    users: list[list[str]],
    seconds: int,
    connections: int,
    name: str,
) -> dict[str, Any]:
    path = server.workdir / f"{name}.lua"
    path.write_text(lua_script(operation, server.info, users))
    threads = 1
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(path),
        server.url,
        "--",
        str(threads),
        name,
    ]
    before = server_cost(server.process.pid)
    output = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, preexec_fn=_pin("client")
    )
    after = server_cost(server.process.pid)
    line = next((x for x in output.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result:\n{output.stdout}\n{output.stderr}")
    result: dict[str, Any] = json.loads(line[len("RESULT ") :])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(result[k] for k in ("connect", "read", "write", "status", "timeout"))
    if before is not None and after is not None and result["requests"]:
        result["cpu_us"] = (after[0] - before[0]) / result["requests"] * 1e6
        result["switches"] = (after[1] - before[1]) / result["requests"]
    return result


def server_cost(pid: int) -> tuple[float, int] | None:
    """CPU seconds (user + system) and context switches so far of a server process, all its
    threads together; ``None`` where /proc is not there. Per request, they show where a
    target's time goes: a threaded Python server pays for every hand-over of the GIL."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        switches = 0
        for task in Path(f"/proc/{pid}/task").iterdir():
            for line in (task / "status").read_text().splitlines():
                if "ctxt_switches:" in line:
                    switches += int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return cpu, switches


# -- the sitting ------------------------------------------------------------------------------


TARGETS = ("ceiling", "wrike_sp", "scim2-server")


def measure_throughput(
    args: argparse.Namespace, root: Path
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Every operation on every target, interleaved (operation by operation, then round by
    round, the three targets back to back) so that a change in the machine's load hits all
    targets alike; the report compares targets within each round. The user pools never
    overlap: each write changes something and each deactivation meets a user still active."""
    warm_count = 200
    per_round = 2 * args.pool
    seed = args.lookup_users + args.rounds * per_round + warm_count
    results: dict[str, dict[str, list[dict[str, Any]]]] = {t: {} for t in TARGETS}
    with contextlib.ExitStack() as stack:
        servers = {t: stack.enter_context(Server(t, args.threads, seed, root)) for t in TARGETS}
        for server in servers.values():
            server.wait()
        print(f"seeded {seed} users in each target", flush=True)
        for server in servers.values():
            users = server.info["users"]
            # Warm every code path (imports, caches, connections) on users kept apart.
            warm = users[seed - warm_count :]
            for operation in ("create", "lookup", "lookup_email", "replace", "deactivate_patch"):
                run_wrk(server, operation, warm, 1, args.connections, f"warm{operation[:8]}")
        for operation in args.operations:
            for round_ in range(args.rounds):
                for target, server in servers.items():
                    users = server.info["users"]
                    first = args.lookup_users + round_ * per_round
                    chosen = {
                        "create": [],
                        "lookup": users[: args.lookup_users],
                        "lookup_email": users[: args.lookup_users],
                        "replace": users[: args.lookup_users],
                        "deactivate_put": users[first : first + args.pool],
                        "deactivate_patch": users[first + args.pool : first + per_round],
                    }[operation]
                    result = run_wrk(
                        server,
                        operation,
                        chosen,
                        args.seconds,
                        args.connections,
                        f"r{round_}{operation[:8]}",
                    )
                    stateful = target != "ceiling"
                    if (
                        stateful
                        and operation.startswith("deactivate")
                        and result["requests"] > len(chosen)
                    ):
                        result["note"] = "pool exhausted: raise --pool"
                    print(
                        f"  {target:12} {LABELS[operation]:36} round {round_ + 1}: "
                        f"{result['rps']:7.0f} req/s, errors {result['errors']}",
                        flush=True,
                    )
                    results[target].setdefault(operation, []).append(result)
    return results


def measure_latency(args: argparse.Namespace, root: Path) -> Latency:
    """Filter lookups with one connection (no queueing) at two population sizes, by userName
    and by email, the two servers alternating for ``--rounds`` rounds; each round gives one
    (small, large) pair per kind of lookup."""
    rounds: Latency = {kind: [] for kind in LOOKUP_FILTERS}
    with contextlib.ExitStack() as stack:
        servers = {
            n: stack.enter_context(Server("wrike_sp", args.threads, n, root))
            for n in (args.small, args.large)
        }
        samples = {}
        for n, server in servers.items():
            server.wait()
            users = server.info["users"]
            step = max(1, len(users) // 1000)
            samples[n] = users[::step][:1000]  # names spread over the whole population
            for kind in LOOKUP_FILTERS:
                run_wrk(server, kind, samples[n], 1, 1, "warmlat")
        for round_ in range(args.rounds):
            for kind, shape in LOOKUP_FILTERS.items():
                pair = []
                for n, server in servers.items():
                    result = run_wrk(server, kind, samples[n], args.seconds, 1, f"lat{round_}")
                    print(
                        f"  wrike_sp {shape.format('...')} at {n:>7} users, round "
                        f"{round_ + 1}: mean {result['mean_us'] / 1000:.2f} ms, p50 "
                        f"{result['p50_us'] / 1000:.2f} ms, p99 {result['p99_us'] / 1000:.2f} ms",
                        flush=True,
                    )
                    pair.append(result)
                rounds[kind].append(tuple(pair))
    return rounds


def _shown(values: list[float]) -> str:
    """The median of per-round values with the lowest and highest in brackets."""
    return f"{median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def report_latency(latency: Latency, args: argparse.Namespace) -> bool:
    """Mean latency at the two sizes per kind of lookup; a ratio within each round."""
    latency_ok = True
    for kind, pairs in latency.items():
        means = [(small["mean_us"], large["mean_us"]) for small, large in pairs]
        latency_ratios = [large / small for small, large in means]
        print(
            f"lookup latency, {LOOKUP_FILTERS[kind].format('...')}, one connection (median of "
            f"{args.rounds} rounds): {args.small} users mean "
            f"{median(s for s, _ in means) / 1000:.2f} ms, {args.large} users mean "
            f"{median(lg for _, lg in means) / 1000:.2f} ms; ratio {_shown(latency_ratios)}"
        )
        latency_ok = latency_ok and median(latency_ratios) <= LATENCY_TARGET
    if latency:
        print(
            f"target: lookup at {args.large} users within {LATENCY_TARGET}x of {args.small}: "
            f"{'met' if latency_ok else 'NOT met'}"
        )
    else:
        print("lookup latency: not measured (--only-throughput)")
    return latency_ok


def report(
    all_results: dict[str, dict[str, list[dict[str, Any]]]],
    latency: Latency,
    args: argparse.Namespace,
) -> bool:
    """Medians over the rounds; a ratio is taken within each round (targets measured back to
    back), then the median of those, with the lowest and highest in brackets."""
    print()
    print(
        f"Requests per second (median of {args.rounds} rounds), waitress threads={args.threads}, "
        f"wrk -t1 -c{args.connections} -d{args.seconds}s, on {HOST}"
        + (f"; servers on CPU {PINNED['server']}, wrk on CPU {PINNED['client']}" if PINNED else "")
    )
    header = (
        f"{'operation':36} {'ceiling':>8} {'wrike_sp':>9} {'ratio (range)':>18} "
        f"{'scim2-server':>12} {'ratio (range)':>18}"
    )
    print(header)
    print("-" * len(header))

    def ratios(target: str, operation: str) -> list[float]:
        pairs = zip(all_results[target][operation], all_results["ceiling"][operation], strict=True)
        return [mine["rps"] / top["rps"] for mine, top in pairs]

    ok = True
    for operation in args.operations:
        rps = {t: median(r["rps"] for r in all_results[t][operation]) for t in TARGETS}
        wrike, other = ratios("wrike_sp", operation), ratios("scim2-server", operation)
        ok = ok and median(wrike) >= TARGET
        print(
            f"{LABELS[operation]:36} {rps['ceiling']:8.0f} {rps['wrike_sp']:9.0f} "
            f"{_shown(wrike):>18} {rps['scim2-server']:12.0f} {_shown(other):>18}"
        )
    print()
    print(
        "server cost per request (median): CPU microseconds (all threads, user + system) / "
        "context switches"
    )
    for operation in args.operations:
        costs = []
        for target in TARGETS:
            runs = [r for r in all_results[target][operation] if "cpu_us" in r]
            if runs:
                cpu = median(r["cpu_us"] for r in runs)
                switches = median(r["switches"] for r in runs)
                costs.append(f"{target} {cpu:5.0f} / {switches:4.1f}")
        if costs:
            print(f"{LABELS[operation]:36} " + "   ".join(costs))
    errors = {
        f"{target}/{op}": sum(r["errors"] for r in runs)
        for target, results in all_results.items()
        for op, runs in results.items()
        if any(r["errors"] for r in runs)
    }
    notes = {
        f"{t}/{op}": r["note"]
        for t, rs in all_results.items()
        for op, runs in rs.items()
        for r in runs
        if r.get("note")
    }
    partial = "" if tuple(args.operations) == OPERATIONS else " measured"
    print()
    print(
        f"target: wrike_sp >= {TARGET} of the ceiling on every{partial} operation: "
        f"{'met' if ok else 'NOT met'}"
    )
    latency_ok = report_latency(latency, args)
    if errors:
        print(f"non-2xx or socket errors (figures not comparable): {errors}")
    if notes:
        print(f"notes: {notes}")
    return ok and latency_ok and not errors and not notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    server = sub.add_parser("serve", help="(internal) serve one target")
    server.add_argument("target", choices=["wrike_sp", "ceiling", "scim2-server"])
    server.add_argument("--port", type=int, required=True)
    server.add_argument("--threads", type=int, required=True)
    server.add_argument("--seed", type=int, required=True)
    server.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--lookup-users", type=int, default=1000, help="users the lookups and replaces cycle over"
    )
    parser.add_argument(
        "--pool", type=int, default=3000, help="active users set aside for each deactivation run"
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (medians)")
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--only-latency", action="store_true")
    parser.add_argument(
        "--pin",
        action="store_true",
        help="every server on the first CPU and wrk on the last (Linux, two CPUs or more)",
    )
    parser.add_argument("--only-throughput", action="store_true")
    parser.add_argument(
        "--operations",
        type=lambda text: tuple(text.split(",")),
        default=OPERATIONS,
        help=f"comma-separated subset of {','.join(OPERATIONS)} (default: all)",
    )
    args = parser.parse_args()
    if args.command == "serve":
        serve(args.target, args.port, args.threads, args.seed, args.workdir)
        return
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    unknown = set(args.operations) - set(OPERATIONS)
    if unknown or not args.operations:
        raise SystemExit(f"--operations: choose from {', '.join(OPERATIONS)}")
    if args.only_latency and args.only_throughput:
        raise SystemExit("--only-latency and --only-throughput exclude each other")
    if args.pin:
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            raise SystemExit("--pin needs two CPUs or more")
        PINNED.update(server={cpus[0]}, client={cpus[-1]})
    root = Path(tempfile.mkdtemp(prefix="wrike-bench-"))
    try:
        all_results: dict[str, dict[str, list[dict[str, Any]]]] = {}
        if not args.only_latency:
            print("throughput: seeding the three targets", flush=True)
            all_results = measure_throughput(args, root)
        latency: Latency = {}
        if not args.only_throughput:
            print("lookup latency: seeding two wrike_sp databases", flush=True)
            latency = measure_latency(args, root)
        if args.only_latency:
            print()
            met = report_latency(latency, args)
        else:
            met = report(all_results, latency, args)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()

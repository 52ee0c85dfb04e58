"""Provisioning throughput of the simulated OneLogin, end to end, in users per second.

Not a test. Runs in one sitting and prints ratios measured in that sitting:

* in-process end to end: N users gain the Wrike app through a role; the engine drains the
  queue (existence check + POST per user) into a minimal SCIM endpoint (a tiny Flask app
  defined here) through the in-process WSGI transport;
* ceiling: the same two SCIM calls per user handed straight to the same transport, with no
  OneLogin in between (what the transport and the endpoint alone allow), interleaved with the
  end-to-end run slice by slice so both see the same load on the machine;
* transport comparison: the ceiling through ``responses`` (a callback into the same WSGI
  app) instead of the WSGIAdapter;
* live HTTP: the engine against the same endpoint served by waitress on loopback.

    .venv/bin/python bench/onelogin_provision.py --users 10000 --live-users 1000
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import re
import socket
import threading
import time
from typing import Any

import requests
import responses
from flask import Flask, Response, request

from mock_onelogin import OneLoginAccount, OneLoginConfig, wsgi_session
from mock_onelogin.transport import WSGIAdapter

BASE = "http://scim.bench/scim/v2"
TOKEN = "bench-token-0123456789"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


def minimal_scim() -> Flask:
    """Just enough SCIM for a create: filter by userName, POST. Plain ``json`` in and out, as
    a lean provider would do; the work per request is Flask's routing and request context."""
    app = Flask("minimal_scim")
    users: dict[str, dict[str, Any]] = {}
    names: dict[str, str] = {}
    ids = itertools.count(1)
    filter_re = re.compile(r'userName eq "([^"]*)"')

    def answer(body: Any, status: int = 200) -> Response:
        return Response(json.dumps(body), status=status, mimetype="application/scim+json")

    @app.get("/scim/v2/Users")
    def find() -> Response:
        match = filter_re.match(request.args.get("filter", ""))
        found = [users[names[match.group(1)]]] if match and match.group(1) in names else []
        return answer({"schemas": [LIST], "totalResults": len(found), "Resources": found})

    @app.post("/scim/v2/Users")
    def create() -> Response:
        body = json.loads(request.get_data())
        user_id = str(next(ids))
        users[user_id] = {**body, "id": user_id}
        names[body["userName"]] = user_id
        return answer(users[user_id], 201)

    app.config["users"] = users
    return app


def account_for(session_factory: Any) -> OneLoginAccount:
    account = OneLoginAccount(
        OneLoginConfig(drain_mode="manual", drain_batch_size=500), session_factory=session_factory
    )
    wrike = account.apps.wrike_app_id()
    account.apps.configure_connector(
        wrike,
        {
            "scim_base_url": BASE.replace("http://scim.bench", session_factory.base)
            if hasattr(session_factory, "base")
            else BASE,
            "scim_bearer_token": TOKEN,
        },
    )
    # "Click Enable next to API status": without it OneLogin sends nothing.
    status = account.apps.enable_api_connection(wrike).api_status
    assert status == "Enabled", f"the bench's SCIM endpoint failed the connection test: {status}"
    account.apps.set_provisioning(
        wrike,
        {
            "enabled": True,
            "require_approval": {"create_user": False, "update_user": False, "delete_user": False},
        },
    )
    return account


def directory(account: OneLoginAccount, n: int) -> tuple[int, list[int], float]:
    start = time.perf_counter()
    with account.store.transaction():
        ids = [
            account.store.insert_user(
                {
                    "email": f"user{i}@bench.example",
                    "username": f"user{i}",
                    "firstname": "Bench",
                    "lastname": f"User{i}",
                    "title": "Engineer",
                    "department": "R&D",
                    "company": "Bench Co",
                    "phone": f"+1555{i:07d}",
                    "status": 1,
                    "state": 1,
                    "custom_attributes": {"wrike_user_type": "Regular"},
                },
                "2026-01-01T00:00:00.000Z",
            )
            for i in range(n)
        ]
    role = account.directory.create_role(
        {"name": "Wrike users", "apps": [account.apps.wrike_app_id()]}
    )
    return role, ids, time.perf_counter() - start


class Stopwatch:
    """Accumulates wall-clock and CPU time over several ``with`` blocks."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0

    def __enter__(self) -> Stopwatch:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall += time.perf_counter() - self._wall
        self.cpu += time.process_time() - self._cpu


def prepared_calls(base: str, n: int) -> list[requests.PreparedRequest]:
    """Two SCIM calls per user (existence check, create), prepared before any clock starts."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    calls = []
    for i in range(n):
        name = f"ceiling{i}@bench.example"
        for method, url, body in (
            ("GET", f"{base}/Users?filter=userName%20eq%20%22{name}%22", None),
            (
                "POST",
                f"{base}/Users",
                json.dumps(
                    {
                        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                        "userName": name,
                        "name": {"givenName": "Bench", "familyName": f"U{i}"},
                        "emails": [{"value": name, "type": "work", "primary": True}],
                    }
                ),
            ),
        ):
            calls.append(requests.Request(method, url, data=body, headers=headers).prepare())
    return calls


def interleaved(
    account: OneLoginAccount, adapter: Any, base: str, n: int, chunk: int
) -> dict[str, float]:
    """End to end and ceiling, interleaved slice by slice so that both see the same load on
    the machine: drain ``chunk`` users, then send the ceiling's calls for as many users."""
    role, ids, setup = directory(account, n)
    calls = prepared_calls(base, n)
    # The set-up objects (20,000 prepared ceiling calls among them) live through the run;
    # freezing them keeps the garbage collector from re-scanning them in either measurement.
    gc.collect()
    gc.freeze()
    e2e, ceil = Stopwatch(), Stopwatch()
    with e2e:
        account.directory.add_role_users(role, ids)
    assign = e2e.wall
    done = 0
    while done < n:
        with e2e:
            ran = account.drain(max_tasks=chunk)["ran"]
        with ceil:
            for req in calls[2 * done : 2 * (done + ran)]:
                adapter.send(req)
        done += ran
        if ran == 0:
            break
    states = account.store.login_state_counts(account.apps.wrike_app_id())
    assert states == {"provisioned": n}, states
    return {
        "e2e_wall": e2e.wall,
        "e2e_cpu": e2e.cpu,
        "ceiling_wall": ceil.wall,
        "ceiling_cpu": ceil.cpu,
        "assign": assign,
        "setup": setup,
    }


def in_process(n: int, chunk: int) -> dict[str, float]:
    scim = minimal_scim()
    account = account_for(lambda base: wsgi_session(scim, "http://scim.bench"))
    return interleaved(account, WSGIAdapter(minimal_scim()), BASE, n, chunk)


def session_calls(session: requests.Session, base: str, n: int) -> float:
    """Two SCIM calls per user through ordinary ``Session.get/post`` (transport comparison)."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    start = time.perf_counter()
    for i in range(n):
        name = f"ceiling{i}@bench.example"
        session.get(f"{base}/Users?filter=userName%20eq%20%22{name}%22", headers=headers)
        session.post(
            f"{base}/Users",
            data=json.dumps(
                {
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "userName": name,
                    "name": {"givenName": "Bench", "familyName": f"User{i}"},
                    "emails": [{"value": name, "type": "work", "primary": True}],
                }
            ),
            headers=headers,
        )
    return time.perf_counter() - start


def responses_session(app: Flask) -> tuple[requests.Session, responses.RequestsMock]:
    """The same WSGI app behind ``responses`` callbacks, for the transport comparison."""
    client = app.test_client()
    mock = responses.RequestsMock(assert_all_requests_are_fired=False)

    def call(req: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        path = req.url.split("scim.bench", 1)[1]
        res = client.open(path, method=req.method, data=req.body, headers=dict(req.headers))
        return res.status_code, dict(res.headers), res.get_data()

    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        mock.add_callback(method, re.compile(r"http://scim\.bench/.*"), callback=call)
    mock.start()
    session = requests.Session()
    session.trust_env = False
    return session, mock


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def live(n: int, chunk: int) -> dict[str, float]:
    """The same, over real HTTP to waitress on loopback (server threads in this process)."""
    from waitress.server import create_server

    servers = []
    for _ in range(2):  # one endpoint for the engine, one for the ceiling
        server = create_server(minimal_scim(), host="127.0.0.1", port=free_port(), threads=4)
        threading.Thread(target=server.run, daemon=True).start()
        servers.append(server)
    time.sleep(0.2)
    engine_base, ceiling_base = (f"http://127.0.0.1:{s.effective_port}" for s in servers)

    def factory(_: str) -> requests.Session:
        session = requests.Session()
        session.trust_env = False
        return session

    factory.base = engine_base  # type: ignore[attr-defined]
    account = account_for(factory)
    session = factory(ceiling_base)
    try:
        return interleaved(
            account, session.get_adapter(ceiling_base + "/"), ceiling_base + "/scim/v2", n, chunk
        )
    finally:
        session.close()
        for cached in account.engine._sessions.values():
            cached.close()
        time.sleep(0.2)
        for server in servers:
            server.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--live-users", type=int, default=1_000)
    parser.add_argument("--skip-live", action="store_true")
    parser.add_argument(
        "--chunk",
        type=int,
        default=500,
        help="users per interleaved slice of end to end and ceiling",
    )
    args = parser.parse_args()
    n = args.users

    r = in_process(n, args.chunk)
    print(
        f"in-process end to end: {n} users in {r['e2e_wall']:.2f} s = "
        f"{n / r['e2e_wall']:,.0f} users/s (CPU {r['e2e_cpu']:.2f} s; of which assigning "
        f"and queueing {r['assign']:.2f} s; directory set-up, untimed, {r['setup']:.2f} s)"
    )
    print(
        f"ceiling (endpoint alone, same transport, no OneLogin): {n} users in "
        f"{r['ceiling_wall']:.2f} s = {n / r['ceiling_wall']:,.0f} users/s "
        f"(CPU {r['ceiling_cpu']:.2f} s)"
    )
    print(
        f"end to end / ceiling = {r['ceiling_wall'] / r['e2e_wall']:.2f} wall-clock, "
        f"{r['ceiling_cpu'] / r['e2e_cpu']:.2f} in CPU time (interleaved per "
        f"{args.chunk} users, so both ran under the same load)"
    )

    m = min(n, 2000)
    session, mock = responses_session(minimal_scim())
    try:
        via_responses = session_calls(session, BASE, m)
    finally:
        mock.stop()
        mock.reset()
    via_adapter = session_calls(wsgi_session(minimal_scim(), "http://scim.bench"), BASE, m)
    print(
        f"transport, {m} users: responses {m / via_responses:,.0f} users/s, WSGIAdapter "
        f"{m / via_adapter:,.0f} users/s (adapter {via_responses / via_adapter:.2f}x faster)"
    )

    if not args.skip_live:
        m = args.live_users
        r = live(m, args.chunk)
        print(
            f"live HTTP (waitress on loopback): {m} users in {r['e2e_wall']:.2f} s = "
            f"{m / r['e2e_wall']:,.0f} users/s; ceiling (endpoint alone over the same HTTP) "
            f"{m / r['ceiling_wall']:,.0f} users/s; ratio "
            f"{r['ceiling_wall'] / r['e2e_wall']:.2f} (interleaved likewise)"
        )


if __name__ == "__main__":
    main()

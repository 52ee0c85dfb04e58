"""What a review of the hardening found, each a test that fails on the code before the fix:
a nesting pre-scan that took quadratic time on escaped quotes (before any credential on the
OneLogin token endpoint), bodies buffered whole by the WSGI server, a TLS proxy's origin
refused, a URN-qualified PATCH path that skipped the value cap, journal bodies in UTF-16 or
with escaped names kept in clear."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest
from flask import Flask

from harness.drivers.loopback import LoopbackServer
from tests.wrike_sp.conftest import Scim
from webguard import json_nesting_exceeds
from wrike_sp import WrikeConfig, create_app
from wrike_sp.demo import seed_demo_account
from wrike_sp.domain import modelling
from wrike_sp.web.harness import journal_body

EMAILS = "urn:ietf:params:scim:schemas:core:2.0:User:emails"


def test_the_nesting_scan_is_linear_on_escaped_quotes() -> None:
    """A hang guard, not a timing: the scan takes milliseconds when linear and hours when
    quadratic. It runs in a child process, as a regex holds the interpreter until done."""
    script = (
        "from webguard import json_nesting_exceeds\n"
        "json_nesting_exceeds('\"' + '\\\\\"' * 400_000, 32)\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=30)


@pytest.mark.parametrize(
    ("text", "deep"),
    [
        ('["\\"[[[[[[", 1]', False),  # brackets inside a string with an escaped quote
        ('{"a": "\\\\"}' + "", False),  # an escaped backslash ends the string
        ("[" * 33 + "]" * 33, True),
        ('["x\\"]' + "[" * 40, True),
    ],
)
def test_the_nesting_scan_still_counts_only_brackets_outside_strings(text: str, deep: bool) -> None:
    assert json_nesting_exceeds(text, 32) is deep


@pytest.fixture
def wrike() -> Flask:
    app = create_app(
        WrikeConfig(
            harness_enabled=True,
            password_iterations=1000,
            public_url="https://wrike.corp.example",
        )
    )
    return app


def test_a_huge_body_is_refused_before_the_server_reads_it(wrike: Flask) -> None:
    server = LoopbackServer(wrike)
    try:
        port = int(server.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(
                b"POST /scim/1/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/scim+json\r\n"
                b"Content-Length: 209715200\r\n\r\n"
            )
            answer = sock.recv(200)  # no body sent: the answer must not wait for it
        assert answer.startswith(b"HTTP/1.1 413"), answer
    finally:
        server.close()


def test_pages_behind_a_tls_proxy_accept_their_public_origin(wrike: Flask) -> None:
    client = wrike.test_client()
    headers = {"Host": "wrike.corp.example", "Origin": "https://wrike.corp.example"}
    csrf = client.get("/login", headers={"Host": "wrike.corp.example"}).text
    token = csrf.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post("/logout", data={"csrf_token": token}, headers=headers)
    assert response.status_code == 302
    foreign = client.post(
        "/logout",
        data={"csrf_token": token},
        headers={**headers, "Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403


@pytest.mark.parametrize("path", [EMAILS, "emails"])
def test_a_urn_qualified_patch_path_counts_toward_the_value_cap(wrike: Flask, path: str) -> None:
    demo = seed_demo_account(wrike.extensions["wrike"].accounts)
    scim = Scim(wrike.test_client(), demo.scim_path, demo.token)
    created = scim.create("cap@acme.example").get_json()
    per_op = 2
    operations = [
        {
            "op": "add",
            "path": path,
            "value": [{"value": f"x{n}.{k}@acme.example", "type": "other"} for k in range(per_op)],
        }
        for n in range(modelling.MAX_MULTI_VALUES // per_op + 1)
    ]
    response = scim.patch(created["id"], *operations)
    assert response.status_code == 400
    detail = response.get_json()["detail"]
    assert str(modelling.MAX_MULTI_VALUES) in detail
    # counted from the operations alone, before any is applied (applied, the user's own
    # email would make one more): the library never spends its time on them
    assert f"has {per_op * len(operations)} values" in detail


def test_a_utf16_body_is_redacted_in_the_journal() -> None:
    body = json.dumps({"userName": "a@acme.example", "password": "Hunter2secret"})
    for encoding in ("utf-16", "utf-32"):
        kept = journal_body(body.encode(encoding))
        assert "Hunter2secret" not in kept and "[redacted]" in kept


def test_an_unparseable_body_with_an_escaped_name_is_not_kept() -> None:
    kept = journal_body(rb'{"pass\u0077ord": "Hunter2secret",}')
    assert "Hunter2secret" not in kept

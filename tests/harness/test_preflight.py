"""The preflight of ``harness check`` against real servers: the reference provider, scim2-server,
a port where nothing listens, a server that never answers, an https server with a self-signed
certificate and a web server answering HTML 404s. Each verdict names the cause and the fix,
ends within 10 s, and never shows the token."""

from __future__ import annotations

import datetime
import ipaddress
import json
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from scim2_models import ScimProvider
from scim2_server.memory import InMemoryStorage
from scim2_server.service import ScimService
from scim2_server.testserver.application import BEARER_TOKEN_SCHEME, BearerTokenApplication
from scim2_server.utils import (
    load_default_resource_types,
    load_default_schemas,
    load_default_service_provider_config,
)
from werkzeug.serving import make_server

from harness.preflight import PROBE_PREFIX, Status, Verdict, run_preflight
from tests.live import free_port, serving
from wrike_sp import WrikeConfig, create_app
from wrike_sp.demo import DemoAccount, seed_demo_account

SCIM2_TOKEN = "scim2-server-token-0123456789"
#: What the issue asks of every verdict against a broken endpoint.
LIMIT_SECONDS = 10.0

WSGI = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _secret_free(verdict: Verdict, token: str) -> str:
    text = "\n".join(verdict.lines())
    assert token not in text
    assert "Traceback" not in text
    return text


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every address here is reached directly, whatever proxy the machine is set up with."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("all_proxy", raising=False)


@pytest.fixture
def reference() -> Iterator[tuple[str, DemoAccount]]:
    """The reference provider over real HTTP; its seeded approved domain is acme.example."""
    app = create_app(WrikeConfig(password_iterations=1000))
    demo = seed_demo_account(app.extensions["wrike"].accounts)
    with serving(app) as base:
        yield base + demo.scim_path, demo


def user_names(url: str, token: str) -> list[str]:
    """Every userName the provider holds, read over SCIM."""
    answer = requests.get(
        url + "/Users?count=1000", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    answer.raise_for_status()
    return [user["userName"] for user in answer.json().get("Resources") or []]


def scim2_server(*, filter_supported: bool = True, patch_supported: bool = True) -> WSGI:
    """scim2-server's WSGI application (in memory, one bearer token), as its CLI builds it."""
    config = load_default_service_provider_config()
    config.authentication_schemes = [*(config.authentication_schemes or []), BEARER_TOKEN_SCHEME]
    assert config.filter is not None and config.patch is not None
    config.filter.supported = filter_supported
    config.patch.supported = patch_supported
    provider = ScimProvider.from_discovery(
        load_default_schemas().values(), load_default_resource_types().values(), config=config
    )
    app: WSGI = BearerTokenApplication(
        InMemoryStorage(),
        provider,
        service=ScimService(provider, secret="preflight-test"),
        bearer_tokens=[SCIM2_TOKEN],
    )
    return app


def failing(app: WSGI, method: str, status: str, *, with_id: bool) -> WSGI:
    """``app`` with one kind of request answered by an error: the provider misbehaving in one
    step of the write check, everything else served by the real server."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        parts = [p for p in environ.get("PATH_INFO", "").split("/") if p]
        is_one_user = len(parts) == 3 and parts[1] == "Users"
        if environ["REQUEST_METHOD"] == method and is_one_user == with_id:
            body = (
                b'{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],'
                b'"status":"' + status[:3].encode() + b'","detail":"refused by the test"}'
            )
            start_response(status, [("Content-Type", "application/scim+json")])
            return [body]
        return app(environ, start_response)

    return wrapped


# -- the reference provider -------------------------------------------------------------------


def test_a_working_endpoint_passes_and_keeps_no_test_user(
    reference: tuple[str, DemoAccount],
) -> None:
    url, demo = reference
    verdict = run_preflight(url, demo.token, "acme.example")
    text = _secret_free(verdict, demo.token)
    assert not verdict.failed, text
    assert [c.status for c in verdict.checks if c.name != "TLS"] == [Status.OK] * 7
    assert "created, read back and deleted harness-preflight-" in verdict.check("writes").detail
    assert not [n for n in user_names(url, demo.token) if n.startswith(PROBE_PREFIX)]
    assert len(verdict.lines()) < 40


def test_a_wrong_token_is_named_with_the_fix_and_nothing_else_is_tried(
    reference: tuple[str, DemoAccount],
) -> None:
    url, _ = reference
    token = "not-the-token-0123456789"
    verdict = run_preflight(url, token, "acme.example")
    text = _secret_free(verdict, token)
    assert verdict.failed
    assert [c.name for c in verdict.problems] == ["token"]
    assert "refused (401)" in verdict.check("token").detail
    assert "HARNESS_SCIM_TOKEN" in verdict.check("token").fix
    assert verdict.check("writes").status is Status.SKIPPED
    assert "****6789" in text  # identified by its last four characters only


def test_a_token_without_the_right_to_list_users_is_named_with_the_right() -> None:
    app = create_app(WrikeConfig(password_iterations=1000))
    accounts = app.extensions["wrike"].accounts
    demo = seed_demo_account(accounts)
    accounts.update_member(
        demo.account_id,
        demo.admin_id,
        {"rights": {"edit_names_emails_deactivate_delete_users": False}},
    )
    with serving(app) as base:
        verdict = run_preflight(base + demo.scim_path, demo.token, "acme.example")
    token = verdict.check("token")
    assert [c.name for c in verdict.problems] == ["token"]
    assert "accepted but not allowed to list users (403)" in token.detail
    assert "Edit names and emails" in token.detail  # the provider names the missing right
    assert "account admin holding the rights" in token.fix


def test_an_unapproved_domain_names_the_domain_and_the_fix(
    reference: tuple[str, DemoAccount],
) -> None:
    url, demo = reference
    verdict = run_preflight(url, demo.token, "acme.com")
    _secret_free(verdict, demo.token)
    writes = verdict.check("writes")
    assert [c.name for c in verdict.problems] == ["writes"]
    assert "a user at acme.com is refused (400)" in writes.detail
    assert "approved: acme.example" in writes.detail  # the provider's own words
    assert "approve acme.com in Wrike" in writes.fix
    assert "--domain" in writes.fix
    assert not [n for n in user_names(url, demo.token) if n.startswith(PROBE_PREFIX)]


def test_no_writes_skips_the_write_check_and_says_so(reference: tuple[str, DemoAccount]) -> None:
    url, demo = reference
    verdict = run_preflight(url, demo.token, "acme.com", writes=False)
    assert not verdict.failed
    writes = verdict.check("writes")
    assert writes.status is Status.SKIPPED
    assert "--no-writes" in writes.detail
    assert any(line.lstrip().startswith("skipped  writes") for line in verdict.lines())


def test_a_url_of_another_account_is_not_the_scim_base_url(
    reference: tuple[str, DemoAccount],
) -> None:
    url, demo = reference
    wrong = url.replace(f"/scim/{demo.account_id}/", "/scim/999/")
    verdict = run_preflight(wrong, demo.token, "acme.example")
    scim_url = verdict.check("SCIM URL")
    assert scim_url.status is Status.PROBLEM
    assert "this is not the SCIM base URL: GET /Users answered 404" in scim_url.detail
    assert "/scim/<account id>/v2" in scim_url.fix
    assert verdict.check("token").status is Status.SKIPPED


def test_a_url_ending_in_users_is_not_the_base_url(reference: tuple[str, DemoAccount]) -> None:
    url, demo = reference
    verdict = run_preflight(url + "/Users", demo.token, "acme.example")
    assert "this is not the SCIM base URL" in verdict.check("SCIM URL").detail
    assert "without /Users" in verdict.check("SCIM URL").fix


# -- scim2-server, an RFC provider written elsewhere ------------------------------------------


def test_scim2_server_passes_at_any_domain() -> None:
    with serving(scim2_server()) as base:
        verdict = run_preflight(base + "/v2", SCIM2_TOKEN, "example.org")
        assert not verdict.failed, "\n".join(verdict.lines())
        assert user_names(base + "/v2", SCIM2_TOKEN) == []


def test_a_provider_that_cannot_filter_cannot_be_driven_by_onelogin() -> None:
    with serving(scim2_server(filter_supported=False)) as base:
        verdict = run_preflight(base + "/v2", SCIM2_TOKEN, "acme.com")
    check = verdict.check("filter")
    assert check.status is Status.PROBLEM
    assert 'userName eq "harness-preflight-lookup@acme.com"' in check.detail
    assert "answered 501" in check.detail
    assert "OneLogin and the suite cannot drive it" in check.fix


def test_a_provider_without_patch_gets_a_warning_not_a_problem() -> None:
    with serving(scim2_server(patch_supported=False)) as base:
        verdict = run_preflight(base + "/v2", SCIM2_TOKEN, "acme.com")
    assert not verdict.failed
    check = verdict.check("PATCH")
    assert check.status is Status.WARNING
    assert "[PATCH] runs of the @both_update_methods scenarios will fail" in check.detail
    assert "-k 'not PATCH'" in check.fix
    assert "fix: deselect them" in "\n".join(verdict.lines())


def test_the_created_user_is_deleted_when_reading_it_back_fails() -> None:
    app = scim2_server()
    with serving(failing(app, "GET", "500 INTERNAL SERVER ERROR", with_id=True)) as base:
        verdict = run_preflight(base + "/v2", SCIM2_TOKEN, "acme.com")
        names = user_names(base + "/v2", SCIM2_TOKEN)
    writes = verdict.check("writes")
    assert writes.status is Status.PROBLEM
    assert "answered 500: refused by the test" in writes.detail
    assert "left behind" not in writes.detail
    assert names == []


def test_a_user_that_cannot_be_deleted_is_named_as_left_behind() -> None:
    app = scim2_server()
    with serving(failing(app, "DELETE", "403 FORBIDDEN", with_id=True)) as base:
        verdict = run_preflight(base + "/v2", SCIM2_TOKEN, "acme.com")
        names = user_names(base + "/v2", SCIM2_TOKEN)
    writes = verdict.check("writes")
    assert writes.status is Status.PROBLEM
    assert "DELETE answered 403" in writes.detail
    assert len(names) == 1 and names[0].startswith(PROBE_PREFIX)
    assert f"{names[0]} (id " in writes.detail and "was left behind" in writes.detail


def stalling(app: WSGI, method: str, seconds: float) -> WSGI:
    """``app`` answering ``method`` on one user only after ``seconds``."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        parts = [p for p in environ.get("PATH_INFO", "").split("/") if p]
        if environ["REQUEST_METHOD"] == method and len(parts) == 3:
            time.sleep(seconds)
        return app(environ, start_response)

    return wrapped


@pytest.mark.slow
def test_the_created_user_is_deleted_when_reading_it_back_times_out() -> None:
    with serving(stalling(scim2_server(), "GET", 6)) as base:
        started = time.monotonic()
        verdict = run_preflight(base + "/v2", SCIM2_TOKEN, "acme.com")
        took = time.monotonic() - started
        names = user_names(base + "/v2", SCIM2_TOKEN)
    assert took < LIMIT_SECONDS
    assert [c.name for c in verdict.checks].count("writes") == 1
    writes = verdict.check("writes")
    assert writes.status is Status.PROBLEM
    assert "sent no answer to GET /Users/" in writes.detail
    assert "left behind" not in writes.detail
    assert names == []


def created_then(app: WSGI, answer: str, stall: float = 0.0) -> WSGI:
    """``app`` creating the user a POST /Users asks for, then answering the client badly: after
    ``stall`` seconds, and with ``answer`` ("empty": 201 without a body, "no id": 201 with the
    user but no id) or the real answer."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] != "POST":
            return app(environ, start_response)
        real = b"".join(app(environ, lambda *_: None))
        time.sleep(stall)
        if answer == "empty":
            start_response("201 CREATED", [("Content-Length", "0")])
            return [b""]
        user = json.loads(real)
        if answer == "no id":
            user.pop("id", None)
        start_response("201 CREATED", [("Content-Type", "application/scim+json")])
        return [json.dumps(user).encode()]

    return wrapped


@pytest.mark.parametrize("answer", ["empty", "no id"])
def test_a_create_answered_without_an_id_is_looked_up_and_deleted(answer: str) -> None:
    with serving(created_then(scim2_server(), answer)) as base:
        verdict = run_preflight(base + "/v2", SCIM2_TOKEN, "acme.com")
        names = user_names(base + "/v2", SCIM2_TOKEN)
    assert verdict.check("writes").status is Status.PROBLEM
    assert names == [], "the preflight left its test user behind"


@pytest.mark.slow
def test_a_create_whose_answer_times_out_is_looked_up_and_deleted() -> None:
    with serving(created_then(scim2_server(), "real", stall=6)) as base:
        started = time.monotonic()
        verdict = run_preflight(base + "/v2", SCIM2_TOKEN, "acme.com")
        took = time.monotonic() - started
        names = user_names(base + "/v2", SCIM2_TOKEN)
    assert took < LIMIT_SECONDS
    writes = verdict.check("writes")
    assert writes.status is Status.PROBLEM
    assert "sent no answer to POST /Users" in writes.detail
    assert names == [], "the preflight left its test user behind"


def test_a_user_that_may_be_left_behind_is_named() -> None:
    """The create's answer was lost and the lookup for it fails too: the verdict says so."""
    created = created_then(scim2_server(), "empty")
    posted: list[bool] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] == "POST":
            posted.append(True)
        elif posted and "filter" in environ.get("QUERY_STRING", ""):
            start_response("503 SERVICE UNAVAILABLE", [("Content-Length", "0")])
            return [b""]
        return created(environ, start_response)

    with serving(app) as base:
        verdict = run_preflight(base + "/v2", SCIM2_TOKEN, "acme.com")
    writes = verdict.check("writes")
    assert "may have been created and left behind" in writes.detail


def test_a_providers_words_reach_the_terminal_without_control_characters() -> None:
    app = failing(scim2_server(), "POST", "400 BAD REQUEST", with_id=False)

    def escaping(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] == "POST":
            start_response("400 BAD REQUEST", [("Content-Type", "application/scim+json")])
            return [b'{"status":"400","detail":"bad \\u001b[31mred\\u001b[0m"}']
        return app(environ, start_response)

    with serving(escaping) as base:
        verdict = run_preflight(base + "/v2", SCIM2_TOKEN, "acme.com")
    writes = verdict.check("writes")
    assert "red" in writes.detail
    assert "\x1b" not in writes.detail


# -- addresses that do not answer SCIM --------------------------------------------------------


def test_a_port_where_nothing_listens_is_named() -> None:
    port = free_port()
    started = time.monotonic()
    verdict = run_preflight(f"http://127.0.0.1:{port}/scim/1/v2", "t" * 20, "acme.com")
    assert time.monotonic() - started < LIMIT_SECONDS
    check = verdict.check("reachable")
    assert check.status is Status.PROBLEM
    assert f"nothing listens at 127.0.0.1:{port} (connection refused)" in check.detail
    assert "start the SCIM server" in check.fix
    assert [c.status for c in verdict.checks[1:]] == [Status.SKIPPED] * 7


def test_a_host_name_that_does_not_resolve_is_named() -> None:
    verdict = run_preflight("https://scim.invalid/scim/1/v2", "t" * 20, "acme.com")
    check = verdict.check("reachable")
    assert check.status is Status.PROBLEM
    assert "scim.invalid" in check.detail and "resolve" in check.detail
    assert "DNS" in check.fix


@contextmanager
def black_hole(backlog: int = 8) -> Iterator[socket.socket]:
    """A listening socket nobody accepts from: the kernel completes the handshake, no HTTP
    answer ever comes."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(backlog)
    try:
        yield sock
    finally:
        sock.close()


@pytest.mark.slow  # waits out the read timeout
def test_a_server_that_never_answers_ends_within_the_timeout() -> None:
    with black_hole() as hole:
        port = hole.getsockname()[1]
        started = time.monotonic()
        verdict = run_preflight(f"http://127.0.0.1:{port}/scim/1/v2", "t" * 20, "acme.com")
        took = time.monotonic() - started
    assert took < LIMIT_SECONDS
    assert verdict.check("reachable").status is Status.OK
    check = verdict.check("SCIM URL")
    assert check.status is Status.PROBLEM
    assert f"127.0.0.1:{port} took the connection but sent no answer" in check.detail
    assert [c.status for c in verdict.checks[3:]] == [Status.SKIPPED] * 5


@pytest.mark.slow
def test_an_address_that_drops_connections_ends_within_the_timeout() -> None:
    with black_hole(backlog=0) as hole:
        port = hole.getsockname()[1]
        # Fill the accept queue: the kernel then drops the next connection's packets, as a
        # firewall does.
        fillers = [socket.create_connection(("127.0.0.1", port), timeout=1) for _ in range(1)]
        try:
            started = time.monotonic()
            verdict = run_preflight(f"https://127.0.0.1:{port}/v2", "t" * 20, "acme.com")
            took = time.monotonic() - started
        finally:
            for filler in fillers:
                filler.close()
    assert took < LIMIT_SECONDS
    check = verdict.check("reachable")
    assert check.status is Status.PROBLEM
    assert f"no connection to 127.0.0.1:{port} within 3 s" in check.detail


@pytest.mark.slow
def test_an_https_server_that_never_answers_the_handshake_ends_within_the_timeout() -> None:
    with black_hole() as hole:
        port = hole.getsockname()[1]
        started = time.monotonic()
        verdict = run_preflight(f"https://127.0.0.1:{port}/v2", "t" * 20, "acme.com")
        took = time.monotonic() - started
    assert took < LIMIT_SECONDS
    assert verdict.failed
    assert verdict.check("reachable").status is Status.OK
    tls = verdict.check("TLS")
    assert tls.status is Status.PROBLEM
    assert f"127.0.0.1:{port} took the connection but completed no TLS handshake" in tls.detail
    assert verdict.check("writes").status is Status.SKIPPED


def html_page(status: str) -> WSGI:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response(status, [("Content-Type", "text/html; charset=utf-8")])
        return [b"<!doctype html><html><head><title>Page not found</title></head><body/></html>"]

    return app


@pytest.mark.parametrize("status", ["404 NOT FOUND", "200 OK"])
def test_a_web_server_answering_html_is_not_the_scim_base_url(status: str) -> None:
    with serving(html_page(status)) as base:
        verdict = run_preflight(base + "/app", "t" * 20, "acme.com")
    check = verdict.check("SCIM URL")
    assert check.status is Status.PROBLEM
    assert "this is not the SCIM base URL" in check.detail
    assert f"answered {status[:3]} with an HTML page titled 'Page not found'" in check.detail
    assert "/scim/<account id>/v2" in check.fix


# -- TLS --------------------------------------------------------------------------------------


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key, and that key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@contextmanager
def serving_on(app: WSGI, host: str, tls: tuple[Path, Path] | None = None) -> Iterator[str]:
    """``app`` on ``host`` (any local address), over https with ``tls`` (cert, key)."""
    context = (str(tls[0]), str(tls[1])) if tls else None
    server = make_server(host, 0, app, threaded=True, ssl_context=context)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"{'https' if tls else 'http'}://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def local_address() -> str | None:
    """An address of this machine that is not loopback, if it has one (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address = str(sock.getsockname()[0])
    return None if ipaddress.ip_address(address).is_loopback else address


def test_plain_http_beyond_this_machine_is_a_warning() -> None:
    address = local_address()
    if address is None:
        pytest.skip("this machine has no address but loopback")
    app = create_app(WrikeConfig(password_iterations=1000))
    demo = seed_demo_account(app.extensions["wrike"].accounts)
    with serving_on(app, address) as base:
        verdict = run_preflight(base + demo.scim_path, demo.token, "acme.example")
    tls = verdict.check("TLS")
    assert not verdict.failed, "\n".join(verdict.lines())
    assert tls.status is Status.WARNING
    assert f"the token travels to {address} unencrypted" in tls.detail
    assert "https" in tls.fix


def test_a_self_signed_certificate_is_named_with_the_ca_bundle_fix_which_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    cert, key = self_signed(tmp_path)
    app = create_app(WrikeConfig(password_iterations=1000))
    demo = seed_demo_account(app.extensions["wrike"].accounts)
    with serving_on(app, "127.0.0.1", (cert, key)) as base:
        url = base + demo.scim_path
        refused = run_preflight(url, demo.token, "acme.example")
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
        trusted = run_preflight(url, demo.token, "acme.example")
    tls = refused.check("TLS")
    assert tls.status is Status.PROBLEM
    assert "certificate verification failed for 127.0.0.1" in tls.detail
    assert "self-signed certificate" in tls.detail
    assert "REQUESTS_CA_BUNDLE" in tls.fix
    assert refused.check("token").status is Status.SKIPPED
    _secret_free(refused, demo.token)
    assert not trusted.failed, "\n".join(trusted.lines())
    assert trusted.check("TLS").status is Status.OK


def test_an_https_url_to_a_plain_http_server_names_the_scheme() -> None:
    with serving(html_page("200 OK")) as base:
        verdict = run_preflight(base.replace("http:", "https:") + "/v2", "t" * 20, "acme.com")
    tls = verdict.check("TLS")
    assert tls.status is Status.PROBLEM
    assert "does not answer TLS (is the endpoint http://, not https://?)" in tls.detail


def test_an_http_url_to_an_https_server_names_the_scheme(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    with serving_on(html_page("200 OK"), "127.0.0.1", (cert, key)) as base:
        verdict = run_preflight(base.replace("https:", "http:") + "/v2", "t" * 20, "acme.com")
    check = verdict.check("SCIM URL")
    assert check.status is Status.PROBLEM
    assert "closed the connection without an HTTP answer to GET /Users" in check.detail
    assert "scheme (http/https)" in check.fix

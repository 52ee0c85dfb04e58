"""Idle and half-sent connections do not lock anyone out of either server.

Each place that serves an app (the live target's loopback servers, ``harness up``, the two
CLIs) is held by 200 connections that sent nothing or stopped part-way through a request
line or the headers; a normal request must still be answered within a second. With
waitress's defaults (100 connections, select()) the 101st connection waits in the listen
queue until an idle one is closed, two minutes later.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from harness.drivers.loopback import LoopbackServer
from mock_onelogin import OneLoginConfig
from mock_onelogin import create_app as create_onelogin
from wrike_sp import WrikeConfig
from wrike_sp import create_app as create_wrike

IDLE = 200
# What a stalled client may have sent before it stopped: nothing, half a request line,
# a request line and part of the headers.
_STALLS = (b"", b"GET /scim/1/v2/Us", b"PUT /scim/1/v2/Users/x HTTP/1.1\r\nHost: a\r\nContent-")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def held_open(port: int, count: int = IDLE) -> Iterator[list[socket.socket]]:
    sockets: list[socket.socket] = []
    try:
        for n in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            stall = _STALLS[n % len(_STALLS)]
            if stall:
                sock.sendall(stall)
            sockets.append(sock)
        time.sleep(0.3)  # let the server's loop see (and accept what it will of) them all
        yield sockets
    finally:
        for sock in sockets:
            sock.close()


def answer_time(url: str) -> float:
    """Seconds until ``url`` answers (any HTTP status is an answer); fails past 1 s."""
    started = time.monotonic()
    try:
        response = requests.get(url, timeout=1.0)
    except requests.RequestException as error:
        raise AssertionError(f"{url} did not answer within 1 s: {error}") from error
    took = time.monotonic() - started
    assert response.status_code < 500, response.text
    assert took < 1.0, f"{url} took {took:.2f} s"
    return took


def test_the_live_targets_servers_answer_past_200_idle_connections() -> None:
    wrike = LoopbackServer(create_wrike(WrikeConfig()))
    onelogin = LoopbackServer(create_onelogin(OneLoginConfig()))
    try:
        for server, path in ((wrike, "/scim/1/v2/ServiceProviderConfig"), (onelogin, "/")):
            port = int(server.url.rsplit(":", 1)[1])
            with held_open(port):
                answer_time(server.url + path)
    finally:
        wrike.close()
        onelogin.close()


def test_harness_up_answers_past_200_idle_connections(tmp_path: Path) -> None:
    from harness.up import start

    wrike_port, onelogin_port = free_port(), free_port()
    running = start(tmp_path, "127.0.0.1", wrike_port, onelogin_port, threads=2)
    try:
        with held_open(wrike_port), held_open(onelogin_port):
            answer_time(running.info["wrike"]["scim_url"] + "/ServiceProviderConfig")
            answer_time(running.info["onelogin"]["url"] + "/")
    finally:
        running.stop()


def _serve(module: str, data_dir: Path, port: int, ready: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", module, "serve", "--data-dir", str(data_dir), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"http://127.0.0.1:{port}{ready}", timeout=2)
            return process
        except requests.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise AssertionError(f"{module} did not start") from None
            time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("module", "path"),
    [("wrike_sp.cli", "/scim/1/v2/ServiceProviderConfig"), ("mock_onelogin.cli", "/")],
)
def test_the_clis_answer_past_200_idle_connections(tmp_path: Path, module: str, path: str) -> None:
    port = free_port()
    process = _serve(module, tmp_path, port, path)
    try:
        with held_open(port):
            answer_time(f"http://127.0.0.1:{port}{path}")
    finally:
        process.terminate()
        process.wait(10)

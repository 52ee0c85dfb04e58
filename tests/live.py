"""Serve a WSGI app under a real server (waitress) on a free loopback port, in a thread."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from waitress.server import create_server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: Callable[..., Any], threads: int = 8) -> Iterator[str]:
    """Yield the base URL of ``app`` served by waitress until the block ends."""
    server = create_server(app, host="127.0.0.1", port=0, threads=threads, ident="test")
    port = server.effective_port  # type: ignore[union-attr]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        thread.join(timeout=5)

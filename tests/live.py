"""Serve a WSGI app under a real HTTP server on a free loopback port, in a thread.

werkzeug's threaded server is used rather than waitress: waitress closed from another thread
can crash its loop ("Bad file descriptor") and takes a second to stop; the CLIs themselves
serve with waitress and are tested as subprocesses.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from werkzeug.serving import make_server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: Callable[..., Any]) -> Iterator[str]:
    """Yield the base URL of ``app`` served until the block ends."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def simulator_session(data_dir: Path) -> requests.Session:
    """A session that carries the simulator key ``mock-onelogin serve`` keeps in its data
    folder; a request that passes its own Authorization header overrides it."""
    session = requests.Session()
    key = (data_dir / "simulator-key").read_text().strip()
    session.headers["Authorization"] = f"Bearer {key}"
    return session

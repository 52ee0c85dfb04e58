"""A WSGI app under waitress on a free loopback port, in a thread, that stops cleanly: the
live target's servers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import Any

from waitress.server import create_server

from mock_onelogin.domain.modelling import server_options as onelogin_server_options
from wrike_sp.domain.modelling import server_options as wrike_server_options


def listening_socket() -> tuple[socket.socket, str]:
    """A socket listening on a free loopback port, and its URL: an app whose public URL must
    be known when it is built (the IdP writes it into its SAML metadata) is built for it,
    then served on it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    return sock, f"http://127.0.0.1:{sock.getsockname()[1]}"


class LoopbackServer:
    def __init__(self, app: Callable[..., Any], sock: socket.socket | None = None) -> None:
        # Each package declares its own server settings (they may not import each other).
        onelogin = "mock_onelogin" in getattr(app, "extensions", {})
        options = onelogin_server_options() if onelogin else wrike_server_options()
        if sock is not None:
            options = {**options, "sockets": [sock]}
        else:
            options = {**options, "host": "127.0.0.1", "port": 0}
        self.server = create_server(app, threads=4, ident="bdd", **options)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"  # type: ignore[union-attr]
        self._stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.server.run()
        except OSError:
            # Closing the sockets from the test thread can wake the loop on a closed
            # descriptor; that is the stop we asked for.
            if not self._stopping:
                raise

    def close(self) -> None:
        self._stopping = True
        server: Any = self.server
        for channel in list(server._map.values()):
            if channel is not server:
                channel.close()
        server.close()
        server.task_dispatcher.shutdown()
        self.thread.join(5)

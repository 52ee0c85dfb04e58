"""A WSGI app under waitress on a free loopback port, in a thread, that stops cleanly: the
live target's servers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from waitress.server import create_server

from mock_onelogin.domain.modelling import server_options as onelogin_server_options
from wrike_sp.domain.modelling import server_options as wrike_server_options


class LoopbackServer:
    def __init__(self, app: Callable[..., Any]) -> None:
        # Each package declares its own server settings (they may not import each other).
        onelogin = "mock_onelogin" in getattr(app, "extensions", {})
        options = onelogin_server_options() if onelogin else wrike_server_options()
        self.server = create_server(
            app, host="127.0.0.1", port=0, threads=4, ident="bdd", **options
        )
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

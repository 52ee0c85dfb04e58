"""The wire between OneLogin's provisioning engine and Wrike, with the one failure only the
network can have: a refused connection.

Why here and not in the provider: when nothing accepts the connection, the request never
reaches Wrike, so Wrike's own fault controls (an error status, an answer that breaks off)
cannot model it. The switch sits in the engine's transport, in-process (a WSGI adapter) and
live (real HTTP) alike, and only the engine's sessions go through it: the drivers' own reads
and writes are the admins' and are not cut off.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import requests
from requests.adapters import BaseAdapter, HTTPAdapter

from mock_onelogin import WSGIAdapter

#: What the engine logs for a refused connection (the errno text of ECONNREFUSED).
REFUSED = "[Errno 111] Connection refused (nothing listens at the SCIM Base URL's host)"


class Network:
    """Whether connections from OneLogin to Wrike are refused: ``None`` every one, a number
    the next that many, 0 none."""

    def __init__(self) -> None:
        self.refusing: int | None = 0

    def refuse(self, count: int | None = None) -> None:
        self.refusing = count

    def restore(self) -> None:
        self.refusing = 0

    def take(self) -> bool:
        """Is this connection refused? Counts it down."""
        if self.refusing is None:
            return True
        if self.refusing > 0:
            self.refusing -= 1
            return True
        return False


class _Switched(BaseAdapter):
    """An adapter that refuses connections while the network says so, else passes on."""

    def __init__(self, inner: BaseAdapter, network: Network) -> None:
        super().__init__()
        self.inner = inner
        self.network = network

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        if self.network.take():
            raise requests.ConnectionError(REFUSED, request=request)
        return self.inner.send(
            request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies
        )

    def close(self) -> None:
        self.inner.close()


def engine_sessions(
    network: Network, wsgi_apps: Mapping[str, Any] | None = None
) -> Callable[[str], requests.Session]:
    """The session factory for OneLogin's engine: requests under each base URL of
    ``wsgi_apps`` go into that WSGI app, any other over real HTTP; all through the switch."""
    apps = dict(wsgi_apps or {})

    def factory(_base_url: str) -> requests.Session:
        session = requests.Session()
        session.trust_env = False
        for prefix in ("http://", "https://"):
            session.mount(prefix, _Switched(HTTPAdapter(), network))
        for base, app in apps.items():
            session.mount(base.rstrip("/") + "/", _Switched(WSGIAdapter(app), network))
        return session

    return factory

"""The WSGI server's (waitress's) settings wherever either server is served: idle or
half-sent connections must not lock others out, and no body may fill memory or disk.

Connections are watched with poll() (select() stops at 1024 descriptors), up to
MAX_CONNECTIONS at once (never more than the process may open, leaving room for its files);
one that sends nothing for IDLE_CONNECTION_S is closed, checked every CONNECTION_SWEEP_S.
"""

from __future__ import annotations

import resource
from typing import Any

MAX_CONNECTIONS = 4096
IDLE_CONNECTION_S = 30
CONNECTION_SWEEP_S = 5


def server_options(max_body_bytes: int) -> dict[str, Any]:
    """Keyword arguments of ``waitress.serve`` and ``create_server`` (threads and address
    are each caller's) for an app that refuses bodies past ``max_body_bytes``."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    room = MAX_CONNECTIONS if soft == resource.RLIM_INFINITY else max(64, soft - 256)
    return {
        "connection_limit": min(MAX_CONNECTIONS, room),
        "channel_timeout": IDLE_CONNECTION_S,
        "cleanup_interval": CONNECTION_SWEEP_S,
        "asyncore_use_poll": True,
        # waitress buffers a whole body (up to 1 GiB by default) before the app sees it; past
        # twice the app's own limit it answers 413 itself, so no body fills memory or disk.
        # Between the two, the app answers 413 in the protocol's shape.
        "max_request_body_size": 2 * max_body_bytes,
    }

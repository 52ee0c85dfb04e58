"""The database's files are readable by their owner only.

The simulator's database holds the connector configuration (the SCIM token, sealed), the API
credentials (hashed) and every directory user. SQLite creates a new database file with mode
0644 less the umask, and gives the ``-wal``, ``-shm`` and ``-journal`` files it makes later
the main file's own mode. So creating the main file 0600 before SQLite opens it (and
tightening one left looser by an older version) makes all four private, whatever the umask,
without touching the process-wide umask from a server whose other threads may be creating
files at the same moment.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_FILE = 0o600
SIDE_FILES = ("-wal", "-shm", "-journal")


def private_database(path: str | Path) -> None:
    """Create the database file 0600 if it is missing; tighten it and its side files."""
    main = Path(path)
    fd = os.open(main, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)
    for suffix in SIDE_FILES:
        side = main.with_name(main.name + suffix)
        if side.exists():
            os.chmod(side, PRIVATE_FILE)

"""Data folders (0700) and their files (0600), readable by their owner only, for both
servers' SQLite databases, key and password files.

SQLite creates a new database file with mode 0644 less the umask, and gives the ``-wal``,
``-shm`` and ``-journal`` files it makes later the main file's own mode. So creating the main
file 0600 before SQLite opens it (and tightening one left looser by an older version) makes
all four private, whatever the umask, without touching the process-wide umask from a server
whose other threads may be creating files at the same moment.
"""

from __future__ import annotations

import os
import secrets
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


PRIVATE_FOLDER = 0o700


def database_files(name: str) -> tuple[str, ...]:
    """A database's file names: the main file and the side files SQLite makes beside it."""
    return (name, *(name + suffix for suffix in SIDE_FILES))


def private_folder(folder: Path, names: tuple[str, ...] = ()) -> list[str]:
    """Create the data folder 0700, or tighten an existing one and the named files in it that
    others could read. Returns what was tightened (``data 0755 -> 0700``), for the CLI to say
    once; an empty list when everything already was private."""
    folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    tightened = []
    for path, private in ((folder, PRIVATE_FOLDER), *((folder / n, PRIVATE_FILE) for n in names)):
        if not path.exists():
            continue
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            os.chmod(path, private)
            tightened.append(f"{path} {mode:04o} -> {private:04o}")
    return tightened


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (0600 from the first byte, also when it exists)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), PRIVATE_FILE)
        handle.write(text)


def kept_key(path: Path) -> str:
    """A random key made once and kept in ``path`` (0600): the same key on every start."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(24)
    write_private(path, key + "\n")
    return key

"""Secrets at rest, kept the way OneLogin keeps them.

- What is only ever verified is stored as a hash: client secrets (salted SHA-256, in the
  account layer) and access tokens (SHA-256 here, so the bearer check can look one up; they
  are random 256-bit values, so an unsalted digest cannot be reversed or guessed).
- What must be sent or shown again is sealed with Fernet (AES-128-CBC with HMAC-SHA256, from
  ``cryptography``): the SCIM bearer token the connector sends to Wrike, and the access token
  the token endpoint returns again until it expires.

The key lives in a file beside the database, named after it (``onelogin.sqlite3`` ->
``onelogin.key``), mode 0600; an in-memory database (tests) gets a fresh key per instance.
A database copied without its key keeps its hashes but loses its sealed values: the SCIM
token must be entered again and API clients ask for a new access token.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

#: Marks a stored access token as a digest (a token as issued is 64 hex digits, no colon).
DIGEST_PREFIX = "sha256:"
KEY_SUFFIX = ".key"
_PRIVATE_FILE = 0o600


class UnsealError(Exception):
    """A sealed value that this key cannot open (another key, or a damaged value)."""


def key_path(database: str | Path) -> Path:
    return Path(database).with_suffix(KEY_SUFFIX)


def token_digest(token: str) -> str:
    return DIGEST_PREFIX + hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _load_or_create_key(path: Path) -> bytes:
    """Read the key, or make one. A new key is written to a private temporary file and then
    linked into place, so two processes starting at once agree on one whole key."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _PRIVATE_FILE)
        try:
            os.fchmod(fd, _PRIVATE_FILE)
            os.write(fd, Fernet.generate_key() + b"\n")
        finally:
            os.close(fd)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            temporary.unlink()
    if path.stat().st_mode & 0o077:
        os.chmod(path, _PRIVATE_FILE)
    return path.read_bytes().strip()


class SecretBox:
    """Seals and opens the secrets the simulator must be able to read back."""

    def __init__(self, key: bytes, key_file: Path | None = None) -> None:
        self._fernet = Fernet(key)
        self.key_file = key_file

    @classmethod
    def for_database(cls, database: str) -> SecretBox:
        if database == ":memory:":
            return cls(Fernet.generate_key())
        path = key_path(database)
        return cls(_load_or_create_key(path), path)

    def seal(self, value: str) -> str:
        return self._fernet.encrypt(value.encode("utf-8", "surrogatepass")).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8", "surrogatepass")
        except (InvalidToken, ValueError) as error:
            where = f" ({self.key_file})" if self.key_file else ""
            raise UnsealError(
                f"a sealed secret cannot be opened with this database's key{where}: the "
                "database was copied without its key file"
            ) from error

"""Tokens and passwords: generated with enough entropy, stored only as hashes, compared in
constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_PREFIX = "wrk_"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(40)


def token_hash(token: str) -> str:
    """Tokens carry 320 bits of entropy, so one SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_hint(token: str) -> str:
    return "****" + token[-4:]


def hash_password(password: str, iterations: int, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        _, iterations, salt, digest = stored.split("$")
        candidate = hashlib.pbkdf2_hmac(
            "sha256", password.encode(), bytes.fromhex(salt), int(iterations)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(candidate.hex(), digest)

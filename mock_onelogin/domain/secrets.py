"""Keeping secrets out of the System Log, events and API responses."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def mask(secret: str | None) -> str:
    """Show only the last four characters, the way admin consoles identify a stored secret."""
    if not secret:
        return ""
    return "****" + secret[-4:] if len(secret) > 8 else "****"


def mask_authorization(value: str) -> str:
    """``Bearer abcdef123456`` -> ``Bearer ****3456``; keeps the scheme so support sees it."""
    scheme, _, credential = value.partition(" ")
    if not credential:
        return mask(value)
    return f"{scheme} {mask(credential)}"


def scrub(text: str, secret_values: list[str]) -> str:
    """Replace every occurrence of a secret in text (e.g. a token echoed back in an error)."""
    for value in secret_values:
        if value and value in text:
            text = text.replace(value, mask(value))
    return text


def hash_secret(secret: str, salt: str | None = None) -> tuple[str, str]:
    """Salted SHA-256: client secrets are high-entropy random strings, so a slow KDF buys
    nothing while making every token request slower."""
    salt = salt or secrets.token_hex(16)
    digest = hashlib.sha256((salt + secret).encode()).hexdigest()
    return salt, digest


def secret_matches(secret: str, salt: str, digest: str) -> bool:
    return hmac.compare_digest(hash_secret(secret, salt)[1], digest)

"""Keeping secrets out of the System Log, events and API responses."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

# The one masking rule (webguard.masking), re-exported: the System Log and the API use it here.
from webguard.masking import mask as mask


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


#: Attributes OneLogin may send but nobody reads back: the core User's ``password`` is
#: ``mutability: writeOnly`` and ``returned: never`` (RFC 7643 §4.1.1). The System Log keeps
#: each SCIM exchange for support to read, so their values are replaced by ``REDACTED``.
SECRET_ATTRIBUTES = frozenset({"password"})
REDACTED = "[redacted]"


def names_secret(name: object) -> bool:
    """``password``, ``urn:...:User:password``, ``password[...]``: a key or a PATCH path
    naming a secret attribute."""
    if not isinstance(name, str):
        return False
    return name.rsplit(":", 1)[-1].split("[", 1)[0].split(".", 1)[0].lower() in SECRET_ATTRIBUTES


def mentions_secret(text: str | None) -> bool:
    """A cheap test before the bodies are walked (the System Log's hot path)."""
    lowered = (text or "").lower()
    return any(name in lowered for name in SECRET_ATTRIBUTES)


def redact_attributes(value: Any, found: list[str] | None = None) -> Any:
    """A SCIM body with each secret attribute's value (and a PATCH operation's value on one)
    replaced by ``REDACTED``; the string values replaced go to ``found``, so an answer that
    echoes one can be scrubbed too."""
    if isinstance(value, list):
        return [redact_attributes(v, found) for v in value]
    if not isinstance(value, dict):
        return value
    secret_path = names_secret(value.get("path"))
    out = {}
    for key, item in value.items():
        if names_secret(key) or (secret_path and key == "value"):
            if found is not None and isinstance(item, str):
                found.append(item)
            out[key] = REDACTED
        else:
            out[key] = redact_attributes(item, found)
    return out


def hash_password(password: str, n: int) -> str:
    """A OneLogin user's password as kept: scrypt (stdlib) of cost ``n``, salted; never the
    text. Unlike a client secret a person's password is guessable, so it gets a slow KDF."""
    salt = secrets.token_bytes(16)
    r, p = 8, 1
    digest = hashlib.scrypt(password.encode("utf-8", "surrogatepass"), salt=salt, n=n, r=r, p=p)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str | None) -> bool:
    if not stored or not stored.startswith("scrypt$"):
        return False
    try:
        _, n, r, p, salt, digest = stored.split("$")
        given = hashlib.scrypt(
            password.encode("utf-8", "surrogatepass"),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
        )
    except ValueError:
        return False
    return hmac.compare_digest(given.hex(), digest)

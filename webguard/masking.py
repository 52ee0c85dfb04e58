"""How every part of the project shows a secret it must name (a token in the System Log, a
report, the preflight's verdict): its last four characters after ``****``. One rule, here,
because both apps and the harness use it (neither app is imported, so this stays light)."""

from __future__ import annotations

import re
from collections.abc import Iterable

#: A ``Bearer`` credential in any text (the token as an Authorization header shows it).
_BEARER = re.compile(r"(?i)\b(bearer\s+)([A-Za-z0-9._~+/=-]{8,})")


def mask(secret: str | None) -> str:
    """Show only the last four characters, the way admin consoles identify a stored secret
    (``****`` alone for a short one, nothing for none)."""
    if not secret:
        return ""
    return "****" + secret[-4:] if len(secret) > 8 else "****"


def masked(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with each secret (and any ``Bearer`` credential) shown as ``****`` plus its
    last four characters, the way the System Log shows the token."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, mask(secret))
    return _BEARER.sub(lambda m: m.group(1) + mask(m.group(2)), text)

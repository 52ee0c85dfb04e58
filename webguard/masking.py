"""How every part of the project shows a secret it must name (a token in the System Log, a
report, the preflight's verdict): its last four characters after ``****``. One rule, here,
because both apps and the harness use it (neither app is imported, so this stays light)."""

from __future__ import annotations


def mask(secret: str | None) -> str:
    """Show only the last four characters, the way admin consoles identify a stored secret
    (``****`` alone for a short one, nothing for none)."""
    if not secret:
        return ""
    return "****" + secret[-4:] if len(secret) > 8 else "****"

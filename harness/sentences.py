"""Sentences of the step vocabulary (features/STEPS.md) as an exported case writes them.

A sentence the vocabulary offers only as a Given is a GIVEN; only as a When, a WHEN; as both
(STEPS.md's "Given/When"), BOTH, and the export decides which keyword it gets.
"""

from __future__ import annotations

from dataclasses import dataclass

GIVEN, WHEN, BOTH = "Given", "When", "Given/When"


class NotExpressible(ValueError):
    """The case uses something the step vocabulary cannot say."""


@dataclass(frozen=True)
class Sentence:
    kind: str  # GIVEN, WHEN or BOTH
    text: str
    table: tuple[tuple[str, ...], ...] = ()


def quoted(text: str) -> str:
    """``text`` as a quoted step parameter can carry it."""
    if '"' in text:
        raise NotExpressible(
            f"the value {text!r} contains a double quote, which a step parameter cannot carry"
        )
    return text


def connector(
    scim_url: str | None, token: str | None, *, given: bool, enabled: bool = True
) -> Sentence | None:
    """The Configuration tab as the vocabulary says it: set up (a Given, Enable next to API
    status clicked unless ``enabled`` is false) or saved (a When)."""
    if scim_url == "none" and token == "none":
        return None
    if given and not enabled:
        if scim_url != "account" or token in ("wrong", "none"):
            raise NotExpressible(
                "an API connection never enabled, with a SCIM URL or token other than the "
                "account's and a member's"
            )
        return Sentence(
            GIVEN,
            "the Wrike app in OneLogin is configured with the account's SCIM URL and a token "
            f'issued by "{quoted(token or "")}" but API status was never enabled',
        )
    if scim_url == "none" or token == "none":
        raise NotExpressible(
            "a Wrike app with only one of SCIM Base URL and SCIM Bearer Token filled in"
        )
    if scim_url == "account" and token == "wrong":
        return Sentence(
            GIVEN,
            "the Wrike app in OneLogin is configured with the account's SCIM URL and a wrong token",
        )
    if scim_url == "wrong" and token == "wrong":
        raise NotExpressible("a wrong SCIM URL together with a wrong token")
    if scim_url == "wrong":
        return Sentence(
            GIVEN,
            "the Wrike app in OneLogin is configured with a wrong SCIM URL "
            f'and a token issued by "{quoted(token or "")}"',
        )
    if not given:
        return Sentence(
            WHEN,
            "the OneLogin admin saves the SCIM URL and the token shown to "
            f'"{quoted(token or "")}" in the Wrike app',
        )
    return Sentence(
        GIVEN,
        "the Wrike app in OneLogin is configured with the account's SCIM "
        f'URL and a token issued by "{quoted(token or "")}"',
    )

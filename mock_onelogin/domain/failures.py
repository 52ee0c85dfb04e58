"""The error text a failed provisioning task shows, and what the provider itself answered.

OneLogin's own wording is used where a public source gives it; everything else is the
simulator's wording and is marked so (``wording_assumed``; the System Log page, the event's
notes and the repro report show it). The provider's answer (HTTP status, SCIM ``scimType``
and ``detail``) is kept apart in ``answer`` (the notes' "Wrike's answer: ..." line), so
Wrike's own words are never passed off as OneLogin's.

Attested texts:

- "Failed to create user in app. Specified resource (e.g. User) or endpoint does not exist"
  ([V] Harness's guide "provision users and groups with OneLogin (SCIM)",
  github.com/harness/developer-hub): the prefix "Failed to create user in app." and, for a create that
  found no endpoint (HTTP 404), the whole text.
- "The connection timed out while provisioning to <url>" and "<user> could not be
  reactivated in <app>": the error messages of OneLogin's failed-provisionings API
  documentation (developers.onelogin.com/api-docs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mock_onelogin.domain import modelling
from mock_onelogin.domain.provisioning import TaskKind

CREATE_PREFIX = "Failed to create user in app."
CREATE_NOT_FOUND = (
    "Failed to create user in app. Specified resource (e.g. User) or endpoint does not exist"
)
TIMED_OUT = "The connection timed out while provisioning to {url}"
NOT_REACTIVATED = "{user} could not be reactivated in {app}"

HARNESS_GUIDE = "github.com/harness/developer-hub, provision users and groups with OneLogin (SCIM)"
FAILED_PROVISIONINGS_DOC = "developers.onelogin.com/api-docs, failed provisionings"

#: The simulator's prefixes for the tasks OneLogin's attested prefix does not cover (only the
#: create prefix is attested; the others follow its pattern).
_PREFIX = {
    TaskKind.CREATE: CREATE_PREFIX,
    TaskKind.UPDATE: "Failed to update user in app.",
    TaskKind.SUSPEND: "Failed to suspend user in app.",
    TaskKind.REACTIVATE: "Failed to reactivate user in app.",
    TaskKind.DELETE: "Failed to delete user in app.",
}

#: Texts that are OneLogin's wording as a whole (nothing of the simulator's in them).
_ATTESTED = (
    re.compile(re.escape(CREATE_NOT_FOUND)),
    re.compile(re.escape(TIMED_OUT).replace(re.escape("{url}"), r"\S+")),
    re.compile(
        re.escape(NOT_REACTIVATED)
        .replace(re.escape("{user}"), r".+")
        .replace(re.escape("{app}"), r".+")
    ),
)


@dataclass(frozen=True)
class FailureText:
    """What a failed task logs: ``error`` (the event's error_description), whether that text
    is the simulator's wording, where OneLogin's wording comes from when it is not, and what
    the provider itself answered (``answer``: its HTTP status, scimType and detail) or the
    network error the request met (``network``); None when not applicable."""

    error: str
    wording_assumed: bool
    source: str | None
    answer: str | None = None
    network: str | None = None


def failure_text(
    kind: TaskKind,
    summary: str,
    *,
    answer: str | None = None,
    network: str | None = None,
    status: int | None = None,
    timed_out: bool = False,
    base_url: str = "",
    user: str = "",
    app: str = "",
) -> FailureText:
    """The error text for a failed ``kind`` task. ``summary`` is the simulator's short account
    of what happened (HTTP status and scimType; the network error; or why nothing was sent);
    ``answer`` the provider's whole answer, ``network`` the network error, when a request
    went out. The provider's own words go only into ``answer``."""
    if timed_out:
        return FailureText(
            TIMED_OUT.format(url=base_url), False, FAILED_PROVISIONINGS_DOC, answer, network
        )
    if (answer or network) and kind is TaskKind.REACTIVATE:
        return FailureText(
            NOT_REACTIVATED.format(user=user, app=app),
            False,
            FAILED_PROVISIONINGS_DOC,
            answer,
            network,
        )
    if kind is TaskKind.CREATE and status == 404:
        return FailureText(CREATE_NOT_FOUND, False, HARNESS_GUIDE, answer, network)
    return FailureText(f"{_PREFIX[kind]} {summary}", True, None, answer, network)


def error_wording_assumed(error: str | None) -> bool:
    """Whether a logged error text is (partly) the simulator's wording: anything but one of
    OneLogin's attested texts as a whole."""
    if not error:
        return False
    return not any(pattern.fullmatch(error) for pattern in _ATTESTED)


def failure_notes(text: FailureText) -> list[str]:
    """The lines a failure event's notes carry: the provider's own answer, and whose wording
    the error text is."""
    lines = []
    if text.answer is not None:
        lines.append(f"Wrike's answer: {text.answer}")
    if text.network is not None and text.network not in text.error:
        lines.append(f"Network error: {text.network}")
    if text.wording_assumed:
        lines.append(modelling.wording_assumed())
    else:
        lines.append(f"Error text: OneLogin's wording ({text.source})")
    return lines


def update_method_note(method: str) -> str:
    """The line every update, suspend and reactivate event carries: the method used, assumed."""
    return modelling.assumed("update_method", f"Update method: {method.upper()}")

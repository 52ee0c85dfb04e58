"""What every driver does with an answer: take the JSON of a success, or fail saying what
was asked and what came back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import requests

OK = (200, 201, 204)


class Refused(AssertionError):
    """An app refused what a driver asked. An AssertionError, so a BDD step fails with the
    message; a case replay turns it into a refused action. ``detail`` is the app's own
    message when its error body carries one."""

    def __init__(self, message: str, status: int, detail: str) -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


def _detail(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:1000]
    if isinstance(body, dict):
        for key in ("message", "detail", "error_description", "error"):
            if isinstance(body.get(key), str) and body[key]:
                return str(body[key])
    return response.text[:1000]


def expect(response: requests.Response, what: str, statuses: Iterable[int] = OK) -> Any:
    """The JSON body of a response that must have succeeded; otherwise :class:`Refused`."""
    wanted = tuple(statuses)
    if response.status_code not in wanted:
        raise Refused(
            f"{what}: expected HTTP {'/'.join(map(str, wanted))}, got "
            f"{response.status_code}: {response.text[:1000]}",
            response.status_code,
            _detail(response),
        )
    if not response.content:
        return None
    return response.json()

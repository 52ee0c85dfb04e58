"""Refusals the domain raises; the web layer turns them into OneLogin's error shapes."""

from __future__ import annotations


class OneLoginError(Exception):
    """Base: a refusal with a message an admin can act on."""

    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(OneLoginError):
    status = 404


class ValidationFailed(OneLoginError):
    """422: the request is well-formed but a value is not acceptable."""

    status = 422


class BadRequest(OneLoginError):
    """400: the request itself is malformed (bad JSON, unknown attribute, wrong shape)."""

    status = 400


class Conflict(OneLoginError):
    """409: the action does not fit the object's current state (e.g. approving a done task)."""

    status = 409

"""Refusals the domain raises; the web layer turns them into RFC 7644 §3.12 error bodies."""

from __future__ import annotations


class ScimError(Exception):
    """A refusal with the HTTP status, the RFC scimType (if the RFC defines one) and a
    detail that says what was refused, why, and what to change."""

    def __init__(
        self,
        status: int,
        scim_type: str | None,
        detail: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.scim_type = scim_type
        self.detail = detail
        self.headers = headers or {}


class AdminError(Exception):
    """A refusal of the Wrike admin API (not SCIM): status, a short code, and a message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

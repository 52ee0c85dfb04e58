"""API credentials (client id and secret, the secret stored hashed) and the access tokens
OneLogin's API issues for them."""

from __future__ import annotations

import secrets
from typing import Any

from mock_onelogin.account._context import AccountContext
from mock_onelogin.domain.clock import iso
from mock_onelogin.domain.errors import ValidationFailed
from mock_onelogin.domain.secrets import hash_secret, secret_matches


class ApiClients:
    def __init__(self, ctx: AccountContext) -> None:
        self._ctx = ctx
        self._store = ctx.store

    def create_client(self, name: str = "API credential") -> tuple[str, str]:
        """A client id and secret, the secret shown once and stored hashed."""
        if not isinstance(name, str) or not name.strip():
            raise ValidationFailed("credential name must be a non-empty string", "name")
        client_id = secrets.token_hex(32)
        secret = secrets.token_hex(32)
        self.register(client_id, secret, name.strip())
        return client_id, secret

    def register(self, client_id: str, secret: str, name: str) -> None:
        salt, digest = hash_secret(secret)
        self._store.insert_client(client_id, name, salt, digest, self._ctx.now())

    def check_client(self, client_id: str, secret: str) -> dict[str, Any] | None:
        client = self._store.get_client(client_id)
        if client and secret_matches(secret, client["secret_salt"], client["secret_hash"]):
            return client
        return None

    def issue_token(self, client_id: str) -> dict[str, Any]:
        """v2 returns the same token for the same credentials until it expires."""
        now = self._ctx.clock.now()
        live = self._store.live_token_for(client_id, now.timestamp())
        if live is None:
            token = secrets.token_hex(32)
            self._store.insert_token(
                token, client_id, iso(now), now.timestamp() + self._ctx.config.token_lifetime_s
            )
            live = self._store.get_token(token) or {}
        return {
            "access_token": live["token"],
            "created_at": live["created_at"],
            "expires_in": max(0, int(live["expires_ts"] - now.timestamp())),
            "refresh_token": "",
            "token_type": "bearer",
            "account_id": self._ctx.config.account_id,
        }

    def token_client(self, token: str) -> dict[str, Any] | None:
        row = self._store.get_token(token)
        if row is None or row["revoked"] or row["expires_ts"] <= self._ctx.clock.now().timestamp():
            return None
        return self._store.get_client(row["client_id"])

    def revoke_token(self, token: str, client_id: str | None = None) -> bool:
        """Revoke a live token (of ``client_id`` when given); False when there was none to
        revoke: unknown, expired, already revoked, or another credential's. The token stops
        working at once: every bearer check reads the store."""
        row = self._store.get_token(token)
        if row is None or row["revoked"] or row["expires_ts"] <= self._ctx.clock.now().timestamp():
            return False
        if client_id is not None and row["client_id"] != client_id:
            return False
        return self._store.revoke_token(token)

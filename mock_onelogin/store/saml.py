"""The apps' SAML settings and signing certificates, and the users' password hashes.

A certificate's private key is sealed with the database's key (``_sealing``), like the SCIM
token: it must be used again, so it cannot be a hash. A password is only ever verified, so
only its hash is kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mock_onelogin.store._database import Database


@dataclass(frozen=True)
class StoredCertificate:
    """One signing certificate of an app; ``key_pem`` is opened only when it signs."""

    id: int
    app_id: int
    certificate_pem: str
    fingerprint_sha256: str
    not_after: str
    signing: bool
    created_at: str


def _certificate(row: dict[str, Any]) -> StoredCertificate:
    return StoredCertificate(
        id=row["id"],
        app_id=row["app_id"],
        certificate_pem=row["certificate"],
        fingerprint_sha256=row["fingerprint"],
        not_after=row["not_after"],
        signing=bool(row["signing"]),
        created_at=row["created_at"],
    )


class SamlStore(Database):
    # settings -------------------------------------------------------------------------------
    def saml_settings(self, app_id: int) -> dict[str, Any] | None:
        row = self._first("SELECT settings FROM saml_settings WHERE app_id = ?", (app_id,))
        return json.loads(row["settings"]) if row else None

    def save_saml_settings(self, app_id: int, settings: dict[str, Any], now: str) -> None:
        self._write(
            "INSERT INTO saml_settings (app_id, settings, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(app_id) DO UPDATE SET settings = excluded.settings, "
            "updated_at = excluded.updated_at",
            (app_id, json.dumps(settings), now),
        )

    # certificates ---------------------------------------------------------------------------
    def saml_certificates(self, app_id: int) -> list[StoredCertificate]:
        """The app's certificates, the signing one first, then the newest first."""
        rows = self._all(
            "SELECT * FROM saml_certificates WHERE app_id = ? ORDER BY signing DESC, id DESC",
            (app_id,),
        )
        return [_certificate(r) for r in rows]

    def signing_key(self, app_id: int) -> tuple[StoredCertificate, str] | None:
        """The certificate that signs now and its private key (opened), or None."""
        row = self._first(
            "SELECT * FROM saml_certificates WHERE app_id = ? AND signing = 1", (app_id,)
        )
        if row is None:
            return None
        return _certificate(row), self.box.open(row["sealed_key"])

    def add_signing_certificate(
        self,
        app_id: int,
        certificate_pem: str,
        key_pem: str,
        fingerprint: str,
        not_after: str,
        now: str,
    ) -> int:
        """Store a new certificate as the one that signs; the one before stays, not signing."""
        with self.transaction():
            self._conn.execute(
                "UPDATE saml_certificates SET signing = 0 WHERE app_id = ?", (app_id,)
            )
            cursor = self._conn.execute(
                "INSERT INTO saml_certificates (app_id, certificate, sealed_key, fingerprint, "
                "not_after, signing, created_at) VALUES (?, ?, ?, ?, ?, 1, ?)",
                (app_id, certificate_pem, self.box.seal(key_pem), fingerprint, not_after, now),
            )
            return int(cursor.lastrowid or 0)

    def delete_certificate(self, app_id: int, certificate_id: int) -> bool:
        """Remove a certificate that is not signing; False when there is none such."""
        cursor = self._write(
            "DELETE FROM saml_certificates WHERE app_id = ? AND id = ? AND signing = 0",
            (app_id, certificate_id),
        )
        return cursor.rowcount > 0

    # passwords ------------------------------------------------------------------------------
    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self._write(
            "INSERT INTO user_passwords (user_id, hash) VALUES (?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET hash = excluded.hash",
            (user_id, password_hash),
        )

    def password_hash(self, user_id: int) -> str | None:
        row = self._first("SELECT hash FROM user_passwords WHERE user_id = ?", (user_id,))
        return row["hash"] if row else None

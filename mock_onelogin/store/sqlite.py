"""The repository behind the simulator: one SQLite database, one transaction per operation.

Callers group operations with ``transaction()``; each operation is a small typed method (a
query object in, rows out; or a named change). No SQL text lives outside this package.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mock_onelogin.store.directory import USER_COLUMNS, DirectoryStore
from mock_onelogin.store.mappings import MappingStore
from mock_onelogin.store.queue import QueueStore
from mock_onelogin.store.saml import SamlStore
from mock_onelogin.store.system_log import EVENT_COLUMNS, SystemLogStore

__all__ = ["EVENT_COLUMNS", "USER_COLUMNS", "OneLoginStore"]
_log = logging.getLogger("mock_onelogin.store")


class OneLoginStore(DirectoryStore, QueueStore, SystemLogStore, MappingStore, SamlStore):
    """Users, roles and apps; logins and tasks; the System Log and API credentials; user
    mappings; SAML settings, signing certificates and password hashes."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        super().__init__(path)
        self._seal_plain_secrets()

    def _seal_plain_secrets(self) -> None:
        """An older version kept the SCIM token and the access tokens in the clear: seal them
        on open. ``secure_delete`` zeroes the cells they leave behind, and a checkpoint that
        truncates the WAL drops the old pages' copies, so the clear text leaves the files."""
        with self._lock:
            before = self._conn.execute("PRAGMA secure_delete").fetchone()["secure_delete"]
            self._conn.execute("PRAGMA secure_delete = ON")
            try:
                with self.transaction():
                    sealed = self._seal_plain_connectors() + self._seal_plain_tokens()
            finally:
                self._conn.execute(f"PRAGMA secure_delete = {int(before)}")
            if sealed and self.path != ":memory:":
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                _log.info("sealed %d secret(s) an older version stored in the clear", sealed)

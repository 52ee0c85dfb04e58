"""The repository behind the simulator: one SQLite database, one transaction per operation.

Callers group operations with ``transaction()``; each operation is a small typed method (a
query object in, rows out; or a named change). No SQL text lives outside this package.
"""

from __future__ import annotations

from mock_onelogin.store.directory import USER_COLUMNS, DirectoryStore
from mock_onelogin.store.queue import QueueStore
from mock_onelogin.store.system_log import EVENT_COLUMNS, SystemLogStore

__all__ = ["EVENT_COLUMNS", "USER_COLUMNS", "OneLoginStore"]


class OneLoginStore(DirectoryStore, QueueStore, SystemLogStore):
    """Users, roles and apps; logins and tasks; the System Log and API credentials."""

"""Persistence for the simulated OneLogin: stdlib sqlite3, WAL, one transaction per
operation."""

from mock_onelogin.store.sqlite import OneLoginStore

__all__ = ["OneLoginStore"]

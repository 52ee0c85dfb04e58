"""The provider fixtures of tests/wrike_sp serve the fuzz tests too."""

from tests.wrike_sp.conftest import admin, app, client, clock, demo, scim

__all__ = ["admin", "app", "client", "clock", "demo", "scim"]

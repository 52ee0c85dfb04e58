"""The simulated OneLogin account: the entry point for the API, the admin console, the BDD
steps and the bench. Every change goes through one of its parts, so that each one is
recorded, logged and evaluated for provisioning the same way, whoever makes it:

- ``directory``: users, roles, direct logins
- ``mappings``: user mappings, and applying them to users
- ``apps``: the app connector, the Provisioning tab, the API connection test, an app's users
- ``approvals``: the approval queue (approve, deny, retry) and the task listing
- ``provisioning``: what each change means for the app, reconciliation, draining the queue
- ``system_log``: the System Log
- ``api_clients``: API credentials and access tokens
- ``sso``: SAML SSO (the apps' SAML settings and certificates, logins, users' passwords)

Rules live in ``domain``; the parts only sequence them, and reach the data through the store's
typed operations.
"""

from __future__ import annotations

from mock_onelogin.account._context import SIMULATOR_ADMIN, AccountContext, Actor
from mock_onelogin.account.api_clients import ApiClients
from mock_onelogin.account.approvals import Approvals
from mock_onelogin.account.apps import WRIKE_CONNECTOR_ID, Apps, AppUser
from mock_onelogin.account.directory import Directory
from mock_onelogin.account.mappings import Mappings
from mock_onelogin.account.provisioning import ProvisioningQueue
from mock_onelogin.account.sso import SingleSignOn
from mock_onelogin.account.system_log import SystemLog
from mock_onelogin.config import OneLoginConfig
from mock_onelogin.domain.clock import Clock, SystemClock
from mock_onelogin.engine import ProvisioningEngine, SessionFactory
from mock_onelogin.store import OneLoginStore

__all__ = ["SIMULATOR_ADMIN", "WRIKE_CONNECTOR_ID", "Actor", "AppUser", "OneLoginAccount"]


class OneLoginAccount:
    """One simulated OneLogin account, composed of its parts."""

    def __init__(
        self,
        config: OneLoginConfig | None = None,
        clock: Clock | None = None,
        session_factory: SessionFactory | None = None,
        store: OneLoginStore | None = None,
    ) -> None:
        self.config = config or OneLoginConfig()
        self.clock = clock or SystemClock()
        #: The account's data; the web layer never reaches it (only the parts do).
        self.store = store or OneLoginStore(self.config.database)
        self.engine = ProvisioningEngine(
            self.store,
            self.clock,
            session_factory,
            self.config.drain_batch_size,
            self.config.event_retention,
            self.config.scim_timeout_s,
        )
        self.engine.recover()
        ctx = AccountContext(self.config, self.clock, self.store, self.engine)
        self.wake = ctx.wake
        self.provisioning = ProvisioningQueue(ctx)
        self.apps = Apps(ctx, self.provisioning)
        self.directory = Directory(ctx, self.provisioning)
        self.mappings = Mappings(ctx, self.provisioning)
        self.directory.apply_mappings = self.mappings.apply_in_change
        self.approvals = Approvals(ctx, self.apps)
        self.system_log = SystemLog(self.store)
        self.api_clients = ApiClients(ctx)
        self.sso = SingleSignOn(ctx)
        self.directory.set_password = self.sso.set_password
        self.seed()

    def seed(self) -> None:
        """The Wrike app, and the configured API credential, in an empty account."""
        if self.config.seed_wrike_app and not self.store.list_apps():
            self.apps.create_app("Wrike")
        client_id, secret = self.config.seed_client_id, self.config.seed_client_secret
        if client_id and secret and not self.store.get_client(client_id):
            self.api_clients.register(client_id, secret, "Seeded API credential")

    def reset(self) -> None:
        """Forget everything (a fresh account), then seed again; a drain under way ends first."""
        with self.provisioning.forget():
            self.store.reset()
            self.engine.forget_sessions()
            # Ids start again from 1: a user session kept now would open another user's.
            self.sso.forget_sessions()
            self.seed()

    def drain(self, max_tasks: int | None = None) -> dict[str, object]:
        """Run every due task now (the worker's loop, and tests that drain by hand)."""
        return self.provisioning.drain(max_tasks)

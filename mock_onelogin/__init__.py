"""A simulated OneLogin: directory, Wrike app connector, provisioning engine, System Log,
and a OneLogin-compatible admin API. It never imports the Wrike provider: it reaches any SCIM
endpoint through a ``requests.Session``.

In-process use (any WSGI SCIM provider behind the session)::

    account = OneLoginAccount(OneLoginConfig(drain_mode="sync"),
                              session_factory=lambda base: wsgi_session(scim_app, "http://sp"))
    wrike = account.apps.wrike_app_id()
    account.apps.configure_connector(wrike, {"scim_base_url": "http://sp/scim/v2",
                                        "scim_bearer_token": token})
    account.apps.enable_api_connection(wrike)            # "API Connection: Enable"
    account.apps.set_provisioning(wrike, {"enabled": True})
    app = create_app(account.config, account=account)   # /auth, /api/1, /api/2, /simulator/api

Live: ``mock-onelogin serve --data-dir data --port 8200`` (waitress, background worker).
"""

from mock_onelogin.account import Actor, OneLoginAccount
from mock_onelogin.app import create_app
from mock_onelogin.config import OneLoginConfig
from mock_onelogin.domain.clock import FixedClock, SystemClock
from mock_onelogin.engine import ProvisioningEngine
from mock_onelogin.transport import WSGIAdapter, wsgi_session

__all__ = [
    "Actor",
    "FixedClock",
    "OneLoginAccount",
    "OneLoginConfig",
    "ProvisioningEngine",
    "SystemClock",
    "WSGIAdapter",
    "create_app",
    "wsgi_session",
]

"""A simulated OneLogin: directory, Wrike app connector, provisioning engine, System Log,
and a OneLogin-compatible admin API. It never imports the Wrike provider: it reaches any SCIM
endpoint through a ``requests.Session``."""

from mock_onelogin.account import Actor, OneLoginAccount
from mock_onelogin.app import create_app
from mock_onelogin.config import OneLoginConfig
from mock_onelogin.domain.clock import FixedClock, SystemClock
from mock_onelogin.engine import ProvisioningEngine
from mock_onelogin.transport import WSGIAdapter, wsgi_session

__all__ = ["Actor", "FixedClock", "OneLoginAccount", "OneLoginConfig", "ProvisioningEngine",
           "SystemClock", "WSGIAdapter", "create_app", "wsgi_session"]

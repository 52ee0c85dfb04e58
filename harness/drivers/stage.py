"""The two apps (or the OneLogin app and an external endpoint) for one target, and a fresh
World on them for each scenario or case.

Three targets:

- ``in-process`` (the BDD default, and every case replay): both apps are created here with
  fresh in-memory databases; every session, including the one the OneLogin engine uses for
  SCIM, goes straight into the WSGI apps (no ports).
- ``live``: both apps are served on loopback ports by waitress, and everything, including the
  engine's SCIM calls, goes over real HTTP.
- ``external``: the simulated OneLogin (in-process) drives any SCIM endpoint given by URL and
  bearer token. There is no Wrike admin API, so the Wrike set-up Givens are taken as given and
  Wrike reads go through SCIM with the token.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from harness.drivers.http import expect
from harness.drivers.network import Network, engine_sessions
from harness.drivers.onelogin import OneLogin
from harness.drivers.reference import ReferenceWrike
from harness.drivers.scim import ExternalWrike
from harness.drivers.world import World, WrikeDriver
from harness.sso import Browser, in_process_session
from mock_onelogin import OneLoginConfig, wsgi_session
from mock_onelogin import create_app as create_onelogin
from wrike_sp import WrikeConfig
from wrike_sp import create_app as create_wrike

TARGETS = ("in-process", "live", "external")
WRIKE_BASE = "http://wrike.test"
ONELOGIN_BASE = "http://onelogin.test"


def _live_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    return session


class StageError(ValueError):
    """The target cannot be built as asked; the message says what to give."""


@dataclass(frozen=True)
class Target:
    name: str = "in-process"
    scim_url: str | None = None
    scim_token: str | None = None


#: Users' passwords hashed at a low cost in-process, as the Wrike side's 1000 iterations: a
#: scenario signs people in, and the default cost is made to be slow.
PASSWORD_SCRYPT_N_FAST = 2**8
#: SAML signing keys made at 1024 bits in-process: a scenario makes one per app and per
#: rotation, and a 2048-bit key takes five times as long to find.
SAML_KEY_BITS_FAST = 1024


def _wrike_config(**overrides: Any) -> WrikeConfig:
    return WrikeConfig(harness_enabled=True, password_iterations=1000, **overrides)


def _onelogin_config(simulator_key: str, **overrides: Any) -> OneLoginConfig:
    return OneLoginConfig(
        **overrides,
        drain_mode="sync",
        password_scrypt_n=PASSWORD_SCRYPT_N_FAST,
        saml_key_bits=SAML_KEY_BITS_FAST,
        simulator_key=simulator_key,
        allowed_hosts=(urlsplit(ONELOGIN_BASE).hostname or "",),
    )


def _reset(session: requests.Session, url: str, key: str | None, what: str) -> None:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    expect(session.post(url, headers=headers), f"reset {what}")


class Stage:
    """The apps for one target, built once and reset for each World.

    Building a Flask app costs far more than a scenario (werkzeug compiles every route), so the
    BDD suite builds the apps once per process and every scenario starts by resetting both
    through their reset endpoints: empty databases, no faults, no journal, a freshly seeded
    OneLogin. Each World then gets its own sessions and drivers. ``clock`` (in-process only)
    is the one clock of both apps: a case replay's, so a replay prints the same every time;
    ``ids`` (in-process only), likewise, gives the ids Wrike draws for new users (``wrike``)
    and the random part of OneLogin's connection-test probe (``probe``), from the case's seed.
    Without them each app draws at random, as when served."""

    def __init__(self, target: Target, clock: Any = None, ids: Any = None) -> None:
        self.target = target
        self.closers: list[Callable[[], None]] = []
        self.network = Network()
        # Every control surface takes its key, in-process too, as it does when served.
        self.admin_key = secrets.token_urlsafe(24)
        self.simulator_key = secrets.token_urlsafe(24)
        if target.name == "in-process":
            wrike_app = create_wrike(
                _wrike_config(
                    admin_key=self.admin_key,
                    allowed_hosts=(urlsplit(WRIKE_BASE).hostname or "",),
                    **({"clock": clock} if clock else {}),
                    **({"new_id": ids.wrike} if ids else {}),
                )
            )
            onelogin_app = create_onelogin(
                _onelogin_config(
                    self.simulator_key,
                    public_url=ONELOGIN_BASE,
                    **({"connection_probe": ids.probe} if ids else {}),
                ),
                clock=clock,
                session_factory=engine_sessions(self.network, {WRIKE_BASE: wrike_app}),
            )
            self._wrike_session: Callable[[], requests.Session] | None = lambda: wsgi_session(
                wrike_app, WRIKE_BASE
            )
            self.wrike_base = WRIKE_BASE
            self._onelogin_session = lambda: wsgi_session(onelogin_app, ONELOGIN_BASE)
            self.onelogin_base = ONELOGIN_BASE
            self._browser_session: Callable[[], requests.Session] | None = lambda: (
                in_process_session({WRIKE_BASE: wrike_app, ONELOGIN_BASE: onelogin_app})
            )
        elif target.name == "live":
            # waitress: only when live
            from harness.drivers.loopback import LoopbackServer, listening_socket

            wrike_server = LoopbackServer(create_wrike(_wrike_config(admin_key=self.admin_key)))
            # OneLogin writes its URL into the SAML metadata, so it is built for its socket.
            sock, onelogin_url = listening_socket()
            onelogin_server = LoopbackServer(
                create_onelogin(
                    _onelogin_config(self.simulator_key, public_url=onelogin_url),
                    session_factory=engine_sessions(self.network),
                ),
                sock,
            )
            self.closers += [wrike_server.close, onelogin_server.close]
            self._wrike_session = requests.Session
            self.wrike_base = wrike_server.url
            self._onelogin_session = requests.Session
            self.onelogin_base = onelogin_server.url
            self._browser_session = _live_session
        elif target.name == "external":
            if not (target.scim_url and target.scim_token):
                raise StageError("--target external needs --scim-url and --scim-token")
            onelogin_app = create_onelogin(_onelogin_config(self.simulator_key))
            self._wrike_session = None
            self._onelogin_session = lambda: wsgi_session(onelogin_app, ONELOGIN_BASE)
            self.onelogin_base = ONELOGIN_BASE
            self._browser_session = None  # an external SCIM endpoint has no SSO
        else:
            raise StageError(f"--target must be one of {', '.join(TARGETS)}, not {target.name!r}")

    def world(self) -> World:
        """A fresh OneLogin and Wrike for one scenario or case."""
        self.network.restore()
        onelogin_session = self._onelogin_session()
        _reset(
            onelogin_session,
            f"{self.onelogin_base}/simulator/api/reset",
            self.simulator_key,
            "OneLogin",
        )
        onelogin = OneLogin(onelogin_session, self.onelogin_base, self.simulator_key)
        wrike: WrikeDriver
        admin: ReferenceWrike | None = None
        if self._wrike_session is None:
            assert self.target.scim_url and self.target.scim_token
            wrike = ExternalWrike(self.target.scim_url, self.target.scim_token)
        else:
            wrike_session = self._wrike_session()
            _reset(wrike_session, f"{self.wrike_base}/harness/api/reset", self.admin_key, "Wrike")
            wrike = admin = ReferenceWrike(
                wrike_session, self.wrike_base, self.admin_key, self.network
            )
        world = World(self.target.name, wrike, onelogin, admin, self.network)
        world.browsers = self.browser
        world.closers += [wrike.close, onelogin.close]
        return world

    def browser(self) -> Browser | None:
        """A fresh browser on both sites (harness/sso.py); None against an external
        endpoint, which has no SSO."""
        if self._browser_session is None:
            return None
        return Browser(self._browser_session(), self.wrike_base, self.onelogin_base)

    def close(self) -> None:
        for close in reversed(self.closers):
            close()

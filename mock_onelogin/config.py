"""The simulator's one configuration object, read by ``create_app`` and the CLI."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from mock_onelogin.domain import modelling


@dataclass(frozen=True)
class OneLoginConfig:
    """Every default of a simulator instance, declared once."""

    #: SQLite file; ":memory:" gives a fresh database (tests).
    database: str = ":memory:"
    #: "manual": tasks run only on drain(); "sync": every admin change drains before the
    #: response (deterministic tests and demos); "worker": a background thread drains.
    drain_mode: str = "manual"
    #: How often the background worker looks for due tasks when nobody wakes it.
    worker_poll_s: float = 0.5
    #: Seed a catalogue "Wrike" app on start.
    seed_wrike_app: bool = True
    #: Optional API credential created on start (client id, client secret), for demos and CI.
    seed_client_id: str | None = None
    seed_client_secret: str | None = None
    #: Base URL the v1 events ``next_link`` points at.
    public_url: str = "http://localhost"
    #: Host names the server answers to besides IP addresses, localhost and ``public_url``'s
    #: host (anything else is refused: DNS rebinding; see ``webguard``).
    allowed_hosts: tuple[str, ...] = ()
    #: Bearer key of the simulator API (``/simulator/api``, the admin console's controls).
    #: None leaves it open, for in-process tests only; the CLI and ``harness up`` always set
    #: one.
    simulator_key: str | None = None
    account_id: int = 100000
    event_retention: int = modelling.DEFAULT_EVENT_RETENTION
    rate_limit_per_hour: int = modelling.RATE_LIMIT_PER_HOUR
    token_lifetime_s: int = modelling.TOKEN_LIFETIME_S
    drain_batch_size: int = 250
    #: How long the engine waits for a SCIM answer before it counts the call as failed.
    scim_timeout_s: float = modelling.SCIM_TIMEOUT_S
    #: Largest request body either API or the console accepts.
    max_body_bytes: int = 1024 * 1024
    #: The admin console's one administrator (a modelling choice: the console login is not a
    #: directory user, so it is never provisioned). There is no fixed default password: each
    #: instance made without one gets a random password (read it from ``config``); the CLI
    #: takes it from ``--console-password`` or keeps a generated one in the data folder.
    console_admin_email: str = "admin@onelogin.example"
    console_admin_password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    #: The scrypt cost (n) of OneLogin users' password hashes. Tests and the harness's
    #: in-process stage lower it, as the Wrike side lowers its PBKDF2 iterations: the
    #: stored hash names its own cost, so a lowered one still checks as it should.
    password_scrypt_n: int = modelling.PASSWORD_SCRYPT_N
    #: The size of each app's SAML signing key. The in-process stage and the tests make
    #: 1024-bit keys (a fifth of the time: the suite makes hundreds); what is signed and how
    #: it is checked does not change with the size.
    saml_key_bits: int = modelling.SAML_KEY_BITS
    #: Signs the console's session cookie; None gives a fresh key per process (sessions end
    #: with a restart).
    secret_key: str | None = None
    #: The random part of the userName the connection test asks for (a name that cannot
    #: exist): random by default; a case replay draws it from its seed so it prints the same.
    connection_probe: Callable[[], str] = field(default=lambda: secrets.token_hex(16))

    def __post_init__(self) -> None:
        if self.drain_mode not in ("manual", "sync", "worker"):
            raise ValueError(f"drain_mode must be manual, sync or worker, not {self.drain_mode!r}")
        if self.event_retention < 1:
            raise ValueError("event_retention must be at least 1")

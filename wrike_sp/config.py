"""The provider's configuration: one frozen dataclass, read by ``create_app`` and the CLI, so
that every default is declared once."""

from __future__ import annotations

from dataclasses import dataclass, field

from wrike_sp.domain.clock import Clock, system_clock
from wrike_sp.domain.ids import IdSource, random_id
from wrike_sp.domain.modelling import MAX_BODY_BYTES


@dataclass(frozen=True)
class WrikeConfig:
    """How one provider instance runs.

        ``database`` is a SQLite file path, or ``":memory:"`` for a private in-memory database
        (tests). ``public_url`` is the base that SCIM URLs and ``meta.location`` are built on; when
        unset, the URL the request arrived at is used. ``admin_key`` guards the admin JSON API
        and the harness controls (``None`` leaves them open, for in-process tests only; the CLI
        always sets one). The harness controls (reset, fault injection, request journal) exist
        only when ``harness_enabled`` is set. ``allowed_hosts`` are the host names the server
        answers to besides IP addresses, localhost and ``public_url``'s host (see ``webguard``).
    ``clock`` and ``new_id`` give the time and new users' ids (injected for deterministic replays).
    """

    database: str = ":memory:"
    public_url: str | None = None
    admin_key: str | None = None
    harness_enabled: bool = False
    allowed_hosts: tuple[str, ...] = ()
    max_body_bytes: int = MAX_BODY_BYTES
    password_iterations: int = 120_000
    secret_key: str | None = None
    journal_size: int = 1000
    clock: Clock = field(default=system_clock)
    #: Where new users' ids come from: random (the default), or a seeded source for replays
    #: that must print the same ids every time.
    new_id: IdSource = field(default=random_id)

"""The ``world`` fixture: a fresh simulated OneLogin and Wrike for each scenario, on the target
the command line chose (see the top-level conftest). The drivers, the stage and the World
live in harness/drivers/, which a case replay (``harness repro``) uses too, so a scenario and
a replayed case are built by the same code.

It also binds the ``@both_update_methods`` tag (features/TAGS.md): harness/bdd/test_features.py runs
such a scenario once per update method, the world starts with the Wrike app sending updates
that way, and once the scenario's steps have passed the System Log must show that OneLogin's
updates, suspensions and reactivations went out with that method, so a run cannot pass in a
mode it never exercised."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from harness import vocabulary as v
from harness.drivers.stage import Stage, StageError, Target
from harness.drivers.world import World

__all__ = [
    "BOTH_UPDATE_METHODS",
    "UPDATE_METHOD_KEY",
    "WORLD_KEY",
    "World",
    "stage",
    "update_method",
    "world",
]

#: The tag (pytest marker) that runs a scenario once with PUT and once with PATCH.
BOTH_UPDATE_METHODS = "both_update_methods"
#: The SCIM methods OneLogin sends a user's changes with (not the create's POST, the
#: existence check's GET or a DELETE).
_UPDATE_VERBS = frozenset(v.UPDATE_METHODS)


@pytest.fixture(scope="session")
def stage(request: pytest.FixtureRequest) -> Iterator[Stage]:
    config = request.config
    try:
        built = Stage(
            Target(
                config.getoption("--target"),
                config.getoption("--scim-url"),
                config.getoption("--scim-token"),
            )
        )
    except StageError as error:
        raise pytest.UsageError(str(error)) from error
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def update_method() -> str | None:
    """The update method a ``@both_update_methods`` scenario runs with ("PUT" or "PATCH",
    parametrised by harness/bdd/test_features.py); None elsewhere: the scenario's own Givens (or
    the simulator's default, assumed) decide."""
    return None


@pytest.fixture
def world(
    request: pytest.FixtureRequest, stage: Stage, update_method: str | None
) -> Iterator[World]:
    """A fresh OneLogin and Wrike for each scenario, on the target the command line chose."""
    built = stage.world()
    request.node.stash[WORLD_KEY] = built
    try:
        if update_method is not None:
            # What "the Wrike app sends user updates as" would save, before the Background.
            built.onelogin.set_provisioning(update_method=update_method.lower())
            request.node.stash[UPDATE_METHOD_KEY] = update_method
        yield built
    finally:
        built.close()


def pytest_bdd_step_error(request: pytest.FixtureRequest, **_: Any) -> None:
    request.node.stash[_STEP_FAILED_KEY] = True


def pytest_bdd_after_scenario(request: pytest.FixtureRequest, **_: Any) -> None:
    """A ``@both_update_methods`` run passes only if OneLogin sent the scenario's updates,
    suspensions and reactivations with the run's method (and sent at least one)."""
    node = request.node
    method = node.stash.get(UPDATE_METHOD_KEY, None)
    if method is None or node.stash.get(_STEP_FAILED_KEY, False):
        return  # not bound to a method, or a step failed already: that failure is the report
    sent = [
        f"{exchange.get('method')} ({v.EVENT_NAMES.get(event['event_type_id'], event.get('event_type_name'))}, event {event['id']})"
        for event in node.stash[WORLD_KEY].onelogin.events()
        for exchange in event.get("scim_exchanges") or []
        if exchange.get("method") in _UPDATE_VERBS
    ]
    assert sent, (
        f"@{BOTH_UPDATE_METHODS}: this run sends user updates as {method}, but the System Log "
        "shows no update, suspension or reactivation sent to Wrike; the tag belongs on "
        "scenarios that send one"
    )
    other = [s for s in sent if not s.startswith(f"{method} ")]
    assert not other, (
        f"@{BOTH_UPDATE_METHODS}: this run sends user updates as {method}, but the System Log "
        f"shows {other}"
    )


WORLD_KEY = pytest.StashKey[World]()
UPDATE_METHOD_KEY = pytest.StashKey[str]()
_STEP_FAILED_KEY = pytest.StashKey[bool]()

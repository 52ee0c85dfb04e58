"""The ``world`` fixture: a fresh simulated OneLogin and Wrike for each scenario, on the target
the command line chose (see the top-level conftest). The drivers, the stage and the World
live in harness/drivers/, which a case replay (``harness repro``) uses too, so a scenario and
a replayed case are built by the same code."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.drivers.stage import Stage, StageError, Target
from harness.drivers.world import World

__all__ = ["WORLD_KEY", "World", "stage", "world"]


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
def world(request: pytest.FixtureRequest, stage: Stage) -> Iterator[World]:
    """A fresh OneLogin and Wrike for each scenario, on the target the command line chose."""
    built = stage.world()
    request.node.stash[WORLD_KEY] = built
    try:
        yield built
    finally:
        built.close()


WORLD_KEY = pytest.StashKey[World]()

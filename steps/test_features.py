"""Binds every scenario of features/, one ``scenarios()`` call per area of the article."""

from __future__ import annotations

import pytest
from pytest_bdd import scenarios

from harness import vocabulary as v
from steps.world import BOTH_UPDATE_METHODS

scenarios("availability")
scenarios("setup")
scenarios("provisioning")
scenarios("approvals")
scenarios("deprovisioning")
scenarios("billing")
scenarios("troubleshooting")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``@both_update_methods`` (features/TAGS.md): the scenario runs once per update method,
    its test id ending in [PUT] or [PATCH]."""
    if metafunc.definition.get_closest_marker(BOTH_UPDATE_METHODS):
        # The steps ask for the world (and so for update_method) only as they run, so the
        # scenario's own signature does not name it: declare it before parametrising.
        if "update_method" not in metafunc.fixturenames:
            metafunc.fixturenames.append("update_method")
        metafunc.parametrize("update_method", v.UPDATE_METHODS)

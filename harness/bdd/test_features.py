"""Binds every scenario of features/, one ``scenarios()`` call per area of the article.

The paths are absolute (``harness.bdd.FEATURES``), so the binding runs the same from a
checkout (``pytest steps``, whose test_features.py imports this one) and from an installed
wheel (``harness check``)."""

from __future__ import annotations

import pytest
from pytest_bdd import scenarios

from harness import vocabulary as v
from harness.bdd import FEATURES
from harness.bdd.world import BOTH_UPDATE_METHODS

#: The areas of the article, one folder of features/ each.
AREAS = (
    "availability",
    "setup",
    "provisioning",
    "approvals",
    "deprovisioning",
    "billing",
    "troubleshooting",
    "sso",
)

for _area in AREAS:
    scenarios(str(FEATURES / _area))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``@both_update_methods`` (features/TAGS.md): the scenario runs once per update method,
    its test id ending in [PUT] or [PATCH]."""
    if metafunc.definition.get_closest_marker(BOTH_UPDATE_METHODS):
        # The steps ask for the world (and so for update_method) only as they run, so the
        # scenario's own signature does not name it: declare it before parametrising.
        if "update_method" not in metafunc.fixturenames:
            metafunc.fixturenames.append("update_method")
        metafunc.parametrize("update_method", v.UPDATE_METHODS)

"""The checkout's binding of the BDD suite: ``pytest steps`` runs every scenario of
features/. The scenarios are bound once, in harness/bdd/test_features.py (which an installed
``harness check`` runs); this module only brings them into the repository's test tree."""

from __future__ import annotations

from harness.bdd.test_features import *  # noqa: F403  (the scenario test functions)
from harness.bdd.test_features import pytest_generate_tests

__all__ = ["pytest_generate_tests"]

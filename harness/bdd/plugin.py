"""The BDD suite's pytest plugin: the step modules and the world fixture, the target options,
the BDD tags as markers, the skip of @reference_only scenarios against an external endpoint,
and (harness.bdd.reporting) what a failed scenario's report carries.

A checkout loads it from the top-level conftest.py; ``harness check`` with ``-p
harness.bdd.plugin`` (in check.ini), so an installed wheel runs the suite without the
repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.bdd import FEATURES

pytest_plugins = [
    "harness.bdd.world",
    "harness.bdd.given",
    "harness.bdd.when",
    "harness.bdd.then",
    "harness.bdd.reporting",
]

REFERENCE_ONLY_REASON = (
    "@reference_only: needs the reference Wrike provider's internals (plan, approved domains, "
    "members, rights and tokens, Wrike-side data, billing or injected faults), which an "
    "external SCIM endpoint does not expose"
)


def tags() -> dict[str, str]:
    """The tags features/TAGS.md lists (`` - `@tag`: meaning``), each registered as a marker
    (the suite runs with --strict-markers): one list, read where it is written."""
    text = (FEATURES / "TAGS.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^- `@([A-Za-z_][A-Za-z0-9_]*)`: (.*)$", text, re.M))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("bdd target", "where the BDD suite's Wrike runs")
    group.addoption(
        "--target",
        choices=("in-process", "live", "external"),
        default="in-process",
        help="in-process (default): both apps in this process, no ports; live: "
        "both served on loopback over real HTTP; external: the simulated "
        "OneLogin drives --scim-url with --scim-token",
    )
    group.addoption(
        "--scim-url",
        default=None,
        help="SCIM base URL of the external Wrike account (--target external)",
    )
    group.addoption(
        "--scim-token", default=None, help="SCIM bearer token for --scim-url (--target external)"
    )


def pytest_configure(config: pytest.Config) -> None:
    for name, meaning in tags().items():
        config.addinivalue_line("markers", f"{name}: {meaning}")
    # pytest-bdd writes the cucumber JSON without creating its folder (JUnit XML does).
    cucumber = config.getoption("cucumber_json_path", None)
    if cucumber:
        Path(cucumber).parent.mkdir(parents=True, exist_ok=True)
    if config.getoption("--target") == "external" and not (
        config.getoption("--scim-url") and config.getoption("--scim-token")
    ):
        raise pytest.UsageError("--target external needs --scim-url and --scim-token")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--target") != "external":
        return
    skip = pytest.mark.skip(reason=REFERENCE_ONLY_REASON)
    for item in items:
        if item.get_closest_marker("reference_only"):
            item.add_marker(skip)

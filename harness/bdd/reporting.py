"""What the BDD suite's reports carry: a failed scenario's System Log (with the SCIM
exchanges) and the requests Wrike received, in the terminal's failure report and in JUnit
XML's system-out."""

from __future__ import annotations

from collections.abc import Generator

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed scenario's report carries its System Log (with the SCIM exchanges) and the
    requests Wrike received."""
    report = yield
    if report.failed and call.when == "call":
        from harness.bdd.world import WORLD_KEY

        world = item.stash.get(WORLD_KEY, None)
        if world is not None:
            for title, text in world.report():
                report.sections.append((title, text))  # the terminal's failure report
                # ... and, as captured output, JUnit XML's system-out (-o junit_logging=...)
                item.add_report_section("call", "stdout", f"{title}\n{text}\n")
    return report

"""The @both_update_methods scenarios (features/TAGS.md) against the live target: both apps
served over real HTTP, each scenario run once with PUT and once with PATCH updates. The fast
suite runs the same scenarios in-process; this is the other half of "CI runs the update,
suspend and reactivate scenarios with both update methods"."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_update_method_scenarios_pass_with_put_and_with_patch_over_real_http(
    request: pytest.FixtureRequest,
) -> None:
    if request.config.getoption("--target") != "in-process":
        pytest.skip("this test chooses its own target (live); it runs with the default only")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "steps/test_features.py",
            "-q",
            "-rA",
            "-m",
            "both_update_methods",
            "--target",
            "live",
            # Plugins the BDD suite does not use stay unloaded: the child starts faster.
            "-p",
            "no:xdist",
            "-p",
            "no:schemathesis",
            "-p",
            "no:hypothesispytest",
            "-p",
            "no:anyio",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr
    assert run.returncode == 0, f"the live run failed: {summary}\n{run.stdout[-5000:]}"
    passed = re.findall(r"^PASSED steps/test_features\.py::\S+\[(PUT|PATCH)\b", run.stdout, re.M)
    put, patch = passed.count("PUT"), passed.count("PATCH")
    assert put and put == patch, (
        f"each scenario should pass once with PUT and once with PATCH; PUT {put}, PATCH "
        f"{patch}: {summary}"
    )

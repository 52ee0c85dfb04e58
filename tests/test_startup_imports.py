"""What keeps a case replay quick to start: the modules a replay does not need are not
imported at all.

scim2-models builds every pydantic model it declares when it is imported, which takes longer
than a whole replay; the Wrike provider imports it where a request first reads a filter, a
body or a discovery document. A replay whose SCIM requests are all refused before that (a
wrong token) never loads it, pydantic or lark. Each test runs the real console command in a
fresh interpreter and reads which modules it imported from ``python -X importtime``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: scim2-models and what only it imports here (its models, its filter grammar).
SCIM_MODELS = {"scim2_models", "pydantic", "pydantic_core", "email_validator", "lark"}


def replay_imports(case: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Replay ``case`` with ``harness repro`` in a fresh interpreter: the finished process
    and the top-level packages (and our modules, in full) it imported."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "harness.cli", "repro", case],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    loaded: set[str] = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "self [us]" not in line:
            name = line.rsplit("|", 1)[1].strip()
            loaded |= {name, name.split(".")[0]}
    return done, loaded


def test_a_replay_refused_by_wrike_token_never_imports_scim2_models() -> None:
    done, loaded = replay_imports("fixtures/cases/wrong_token.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    # The replay happened, through both apps: its report and the expectations it met.
    assert "401" in done.stdout and "all met" in done.stdout, done.stdout
    assert {"flask", "faker", "wrike_sp.app", "mock_onelogin.engine"} <= loaded
    lazy = SCIM_MODELS | {"wrike_sp.domain.user_model", "wrike_sp.domain.filters"}
    assert sorted(loaded & lazy) == []


@pytest.mark.slow
def test_a_replay_that_provisions_a_user_still_validates_through_scim2_models() -> None:
    """The other side of the laziness: when Wrike reads a filter and a body, scim2-models
    is there to parse and validate them (the user is created)."""
    done, loaded = replay_imports("fixtures/cases/missing_admin_right.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert {"scim2_models", "wrike_sp.domain.filters", "wrike_sp.domain.user_model"} <= loaded

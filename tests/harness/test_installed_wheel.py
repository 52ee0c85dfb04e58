"""The tool as a CI job gets it: the built wheel installed into a fresh environment in a
temporary folder, far from the repository, then ``wrike-sp serve`` and ``harness check``
from that environment only. Nothing of the checkout (steps/, features/, conftest.py,
pyproject.toml) is on the path: the BDD suite must come out of the wheel."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(*command: str | Path, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {k: val for k, val in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the project's wheel (and its dependencies) installed; its bin/."""
    where = tmp_path_factory.mktemp("installed")
    dist = where / "dist"
    built = _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, ROOT, cwd=where
    )
    assert built.returncode == 0, built.stderr[-3000:]
    wheels = list(dist.glob("*.whl"))
    assert len(wheels) == 1, wheels
    venv.create(where / "venv", with_pip=True)
    bin_dir = where / "venv" / "bin"
    installed = _run(bin_dir / "python", "-m", "pip", "install", "-q", wheels[0], cwd=where)
    assert installed.returncode == 0, installed.stderr[-3000:]
    return bin_dir


def _serve(bin_dir: Path, data_dir: Path, port: int) -> tuple[subprocess.Popen[str], str, str]:
    process = subprocess.Popen(
        [str(bin_dir / "wrike-sp"), "serve", "--data-dir", str(data_dir), "--port", str(port)],
        cwd=data_dir.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    printed = ""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not printed.endswith(f":{port}\n"):
        line = process.stdout.readline()
        if not line:
            break
        printed += line
    url = re.search(r"^SCIM URL:\s+(\S+)", printed, re.M)
    token = re.search(r"^SCIM token:\s+(\S+)", printed, re.M)
    assert url and token, printed
    return process, url[1], token[1]


@pytest.mark.slow
def test_the_installed_wheel_checks_wrike_sp_serve_without_a_checkout(
    installed: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "job"
    outside.mkdir()
    # The venv holds the suite itself, and no file of the repository is reachable from it.
    site = next((installed.parent / "lib").glob("python*/site-packages"))
    assert (site / "harness" / "bdd" / "features" / "TAGS.md").is_file()
    assert not (site / "harness" / "bdd" / "features").is_symlink()
    assert not any(site.glob("__editable__*")), "the project is installed editable"
    from tests.live import free_port

    process, url, token = _serve(installed, outside / "wrike-data", free_port())
    try:
        check = subprocess.run(
            [
                str(installed / "harness"),
                "check",
                "--scim-url",
                url,
                "--domain",
                "acme.example",
                "--profile",
                "wrike",
                "--reports",
                "reports",
            ],
            cwd=outside,
            env={
                **{
                    k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")
                },
                "HARNESS_SCIM_TOKEN": token,
            },
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
    output = check.stdout + check.stderr
    assert check.returncode == 0, output[-5000:]
    assert re.search(r"\b[1-9]\d* passed\b", output), output[-3000:]
    assert " failed" not in output, output[-3000:]
    for report in ("cucumber.json", "junit.xml"):
        assert (outside / "reports" / report).stat().st_size > 0, report
    assert str(ROOT) not in output, "the run touched the checkout"

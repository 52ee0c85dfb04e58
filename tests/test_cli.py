"""The three console scripts read alike: every option described, ``--version`` on each (the
distribution's version), exit codes in every command's help, no summary cut short in a
group's ``--help``, and ``harness --help`` quick because it imports neither app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from harness.cli import main as harness_main
from mock_onelogin.cli import main as onelogin_main
from wrike_sp.cli import main as wrike_main

ROOT = Path(__file__).resolve().parents[1]
DISTRIBUTION = "onelogin-wrike-scim-harness"
GROUPS = {"harness": harness_main, "mock-onelogin": onelogin_main, "wrike-sp": wrike_main}


def _commands() -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, group in GROUPS.items():
        assert isinstance(group, click.Group)
        found.append((name, group))
        found += [(f"{name} {sub}", cmd) for sub, cmd in group.commands.items()]
    return found


COMMANDS = _commands()


@pytest.mark.parametrize("name,command", COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_option_is_described(name: str, command: click.Command) -> None:
    undescribed = [
        "/".join(p.opts)
        for p in command.params
        if isinstance(p, click.Option) and not (p.help or "").strip()
    ]
    assert not undescribed, f"{name}: options without help: {', '.join(undescribed)}"


@pytest.mark.parametrize("name,group", GROUPS.items())
def test_no_summary_is_cut_short_in_the_group_help(name: str, group: click.Group) -> None:
    result = CliRunner().invoke(group, ["--help"], prog_name=name, terminal_width=80)
    assert result.exit_code == 0
    commands = result.output.split("Commands:", 1)[1].splitlines()
    listed = [line for line in commands if line.strip()]
    assert listed
    assert not [line for line in listed if line.rstrip().endswith("...")], result.output


@pytest.mark.parametrize("name,command", COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_states_its_exit_codes(name: str, command: click.Command) -> None:
    group, _, sub = name.partition(" ")
    args = [sub, "--help"] if sub else ["--help"]
    result = CliRunner().invoke(GROUPS[group], args, prog_name=group, terminal_width=80)
    assert result.exit_code == 0, result.output
    assert "Exit status:" in result.output, result.output
    assert "  0  " in result.output


@pytest.mark.parametrize("name,group", GROUPS.items())
def test_version_is_the_distributions(name: str, group: click.Group) -> None:
    result = CliRunner().invoke(group, ["--version"], prog_name=name)
    assert result.exit_code == 0, result.output
    assert result.output == f"{name} {version(DISTRIBUTION)}\n"


def test_harness_help_imports_neither_app() -> None:
    """What keeps ``harness --help`` quick: the commands import their work when they run."""
    probe = (
        "import sys, json\n"
        "from click.testing import CliRunner\n"
        "from harness.cli import main\n"
        "CliRunner().invoke(main, ['--help'])\n"
        "CliRunner().invoke(main, ['repro', '--help'])\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    loaded = {name.split(".")[0] for name in json.loads(done.stdout)}
    heavy = {"wrike_sp", "mock_onelogin", "flask", "requests", "scim2_models", "faker"}
    assert not loaded & heavy, sorted(loaded & heavy)

"""One vocabulary: harness/vocabulary.py declares each list once, nothing in steps/ or
harness/ declares a copy, and the words mean the same in the BDD suite and in a replay."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness import vocabulary as v
from harness.case import parse_case
from harness.cli import main
from harness.drivers import people
from harness.drivers.scim import typo_in_path
from harness.drivers.stage import Stage, Target

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    p
    for folder in ("steps", "harness")
    for p in (ROOT / folder).rglob("*.py")
    if p != ROOT / "harness" / "vocabulary.py"
)

#: Each list the vocabulary owns, by name.
LISTS: dict[str, frozenset[object]] = {
    "event names": frozenset(v.EVENT_NAMES.values()),
    "rights": frozenset(v.RIGHTS),
    "right keys": frozenset(v.RIGHT_KEYS.values()),
    "faults": frozenset(v.FAULTS),
    "approval boxes": frozenset(v.TASKS),
    "approval keys": frozenset(v.TASK_KEYS.values()),
    "attributes": frozenset(v.WRIKE_ATTRIBUTES) | frozenset(v.ONELOGIN_ATTRIBUTES),
    "states": frozenset(v.STATES),
    "Wrike statuses": frozenset(v.WRIKE_STATUSES),
    "ledger changes": frozenset(v.LEDGER_CHANGES) | frozenset(v.LEDGER_CHANGES.values()),
    "deprovision actions": frozenset(v.DEPROVISION_ACTIONS),
    "update methods": frozenset(v.UPDATE_METHODS),
    "plans": frozenset(v.PLANS),
    "user types": frozenset(v.USER_TYPES),
    "event ids": frozenset(v.EVENT_NAMES) - {137, 138},
}


def _constants(node: ast.AST) -> list[object]:
    """The constants a collection literal (or a range) spells out, keys included."""
    if isinstance(node, ast.Dict):
        items = [*node.keys, *node.values]
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = list(node.elts)
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "range"
        and all(isinstance(a, ast.Constant) for a in node.args)
    ):
        return list(range(*(a.value for a in node.args)))  # type: ignore[union-attr]
    else:
        return []
    return [i.value for i in items if isinstance(i, ast.Constant)]


def copies(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        values = _constants(node)
        for name, words in LISTS.items():
            shared = {x for x in values if type(x) is not bool and x in words}
            if len(shared) >= 2:
                found.append(
                    f"line {getattr(node, 'lineno', '?')}: {name} {sorted(map(str, shared))}"
                )
    return found


def test_the_copy_detector_finds_a_copy() -> None:
    assert copies('FAULTS = {"503 Service Unavailable": 1, "connection refused": 2}')
    assert copies("PROVISIONING = frozenset(range(51, 66))")
    assert not copies('WORDS = ("Create user", "something else")')


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(ROOT)) for p in SOURCES])
def test_no_module_declares_a_copy_of_a_vocabulary_list(path: Path) -> None:
    found = copies(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)} copies harness/vocabulary.py: {found}"


def test_connection_refused_is_a_refused_connect_in_the_bdd_world() -> None:
    """The request never reaches Wrike: nothing in Wrike's journal, the engine logs a refused
    connection. (It once meant a dropped connection in the suite.)"""
    stage = Stage(Target())
    world = stage.world()
    try:
        admin = world.reference("Injecting faults")
        admin.create_account("Enterprise Standard")
        admin.approve_domain("acme.com")
        admin.add_member("Wanda Admin", "admin", v.RIGHTS)
        world.configure_onelogin(
            admin.scim_url(), admin.integration_token("Wanda Admin"), enable=True
        )
        world.onelogin.set_provisioning(enabled=True)
        world.onelogin.require_approval(None)
        world.create_onelogin_user("ada@acme.com")
        admin.fail_every_request("connection refused")
        world.onelogin.add_app_to_role("Engineering")
        world.onelogin.add_to_role("ada@acme.com", "Engineering")
        [failed] = [e for e in world.onelogin.events("ada@acme.com") if e["event_type_id"] == 64]
        assert "Connection refused" in failed["error_description"]
        # Only the connection test (before the fault) reached Wrike.
        journal = world.wrike.journal().splitlines()
        assert [line for line in journal if "onelogin-sim.invalid" not in line] == []
    finally:
        world.close()
        stage.close()


def test_connection_refused_is_a_refused_connect_in_a_replay(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(
        "case: Refused\n"
        "onelogin:\n  users:\n    - email: ada@acme.com\n"
        "timeline:\n"
        "  - {action: fault, fault: connection refused}\n"
        "  - {action: assign, user: ada@acme.com, role: Engineering}\n"
        "expect:\n  users:\n"
        "    - {user: ada@acme.com, error_mentions: [Connection refused], diagnosis: "
        "wrike_unavailable}\n"
    )
    result = CliRunner().invoke(main, ["repro", str(case)])
    assert result.exit_code == 0, result.output
    assert "[Errno 111] Connection refused" in result.output


def test_one_rule_for_admin_emails(tmp_path: Path) -> None:
    name = "Tom O'Brien-Smith"
    case = parse_case(
        f'case: x\nwrike:\n  admins:\n    - name: Wanda Admin\n    - name: "{name}"\ntimeline: []\n'
    )
    assert case.wrike.admins[1].email == people.member_email(name, "acme.com")
    assert case.wrike.admins[1].email == "tom.o.brien.smith@acme.com"
    path = tmp_path / "case.yaml"
    path.write_text(
        f'case: x\nwrike:\n  admins:\n    - name: Wanda Admin\n    - name: "{name}"\ntimeline: []\n'
    )
    result = CliRunner().invoke(main, ["repro", str(path)])
    assert "tom.o.brien.smith@acme.com" in result.output


def test_a_wrong_scim_url_is_the_same_typo_for_every_target() -> None:
    assert typo_in_path("http://wrike.test/scim/1/v2") == "http://wrike.test/scim/10/v2"
    assert typo_in_path("https://www.wrike.com/app/scim/v2") == (
        "https://www.wrike.com/app/scim/v20"
    )
    assert typo_in_path("https://scim.example/api") == "https://scim.example/apix"
    # A provider served at the host's root (scim2-server's default): the port stays a port.
    assert typo_in_path("http://127.0.0.1:8080/") == "http://127.0.0.1:8080/x"


def test_every_fault_has_a_meaning() -> None:
    for name, fault in v.FAULTS.items():
        assert (fault.status is None) != (fault.network is None), name
        assert v.fault_name(name.upper()) == name
    assert v.fault("502 Bad Gateway") == v.Fault(status=502)
    assert v.fault_name("bad gateway") is None


def test_no_document_calls_put_onelogins_default() -> None:
    """Which update method OneLogin's connector uses is not published: PUT is the
    simulator's default, assumed (README's modelling choices)."""
    root = Path(__file__).resolve().parents[2]
    files = [root / "features/TAGS.md", root / "features/STEPS.md", root / "harness/bdd/world.py"]
    said = [p.name for p in files if "OneLogin's default" in p.read_text(encoding="utf-8")]
    assert not said
    assert all("the simulator's default, assumed" in p.read_text(encoding="utf-8") for p in files)


@pytest.mark.parametrize(
    ("user", "shown"),
    [
        (None, "absent"),
        ({"userName": "a@acme.com", "active": True}, "active"),
        ({"userName": "a@acme.com", "active": False}, "deactivated"),
        # A provider that stores no `active` (nothing was sent) shows neither: the suite's
        # "deactivated" and "active" checks both fail against it rather than pass on nothing.
        (
            {"userName": "a@acme.com"},
            "neither active nor deactivated (active is None, not a boolean)",
        ),
        (
            {"userName": "a@acme.com", "active": "false"},
            "neither active nor deactivated (active is 'false', not a boolean)",
        ),
    ],
)
def test_a_users_status_is_read_on_evidence_only(
    user: dict[str, object] | None, shown: str
) -> None:
    assert v.scim_status(user) == shown

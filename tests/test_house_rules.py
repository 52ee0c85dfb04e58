"""The rules of the house, read from the import statements of every module:
``mock_onelogin`` and ``wrike_sp`` never import each other (nor the harness or the suite),
``webguard`` imports neither app nor a web framework (but for ``webguard/routes.py``, the
werkzeug-facing part both apps use: their URL rule class and request hook), and no ``domain`` package imports its
store or web layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "mock_onelogin": ("wrike_sp", "harness", "steps", "tests"),
    "wrike_sp": ("mock_onelogin", "harness", "steps", "tests"),
    "webguard": ("wrike_sp", "mock_onelogin", "harness", "flask", "werkzeug"),
    "webguard/routes.py": ("wrike_sp", "mock_onelogin", "harness", "flask"),
    "mock_onelogin/domain": ("mock_onelogin.store", "mock_onelogin.web", "flask", "sqlite3"),
    "wrike_sp/domain": ("wrike_sp.store", "wrike_sp.web", "flask", "sqlite3"),
}


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_package_imports_nothing_it_must_not(package: str) -> None:
    root = ROOT / package
    modules = [root] if root.is_file() else sorted(root.rglob("*.py"))
    if package == "webguard":  # its URL rule class is checked on its own, above
        modules = [m for m in modules if m.name != "routes.py"]
    assert modules, package
    broken = {
        str(module.relative_to(ROOT)): sorted(
            name
            for name in imported(module)
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[package])
        )
        for module in modules
    }
    assert {k: v for k, v in broken.items() if v} == {}

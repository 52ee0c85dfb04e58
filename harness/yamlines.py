"""YAML with line numbers: ``yaml.safe_load`` semantics, plus the line each value came from.

Why not plain ``safe_load``: a support engineer who mistypes an action deserves
``case.yaml:12: timeline[3].action: ...``, not a traceback. PyYAML's composer already knows
every node's position; this walks the composed tree with the safe constructor for scalars, so
tags, anchors and merge keys behave exactly as ``safe_load`` treats them, and records the line
of every mapping key and sequence item. Duplicate keys, which ``safe_load`` silently resolves
to the last one, are refused: in a case file a repeated key is always a mistake.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import yaml

#: Where a value sits: mapping keys (any plain YAML value) and sequence indexes.
Path = tuple[Hashable, ...]


def format_path(path: Path) -> str:
    """``("timeline", 3, "action")`` → ``timeline[3].action``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


@dataclass
class Located:
    """A loaded document and the 1-based line of each path in it."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line(self, path: Path) -> int:
        """The line of ``path``, or of its nearest ancestor that has one (a missing field is
        reported at the mapping that should hold it)."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


class YamlProblem(ValueError):
    """The text is not YAML, or not YAML a case file may use."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def load(text: str) -> Located:
    """Parse ``text`` like ``yaml.safe_load`` and keep line numbers."""
    loader = yaml.SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
            located = Located(None)
            if node is not None:
                located.data = _walk(loader, node, (), located.lines)
            return located
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark else 1
            raise YamlProblem(line, f"not valid YAML: {error.problem or error}") from error
        except yaml.YAMLError as error:
            raise YamlProblem(1, f"not valid YAML: {error}") from error
    finally:
        loader.dispose()


def _walk(loader: yaml.SafeLoader, node: yaml.Node, path: Path, lines: dict[Path, int]) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # merge keys (<<), as safe_load applies them
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, Hashable) or isinstance(key, (list, dict)):
                raise YamlProblem(line, f"{format_path(path)}: a mapping key must be a plain value")
            if key in out:
                raise YamlProblem(
                    line,
                    f"{format_path((*path, key))}: given twice (the second one would silently win)",
                )
            lines[(*path, key)] = line
            out[key] = _walk(loader, value_node, (*path, key), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(loader, item, (*path, index), lines) for index, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)

"""Reading a YAML document field by field, collecting every problem as
``file:line: field: message`` instead of stopping at the first (the case file format,
docs/case-files.md, promises the whole list, in file order)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from harness.yamlines import Located, format_path

P = tuple[str | int, ...]


class Validator:
    """Walks a loaded document once, collecting problems instead of stopping at the first;
    the typed readers below each report what they expected and what they found."""

    def __init__(self, located: Located, name: str) -> None:
        self.doc = located
        self.name = name
        self.problems: list[str] = []
        self.explicit: set[str] = set()

    # reporting ---------------------------------------------------------------------------
    def problem(self, path: P, message: str) -> None:
        self.problems.append(f"{self.name}:{self.doc.line(path)}: {format_path(path)}: {message}")

    def sorted_problems(self) -> list[str]:
        """In file order, so the list reads top to bottom like the file."""
        prefix = len(self.name) + 1

        def line(problem: str) -> int:
            number = problem[prefix:].split(":", 1)[0]
            return int(number) if number.isdigit() else 0

        return sorted(self.problems, key=line)

    def mapping(self, value: Any, path: P, known: Iterable[str]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(path, f"expected a mapping of fields, got {kind(value)}")
            return {}
        known = tuple(known)
        for key in value:
            if key not in known:
                self.problem(
                    (*path, key),
                    f"unknown field {key!r}{suggest(key, known)} (one of: {', '.join(known)})",
                )
        return value

    def text(self, value: Any, path: P, *, allow_numbers: bool = False) -> str | None:
        if isinstance(value, str) and value.strip():
            return value.strip()
        if allow_numbers and isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        self.problem(path, f"expected text, got {kind(value)}")
        return None

    def choice(self, value: Any, path: P, options: Iterable[str], what: str) -> str | None:
        options = tuple(options)
        if isinstance(value, str):
            for option in options:
                if value.strip().lower() == option.lower():
                    return option
        shown = value if isinstance(value, str) else kind(value)
        self.problem(
            path,
            f"unknown {what} {shown!r}{suggest(str(value), options)} (one "
            f"of: {', '.join(options)})",
        )
        return None

    def flag(self, value: Any, path: P) -> bool | None:
        if isinstance(value, bool):
            return value
        self.problem(path, f"expected true or false, got {kind(value)}")
        return None

    def email(self, value: Any, path: P) -> str | None:
        text = self.text(value, path)
        if text is None:
            return None
        if text.count("@") != 1 or "." not in text.split("@")[1] or " " in text:
            self.problem(path, f"{text!r} is not an email address")
            return None
        return text.lower()

    def seq(self, value: Any, path: P) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(path, f"expected a list, got {kind(value)}")
            return []
        return value

    def attributes(self, value: Any, path: P, allowed: Iterable[str]) -> dict[str, str]:
        allowed = tuple(allowed)
        out: dict[str, str] = {}
        if value is None:
            return out
        if not isinstance(value, dict):
            self.problem(path, f"expected a mapping of attribute: value, got {kind(value)}")
            return out
        for key, item in value.items():
            name = self.choice(key, (*path, key), allowed, "attribute")
            text = self.text(item, (*path, key), allow_numbers=True)
            if name and text is not None:
                out[name] = text
        return out

    def domain(self, value: Any, path: P) -> str | None:
        text = self.text(value, path)
        return text.lower() if text else None

    def count(self, value: Any, path: P, minimum: int) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
            return value
        self.problem(path, f"expected a whole number of at least {minimum}, got {kind(value)}")
        return None


def kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return repr(value)


def suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""

"""Typed step parameters: the unquoted words of STEPS.md come from closed lists, so a typo in
a feature fails to match the step (StepDefinitionNotFoundError) instead of failing later.
The lists are harness/vocabulary.py's."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pytest_bdd import parsers

from harness import vocabulary as v


def _choice(words: Iterable[str]) -> Callable[[str], str]:
    def convert(text: str) -> str:
        return text

    convert.pattern = "|".join(words)  # type: ignore[attr-defined]
    return convert


TYPES: dict[str, Callable[[str], Any]] = {
    "Task": _choice(v.TASKS),
    "Status": _choice(v.WRIKE_STATUSES),
    "Change": _choice(v.LEDGER_CHANGES),
}


def parse(pattern: str) -> parsers.parse:
    """``parsers.parse`` with this suite's closed-list types."""
    return parsers.parse(pattern, extra_types=TYPES)


def table(datatable: list[list[str]]) -> list[dict[str, str]]:
    """A datatable's rows as dicts keyed by its header row."""
    header, *rows = datatable
    return [dict(zip(header, row, strict=True)) for row in rows]

"""How the store finds the members a :class:`~wrike_sp.domain.search.UserSearch` selects:
its tree rendered to a SQL condition over ``users u``, a condition on an address in emails
rendered over ``user_emails e`` of the same account.

A tree carries no values, so its rendering is kept per tree: the next lookup by another
address costs only its parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from wrike_sp.domain.search import (
    And,
    AnyEmail,
    Attribute,
    Compare,
    Condition,
    Not,
    Operator,
    Or,
    Present,
    UserSearch,
)

_COLUMNS = {
    Attribute.USER_NAME: "u.user_name_key",
    Attribute.EMAIL_VALUE: "e.value_key",
    Attribute.EMAIL_TYPE: "lower(e.type)",
}
# Columns that are never NULL: being present is holding a non-empty text.
_NOT_NULL = frozenset({Attribute.USER_NAME, Attribute.EMAIL_VALUE})
_ORDERING = {Operator.GT: ">", Operator.GE: ">=", Operator.LT: "<", Operator.LE: "<="}


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_PATTERNS: dict[Operator, Callable[[str], str]] = {
    Operator.CO: lambda text: f"%{_like(text)}%",
    Operator.SW: lambda text: f"{_like(text)}%",
    Operator.EW: lambda text: f"%{_like(text)}",
}


def _as_is(text: str) -> str:
    return text


@dataclass(frozen=True)
class _Parameter:
    """One ``?`` of a rendered condition: the account's id (``operand`` None) or an
    operand's value, shaped for its comparison."""

    operand: int | None
    shape: Callable[[str], str] = _as_is


_ACCOUNT = _Parameter(None)
Rendered = tuple[str, tuple[_Parameter, ...]]


def _compare(node: Compare) -> Rendered:
    column = _COLUMNS[node.attribute]
    if node.operand is None:
        if node.op == Operator.EQ:
            return f"({column} IS NULL OR {column} = '')", ()
        return f"({column} IS NOT NULL AND {column} <> '')", ()
    operand = node.operand.index
    if node.op == Operator.EQ:
        return f"{column} = ?", (_Parameter(operand),)
    if node.op == Operator.NE:
        return f"({column} IS NULL OR {column} <> ?)", (_Parameter(operand),)
    if node.op in _PATTERNS:
        return f"{column} LIKE ? ESCAPE '\\'", (_Parameter(operand, _PATTERNS[node.op]),)
    return f"{column} {_ORDERING[node.op]} ?", (_Parameter(operand),)


def _with_email(condition: Condition, negated: bool) -> Rendered:
    """``u.id [NOT] IN`` the users of this account with an email meeting ``condition``.

    Not a correlated ``EXISTS`` per user: that probes the email index once for every user
    of the account, so one lookup by email at 100,000 users read them all. The id set is
    computed once, from the ``(account_id, value_key)`` index for an equality, and then
    drives the users' primary key (the store tells the planner that an account holds many
    users, so it picks that order)."""
    sql, parameters = _render(condition)
    where = "NOT IN" if negated else "IN"
    return (
        f"u.id {where} (SELECT e.user_id FROM user_emails e WHERE e.account_id = ? AND ({sql}))",
        (_ACCOUNT, *parameters),
    )


def _render(node: Condition) -> Rendered:
    if isinstance(node, Compare):
        return _compare(node)
    if isinstance(node, Present):
        column = _COLUMNS[node.attribute]
        if node.attribute in _NOT_NULL:
            return f"{column} <> ''", ()
        return f"({column} IS NOT NULL AND {column} <> '')", ()
    if isinstance(node, AnyEmail):
        return _with_email(node.condition, negated=False)
    if isinstance(node, Not):
        if isinstance(node.term, AnyEmail):
            return _with_email(node.term.condition, negated=True)
        sql, parameters = _render(node.term)
        return f"NOT ({sql})", parameters
    assert isinstance(node, And | Or)
    parts = [_render(term) for term in node.terms]
    joiner = " AND " if isinstance(node, And) else " OR "
    return joiner.join(f"({sql})" for sql, _ in parts), tuple(p for _, ps in parts for p in ps)


@dataclass(frozen=True)
class SearchSql:
    """The page and count queries of a search over the users of one account."""

    page: str
    count: str
    parameters: tuple[_Parameter, ...]

    def arguments(self, account_id: int, operands: tuple[str, ...]) -> list[Any]:
        return [
            account_id if p.operand is None else p.shape(operands[p.operand])
            for p in self.parameters
        ]


def search_sql(select: str, search: UserSearch | None) -> SearchSql:
    """The queries of ``search`` (every user of the account when ``None``) selecting
    ``select`` per user."""
    return _search_sql(select, None if search is None else search.condition)


@lru_cache(maxsize=256)
def _search_sql(select: str, condition: Condition | None) -> SearchSql:
    parameters: tuple[_Parameter, ...] = (_ACCOUNT,)
    where = "u.account_id = ?"
    if condition is not None:
        sql, found = _render(condition)
        where, parameters = f"{where} AND ({sql})", (_ACCOUNT, *found)
    return SearchSql(
        page=f"SELECT {select} FROM users u WHERE {where} ORDER BY created, id LIMIT ? OFFSET ?",
        count=f"SELECT count(*) FROM users u WHERE {where}",
        parameters=parameters,
    )

"""SCIM filters (RFC 7644 §3.4.2.2) translated to SQL over indexed columns.

scim2-models parses the filter into its AST; this module only walks that tree. Wrike
documents that "search is supported only by email address", so only userName and
emails (value, type) can be searched; any other attribute is refused with invalidFilter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter
from scim2_models import Email, InvalidFilterException, ScimFilter
from scim2_models.path import (
    AttrPath,
    CompareOperator,
    Comparison,
    FilterVisitor,
    LogicalExpr,
    Not,
    Present,
    ValuePath,
)

from wrike_sp.domain.errors import ScimError
from wrike_sp.domain.schema import CORE_USER, WrikeUser
from wrike_sp.domain.users import key

Sql = tuple[str, list[Any]]

_SEARCH_BY_EMAIL = (
    "Wrike supports search by email address only: filter on userName or emails "
    "(e.g. userName eq \"ada@example.com\"); '{attr}' cannot be searched."
)


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _compare(column: str, op: CompareOperator, value: Any) -> Sql:
    if value is None:
        if op == CompareOperator.eq:
            return f"({column} IS NULL OR {column} = '')", []
        if op == CompareOperator.ne:
            return f"({column} IS NOT NULL AND {column} <> '')", []
        raise ScimError(400, "invalidFilter", f"Operator '{op.value}' cannot compare with null")
    if not isinstance(value, str):
        raise ScimError(400, "invalidFilter", f"Email searches compare strings, got {value!r}")
    text = key(value)
    if op == CompareOperator.eq:
        return f"{column} = ?", [text]
    if op == CompareOperator.ne:
        # An unassigned value is unequal to every operand, as scim2-models evaluates it.
        return f"({column} IS NULL OR {column} <> ?)", [text]
    if op == CompareOperator.co:
        return f"{column} LIKE ? ESCAPE '\\'", [f"%{_like(text)}%"]
    if op == CompareOperator.sw:
        return f"{column} LIKE ? ESCAPE '\\'", [f"{_like(text)}%"]
    if op == CompareOperator.ew:
        return f"{column} LIKE ? ESCAPE '\\'", [f"%{_like(text)}"]
    symbol = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}[op.value]
    return f"{column} {symbol} ?", [text]


def _email_column(sub_attr: str | None, attr_name: str) -> str:
    sub = (sub_attr or "value").lower()
    if sub == "value":
        return "e.value_key"
    if sub == "type":
        return "lower(e.type)"
    raise ScimError(400, "invalidFilter", _SEARCH_BY_EMAIL.format(attr=f"{attr_name}.{sub_attr}"))


def _target(path: AttrPath) -> str:
    if path.uri is not None and path.uri.lower() != CORE_USER.lower():
        raise ScimError(400, "invalidFilter", _SEARCH_BY_EMAIL.format(attr=str(path)))
    name = path.attr.lower()
    if name == "username" and path.sub_attr is None:
        return "userName"
    if name == "emails":
        return "emails"
    raise ScimError(400, "invalidFilter", _SEARCH_BY_EMAIL.format(attr=str(path)))


class _UserSql(FilterVisitor[Sql]):
    """Builds a WHERE clause over ``users u``; a condition on emails becomes a set of user
    ids drawn from ``user_emails e`` of the same account (see :func:`_with_email`)."""

    def __init__(
        self, account_id: int, inside_emails: bool = False, literals: list[str] | None = None
    ) -> None:
        self.account_id = account_id
        self.inside_emails = inside_emails
        self.literals = literals

    def _with_email(self, condition: Sql, negated: bool = False) -> Sql:
        """``u.id [NOT] IN`` the users of this account with an email meeting ``condition``.

        Not a correlated ``EXISTS`` per user: that probes the email index once for every
        user of the account, so one lookup by email at 100,000 users read them all. The id
        set is computed once, from the ``(account_id, value_key)`` index for an equality,
        and then drives the users' primary key (the store tells the planner that an account
        holds many users, so it picks that order)."""
        sql, params = condition
        where = "NOT IN" if negated else "IN"
        return (
            f"u.id {where} (SELECT e.user_id FROM user_emails e "
            f"WHERE e.account_id = ? AND ({sql}))",
            [self.account_id, *params],
        )

    def visit_comparison(self, node: Comparison) -> Sql:
        if self.literals is not None and isinstance(node.value, str):
            node = Comparison(
                attr_path=node.attr_path, op=node.op, value=self.literals[_position(node.value)]
            )
        if self.inside_emails:
            column = _email_column(node.attr_path.attr, "emails")
            return _compare(column, node.op, node.value)
        if _target(node.attr_path) == "userName":
            return _compare("u.user_name_key", node.op, node.value)
        column = _email_column(node.attr_path.sub_attr, node.attr_path.attr)
        if node.op == CompareOperator.ne and node.value is not None:
            # On a multi-valued attribute "ne" means that no value equals the operand.
            return self._with_email(_compare(column, CompareOperator.eq, node.value), True)
        return self._with_email(_compare(column, node.op, node.value))

    def visit_present(self, node: Present) -> Sql:
        if self.inside_emails:
            column = _email_column(node.attr_path.attr, "emails")
            return f"({column} IS NOT NULL AND {column} <> '')", []
        if _target(node.attr_path) == "userName":
            return "u.user_name_key <> ''", []
        column = _email_column(node.attr_path.sub_attr, node.attr_path.attr)
        return self._with_email((f"{column} <> ''", []))

    def visit_not(self, node: Not) -> Sql:
        sql, params = self.visit(node.expr)
        return f"NOT ({sql})", params

    def visit_logical_expr(self, node: LogicalExpr) -> Sql:
        parts = [self.visit(term) for term in node.terms]
        joiner = f" {node.op.value.upper()} "
        return joiner.join(f"({sql})" for sql, _ in parts), [p for _, ps in parts for p in ps]

    def visit_value_path(self, node: ValuePath) -> Sql:
        if self.inside_emails or _target(node.attr_path) != "emails":
            raise ScimError(400, "invalidFilter", _SEARCH_BY_EMAIL.format(attr=str(node)))
        inner = _UserSql(self.account_id, True, self.literals).visit(node.val_filter)
        return self._with_email(inner)


def _is_core(path: AttrPath) -> bool:
    return path.uri is None or path.uri.lower() == CORE_USER.lower()


def _searchable_only(node: Any, inside_emails: bool = False) -> bool:
    """Whether a filter compares only userName and emails (value, type)."""
    if isinstance(node, Comparison):
        path = node.attr_path
        if inside_emails:
            return path.sub_attr is None and path.attr.lower() in ("value", "type")
        name, sub = path.attr.lower(), (path.sub_attr or "").lower()
        return _is_core(path) and (
            (name == "username" and not sub) or (name == "emails" and sub in ("", "value", "type"))
        )
    if isinstance(node, LogicalExpr):
        return all(_searchable_only(term, inside_emails) for term in node.terms)
    if isinstance(node, Not):
        return _searchable_only(node.expr, inside_emails)
    if isinstance(node, ValuePath):
        path = node.attr_path
        return (
            not inside_emails
            and _is_core(path)
            and path.attr.lower() == "emails"
            and path.sub_attr is None
            and _searchable_only(node.val_filter, inside_emails=True)
        )
    return False


def _email_values(node: Any, inside_emails: bool = False) -> Iterator[Comparison]:
    """The comparisons of a searchable filter whose operand scim2-models checks to be an
    email address: on an email's value, with an operator other than co, sw and ew (a
    fragment of an address is a legitimate operand of those)."""
    if isinstance(node, Comparison):
        path = node.attr_path
        field = path.attr if inside_emails else (path.sub_attr or "value")
        on_email = inside_emails or path.attr.lower() == "emails"
        if on_email and field.lower() == "value" and node.op not in _FRAGMENT_OPERATORS:
            yield node
    elif isinstance(node, LogicalExpr):
        for term in node.terms:
            yield from _email_values(term, inside_emails)
    elif isinstance(node, Not):
        yield from _email_values(node.expr, inside_emails)
    elif isinstance(node, ValuePath):
        yield from _email_values(node.val_filter, inside_emails=True)


# A string literal without escapes (the template below leaves filters with escapes alone),
# and what stands in for the n-th one in a filter's shape: an address, so that a shape
# comparing emails passes the check an email operand gets.
_PLAIN_STRING = re.compile(r'"[^"\\]*"')
_STAND_IN = "literal{}@shape.example"
_STAND_IN_FORM = re.compile(r"literal(\d+)@shape\.example")
_FRAGMENT_OPERATORS = frozenset({CompareOperator.co, CompareOperator.sw, CompareOperator.ew})
# What an email's value must be, as scim2-models declares it (it checks an operand with it).
_EMAIL_VALUE = TypeAdapter(Email.model_fields["value"].annotation)


def _position(stand_in: str) -> int:
    matched = _STAND_IN_FORM.fullmatch(stand_in)
    if matched is None:  # the parse changed a literal: leave the filter to the full parse
        raise ValueError(stand_in)
    return int(matched.group(1))


@lru_cache(maxsize=256)
def _searchable_shape(shape: str) -> tuple[Any, tuple[int, ...]] | None:
    """The AST of a filter shape that compares userName and emails alone, with the positions
    of the literals that must be email addresses; ``None`` for any other shape. Cached here
    as well: scim2-models caches the parse but checks the filter against the schema each
    time, which for an email operand costs milliseconds."""
    try:
        parsed = ScimFilter[WrikeUser](shape)
        if not _searchable_only(parsed.ast):
            return None
        addresses = tuple(
            _position(c.value) for c in _email_values(parsed.ast) if isinstance(c.value, str)
        )
    except (InvalidFilterException, ValueError, TypeError, RecursionError):
        return None
    return parsed.ast, addresses


def _shaped_filter(text: str, account_id: int) -> Sql | None:
    """The lookups identity providers send before each provisioning (``userName eq
    "<address>"``, ``emails[type eq "work"].value eq "<address>"``) differ only in their
    string literals. scim2-models caches parses by text, so each new address costs a full
    parse; parsing the filter's shape instead, with each literal replaced by a stand-in
    that names its position, hits that cache. Used only for filters comparing userName and
    emails alone; an email operand is checked as scim2-models checks it, and one it would
    refuse returns ``None``, as does anything else, to take the full parse and its error."""
    if "\\" in text:
        return None
    literals: list[str] = []

    def position(match: re.Match[str]) -> str:
        literals.append(match.group(0)[1:-1])
        return f'"{_STAND_IN.format(len(literals) - 1)}"'

    shape = _PLAIN_STRING.sub(position, text)
    found = _searchable_shape(shape) if literals else None
    if found is None:
        return None
    ast, addresses = found
    try:
        for index in addresses:
            _EMAIL_VALUE.validate_python(literals[index])
        return _UserSql(account_id, literals=literals).visit(ast)
    except (ValueError, ScimError, RecursionError):  # pydantic's ValidationError is a ValueError
        return None


def filter_to_sql(text: str, account_id: int) -> Sql:
    """Translate a filter on the users of one account to a SQL condition over ``users u``
    and its parameters."""
    if len(text) > 4096:
        raise ScimError(400, "invalidFilter", "The filter is longer than 4096 characters")
    shaped = _shaped_filter(text, account_id)
    if shaped is not None:
        return shaped
    try:
        parsed = ScimFilter[WrikeUser](text)
    except InvalidFilterException as error:
        raise ScimError(400, "invalidFilter", f"Invalid filter {text!r}: {error}") from error
    except (ValueError, TypeError, RecursionError) as error:
        raise ScimError(400, "invalidFilter", f"Invalid filter {text!r}: {error}") from error
    try:
        return _UserSql(account_id).visit(parsed.ast)
    except RecursionError as error:
        raise ScimError(400, "invalidFilter", "The filter is nested too deeply") from error

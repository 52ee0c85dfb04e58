"""SCIM filters (RFC 7644 §3.4.2.2) translated to SQL over indexed columns.

scim2-models parses the filter into its AST; this module only walks that tree. Wrike
documents that "search is supported only by email address", so only userName and
emails (value, type) can be searched; any other attribute is refused with invalidFilter.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from scim2_models import InvalidFilterException, ScimFilter
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
                attr_path=node.attr_path, op=node.op, value=self.literals[int(node.value)]
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


# A string literal without escapes (the template below leaves filters with escapes alone).
_PLAIN_STRING = re.compile(r'"[^"\\]*"')


def _compares_user_name_only(node: Any) -> bool:
    if isinstance(node, Comparison):
        path = node.attr_path
        return (
            (path.uri is None or path.uri.lower() == CORE_USER.lower())
            and path.attr.lower() == "username"
            and path.sub_attr is None
        )
    if isinstance(node, LogicalExpr):
        return all(_compares_user_name_only(term) for term in node.terms)
    if isinstance(node, Not):
        return _compares_user_name_only(node.expr)
    return False


@lru_cache(maxsize=256)
def _user_name_shape(shape: str) -> Any:
    """The AST of a filter shape that compares userName alone, else ``None``. Cached here as
    well: scim2-models caches the parse but checks the filter against the schema each time."""
    try:
        parsed = ScimFilter[WrikeUser](shape)
    except (InvalidFilterException, ValueError, TypeError, RecursionError):
        return None
    return parsed.ast if _compares_user_name_only(parsed.ast) else None


def _user_name_filter(text: str, account_id: int) -> Sql | None:
    """The lookups identity providers send before each provisioning (``userName eq
    "<address>"``) differ only in their string literals. scim2-models caches parses by text,
    so each new address costs a full parse; parsing the filter's shape instead, with the
    literals replaced by their positions, hits that cache. Used only for filters comparing
    userName alone, a string the grammar does not check further (it checks an emails.value
    literal to be an address), so the translation is the one the full parse gives; anything
    else returns ``None``."""
    if "\\" in text:
        return None
    literals: list[str] = []

    def position(match: re.Match[str]) -> str:
        literals.append(match.group(0)[1:-1])
        return f'"{len(literals) - 1}"'

    shape = _PLAIN_STRING.sub(position, text)
    ast = _user_name_shape(shape) if literals else None
    if ast is None:
        return None
    try:
        return _UserSql(account_id, literals=literals).visit(ast)
    except (ScimError, RecursionError):
        return None


def filter_to_sql(text: str, account_id: int) -> Sql:
    """Translate a filter on the users of one account to a SQL condition over ``users u``
    and its parameters."""
    if len(text) > 4096:
        raise ScimError(400, "invalidFilter", "The filter is longer than 4096 characters")
    by_user_name = _user_name_filter(text, account_id)
    if by_user_name is not None:
        return by_user_name
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

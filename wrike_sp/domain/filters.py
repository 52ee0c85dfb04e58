"""SCIM filters (RFC 7644 §3.4.2.2) on the members of an account, as a search tree.

scim2-models parses the filter into its AST; this module only walks that tree into a
:class:`~wrike_sp.domain.search.UserSearch` the store runs. Wrike documents that "search is
supported only by email address", so only userName and emails (value, type) can be searched;
any other attribute is refused with invalidFilter.

Imported where a request first searches (``ScimUsers.search``), not at start-up: it builds on
scim2-models (see :mod:`wrike_sp.domain.user_model`).
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
    LogicalOperator,
    ValuePath,
)
from scim2_models.path import Not as FilterNot
from scim2_models.path import Present as FilterPresent

from wrike_sp.domain.errors import ScimError
from wrike_sp.domain.schema import CORE_USER
from wrike_sp.domain.search import (
    And,
    AnyEmail,
    Attribute,
    Compare,
    Condition,
    Not,
    Operand,
    Operator,
    Or,
    Present,
    UserSearch,
)
from wrike_sp.domain.user_model import WrikeUser
from wrike_sp.domain.users import key

_SEARCH_BY_EMAIL = (
    "Wrike supports search by email address only: filter on userName or emails "
    "(e.g. userName eq \"ada@example.com\"); '{attr}' cannot be searched."
)
_OPERATORS = {op.value: Operator(op.value) for op in CompareOperator}


def _email_attribute(sub_attr: str | None, attr_name: str) -> Attribute:
    sub = (sub_attr or "value").lower()
    if sub == "value":
        return Attribute.EMAIL_VALUE
    if sub == "type":
        return Attribute.EMAIL_TYPE
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


class _Conditions(FilterVisitor[Condition]):
    """The search tree of a filter. Each string operand is numbered: in the order met when
    ``operands`` collects their comparison forms, or, for a filter's shape (``operands`` is
    ``None``), by the position its stand-in names (see :func:`_shaped_search`)."""

    def __init__(self, operands: list[str] | None, inside_emails: bool = False) -> None:
        self.operands = operands
        self.inside_emails = inside_emails

    def _compare(self, attribute: Attribute, op: CompareOperator, value: Any) -> Compare:
        if value is None:
            if op in (CompareOperator.eq, CompareOperator.ne):
                return Compare(attribute, _OPERATORS[op.value], None)
            raise ScimError(400, "invalidFilter", f"Operator '{op.value}' cannot compare with null")
        if not isinstance(value, str):
            raise ScimError(400, "invalidFilter", f"Email searches compare strings, got {value!r}")
        if self.operands is None:
            return Compare(attribute, _OPERATORS[op.value], Operand(_position(value)))
        self.operands.append(key(value))
        return Compare(attribute, _OPERATORS[op.value], Operand(len(self.operands) - 1))

    def visit_comparison(self, node: Comparison) -> Condition:
        path = node.attr_path
        if self.inside_emails:
            return self._compare(_email_attribute(path.attr, "emails"), node.op, node.value)
        if _target(path) == "userName":
            return self._compare(Attribute.USER_NAME, node.op, node.value)
        attribute = _email_attribute(path.sub_attr, path.attr)
        if node.op == CompareOperator.ne and node.value is not None:
            # On a multi-valued attribute "ne" means that no value equals the operand; an
            # unassigned value is unequal to every operand, as scim2-models evaluates it.
            return Not(AnyEmail(self._compare(attribute, CompareOperator.eq, node.value)))
        return AnyEmail(self._compare(attribute, node.op, node.value))

    def visit_present(self, node: FilterPresent) -> Condition:
        path = node.attr_path
        if self.inside_emails:
            return Present(_email_attribute(path.attr, "emails"))
        if _target(path) == "userName":
            return Present(Attribute.USER_NAME)
        return AnyEmail(Present(_email_attribute(path.sub_attr, path.attr)))

    def visit_not(self, node: FilterNot) -> Condition:
        return Not(self.visit(node.expr))

    def visit_logical_expr(self, node: LogicalExpr) -> Condition:
        terms = tuple(self.visit(term) for term in node.terms)
        return And(terms) if node.op == LogicalOperator.and_ else Or(terms)

    def visit_value_path(self, node: ValuePath) -> Condition:
        if self.inside_emails or _target(node.attr_path) != "emails":
            raise ScimError(400, "invalidFilter", _SEARCH_BY_EMAIL.format(attr=str(node)))
        return AnyEmail(_Conditions(self.operands, inside_emails=True).visit(node.val_filter))


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
    if isinstance(node, FilterNot):
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
    elif isinstance(node, FilterNot):
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
_EMAIL_ANNOTATION = Email.model_fields["value"].annotation
assert _EMAIL_ANNOTATION is not None
_EMAIL_VALUE: TypeAdapter[Any] = TypeAdapter(_EMAIL_ANNOTATION)


def _position(stand_in: str) -> int:
    matched = _STAND_IN_FORM.fullmatch(stand_in)
    if matched is None:  # the parse changed a literal: leave the filter to the full parse
        raise ValueError(stand_in)
    return int(matched.group(1))


@lru_cache(maxsize=256)
def _searchable_shape(shape: str) -> tuple[Condition, tuple[int, ...]] | None:
    """The search tree of a filter shape that compares userName and emails alone, with the
    positions of the literals that must be email addresses; ``None`` for any other shape.
    Cached here as well: scim2-models caches the parse but checks the filter against the
    schema each time, which for an email operand costs milliseconds."""
    try:
        parsed = ScimFilter[WrikeUser](shape)
        if not _searchable_only(parsed.ast):
            return None
        addresses = tuple(
            _position(c.value) for c in _email_values(parsed.ast) if isinstance(c.value, str)
        )
        condition = _Conditions(None).visit(parsed.ast)
    except (InvalidFilterException, ValueError, TypeError, ScimError, RecursionError):
        return None
    return condition, addresses


def _shaped_search(text: str) -> UserSearch | None:
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
    condition, addresses = found
    try:
        for index in addresses:
            _EMAIL_VALUE.validate_python(literals[index])
    except ValueError:  # pydantic's ValidationError is a ValueError
        return None
    return UserSearch(condition, tuple(key(literal) for literal in literals))


def parse_filter(text: str) -> UserSearch:
    """The search a filter on the members of one account asks for, or the SCIM error
    (invalidFilter) that refuses it."""
    if len(text) > 4096:
        raise ScimError(400, "invalidFilter", "The filter is longer than 4096 characters")
    shaped = _shaped_search(text)
    if shaped is not None:
        return shaped
    try:
        parsed = ScimFilter[WrikeUser](text)
    except InvalidFilterException as error:
        raise ScimError(400, "invalidFilter", f"Invalid filter {text!r}: {error}") from error
    except (ValueError, TypeError, RecursionError) as error:
        raise ScimError(400, "invalidFilter", f"Invalid filter {text!r}: {error}") from error
    operands: list[str] = []
    try:
        condition = _Conditions(operands).visit(parsed.ast)
    except RecursionError as error:
        raise ScimError(400, "invalidFilter", "The filter is nested too deeply") from error
    return UserSearch(condition, tuple(operands))

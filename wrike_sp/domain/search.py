"""A search over the members of one account, as the domain hands it to the store.

The filter rule (:mod:`wrike_sp.domain.filters`) decides what may be searched and what a
condition means; the store decides how to find the members it selects. The tree carries no
values: each operand is a numbered :class:`Operand`, and :class:`UserSearch` carries the
operands' values beside it. Filters that differ only in their values (the lookup by address
an identity provider sends before each provisioning) so share one tree, and the store can
keep whatever it derives from a tree (its query text) for the next one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Attribute(Enum):
    """What a condition compares. The email attributes are those of one address in emails."""

    USER_NAME = "userName"
    EMAIL_VALUE = "emails.value"
    EMAIL_TYPE = "emails.type"


class Operator(Enum):
    """RFC 7644 §3.4.2.2's comparison operators."""

    EQ = "eq"
    NE = "ne"
    CO = "co"
    SW = "sw"
    EW = "ew"
    GT = "gt"
    GE = "ge"
    LT = "lt"
    LE = "le"


@dataclass(frozen=True)
class Operand:
    """The ``index``-th value of the search (:attr:`UserSearch.operands`)."""

    index: int


@dataclass(frozen=True)
class Compare:
    """``attribute op operand``, with the operand in its comparison form (case-folded). A
    ``None`` operand is the filter's ``null``: ``eq`` means the attribute is unassigned (or
    empty), ``ne`` that it holds a value; no other operator compares with null."""

    attribute: Attribute
    op: Operator
    operand: Operand | None


@dataclass(frozen=True)
class Present:
    """The attribute holds a value that is not empty."""

    attribute: Attribute


@dataclass(frozen=True)
class And:
    terms: tuple[Condition, ...]


@dataclass(frozen=True)
class Or:
    terms: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    term: Condition


@dataclass(frozen=True)
class AnyEmail:
    """The member has at least one address in emails that meets ``condition``, a condition
    over that one address (its email attributes, combined with And, Or and Not)."""

    condition: Condition


Condition = Compare | Present | And | Or | Not | AnyEmail


@dataclass(frozen=True)
class UserSearch:
    """The members of an account that meet ``condition``, given the operands' values."""

    condition: Condition
    operands: tuple[str, ...]

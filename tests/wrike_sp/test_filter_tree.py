"""The filter rule as the domain states it: the search tree a filter becomes, before any
store sees it."""

from __future__ import annotations

import pytest

from wrike_sp.domain.errors import ScimError
from wrike_sp.domain.filters import parse_filter
from wrike_sp.domain.search import (
    And,
    AnyEmail,
    Attribute,
    Compare,
    Not,
    Operand,
    Operator,
    Present,
    UserSearch,
)


def test_lookups_that_differ_only_in_the_address_share_one_tree():
    first = parse_filter('userName eq "Ada@Acme.example"')
    second = parse_filter('userName eq "bob@acme.example"')
    assert first.condition is second.condition
    assert first == UserSearch(
        Compare(Attribute.USER_NAME, Operator.EQ, Operand(0)), ("ada@acme.example",)
    )
    assert second.operands == ("bob@acme.example",)


def test_ne_on_emails_means_that_no_address_equals_the_operand():
    assert parse_filter('emails.value ne "a@acme.example"').condition == Not(
        AnyEmail(Compare(Attribute.EMAIL_VALUE, Operator.EQ, Operand(0)))
    )
    assert parse_filter("emails.value ne null").condition == AnyEmail(
        Compare(Attribute.EMAIL_VALUE, Operator.NE, None)
    )


def test_a_value_path_is_one_address_meeting_every_condition():
    search = parse_filter('emails[type eq "Work" and not (value pr)]')
    assert search == UserSearch(
        AnyEmail(
            And(
                (
                    Compare(Attribute.EMAIL_TYPE, Operator.EQ, Operand(0)),
                    Not(Present(Attribute.EMAIL_VALUE)),
                )
            )
        ),
        ("work",),
    )


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ('displayName eq "Ada"', "search by email address only"),
        ('emails.display eq "Ada"', "'emails.display' cannot be searched"),
        ("userName gt null", "Operator 'gt' cannot compare with null"),
        ("userName eq 5", "value 5 is not valid"),
    ],
)
def test_what_cannot_be_searched_is_refused_saying_why(text, detail):
    with pytest.raises(ScimError) as refused:
        parse_filter(text)
    assert (refused.value.status, refused.value.scim_type) == (400, "invalidFilter")
    assert detail in refused.value.detail

"""The suite's ``--domain`` substitution and ``--profile`` skip reasons (harness/bdd/plugin.py,
features/STEPS.md "The users' domain", features/TAGS.md)."""

from __future__ import annotations

import pytest

from harness.bdd.plugin import WRIKE_RULE_PREFIX, at_domain, tags


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("ada@acme.com", "ada@acme.example"),
        ("ADA@ACME.COM", "ADA@acme.example"),
        ("ada.lovelace@acme.com", "ada.lovelace@acme.example"),
        ("acme.com", "acme.example"),  # "acme.com" is an approved domain in Wrike
        ("bob@acme.io", "bob@acme.io"),
        ("eve@example.org", "eve@example.org"),
        ("ada@acme.community", "ada@acme.community"),
        ("ada@acme.com.evil.example", "ada@acme.com.evil.example"),
        ("Lead Engineer", "Lead Engineer"),
    ],
)
def test_a_step_reads_the_suites_users_at_the_chosen_domain(written: str, read: str) -> None:
    assert at_domain(written, "acme.example") == read


def test_a_datatable_is_rewritten_cell_by_cell() -> None:
    table = [["attribute", "value"], ["Username", "ada@acme.com"], ["Job title", "Engineer"]]
    assert at_domain(table, "acme.example") == [
        ["attribute", "value"],
        ["Username", "ada@acme.example"],
        ["Job title", "Engineer"],
    ]


def test_the_default_domain_changes_nothing() -> None:
    table = [["email"], ["ada@acme.com"]]
    assert at_domain(table, "acme.com") is table


def test_each_wrike_rule_tag_says_what_wrike_does_and_why_an_rfc_provider_may_differ() -> None:
    rules = {
        name: meaning for name, meaning in tags().items() if name.startswith(WRIKE_RULE_PREFIX)
    }
    assert {"wrike_user_types", "wrike_approved_domains", "wrike_attributes_stay"} <= set(rules)
    for name, meaning in rules.items():
        assert "Wrike" in meaning and "RFC" in meaning, f"@{name}: {meaning}"

"""The rules for a member provisioned over SCIM (``wrike_sp.domain.users``), tested directly:
what an identity provider's administrator sees refused or kept, without a server."""

from __future__ import annotations

import unicodedata

import pytest

from wrike_sp.domain import modelling
from wrike_sp.domain.errors import ScimError
from wrike_sp.domain.schema import ENTERPRISE_USER
from wrike_sp.domain.users import (
    canonical_user_type,
    check_admin_rule,
    check_approved_domain,
    check_owner_stays,
    derive_login,
    domain_of,
    email_index,
    finish_document,
    is_email,
    key,
    merge_for_update,
    merge_multi,
)


def _refusal(call, *args, **kwargs) -> ScimError:
    with pytest.raises(ScimError) as raised:
        call(*args, **kwargs)
    return raised.value


# -- comparison form, addresses, domains ----------------------------------------------------


def test_case_and_unicode_normalisation_do_not_make_two_names():
    composed, decomposed = "Zoë@Acme.example", unicodedata.normalize("NFD", "zoë@acme.example")
    assert composed != decomposed
    assert key(composed) == key(decomposed) == "zoë@acme.example"


@pytest.mark.parametrize("text", ["ada@acme.example", "a.b+c@mail.acme.example"])
def test_an_address_is_an_email(text):
    assert is_email(text)


@pytest.mark.parametrize(
    "text",
    ["ada", "ada@", "@acme.example", "ada@acme", "ada lovelace@acme.example", "ada@-acme.example"],
)
def test_what_is_not_an_address_is_not_an_email(text):
    assert not is_email(text)


def test_an_address_longer_than_254_characters_is_not_an_email():
    local = "a" * 60
    long_domain = ".".join(["b" * 60] * 4) + ".example"
    assert len(f"{local}@{long_domain}") > 254
    assert not is_email(f"{local}@{long_domain}")
    assert is_email(f"{local}@{'b' * 60}.example")


def test_the_domain_of_an_address_is_compared_in_lower_case():
    assert domain_of("Ada@Mail.ACME.example") == "mail.acme.example"


# -- the login ------------------------------------------------------------------------------


def test_the_login_is_user_name_when_it_is_an_address():
    doc = {"userName": "ada@acme.example", "emails": [{"value": "x@acme.example"}]}
    assert derive_login(doc) == "ada@acme.example"


def test_without_an_address_as_user_name_the_primary_email_is_the_login():
    doc = {
        "userName": "ada",
        "emails": [
            {"value": "first@acme.example"},
            {"value": "work@acme.example", "type": "work"},
            {"value": "primary@acme.example", "primary": True},
        ],
    }
    assert derive_login(doc) == "primary@acme.example"


def test_without_a_primary_email_a_work_email_is_the_login():
    doc = {
        "userName": "ada",
        "emails": [
            {"value": "home@acme.example", "type": "home"},
            {"value": "w@acme.example", "type": "work"},
        ],
    }
    assert derive_login(doc) == "w@acme.example"


def test_otherwise_the_first_valid_email_is_the_login():
    doc = {"userName": "ada", "emails": [{"value": "not an address"}, {"value": "b@acme.example"}]}
    assert derive_login(doc) == "b@acme.example"


def test_a_member_without_any_address_is_refused_with_what_to_map():
    error = _refusal(derive_login, {"userName": "ada", "emails": [{"value": "nope"}]})
    assert (error.status, error.scim_type) == (400, "invalidValue")
    assert "'ada' is not an email address" in error.detail
    assert "Map userName (or the primary email)" in error.detail


# -- approved domains -----------------------------------------------------------------------


def test_an_address_at_an_approved_domain_is_admitted():
    check_approved_domain("Ada@ACME.example", ["acme.example"])


def test_an_address_elsewhere_is_refused_naming_the_domain_and_the_fix():
    error = _refusal(check_approved_domain, "ada@other.example", ["acme.example", "b.example"])
    assert (error.status, error.scim_type) == (modelling.STATUS_UNAPPROVED_DOMAIN, "invalidValue")
    assert "'other.example' of 'ada@other.example' is not an approved domain" in error.detail
    assert "(approved: acme.example, b.example)" in error.detail
    assert "Add 'other.example' to the approved domains" in error.detail


def test_a_subdomain_of_an_approved_domain_is_not_approved():
    _refusal(check_approved_domain, "ada@mail.acme.example", ["acme.example"])


@pytest.mark.parametrize("allow_all", [False, True])
def test_with_no_approved_domain_the_switch_decides(monkeypatch, allow_all):
    monkeypatch.setattr(modelling, "EMPTY_APPROVED_DOMAINS_ALLOW_ALL", allow_all)
    if allow_all:
        check_approved_domain("ada@anywhere.example", [])
    else:
        error = _refusal(check_approved_domain, "ada@anywhere.example", [])
        assert "(approved: none yet)" in error.detail
    # An account that lists domains keeps to them either way.
    _refusal(check_approved_domain, "ada@anywhere.example", ["acme.example"])


# -- user types -----------------------------------------------------------------------------


def test_an_absent_user_type_is_regular():
    assert canonical_user_type(None) == "Regular"


@pytest.mark.parametrize("given", ["viewer", "VIEWER", "Viewer"])
def test_user_types_match_whatever_their_case(given):
    assert canonical_user_type(given) == "Viewer"


@pytest.mark.parametrize("given", ["Guest", "", 3, True])
def test_an_unknown_user_type_is_refused_listing_the_known_ones(given):
    error = _refusal(canonical_user_type, given)
    assert (error.status, error.scim_type) == (400, "invalidValue")
    assert f"'{given}' is not a Wrike user type" in error.detail
    assert "Regular, External, Collaborator, Contributor, Viewer" in error.detail


# -- what stays when an update omits it -----------------------------------------------------


def test_an_entry_replaces_the_entry_of_its_type_and_the_others_stay():
    existing = [
        {"value": "w@acme.example", "type": "work", "primary": True},
        {"value": "h@acme.example", "type": "home"},
    ]
    merged = merge_multi(existing, [{"value": "w2@acme.example", "type": "work"}])
    assert merged == [
        {"value": "w2@acme.example", "type": "work"},
        {"value": "h@acme.example", "type": "home"},
    ]


def test_an_untyped_entry_replaces_the_same_address_whatever_its_case():
    existing = [{"value": "Ada@acme.example"}, {"value": "b@acme.example"}]
    merged = merge_multi(existing, [{"value": "ada@ACME.example", "display": "Ada"}])
    assert merged == [{"value": "ada@ACME.example", "display": "Ada"}, {"value": "b@acme.example"}]


def test_a_new_entry_is_added_and_a_new_primary_demotes_the_old_one():
    existing = [{"value": "w@acme.example", "type": "work", "primary": True}]
    merged = merge_multi(existing, [{"value": "h@acme.example", "type": "home", "primary": True}])
    assert merged == [
        {"value": "w@acme.example", "type": "work"},
        {"value": "h@acme.example", "type": "home", "primary": True},
    ]
    assert existing[0]["primary"] is True, "the stored entry is not changed in place"


def test_attributes_an_update_omits_keep_their_wrike_values():
    existing = {
        "userName": "ada@acme.example",
        "title": "Engineer",
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [
            {"value": "ada@acme.example", "type": "work"},
            {"value": "ada@home.example", "type": "home"},
        ],
        ENTERPRISE_USER: {"department": "R&D", "manager": {"value": "m1", "displayName": "M"}},
    }
    incoming = {
        "userName": "ada@acme.example",
        "name": {"familyName": "King"},
        "emails": [{"value": "ada.k@acme.example", "type": "work"}],
        ENTERPRISE_USER: {"manager": {"value": "m2"}},
    }
    merged = merge_for_update(existing, incoming)
    assert merged["title"] == "Engineer"
    assert merged["name"] == {"givenName": "Ada", "familyName": "King"}
    assert merged["emails"] == [
        {"value": "ada.k@acme.example", "type": "work"},
        {"value": "ada@home.example", "type": "home"},
    ]
    assert merged[ENTERPRISE_USER] == {
        "department": "R&D",
        "manager": {"value": "m2", "displayName": "M"},
    }
    assert existing["name"] == {"givenName": "Ada", "familyName": "Lovelace"}, "not in place"


def test_an_explicit_null_clears_an_attribute_and_an_enterprise_one():
    existing = {"userName": "a@acme.example", "title": "T", ENTERPRISE_USER: {"department": "D"}}
    merged = merge_for_update(existing, {"title": None, ENTERPRISE_USER: {"department": None}})
    assert "title" not in merged
    assert merged[ENTERPRISE_USER] == {}


# -- the finished document ------------------------------------------------------------------


def test_a_created_member_is_regular_and_active_unless_told_otherwise():
    assert finish_document({"userName": "a@acme.example"}, creating=True) == {
        "userName": "a@acme.example",
        "userType": "Regular",
        "active": True,
    }
    given = {"userName": "a@acme.example", "userType": "viewer", "active": False}
    assert finish_document(given, creating=True) == {**given, "userType": "Viewer"}


def test_an_update_leaves_an_unassigned_user_type_and_status_unassigned():
    assert finish_document({"userName": "a@acme.example"}) == {"userName": "a@acme.example"}


def test_no_password_and_no_empty_value_is_kept():
    doc = {
        "userName": "a@acme.example",
        "password": "secret-password",
        "title": None,
        "emails": [],
        "name": {"givenName": "Ada", "familyName": None},
        "addresses": {},
    }
    assert finish_document(doc) == {"userName": "a@acme.example", "name": {"givenName": "Ada"}}


def test_a_member_without_user_name_is_refused():
    error = _refusal(finish_document, {"title": "T"}, creating=True)
    assert (error.status, error.scim_type) == (400, "invalidValue")
    assert "userName is required" in error.detail


def test_every_address_in_emails_is_searchable():
    doc = {
        "emails": [
            {"value": "a@acme.example", "type": "work"},
            {"value": "b@x.example"},
            {"value": 7, "type": "home"},
            {},
        ]
    }
    assert email_index(doc) == [("a@acme.example", "work"), ("b@x.example", None)]
    assert email_index({"userName": "a"}) == []


# -- admins and the owner -------------------------------------------------------------------


def test_changing_an_admin_needs_an_issuer_with_the_grant_admin_right():
    error = _refusal(check_admin_rule, True, False, "boss@acme.example")
    assert (error.status, error.scim_type) == (modelling.STATUS_ADMIN_RIGHT_MISSING, None)
    assert "admin who issued the API token (boss@acme.example)" in error.detail
    assert "'Grant/revoke admin rights'" in error.detail
    check_admin_rule(True, True, "boss@acme.example")
    check_admin_rule(False, False, "boss@acme.example")


def test_the_owner_cannot_be_removed_but_may_be_changed():
    error = _refusal(check_owner_stays, "owner", removing=True)
    assert error.status == modelling.STATUS_ADMIN_RIGHT_MISSING
    assert "Transfer ownership in Wrike first" in error.detail
    check_owner_stays("owner", removing=False)
    check_owner_stays("admin", removing=True)

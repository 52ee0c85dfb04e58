"""scim2-tester (python-scim) run in-process against the provider, through scim2-client's WSGI
engine, on the demo account's SCIM URL with its token.

Wrike provisions only users whose login email is at an approved domain, while scim2-tester
fills attributes with UUIDs. The client is therefore given models whose User declares example
values at the demo account's approved domain for ``userName`` and ``emails.value`` (the tool
prefers declared examples when it generates values); everything else is left to the tool.

Every check must be SUCCESS, or one of the outcomes listed below with the reason it is
expected. The list is exact both ways: a new failure fails the test, and so does an expected
outcome that stops happening (remove it from the list then).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Annotated

import pytest
from flask import Flask
from pydantic import Field
from scim2_client.engines.wsgi import WSGISCIMClient
from scim2_models import (
    Email,
    EnterpriseUser,
    Required,
    ResourceType,
    ScimProvider,
    Uniqueness,
    User,
)
from scim2_tester import CheckConfig, CheckResult, Status, check_server
from scim2_tester.checkers.schemas import core_schemas_validation
from scim2_tester.utils import CheckContext

from wrike_sp.demo import DemoAccount
from wrike_sp.domain.modelling import USER_TYPES

# A large pool: the tool draws examples at random and keeps several users alive at once, so
# a small pool would make it create the same login twice (409) by chance.
APPROVED_EMAILS = [f"member{n:05d}@acme.example" for n in range(20_000)]


class ApprovedEmail(Email):
    value: str | None = Field(None, examples=APPROVED_EMAILS)


class ApprovedUser(User):
    """The core User as the demo account accepts it: logins at its approved domain."""

    user_name: Annotated[str | None, Uniqueness.server, Required.true] = Field(
        None, examples=APPROVED_EMAILS
    )
    user_type: str | None = Field(None, examples=list(USER_TYPES))
    emails: list[ApprovedEmail] | None = None


# Outcomes other than SUCCESS that are expected, keyed by (check title, attribute path or
# None), with why.
EXPECTED_SKIPS: dict[tuple[str, str | None], str] = {
    ("search_with_attributes", None): (
        "Root POST /.search (searching several resource types at once) answers 501: Wrike "
        "serves only Users, and RFC 7644 §3.4.3 lets a provider decline the root search."
    ),
}


def _key(result: CheckResult) -> tuple[str, str | None]:
    urn = result.data.get("urn") if isinstance(result.data, dict) else None
    return result.title or "?", urn


def _describe(result: CheckResult) -> str:
    title, urn = _key(result)
    where = f"{title}[{urn}]" if urn else title
    return f"{result.status.name:8} {result.resource_type or '-':5} {where}: {result.reason}"


@pytest.fixture
def seeded_random() -> Iterator[None]:
    """scim2-tester draws from the global generator; seed it so every run sends the same
    example values, and give the state back afterwards."""
    state = random.getstate()
    random.seed(20_260_101)
    yield
    random.setstate(state)


@pytest.fixture
def results(app: Flask, demo: DemoAccount, seeded_random: None) -> list[CheckResult]:
    client = WSGISCIMClient(
        app,
        base_url=f"http://localhost{demo.scim_path}",
        headers={"Authorization": f"Bearer {demo.token}"},
        provider=ScimProvider(
            models=[ApprovedUser, EnterpriseUser],
            resource_types=[ResourceType.from_resource(ApprovedUser[EnterpriseUser])],
        ),
    )
    results = check_server(client)
    # Not called by check_server in 0.5.2; run it too (the meta-schemas must be published).
    results += core_schemas_validation(CheckContext(client, CheckConfig()))
    return results


def test_every_scim2_tester_check_passes_or_is_skipped_for_a_stated_reason(
    results: list[CheckResult],
) -> None:
    unexpected = []
    seen: set[tuple[str, str | None]] = set()
    for result in results:
        key = _key(result)
        if result.status == Status.SUCCESS:
            continue
        if result.status == Status.SKIPPED and key in EXPECTED_SKIPS:
            seen.add(key)
            continue
        unexpected.append(_describe(result))
    missing = sorted(set(EXPECTED_SKIPS) - seen, key=str)
    message = [f"{len(results)} checks run"]
    if unexpected:
        message += ["checks that failed:", *unexpected]
    if missing:
        message += ["expected outcomes that did not happen (update the lists):", *map(str, missing)]
    assert not unexpected and not missing, "\n".join(message)


def test_scim2_tester_covered_the_user_resource_at_the_approved_domain(
    app: Flask, demo: DemoAccount, results: list[CheckResult]
) -> None:
    """Guards against a run that passes because it checked little: discovery, CRUD and all
    three PATCH operations ran on Users, the main attributes were patched, and the example
    pools did their job (every provisioning the billing ledger recorded is at the approved
    domain; the tool deleted its users afterwards)."""
    passed = {r.title for r in results if r.status == Status.SUCCESS}
    for title in (
        "service_provider_config_endpoint",
        "query_all_resource_types",
        "query_all_schemas",
        "core_schemas_validation",
        "random_url",
        "object_creation",
        "object_query",
        "object_query_without_id",
        "object_query_with_attributes",
        "object_list_with_attributes",
        "object_replacement",
        "object_deletion",
        "check_add_attribute",
        "check_remove_attribute",
        "check_replace_attribute",
    ):
        assert title in passed, f"{title} did not succeed"
    patched = {_key(r)[1] for r in results if r.title == "check_replace_attribute" and _key(r)[1]}
    for attribute in ("userName", "emails", "userType", "active", "externalId", "title"):
        assert attribute in patched, f"PATCH replace was not exercised on {attribute}"
    assert any(urn.startswith(str(EnterpriseUser.__schema__)) for urn in patched)
    ledger = app.extensions["wrike"].store.ledger(demo.account_id)
    provisioned = [e["login"] for e in ledger if e["event"] == "provisioned"]
    assert len(provisioned) >= 5
    assert all(login.endswith("@acme.example") for login in provisioned), provisioned

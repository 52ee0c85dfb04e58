"""The BDD suite's pytest plugin: the step modules and the world fixture, the target options,
the BDD tags as markers, the skip of @reference_only scenarios against an external endpoint
and of the scenarios needing a rule only Wrike has (``@wrike_*``) under ``--profile rfc``,
the domain of the suite's users (``--domain``), and (harness.bdd.reporting) what a failed
scenario's report carries.

A checkout loads it from the top-level conftest.py; ``harness check`` with ``-p
harness.bdd.plugin`` (in check.ini), so an installed wheel runs the suite without the
repository.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from harness.bdd import FEATURE_DOMAIN, FEATURES, PROFILES, domain_problem

pytest_plugins = [
    "harness.bdd.world",
    "harness.bdd.given",
    "harness.bdd.when",
    "harness.bdd.then",
    "harness.bdd.reporting",
]

REFERENCE_ONLY_REASON = (
    "@reference_only: needs the reference Wrike provider's internals (plan, approved domains, "
    "members, rights and tokens, Wrike-side data, billing or injected faults), which an "
    "external SCIM endpoint does not expose"
)

SSO_REASON = (
    "@sso: SAML SSO needs the simulated OneLogin as the identity provider and the reference "
    "Wrike as the service provider (docs/sso.md); an external SCIM endpoint has no SSO"
)


#: The tags that name a rule only Wrike has (features/TAGS.md): ``@wrike_<rule>``.
WRIKE_RULE_PREFIX = "wrike_"


def tags() -> dict[str, str]:
    """The tags features/TAGS.md lists (`` - `@tag`: meaning``), each registered as a marker
    (the suite runs with --strict-markers): one list, read where it is written."""
    text = (FEATURES / "TAGS.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^- `@([A-Za-z_][A-Za-z0-9_]*)`: (.*)$", text, re.M))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("bdd target", "where the BDD suite's Wrike runs")
    group.addoption(
        "--target",
        choices=("in-process", "live", "external"),
        default="in-process",
        help="in-process (default): both apps in this process, no ports; live: "
        "both served on loopback over real HTTP; external: the simulated "
        "OneLogin drives --scim-url with --scim-token",
    )
    group.addoption(
        "--scim-url",
        default=None,
        help="SCIM base URL of the external Wrike account (--target external)",
    )
    group.addoption(
        "--scim-token", default=None, help="SCIM bearer token for --scim-url (--target external)"
    )
    group.addoption(
        "--profile",
        choices=PROFILES,
        default=None,
        help="which rules the external endpoint is held to: rfc (the default for --target "
        "external: RFC 7643/7644 only; scenarios tagged with a Wrike rule, @wrike_*, are "
        "skipped with the rule named) or wrike (a staging Wrike or wrike-sp serve: they run). "
        "The in-process and live targets always run as wrike",
    )
    group.addoption(
        "--domain",
        default=FEATURE_DOMAIN,
        help=f"the approved domain of the target's Wrike account: the suite's users, written "
        f"at {FEATURE_DOMAIN} in the feature files, are created there (default "
        f"{FEATURE_DOMAIN})",
    )


def pytest_configure(config: pytest.Config) -> None:
    for name, meaning in tags().items():
        config.addinivalue_line("markers", f"{name}: {meaning}")
    # pytest-bdd writes the cucumber JSON without creating its folder (JUnit XML does).
    cucumber = config.getoption("cucumber_json_path", None)
    if cucumber:
        Path(cucumber).parent.mkdir(parents=True, exist_ok=True)
    if config.getoption("--target") == "external" and not (
        config.getoption("--scim-url") and config.getoption("--scim-token")
    ):
        raise pytest.UsageError("--target external needs --scim-url and --scim-token")
    problem = domain_problem(domain_of(config))
    if problem:
        raise pytest.UsageError(problem)


def domain_of(config: pytest.Config) -> str:
    return str(config.getoption("--domain") or FEATURE_DOMAIN).strip().lower()


def profile_of(config: pytest.Config) -> str:
    """The profile the run holds the target to: ``--profile`` against an external endpoint
    (``rfc`` unless given), ``wrike`` for the reference provider in-process or live."""
    if config.getoption("--target") != "external":
        return "wrike"
    return str(config.getoption("--profile") or "rfc")


def wrike_rule_reason(item: pytest.Item, meanings: dict[str, str]) -> str | None:
    """The skip reason of a scenario that needs a rule only Wrike has: its first
    ``@wrike_*`` tag and that tag's meaning in features/TAGS.md."""
    for marker in item.iter_markers():
        if marker.name.startswith(WRIKE_RULE_PREFIX) and marker.name in meanings:
            return (
                f"@{marker.name}: {meanings[marker.name]} (--profile rfc; run with "
                "--profile wrike against a Wrike account)"
            )
    return None


def at_domain(value: Any, domain: str) -> Any:
    """``value`` with the suite's users moved to ``domain``: every ``@acme.com`` in a text
    (``ada@acme.com``, ``ada.lovelace@acme.com``) becomes ``@<domain>``, and a text that is
    the domain itself (``"acme.com" is an approved domain in Wrike``) becomes ``domain``;
    lists (a datatable) are rewritten cell by cell. The one place the domain is substituted
    (features/STEPS.md)."""
    if domain == FEATURE_DOMAIN:
        return value
    if isinstance(value, str):
        if value.strip().lower() == FEATURE_DOMAIN:
            return domain
        return _AT_FEATURE_DOMAIN.sub("@" + domain, value)
    if isinstance(value, list):
        return [at_domain(item, domain) for item in value]
    return value


_AT_FEATURE_DOMAIN = re.compile(
    r"@" + re.escape(FEATURE_DOMAIN) + r"(?![A-Za-z0-9.-]*[A-Za-z0-9])", re.I
)


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_before_step_call(
    request: pytest.FixtureRequest, step_func_args: dict[str, Any], **_: Any
) -> None:
    """Every value a step reads from its sentence or datatable, at ``--domain``: pytest-bdd
    calls the step with this very dict, so the step functions never see ``acme.com``."""
    domain = domain_of(request.config)
    if domain == FEATURE_DOMAIN:
        return
    for name, value in list(step_func_args.items()):
        if isinstance(value, str | list):
            step_func_args[name] = at_domain(value, domain)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--target") != "external":
        return
    reference_only = pytest.mark.skip(reason=REFERENCE_ONLY_REASON)
    sso = pytest.mark.skip(reason=SSO_REASON)
    meanings = tags() if profile_of(config) == "rfc" else {}
    for item in items:
        if item.get_closest_marker("sso"):
            item.add_marker(sso)
            continue
        if item.get_closest_marker("reference_only"):
            item.add_marker(reference_only)
            continue
        reason = wrike_rule_reason(item, meanings)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))

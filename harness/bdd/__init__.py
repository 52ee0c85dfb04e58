"""The BDD suite as it ships: the step definitions (given, when, then), the world fixture,
the pytest plugin that adds the target options and the reports (``plugin``), the binding of
every feature file (``test_features``) and the feature files themselves (``features/``, the
repository's top-level ``features/`` folder, copied into the wheel).

In a checkout, ``pytest steps`` runs it (the top-level conftest loads the plugin); installed,
``harness check`` runs it with ``-p harness.bdd.plugin`` and the ``check.ini`` next to this
file, so neither needs the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

#: The feature files: the repository's ``features/`` (a link to it here), or their copy in
#: an installed wheel.
FEATURES = Path(__file__).resolve().parent / "features"
#: This folder: the rootdir of an installed run, so test ids read ``test_features.py::…``.
HERE = Path(__file__).resolve().parent

#: What ``--profile`` chooses: ``rfc`` checks only what RFC 7643/7644 promise, so the
#: scenarios tagged with a Wrike rule are skipped; ``wrike`` runs them (a staging Wrike,
#: ``wrike-sp serve``). The in-process and live targets are the reference Wrike: ``wrike``.
PROFILES = ("rfc", "wrike")
#: The profile of an external endpoint unless ``--profile`` says otherwise.
DEFAULT_PROFILE = "rfc"
#: The domain the feature files write the suite's users at (``ada@acme.com``), and the one
#: they use as the domain the account does not approve; ``--domain`` moves the first
#: (features/STEPS.md, "The users' domain").
FEATURE_DOMAIN = "acme.com"
UNAPPROVED_DOMAINS = ("example.org",)
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def domain_problem(domain: str) -> str | None:
    """Why ``domain`` cannot be the suite's ``--domain``, or None: it must be a domain name
    (the approved one, without a user or @), and not the one the suite uses as unapproved."""
    domain = domain.strip().lower()
    if not _DOMAIN.match(domain):
        return (
            f"--domain {domain!r} is not a domain name such as {FEATURE_DOMAIN} (give the "
            "approved domain, without a user or @)"
        )
    if domain in UNAPPROVED_DOMAINS:
        return (
            f"--domain {domain}: the suite uses {domain} as the domain the Wrike account does "
            "not approve; give the account's approved domain"
        )
    return None

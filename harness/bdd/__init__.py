"""The BDD suite as it ships: the step definitions (given, when, then), the world fixture,
the pytest plugin that adds the target options and the reports (``plugin``), the binding of
every feature file (``test_features``) and the feature files themselves (``features/``, the
repository's top-level ``features/`` folder, copied into the wheel).

In a checkout, ``pytest steps`` runs it (the top-level conftest loads the plugin); installed,
``harness check`` runs it with ``-p harness.bdd.plugin`` and the ``check.ini`` next to this
file, so neither needs the repository.
"""

from __future__ import annotations

from pathlib import Path

#: The feature files: the repository's ``features/`` (a link to it here), or their copy in
#: an installed wheel.
FEATURES = Path(__file__).resolve().parent / "features"
#: This folder: the rootdir of an installed run, so test ids read ``test_features.py::…``.
HERE = Path(__file__).resolve().parent

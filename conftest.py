"""Top-level conftest: pytest honours ``pytest_plugins`` only here.

It loads the BDD suite's plugin (harness/bdd/plugin.py: the step modules and the world
fixture, the target options, the BDD tags as markers, the skip of @reference_only scenarios
against an external endpoint, the System Log in a failed scenario's report), the same plugin
an installed ``harness check`` runs with.
"""

pytest_plugins = ["harness.bdd.plugin"]

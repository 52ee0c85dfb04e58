"""Top-level conftest: pytest honours ``pytest_plugins`` only here."""

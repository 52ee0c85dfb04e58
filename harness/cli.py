"""``harness``: the support workflow's console script."""

from __future__ import annotations

import click


@click.group()
def main() -> None:
    """Bring up OneLogin and Wrike together, replay support cases, check an external SCIM
    endpoint."""


if __name__ == "__main__":
    main()

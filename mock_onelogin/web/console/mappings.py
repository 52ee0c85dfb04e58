"""Users > Mappings: the user mappings in order, each with its conditions and actions, and
Reapply Mappings. Mappings are edited through ``/api/2/mappings``."""

from __future__ import annotations

from typing import Any

from flask import flash
from werkzeug.wrappers import Response as BaseResponse

from mock_onelogin.domain import mappings as rules
from mock_onelogin.domain import modelling
from mock_onelogin.web.console import bp
from mock_onelogin.web.console._session import _account, _actor, _back, _page


def _row(mapping: rules.StoredMapping, role_names: dict[int, str]) -> dict[str, Any]:
    spec = mapping.spec
    actions = [
        f"{modelling.MAPPING_ACTIONS.get(a.action, a.action)}: "
        + ", ".join(role_names.get(int(v), f"role {v}") for v in a.value)
        for a in spec.actions
    ]
    return {
        "position": mapping.position,
        "name": spec.name,
        "enabled": spec.enabled,
        "match_label": "All of" if spec.match == "all" else "Any of",
        "conditions": [c.describe(role_names) for c in spec.conditions],
        "actions": actions,
    }


@bp.get("/mappings")
def mappings() -> Any:
    acct = _account()
    names = acct.mappings.role_names()
    rows = [_row(m, names) for m in acct.mappings.all()]
    return _page("mappings.html", 200, section="mappings", mappings=rows)


@bp.post("/mappings/reapply")
def reapply_mappings() -> BaseResponse:
    acct = _account()
    totals = acct.mappings.reapply(_actor())
    acct.provisioning.reconcile()
    flash(
        "Mappings reapplied"
        + (
            f": {totals['added']} role(s) added, {totals['removed']} removed."
            if totals
            else ": no user's roles changed."
        )
    )
    return _back("onelogin_pages.mappings")

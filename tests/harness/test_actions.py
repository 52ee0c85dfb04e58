"""One action table: every case action has its fields (validated by harness/case.py), a run
(it replays) and a sentence (or a refusal naming it), and docs/case-files.md lists exactly
the table."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.actions import ACTIONS, docs_table
from harness.case import parse_case
from harness.repro import replay
from tests.test_traceability import step_patterns

ROOT = Path(__file__).resolve().parents[2]

#: One example of each action, after a set-up in which it can be carried out.
EXAMPLES: dict[str, str] = {
    "assign": "{action: assign, user: ada@acme.com, role: Engineering}",
    "unassign": "{action: unassign, user: ada@acme.com, role: Engineering}",
    "add_app_to_role": "{action: add_app_to_role, role: Engineering}",
    "remove_app_from_role": "{action: remove_app_from_role, role: Engineering}",
    "change": "{action: change, user: ada@acme.com, attribute: Job title, value: CTO}",
    "suspend": "{action: suspend, user: ada@acme.com}",
    "unsuspend": "{action: unsuspend, user: ada@acme.com}",
    "delete": "{action: delete, user: ada@acme.com}",
    "approve": "{action: approve, user: grace@acme.com}",
    "deny": "{action: deny, user: grace@acme.com, task: Create user}",
    "retry": "{action: retry, user: alan@acme.com}",
    "enable_provisioning": "{action: enable_provisioning}",
    "disable_provisioning": "{action: disable_provisioning}",
    "enable_api_connection": "{action: enable_api_connection}",
    "configure": "{action: configure, scim_url: account, token: Wanda Admin}",
    "revoke_token": "{action: revoke_token, admin: Wanda Admin}",
    "change_plan": "{action: change_plan, plan: Business}",
    "add_domain": "{action: add_domain, domain: example.org}",
    "remove_domain": "{action: remove_domain, domain: example.org}",
    "make_wrike_admin": "{action: make_wrike_admin, user: ada@acme.com}",
    "wrike_fill": "{action: wrike_fill, user: ada@acme.com, attribute: Department, value: R}",
    "fault": "{action: fault, fault: 503 Service Unavailable}",
    "recover": "{action: recover}",
    "sso_setup": "{action: sso_setup, mode: enforced}",
    "sso_mode": "{action: sso_mode, mode: off}",
    "sso_jit": "{action: sso_jit}",
    "paste_idp_metadata": "{action: paste_idp_metadata}",
    "rotate_certificate": "{action: rotate_certificate}",
    "clock_skew": "{action: clock_skew, minutes: -30}",
    "set_audience": "{action: set_audience, audience: https://example.org/sp}",
    "change_email": "{action: change_email, user: ada@acme.com, to: ada.l@acme.com}",
    "wrike_deactivate": "{action: wrike_deactivate, user: ada@acme.com}",
    "sso_login": "{action: sso_login, user: ada@acme.com, from: portal}",
    "password_login": "{action: password_login, admin: Wanda Admin}",
}
#: The actions that need SAML SSO set up first (a timeline entry before the example).
NEEDS_SSO = {"sso_mode", "sso_jit", "paste_idp_metadata", "sso_login", "password_login"}

SETUP = (
    "case: x\n"
    "onelogin:\n  users:\n    - email: ada@acme.com\n    - email: grace@acme.com\n"
    "    - email: alan@acme.com\n"
    "timeline:\n"
    "  - {action: assign, user: ada@acme.com, role: Engineering}\n"
    "  - {action: fault, fault: 500 Internal Server Error, count: 2}\n"
    "  - {action: assign, user: alan@acme.com, direct: true}\n"
    "  - {action: recover}\n"
    "  - {action: add_domain, domain: example.org}\n"
    "  - {action: configure, scim_url: account, token: Wanda Admin}\n"
)


def test_every_action_has_an_example() -> None:
    assert set(EXAMPLES) == set(ACTIONS)


@pytest.mark.parametrize("name", list(ACTIONS))
def test_every_action_has_fields_a_run_and_a_sentence(name: str) -> None:
    action = ACTIONS[name]
    fields = (*action.required, *action.optional, *action.one_of)
    assert len(set(fields)) == len(fields), f"{name} lists a field twice"
    assert callable(action.run) and callable(action.say)
    assert action.side in ("OneLogin", "Wrike")
    assert action.summary and (action.fields or not fields)
    # Exported with an approval pending for grace, so approve and deny have a task.
    pending = (
        "  - {action: assign, user: grace@acme.com, role: Engineering}\n"
        if name in ("approve", "deny")
        else "  - {action: sso_setup}\n"
        if name in NEEDS_SSO
        else ""
    )
    text = SETUP + pending + f"  - {EXAMPLES[name]}\n"
    if name in ("approve", "deny"):
        text = text.replace("onelogin:\n", "onelogin:\n  require_approval: [Create user]\n")
    case = parse_case(text + "expect:\n  users:\n    - {user: ada@acme.com, wrike: active}\n")
    assert case.timeline[-1].action == name
    result = replay(case)  # runs, or ReplayFailed fails the test
    assert result.case is case
    step = case.timeline[-1]
    sentence = action.say(step, result.decided)
    kinds = {"Given/When": {"Given", "When"}}.get(sentence.kind, {sentence.kind})
    matches = [p for k, p, rx in step_patterns() if kinds <= k and rx.fullmatch(sentence.text)]
    assert len(matches) == 1, f"{name}: {sentence} matches {matches}"


def test_the_docs_list_the_action_table() -> None:
    doc = (ROOT / "docs" / "case-files.md").read_text(encoding="utf-8")
    assert docs_table() in doc, (
        "docs/case-files.md's timeline table differs from harness/actions.py; paste the output "
        "of `python -c 'from harness.actions import docs_table; print(docs_table())'`"
    )

"""Properties that must hold for any directory user and any provisioning situation."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from mock_onelogin.domain.provisioning import (
    DeprovisionAction,
    Entitlement,
    LoginMemory,
    ProvisioningSettings,
    Remote,
    SuspendAction,
    TaskKind,
    decide,
)
from mock_onelogin.domain.template import DEFAULT_TEMPLATE, CompiledTemplate, UserView

TEMPLATE = CompiledTemplate(DEFAULT_TEMPLATE)
value = st.one_of(st.none(), st.just(""), st.text(max_size=20))
FIELDS = ("email", "firstname", "lastname", "title", "phone", "company", "department")


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return []


@given(st.fixed_dictionaries({f: value for f in FIELDS}), value)
def test_rendered_body_never_carries_empty_values_or_placeholders(
    fields: dict[str, str | None], user_type: str | None
) -> None:
    body = TEMPLATE.render(UserView(fields, {"wrike_user_type": user_type}))
    json.dumps(body)
    strings = _strings(body)
    assert "" not in strings
    assert not any("{$" in s and s not in fields.values() for s in strings)
    assert ("userName" in body) == bool(fields["email"])
    assert body["userType"] == (user_type or "Regular")
    for key in ("emails", "phoneNumbers"):
        assert key not in body or body[key][0]["value"]


memories = st.builds(
    LoginMemory,
    st.sampled_from(list(Remote)),
    st.booleans(),
    st.booleans(),
    st.one_of(st.none(), st.just("h1")),
)
entitlements = st.builds(Entitlement, st.booleans(), st.booleans(), st.booleans())
settings = st.builds(
    ProvisioningSettings,
    enabled=st.booleans(),
    on_delete=st.sampled_from(list(DeprovisionAction)),
    on_suspend=st.sampled_from(list(SuspendAction)),
)


@given(settings, memories, entitlements, st.one_of(st.none(), st.just("h1"), st.just("h2")))
def test_decisions_respect_the_settings(
    settings: ProvisioningSettings, memory: LoginMemory, now: Entitlement, body_hash: str | None
) -> None:
    kind = decide(settings, memory, now, body_hash)
    if not settings.enabled:
        assert kind is None
    if kind is TaskKind.CREATE:
        assert memory.remote is Remote.ABSENT and now.assigned and not now.user_deleted
    if kind is TaskKind.DELETE:
        assert settings.on_delete is DeprovisionAction.DELETE
        assert memory.remote is not Remote.ABSENT
    if kind in (TaskKind.UPDATE, TaskKind.SUSPEND):
        assert memory.remote is Remote.ACTIVE
    if kind is TaskKind.REACTIVATE:
        assert memory.remote is Remote.SUSPENDED and now.assigned and not now.suspended
    if memory.remote is Remote.ABSENT and not (now.assigned and not now.user_deleted):
        assert kind is None  # never a request (or an event) for someone never provisioned

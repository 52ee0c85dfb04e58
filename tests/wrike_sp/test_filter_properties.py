"""Property tests: the SQL translation of a filter selects exactly the users that
scim2-models' own evaluator says match, for generated filters over a fixed population."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scim2_models import Context, InvalidFilterException, ScimFilter

from wrike_sp.domain.schema import CORE_USER
from wrike_sp.domain.user_model import WrikeUser

LOCALS = ["ada", "bob", "Ada.L", "carol", "dave_x", "eve%"]
POPULATION = [
    {
        "userName": "ada@acme.example",
        "emails": [{"value": "ada@acme.example", "type": "work", "primary": True}],
    },
    {
        "userName": "Bob@Acme.example",
        "emails": [
            {"value": "bob@acme.example", "type": "work", "primary": True},
            {"value": "bob.home@acme.example", "type": "home"},
        ],
    },
    {
        "userName": "carol",
        "emails": [{"value": "carol@acme.example", "type": "other", "primary": True}],
    },
    {"userName": "dave_x@acme.example"},
    {"userName": "Ada.L@acme.example", "emails": [{"value": "ADA.L@acme.example", "type": "work"}]},
    {"userName": "eve%@acme.example", "emails": [{"value": "eve@acme.example", "type": "home"}]},
]

_values = st.one_of(
    st.sampled_from(
        [f"{name}@acme.example" for name in LOCALS]
        + ["ACME", "acme.example", "a", "e", ".", "x@y.z"]
    ),
    st.text(alphabet="abdeoxAB.@_%", min_size=1, max_size=6),
)
_ops = st.sampled_from(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"])
_attrs = st.sampled_from(["userName", "emails", "emails.value", "emails.type"])


def _comparison(attr: str, op: str, value: str) -> str:
    return f"{attr} {op} {json.dumps(value)}"


_leaf = st.one_of(
    st.builds(_comparison, _attrs, _ops, _values),
    st.builds(lambda a: f"{a} pr", _attrs),
    st.builds(
        lambda op, value, kind: f'emails[type eq "{kind}" and value {op} {json.dumps(value)}]',
        _ops,
        _values,
        st.sampled_from(["work", "home"]),
    ),
)
_filters = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.builds(lambda a, b: f"({a}) and ({b})", inner, inner),
        st.builds(lambda a, b: f"({a}) or ({b})", inner, inner),
        st.builds(lambda a: f"not ({a})", inner),
    ),
    max_leaves=4,
)


@pytest.fixture(scope="module")
def population():
    from tests.wrike_sp.conftest import Scim
    from wrike_sp import WrikeConfig, create_app
    from wrike_sp.demo import seed_demo_account

    app = create_app(WrikeConfig(password_iterations=1000))
    demo = seed_demo_account(app.extensions["wrike"].accounts)
    client = app.test_client()
    scim = Scim(client, demo.scim_path, demo.token)
    models = {}
    for body in POPULATION:
        created = scim.request("POST", "/Users", body)
        assert created.status_code == 201, created.get_json()
        resource = created.get_json()
        models[resource["id"]] = WrikeUser.model_validate(
            {**resource, "schemas": [CORE_USER]}, scim_ctx=Context.RESOURCE_QUERY_RESPONSE
        )
    return scim, models


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=_filters)
def test_sql_translation_agrees_with_the_reference_evaluator(population, text):
    scim, models = population
    try:
        oracle = ScimFilter[WrikeUser](text)
    except InvalidFilterException:
        response = scim.find(text)
        assert response.status_code == 400
        assert response.get_json()["scimType"] == "invalidFilter"
        return
    expected = {uid for uid, model in models.items() if oracle.match(model)}
    response = scim.find(text)
    assert response.status_code == 200, (text, response.get_json())
    found = {u["id"] for u in response.get_json()["Resources"] if u["id"] in models}
    assert found == expected, text

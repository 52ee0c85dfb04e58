"""Property tests of PATCH: the fast path for simple operations agrees with scim2-models'
general PATCH on every generated request, and a request with one bad operation changes
nothing."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wrike_sp.domain.errors import ScimError
from wrike_sp.domain.records import UserRow
from wrike_sp.domain.schema import PATCH_OP
from wrike_sp.domain.scim_users import _apply_patch, _patch_op, _simple_patch
from wrike_sp.domain.users import finish_document

DOC = {
    "userName": "ada@acme.example",
    "name": {"givenName": "Ada", "familyName": "Lovelace"},
    "emails": [{"value": "ada@acme.example", "type": "work", "primary": True}],
    "title": "Engineer",
    "userType": "Collaborator",
    "active": True,
}
USER = UserRow(
    id="u1",
    account_id=1,
    user_name="ada@acme.example",
    login_key="ada@acme.example",
    active=True,
    user_type="Collaborator",
    role="regular",
    can_configure_security=False,
    can_grant_admin=False,
    password_hash=None,
    doc=DOC,
    created="c",
    last_modified="m",
    version=1,
    via_scim=True,
    billable_since="c",
    deactivated_at=None,
)

_SEQUENCE = itertools.count()
_text = st.text(alphabet="abcXYZ -._", min_size=1, max_size=12)
_values = {
    "title": _text,
    "displayName": _text,
    "nickName": _text,
    "locale": st.sampled_from(["en-US", "fr-FR", "de"]),
    "userType": st.sampled_from(
        ["Regular", "External", "Collaborator", "Contributor", "Viewer", "viewer", "REGULAR"]
    ),
    "active": st.sampled_from([True, False, "True", "False", "true", "false"]),
}
_names = st.sampled_from(list(_values))


@st.composite
def _operation(draw):
    name = draw(_names)
    spelled = draw(st.sampled_from([name, name.lower(), name.upper()]))
    op = draw(st.sampled_from(["replace", "add", "Replace", "Add"]))
    value = draw(_values[name])
    if draw(st.booleans()):
        return {"op": op, "path": spelled, "value": value}
    return {"op": op, "value": {spelled: value}}


_requests = st.lists(_operation(), min_size=1, max_size=4).map(
    lambda ops: {"schemas": [PATCH_OP], "Operations": ops}
)


@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(payload=_requests)
def test_fast_path_agrees_with_the_general_patch(payload):
    fast = _simple_patch(payload)
    assert fast is not None, payload
    by_fast = finish_document({**DOC, **fast})
    by_models = finish_document(_apply_patch(USER, _patch_op(payload)))
    assert by_fast == by_models, payload


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    good=st.lists(_operation(), min_size=0, max_size=3),
    bad=st.sampled_from(
        [
            {"op": "replace", "path": "userType", "value": "Boss"},
            {"op": "remove", "path": "userName"},
            {"op": "replace", "path": "id", "value": "x"},
            {"op": "replace", "path": "active", "value": "maybe"},
        ]
    ),
)
def test_one_bad_operation_changes_nothing(scim, good, bad):
    """The bad operation comes last: a value is judged on the document the PATCH results in,
    so a later operation may legitimately correct an earlier one."""
    user = scim.create(f"bea{next(_SEQUENCE)}@acme.example", title="Keep").get_json()
    operations = [*good, bad]
    response = scim.patch(user["id"], *operations)
    assert response.status_code == 400, (operations, response.get_json())
    after = scim.request("GET", f"/Users/{user['id']}").get_json()
    assert after == user, operations


def test_fast_path_declines_what_it_does_not_handle():
    for payload in (
        {"schemas": [PATCH_OP], "Operations": [{"op": "remove", "path": "title"}]},
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "emails", "value": []}]},
        {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "replace", "path": "name.givenName", "value": "x"}],
        },
    ):
        assert _simple_patch(payload) is None


def test_both_paths_refuse_an_unknown_user_type():
    payload = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "path": "userType", "value": "Boss"}],
    }
    fast = _simple_patch(payload)
    assert fast is not None
    with pytest.raises(ScimError) as by_fast:
        finish_document({**DOC, **fast})
    with pytest.raises(ScimError) as by_models:
        finish_document(_apply_patch(USER, _patch_op(payload)))
    assert (by_fast.value.status, by_fast.value.scim_type) == (
        by_models.value.status,
        by_models.value.scim_type,
    )

"""No one request ties up the provider: multi-valued attributes are capped
(``MAX_MULTI_VALUES``), merged in linear time and before the write transaction, and a list
page is bounded in bytes (``MAX_PAGE_BYTES``) as well as in count."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.wrike_sp.conftest import Scim
from wrike_sp import WrikeConfig, create_app
from wrike_sp.demo import DemoAccount, seed_demo_account
from wrike_sp.domain import modelling, scim_users
from wrike_sp.domain.users import merge_multi

CAP = modelling.MAX_MULTI_VALUES


def emails(domain: str, count: int, prefix: str = "a", first: int = 0) -> list[dict[str, Any]]:
    return [
        {"value": f"{prefix}{n}@{domain}", "type": f"t{n}"} for n in range(first, first + count)
    ]


def refused_at_cap(response: Any, attribute: str) -> None:
    assert response.status_code == 400, response.get_json()
    body = response.get_json()
    assert body["scimType"] == "invalidValue"
    assert f"'{attribute}'" in body["detail"] and f"at most {CAP} values" in body["detail"]


def test_a_put_of_20000_emails_is_refused_at_once_while_creates_go_on(tmp_path: Path) -> None:
    app = create_app(
        WrikeConfig(database=str(tmp_path / "wrike.sqlite3"), password_iterations=1000)
    )
    demo = seed_demo_account(app.extensions["wrike"].accounts)
    scim = Scim(app.test_client(), demo.scim_path, demo.token)
    user = scim.create(f"big@{demo.domain}").get_json()
    body = {"userName": user["userName"], "emails": emails(demo.domain, 20_000)}
    assert len(json.dumps(body)) < modelling.MAX_BODY_BYTES
    answered: dict[str, Any] = {}

    def put() -> None:
        client = Scim(app.test_client(), demo.scim_path, demo.token)
        started = time.monotonic()
        answered["response"] = client.request("PUT", f"/Users/{user['id']}", body)
        answered["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=put)
    thread.start()
    created = []
    while thread.is_alive() or not created:
        created.append(scim.create(f"meanwhile{len(created)}@{demo.domain}").status_code)
    thread.join()
    refused_at_cap(answered["response"], "emails")
    assert answered["seconds"] < 1.0
    assert set(created) == {201}
    assert scim.request("GET", f"/Users/{user['id']}").get_json()["meta"]["version"] == 'W/"1"'
    app.extensions["wrike"].store.close()


def test_put_and_patch_just_under_the_cap_merge_by_type(scim: Scim, demo: DemoAccount) -> None:
    domain = demo.domain
    user = scim.create(f"many@{domain}", emails=emails(domain, 60)).get_json()
    path = f"/Users/{user['id']}"
    # 20 types replaced, 20 new: 80 in all, Wrike's order kept, new ones after.
    put = scim.request(
        "PUT", path, {"userName": f"many@{domain}", "emails": emails(domain, 40, "b", 40)}
    )
    assert put.status_code == 200, put.get_json()
    merged = put.get_json()["emails"]
    assert [e["value"] for e in merged] == [f"a{n}@{domain}" for n in range(40)] + [
        f"b{n}@{domain}" for n in range(40, 80)
    ]
    # PATCH add up to the cap exactly.
    patched = scim.patch(
        user["id"], {"op": "add", "path": "emails", "value": emails(domain, CAP - 80, "c", 80)}
    )
    assert patched.status_code == 200, patched.get_json()
    assert len(patched.get_json()["emails"]) == CAP
    version = patched.get_json()["meta"]["version"]
    # One value more, by PUT merge or by PATCH, is refused and changes nothing.
    refused_at_cap(
        scim.request(
            "PUT", path, {"userName": f"many@{domain}", "emails": emails(domain, 1, "d", CAP)}
        ),
        "emails",
    )
    refused_at_cap(
        scim.patch(
            user["id"], {"op": "add", "path": "emails", "value": emails(domain, 1, "d", CAP)}
        ),
        "emails",
    )
    after = scim.request("GET", path).get_json()
    assert after["meta"]["version"] == version and len(after["emails"]) == CAP


def test_every_multi_valued_attribute_is_capped_in_posts_and_patches(
    scim: Scim, demo: DemoAccount
) -> None:
    phones = [{"value": f"+1 555 {n:04d}", "type": f"t{n}"} for n in range(CAP + 1)]
    refused_at_cap(scim.create(f"phones@{demo.domain}", phoneNumbers=phones), "phoneNumbers")
    user = scim.create(f"p@{demo.domain}").get_json()
    refused_at_cap(
        scim.patch(user["id"], {"op": "add", "value": {"phoneNumbers": phones}}), "phoneNumbers"
    )
    refused_at_cap(
        scim.patch(user["id"], {"op": "replace", "path": "phoneNumbers", "value": phones}),
        "phoneNumbers",
    )


class _CountingStr(str):
    """A ``type`` value that counts how often it is compared."""

    compared = 0

    def __eq__(self, other: object) -> bool:
        _CountingStr.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_merging_is_linear_in_the_number_of_values() -> None:
    """Counted, not timed: a scan per incoming entry compares n * n / 2 times."""
    n = 2000
    existing = [{"value": f"a{i}@x.example", "type": _CountingStr(f"t{i}")} for i in range(n)]
    incoming = [
        {"value": f"b{i}@x.example", "type": _CountingStr(f"t{i}")}
        for i in range(n // 2, n + n // 2)
    ]
    _CountingStr.compared = 0
    merged = merge_multi(existing, incoming)
    assert len(merged) == n + n // 2
    assert _CountingStr.compared <= 3 * n


def test_put_and_patch_merge_before_the_write_transaction(
    app: Flask, scim: Scim, demo: DemoAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = app.extensions["wrike"].store
    inside: list[bool] = []
    for name in ("merge_for_update", "finish_document", "_apply_patch"):
        original = getattr(scim_users, name)

        def watched(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            inside.append(store.db.in_transaction)
            return _original(*args, **kwargs)

        monkeypatch.setattr(scim_users, name, watched)
    user = scim.create(f"m@{demo.domain}", emails=emails(demo.domain, 3)).get_json()
    put = {"userName": user["userName"], "emails": emails(demo.domain, 2, "b", 2)}
    assert scim.request("PUT", f"/Users/{user['id']}", put).status_code == 200
    assert (
        scim.patch(user["id"], {"op": "replace", "path": "title", "value": "T"}).status_code == 200
    )
    added = {"op": "add", "path": "emails", "value": emails(demo.domain, 1, "c", 9)}
    assert scim.patch(user["id"], added).status_code == 200
    assert inside and not any(inside)


def test_a_page_of_big_users_ends_early_and_the_client_pages_on(
    scim: Scim, demo: DemoAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    budget = 60_000
    monkeypatch.setattr(modelling, "MAX_PAGE_BYTES", budget)
    addresses = [{"formatted": "x" * 2000, "type": f"t{n}"} for n in range(10)]  # ~20 KB
    big = [
        scim.create(f"big{n}@{demo.domain}", addresses=addresses).get_json()["id"] for n in range(8)
    ]
    small = [scim.create(f"small{n}@{demo.domain}").get_json()["id"] for n in range(5)]
    everyone = scim.request("GET", "/Users", query_string={"count": 1}).get_json()["totalResults"]
    seen: list[str] = []
    start = 1
    while True:
        response = scim.request("GET", "/Users", query_string={"startIndex": start, "count": 100})
        page = response.get_json()
        assert page["totalResults"] == everyone
        assert page["itemsPerPage"] == len(page["Resources"]) >= 1
        assert len(response.get_data()) <= budget + 1000 * page["itemsPerPage"]
        seen += [r["id"] for r in page["Resources"]]
        start += page["itemsPerPage"]
        if start > everyone:
            break
    assert len(seen) == everyone == len(set(seen))
    assert set(big + small) <= set(seen)
    # Big users cut the page short of the count asked for.
    first = scim.request("GET", "/Users", query_string={"count": 100}).get_json()
    assert first["itemsPerPage"] < everyone


def test_a_patch_of_many_operations_is_refused_before_it_is_applied(
    scim: Scim, demo: DemoAccount
) -> None:
    user = scim.create(f"ops@{demo.domain}").get_json()
    one_each = [
        {"op": "add", "path": "emails", "value": [{"value": f"o{n}@{demo.domain}"}]}
        for n in range(5 * modelling.MAX_PATCH_OPERATIONS)
    ]
    started = time.monotonic()
    response = scim.patch(user["id"], *one_each)
    assert response.status_code == 400 and response.get_json()["scimType"] == "invalidValue"
    assert "operations" in response.get_json()["detail"]
    # Values for one attribute are counted over all operations together.
    split = [
        {"op": "add", "path": "emails", "value": emails(demo.domain, CAP // 2 + 1, f"s{n}")}
        for n in range(2)
    ]
    refused_at_cap(scim.patch(user["id"], *split), "emails")
    assert time.monotonic() - started < 1.0

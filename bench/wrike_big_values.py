"""What big multi-valued attributes and big users cost the reference provider, as ratios.

Not a test. Run it from the repository root:

    .venv/bin/python bench/wrike_big_values.py

It prints, measured in one sitting (in process, the Flask test client, an in-memory store):

* the merge of emails by type at 10x the entries against 1x (``merge_multi``; linear means
  a per-entry ratio near 1, a scan per entry would make it near 10);
* a PUT carrying ``MAX_MULTI_VALUES`` emails against one carrying 10, per email;
* the Python memory peak of one ``GET /Users`` page over 200 users of ~400 KB each, against
  ``MAX_PAGE_BYTES`` (the page is cut, so the peak stays a small multiple of the budget).
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from wrike_sp import WrikeConfig, create_app
from wrike_sp.demo import seed_demo_account
from wrike_sp.domain import modelling
from wrike_sp.domain.users import merge_multi


def best(run: Callable[[], Any], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def entries(count: int, prefix: str) -> list[dict[str, Any]]:
    return [{"value": f"{prefix}{n}@x.example", "type": f"t{n}"} for n in range(count)]


def main() -> None:
    small, large = 2_000, 20_000
    t_small = best(lambda: merge_multi(entries(small, "a"), entries(small, "b")))
    t_large = best(lambda: merge_multi(entries(large, "a"), entries(large, "b")))
    print(
        f"merge_multi {large} vs {small} entries: {t_large / t_small:.1f}x the time, "
        f"{(t_large / large) / (t_small / small):.2f}x per entry (linear: ~1)"
    )

    app = create_app(WrikeConfig(password_iterations=1000))
    demo = seed_demo_account(app.extensions["wrike"].accounts)
    client = app.test_client()
    base = demo.scim_path
    headers = {"Authorization": f"Bearer {demo.token}"}

    def put_with(count: int) -> float:
        body = {"userName": f"put{count}@{demo.domain}", "emails": entries(count, "p")}
        created = client.post(f"{base}/Users", json=body, headers=headers).get_json()
        update = {**body, "emails": entries(count, "q")}
        return best(
            lambda: client.put(f"{base}/Users/{created['id']}", json=update, headers=headers)
        )

    cap = modelling.MAX_MULTI_VALUES
    few, full = put_with(10), put_with(cap)
    print(
        f"PUT of {cap} emails vs 10: {full / few:.1f}x the time, {(full / cap) / (few / 10):.2f}x per email"
    )

    addresses = [{"formatted": "x" * 2000, "type": f"t{n}"} for n in range(cap)]
    for n in range(200):
        body = {"userName": f"big{n}@{demo.domain}", "addresses": addresses}
        client.post(f"{base}/Users", json=body, headers=headers)
    tracemalloc.start()
    page = client.get(f"{base}/Users", query_string={"count": 1000}, headers=headers)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    body = page.get_json()
    print(
        f"GET /Users over 200 users of ~{len(str(addresses)) // 1000} KB: "
        f"{body['itemsPerPage']} of {body['totalResults']} in the page, "
        f"{len(page.get_data()) / 1e6:.1f} MB, Python peak {peak / 1e6:.1f} MB = "
        f"{peak / modelling.MAX_PAGE_BYTES:.1f}x MAX_PAGE_BYTES"
    )


if __name__ == "__main__":
    main()

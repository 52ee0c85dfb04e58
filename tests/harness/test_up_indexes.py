"""The base URLs ``harness up`` prints answer: ``GET`` on ``/simulator/api``, Wrike's
``/admin/api/v1`` and ``/harness/api`` lists each endpoint below it (method, path, one line),
without the key and without revealing it; the OneLogin root leads to the console. And
``harness up --help`` describes every option and its exit statuses."""

from __future__ import annotations

import re
from typing import Any

import pytest
from click.testing import CliRunner

from harness.cli import main
from harness.cli import up as up_command
from mock_onelogin import OneLoginConfig
from mock_onelogin import create_app as create_onelogin
from wrike_sp import WrikeConfig
from wrike_sp import create_app as create_wrike

KEY = "index-test-key-0123456789"


@pytest.fixture(scope="module")
def apps() -> dict[str, Any]:
    return {
        "onelogin": create_onelogin(OneLoginConfig(simulator_key=KEY)),
        "wrike": create_wrike(WrikeConfig(admin_key=KEY, harness_enabled=True)),
    }


@pytest.mark.parametrize(
    ("side", "base", "expected"),
    [
        (
            "onelogin",
            "/simulator/api",
            {
                ("GET", "/simulator/api/status"),
                ("PUT", "/simulator/api/apps/{app_id}/provisioning"),
                ("POST", "/simulator/api/tasks/{task_id}/approve"),
                ("GET", "/simulator/api/system-log"),
            },
        ),
        (
            "wrike",
            "/admin/api/v1",
            {
                ("GET", "/admin/api/v1/accounts"),
                ("PUT", "/admin/api/v1/accounts/{account_id}/plan"),
                ("PATCH", "/admin/api/v1/accounts/{account_id}/members/{member_id}"),
            },
        ),
        (
            "wrike",
            "/harness/api",
            {("POST", "/harness/api/faults"), ("GET", "/harness/api/journal")},
        ),
    ],
)
def test_a_base_url_lists_the_endpoints_it_serves(
    apps: dict[str, Any], side: str, base: str, expected: set[tuple[str, str]]
) -> None:
    app = apps[side]
    client = app.test_client()
    for path in (base, base + "/"):
        answer = client.get(path)  # no key: the index is public
        assert answer.status_code == 200, answer.text
        assert answer.is_json and KEY not in answer.text
    index = client.get(base).json
    assert "Bearer" in index["authorization"]
    endpoints = index["endpoints"]
    listed = {(e["method"], e["path"]) for e in endpoints}
    assert expected <= listed
    assert all(e["description"].strip() for e in endpoints)
    routes = app.url_map.bind("localhost")
    for method, path in listed:
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        routes.match(concrete, method=method)  # raises when the app serves no such route
        if method == "GET" and "{" not in path:
            assert client.get(path).status_code == 401, path  # the endpoint takes the key
            keyed = client.get(path, headers={"Authorization": f"Bearer {KEY}"})
            assert keyed.status_code == 200, (path, keyed.text)


def test_the_admin_index_says_what_body_a_write_takes(apps: dict[str, Any]) -> None:
    endpoints = apps["wrike"].test_client().get("/admin/api/v1").json["endpoints"]
    plan = next(e for e in endpoints if e["path"].endswith("/plan"))
    assert '{"plan": ' in plan["description"]
    member = next(e for e in endpoints if e["method"] == "PATCH")
    assert "configure_advanced_security_settings" in member["description"]


def test_the_onelogin_root_leads_to_the_console_login(apps: dict[str, Any]) -> None:
    client = apps["onelogin"].test_client()
    root = client.get("/")
    assert root.status_code == 302 and root.headers["Location"] == "/admin/"
    page = client.get("/", follow_redirects=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "/admin/login" in page.request.path and 'name="password"' in page.text


def test_up_help_describes_every_option_and_lists_its_exit_statuses() -> None:
    undescribed = [
        p.name for p in up_command.params if not getattr(p, "help", None) and p.name != "help"
    ]
    assert undescribed == []
    shown = CliRunner().invoke(main, ["up", "--help"], terminal_width=100).output
    for option in ("--wrike-port", "--onelogin-port", "--verbose", "--threads", "--data-dir"):
        assert option in shown
    assert "Exit status:" in shown
    assert re.search(r"^\s+0\s+stopped by Ctrl-C", shown, re.M)
    assert re.search(r"^\s+2\s+could not start", shown, re.M)


def test_up_refuses_a_port_out_of_range_in_its_own_words() -> None:
    result = CliRunner().invoke(main, ["up", "--wrike-port", "70000"])
    assert result.exit_code == 2 and "70000 is not in the range 0<=x<=65535" in result.output

"""The access log's lines, through the middleware around a real app: one line per request,
a secret-named query value masked however its name is spelt, and a request that cannot
forge or stretch a line."""

from __future__ import annotations

import re

from werkzeug.test import Client

from mock_onelogin import OneLoginConfig
from mock_onelogin import create_app as create_onelogin
from webguard.access_log import MAX_TARGET_CHARS, AccessLog

LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (\S+) (\S+) (\d{3}) \d+\.\dms$")


def logged(*paths: str) -> list[str]:
    lines: list[str] = []
    client = Client(AccessLog(create_onelogin(OneLoginConfig(simulator_key="k")), [lines.append]))
    for path in paths:
        client.get(path).close()  # the server closes the answer once sent
    return lines


def test_one_line_per_request_with_method_path_status_and_duration() -> None:
    lines = logged("/simulator/api", "/simulator/api/status", "/no-such")
    assert [LINE.match(line).groups() for line in lines] == [  # type: ignore[union-attr]
        ("GET", "/simulator/api", "200"),
        ("GET", "/simulator/api/status", "401"),
        ("GET", "/no-such", "404"),
    ]


def test_secret_named_values_are_masked_however_the_name_is_spelt() -> None:
    (line,) = logged(
        "/simulator/api?client%5Fsecret=s1&Password=s2&API_KEY=s3&access_token=s4&app_id=7"
    )
    assert "s1" not in line and "s2" not in line and "s3" not in line and "s4" not in line
    assert "client%5Fsecret=***&Password=***&API_KEY=***&access_token=***&app_id=7" in line


def test_a_request_cannot_forge_a_line_or_make_one_endless() -> None:
    forged, long = logged(
        "/x%0A2026-01-01T00:00:00.000Z%20GET%20/forged%20200%201.0ms", "/" + "a" * 5000
    )
    assert "\n" not in forged and LINE.match(forged)
    assert "%0A2026" in forged
    assert len(long) < MAX_TARGET_CHARS + 100 and "...(cut)" in long


def test_a_secret_nested_in_another_parameters_value_is_masked_too() -> None:
    once, twice, plain = logged(
        "/admin/login?next=%2Fadmin%2Fapps%3Faccess_token%3Dnested1",
        "/login?RelayState=%252Fx%253Fclient_secret%253Dnested2%2526page%253D2",
        "/admin/login?next=%2Fadmin%2Fusers%3Fpage%3D2",
    )
    assert "nested1" not in once and "access_token%3D***" in once
    assert "nested2" not in twice and "client_secret%3D***" in twice and "page%3D2" in twice
    # A value with nothing secret in it is written as it came.
    assert "next=%2Fadmin%2Fusers%3Fpage%3D2" in plain

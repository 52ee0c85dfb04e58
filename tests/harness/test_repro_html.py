"""``harness repro CASE --html OUT.html``: one file a support engineer attaches to a ticket.
It must open anywhere (no script, no external resource), show what the case and the
provider said without letting either inject markup, never replace a file silently, read the
same on every replay, and give every user of the case a timeline (OneLogin event -> SCIM
exchange -> Wrike state) and a diagnosis."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from harness.cli import main

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "fixtures" / "cases"


def _repro(*args: str) -> Any:
    return CliRunner().invoke(main, ["repro", *args])


class _Page(HTMLParser):
    """The tags and attributes of a page, and the text inside each user's section."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.sections: dict[str, list[str]] = {}
        self._section: str | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "section":
            if self._section is None and "user" in (dict(attrs).get("class") or "").split():
                self._section, self._depth = "", 0
            if self._section is not None:
                self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self._section is not None:
            self._depth -= 1
            if self._depth == 0:
                self._section = None

    def handle_data(self, data: str) -> None:
        if self._section == "":  # the section's first text is the user's email (its h3)
            if data.strip():
                self._section = data.strip()
                self.sections[self._section] = []
            return
        if self._section is not None:
            self.sections[self._section].append(data)

    def text_of(self, email: str) -> str:
        return " ".join(" ".join(self.sections[email]).split())


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _write_report(tmp_path: Path, case: Path, name: str = "report.html") -> tuple[str, Any]:
    out = tmp_path / name
    result = _repro(str(case), "--html", str(out))
    assert out.exists(), result.output
    return out.read_text(encoding="utf-8"), result


def test_the_file_is_written_and_the_text_report_still_printed(tmp_path: Path) -> None:
    html, result = _write_report(tmp_path, CASES / "wrong_token.yaml")
    assert result.exit_code == 0, result.output
    assert "Diagnosis" in result.stdout and "OneLogin System Log" in result.stdout
    assert f"Wrote {tmp_path / 'report.html'}" in result.stderr
    assert html.startswith("<!DOCTYPE html>")
    assert "A wrong SCIM Bearer Token fails the connection test" in html
    assert "The token pasted into SCIM Bearer Token is not one Wrike issued" in html
    page = _parse(html)
    assert "ada@acme.com" in page.sections


def test_the_file_is_self_contained(tmp_path: Path) -> None:
    """Nothing to fetch, nothing to run: the CSP meta, no script, no resource by URL."""
    html, _ = _write_report(tmp_path, CASES / "wrong_token.yaml")
    page = _parse(html)
    csp = [
        a.get("content")
        for tag, a in page.tags
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy"
    ]
    assert csp == ["default-src 'none'; style-src 'unsafe-inline'"]
    assert "<script" not in html.lower()
    assert not [tag for tag, _ in page.tags if tag in ("script", "link", "img", "iframe")]
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            assert not (name.startswith("on")), (tag, name)
            if name in ("src", "href", "action", "srcset", "data", "poster"):
                assert not re.match(r"\s*(https?:)?//", value or ""), (tag, name, value)
    style = "".join(re.findall(r"<style>(.*?)</style>", html, re.S))
    assert style and "url(" not in style and "@import" not in style


def test_what_the_case_and_the_provider_say_is_escaped(tmp_path: Path) -> None:
    """A description with a script, a title with markup and a user attribute Wrike stores
    and echoes back in its SCIM answer: all shown as text (and a Bearer value masked)."""
    case = tmp_path / "hostile.yaml"
    case.write_text(
        "case: A <b>bold</b> title\n"
        "description: |\n"
        "  <script>alert('case')</script> and </details> & more\n"
        "onelogin:\n"
        "  users:\n"
        "    - email: ada@acme.com\n"
        "      attributes:\n"
        '        Job title: "<img src=x onerror=alert(1)>"\n'
        "        Department: Bearer s3cr3t-t0ken-value\n"
        "timeline:\n"
        "  - action: assign\n"
        "    user: ada@acme.com\n"
        "    role: <i>Engineers</i>\n",
        encoding="utf-8",
    )
    html, result = _write_report(tmp_path, case)
    assert result.exit_code == 0, result.output
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "<b>bold</b>" not in html and "<i>Engineers" not in html
    assert "&lt;script&gt;alert(&#x27;case&#x27;)&lt;/script&gt;" in html
    assert "A &lt;b&gt;bold&lt;/b&gt; title" in html
    # The provider's answer echoes the first name: it is shown, escaped, in the bodies.
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    page = _parse(html)
    assert "<img src=x onerror=alert(1)>" in page.text_of("ada@acme.com")
    # A Bearer credential in what Wrike echoes is masked, as in the suite's reports.
    assert "s3cr3t-t0ken-value" not in html and "Bearer ****alue" in html


def test_an_existing_file_is_kept_without_force(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    out.write_text("the customer's notes\n", encoding="utf-8")
    refused = _repro(str(CASES / "wrong_token.yaml"), "--html", str(out))
    assert refused.exit_code == 2
    assert f"{out} exists: not overwritten (give --force to replace it" in refused.stderr
    assert refused.stdout == ""  # refused before the replay
    assert out.read_text(encoding="utf-8") == "the customer's notes\n"
    forced = _repro(str(CASES / "wrong_token.yaml"), "--html", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_export_feature_keeps_the_same_rule(tmp_path: Path) -> None:
    out = tmp_path / "case.feature"
    out.write_text("kept\n", encoding="utf-8")
    refused = _repro(str(CASES / "wrong_token.yaml"), "--export-feature", str(out))
    assert refused.exit_code == 2
    assert f"{out} exists: not overwritten (give --force to replace it" in refused.stderr
    assert out.read_text(encoding="utf-8") == "kept\n"


def test_html_and_export_feature_together_are_refused(tmp_path: Path) -> None:
    result = _repro(
        str(CASES / "wrong_token.yaml"),
        "--html",
        str(tmp_path / "r.html"),
        "--export-feature",
        str(tmp_path / "c.feature"),
    )
    assert result.exit_code == 2
    assert "--export-feature and --html cannot be given together" in result.stderr
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "c.feature").exists()


def test_a_directory_that_does_not_exist_is_a_clear_error(tmp_path: Path) -> None:
    out = tmp_path / "no such folder" / "report.html"
    result = _repro(str(CASES / "wrong_token.yaml"), "--html", str(out))
    assert result.exit_code == 2
    assert f"{out}: cannot write: No such file or directory" in result.stderr
    assert "Traceback" not in result.output


def test_two_runs_write_identical_bytes(tmp_path: Path) -> None:
    case = CASES / "missing_attributes.yaml"  # holds ids Wrike draws for created users
    first, _ = _write_report(tmp_path, case, "first.html")
    _repro(str(CASES / "wrong_token.yaml"), "--html", str(tmp_path / "other.html"))
    second, _ = _write_report(tmp_path, case, "second.html")
    assert (tmp_path / "first.html").read_bytes() == (tmp_path / "second.html").read_bytes()
    assert "/Users/" in first and first == second


def _path(url: str) -> str:
    parts = urlsplit(url)
    return unquote(parts.path) + (f"?{unquote(parts.query)}" if parts.query else "")


@pytest.mark.parametrize(
    "name", ["wrike_unavailable_then_retry", "deprovision_do_nothing", "revoked_token"]
)
def test_every_user_has_a_timeline_with_its_exchanges_and_diagnosis(
    tmp_path: Path, name: str
) -> None:
    """Checked against the --json document: each SCIM exchange logged for the user (method,
    path, status) and each app-wide one is in the user's section, in the System Log's order,
    and so is the user's diagnosis with what to change."""
    case = CASES / f"{name}.yaml"
    html, _ = _write_report(tmp_path, case)
    document = json.loads(_repro("--json", str(case)).stdout)
    page = _parse(html)
    emails = [d["email"] for d in document["diagnosis"]]
    assert sorted(page.sections) == sorted(emails) and emails
    for email in emails:
        text = page.text_of(email)
        expected = [
            " ".join(f"{x['method']} {_path(x['url'])} → {x['status']}".split())
            for e in document["system_log"]
            if e["user"] in (email, None)
            for x in e["scim_exchanges"]
        ]
        assert expected or name == "deprovision_do_nothing"
        at = 0
        for exchange in expected:
            found = text.find(exchange, at)
            assert found >= 0, (email, exchange)
            at = found + len(exchange)
        others = [
            x
            for e in document["system_log"]
            if e["user"] not in (email, None)
            for x in e["scim_exchanges"]
            if email not in x["url"] and email not in json.dumps(x["request_body"])
        ]
        for x in others:  # another user's requests stay in that user's timeline
            assert f"{x['method']} {_path(x['url'])} →" not in text
        diagnosis = next(d for d in document["diagnosis"] if d["email"] == email)
        assert f"Diagnosis: {diagnosis['cause']} ({diagnosis['meaning']})" in text
        assert " ".join(f"What to change: {diagnosis['fix']}".split()) in text


def test_the_wrike_state_follows_the_scim_answers(tmp_path: Path) -> None:
    """Absent before, active (Regular) once the POST created her, still active after the
    Do Nothing unassignment; and the end of the replay as Wrike lists its users."""
    html, _ = _write_report(tmp_path, CASES / "deprovision_do_nothing.yaml")
    text = _parse(html).text_of("ada@acme.com")
    states = re.findall(r"Wrike after (\w+(?: \(\w+\))?)", text)
    assert states == ["absent", "active (Regular)", "active (Regular)"]
    assert "timeline[0] assign" in text and "timeline[1] unassign" in text
    assert "POST /scim/1/v2/Users → 201" in text
    assert "End of the replay Wrike shows the user as active (Regular), via SCIM" in text


def test_a_wrike_side_step_is_in_the_timeline(tmp_path: Path) -> None:
    """Revoking the token happens in Wrike: no System Log event, but a step of its own
    before the failing request."""
    html, _ = _write_report(tmp_path, CASES / "revoked_token.yaml")
    text = _parse(html).text_of("ada@acme.com")
    revoke = text.find("revoke_token")
    assert revoke >= 0 and "An action in Wrike: OneLogin logged nothing." in text
    assert text.find("→ 401", revoke) > revoke


def test_the_expectations_are_listed_met_or_not(tmp_path: Path) -> None:
    case = tmp_path / "unmet.yaml"
    case.write_text(
        (CASES / "wrong_token.yaml")
        .read_text(encoding="utf-8")
        .replace("wrike: absent", "wrike: active"),
        encoding="utf-8",
    )
    html, result = _write_report(tmp_path, case)
    assert result.exit_code == 1  # written all the same
    assert "Expectations: not all met" in html
    rows = re.findall(r"<tr><td>(\d+)</td><td>[^<]*</td><td>(\w+)</td>.*?class=\"([\w-]+)\"", html)
    assert ("18", "wrike", "not-met") in rows and ("22", "diagnosis", "met") in rows
    assert "expected Wrike to show the user as active, got absent" in html


def test_a_suspension_and_a_user_already_in_wrike_show_in_the_states(tmp_path: Path) -> None:
    """Ada is created, then suspended (the suspension action deactivates her in Wrike);
    Grace was in Wrike before OneLogin, and OneLogin's search finds and links her."""
    case = tmp_path / "suspended.yaml"
    case.write_text(
        "case: Suspended in OneLogin, deactivated in Wrike\n"
        "wrike:\n"
        "  users:\n"
        "    - email: grace@acme.com\n"
        "onelogin:\n"
        "  users:\n"
        "    - email: ada@acme.com\n"
        "    - email: grace@acme.com\n"
        "timeline:\n"
        "  - action: assign\n"
        "    user: ada@acme.com\n"
        "    role: Engineering\n"
        "  - action: suspend\n"
        "    user: ada@acme.com\n"
        "  - action: assign\n"
        "    user: grace@acme.com\n"
        "    role: Engineering\n",
        encoding="utf-8",
    )
    html, result = _write_report(tmp_path, case)
    assert result.exit_code == 0, result.output
    page = _parse(html)
    ada, grace = page.text_of("ada@acme.com"), page.text_of("grace@acme.com")
    assert re.findall(r"Wrike after (\w+(?: \(\w+\))?)", ada) == [
        "absent",
        "active (Regular)",
        "deactivated (Regular)",
    ]
    assert "End of the replay Wrike shows the user as deactivated (Regular)" in ada
    assert re.findall(r"Wrike after (in Wrike|\w+(?: \(\w+\))?)", grace) == [
        "in Wrike",
        "active (Regular)",
    ]
    assert "timeline[1] suspend" not in grace  # Ada's step is not in Grace's timeline

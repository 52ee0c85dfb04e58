"""``harness up`` sets up SAML SSO on both sides by default, says where each side's metadata
is (banner and ``harness-up.json``: ``onelogin.saml.metadata_url``, ``wrike.saml.metadata_url``),
and reads that state from the apps at every start, so a change or a move shows."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from lxml import etree

from harness.up import CREDENTIALS, Running, start, summary
from tests.independent_sp import forms
from webguard.saml import NS_METADATA


def up(data: Path, wrike_port: int = 0, onelogin_port: int = 0) -> Running:
    return start(data, "127.0.0.1", wrike_port, onelogin_port, threads=2)


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/")[0])


def provisioned(info: dict[str, Any], email: str, timeout: float = 15) -> None:
    wrike = info["wrike"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = requests.get(
            f"{wrike['scim_url']}/Users",
            params={"filter": f'userName eq "{email}"'},
            headers={"Authorization": f"Bearer {wrike['scim_token']}"},
            timeout=5,
        ).json()
        if found["totalResults"] == 1:
            return
        time.sleep(0.1)
    raise AssertionError(f"{email} was not provisioned within {timeout}s")


def signs_in(info: dict[str, Any], email: str = "ada@acme.example") -> requests.Response:
    """An SP-initiated login over real HTTP, as a browser makes it; Wrike's last answer."""
    session = requests.Session()
    _, posted = forms.sp_initiated(
        session,
        info["wrike"]["url"],
        info["wrike"]["account_id"],
        email,
        info["onelogin"]["users_password"],
    )
    return forms.post_form(session, posted)


def entity_id(url: str) -> str:
    answer = requests.get(url, timeout=5)
    assert answer.status_code == 200, (url, answer.text)
    root = etree.fromstring(answer.content)
    assert root.tag == f"{{{NS_METADATA}}}EntityDescriptor", root.tag
    return str(root.get("entityID"))


def test_up_wires_sso_both_ways_and_names_both_metadata_urls(tmp_path: Path) -> None:
    running = up(tmp_path)
    try:
        banner = "\n".join(summary(running, tmp_path))
        kept = json.loads((tmp_path / CREDENTIALS).read_text())
        idp_url = kept["onelogin"]["saml"]["metadata_url"]
        sp_url = kept["wrike"]["saml"]["metadata_url"]
        assert f"IdP metadata: {idp_url}" in banner
        assert f"SP metadata:  {sp_url}" in banner
        assert idp_url.startswith(kept["onelogin"]["url"] + "/saml/metadata/")
        # Each side holds the other's values: the IdP app's audience is the SP's entity id,
        # Wrike expects the IdP that the IdP metadata names.
        assert kept["onelogin"]["saml"]["audience"] == entity_id(sp_url)
        assert kept["wrike"]["saml"]["idp_entity_id"] == entity_id(idp_url)
        assert kept["wrike"]["saml"]["mode"] == "optional" and kept["wrike"]["saml"]["jit"] is False
        assert "mode optional, JIT off" in banner and "hide a provisioning gap" in banner
        assert "problem:" not in banner
        # And it works: ada, provisioned by OneLogin, signs in to Wrike through SSO.
        provisioned(running.info, "ada@acme.example")
        home = signs_in(running.info)
        assert home.status_code == 200, home.text[:500]
        assert home.url.startswith(kept["wrike"]["url"]) and "/login" not in home.url
        assert "ada@acme.example" in home.text
    finally:
        running.stop()


@pytest.mark.slow
def test_a_resume_on_other_ports_wires_sso_again_and_a_console_change_shows(
    tmp_path: Path,
) -> None:
    running = up(tmp_path)
    running.stop()
    old = running.info
    running = up(tmp_path)  # port 0 again: both sides move
    try:
        info = running.info
        assert port_of(info["wrike"]["url"]) != port_of(old["wrike"]["url"])
        banner = "\n".join(summary(running, tmp_path))
        assert any("SAML SSO wired again" in note for note in running.notes)
        assert info["onelogin"]["saml"]["metadata_url"].startswith(info["onelogin"]["url"])
        assert info["wrike"]["saml"]["metadata_url"].startswith(info["wrike"]["url"])
        assert f"IdP metadata: {info['onelogin']['saml']['metadata_url']}" in banner
        assert "problem:" not in banner
        provisioned(info, "ada@acme.example")
        assert "ada@acme.example" in signs_in(info).text
        # An admin points the app's audience elsewhere in OneLogin's console.
        sim = info["onelogin"]["simulator_api"]
        changed = requests.put(
            f"{sim['url']}/apps/{info['onelogin']['wrike_app_id']}/saml",
            json={"audience": "https://www.wrike.com/saml/other"},
            headers={"Authorization": f"Bearer {sim['key']}"},
            timeout=5,
        )
        assert changed.status_code == 200, changed.text
        ports = port_of(info["wrike"]["url"]), port_of(info["onelogin"]["url"])
    finally:
        running.stop()
    running = up(tmp_path, *ports)  # same ports: nothing is re-wired, the change shows
    try:
        banner = "\n".join(summary(running, tmp_path))
        assert (
            "problem:      the Wrike app's SAML audience is https://www.wrike.com/saml/other"
            in banner
        )
        kept = json.loads((tmp_path / CREDENTIALS).read_text())
        assert kept["wrike"]["saml"]["problems"], kept["wrike"]["saml"]
    finally:
        running.stop()

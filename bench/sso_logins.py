"""SAML SSO logins per second, in-process, against the cost of signing and verifying alone.

Not a test. Runs in one sitting and prints both rates and their ratio:

* SSO login, end to end (SP-initiated, the user already signed in at OneLogin, as a person
  is after the first login of the day): Wrike's login page for the user's email makes an
  AuthnRequest and redirects to OneLogin's SSO URL (HTTP-Redirect binding); OneLogin checks
  the request and the user's access to the Wrike app, writes a Response with a signed
  assertion and answers with the auto-posting form; the form goes to Wrike's ACS, which
  verifies the signature and every condition (issuer, audience, recipient, time window,
  InResponseTo, replay), finds the member and opens a page session. Every request goes
  straight into the WSGI apps (a ``requests`` session with both apps mounted; no port), so
  what is measured is the two apps' work, HTTP parsing aside;
* the baseline: the same assertion (taken from one of those Responses, its signature
  removed) signed and verified with signxml alone (RSA-SHA256, exclusive c14n, a key of the
  IdP certificate's size), once each per iteration: what any SSO login must pay for its
  cryptography and XML canonicalisation.

The two alternate round by round (``--repeat`` rounds of ``--logins`` each), so a busy
machine slows both alike; the best round of each is printed.

    .venv/bin/python bench/sso_logins.py [--logins 200] [--repeat 5]

The ratio travels between machines; the rates do not.
"""

from __future__ import annotations

import argparse
import base64
import copy
import datetime as dt
import secrets
import sys
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree, html
from signxml import SignatureMethod, XMLSigner, XMLVerifier

from harness.up import wire_sso
from mock_onelogin import OneLoginConfig
from mock_onelogin import create_app as create_onelogin
from mock_onelogin.transport import WSGIAdapter
from webguard.saml import NS_ASSERTION, NS_DSIG
from wrike_sp import WrikeConfig
from wrike_sp import create_app as create_wrike
from wrike_sp.demo import seed_demo_account

OL = "http://onelogin.bench"
WRIKE = "http://wrike.bench"
EMAIL = "ada@acme.example"
PASSWORD = secrets.token_urlsafe(12)
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"


@dataclass
class World:
    wrike: Any
    onelogin: Any
    account_id: int
    idp_cookies: requests.cookies.RequestsCookieJar


def browser(world: World) -> requests.Session:
    """A fresh browser: both apps mounted, no Wrike cookie, OneLogin's session cookie kept."""
    session = requests.Session()
    session.trust_env = False
    session.mount(OL + "/", WSGIAdapter(world.onelogin))
    session.mount(WRIKE + "/", WSGIAdapter(world.wrike))
    session.cookies.update(world.idp_cookies)
    return session


def form_fields(page: requests.Response) -> tuple[str, dict[str, str], str | None, str | None]:
    """The page's first form: its action, hidden values, and the names of its login and
    password boxes (None when it has none)."""
    form = html.fromstring(page.content).forms[0]
    fields, login, password = {}, None, None
    for element in form.inputs:
        name, kind = element.get("name"), (element.get("type") or "text").lower()
        if not name or kind in ("submit", "button", "checkbox", "radio"):
            continue
        fields[name] = element.get("value") or ""
        if kind == "password":
            password = name
        elif kind in ("text", "email") and login is None:
            login = name
    action = urljoin(page.url, form.get("action") or page.url)
    return action, fields, login, password


def build() -> World:
    admin_key, simulator_key = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    wrike = create_wrike(
        WrikeConfig(
            database=":memory:",
            public_url=WRIKE,
            admin_key=admin_key,
            secret_key=secrets.token_urlsafe(16),
        )
    )
    onelogin = create_onelogin(
        OneLoginConfig(
            public_url=OL, simulator_key=simulator_key, secret_key=secrets.token_urlsafe(16)
        )
    )
    demo = seed_demo_account(wrike.extensions["wrike"].accounts, domain="acme.example")
    account = onelogin.extensions["mock_onelogin"]
    app_id = account.apps.wrike_app_id()
    user = account.directory.create_user(
        {
            "username": EMAIL,
            "email": EMAIL,
            "firstname": "Ada",
            "lastname": "Lovelace",
            "status": 1,
            "password": PASSWORD,
        }
    )
    account.directory.create_role({"name": "Wrike users", "apps": [app_id], "users": [user["id"]]})
    wire_sso(
        wrike,
        onelogin,
        account_id=demo.account_id,
        app_id=app_id,
        admin_key=admin_key,
        simulator_key=simulator_key,
        first=True,
    )
    world = World(wrike, onelogin, demo.account_id, requests.cookies.RequestsCookieJar())
    session = browser(world)
    # The member, as SCIM would have made it (the bench is about signing in, not provisioning).
    made = session.post(
        f"{WRIKE}{demo.scim_path}/Users",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": EMAIL,
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [{"value": EMAIL, "primary": True}],
            "active": True,
        },
        headers={"Authorization": f"Bearer {demo.token}"},
    )
    assert made.status_code == 201, made.text
    # Sign in at OneLogin once, through its login page; every login below rides that session.
    page = session.get(f"{OL}/login")
    action, fields, login, password = form_fields(page)
    assert login and password, f"no login form at {page.url}"
    signed = session.post(action, data={**fields, login: EMAIL, password: PASSWORD})
    assert signed.status_code == 200, signed.text[:500]
    world.idp_cookies = copy.copy(session.cookies)
    return world


def sso_login(world: World) -> requests.Response:
    """One SP-initiated login; returns Wrike's answer to the posted assertion (a redirect
    home with the page session's cookie)."""
    session = browser(world)
    page = session.get(f"{WRIKE}/saml/{world.account_id}/login", params={"email": EMAIL})
    action, fields, _, _ = form_fields(page)
    return session.post(action, data=fields, allow_redirects=False)


def check_signed_in(world: World) -> bytes:
    """One login checked as a person would: it lands signed in on Wrike. Returns the
    assertion it carried, for the baseline."""
    session = browser(world)
    page = session.get(f"{WRIKE}/saml/{world.account_id}/login", params={"email": EMAIL})
    action, fields, _, _ = form_fields(page)
    assert "SAMLResponse" in fields, f"OneLogin answered without a SAMLResponse: {page.text[:500]}"
    home = session.post(action, data=fields)
    assert home.status_code == 200 and "/login" not in home.url, (home.url, home.text[:500])
    response = etree.fromstring(base64.b64decode(fields["SAMLResponse"]))
    found = response.find(f"{{{NS_ASSERTION}}}Assertion")
    assert found is not None
    for signature in found.findall(f"{{{NS_DSIG}}}Signature"):
        found.remove(signature)
    etree.SubElement(
        found, f"{{{NS_DSIG}}}Signature", attrib={"Id": "placeholder"}, nsmap={"ds": NS_DSIG}
    )
    # The placeholder goes where the IdP put its signature: right after the Issuer.
    issuer = found.find(f"{{{NS_ASSERTION}}}Issuer")
    placeholder = found[-1]
    found.remove(placeholder)
    (issuer if issuer is not None else found[0]).addnext(placeholder)
    return bytes(etree.tostring(found))


def key_like_the_idp(world: World) -> tuple[bytes, bytes]:
    """A key and certificate of the size of the IdP's signing certificate."""
    client = world.onelogin.test_client()
    app_id = world.onelogin.extensions["mock_onelogin"].apps.wrike_app_id()
    metadata = etree.fromstring(client.get(f"/saml/metadata/{app_id}").data)
    cert_text = metadata.findtext(f".//{{{NS_DSIG}}}X509Certificate")
    size = 2048
    if cert_text:
        der = base64.b64decode("".join(cert_text.split()))
        size = x509.load_der_x509_certificate(der).public_key().key_size  # type: ignore[union-attr]
    key = rsa.generate_private_key(public_exponent=65537, key_size=size)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bench")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem_key, cert.public_bytes(serialization.Encoding.PEM)


def sign_and_verify(unsigned: bytes, key: bytes, cert: bytes) -> None:
    signed = XMLSigner(
        signature_algorithm=SignatureMethod.RSA_SHA256, c14n_algorithm=EXC_C14N
    ).sign(etree.fromstring(unsigned), key=key, cert=cert)
    XMLVerifier().verify(etree.tostring(signed), x509_cert=cert.decode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=200, help="logins per round")
    parser.add_argument("--repeat", type=int, default=5, help="rounds of each")
    options = parser.parse_args()
    world = build()
    unsigned = check_signed_in(world)
    key, cert = key_like_the_idp(world)
    for _ in range(10):  # warm both paths
        assert sso_login(world).status_code in (302, 303)
        sign_and_verify(unsigned, key, cert)
    best = {"sso": float("inf"), "crypto": float("inf")}
    for _ in range(options.repeat):
        started = time.perf_counter()
        for _ in range(options.logins):
            answer = sso_login(world)
        best["sso"] = min(best["sso"], time.perf_counter() - started)
        assert answer.status_code in (302, 303), answer.text[:500]
        started = time.perf_counter()
        for _ in range(options.logins):
            sign_and_verify(unsigned, key, cert)
        best["crypto"] = min(best["crypto"], time.perf_counter() - started)
    check_signed_in(world)  # still signing people in after all those logins
    sso, crypto = options.logins / best["sso"], options.logins / best["crypto"]
    print(f"best of {options.repeat} rounds of {options.logins}, in one sitting ({sys.executable})")
    print(f"  SSO login end to end (in-process)      {sso:8.1f} logins/s")
    print(f"  signxml sign + verify alone (baseline) {crypto:8.1f} /s")
    print(f"  an SSO login costs {crypto / sso:.2f}x its signing and verifying")


if __name__ == "__main__":
    main()

"""SAML SSO logins per second, in-process, against the cost of signing and verifying alone.

Not a test. Runs in one sitting and prints both rates and their ratio:

* SSO login, end to end (SP-initiated, the user already signed in at OneLogin, as a person
  is after the first login of the day): Wrike's SSO start for the user's email
  (``/saml/ACC/login``) makes an AuthnRequest and redirects to OneLogin's SSO URL
  (HTTP-Redirect binding); OneLogin checks the request and the user's access to the Wrike
  app, writes a Response with a signed assertion and answers with the auto-posting form; the
  form goes to Wrike's ACS, which verifies the signature and every condition (issuer,
  audience, recipient, time window, InResponseTo, replay), finds the member, opens a page
  session and sends the browser to its first page, which is read signed in. The browser is
  the suite's own (``harness.sso.Browser``, cookies per origin), and every request goes
  straight into the WSGI apps (``harness.sso.in_process_session``; no port), so what is
  measured is the two apps' work and the browser's page reading, HTTP parsing aside;
* the baseline: the same assertion (taken from one of those Responses, its signature
  removed) signed and verified with signxml alone (RSA-SHA256, exclusive c14n, a key of the
  IdP certificate's size, loaded once), once each per iteration: what any SSO login must pay
  for its cryptography and XML canonicalisation;
* a third line, the baseline with the key handed to signxml as PEM (loaded, and its RSA key
  checked by cryptography, for every signature), over a tenth of the iterations: it shows
  what an IdP pays when it does not keep its loaded key.

The figures alternate round by round (``--repeat`` rounds of ``--logins`` each), so a busy
machine slows them alike; the best round of each is printed.

    .venv/bin/python bench/sso_logins.py [--logins 200] [--repeat 5]

The ratios travel between machines; the rates do not.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import secrets
import sys
import time
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import SignatureMethod, XMLSigner, XMLVerifier

from harness.sso import Browser, Outcome, in_process_session
from harness.up import wire_sso
from mock_onelogin import OneLoginConfig
from mock_onelogin import create_app as create_onelogin
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
    browser: Browser

    def fresh_wrike_session(self) -> None:
        """Forget Wrike's cookies, keep OneLogin's: the next login starts signed out of Wrike
        and rides the OneLogin session, as a person's next login of the day does."""
        self.browser.cookies.pop(WRIKE, None)


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
    session = in_process_session({OL: onelogin, WRIKE: wrike})
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
    world = World(wrike, onelogin, demo.account_id, Browser(session, WRIKE, OL))
    # The first login of the day goes through OneLogin's login page (the password); every
    # login measured below rides that OneLogin session.
    first = world.browser.sp_initiated_direct(world.account_id, EMAIL, PASSWORD)
    assert first.signed_in, first.describe()
    return world


def sso_login(world: World) -> Outcome:
    """One SP-initiated login, from Wrike's SSO start to Wrike's first page signed in."""
    world.fresh_wrike_session()
    return world.browser.sp_initiated_direct(world.account_id, EMAIL, PASSWORD)


def unsigned_assertion(saml_response: str) -> bytes:
    """The assertion of a Response, its signature taken out and a placeholder left where the
    IdP put it (after the Issuer), for signxml to sign again."""
    response = etree.fromstring(base64.b64decode(saml_response))
    found = response.find(f"{{{NS_ASSERTION}}}Assertion")
    assert found is not None, "the Response holds no Assertion"
    for signature in found.findall(f"{{{NS_DSIG}}}Signature"):
        found.remove(signature)
    placeholder = etree.Element(
        f"{{{NS_DSIG}}}Signature", attrib={"Id": "placeholder"}, nsmap={"ds": NS_DSIG}
    )
    issuer = found.find(f"{{{NS_ASSERTION}}}Issuer")
    if issuer is not None:
        issuer.addnext(placeholder)
    else:
        found.insert(0, placeholder)
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


def sign_and_verify(unsigned: bytes, key: Any, cert: bytes) -> None:
    """``key``: a loaded key (what signing costs), or its PEM (signxml then loads it, and
    cryptography checks the RSA key, for every signature)."""
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
    checked = sso_login(world)
    assert checked.signed_in and checked.name_id == EMAIL, checked.describe()
    assert checked.saml_response is not None
    unsigned = unsigned_assertion(checked.saml_response)
    pem, cert = key_like_the_idp(world)
    key = serialization.load_pem_private_key(pem, password=None)
    for _ in range(10):  # warm both paths
        assert sso_login(world).signed_in
        sign_and_verify(unsigned, key, cert)
    # The third figure explains the first: loading the key from PEM for each signature.
    from_pem = max(1, options.logins // 10)
    best = {"sso": float("inf"), "crypto": float("inf"), "pem": float("inf")}
    for _ in range(options.repeat):
        started = time.perf_counter()
        for _ in range(options.logins):
            outcome = sso_login(world)
        best["sso"] = min(best["sso"], (time.perf_counter() - started) / options.logins)
        assert outcome.signed_in, outcome.describe()  # the last of the round, as a person sees it
        started = time.perf_counter()
        for _ in range(options.logins):
            sign_and_verify(unsigned, key, cert)
        best["crypto"] = min(best["crypto"], (time.perf_counter() - started) / options.logins)
        started = time.perf_counter()
        for _ in range(from_pem):
            sign_and_verify(unsigned, pem, cert)
        best["pem"] = min(best["pem"], (time.perf_counter() - started) / from_pem)
    print(
        f"best of {options.repeat} rounds of {options.logins} ({from_pem} for the last line), "
        f"in one sitting ({sys.executable})"
    )
    print(f"  SSO login end to end (in-process)        {1 / best['sso']:8.1f} logins/s")
    print(f"  signxml sign + verify alone (baseline)   {1 / best['crypto']:8.1f} /s")
    print(
        f"  an SSO login costs {best['sso'] / best['crypto']:.2f}x its signing and verifying alone"
    )
    print(
        f"  the same with the key loaded from PEM    {1 / best['pem']:8.1f} /s "
        f"({best['pem'] / best['crypto']:.1f}x the baseline: the RSA key check on every load)"
    )


if __name__ == "__main__":
    main()

"""SAML SSO with Wrike as the service provider: the account's SSO settings, the SP metadata,
the AuthnRequest of an SP-initiated login, and the ACS's checks of a Response, in the order and
with the reason codes of ``docs/sso.md``.

What is Wrike's and what is a modelling choice is said where each rule lives (constants in
``modelling``). The XML security is libraries': the untrusted text is parsed by
``webguard.saml.parse_untrusted`` (no DTD, no entities, no network), the signature is verified
by signxml against each certificate Wrike holds from the IdP's metadata (the certificate in
the signature's KeyInfo is never trusted; it only tells a rotated certificate from an altered
assertion), and every value the ACS uses is read from the element signxml returns as signed,
re-parsed from its canonical form, so no unsigned element (a wrapped second Assertion, a
comment splitting the NameID) can reach a decision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlencode

from webguard import saml
from wrike_sp.domain import modelling
from wrike_sp.domain.clock import Clock, stamp
from wrike_sp.domain.errors import AdminError
from wrike_sp.domain.records import UserRow
from wrike_sp.domain.users import is_email, key

if TYPE_CHECKING:
    from lxml import etree

    from wrike_sp.domain.accounts import AccountAdmin

MODES = ("off", "optional", "enforced")
#: The identity providers the settings page offers (Wrike's set-up asks which one first).
PROVIDERS: dict[str, str] = {"onelogin": "OneLogin", "other": "Other SAML 2.0 identity provider"}

#: Each reason of docs/sso.md: what it means in plain words, and what to change.
REASONS: dict[str, tuple[str, str]] = {
    "malformed": (
        "The sign-in message from the identity provider is not a SAML Response Wrike can read.",
        "Check that the identity provider posts a SAML 2.0 Response (HTTP-POST binding) to "
        "Wrike's ACS URL.",
    ),
    "sso_off": (
        "SAML SSO is not enabled for this Wrike account.",
        "An admin with 'Configure advanced security settings' enables SSO under Security > "
        "SAML SSO, or the user logs in with a password.",
    ),
    "status_not_success": (
        "The identity provider answered that the sign-in did not succeed.",
        "Look at the identity provider's log for why it refused the user.",
    ),
    "unsigned": (
        "No signature covers the assertion: Wrike accepts only signed assertions.",
        "Make the identity provider sign the assertion (or the whole Response).",
    ),
    "certificate_mismatch": (
        "The assertion is signed with a certificate Wrike does not hold (the identity "
        "provider's certificate was probably rotated).",
        "Paste the identity provider's current metadata into Wrike's SAML SSO settings.",
    ),
    "signature_invalid": (
        "The assertion's signature does not verify: the message was altered after signing.",
        "Nothing to change in the settings: the Response was tampered with or broken in transit.",
    ),
    "issuer_mismatch": (
        "The assertion comes from an identity provider other than the one in Wrike's settings.",
        "Paste the metadata of the identity provider the users sign in with.",
    ),
    "audience_mismatch": (
        "The assertion is meant for another service (its Audience is not Wrike's entity id).",
        "Set the app's Audience in the identity provider to Wrike's SP entity id.",
    ),
    "recipient_mismatch": (
        "The assertion is addressed to another URL (its Recipient is not Wrike's ACS).",
        "Set the app's Recipient / ACS (consumer) URL in the identity provider to Wrike's ACS URL.",
    ),
    "not_yet_valid": (
        "The assertion is not valid yet: the identity provider's clock is ahead of Wrike's.",
        "Correct the identity provider's clock.",
    ),
    "expired": (
        "The assertion has expired (or the identity provider's clock is behind Wrike's).",
        "Sign in again; if it keeps happening, correct the identity provider's clock.",
    ),
    "in_response_to_unknown": (
        "The assertion answers a sign-in request Wrike did not send, or one already answered.",
        "Start the sign-in again from Wrike's login page or the identity provider's portal.",
    ),
    "replayed": (
        "This assertion was already used to sign in.",
        "Start the sign-in again: each assertion signs in once.",
    ),
    "unknown_user": (
        "No Wrike member has the email the identity provider sent as its login.",
        "Provision the user (SCIM) or switch on just-in-time provisioning; check that the "
        "NameID the identity provider sends is the user's Wrike email.",
    ),
    "user_deactivated": (
        "The Wrike member is deactivated.",
        "Reactivate the member in Wrike (or in OneLogin, which provisions the change).",
    ),
    "domain_not_approved": (
        "The user's email domain is not an approved domain of the Wrike account.",
        "Add the domain under Approved domains.",
    ),
    "password_login_enforced": (
        "SAML SSO is enforced for this account: members at its approved domains sign in "
        "through the identity provider, not with a password.",
        "Use 'Next' with your email to sign in through SSO, or ask an admin to set SSO to "
        "optional.",
    ),
}


@dataclass(frozen=True)
class IdpCertificate:
    pem: str
    fingerprint_sha256: str
    not_after: str


@dataclass(frozen=True)
class IdpSettings:
    """What Wrike keeps from the IdP metadata an admin pasted."""

    entity_id: str
    sso_url: str
    certificates: tuple[IdpCertificate, ...]

    def as_stored(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "sso_url": self.sso_url,
            "certificates": [
                {"pem": c.pem, "fingerprint_sha256": c.fingerprint_sha256, "not_after": c.not_after}
                for c in self.certificates
            ],
        }

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> IdpSettings:
        return cls(
            stored["entity_id"],
            stored["sso_url"],
            tuple(IdpCertificate(**c) for c in stored["certificates"]),
        )


@dataclass(frozen=True)
class SsoSettings:
    mode: str
    jit: bool
    idp: IdpSettings | None
    provider: str = "onelogin"

    @property
    def on(self) -> bool:
        return self.mode != "off" and self.idp is not None


OFF = SsoSettings("off", False, None)


class SsoRefused(Exception):
    """The ACS refuses the Response: ``reason`` is docs/sso.md's code, ``detail`` the facts."""

    def __init__(
        self,
        reason: str,
        detail: str,
        name_id: str | None = None,
        member_id: str | None = None,
    ) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.name_id = name_id
        self.member_id = member_id

    @property
    def meaning(self) -> str:
        return REASONS[self.reason][0]

    @property
    def what_to_change(self) -> str:
        return REASONS[self.reason][1]


@dataclass(frozen=True)
class SsoRoute:
    """Where the login page sends an email that signs in through SSO."""

    account_id: int
    mode: str


class SsoStore(Protocol):
    """What SSO needs of the store (``WrikeStore`` has it)."""

    def account(self, account_id: int) -> dict[str, Any] | None: ...
    def approved_domains(self, account_id: int) -> list[str]: ...
    def domain_accounts(self, domain: str) -> list[int]: ...
    def user_by_login(self, account_id: int, login_key: str) -> UserRow | None: ...
    def memberships(self, login_key: str) -> list[UserRow]: ...
    def sso_settings(self, account_id: int) -> dict[str, Any] | None: ...
    def sso_accounts(self) -> list[int]: ...

    def save_sso_settings(
        self,
        account_id: int,
        mode: str,
        jit: bool,
        provider: str,
        idp: dict[str, Any] | None,
        at: str,
    ) -> None: ...

    def add_saml_request(
        self, request_id: str, account_id: int, created: str, expires: str
    ) -> None: ...

    def take_saml_request(self, request_id: str, account_id: int, now: str) -> bool: ...
    def use_assertion(self, account_id: int, assertion_id: str, expires: str, now: str) -> bool: ...

    def record_sso_attempt(
        self,
        account_id: int,
        at: str,
        outcome: str,
        reason: str | None,
        name_id: str | None,
        member_id: str | None,
        detail: str,
    ) -> None: ...

    def sso_attempts(self, account_id: int, limit: int) -> list[dict[str, Any]]: ...


# -- IdP metadata ---------------------------------------------------------------------------


def _metadata_error(message: str) -> AdminError:
    return AdminError(
        400,
        "invalid_idp_metadata",
        f"The IdP metadata was refused: {message}. Paste the identity provider's SAML metadata "
        "XML as it is downloaded (in OneLogin: the Wrike app, More Actions > SAML Metadata).",
    )


def _xpath(element: etree._Element, expression: str) -> list[Any]:
    found = element.xpath(expression, namespaces=saml.NAMESPACES)
    return list(found) if isinstance(found, list) else []


def _text(element: etree._Element | None) -> str:
    """An element's own text with every text node joined (a comment inside splits lxml's
    ``.text``: ``alice@acme.com<!---->.evil.com`` must read as the whole value)."""
    if element is None:
        return ""
    return "".join(str(t) for t in _xpath(element, "text()")).strip()


def certificate_facts(pem_or_base64: str) -> IdpCertificate:
    """A certificate as Wrike shows it (``webguard.saml.certificate_facts``, NotAfter in the
    admin API's time form); ``ValueError`` when it is not an X.509 certificate."""
    facts = saml.certificate_facts(pem_or_base64)
    return IdpCertificate(
        pem=facts.pem,
        fingerprint_sha256=facts.fingerprint_sha256,
        not_after=stamp(facts.not_after),
    )


def parse_idp_metadata(text: Any) -> IdpSettings:
    """The IdP's entity id, Redirect-binding SSO URL and signing certificates, or a 400 naming
    what is missing."""
    if not isinstance(text, str) or not text.strip():
        raise _metadata_error("it is empty")
    try:
        root = saml.parse_untrusted(text.strip())
    except saml.UnsafeXML as error:
        raise _metadata_error(str(error)) from None
    ns = saml.NAMESPACES
    md = f"{{{saml.NS_METADATA}}}"
    if root.tag == f"{md}EntitiesDescriptor":
        found = _xpath(root, "md:EntityDescriptor[md:IDPSSODescriptor]")
        if len(found) != 1:
            raise _metadata_error("it should describe exactly one identity provider")
        root = found[0]
    if root.tag != f"{md}EntityDescriptor":
        raise _metadata_error("it is not SAML 2.0 metadata (no md:EntityDescriptor)")
    entity_id = (root.get("entityID") or "").strip()
    if not entity_id:
        raise _metadata_error("the EntityDescriptor has no entityID")
    idp = root.find("md:IDPSSODescriptor", namespaces=ns)
    if idp is None:
        raise _metadata_error(
            "it has no IDPSSODescriptor (is this the metadata of a service provider?)"
        )
    sso_url = ""
    for service in idp.findall("md:SingleSignOnService", namespaces=ns):
        if service.get("Binding") == saml.BINDING_REDIRECT:
            sso_url = (service.get("Location") or "").strip()
            break
    if not sso_url.startswith(("https://", "http://")):
        raise _metadata_error("it has no SingleSignOnService for the HTTP-Redirect binding")
    certificates: list[IdpCertificate] = []
    for descriptor in idp.findall("md:KeyDescriptor", namespaces=ns):
        if descriptor.get("use") not in (None, "signing"):
            continue
        for node in descriptor.findall("ds:KeyInfo/ds:X509Data/ds:X509Certificate", namespaces=ns):
            try:
                facts = certificate_facts(_text(node))
            except ValueError:
                raise _metadata_error(
                    "a signing certificate in it is not an X.509 certificate"
                ) from None
            if facts.fingerprint_sha256 not in {c.fingerprint_sha256 for c in certificates}:
                certificates.append(facts)
    if not certificates:
        raise _metadata_error('it has no signing certificate (KeyDescriptor use="signing")')
    return IdpSettings(entity_id, sso_url, tuple(certificates))


# -- the service -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedIn:
    member: UserRow
    relay_state: str | None
    created: bool


class Sso:
    """SAML SSO of every account."""

    def __init__(self, store: SsoStore, accounts: AccountAdmin, clock: Clock) -> None:
        self.store = store
        self.accounts = accounts
        self.clock = clock

    # -- settings ---------------------------------------------------------------------------

    def _account(self, account_id: int) -> dict[str, Any]:
        account = self.store.account(account_id)
        if account is None:
            raise AdminError(404, "account_not_found", f"No Wrike account {account_id}")
        return account

    def settings(self, account_id: int) -> SsoSettings:
        stored = self.store.sso_settings(account_id)
        if stored is None:
            return OFF
        idp = IdpSettings.from_stored(stored["idp"]) if stored["idp"] else None
        return SsoSettings(stored["mode"], stored["jit"], idp, stored["provider"])

    def effective(self, account_id: int) -> SsoSettings:
        """The settings as they apply now: off on a plan without SSO."""
        account = self.store.account(account_id)
        if account is None or account["plan"] not in modelling.SSO_PLANS:
            return OFF
        return self.settings(account_id)

    @staticmethod
    def entity_id(account_id: int, base_url: str) -> str:
        return base_url.rstrip("/") + modelling.SAML_BASE_PATH.format(account_id=account_id)

    def acs_url(self, account_id: int, base_url: str) -> str:
        return self.entity_id(account_id, base_url) + "/acs"

    def view(self, account_id: int, base_url: str) -> dict[str, Any]:
        """The admin API's shape (docs/sso.md)."""
        account = self._account(account_id)
        settings = self.settings(account_id)
        entity = self.entity_id(account_id, base_url)
        idp = settings.idp
        return {
            "mode": settings.mode,
            "jit": settings.jit,
            "provider": settings.provider,
            "sp_entity_id": entity,
            "sp_metadata_url": entity + "/metadata",
            "acs_url": entity + "/acs",
            "sso_available": account["plan"] in modelling.SSO_PLANS,
            "idp": None
            if idp is None
            else {
                "entity_id": idp.entity_id,
                "sso_url": idp.sso_url,
                "certificates": [
                    {"fingerprint_sha256": c.fingerprint_sha256, "not_after": c.not_after}
                    for c in idp.certificates
                ],
            },
        }

    def update(self, account_id: int, body: dict[str, Any], base_url: str) -> dict[str, Any]:
        """Any of ``idp_metadata_xml``, ``mode``, ``jit``; on a plan with SSO only, and a mode
        other than off only with an IdP."""
        account = self._account(account_id)
        if account["plan"] not in modelling.SSO_PLANS:
            raise AdminError(
                modelling.STATUS_PLAN_WITHOUT_SSO,
                "sso_not_in_plan",
                f"SAML SSO is not available on the {account['plan']} plan. It is available on: "
                f"{', '.join(modelling.SSO_PLAN_ORDER)}. Upgrade the account to set it up.",
            )
        unknown = set(body) - {"idp_metadata_xml", "mode", "jit", "provider"}
        if unknown:
            raise AdminError(
                400,
                "invalid_field",
                f"Unknown field(s) {', '.join(sorted(unknown))}: the SSO settings take "
                "idp_metadata_xml, mode, jit and provider",
            )
        current = self.settings(account_id)
        idp = current.idp
        if "idp_metadata_xml" in body:
            idp = parse_idp_metadata(body["idp_metadata_xml"])
        mode = body.get("mode", current.mode)
        if mode not in MODES:
            raise AdminError(400, "invalid_mode", f"mode must be one of {', '.join(MODES)}")
        jit = body.get("jit", current.jit)
        if not isinstance(jit, bool):
            raise AdminError(400, "invalid_jit", "jit must be true or false")
        provider = body.get("provider", current.provider)
        if provider not in PROVIDERS:
            raise AdminError(
                400, "invalid_provider", f"provider must be one of {', '.join(PROVIDERS)}"
            )
        if mode != "off" and idp is None:
            raise AdminError(
                400,
                "idp_missing",
                f"SSO cannot be {mode} without an identity provider: paste the IdP metadata "
                "XML first (idp_metadata_xml).",
            )
        self.store.save_sso_settings(
            account_id, mode, jit, provider, idp.as_stored() if idp else None, stamp(self.clock())
        )
        return self.view(account_id, base_url)

    def attempts(self, account_id: int) -> list[dict[str, Any]]:
        self._account(account_id)
        return self.store.sso_attempts(account_id, modelling.SSO_ATTEMPTS_SHOWN)

    # -- who signs in through SSO -----------------------------------------------------------

    def is_sso_user(self, member: UserRow) -> bool:
        """A member at an approved domain of an account whose SSO is on (docs/sso.md)."""
        if not self.effective(member.account_id).on:
            return False
        return _domain(member.login_key) in self.store.approved_domains(member.account_id)

    def route(self, email: str, account_id: int | None = None) -> SsoRoute | None:
        """Where the login page sends ``email`` (a modelling choice, "SSO routing" in
        ``modelling``): a member anywhere goes only to an account where it is
        a member at an approved domain with SSO on (oldest first, or the one chosen); an
        unknown email goes to the one account with SSO and JIT on that approves its domain,
        and only when no other account approves that domain; None: password login."""
        if not is_email(email):
            return None
        memberships = self.store.memberships(key(email))
        if memberships:
            for member in memberships:
                if account_id in (None, member.account_id) and self.is_sso_user(member):
                    return SsoRoute(member.account_id, self.effective(member.account_id).mode)
            return None
        holders = self.store.domain_accounts(_domain(email))
        if len(holders) != 1 or account_id not in (None, holders[0]):
            return None
        settings = self.effective(holders[0])
        if settings.on and settings.jit and jit_email(email):
            return SsoRoute(holders[0], settings.mode)
        return None

    def sso_domain(self, email: str) -> bool:
        """Whether ``email`` is at an approved domain of an account whose SSO is not off (on a
        plan with SSO): such an address is the identity provider's to hand out."""
        if not is_email(email):
            return False
        return any(self.effective(a).on for a in self.store.domain_accounts(_domain(email)))

    def password_refusal(self, email: str, account_id: int | None) -> AdminError | None:
        """In enforced mode an SSO user's password login is refused (docs/sso.md)."""
        for member in self.store.memberships(key(email)):
            if account_id not in (None, member.account_id) or not self.is_sso_user(member):
                continue
            if self.effective(member.account_id).mode != "enforced":
                continue
            if modelling.SSO_ENFORCED_EXEMPTS_OWNER and member.role == "owner":
                continue
            meaning, change = REASONS["password_login_enforced"]
            return AdminError(403, "password_login_enforced", f"{meaning} {change}")
        return None

    # -- SP metadata and the AuthnRequest -----------------------------------------------------

    def sp_metadata(self, account_id: int, base_url: str) -> bytes:
        from lxml import etree

        self._account(account_id)
        md = f"{{{saml.NS_METADATA}}}"
        root = etree.Element(
            f"{md}EntityDescriptor",
            nsmap={"md": saml.NS_METADATA},
            entityID=self.entity_id(account_id, base_url),
        )
        sp = etree.SubElement(
            root,
            f"{md}SPSSODescriptor",
            AuthnRequestsSigned="false",
            WantAssertionsSigned="true",
            protocolSupportEnumeration=saml.NS_PROTOCOL,
        )
        etree.SubElement(sp, f"{md}NameIDFormat").text = saml.NAMEID_EMAIL
        etree.SubElement(
            sp,
            f"{md}AssertionConsumerService",
            Binding=saml.BINDING_POST,
            Location=self.acs_url(account_id, base_url),
            index="0",
            isDefault="true",
        )
        return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))

    def start_login(self, account_id: int, base_url: str, relay_state: str | None) -> str:
        """The IdP URL an SP-initiated login redirects to (HTTP-Redirect binding); the
        request is kept by its ID until it is answered or expires."""
        from lxml import etree

        self._account(account_id)
        settings = self.effective(account_id)
        if not settings.on or settings.idp is None:
            raise SsoRefused("sso_off", f"SSO is off for account {account_id}")
        now = self.clock()
        request_id = saml.new_id()
        samlp, assertion = f"{{{saml.NS_PROTOCOL}}}", f"{{{saml.NS_ASSERTION}}}"
        root = etree.Element(
            f"{samlp}AuthnRequest",
            nsmap={"samlp": saml.NS_PROTOCOL, "saml": saml.NS_ASSERTION},
            ID=request_id,
            Version="2.0",
            IssueInstant=saml.instant(now),
            Destination=settings.idp.sso_url,
            ProtocolBinding=saml.BINDING_POST,
            AssertionConsumerServiceURL=self.acs_url(account_id, base_url),
        )
        etree.SubElement(root, f"{assertion}Issuer").text = self.entity_id(account_id, base_url)
        etree.SubElement(root, f"{samlp}NameIDPolicy", Format=saml.NAMEID_EMAIL, AllowCreate="true")
        expires = now + timedelta(seconds=modelling.SAML_REQUEST_LIFETIME_S)
        self.store.add_saml_request(request_id, account_id, stamp(now), stamp(expires))
        query = {"SAMLRequest": saml.encode_redirect(etree.tostring(root))}
        if relay_state:
            query["RelayState"] = relay_state
        separator = "&" if "?" in settings.idp.sso_url else "?"
        return settings.idp.sso_url + separator + urlencode(query)

    # -- the ACS ------------------------------------------------------------------------------

    def consume(
        self,
        account_id: int,
        base_url: str,
        saml_response: Any,
        relay_state: str | None,
        safe_relay: Callable[[str | None], str | None],
    ) -> SignedIn:
        """Check a posted Response; a session may be opened for the member returned. Every
        attempt is recorded; a refusal raises :class:`SsoRefused`."""
        self._account(account_id)
        now = self.clock()
        try:
            signed_in = self._consume(account_id, base_url, saml_response, now)
        except SsoRefused as refused:
            self.store.record_sso_attempt(
                account_id,
                stamp(now),
                "refused",
                refused.reason,
                refused.name_id,
                refused.member_id,
                refused.detail,
            )
            raise
        member = signed_in.member
        self.store.record_sso_attempt(
            account_id,
            stamp(now),
            "signed_in",
            None,
            member.login_key,
            member.id,
            "created by just-in-time provisioning" if signed_in.created else "signed in",
        )
        return SignedIn(member, safe_relay(relay_state), signed_in.created)

    def _consume(self, account_id: int, base_url: str, value: Any, now: datetime) -> SignedIn:
        ns = saml.NAMESPACES
        if not isinstance(value, str) or not value.strip():
            raise SsoRefused("malformed", "no SAMLResponse in the posted form")
        try:
            root = saml.parse_untrusted(saml.decode_post(value.strip()))
        except saml.UnsafeXML as error:
            raise SsoRefused("malformed", str(error)) from None
        if root.tag != f"{{{saml.NS_PROTOCOL}}}Response":
            raise SsoRefused("malformed", f"the root element is {_local(root.tag)}, not Response")
        encrypted = root.find(".//saml:EncryptedAssertion", namespaces=ns) is not None
        if encrypted and not modelling.SSO_READS_ENCRYPTED_ASSERTIONS:
            raise SsoRefused(
                "malformed", "the assertion is encrypted; this SP reads unencrypted assertions"
            )
        settings = self.effective(account_id)
        if not settings.on or settings.idp is None:
            raise SsoRefused("sso_off", f"SSO is {settings.mode} for account {account_id}")
        status = root.find("samlp:Status/samlp:StatusCode", namespaces=ns)
        status_value = status.get("Value") if status is not None else None
        if status_value != saml.STATUS_SUCCESS:
            raise SsoRefused("status_not_success", f"the status is {status_value or 'missing'}")
        assertion, signed_response = self._verified_assertion(root, settings.idp, now)
        return self._checked(account_id, base_url, settings, assertion, signed_response, now)

    def _verified_assertion(
        self, root: etree._Element, idp: IdpSettings, now: datetime
    ) -> tuple[etree._Element, etree._Element | None]:
        """The Assertion as signed (signxml's re-parsed ``signed_xml``), and the Response as
        signed when the signature covers it (else None: nothing outside the Assertion is read),
        or a refusal."""
        from cryptography import x509
        from cryptography.exceptions import InvalidSignature as CryptoSignature
        from lxml import etree
        from signxml import SignatureConfiguration, XMLVerifier
        from signxml.exceptions import InvalidCertificate, SignXMLException

        ns = saml.NAMESPACES
        on_response = root.find("ds:Signature", namespaces=ns) is not None
        on_assertion = root.find("saml:Assertion/ds:Signature", namespaces=ns) is not None
        if not (on_response or on_assertion):
            raise SsoRefused(
                "unsigned", "neither the Response nor its Assertion carries a signature"
            )
        assertions = _xpath(root, "//saml:Assertion")
        if len(assertions) != 1:
            raise SsoRefused(
                "signature_invalid",
                f"the Response holds {len(assertions)} Assertion elements; a signed Response "
                "carries exactly one (a second one is a signature-wrapping attempt)",
            )
        location = "./" if on_response else f"./{{{saml.NS_ASSERTION}}}Assertion/"
        signature = root.find(
            "ds:Signature" if on_response else "saml:Assertion/ds:Signature", namespaces=ns
        )
        assert signature is not None
        failures: dict[str, str] = {}
        result = None
        for certificate in idp.certificates:
            cert = x509.load_pem_x509_certificate(certificate.pem.encode("ascii"))
            # signxml refuses a certificate outside its dates at verification_time; a held
            # certificate's dates are not enforced (a modelling choice, "IdP certificate
            # dates" in ``modelling``), so it verifies at a moment inside them: the clock's
            # when the clock is.
            moment = min(max(now, cert.not_valid_before_utc), cert.not_valid_after_utc)
            config = SignatureConfiguration(
                location=location, expect_references=1, verification_time=moment
            )
            try:
                result = XMLVerifier().verify(
                    root, x509_cert=cert, id_attribute="ID", expect_config=config
                )
                break
            except InvalidCertificate as error:
                failures[certificate.fingerprint_sha256] = f"the held certificate: {error}"
            except (SignXMLException, etree.LxmlError, CryptoSignature, ValueError, TypeError) as e:
                # signxml's refusals, the XML Signature schema's (lxml), an algorithm URI
                # signxml does not know (ValueError), an empty SignatureValue (TypeError)
                failures[certificate.fingerprint_sha256] = str(e) or type(e).__name__
        if result is None:
            carried = _key_info_fingerprint(signature)
            held = [c.fingerprint_sha256 for c in idp.certificates]
            if carried is not None and carried not in held:
                raise SsoRefused(
                    "certificate_mismatch",
                    f"signed with certificate sha256 {carried}; Wrike holds {', '.join(held)}",
                )
            why = failures.get(carried or "", next(iter(failures.values()), "no certificate"))
            raise SsoRefused("signature_invalid", f"the signature does not verify: {why}")
        signed = getattr(result, "signed_xml", None)
        if signed is None:
            raise SsoRefused("signature_invalid", "the signed content is not XML")
        if signed.tag == f"{{{saml.NS_PROTOCOL}}}Response":
            inner = signed.findall("saml:Assertion", namespaces=ns)
            if len(inner) != 1:
                raise SsoRefused(
                    "signature_invalid", "the signed Response does not hold exactly one Assertion"
                )
            return inner[0], signed
        if signed.tag != f"{{{saml.NS_ASSERTION}}}Assertion":
            raise SsoRefused(
                "signature_invalid",
                f"the signature covers a {_local(signed.tag)}, not the Assertion or the Response",
            )
        return signed, None

    def _checked(
        self,
        account_id: int,
        base_url: str,
        settings: SsoSettings,
        assertion: etree._Element,
        signed_response: etree._Element | None,
        now: datetime,
    ) -> SignedIn:
        ns = saml.NAMESPACES
        assert settings.idp is not None
        name_id = _text(assertion.find("saml:Subject/saml:NameID", namespaces=ns)) or None
        issuer = _text(assertion.find("saml:Issuer", namespaces=ns))
        if issuer != settings.idp.entity_id:
            raise SsoRefused(
                "issuer_mismatch",
                f"the Issuer is {issuer or 'missing'!r}; Wrike's settings name "
                f"{settings.idp.entity_id!r}",
                name_id,
            )
        entity = self.entity_id(account_id, base_url)
        restrictions = assertion.findall("saml:Conditions/saml:AudienceRestriction", namespaces=ns)
        audiences = [
            _text(a) for r in restrictions for a in r.findall("saml:Audience", namespaces=ns)
        ]
        if not restrictions or any(
            entity not in [_text(a) for a in r.findall("saml:Audience", namespaces=ns)]
            for r in restrictions
        ):
            raise SsoRefused(
                "audience_mismatch",
                f"the Audience is {', '.join(audiences) or 'missing'}; Wrike's SP entity id is "
                f"{entity}",
                name_id,
            )
        acs = self.acs_url(account_id, base_url)
        confirmation = None
        for candidate in assertion.findall("saml:Subject/saml:SubjectConfirmation", namespaces=ns):
            if candidate.get("Method") == saml.CM_BEARER:
                confirmation = candidate.find("saml:SubjectConfirmationData", namespaces=ns)
                break
        recipient = confirmation.get("Recipient") if confirmation is not None else None
        if recipient != acs:
            raise SsoRefused(
                "recipient_mismatch",
                f"the bearer SubjectConfirmation's Recipient is {recipient or 'missing'}; "
                f"Wrike's ACS is {acs}",
                name_id,
            )
        assert confirmation is not None
        destination = signed_response.get("Destination") if signed_response is not None else None
        if destination is not None and destination != acs:
            raise SsoRefused(
                "recipient_mismatch",
                f"the signed Response's Destination is {destination}; Wrike's ACS is {acs}",
                name_id,
            )
        skew = timedelta(seconds=modelling.SAML_CLOCK_SKEW_S)
        conditions = assertion.find("saml:Conditions", namespaces=ns)
        starts = []
        for where, element in (
            ("Conditions", conditions),
            ("SubjectConfirmationData", confirmation),
        ):
            written = element.get("NotBefore") if element is not None else None
            if written is None:
                continue
            start = saml.parse_instant(written)
            if start is None:
                raise SsoRefused(
                    "malformed",
                    f"the {where} NotBefore {written[:80]!r} is not an xs:dateTime with a time "
                    "zone (a window whose start cannot be read is not ignored)",
                    name_id,
                )
            starts.append(start)
        ends = [
            saml.parse_instant(e.get("NotOnOrAfter"))
            for e in (conditions, confirmation)
            if e is not None and e.get("NotOnOrAfter") is not None
        ]
        not_before = max(starts) if starts else None
        if not_before is not None and now + skew < not_before:
            raise SsoRefused(
                "not_yet_valid",
                f"valid from {saml.instant(not_before)}; Wrike's clock reads {saml.instant(now)} "
                f"(allowed skew {modelling.SAML_CLOCK_SKEW_S} s)",
                name_id,
            )
        if not ends or any(end is None for end in ends):
            raise SsoRefused(
                "expired", "the assertion has no readable NotOnOrAfter: it must expire", name_id
            )
        end = min(e for e in ends if e is not None)
        ceiling = timedelta(seconds=modelling.SAML_MAX_VALIDITY_S)
        if end - now > ceiling:
            # Checked before anything adds the skew to ``end`` (9999-12-31 + 180 s overflows).
            raise SsoRefused(
                "malformed",
                f"valid until {saml.instant(end)}, more than {modelling.SAML_MAX_VALIDITY_S} s "
                f"after Wrike's clock ({saml.instant(now)}); this SP accepts assertions valid "
                "for at most that long",
                name_id,
            )
        if now - skew >= end:
            raise SsoRefused(
                "expired",
                f"valid until {saml.instant(end)}; Wrike's clock reads {saml.instant(now)} "
                f"(allowed skew {modelling.SAML_CLOCK_SKEW_S} s)",
                name_id,
            )
        in_response_to = confirmation.get("InResponseTo")
        answered = signed_response.get("InResponseTo") if signed_response is not None else None
        if answered is not None and answered != in_response_to:
            raise SsoRefused(
                "in_response_to_unknown",
                "the signed Response and its Assertion answer different requests",
                name_id,
            )
        if in_response_to is not None:
            if not self.store.take_saml_request(in_response_to, account_id, stamp(now)):
                raise SsoRefused(
                    "in_response_to_unknown",
                    f"InResponseTo {in_response_to[:80]!r} names no outstanding request of this "
                    "account (never sent, already answered, or expired)",
                    name_id,
                )
        elif not modelling.SAML_ACCEPT_UNSOLICITED:
            raise SsoRefused("in_response_to_unknown", "unsolicited Responses are refused", name_id)
        assertion_id = assertion.get("ID")
        if not assertion_id:
            raise SsoRefused("malformed", "the Assertion has no ID", name_id)
        if not self.store.use_assertion(account_id, assertion_id, stamp(end + skew), stamp(now)):
            raise SsoRefused("replayed", f"assertion {assertion_id[:80]} was already used", name_id)
        return self._member(account_id, settings, assertion, name_id)

    def _member(
        self,
        account_id: int,
        settings: SsoSettings,
        assertion: etree._Element,
        name_id: str | None,
    ) -> SignedIn:
        if not name_id:
            raise SsoRefused("unknown_user", "the assertion has no NameID")
        domains = self.store.approved_domains(account_id)
        member = self.store.user_by_login(account_id, key(name_id))
        if member is None:
            plain = jit_email(name_id)
            if settings.jit and plain and _domain(name_id) in domains:
                return SignedIn(self._provision(account_id, name_id, assertion), None, True)
            if not settings.jit:
                why = "just-in-time provisioning is off"
            elif not plain:
                why = (
                    "just-in-time provisioning makes members only for plain-ASCII emails (a "
                    "look-alike letter, an invisible or combining character is refused)"
                )
            else:
                why = f"just-in-time provisioning needs an approved domain ({_domain(name_id)} is not)"
            raise SsoRefused("unknown_user", f"no member has the login {name_id!r}; {why}", name_id)
        if not member.active:
            raise SsoRefused(
                "user_deactivated", f"{member.login_key} is deactivated", name_id, member.id
            )
        if _domain(member.login_key) not in domains:
            raise SsoRefused(
                "domain_not_approved",
                f"{_domain(member.login_key)} is not among the approved domains "
                f"({', '.join(domains) or 'none'})",
                name_id,
                member.id,
            )
        return SignedIn(member, None, False)

    def _provision(self, account_id: int, name_id: str, assertion: etree._Element) -> UserRow:
        """Just-in-time provisioning: a member like an admin-added one (billable from now,
        through the billing ledger), found later by SCIM's userName filter and linked."""
        attributes = _attributes(assertion)
        view = self.accounts.add_member(
            account_id,
            {
                "email": name_id,
                "first_name": attributes.get(modelling.JIT_ATTRIBUTE_FIRST_NAME),
                "last_name": attributes.get(modelling.JIT_ATTRIBUTE_LAST_NAME),
                "user_type": modelling.JIT_USER_TYPE,
                "role": "regular",
            },
        )
        member = self.store.user_by_login(account_id, key(name_id))
        assert member is not None, view
        return member


def _attributes(assertion: etree._Element) -> dict[str, str]:
    ns = saml.NAMESPACES
    found: dict[str, str] = {}
    for attribute in assertion.findall("saml:AttributeStatement/saml:Attribute", namespaces=ns):
        value = attribute.find("saml:AttributeValue", namespaces=ns)
        name = attribute.get("Name")
        if name and value is not None and _text(value):
            found[name] = _text(value)[:200]
    return found


def _key_info_fingerprint(signature: etree._Element) -> str | None:
    node = signature.find("ds:KeyInfo/ds:X509Data/ds:X509Certificate", namespaces=saml.NAMESPACES)
    if node is None:
        return None
    try:
        return certificate_facts(_text(node)).fingerprint_sha256
    except ValueError:
        return None


def jit_email(email: str) -> bool:
    """Whether JIT may make a member with this email: plain printable ASCII only (a modelling
    choice, ``modelling.JIT_ASCII_EMAILS_ONLY``), so no look-alike of a member's email (a
    fullwidth letter, a zero-width space, a combining accent) becomes a new billable member."""
    if not is_email(email):
        return False
    if not modelling.JIT_ASCII_EMAILS_ONLY:
        return True
    return email.isascii() and email.isprintable() and not any(c.isspace() for c in email)


def _domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower()


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1][:80]

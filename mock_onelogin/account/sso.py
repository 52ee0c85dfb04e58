"""SAML SSO: OneLogin as the identity provider of its apps (the Wrike app first).

The app's SAML fields and signing certificates, its IdP metadata, reading an SP's
AuthnRequest, and signing a user in: who may (an active user the app is assigned to, by a
role or directly: the rule provisioning uses), the signed Response, and the System Log event
of every login and every refusal, with the reason code of ``docs/sso.md`` as the event's
``error_description`` so a diagnosis can read it. The rules are in ``domain.saml``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from mock_onelogin.account._context import SIMULATOR_ADMIN, AccountContext, Actor
from mock_onelogin.domain import modelling
from mock_onelogin.domain import saml as rules
from mock_onelogin.domain.directory import USER_STATUSES
from mock_onelogin.domain.errors import Conflict, NotFound
from mock_onelogin.domain.events import EventType
from mock_onelogin.domain.saml import Reason, SamlSettings, SsoRefused
from mock_onelogin.domain.secrets import hash_password, password_matches
from mock_onelogin.domain.signin import SignInThrottle, UserSessions
from mock_onelogin.store.saml import StoredCertificate
from webguard import saml as xml

#: How a login reached the IdP, as its System Log notes name it.
SP_REDIRECT = "SP-initiated, HTTP-Redirect binding"
SP_POST = "SP-initiated, HTTP-POST binding"
IDP_INITIATED = "IdP-initiated, from the portal"
VIA_API = "API, POST /api/2/saml_assertion"


@dataclass(frozen=True)
class SsoRequest:
    """A login the IdP has accepted to answer: for which app, in answer to which
    AuthnRequest (None when IdP-initiated), with which RelayState, reached how."""

    app_id: int
    request_id: str | None
    relay_state: str | None
    via: str


@dataclass(frozen=True)
class SsoAnswer:
    """What the auto-posting page sends: the ACS, the base64 Response, the RelayState."""

    acs_url: str
    saml_response: str
    relay_state: str | None
    response_xml: bytes


class SingleSignOn:
    def __init__(self, ctx: AccountContext) -> None:
        self._ctx = ctx
        self._store = ctx.store
        self._key_lock = threading.Lock()
        #: Loaded signing keys by certificate fingerprint (loading one is the slow part of
        #: signing; ids start again after a reset, fingerprints never repeat).
        self._keys: dict[str, Any] = {}
        #: OneLogin users' sessions (the /login page, the portal) and their login throttle.
        self.sessions = UserSessions(ctx.clock)
        self.throttle = SignInThrottle(ctx.clock)

    def forget_sessions(self) -> None:
        """Every user session ends (a reset of the account)."""
        self.sessions = UserSessions(self._ctx.clock)
        self.throttle = SignInThrottle(self._ctx.clock)

    # URLs -----------------------------------------------------------------------------------
    def endpoints(self, app_id: int) -> rules.IdpEndpoints:
        base = self._ctx.config.public_url.rstrip("/")
        return rules.IdpEndpoints(
            issuer=f"{base}/saml/metadata/{app_id}",
            sso_redirect=f"{base}/trust/saml2/http-redirect/sso/{app_id}",
            sso_post=f"{base}/trust/saml2/http-post/sso/{app_id}",
        )

    # settings -------------------------------------------------------------------------------
    def settings(self, app_id: int) -> SamlSettings:
        self._ctx.require_app(app_id)
        return SamlSettings.from_json(self._store.saml_settings(app_id) or {})

    def update_settings(
        self, app_id: int, data: Any, actor: Actor = SIMULATOR_ADMIN
    ) -> SamlSettings:
        settings = self.settings(app_id).updated(data)
        with self._store.transaction():
            self._store.save_saml_settings(app_id, settings.to_json(), self._ctx.now())
            self._ctx.log(
                [
                    self._ctx.event(
                        EventType.PROVISIONING_EVENT,
                        actor,
                        app=self._ctx.app_pair(app_id),
                        notes="SAML settings saved: "
                        + ", ".join(f"{k}={v!r}" for k, v in settings.to_json().items()),
                    )
                ]
            )
        return settings

    # certificates ---------------------------------------------------------------------------
    def _new_key(self, app_id: int) -> rules.SigningKey:
        subject = modelling.SAML_CERTIFICATE_SUBJECT.format(
            account_id=self._ctx.config.account_id, app_id=app_id
        )
        return rules.new_signing_key(subject, self._ctx.clock.now(), self._ctx.config.saml_key_bits)

    def _store_key(self, app_id: int, key: rules.SigningKey, actor: Actor) -> int:
        with self._store.transaction():
            cert_id = self._store.add_signing_certificate(
                app_id,
                key.certificate_pem,
                key.key_pem,
                key.fingerprint_sha256,
                key.not_after,
                self._ctx.now(),
            )
            self._ctx.log(
                [
                    self._ctx.event(
                        EventType.CERTIFICATE_CREATED,
                        actor,
                        app=self._ctx.app_pair(app_id),
                        notes=f"SAML signing certificate {cert_id} created (SHA-256 "
                        f"fingerprint {key.fingerprint_sha256}, valid until {key.not_after}); "
                        "it signs the app's assertions from now on",
                    )
                ]
            )
        return cert_id

    def _signing(self, app_id: int) -> tuple[StoredCertificate, str]:
        """The certificate that signs now and its key; made on the app's first SSO use."""
        self._ctx.require_app(app_id)
        found = self._store.signing_key(app_id)
        if found is not None:
            return found
        with self._key_lock:  # one first key per app, even when two logins race
            found = self._store.signing_key(app_id)
            if found is None:
                self._store_key(app_id, self._new_key(app_id), Actor(name="OneLogin"))
                found = self._store.signing_key(app_id)
        assert found is not None
        return found

    def signing_certificate(self, app_id: int) -> StoredCertificate:
        return self._signing(app_id)[0]

    def certificates(self, app_id: int) -> list[StoredCertificate]:
        self._signing(app_id)
        return self._store.saml_certificates(app_id)

    def rotate(self, app_id: int, actor: Actor = SIMULATOR_ADMIN) -> StoredCertificate:
        """A new key and certificate sign from now on; the one before stays listed."""
        self._signing(app_id)
        with self._key_lock:
            self._store_key(app_id, self._new_key(app_id), actor)
        return self.signing_certificate(app_id)

    def retire(self, app_id: int, certificate_id: int, actor: Actor = SIMULATOR_ADMIN) -> None:
        listed = {c.id: c for c in self.certificates(app_id)}
        cert = listed.get(certificate_id)
        if cert is None:
            raise NotFound(f"The app has no SAML certificate {certificate_id}")
        if cert.signing:
            raise Conflict(
                f"Certificate {certificate_id} is the one the app signs with; rotate first "
                "(a new certificate signs), then retire this one"
            )
        with self._store.transaction():
            if not self._store.delete_certificate(app_id, certificate_id):
                raise Conflict(f"Certificate {certificate_id} signs now; it cannot be retired")
            self._ctx.log(
                [
                    self._ctx.event(
                        EventType.CERTIFICATE_DELETED,
                        actor,
                        app=self._ctx.app_pair(app_id),
                        notes=f"SAML certificate {certificate_id} retired (SHA-256 "
                        f"fingerprint {cert.fingerprint_sha256})",
                    )
                ]
            )

    def metadata(self, app_id: int) -> bytes:
        return rules.idp_metadata(
            self.endpoints(app_id), self.signing_certificate(app_id).certificate_pem
        )

    # the AuthnRequest -----------------------------------------------------------------------
    def read_request(
        self, app_id: int, saml_request: str | None, relay_state: str | None, via: str
    ) -> SsoRequest:
        """An SP's AuthnRequest (the Redirect binding's DEFLATE + base64, or the POST
        binding's base64), checked against the app; a refusal is logged and raised."""
        self._ctx.require_app(app_id)
        try:
            if not saml_request:
                raise SsoRefused(Reason.REQUEST_INVALID, "The request carries no SAMLRequest.")
            try:
                data = (
                    xml.decode_redirect(saml_request)
                    if via == SP_REDIRECT
                    else xml.decode_post(saml_request)
                )
            except xml.UnsafeXML as error:
                raise SsoRefused(
                    Reason.REQUEST_INVALID, f"The SAMLRequest cannot be decoded: {error}."
                ) from None
            request = rules.read_authn_request(data)
            rules.check_request_fits(request, self.settings(app_id))
            relay = rules.check_relay_state(relay_state)
        except SsoRefused as refusal:
            self._refused(app_id, None, refusal, via)
            raise
        return SsoRequest(app_id, request.id, relay, via)

    def idp_initiated(self, app_id: int) -> SsoRequest:
        self._ctx.require_app(app_id)
        return SsoRequest(app_id, None, None, IDP_INITIATED)

    # signing in -----------------------------------------------------------------------------
    def _refused(
        self,
        app_id: int | None,
        user: dict[str, Any] | None,
        refusal: SsoRefused,
        via: str,
        event_type: EventType = EventType.COULD_NOT_AUTHENTICATE_TO_APP,
    ) -> None:
        self._ctx.log(
            [
                self._ctx.event(
                    event_type,
                    Actor(name="OneLogin"),
                    user=user,
                    app=self._ctx.app_pair(app_id) if app_id else None,
                    error=refusal.reason.value,
                    notes=f"SAML SSO refused ({via}): {refusal.reason.value}: {refusal.detail}",
                )
            ]
        )

    def _check_user(self, app_id: int, user: dict[str, Any]) -> None:
        if not self.may_sign_in(user):
            raise SsoRefused(Reason.USER_NOT_ACTIVE, self.not_active_text(user))
        if not self._store.entitled_among(app_id, [int(user["id"])]):
            raise SsoRefused(Reason.APP_NOT_ASSIGNED)
        if not user.get("email"):
            raise SsoRefused(
                Reason.REQUEST_INVALID,
                "The user has no email; the app's NameID is the email. Give the user one.",
            )

    @staticmethod
    def may_sign_in(user: dict[str, Any]) -> bool:
        return not user.get("deleted_at") and user["status"] in modelling.SIGN_IN_STATUSES

    @staticmethod
    def not_active_text(user: dict[str, Any]) -> str:
        status = USER_STATUSES.get(user["status"], str(user["status"]))
        return (
            f"The user is not active in OneLogin (status {status}). Activate the user "
            "(status Active) first."
        )

    def sign_in(self, user_id: int, request: SsoRequest) -> SsoAnswer:
        """The signed Response for ``user_id``, or :class:`SsoRefused` (logged)."""
        user = self._ctx.require_user(user_id)
        try:
            settings = self.settings(request.app_id)
            rules.check_request_fits(None, settings)
            self._check_user(request.app_id, user)
        except SsoRefused as refusal:
            self._refused(request.app_id, user, refusal, request.via)
            raise
        answer = self._answer(user, request, settings)
        self._ctx.log(
            [
                self._ctx.event(
                    EventType.USER_LOGGED_INTO_APP,
                    Actor(name=self._display(user), user_id=int(user["id"])),
                    user=user,
                    app=self._ctx.app_pair(request.app_id),
                    notes=f"SAML SSO ({request.via}): assertion for NameID {user['email']} "
                    f"posted to {settings.acs_url}"
                    + (f" in response to {request.request_id}" if request.request_id else ""),
                )
            ]
        )
        return answer

    def _answer(
        self, user: dict[str, Any], request: SsoRequest, settings: SamlSettings
    ) -> SsoAnswer:
        cert, key_pem = self._signing(request.app_id)
        key = self._keys.get(cert.fingerprint_sha256)
        if key is None:
            key = self._keys[cert.fingerprint_sha256] = rules.load_private_key(key_pem)
        response = rules.signed_response(
            endpoints=self.endpoints(request.app_id),
            settings=settings,
            subject=rules.subject_of(user),
            now=settings.idp_now(self._ctx.clock.now()),
            in_response_to=request.request_id,
            key=key,
            certificate_pem=cert.certificate_pem,
        )
        return SsoAnswer(settings.acs_url, xml.encode_post(response), request.relay_state, response)

    @staticmethod
    def _display(user: dict[str, Any]) -> str:
        name = f"{user.get('firstname') or ''} {user.get('lastname') or ''}".strip()
        return name or user.get("email") or user.get("username") or f"user {user['id']}"

    # passwords ------------------------------------------------------------------------------
    def set_password(self, user_id: int, password: str) -> None:
        """Keep the password's hash (never the text); called by user create and update."""
        self._store.set_password_hash(
            user_id, hash_password(password, self._ctx.config.password_scrypt_n)
        )

    def find_user(self, username_or_email: str) -> dict[str, Any] | None:
        value = (username_or_email or "").strip()
        if not value:
            return None
        return self._store.find_user_by("username", value) or self._store.find_user_by(
            "email", value
        )

    def check_password(self, username_or_email: str, password: str) -> dict[str, Any] | None:
        """The user whose username or email and password these are, or None."""
        user = self.find_user(username_or_email)
        stored = self._store.password_hash(int(user["id"])) if user else None
        if not password_matches(password, stored):
            return None
        return user

    def log_login(
        self,
        user: dict[str, Any] | None,
        name: str,
        ok: bool,
        detail: str = "",
        reason: Reason = Reason.INVALID_CREDENTIALS,
    ) -> None:
        """A OneLogin login (the /login page) in the System Log."""
        event_type = (
            EventType.USER_LOGGED_INTO_ONELOGIN if ok else EventType.USER_LOGIN_TO_ONELOGIN_FAILED
        )
        self._ctx.log(
            [
                self._ctx.event(
                    event_type,
                    Actor(name=self._display(user) if user else name[:255]),
                    user=user,
                    error=None if ok else reason.value,
                    notes=detail or None,
                )
            ]
        )

    def log_logout(self, user: dict[str, Any]) -> None:
        self._ctx.log(
            [
                self._ctx.event(
                    EventType.USER_LOGGED_OUT_OF_ONELOGIN,
                    Actor(name=self._display(user), user_id=int(user["id"])),
                    user=user,
                )
            ]
        )

    def session_user(self, user_id: int) -> dict[str, Any] | None:
        """The user a session belongs to, None once deleted (the session opens nothing)."""
        return self._store.get_user(user_id)

    # the portal -----------------------------------------------------------------------------
    def portal_apps(self, user_id: int) -> list[dict[str, Any]]:
        """The apps the user may launch: those assigned to them (role or direct)."""
        app_ids = self._store.entitled_app_ids(user_id)
        return [a for a in self._store.list_apps() if a["id"] in app_ids and a["visible"]]

    # the API ---------------------------------------------------------------------------------
    def api_assertion(
        self, username_or_email: str, password: str, app_id: int, actor: Actor
    ) -> SsoAnswer:
        """``POST /api/2/saml_assertion``: the signed Response for an assigned active user
        with the right password; :class:`SsoRefused` otherwise (logged)."""
        self._ctx.require_app(app_id)
        user = self.check_password(username_or_email, password)
        if user is None:
            refusal = SsoRefused(Reason.INVALID_CREDENTIALS)
            self._refused(
                app_id,
                self.find_user(username_or_email),
                refusal,
                VIA_API,
                EventType.USER_AUTHENTICATION_VIA_API_FAILED,
            )
            raise refusal
        request = SsoRequest(app_id, None, None, VIA_API)
        try:
            settings = self.settings(app_id)
            rules.check_request_fits(None, settings)
            self._check_user(app_id, user)
        except SsoRefused as refusal:
            self._refused(
                app_id, user, refusal, VIA_API, EventType.USER_AUTHENTICATION_VIA_API_FAILED
            )
            raise
        answer = self._answer(user, request, settings)
        self._ctx.log(
            [
                self._ctx.event(
                    EventType.USER_AUTHENTICATED_VIA_API,
                    actor,
                    user=user,
                    app=self._ctx.app_pair(app_id),
                    notes=f"SAML assertion generated for NameID {user['email']} ({VIA_API})",
                )
            ]
        )
        return answer

"""Wrike account administration: plans, approved domains, members and their rights, API apps
and permanent tokens, the SCIM URL, and the billing ledger."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from enum import Enum
from typing import Any

from wrike_sp.domain import modelling
from wrike_sp.domain.clock import Clock, stamp
from wrike_sp.domain.errors import AdminError, ScimError
from wrike_sp.domain.ids import IdSource, random_id
from wrike_sp.domain.modelling import (
    PLANS,
    RIGHT_EDIT_USERS,
    RIGHT_GRANT_ADMIN,
    RIGHT_SECURITY,
    RIGHTS_OF_NEW_ADMINS,
    SCIM_PATH,
    SCIM_PLANS,
    USER_TYPES,
)
from wrike_sp.domain.records import Conflict, UserRow
from wrike_sp.domain.repository import WrikeRepository
from wrike_sp.domain.schema import ENTERPRISE_USER
from wrike_sp.domain.secrets_ import (
    check_password,
    hash_password,
    new_token,
    token_hash,
    token_hint,
)
from wrike_sp.domain.users import canonical_user_type, is_email, key

_DOMAIN = re.compile(
    r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$"
)
ROLES = ("owner", "admin", "regular")
#: Each right a member can hold, as Wrike labels it → its key in the admin API's ``rights``.
RIGHT_KEYS: dict[str, str] = {
    RIGHT_SECURITY: "configure_advanced_security_settings",
    RIGHT_GRANT_ADMIN: "grant_revoke_admin_rights",
    RIGHT_EDIT_USERS: "edit_names_emails_deactivate_delete_users",
}


class Need(Enum):
    """What a screen or form of the pages asks of the signed-in member.

    ``SECURITY``: the article, "You must have permission to Configure advanced security
    settings in Wrike ... to set up Wrike with OneLogin SCIM", and the set-up is Steps 1 to 3:
    approved domains, the SCIM URL, the API app and its token (creating, obtaining, revoking).
    ``ADMIN``: account management (users, billing) is for the account's owner and admins.
    ``GRANT_ADMIN``: changing a member's role or admin rights is for the owner and the admins
    holding "Grant/revoke admin rights" (Wrike's Controlled Admin Permissions page), and the
    owner (``modelling.OWNER_ALWAYS_GRANTS``). ``OWNER``: the account's plan is for the roles
    in ``modelling.PLAN_CHANGED_BY`` (the owner). Both are modelling choices.
    ``MEMBER``: any active member. The admin JSON API is an operator's (it holds the admin
    key), not a member's, so these needs are the pages' alone.
    """

    MEMBER = "member"
    SECURITY = "security"
    ADMIN = "admin"
    GRANT_ADMIN = "grant_admin"
    OWNER = "owner"


def may(member: UserRow, need: Need) -> bool:
    if not member.active:
        return False
    if need is Need.SECURITY:
        return member.can_configure_security
    if need is Need.ADMIN:
        return member.is_admin
    if need is Need.GRANT_ADMIN:
        owner = modelling.OWNER_ALWAYS_GRANTS and member.role == "owner"
        return owner or (member.is_admin and member.can_grant_admin)
    if need is Need.OWNER:
        return member.role in modelling.PLAN_CHANGED_BY
    return True


def require(member: UserRow, need: Need, what: str) -> None:
    """Refuses with 403, naming what was refused and the right or role it needs."""
    if may(member, need):
        return
    if need is Need.SECURITY:
        raise AdminError(
            403,
            "right_missing",
            f"{member.user_name} cannot {what}: it needs the right '{RIGHT_SECURITY}'. "
            "Ask an account owner or admin to grant it under Users.",
        )
    if need is Need.ADMIN:
        raise AdminError(
            403,
            "admin_only",
            f"{member.user_name} cannot {what}: only the account's owner and admins can. "
            "Ask an account owner or admin.",
        )
    if need is Need.GRANT_ADMIN:
        raise AdminError(
            403,
            "right_missing",
            f"{member.user_name} cannot {what}: it needs the right '{RIGHT_GRANT_ADMIN}' "
            "(or to be the account owner). Ask the account owner.",
        )
    if need is Need.OWNER:
        raise AdminError(
            403,
            "owner_only",
            f"{member.user_name} cannot {what}: only the account owner can. Ask the account owner.",
        )
    raise AdminError(403, "member_inactive", f"{member.user_name} is deactivated")


def member_view(user: UserRow) -> dict[str, Any]:
    """A member as the admin API and pages show it."""
    name = user.doc.get("name") or {}
    return {
        **profile(user.doc),
        "id": user.id,
        "email": user.login_key,
        "user_name": user.user_name,
        "first_name": name.get("givenName"),
        "last_name": name.get("familyName"),
        "title": user.doc.get("title"),
        "role": user.role,
        "rights": {RIGHT_KEYS[right]: right in held_rights(user) for right in RIGHT_KEYS},
        "user_type": user.user_type,
        "status": "active" if user.active else "deactivated",
        "via_scim": user.via_scim,
        "billable_since": user.billable_since,
        "deactivated_at": user.deactivated_at,
        "created": user.created,
    }


def profile(doc: dict[str, Any]) -> dict[str, Any]:
    """The synced attributes of a member's document the pages show (the article's list:
    names, emails, title, phone, organization, department), each ``None`` when unset."""
    emails = [e for e in doc.get("emails") or [] if isinstance(e, dict)]
    primary = next((e for e in emails if e.get("primary") is True), emails[0] if emails else None)
    phones = [p for p in doc.get("phoneNumbers") or [] if isinstance(p, dict)]
    phone = next((p for p in phones if p.get("primary") is True), phones[0] if phones else None)
    enterprise = doc.get(ENTERPRISE_USER) or {}
    primary_value = primary.get("value") if primary else None
    return {
        "primary_email": primary_value,
        "secondary_emails": [
            e.get("value")
            for e in emails
            if e is not primary and str(e.get("value")).lower() != str(primary_value).lower()
        ],
        "phone": phone.get("value") if phone else None,
        "organization": enterprise.get("organization"),
        "department": enterprise.get("department"),
    }


def held_rights(user: UserRow) -> frozenset[str]:
    """The rights (Wrike's labels) a member holds."""
    flags = {
        RIGHT_SECURITY: user.can_configure_security,
        RIGHT_GRANT_ADMIN: user.can_grant_admin,
        RIGHT_EDIT_USERS: user.can_edit_users,
    }
    return frozenset(right for right, held in flags.items() if held)


def _default_right(right: str, role: str) -> bool:
    """A right a new admin or owner holds unless it is withheld (``RIGHTS_OF_NEW_ADMINS``)."""
    return role in ("owner", "admin") and right in RIGHTS_OF_NEW_ADMINS


class AccountAdmin:
    """What a Wrike account admin does in Wrike's settings, as plain operations."""

    def __init__(
        self,
        store: WrikeRepository,
        clock: Clock,
        password_iterations: int,
        new_id: IdSource = random_id,
    ) -> None:
        self.store = store
        self.clock = clock
        self.new_id = new_id
        self.password_iterations = password_iterations

    def _account(self, account_id: int) -> dict[str, Any]:
        account = self.store.account(account_id)
        if account is None:
            raise AdminError(404, "account_not_found", f"No Wrike account {account_id}")
        return account

    # reads, for the admin API and the pages ------------------------------------------------
    def accounts(self) -> list[dict[str, Any]]:
        return self.store.accounts()

    def find_account(self, account_id: int) -> dict[str, Any] | None:
        return self.store.account(account_id)

    def find_member(self, account_id: int, member_id: str) -> UserRow | None:
        """The member, or None (``member`` refuses an unknown one instead)."""
        return self.store.user(account_id, member_id)

    def apps(self, account_id: int) -> list[dict[str, Any]]:
        """The account's API apps."""
        return self.store.apps(account_id)

    def find_app(self, account_id: int, app_id: int) -> dict[str, Any] | None:
        return self.store.app(account_id, app_id)

    def account_view(self, account_id: int) -> dict[str, Any]:
        account = self._account(account_id)
        return {
            **account,
            "scim_available": account["plan"] in SCIM_PLANS,
            "approved_domains": self.store.approved_domains(account_id),
        }

    def create_account(self, name: Any, plan: Any) -> dict[str, Any]:
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            raise AdminError(400, "invalid_name", "An account needs a name of 1 to 200 characters")
        plan = _plan(plan)
        account_id = self.store.add_account(name.strip(), plan, stamp(self.clock()))
        return self.account_view(account_id)

    def set_plan(self, account_id: int, plan: Any) -> dict[str, Any]:
        self._account(account_id)
        self.store.set_plan(account_id, _plan(plan))
        return self.account_view(account_id)

    def add_domain(self, account_id: int, domain: Any) -> list[str]:
        self._account(account_id)
        if not isinstance(domain, str) or not _DOMAIN.match(domain.strip().lower()):
            raise AdminError(
                400, "invalid_domain", f"{domain!r} is not a domain name such as 'example.com'"
            )
        self.store.add_domain(account_id, domain.strip().lower())
        return self.store.approved_domains(account_id)

    def remove_domain(self, account_id: int, domain: str) -> list[str]:
        self._account(account_id)
        if not self.store.remove_domain(account_id, domain.lower()):
            raise AdminError(404, "domain_not_found", f"{domain} is not an approved domain")
        return self.store.approved_domains(account_id)

    # -- members ----------------------------------------------------------------------------

    def add_member(self, account_id: int, body: dict[str, Any]) -> dict[str, Any]:
        self._account(account_id)
        email = body.get("email")
        if not isinstance(email, str) or not is_email(email):
            raise AdminError(400, "invalid_email", f"{email!r} is not an email address")
        role = body.get("role", "regular")
        if role not in ROLES:
            raise AdminError(400, "invalid_role", f"role must be one of {', '.join(ROLES)}")
        password = body.get("password")
        if password is not None and (not isinstance(password, str) or len(password) < 8):
            raise AdminError(400, "weak_password", "A password has at least 8 characters")
        try:
            user_type = canonical_user_type(body.get("user_type"))
        except ScimError as error:
            raise AdminError(400, "invalid_user_type", error.detail) from error
        rights = body.get("rights") or {}
        now = stamp(self.clock())
        name = {
            k: v
            for k, v in (
                ("givenName", body.get("first_name")),
                ("familyName", body.get("last_name")),
            )
            if isinstance(v, str) and v
        }
        doc: dict[str, Any] = {
            "userName": email,
            "emails": [{"value": email, "type": "work", "primary": True}],
            "userType": user_type,
            "active": True,
        }
        if name:
            doc["name"] = name
        if isinstance(body.get("title"), str):
            doc["title"] = body["title"]
        user = UserRow(
            id=self.new_id(),
            account_id=account_id,
            user_name=email,
            login_key=key(email),
            active=True,
            user_type=user_type,
            role=role,
            can_configure_security=bool(rights.get("configure_advanced_security_settings")),
            can_grant_admin=bool(rights.get("grant_revoke_admin_rights")),
            can_edit_users=bool(
                rights.get(RIGHT_KEYS[RIGHT_EDIT_USERS], _default_right(RIGHT_EDIT_USERS, role))
            ),
            password_hash=hash_password(password, self.password_iterations) if password else None,
            doc=doc,
            created=now,
            last_modified=now,
            version=1,
            via_scim=False,
            billable_since=now,
            deactivated_at=None,
        )
        try:
            with self.store.transaction():
                self.store.insert_user(user, [(email, "work")])
                self.store.record_billing(account_id, user.id, email, user_type, "added", now)
        except Conflict as error:
            raise AdminError(409, "member_exists", f"{email} is already a member") from error
        return member_view(user)

    def member(self, account_id: int, member_id: str) -> UserRow:
        user = self.store.user(account_id, member_id)
        if user is None:
            raise AdminError(
                404, "member_not_found", f"No member {member_id} in account {account_id}"
            )
        return user

    def member_by_email(self, account_id: int, email: str) -> UserRow:
        user = self.store.user_by_login(account_id, key(email))
        if user is None:
            raise AdminError(404, "member_not_found", f"No member {email} in account {account_id}")
        return user

    def update_member(
        self, account_id: int, member_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.transaction():
            user = self.member(account_id, member_id)
            changed = user
            if "role" in body:
                if body["role"] not in ROLES:
                    raise AdminError(400, "invalid_role", f"role must be one of {', '.join(ROLES)}")
                changed = replace(changed, role=body["role"])
            rights = body.get("rights") or {}
            if "configure_advanced_security_settings" in rights:
                changed = replace(
                    changed,
                    can_configure_security=bool(rights["configure_advanced_security_settings"]),
                )
            if "grant_revoke_admin_rights" in rights:
                changed = replace(
                    changed, can_grant_admin=bool(rights["grant_revoke_admin_rights"])
                )
            edit_key = RIGHT_KEYS[RIGHT_EDIT_USERS]
            if edit_key in rights:
                changed = replace(changed, can_edit_users=bool(rights[edit_key]))
            elif not user.is_admin and changed.is_admin:
                # Made an admin: Wrike grants the new admin its default rights.
                changed = replace(
                    changed, can_edit_users=_default_right(RIGHT_EDIT_USERS, changed.role)
                )
            if changed != user:
                changed = replace(
                    changed, version=user.version + 1, last_modified=stamp(self.clock())
                )
                self.store.update_user(changed, None, user.version, user)
            return member_view(changed)

    def change_member_access(
        self, account_id: int, actor: UserRow, member_id: str, role: Any, rights: dict[str, bool]
    ) -> dict[str, Any]:
        """A member's role (regular or admin) and rights, changed by ``actor`` in the pages:
        the actor needs ``Need.GRANT_ADMIN``; nobody becomes or stops being the owner here
        (ownership is transferred, not edited). The change itself is ``update_member``'s."""
        require(actor, Need.GRANT_ADMIN, "change a member's role or rights")
        target = self.member(account_id, member_id)
        if target.role == "owner" or role == "owner":
            if role != target.role:
                raise AdminError(
                    400,
                    "owner_role",
                    "The owner's role cannot be changed or given here: the account owner is "
                    "changed by transferring ownership, which the reference provider does not "
                    "model.",
                )
        elif role not in ("regular", "admin"):
            raise AdminError(400, "invalid_role", "A member's role is regular or admin")
        unknown = set(rights) - set(RIGHT_KEYS.values())
        if unknown:
            raise AdminError(400, "invalid_right", f"No such right: {', '.join(sorted(unknown))}")
        return self.update_member(account_id, member_id, {"role": role, "rights": rights})

    def change_profile(
        self,
        account_id: int,
        member_id: str,
        body: dict[str, Any],
        identity_from_idp: bool,
        sso_domain: Callable[[str], bool] = lambda email: False,
    ) -> dict[str, Any]:
        """A member changes its own name or email in the pages (My profile). With SAML SSO on,
        an SSO user's identity is the identity provider's ([C] "With SSO, users cannot change
        their name or email in Wrike themselves"): ``identity_from_idp`` refuses any change.
        ``sso_domain(email)`` says whether the email is at an approved domain of an account
        whose SSO is not off: a change to such an email is refused (a modelling choice, see
        "email change into an SSO domain" in ``modelling``)."""
        with self.store.transaction():
            user = self.member(account_id, member_id)
            name = user.doc.get("name") or {}
            wanted = {
                "givenName": _profile_text(body.get("first_name"), "first name"),
                "familyName": _profile_text(body.get("last_name"), "last name"),
            }
            email = body.get("email")
            email = email.strip() if isinstance(email, str) else ""
            if not is_email(email):
                raise AdminError(400, "invalid_email", f"{email[:200]!r} is not an email address")
            email_changed = key(email) != user.login_key
            names_changed = any((name.get(k) or "") != v for k, v in wanted.items())
            if not (email_changed or names_changed):
                return member_view(user)
            if identity_from_idp:
                raise AdminError(
                    403,
                    "identity_managed_by_idp",
                    "Your name and email come from your company's identity provider while SAML "
                    "SSO is on, so they cannot be changed in Wrike. Change them in the identity "
                    "provider (OneLogin): provisioning brings the change to Wrike.",
                )
            into_sso = email_changed and sso_domain(email)
            if into_sso and modelling.PROFILE_EMAIL_INTO_SSO_DOMAIN_REFUSED:
                raise AdminError(
                    403,
                    "email_domain_uses_sso",
                    f"{email[:200]} is at {email.rsplit('@', 1)[-1].lower()}, a domain whose "
                    "members sign in through SAML SSO, so you cannot move your login there "
                    "yourself: the identity provider owns those emails. Ask an admin of that "
                    "account to add you.",
                )
            doc = dict(user.doc)
            new_name = {**name, **{k: v for k, v in wanted.items() if v}}
            for k, v in wanted.items():
                if not v:
                    new_name.pop(k, None)
            if new_name:
                doc["name"] = new_name
            else:
                doc.pop("name", None)
            emails = None
            changed = user
            if email_changed:
                others = [
                    e
                    for e in doc.get("emails") or []
                    if isinstance(e, dict) and str(e.get("value", "")).lower() != user.login_key
                ]
                doc["userName"] = email
                doc["emails"] = [{"value": email, "type": "work", "primary": True}, *others]
                emails = [(str(e["value"]), e.get("type")) for e in doc["emails"]]
                changed = replace(changed, user_name=email, login_key=key(email))
            changed = replace(
                changed, doc=doc, version=user.version + 1, last_modified=stamp(self.clock())
            )
            try:
                self.store.update_user(changed, emails, user.version, user)
            except Conflict as error:
                raise AdminError(
                    409, "email_taken", f"{email} is already the login of another member"
                ) from error
            return member_view(changed)

    def scim_history(self, account_id: int, member_id: str, limit: int) -> list[dict[str, Any]]:
        """The SCIM requests the member's record received, newest first (``history``)."""
        return self.store.scim_history(account_id, member_id, limit)

    def members(self, account_id: int) -> list[dict[str, Any]]:
        self._account(account_id)
        _, users = self.store.search_users(account_id, None, 0, 1_000_000)
        return [member_view(u) for u in users]

    # -- SCIM URL, API apps and tokens --------------------------------------------------------

    def scim_url(self, account_id: int, member_id: str, base_url: str) -> str:
        """Shown only to members with the right to configure advanced security settings."""
        self._account(account_id)
        member = self.member(account_id, member_id)
        if not member.can_configure_security:
            raise AdminError(
                403,
                "right_missing",
                f"{member.user_name} cannot see the SCIM URL: it needs the right "
                f"'{RIGHT_SECURITY}'.",
            )
        return base_url.rstrip("/") + SCIM_PATH.format(account_id=account_id)

    def create_app(
        self, account_id: int, member_id: str, name: Any, description: Any
    ) -> dict[str, Any]:
        member = self.member(account_id, member_id)
        if not isinstance(name, str) or not name.strip() or len(name) > 100:
            raise AdminError(400, "invalid_name", "An API app needs a name of 1 to 100 characters")
        if description is not None and not isinstance(description, str):
            raise AdminError(400, "invalid_description", "description must be text")
        app_id = self.store.add_app(
            account_id, name.strip(), description or "", member.id, stamp(self.clock())
        )
        app = self.store.app(account_id, app_id)
        assert app is not None
        return app

    def issue_token(
        self, account_id: int, app_id: int, member_id: str, password: Any
    ) -> dict[str, Any]:
        """A permanent token, obtained by re-entering the password; shown once, kept hashed."""
        if self.store.app(account_id, app_id) is None:
            raise AdminError(404, "app_not_found", f"No API app {app_id} in account {account_id}")
        member = self.member(account_id, member_id)
        if not isinstance(password, str) or not check_password(password, member.password_hash):
            raise AdminError(
                403, "wrong_password", "The password is not correct: re-enter your Wrike password"
            )
        token = new_token()
        token_id = self.store.add_token(
            app_id, account_id, member.id, token_hash(token), token_hint(token), stamp(self.clock())
        )
        return {
            "id": token_id,
            "app_id": app_id,
            "token": token,
            "hint": token_hint(token),
            "issued_by": member.user_name,
            "note": "This token is shown only once. Copy it now.",
        }

    def tokens(self, account_id: int) -> list[dict[str, Any]]:
        self._account(account_id)
        return self.store.tokens(account_id)

    def revoke_token(self, account_id: int, token_id: int) -> None:
        self._account(account_id)
        if not self.store.revoke_token(account_id, token_id, stamp(self.clock())):
            raise AdminError(404, "token_not_found", f"No active token {token_id}")

    # -- billing ----------------------------------------------------------------------------

    def billing(self, account_id: int) -> dict[str, Any]:
        """Billable members and paid seats, apart: ``seats`` counts the billable (active)
        members per user type, ``paid_seats`` those whose type takes a paid seat
        (``modelling.PAID_SEAT_USER_TYPES``, read here so a flipped choice shows at once), and
        ``seat_rules`` says for each type whether that rule is Wrike's or assumed."""
        self._account(account_id)
        seats = self.store.seats(account_id)
        paid = {t: n for t, n in seats.items() if t in modelling.PAID_SEAT_USER_TYPES}
        types = [*USER_TYPES, *(t for t in seats if t not in USER_TYPES)]
        return {
            "seats": seats,
            "billable_members": sum(seats.values()),
            "paid_seats": sum(paid.values()),
            "paid_seats_by_type": paid,
            "seat_rules": [
                {
                    "user_type": t,
                    "paid_seat": t in modelling.PAID_SEAT_USER_TYPES,
                    "source": "assumed" if t in modelling.PAID_SEAT_ASSUMED else "Wrike",
                }
                for t in types
            ],
            # The older name of billable_members, kept for existing readers.
            "total_seats": sum(seats.values()),
            "ledger": self.store.ledger(account_id),
        }


def _profile_text(value: Any, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > 200:
        raise AdminError(400, "invalid_name", f"The {what} is text of at most 200 characters")
    return value.strip()


def _plan(plan: Any) -> str:
    for known in PLANS:
        if isinstance(plan, str) and plan.strip().lower() == known.lower():
            return known
    raise AdminError(
        400, "invalid_plan", f"{plan!r} is not a Wrike plan; one of: {', '.join(PLANS)}"
    )

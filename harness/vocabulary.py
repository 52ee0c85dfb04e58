"""The names a case file, the step vocabulary (features/STEPS.md), the drivers and the repro
report use, each list declared once.

Why one module: a case file, the repro report and an exported scenario must speak the same
words as the BDD suite ("Job title", "User creation failed in app", "Create user",
"Pending") and mean the same thing by them, so a case exported to Gherkin runs unchanged and
replays the same way. tests/harness/test_vocabulary.py fails if another module in steps/ or
harness/ declares a copy of one of these lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mock_onelogin.domain.events import EVENT_TYPES, EventType
from wrike_sp.domain.accounts import RIGHT_KEYS
from wrike_sp.domain.modelling import (
    PLANS,
    RIGHT_EDIT_USERS,
    RIGHT_GRANT_ADMIN,
    RIGHT_SECURITY,
    RIGHTS_OF_NEW_ADMINS,
    USER_TYPES,
)
from wrike_sp.domain.modelling import SCIM_PLAN_ORDER as SCIM_PLANS

__all__ = [
    "PLANS",
    "RIGHT_EDIT_USERS",
    "RIGHT_GRANT_ADMIN",
    "RIGHT_KEYS",
    "RIGHT_SECURITY",
    "SCIM_PLANS",
    "USER_TYPES",
]

#: The two set-up rights a step or a case lists for an admin ("with the rights ... and ...",
#: ``rights:``); ``RIGHT_KEYS`` maps every right a member can hold to its admin API key.
RIGHTS = (RIGHT_SECURITY, RIGHT_GRANT_ADMIN)
ALL_RIGHTS = tuple(RIGHT_KEYS)
#: The rights Wrike grants every new admin: held unless a step or case withholds them
#: ("without the right ...", ``without_rights:``).
DEFAULT_RIGHTS = tuple(r for r in ALL_RIGHTS if r in RIGHTS_OF_NEW_ADMINS)

#: The Wrike user type attribute: a OneLogin custom attribute, SCIM ``userType`` in Wrike.
USER_TYPE = "Wrike user type"

#: The article's synced attributes → the OneLogin user field that feeds each one in the
#: Wrike app's default SCIM JSON Template ("custom:" marks a custom attribute).
ONELOGIN_ATTRIBUTES: dict[str, str] = {
    "Username": "username",
    "Given name": "firstname",
    "Family name": "lastname",
    "Primary email": "email",
    "Job title": "title",
    "Primary phone number": "phone",
    "Organization name": "company",
    "Department": "department",
    USER_TYPE: "custom:wrike_user_type",
}

#: The attributes a case sets through the user's email (its username and primary email).
EMAIL_ATTRIBUTES = ("Primary email", "Username")

#: Attributes a Wrike admin can fill in Wrike itself; "Secondary email" exists only there.
WRIKE_ATTRIBUTES = (*(a for a in ONELOGIN_ATTRIBUTES if a != USER_TYPE), "Secondary email")

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

#: The single-valued attributes a Wrike admin fills in, as SCIM PATCH paths (phone numbers and
#: emails are lists, filled in as lists).
SCIM_PATHS = {
    "Job title": "title",
    "Given name": "name.givenName",
    "Family name": "name.familyName",
    "Organization name": f"{ENTERPRISE}:organization",
    "Department": f"{ENTERPRISE}:department",
}

#: System Log event type names as the step vocabulary writes them, by OneLogin id: the
#: simulated OneLogin's own spelling (``EventTypeInfo.words``: the console's Events page,
#: the repro report and the steps read the same), so a name is written in one place.
#: Whether each name is OneLogin's or the simulator's: :func:`event_name_assumed`.
EVENT_NAMES: dict[int, str] = {
    type_id: EVENT_TYPES[type_id].words
    for type_id in (51, 52, 53, 54, 55, 59, 60, 61, 62, 63, 64, 65, 137, 138)
}
EVENT_IDS = {name: event_id for event_id, name in EVENT_NAMES.items()}
#: "A SCIM provisioning attempt" in the article's sense: OneLogin ids 51 to 65.
PROVISIONING_EVENT_IDS = frozenset(range(51, 66))
FAILURE_EVENT_IDS = frozenset({61, 62, 63, 64, 65})


def event_name_assumed(type_id: int) -> bool:
    """The event type's name is the simulator's (OneLogin publishes none for it), which the
    repro report and the diagnosis mark as assumed."""
    info = EVENT_TYPES.get(type_id)
    return info is None or not info.official


#: "Require admin approval before this action is performed": label → the task kinds it holds
#: (the simulator gates a suspend on "Delete user" and a reactivation on "Update user").
TASKS: dict[str, frozenset[str]] = {
    "Create user": frozenset({"create"}),
    "Update user": frozenset({"update", "reactivate"}),
    "Delete user": frozenset({"delete", "suspend"}),
}
#: The same boxes → the key of each in the simulator's Provisioning tab.
TASK_KEYS = {
    "Create user": "create_user",
    "Update user": "update_user",
    "Delete user": "delete_user",
}
ALL_TASK_KINDS = frozenset().union(*TASKS.values())


def task_label(kind: str) -> str:
    """The approval box that holds a task of this kind."""
    return next(label for label, kinds in TASKS.items() if kind in kinds)


#: Provisioning states as OneLogin's Users list labels them. The step vocabulary knows the
#: first five; the others can be expected in a case but not exported.
STATES = ("Pending", "Provisioned", "Failed", "Suspended", "Deleted", "Not provisioned", "Unknown")
VOCABULARY_STATES = STATES[:5]

#: OneLogin user status codes (API v2 ``status``).
ONELOGIN_ACTIVE = 1
ONELOGIN_SUSPENDED = 2

WRIKE_STATUSES = ("active", "deactivated", "absent")


def scim_status(user: dict[str, Any] | None) -> str:
    """What a provider's SCIM user shows, on evidence only: ``active`` true is active, false
    is deactivated, and a user without an ``active`` boolean shows neither (RFC 7643 gives
    ``active`` no default), so a check of either state fails against it instead of reading
    a missing attribute as one of them."""
    if user is None:
        return "absent"
    active = user.get("active")
    if active is True:
        return "active"
    if active is False:
        return "deactivated"
    return f"neither active nor deactivated (active is {active!r}, not a boolean)"


#: What the billing ledger records for a Wrike user leaving, as the steps say it → the
#: ledger's event name.
LEDGER_CHANGES = {"deactivation": "deactivated", "deletion": "deleted"}
DEPROVISION_ACTIONS = ("Delete", "Suspend", "Do Nothing")
SUSPENSION_ACTIONS = ("Suspend", "Do Nothing")
UPDATE_METHODS = ("PUT", "PATCH")
API_STATUSES = ("Enabled", "Failed", "Disabled")
#: How a case names the SCIM Base URL: the account's, one with a typo in the path, or none.
SCIM_URL_CHOICES = ("account", "wrong", "none")


@dataclass(frozen=True)
class Fault:
    """What Wrike does with every SCIM request while a fault lasts: answer with ``status``,
    or fail on the network. ``network`` is "refused" (nothing accepts the connection: the
    request never reaches Wrike) or "dropped" (Wrike starts the answer, then the connection
    breaks)."""

    status: int | None = None
    network: str | None = None


#: Faults Wrike can be made to answer every SCIM request with. The first four are the step
#: vocabulary's; "connection dropped" is the harness's own. Any other "4xx ..." or "5xx ..."
#: status is a fault too (see :func:`fault`).
FAULTS: dict[str, Fault] = {
    "503 Service Unavailable": Fault(status=503),
    "500 Internal Server Error": Fault(status=500),
    "429 Too Many Requests": Fault(status=429),
    "connection refused": Fault(network="refused"),
    "connection dropped": Fault(network="dropped"),
}
VOCABULARY_FAULTS = tuple(FAULTS)[:4]
_STATUS_FAULT = re.compile(r"([45]\d\d)(\s.*)?")


def fault_name(text: str) -> str | None:
    """The fault a case or step names (case-insensitive), or None if it names none."""
    named = [name for name in FAULTS if name.lower() == text.strip().lower()]
    if named:
        return named[0]
    return text.strip() if _STATUS_FAULT.fullmatch(text.strip()) else None


def fault(name: str) -> Fault:
    """The meaning of a fault name: one of :data:`FAULTS`, or any 4xx or 5xx status."""
    if name in FAULTS:
        return FAULTS[name]
    match = _STATUS_FAULT.fullmatch(name.strip())
    if match is None:
        raise ValueError(
            f"unknown fault {name!r}; one of: {', '.join(FAULTS)}, or a 4xx or 5xx status"
        )
    return Fault(status=int(match[1]))


#: SAML SSO refusal reasons (docs/sso.md, "Reason codes": one vocabulary for the refusal
#: pages, Wrike's SSO attempts, the System Log, the diagnosis and the steps), by the side that
#: refuses. Wrike's are in the order its ACS checks them.
SSO_SP_REASONS: dict[str, str] = {
    "malformed": "not a SAML Response Wrike reads",
    "sso_off": "the account's SSO mode is off",
    "status_not_success": "the IdP answered with a non-Success status",
    "unsigned": "no signature covers the assertion",
    "certificate_mismatch": "signed with a certificate Wrike does not hold",
    "signature_invalid": "the signature does not verify (the assertion was altered)",
    "issuer_mismatch": "the Issuer is not the IdP in Wrike's settings",
    "audience_mismatch": "the Audience is not Wrike's SP entity id",
    "recipient_mismatch": "the Recipient or Destination is not Wrike's ACS",
    "not_yet_valid": "the assertion is not valid yet (before NotBefore, beyond the skew)",
    "expired": "the assertion has expired (after NotOnOrAfter, beyond the skew)",
    "in_response_to_unknown": "InResponseTo names no request Wrike sent, or one answered",
    "replayed": "this assertion was already used",
    "unknown_user": "no Wrike member has the NameID as login",
    "user_deactivated": "the Wrike member is deactivated",
    "domain_not_approved": "the NameID's domain is not an approved domain of the account",
    "password_login_enforced": "SSO is enforced: an SSO user must log in through SSO",
}
SSO_IDP_REASONS: dict[str, str] = {
    "app_not_assigned": "the OneLogin user is not assigned the Wrike app",
    "invalid_credentials": "the OneLogin username or password is not correct",
    "user_not_active": "the OneLogin user is not active",
    "request_invalid": "an AuthnRequest OneLogin cannot read, or whose ACS is not the app's",
}
#: Where an SSO login ends: signed in to Wrike, or refused at one side.
SSO_SIDES = ("OneLogin", "Wrike")
#: Wrike's SSO modes (docs/sso.md): off, optional (passwords still work), enforced.
SSO_MODES = ("off", "optional", "enforced")
#: The System Log's event types for a login to the Wrike app through SAML SSO, and for a
#: refused one (docs/sso.md: the refusal's reason code is the event's error_description).
SSO_SIGNED_IN_EVENT_IDS = frozenset({EventType.USER_LOGGED_INTO_APP.value})
SSO_REFUSED_EVENT_IDS = frozenset({EventType.COULD_NOT_AUTHENTICATE_TO_APP.value})
#: Their names, the simulated OneLogin's (OneLogin publishes none for them).
SSO_EVENT_NAMES: dict[int, str] = {
    type_id: EVENT_TYPES[type_id].words
    for type_id in sorted(SSO_SIGNED_IN_EVENT_IDS | SSO_REFUSED_EVENT_IDS)
}

"""Every choice the reference provider makes where Wrike does not publish its behaviour.

Each constant here is listed under "Modelling choices" in README.md. Change a choice here and
the whole provider follows: the switches and statuses are read when a request is answered
(``modelling.NAME``, not imported by name), and tests flip each one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from webguard import serving

# Plans, verbatim from the article's availability tables, then the newer plan names Wrike's own
# SCIM pages list ("Availability: Pinnacle, Apex. ; Unavailability: Free, Team, Business",
# https://help.wrike.com/hc/en-us/articles/360046791773-SAML-SSO-Azure-AD-Entra-ID-User-Provisioning);
# Free, Team and Business are already in the article's table.
PLANS: tuple[str, ...] = (
    "Free",
    "Professional",
    "Team",
    "Business",
    "Business Plus",
    "Enterprise Standard",
    "Enterprise Pinnacle",
    "Legacy Free",
    "Legacy Professional",
    "Legacy Business",
    "Legacy Enterprise",
    "Pinnacle",
    "Apex",
)
#: The plans that include SCIM, in the order the refusals and the diagnosis list them.
SCIM_PLAN_ORDER: tuple[str, ...] = (
    "Enterprise Standard",
    "Enterprise Pinnacle",
    "Legacy Enterprise",
    "Pinnacle",
    "Apex",
)
SCIM_PLANS: frozenset[str] = frozenset(SCIM_PLAN_ORDER)

# User types as the article names them; the first is the default ("By default, Regular Users
# are created"). Choice: carried in the core `userType` attribute, matched case-insensitively.
USER_TYPES: tuple[str, ...] = ("Regular", "External", "Collaborator", "Contributor", "Viewer")
DEFAULT_USER_TYPE = "Regular"

# Which user types take a paid seat; every member provisioned over SCIM is billable whatever its
# type ("Members added through SCIM are billable as soon as they're provisioned", the article),
# and billable members and paid seats are reported apart. Published (Types of Licenses in Wrike,
# https://help.wrike.com/hc/en-us/articles/209603989-Types-of-Licenses-in-Wrike): "Admins,
# regular and external users require a paid user seat" and "Collaborators don't require a paid
# user seat" (in limited numbers). Choices, where Wrike publishes nothing per type (a switch,
# read at use; the billing page says "assumed" next to them): a Contributor takes a paid seat,
# a Viewer does not (limited users "may require a paid User seat at a reduced rate ... or may be
# provisioned ... for free").
PAID_SEAT_USER_TYPES: frozenset[str] = frozenset({"Regular", "External", "Contributor"})
#: The user types whose seat rule above is assumed, not published.
PAID_SEAT_ASSUMED: frozenset[str] = frozenset({"Contributor", "Viewer"})

# Choice: the SCIM URL shape. Wrike shows one per account; the account id sits in the path.
SCIM_PATH = "/scim/{account_id}/v2"

# Choice: with no approved domain at all, nobody is provisioned (the article: "Only users from
# approved domains will be automatically provisioned").
EMPTY_APPROVED_DOMAINS_ALLOW_ALL = False

# Choice: refusal statuses where Wrike publishes none.
STATUS_PLAN_WITHOUT_SCIM = 403
STATUS_UNAPPROVED_DOMAIN = 400  # scimType invalidValue
STATUS_ADMIN_RIGHT_MISSING = 403
STATUS_GROUPS = 501

# Choice (a switch): what the provider does with an attribute outside the User schema and its
# enterprise extension: a top-level name (`nickname2`), an extension attribute, or a
# sub-attribute such as `manager.managerId` (a SCIM 1.1 template's name; RFC 7643 §4.3 has
# `manager.value`, and `managerId` is not aliased to it). "ignore" drops it and applies the rest
# of the request; "refuse" answers 400 naming it (POST/PUT: invalidSyntax for a top-level name,
# invalidValue for an extension or sub-attribute; PATCH: invalidPath for a path, invalidValue
# for a key of a value). Wrike does not publish which. "ignore" because the article lists the
# attributes Wrike syncs ("The following attributes are synced from OneLogin to Wrike: ..."),
# which says other attributes are not synced, not that the user is refused; the manager is not
# among them either way. Read at use; the harness diagnosis names it on a refusal.
UnknownAttributes = Literal["ignore", "refuse"]
UNKNOWN_ATTRIBUTES: UnknownAttributes = "ignore"

# The rights of the member who issued the token, as Wrike labels them. Wrike's SCIM API article
# (https://help.wrike.com/hc/en-us/articles/27535624025623-SCIM-API): the caller must "be an
# Administrator with the rights to "edit names and emails, add/remove people from groups, export
# a user list, deactivate and delete individual user accounts", "Configure advanced security
# settings" and "Grant/revoke admin rights" enabled". Wrike's Controlled Admin Permissions page
# (https://help.wrike.com/hc/en-us/articles/210324325-Controlled-Admin-Permissions) shows the
# first as one permission category, "Edit names and emails, add/remove people from groups,
# deactivate and delete individual user accounts" (its abilities include "Change a user's
# license type", "Delete and add user emails" and "Export a list of users"), marked "granted by
# default to all new admins"; so it is one right here, held by every new admin unless withheld.
RIGHT_SECURITY = "Configure advanced security settings"
RIGHT_GRANT_ADMIN = "Grant/revoke admin rights"
RIGHT_EDIT_USERS = (
    "Edit names and emails, add/remove people from groups, deactivate and delete individual "
    "user accounts"
)
#: The rights Wrike grants every new admin (and the owner) unless an owner withholds them.
RIGHTS_OF_NEW_ADMINS: frozenset[str] = frozenset({RIGHT_EDIT_USERS})


# Choices (read at use): who may, in the pages, change what Wrike publishes no page rule for.
# The account's plan: the roles in PLAN_CHANGED_BY (the owner alone). A member's role and admin
# rights: admins holding "Grant/revoke admin rights" (Wrike's Controlled Admin Permissions page)
# and, with OWNER_ALWAYS_GRANTS, the owner whatever its own flags, so that an account never loses
# the last member able to give a right back (a case file may withhold the owner's rights for SCIM).
PLAN_CHANGED_BY: frozenset[str] = frozenset({"owner"})
OWNER_ALWAYS_GRANTS = True


@dataclass(frozen=True)
class IssuerRight:
    """One row of :data:`SCIM_OPERATION_RIGHTS`: the right of the token's issuer an operation
    needs (``None``: none beyond being an active admin), what the refusal says it is for, and
    whether the row is the article's (it names the right for that use) or a modelling choice."""

    right: str | None
    ability: str
    source: Literal["article", "choice"]


# Choice (a table of switches, read at use): which SCIM operation needs which right of the
# token's issuer. The article says the issuer needs the rights, not which operation needs which;
# a missing right answers STATUS_ISSUER_RIGHT_MISSING naming the right and the fix. Changes to
# an account admin also need "Grant/revoke admin rights" (the article's note; check_admin_rule,
# STATUS_ADMIN_RIGHT_MISSING), checked first. /Groups needs no right: it answers STATUS_GROUPS,
# since Wrike does not sync groups ("add/remove people from groups" has no SCIM use).
SCIM_OPERATION_RIGHTS: dict[str, IssuerRight] = {
    # POST /Users: a create sets the member's names, emails and licence type.
    "create": IssuerRight(RIGHT_EDIT_USERS, "add users (with their names and emails)", "choice"),
    # PUT or PATCH changing any attribute but `active`.
    "edit": IssuerRight(RIGHT_EDIT_USERS, "edit names and emails", "article"),
    # PUT or PATCH setting `active` false, or true again.
    "deactivate": IssuerRight(RIGHT_EDIT_USERS, "deactivate users", "article"),
    "reactivate": IssuerRight(RIGHT_EDIT_USERS, "reactivate users", "choice"),
    "delete": IssuerRight(RIGHT_EDIT_USERS, "delete users", "article"),
    # GET /Users (with or without a filter) and POST /Users/.search: the API's user list.
    "list": IssuerRight(RIGHT_EDIT_USERS, "export a user list", "choice"),
    # GET /Users/{id}: any admin sees the members in Wrike's user management chart.
    "read": IssuerRight(None, "read a user", "choice"),
}
STATUS_ISSUER_RIGHT_MISSING = 403

# Choice: a SCIM token works only while its issuer is still an active account admin.
TOKEN_NEEDS_ADMIN_ISSUER = True

# Limits (ServiceProviderConfig advertises them).
MAX_RESULTS = 1000
MAX_BODY_BYTES = 1024 * 1024

# Limits on hostile input (not Wrike facts: bounds the reference provider chooses so that no
# input can make it fail). An account id in the SCIM URL is ASCII digits, no leading zero,
# below 2^63 (SQLite's INTEGER); a JSON body may nest objects and arrays at most this deep
# (checked before parsing; SCIM bodies need about 5 levels).
MAX_ACCOUNT_ID = 2**63 - 1
MAX_JSON_DEPTH = 32

# Choice: the pages' sign-in (Wrike does not publish its lockout policy). An email that fails
# LOGIN_FAILURES_PER_ACCOUNT times within LOGIN_FAILURE_WINDOW_S is locked for the rest of that
# window; a client address is locked the same way after LOGIN_FAILURES_PER_CLIENT failures
# (higher: many members may share one address). Each lockout doubles the key's next window
# (LOGIN_LOCKOUT_GROWTH), up to LOGIN_MAX_WINDOW_S; a successful sign-in clears the email's
# count, never the address's. Each throttle remembers at most LOGIN_THROTTLE_KEYS keys. A
# wrong password in the "Obtain token" form counts as a failed sign-in of that member.
LOGIN_FAILURES_PER_ACCOUNT = 5
LOGIN_FAILURES_PER_CLIENT = 20
LOGIN_FAILURE_WINDOW_S = 15 * 60
LOGIN_LOCKOUT_GROWTH = 2
LOGIN_MAX_WINDOW_S = 24 * 60 * 60
LOGIN_THROTTLE_KEYS = 10_000

# Choice: a page session lives at most PAGE_SESSION_LIFETIME_S (12 hours) after sign-in, and
# ends at once on logout, on the member's deactivation or deletion, or a password change.
PAGE_SESSION_LIFETIME_S = 12 * 60 * 60

# Limits against one request tying up the provider (denial of service). Choices: Wrike
# publishes none; each is far beyond what a real directory sends.
# At most this many values in one multi-valued attribute (emails, phoneNumbers, ...): a PUT,
# POST or PATCH beyond it, or whose merge would end beyond it, is refused with 400
# invalidValue before anything is written.
MAX_MULTI_VALUES = 100
# At most this many operations in one PATCH (an identity provider sends one per attribute).
MAX_PATCH_OPERATIONS = 100
# A list response (GET /Users, POST /Users/.search) holds users up to this many bytes of
# stored JSON: a page of big users ends early (itemsPerPage says how many it holds,
# totalResults stays the count of all), and the client pages on with startIndex. A page
# holds at least one user, so only a single user bigger than this makes a bigger page.
MAX_PAGE_BYTES = 4 * 1024 * 1024


def server_options() -> dict[str, Any]:
    """The WSGI server's settings for this app (``webguard.serving``)."""
    return serving.server_options(MAX_BODY_BYTES)


# -- SAML SSO (wrike_sp.domain.sso; docs/sso.md is the contract) ------------------------------
# Sourced: SSO is on Enterprise plans ("SSO is offered on Enterprise plans", Wrike's SAML SSO
# Implementation Guide, help.wrike.com 209605769). Choice: the newer plans that include SCIM
# (Pinnacle, Apex) include SSO too, so the SSO plans are the SCIM plans; any other plan is
# refused SSO settings with STATUS_PLAN_WITHOUT_SSO and the plans listed.
SSO_PLAN_ORDER: tuple[str, ...] = SCIM_PLAN_ORDER
SSO_PLANS: frozenset[str] = frozenset(SSO_PLAN_ORDER)
STATUS_PLAN_WITHOUT_SSO = 403

# Choice: the SP's URLs (docs/sso.md): the entity id is the account's SAML base URL.
SAML_BASE_PATH = "/saml/{account_id}"

# Choice: how far an assertion's NotBefore / NotOnOrAfter (and the SubjectConfirmation's
# NotOnOrAfter) may be off Wrike's clock before it is refused as not yet valid / expired.
# Wrike publishes none; three minutes is what SAML toolkits commonly allow.
SAML_CLOCK_SKEW_S = 180

# Choice: an assertion whose validity (the earliest NotOnOrAfter) ends more than this long
# after Wrike's clock is refused as malformed, the ceiling named in the detail (Wrike publishes
# none; OneLogin's assertions live minutes). This also bounds how long a used assertion ID is
# kept, and keeps "9999-12-31T23:59:59Z" from overflowing the replay store's expiry.
SAML_MAX_VALIDITY_S = 24 * 60 * 60

# Choice (IdP certificate dates): the dates of a certificate Wrike holds from the IdP's
# metadata are not enforced: an IdP certificate past its NotAfter (or before its NotBefore)
# still verifies, as in OneLogin's own toolkit (python3-saml does not check IdP certificate
# expiry). Trust comes from the admin having pasted the certificate; rotating it is the IdP's
# and the admin's business.

# Choice: an AuthnRequest Wrike sent is answerable for this long (then in_response_to_unknown).
SAML_REQUEST_LIFETIME_S = 10 * 60

# Choice: a replayed assertion is told apart for at least this long after its NotOnOrAfter
# passed (the IDs are kept until NotOnOrAfter plus the skew, since an assertion is accepted
# that long); an assertion without NotOnOrAfter is refused as expired, so every ID expires.
# Sourced: IdP-initiated logins are supported ([C] Wrike's SAML SSO User Guide 210324565), so
# a Response without InResponseTo is accepted; one WITH an InResponseTo must name a request
# Wrike sent and has not seen answered.
SAML_ACCEPT_UNSOLICITED = True

# Choice: members created by JIT provisioning ([C] Wrike can create the profile on first SSO
# login) are Regular users, not admins, and read their names from these attributes of the
# assertion (the names OneLogin's Wrike connector sends, docs/sso.md).
JIT_USER_TYPE = "Regular"
JIT_ATTRIBUTE_FIRST_NAME = "User.FirstName"
JIT_ATTRIBUTE_LAST_NAME = "User.LastName"
# Choice: JIT makes members only for plain-ASCII emails (printable, no spaces): a NameID such
# as "alice\u200b@acme.example" (zero-width space), "\uff41lice@acme.example" (fullwidth a) or
# "a\u0301lice@acme.example" (combining accent) is refused as unknown_user, its detail saying
# so, rather than made a new billable look-alike of a member. An existing member is found by
# its login whatever its characters.
JIT_ASCII_EMAILS_ONLY = True

# Sourced [V]: with domain-based SSO only members at approved domains sign in through SSO;
# others (collaborators from outside) keep their password. Choice: in enforced mode no SSO user
# is exempt from SSO, the account owner included (the admin API can switch SSO off again).
SSO_ENFORCED_EXEMPTS_OWNER = False

# Choice (email change into an SSO domain): in My profile a member cannot change its email to
# an address at an approved domain of any account whose SSO is not off (refused 403
# email_domain_uses_sso, saying why): the identity provider owns those addresses, and the real
# person's first SSO login would otherwise land on the mover's member row, which the mover's
# password still opens. Admins (admin API, SCIM) can still set such emails.
PROFILE_EMAIL_INTO_SSO_DOMAIN_REFUSED = True

# Choice (SSO routing; whether Wrike lets two accounts approve one domain is unknown, so
# approving a domain another account approves is allowed): "Next" on the login page sends an
# email that is a member anywhere only to an account where it is a member at an approved
# domain with SSO on (never to an account where it is no member); an unknown email goes to an
# account's JIT only when that account, with SSO and JIT on, is the only account approving the
# email's domain. Otherwise the password step.

# Choice: Wrike's verification-code email sent when SSO is enabled ([V] manageengine guide) is
# not simulated: saving the settings enables them at once (the settings page says so).
SSO_VERIFICATION_EMAIL = False

# Choice: an encrypted assertion (possible on request to Wrike support, [C]) is not read: a
# Response carrying one is refused as malformed.
SSO_READS_ENCRYPTED_ASSERTIONS = False

# Choice: the refusal page's status (docs/sso.md) and how many attempts the admin API lists.
STATUS_SSO_REFUSED = 403
SSO_ATTEMPTS_SHOWN = 200

"""Every choice the reference provider makes where Wrike does not publish its behaviour.

Each constant here is listed under "Modelling choices" in README.md. Change a choice here and
the whole provider follows: the switches and statuses are read when a request is answered
(``modelling.NAME``, not imported by name), and tests flip each one.
"""

from __future__ import annotations

# Plans, verbatim from the article's availability tables.
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
)
SCIM_PLANS: frozenset[str] = frozenset(
    {"Enterprise Standard", "Enterprise Pinnacle", "Legacy Enterprise"}
)

# User types as the article names them; the first is the default ("By default, Regular Users
# are created"). Choice: carried in the core `userType` attribute, matched case-insensitively.
USER_TYPES: tuple[str, ...] = ("Regular", "External", "Collaborator", "Contributor", "Viewer")
DEFAULT_USER_TYPE = "Regular"

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

"""Every choice the simulator makes where OneLogin's real behaviour is unknown.

The behaviour notes tag these [U]: no public source says what OneLogin does. Keeping them in
one module means a support engineer who learns the real answer changes one constant, and the
README's "Modelling choices" list points here.
"""

from __future__ import annotations

from typing import Any

from webguard import serving

ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
CORE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"

#: The default SCIM JSON Template (OneLogin's exact default v2 text is not published): the
#: nine attributes Wrike's article says are synced, in OneLogin's SCIM v2 Enterprise template
#: syntax. ``userType`` comes from the "Wrike user type" parameter.
DEFAULT_TEMPLATE: dict[str, Any] = {
    "schemas": [CORE_SCHEMA, ENTERPRISE_SCHEMA],
    "userName": "{$parameters.scimusername}",
    "name": {"givenName": "{$user.firstname}", "familyName": "{$user.lastname}"},
    "emails": [{"value": "{$user.email}", "type": "work", "primary": True}],
    "title": "{$user.title}",
    "phoneNumbers": [{"value": "{$user.phone}", "type": "work", "primary": True}],
    "userType": "{$parameters.userType}",
    ENTERPRISE_SCHEMA: {"organization": "{$user.company}", "department": "{$user.department}"},
}

#: The app's default parameters: name -> (user field that feeds it, value when empty).
#: ``scimusername`` is the email (the usual choice on the Parameters tab); ``userType`` is the
#: "Wrike user type" custom attribute, Regular by default as the article says.
DEFAULT_PARAMETER_SOURCES: dict[str, tuple[str, str]] = {
    "scimusername": ("email", ""),
    "userType": ("custom_fields.wrike_user_type", "Regular"),
}

#: Placeholders whose OneLogin value is empty are left out of the rendered SCIM body (and an
#: object or list left with no rendered value is dropped), so that Wrike keeps attributes
#: OneLogin does not have ("Missing attributes" in the article).
OMIT_EMPTY_VALUES = True

#: The connection test asks for a userName that cannot exist: a random UUID at a reserved
#: top-level domain.
CONNECTION_TEST_DOMAIN = "onelogin-sim.invalid"

#: How user updates reach a SCIM v2 provider. OneLogin's official samples use PUT with the
#: whole rendered template; PATCH is offered as a per-app setting. Which one OneLogin's SCIM v2
#: connector uses is not published, so every update, suspend and reactivate event's notes and
#: the repro report say which was used and that it is assumed (``assumed("update_method")``).
DEFAULT_UPDATE_METHOD = "put"

#: With PATCH (itself a modelling choice: docs/onelogin-behaviour.md section 1.4, [U] for the
#: SCIM v2 connectors), how a multi-valued attribute (emails, phoneNumbers) is sent. A choice,
#: no source says. ``"replace_primary"``: the template's primary entry goes out as ``replace``
#: of the provider's primary entry (path ``PATCH_PRIMARY_PATH``, e.g. ``emails[primary eq
#: true]``, RFC 7644 section 3.5.2.3) and any other entry as ``add``: an RFC 7644 provider
#: ends with one primary email and one primary phone, and values only Wrike has (a secondary
#: email) stay. A provider holding no primary entry yet may answer 400 ``noTarget`` (RFC 7644
#: says so; the reference provider creates the entry instead), and the update fails with that
#: answer in the System Log. ``"add"`` (the simulator's earlier habit): the whole list is
#: added, which an RFC provider appends (section 3.5.2.1), keeping the stale primary phone
#: beside the new one.
PATCH_MULTI_VALUED = "replace_primary"
PATCH_PRIMARY_PATH = "{attribute}[primary eq true]"

#: API Status gates provisioning: while the Wrike app's API Status is not Enabled (never
#: tested with "Enable", failed, or reset by a changed SCIM Base URL or token), no SCIM
#: request is sent; each create, update, suspend, reactivate or delete fails at once with a
#: System Log failure event saying why (the simulator's wording), and stays Failed until an
#: admin clicks Enable and retries it. OneLogin does not publish what it does then (waits or
#: fails): a modelling choice. False sends requests whatever the API Status says.
API_STATUS_GATES_PROVISIONING = True

#: Every create (POST) and every full-body PUT (update, suspend, reactivate) carries a
#: top-level ``active`` even if the template has none: false for a suspension, true
#: otherwise (a create or an update only runs for a user who has the app and is not
#: suspended). OneLogin's known habit (docs/onelogin-behaviour.md sections 1.4 and 1.7): an
#: update is a PUT of the whole rendered template "incl. ``active`` where mapped" and a
#: suspension an update with ``active`` false ([C], OneLogin's sample SCIM servers); how it
#: sets ``active`` when the template has none is not published ([U]), so setting it on every
#: create and PUT is a modelling choice. Why: RFC 7643 gives ``active`` no default, so an RFC
#: provider stores none from a create without it, and a full PUT without it drops it (RFC
#: 7644 section 3.5.1); the reference Wrike keeps it either way. With PATCH, a suspension
#: sends only ``replace active false``, a reactivation its attributes and ``replace active
#: true``, an update only the attributes (PATCH leaves ``active`` as it is).
ALWAYS_SET_ACTIVE = True

#: A suspend caused by losing app access, or by a OneLogin suspension, waits for the
#: "Delete user" approval (it is a deprovisioning action); a reactivation waits for
#: "Update user".
SUSPEND_APPROVAL_GATE = "delete_user"
REACTIVATE_APPROVAL_GATE = "update_user"

#: Provisioning tab defaults. The approval checkboxes default to ticked, as vendors report;
#: provisioning itself starts disabled, as in a freshly added catalogue app.
DEFAULT_PROVISIONING_ENABLED = False
DEFAULT_REQUIRE_APPROVAL = {"create_user": True, "update_user": True, "delete_user": True}
DEFAULT_ON_DELETE = "Suspend"
DEFAULT_ON_SUSPEND = "Suspend"

#: The "Do Nothing" option is spelt as OneLogin's developer docs spell it ("select the action
#: you want to test: Delete, Suspend, or Do Nothing", developers.onelogin.com/scim/test-your-scim);
#: the older spelling "Do nothing" is still accepted from case files and the API.
DO_NOTHING_LABEL = "Do Nothing"

#: Only status 2 (Suspended) triggers the "When user accounts are suspended" action. Users in
#: other non-active statuses (e.g. 7 Password Pending, the status of a user created without a
#: password) are provisioned normally.
SUSPENDED_STATUSES = frozenset({2})


def status_is_active(status: object) -> bool:
    """Status -> active, the one rule: a user is active in the app (``{$user.active}``, the
    ``active`` a create carries, the console's "In apps" line) unless their status is one of
    ``SUSPENDED_STATUSES``. So a user created without a password (7, Password Pending) is
    provisioned active, as OneLogin shows them Provisioned. Read at use, like the set."""
    return status not in SUSPENDED_STATUSES


#: "Do nothing" on deprovisioning or suspension logs event 60 once, when access is lost (or
#: the suspension starts), and sends nothing.
LOG_DO_NOTHING_ON_SUSPEND = True

#: A denied create leaves the login in ``nonexistent``; a denied update, suspend, reactivation
#: or delete returns it to the state it had before the request was queued.
DENIED_CREATE_STATE = "nonexistent"

#: A user's app list (/api/2/users/{id}/apps) shows an app while the user is assigned, and
#: after access is lost for as long as the simulator still tracks the Wrike account or a task
#: (e.g. ``deleting_pending_approval``, ``deleted``, ``disabled``).
SHOW_UNASSIGNED_TRACKED_LOGINS = True

#: A DELETE answered 404 means the account is already gone: the delete counts as done.
DELETE_NOT_FOUND_IS_SUCCESS = True

#: Automatic retry is off by default: a failed task stays failed until an admin retries it.
DEFAULT_RETRY_MAX_ATTEMPTS = 0
DEFAULT_RETRY_BASE_DELAY_S = 1.0
DEFAULT_RETRY_MAX_DELAY_S = 60.0
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})

#: SCIM requests carry these headers unless the connector's Custom Headers override them.
DEFAULT_SCIM_HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/scim+json, application/json",
    "User-Agent": "OneLogin SCIM (simulated)",
}
SCIM_TIMEOUT_S = 30.0

#: Admin API: 5,000 calls per hour per account; beyond it a 429 in the v2 error shape.
RATE_LIMIT_PER_HOUR = 5000
RATE_LIMIT_ERROR = {
    "statusCode": 429,
    "name": "TooManyRequestsError",
    "message": "Rate limit exceeded",
}

# --- v1 users API and other SDK surfaces
# What OneLogin documents is followed as documented (developers.onelogin.com/api-docs/1/...:
# wrapped ``{"status", "data"}`` bodies, ``role_id_array``, ``set_state`` and its refusals);
# these are the choices where it says nothing.

#: ``GET /api/1/users``: at most this many users a page (and the default), paged with
#: ``after_cursor``/``before_cursor`` in the v1 ``pagination`` object. A larger ``limit`` is
#: a 400 naming the range. The cursors are the simulator's own (opaque base64 text).
V1_PAGE_LIMIT = 50

#: The v1 body of a user who is not there (404, type "not found"), worded as OneLogin's v1
#: roles API words a missing role ("Role for id 9999999999 was not found").
V1_USER_NOT_FOUND = "User for id {id} was not found"
V1_ROLE_NOT_FOUND = "Role for id {id} was not found"

#: The v1 endpoints answer with OneLogin's wrapped bodies even where SDK 4.0.1 types the
#: answer as a bare object (``get_user_by_id``, ``list_users``, ``create_user``,
#: ``update_user``, ``get_user_apps``): the SDK cannot read those, against OneLogin or here.
#: The v1 status-only answers (``set_state``, ``add_roles``, ``lock_user``...) carry the
#: ``status`` fields at the top level too, so SDK 4.0.1's bare ``Error`` model reads them.
V1_STATUS_FIELDS_AT_TOP = True

#: ``role_id_array`` items may also be ``{"role_id": n}``, the form SDK 4.0.1's
#: ``remove_user_role`` sends; OneLogin documents integers only. Off: such items are refused
#: like any non-integer ("role_id_array should be a subset of -> [...]").
V1_ROLE_ID_OBJECTS = True

#: ``PUT /api/1/users/{id}/add_roles`` with a role the user already holds is refused whole
#: ("input role_id_array is already included as user roles"), nothing added;
#: ``remove_roles`` with a role the user does not hold likewise. A v1 user created without
#: a password is Password Pending (7), as v2 documents; a v1 update takes the v2 fields too
#: (an SDK ``User`` body), with v1's ``notes`` and ``locale_code`` names. ``lock_user`` sets
#: status 3 (Locked; not a suspension: ``SUSPENDED_STATUSES``) and keeps no lock period;
#: ``logout`` only checks the user exists (nobody has a portal session here); neither logs
#: an event. A state (``set_state``) never suspends or reactivates: only status does.

#: ``PUT /api/1/users/{id}`` takes back the user exactly as ``GET`` returned it: these
#: read-only fields of the v1 User resource, sent unchanged, are accepted and ignored (as v2
#: accepts its own read-only fields); one sent changed is refused whole with a v1 400
#: worded as V1_READ_ONLY_MESSAGE, V1_ROLE_ID_MESSAGE for ``role_id`` (the wording is ours;
#: roles change with ``add_roles`` and ``remove_roles``). Any other attribute the resource
#: does not have stays "unknown attribute". OneLogin's v1 pages do not say what it does with
#: them.
#: The v1 resource's own read-only fields; the others are v2's too
#: (``domain.directory.READ_ONLY_FIELDS``), so ``V1_READ_ONLY_FIELDS`` (in ``web/api_v1``) is
#: both.
V1_ONLY_READ_ONLY_FIELDS = ("role_id", "openid_name")
V1_READ_ONLY_MESSAGE = "{field} is read-only and cannot be changed"
V1_ROLE_ID_MESSAGE = (
    "role_id is read-only and cannot be changed with this call: use add_roles and remove_roles"
)

#: ``PUT /api/2/roles/{id}`` changes the role's name only: ``apps``, ``users`` and
#: ``admins`` have their own endpoints, and a body naming them is refused (400 unknown
#: attribute) rather than half applied. ``id`` may be sent and is ignored.
ROLE_UPDATE_FIELDS = ("name", "id")
#: Role admins are kept per role (who added them and when, as OneLogin's sample shows);
#: being one gives no app access. ``added_by.id`` is null: API credentials have no user id.
#: ``POST /api/2/roles`` applies its ``admins`` as it applies ``users``: an unknown or
#: deleted user id in either is a 404 and no role is made.

#: ``PUT /api/2/apps/{id}`` (a partial update, as OneLogin documents) changes these
#: attributes and ``provisioning.enabled``; every other attribute the API shows is
#: read-only (sent unchanged: accepted; changed: 422 UnprocessableEntityFieldError naming
#: it). The connector's parameters and SAML/SCIM configuration are refused with their own
#: message: the simulator keeps them on the app's Configuration tab. ``role_ids`` is
#: read-only here (give a role the app with ``PUT /api/2/roles/{id}/apps``).
APP_UPDATE_FIELDS = ("name", "visible", "description", "notes")
APP_CONNECTOR_FIELDS = ("parameters", "configuration", "sso", "enforcement_point")
APP_READ_ONLY_MESSAGE = "Validation failed: {field} is read-only and cannot be changed"
APP_CONNECTOR_MESSAGE = (
    "Validation failed: {field} cannot be changed through the API; set the connector on the "
    "app's Configuration tab"
)

#: ``POST /auth/oauth2/revoke`` with a token that is unknown, expired, already revoked or
#: another credential's answers 200 Success and revokes nothing, as RFC 7009 section 2.2
#: has it (https://www.rfc-editor.org/rfc/rfc7009#section-2.2); OneLogin does not say. Off:
#: such a token is refused with a v1 400 "access_token is not a live token of this client".
REVOKE_UNKNOWN_TOKEN_SUCCEEDS = True

#: ``GET /auth/rate_limit`` is itself an API call: it counts against the hour's limit while
#: there is budget, and its ``data`` holds the same values as the X-RateLimit-* headers of
#: its own answer. Once the budget is spent it is not refused (no 429, unlike every other
#: API call): it answers 200 with ``x_rate_limit_remaining`` 0 and the seconds to the reset,
#: and counts nothing. OneLogin does not say which it does; a script asks exactly then.

#: Access tokens live 10 hours; asking again with the same credentials returns the same token.
TOKEN_LIFETIME_S = 36000

#: Sign-in throttling (OneLogin's lockout policy is per account and not published): the
#: console login and the OAuth token endpoint count failed attempts per account (the console
#: email; the OAuth client_id) and per client address. LOGIN_FAILURES_PER_ACCOUNT failures
#: within LOGIN_FAILURE_WINDOW_S lock that key for the rest of the window; an address is
#: locked after LOGIN_FAILURES_PER_CLIENT (higher: many clients may share one address). Each
#: lockout doubles the key's next window (LOGIN_LOCKOUT_GROWTH) up to LOGIN_MAX_WINDOW_S; a
#: success clears the account's count, never the address's; each throttle keeps at most
#: LOGIN_THROTTLE_KEYS keys. A locked token request answers 429 with Retry-After in the
#: token endpoint's v1 error shape; a locked console login, a 429 page.
LOGIN_FAILURES_PER_ACCOUNT = 5
LOGIN_FAILURES_PER_CLIENT = 20
LOGIN_FAILURE_WINDOW_S = 15 * 60
LOGIN_LOCKOUT_GROWTH = 2
LOGIN_MAX_WINDOW_S = 24 * 60 * 60
LOGIN_THROTTLE_KEYS = 10_000
LOGIN_THROTTLED_MESSAGE = "Too many failed attempts. Try again later."

#: Console sessions are kept on the server, in memory (a restart ends them, as it does with
#: the default per-process cookie key); a logout ends one at once. A session lives at most
#: CONSOLE_SESSION_LIFETIME_S; at most CONSOLE_SESSIONS are kept (the oldest ends first).
CONSOLE_SESSION_LIFETIME_S = 12 * 60 * 60
CONSOLE_SESSIONS = 1000

#: v2 lists: default and maximum page size.
DEFAULT_PAGE_LIMIT = 50
MAX_PAGE_LIMIT = 1000

#: DELETE /api/2/users/{id} and other bodiless deletes answer 204.
DELETE_STATUS = 204

#: System Log retention: the newest N events are kept.
DEFAULT_EVENT_RETENTION = 100_000

#: How provisioning states are labelled in the app's Users list (Pending, Provisioned and
#: Failed are reported by vendors; the rest are ours).
UI_LABELS = {
    "provisioning_pending_approval": "Pending",
    "modifying_pending_approval": "Pending",
    "deleting_pending_approval": "Pending",
    "provisioned": "Provisioned",
    "provisioning_failed": "Failed",
    "modifying_failed": "Failed",
    "deleting_failed": "Failed",
    "linking_failed": "Failed",
    "deleted": "Deleted",
    "disabled": "Suspended",
    "provisioning": "Provisioning",
    "modifying": "Modifying",
    "deleting": "Deleting",
    "linking": "Linking",
    "unknown": "Unknown",
    "nonexistent": "Not provisioned",
}

#: Event names: official UPPER_SNAKE names are known for a few ids; the others are our
#: descriptive names (see domain/events.py, where each carries an ``official`` flag).
#: Admin actions without a documented event type (connector or Provisioning-tab saves,
#: connection tests, admin retries) are logged as 26 "Provisioning event", a failed
#: connection test as 25 "Provisioning exception" (see account/apps.py).

#: A SCIM Base URL changed to another server (scheme, host or port) clears the stored SCIM
#: Bearer Token unless the same save gives a token too, so a token given for one server is
#: never sent to another (whether OneLogin's page does this is not documented: a safety
#: choice). A change of path on the same server keeps the token.
TOKEN_STAYS_WITH_ITS_ORIGIN = True

#: Bounds on hostile input (the simulator's own, not OneLogin facts). Every id the API takes
#: (users, roles, apps, events, tasks, in a path, a query or a JSON body) is an integer from
#: 1 to 2^63 - 1, SQLite's INTEGER range; numbers are ASCII digits only. A page number is at
#: most MAX_PAGE (with MAX_PAGE_LIMIT per page the offset stays far inside that range), and a
#: cursor carries a limit from 1 to MAX_PAGE_LIMIT. A JSON body nests objects and arrays at
#: most MAX_JSON_DEPTH deep, a SCIM JSON Template at most MAX_TEMPLATE_DEPTH (OneLogin's
#: templates need about 4 levels); both are checked before the text is parsed.
MAX_ID = 2**63 - 1
MAX_PAGE = 1_000_000
MAX_JSON_DEPTH = 32
MAX_TEMPLATE_DEPTH = 16

#: Live users are unique by these fields, compared case-insensitively (ASCII case folding, as
#: SQLite's ``lower`` does; an empty value is not compared). OneLogin refuses a second user
#: with a taken username; that it refuses a taken email too is our choice (no public source
#: says). The store holds a unique index per field, so the rule also holds under concurrent
#: writers; drop "email" here to allow shared emails.
UNIQUE_USER_FIELDS: tuple[str, ...] = ("username", "email")

#: System Log size. Each SCIM request and response body kept in an event is cut past this
#: many bytes (of its JSON text; the bearer token is masked before the cut), and what is kept
#: ends in a marker saying how many bytes were cut (``LOG_CUT_MARKER``). The same limit
#: applies to an event's error text. Retention is bounded in bytes as well as in events:
#: past ``EVENT_RETENTION_BYTES`` of stored event text, the oldest events are pruned (down to
#: nine tenths of it) in the transaction that writes the new ones. Choices: OneLogin
#: publishes neither.
LOG_BODY_LIMIT_BYTES = 16 * 1024
LOG_CUT_MARKER = " … [System Log: {cut} bytes cut]"
EVENT_RETENTION_BYTES = 64 * 1024 * 1024


def server_options() -> dict[str, Any]:
    """The WSGI server's settings for this app (``webguard.serving``)."""
    return serving.server_options(1024 * 1024)


# -- assumptions, as the user reads them --------------------------------------------------------

#: The one wording of an assumption that shaped a result, wherever a user reads it: System
#: Log notes, the console pages and the repro report all take it from ``assumed()``, so they
#: say the same thing. Keys name the assumption; values say why it is one.
ASSUMED = "assumed"
#: The short flag next to an error text that is the simulator's (System Log pages, a Failed
#: entry on the app's Users tab, its dialog and the user's timeline; repro).
WORDING_ASSUMED = "wording assumed"
ASSUMPTIONS: dict[str, str] = {
    "update_method": "OneLogin does not publish whether its SCIM v2 connector sends updates "
    "as PUT or PATCH; this is the simulator's setting",
    "error_wording": "the simulator's text; OneLogin's wording for this failure is not published",
    "event_name": "the simulator's name: OneLogin publishes none for this event type",
    "api_status_gate": "OneLogin does not publish whether tasks wait or fail while API Status "
    "is not Enabled; the simulator fails them",
    "deleted_user_row": "OneLogin does not publish whether a deleted user stays in an app's "
    "Users list; the simulator keeps the row, unlinked, while the app holds a login for them",
}


def wording_assumed() -> str:
    """The line a failure event's notes carry when its error text is the simulator's."""
    return f"Error text: {WORDING_ASSUMED} ({ASSUMPTIONS['error_wording']})"


def assumed(key: str, subject: str = "") -> str:
    """``subject`` followed by the assumption behind it, e.g. ``"Update method: PUT (assumed:
    OneLogin does not publish ...)"``; without a subject, the parenthesis alone."""
    note = f"({ASSUMED}: {ASSUMPTIONS[key]})"
    return f"{subject} {note}" if subject else note


# --- user mappings
# OneLogin's user mappings (``/api/2/mappings``): the resource's shape, 201 with ``{"id": ..}``
# on create and ``position: null`` for a disabled mapping come from the official SDK
# (onelogin 4.0.1 models, CHANGELOG 3.2.7/3.2.8); the operators ``=`` and ``~`` on text
# fields, ``ri`` on ``has_role``, the ``add_role`` action with role ids as strings and the
# refusal "Invalid action value(s)" from OneLogin's Terraform provider examples
# (https://github.com/onelogin/terraform-provider-onelogin). The rest below is ours.

#: Operators on a text field (value -> label). ``=`` (is) and ``~`` (contains) are
#: OneLogin's; ``!=`` and ``!~`` (their negations) are our names for what the console offers.
MAPPING_TEXT_OPERATORS: dict[str, str] = {
    "=": "is",
    "!=": "is not",
    "~": "contains",
    "!~": "does not contain",
}
#: ``has_role``: ``ri`` ("role includes") is OneLogin's; no negation is simulated.
MAPPING_ROLE_OPERATORS: dict[str, str] = {"ri": "includes"}
#: ``status``: equal or not (our labels).
MAPPING_STATUS_OPERATORS: dict[str, str] = {"=": "is", "!=": "is not"}
#: The actions the simulator carries out. OneLogin has many (``set_role``, ``set_status``,
#: ``set_groups``, ...); any other is refused with 422 naming it as not simulated.
MAPPING_ACTIONS: dict[str, str] = {"add_role": "Add Role"}
#: How a custom user attribute is named as a condition source (OneLogin's name for it is
#: not published; the users API filters by ``custom_attributes.<shortname>``, so we use that).
MAPPING_CUSTOM_ATTRIBUTE_SOURCE = "custom_attributes.{shortname}"
#: Switch: text conditions compare case-insensitively (OneLogin does not say; email domains
#: and departments are commonly typed in either case). False makes ``=`` / ``~`` exact.
MAPPING_TEXT_CASE_SENSITIVE = False
#: Switch: a ``has_role`` condition sees the roles earlier mappings (by position) added in
#: the same evaluation, as well as the user's manual roles (one pass, in order). False: it
#: sees the manual roles only.
MAPPING_ROLES_SEEN_BY_LATER = True
#: Switch: saving a mapping (create, update, delete, sort) does not re-evaluate anyone;
#: the next change to a user, or "Reapply entitlement mappings", does (OneLogin's console asks
#: the admin to reapply mappings after editing them). True applies them to every user at save.
MAPPING_APPLY_ON_SAVE = False
# (Not a switch, a rule with its reason: a role a mapping gave that an admin removes by hand
# comes back at the next evaluation while the mapping still matches; OneLogin: "to remove a
# user from a mapping-assigned role, an admin must change the mapping conditions". A role the
# user already had by hand stays manual, so a mapping that stops matching never removes it.)
#: Bounds of our own: a mapping's name, a condition's value, and how many conditions or
#: actions (and values per action) one mapping holds. A mapping needs one condition at least
#: (our choice: a mapping without conditions would match nobody, so it is refused).
MAPPING_NAME_MAX = 255
MAPPING_VALUE_MAX = 1024
MAPPING_MAX_ITEMS = 100
#: Who the System Log names as the actor of a mapping's role change (events 149 / 150).
MAPPING_ACTOR = "User mappings"


# --- SAML SSO (OneLogin as the IdP of the Wrike app; docs/sso.md is the contract)
# Sourced: the Wrike app is a SAML + SCIM app whose SAML fields (audience, consumer URL) must
# be filled even without SSO ([V] bitwarden OneLogin SCIM guide, docs/onelogin-behaviour.md);
# More Actions > "SAML metadata" downloads the IdP metadata ([C] Wrike help 360033753394);
# POST /api/2/saml_assertion takes username_or_email, password, app_id, subdomain ([C] the
# SDK's SamlAssert model). Everything below is the simulator's choice unless it says so.

#: The console labels of the Wrike app's SAML fields: OneLogin's "SCIM Provisioner with SAML"
#: connectors name them so ([V] bitwarden, zabbix OneLogin guides).
SAML_FIELD_LABELS = {
    "audience": "SAML Audience URL",
    "recipient": "SAML Recipient",
    "acs_url": "SAML Consumer URL",
    "nameid_format": "SAML nameID format",
}
#: A new app's SAML fields are empty (the harness or the admin fills them); an SSO login is
#: refused with ``request_invalid`` while the SAML Consumer URL or the SAML Audience URL is
#: empty. An empty SAML Recipient means "the SAML Consumer URL".
SAML_RECIPIENT_DEFAULTS_TO_ACS = True
#: How far the IdP's clock may be set off (``clock_offset_seconds``, the clock-skew case):
#: one week either way.
SAML_MAX_CLOCK_OFFSET_S = 7 * 24 * 60 * 60
#: The validity window the IdP writes: Conditions NotBefore = now - SAML_NOT_BEFORE_S,
#: NotOnOrAfter (Conditions and SubjectConfirmationData) = now + SAML_VALID_FOR_S. OneLogin
#: does not publish its window; three minutes is a common IdP choice.
SAML_NOT_BEFORE_S = 60
SAML_VALID_FOR_S = 180
#: The signing certificate: RSA 2048, self-signed, valid SAML_CERTIFICATE_DAYS from its
#: creation (OneLogin's standard-strength certificates are 2048-bit; their lifetime here is
#: ours). Created on the app's first SSO use; rotation makes a new one sign and keeps the
#: old one listed (not signing) until it is retired.
SAML_KEY_BITS = 2048
SAML_CERTIFICATE_DAYS = 5 * 365
SAML_CERTIFICATE_SUBJECT = "OneLogin (simulated) account {account_id} app {app_id}"
#: RelayState is passed through unchanged up to this many bytes; a longer one is refused
#: (``request_invalid``). saml-bindings-2.0 3.4.3 says it SHOULD NOT exceed 80 bytes, which
#: many SPs ignore; 1024 keeps a URL-sized value working.
SAML_MAX_RELAY_STATE = 1024
#: What the IdP checks in an AuthnRequest (anything else refused as ``request_invalid``):
#: safe XML (no DTD), a samlp:AuthnRequest, an ID, Version 2.0, an
#: AssertionConsumerServiceURL (when present) equal to the app's SAML Consumer URL, a
#: ProtocolBinding (when present) of HTTP-POST. Not checked or not honoured, as the
#: simulator's choice (OneLogin's handling is not published): a signature on the request
#: (the metadata says WantAuthnRequestsSigned="false"), Destination, IssueInstant, the
#: Issuer, NameIDPolicy, ForceAuthn (a signed-in user is not asked again) and IsPassive (a
#: user without a session gets the login page).
SAML_AUTHN_REQUEST_IGNORED = (
    "Signature",
    "Destination",
    "IssueInstant",
    "Issuer",
    "NameIDPolicy",
    "ForceAuthn",
    "IsPassive",
)
#: An AuthnRequest ID longer than this is refused (InResponseTo echoes it).
SAML_MAX_REQUEST_ID = 256
#: OneLogin users' sessions (the /login page, the portal) are kept on the server in memory,
#: like the console's: a restart ends them. Lifetime and capacity as the console's.
USER_SESSION_LIFETIME_S = 12 * 60 * 60
USER_SESSIONS = 10_000
#: Users' passwords are stored as scrypt hashes (n=2**14, r=8, p=1; stdlib hashlib).
PASSWORD_SCRYPT_N = 2**14
#: ``generate_saml_assert2``: OneLogin answers the assertion as a bare base64 string in
#: ``data``; SDK 4.x's model (``GenerateSamlAssert200Response.data``) is a list of objects
#: and cannot read that, so the simulator answers ``data: [{"SAMLResponse": "<base64>"}]``
#: with OneLogin's v1 ``status`` object. Refusals use that v1 shape (the SDK's ``Error``).
SAML_ASSERTION_API_DATA_KEY = "SAMLResponse"
SAML_ASSERTION_API_BAD_CREDENTIALS = "Authentication Failed: Invalid user credentials"
#: Who may sign in (the login page, SSO, the assertion API): status 1 (Active) only. Every
#: other status (Suspended, Locked, Password expired, Awaiting password reset, Security
#: questions required, Unactivated, Password Pending) is refused with ``user_not_active``;
#: OneLogin makes such users act first, and which of them it refuses at SSO is not
#: published. Provisioning reads "active" more widely (``status_is_active``): a Password
#: Pending user is provisioned active but cannot sign in until a password is set.
SIGN_IN_STATUSES = frozenset({1})
#: Where an SSO refusal's reason code (docs/sso.md) goes in its System Log event: the
#: ``error_description`` is the code itself, the ``notes`` say it in words.
SAML_REASON_IN_ERROR_DESCRIPTION = True
#: A lone surrogate (a JSON ``"\ud800"`` with no partner; UTF-8 cannot carry it, so neither
#: SQLite nor a SAML Response can store it) becomes this character wherever the simulator
#: reads text: every JSON body, and every user field the directory stores. OneLogin's answer
#: is unknown. The directory already keeps a control character as sent (SSO marks it with
#: U+FFFD), and a form field with a byte UTF-8 cannot read arrives as U+FFFD, so a name
#: with a lone surrogate is stored marked rather than refused.
LONE_SURROGATE_REPLACEMENT = "\ufffd"
#: ``generate_saml_assert2``'s refusal of a user the app cannot sign in (a right password):
#: 401 ``"<reason code>: "`` and this fixed text. OneLogin's text is unknown. The reason code
#: (docs/sso.md) stays, so a caller can tell the cases apart; what the System Log notes add
#: (the user's status, what an admin must change) is not told to the API caller.
SAML_ASSERTION_API_REFUSED = "The user cannot sign in to this app; the System Log says why"

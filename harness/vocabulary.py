"""The names a case file uses, shared with the step vocabulary (features/STEPS.md).

Why one module: a case file, the repro report and an exported scenario must speak the same
words as the BDD suite ("Job title", "User creation failed in app", "Create user",
"Pending"), so a case exported to Gherkin runs unchanged. Each list is declared once here.
"""

from __future__ import annotations

from wrike_sp.domain.accounts import RIGHT_GRANT_ADMIN, RIGHT_SECURITY
from wrike_sp.domain.modelling import PLANS, USER_TYPES

__all__ = ["PLANS", "RIGHT_GRANT_ADMIN", "RIGHT_SECURITY", "USER_TYPES"]

RIGHTS = (RIGHT_SECURITY, RIGHT_GRANT_ADMIN)

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
    "Wrike user type": "custom:wrike_user_type",
}

#: Attributes a Wrike admin can fill in Wrike itself; "Secondary email" exists only there.
WRIKE_ATTRIBUTES = (*(a for a in ONELOGIN_ATTRIBUTES if a != "Wrike user type"), "Secondary email")

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

#: System Log event type names as the step vocabulary writes them, by OneLogin id.
EVENT_NAMES: dict[int, str] = {
    51: "User created in app",
    52: "User updated in app",
    53: "User suspended in app",
    54: "User reactivated in app",
    55: "User deleted in app",
    59: "User linked in app",
    60: "Provisioning Deprovisioning mode Do nothing warning",
    61: "User suspension failed in app",
    62: "User reactivation failed in app",
    63: "User deletion failed in app",
    64: "User creation failed in app",
    65: "User update failed in app",
    137: "User app request approved",
    138: "User app request denied",
}
EVENT_IDS = {name: event_id for event_id, name in EVENT_NAMES.items()}
#: "A SCIM provisioning attempt" in the article's sense: OneLogin ids 51 to 65.
PROVISIONING_EVENT_IDS = frozenset(range(51, 66))
FAILURE_EVENT_IDS = frozenset({61, 62, 63, 64, 65})

#: "Require admin approval before this action is performed": label → the task kinds it holds
#: (the simulator gates a suspend on "Delete user" and a reactivation on "Update user").
TASKS: dict[str, frozenset[str]] = {
    "Create user": frozenset({"create"}),
    "Update user": frozenset({"update", "reactivate"}),
    "Delete user": frozenset({"delete", "suspend"}),
}
TASK_KEYS = {
    "Create user": "create_user",
    "Update user": "update_user",
    "Delete user": "delete_user",
}

#: Provisioning states as OneLogin's Users list labels them. The step vocabulary knows the
#: first five; the others can be expected in a case but not exported.
STATES = ("Pending", "Provisioned", "Failed", "Suspended", "Deleted", "Not provisioned", "Unknown")
VOCABULARY_STATES = STATES[:5]

WRIKE_STATUSES = ("active", "deactivated", "absent")
DEPROVISION_ACTIONS = ("Delete", "Suspend", "Do nothing")
SUSPENSION_ACTIONS = ("Suspend", "Do nothing")
UPDATE_METHODS = ("PUT", "PATCH")
API_STATUSES = ("Enabled", "Failed", "Disabled")

#: Faults Wrike can be made to answer every SCIM request with. The first four are the step
#: vocabulary's; "connection dropped" (the answer starts and then the connection breaks) is
#: the harness's own.
FAULTS = (
    "503 Service Unavailable",
    "500 Internal Server Error",
    "429 Too Many Requests",
    "connection refused",
    "connection dropped",
)
VOCABULARY_FAULTS = FAULTS[:4]

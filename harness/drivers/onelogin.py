"""The simulated OneLogin through its API v2 (OAuth client credentials) and the simulator API
(what OneLogin keeps in its admin pages: the Wrike app's tabs, the approval queue, the System
Log with the SCIM exchanges)."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

import requests

from harness import vocabulary as v
from harness.drivers import people
from harness.drivers.http import OK, expect

#: The article's attribute names, as OneLogin API v2 user fields (custom ones apart).
ONELOGIN_FIELDS = {
    name: field_
    for name, field_ in v.ONELOGIN_ATTRIBUTES.items()
    if not field_.startswith("custom:")
}
_PAGE = 1000  # the most events the System Log API returns at once


class OneLogin:
    """One OneLogin account, with the Wrike app of its catalogue."""

    def __init__(
        self, session: requests.Session, base_url: str, simulator_key: str | None = None
    ) -> None:
        self.http = session
        self.base = base_url.rstrip("/")
        self.simulator_headers = (
            {"Authorization": f"Bearer {simulator_key}"} if simulator_key else {}
        )
        creds = self._sim(
            "POST",
            "/credentials",
            "create an API credential",
            {"name": people.api_credential_name()},
        )
        token = expect(
            self.http.post(
                f"{self.base}/auth/oauth2/v2/token",
                auth=(creds["client_id"], creds["client_secret"]),
                json={"grant_type": "client_credentials"},
            ),
            "obtain an OAuth token",
        )
        self.api_headers = {"Authorization": f"Bearer {token['access_token']}"}
        apps = self._sim("GET", "/apps", "list apps")
        self.app_id = next(a["id"] for a in apps if a["name"] == "Wrike")
        self.users: dict[str, int] = {}
        self.roles: dict[str, int] = {}
        #: The status this driver last gave each user (a deleted user's is still known).
        self.statuses: dict[str, int] = {}
        #: Who this driver gave a direct login to the Wrike app (OneLogin's API lists a
        #: user's app logins without telling a direct login from a role's).
        self.direct_logins: set[str] = set()
        self.approval_boxes: set[str] | None = None
        self.configured_token: str | None = None
        #: Whether users get their own OneLogin password (once SAML SSO is set up: OneLogin
        #: keeps it with a slow KDF, which a scenario without SSO need not pay for), and who
        #: has one.
        self.with_passwords = False
        self.passwords: set[str] = set()

    def _sim(
        self,
        method: str,
        path: str,
        what: str,
        json_body: Any = None,
        statuses: Iterable[int] = OK,
        actor: str | None = None,
    ) -> Any:
        headers = self.simulator_headers
        if actor:  # who the System Log names as having done it (else "Simulator admin")
            headers = {**headers, "X-Simulator-Actor": actor}
        return expect(
            self.http.request(
                method, f"{self.base}/simulator/api{path}", json=json_body, headers=headers
            ),
            what,
            statuses,
        )

    def _api(self, method: str, path: str, what: str, json_body: Any = None) -> Any:
        return expect(
            self.http.request(
                method, f"{self.base}/api/2{path}", json=json_body, headers=self.api_headers
            ),
            what,
        )

    def user_id(self, email: str) -> int:
        try:
            return self.users[email]
        except KeyError:
            raise AssertionError(
                f"No OneLogin user {email!r} in this scenario; known: {sorted(self.users)}"
            ) from None

    # directory
    def create_user(
        self, email: str, attributes: dict[str, str], *, without_password: bool = False
    ) -> None:
        """Create the user active; ``without_password`` sends neither a password nor a
        status, so OneLogin gives the user status 7 (Password Pending)."""
        person = people.person_for(email)
        body: dict[str, Any] = {
            "username": email,
            "email": email,
            "firstname": person.given_name,
            "lastname": person.family_name,
        }
        if not without_password:
            body["status"] = v.ONELOGIN_ACTIVE
            if self.with_passwords:
                body["password"] = people.onelogin_password_for(email)
        body.update(self._fields(attributes))
        created = self._api("POST", "/users", f"create the OneLogin user {email}", body)
        self.users[email] = created["id"]
        self.statuses[email] = int(created.get("status", v.ONELOGIN_ACTIVE))
        if "password" in body:
            self.passwords.add(email)

    @staticmethod
    def _fields(attributes: dict[str, str]) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        for attribute, value in attributes.items():
            if attribute == v.USER_TYPE:
                fields["custom_attributes"] = {"wrike_user_type": value or None}
            elif attribute in ONELOGIN_FIELDS:
                fields[ONELOGIN_FIELDS[attribute]] = value
            else:
                raise ValueError(
                    f"OneLogin has no attribute {attribute!r}; known: {sorted(v.ONELOGIN_ATTRIBUTES)}"
                )
        return fields

    def change(self, email: str, attribute: str, value: str) -> None:
        self._api(
            "PUT",
            f"/users/{self.user_id(email)}",
            f"change {attribute} of {email}",
            self._fields({attribute: value}),
        )

    def set_status(self, email: str, status: int) -> None:
        self._api(
            "PUT", f"/users/{self.user_id(email)}", f"set the status of {email}", {"status": status}
        )
        self.statuses[email] = status

    def delete_user(self, email: str) -> None:
        self._api("DELETE", f"/users/{self.user_id(email)}", f"delete {email}")
        self.direct_logins.discard(email)  # OneLogin drops a deleted user's logins

    def user_record(self, email: str) -> dict[str, Any] | None:
        """The user as API v2 shows it; None once deleted."""
        response = self.http.get(
            f"{self.base}/api/2/users/{self.user_id(email)}", headers=self.api_headers
        )
        if response.status_code == 404:
            return None
        return dict(expect(response, f"read {email}"))

    def role_id(self, role: str) -> int:
        if role not in self.roles:
            self.roles[role] = self._api(
                "POST", "/roles", f"create the role {role}", {"name": role}
            )["id"]
        return self.roles[role]

    def _role_apps(self, role: str) -> list[int]:
        return list(self._api("GET", f"/roles/{self.role_id(role)}", f"read {role}")["apps"])

    def role_user_ids(self, role: str) -> list[int]:
        return list(self._api("GET", f"/roles/{self.role_id(role)}", f"read {role}")["users"])

    def app_role_ids(self) -> list[int]:
        """The roles that hold the Wrike app."""
        return list(self._api("GET", f"/apps/{self.app_id}", "read the Wrike app")["role_ids"])

    def add_app_to_role(self, role: str) -> None:
        apps = self._role_apps(role)
        if self.app_id not in apps:
            self._api(
                "PUT",
                f"/roles/{self.role_id(role)}/apps",
                f"add Wrike to {role}",
                [*apps, self.app_id],
            )

    def remove_app_from_role(self, role: str) -> None:
        apps = [a for a in self._role_apps(role) if a != self.app_id]
        self._api("PUT", f"/roles/{self.role_id(role)}/apps", f"remove Wrike from {role}", apps)

    def add_to_role(self, email: str, role: str) -> None:
        self._api(
            "POST",
            f"/roles/{self.role_id(role)}/users",
            f"add {email} to {role}",
            [self.user_id(email)],
        )

    def remove_from_role(self, email: str, role: str) -> None:
        self._api(
            "DELETE",
            f"/roles/{self.role_id(role)}/users",
            f"remove {email} from {role}",
            [self.user_id(email)],
        )

    def add_direct_login(self, email: str) -> None:
        self._sim(
            "POST",
            f"/users/{self.user_id(email)}/logins",
            f"give {email} a login",
            {"app_id": self.app_id},
        )
        self.direct_logins.add(email)

    def remove_direct_login(self, email: str) -> None:
        self._sim(
            "DELETE",
            f"/users/{self.user_id(email)}/logins/{self.app_id}",
            f"remove the login of {email}",
        )
        self.direct_logins.discard(email)

    # the Wrike app's Configuration and Provisioning tabs
    def configure(self, scim_url: str | None, token: str | None) -> None:
        """Save the Configuration tab; a field given as None keeps its value."""
        data = {
            key: value
            for key, value in (("scim_base_url", scim_url), ("scim_bearer_token", token))
            if value is not None
        }
        self._sim("PUT", f"/apps/{self.app_id}/connector", "save the Configuration tab", data)
        if token:
            self.configured_token = token

    def template_with(self, key: str, value: Any) -> None:
        """Save the SCIM JSON Template with one more top-level attribute."""
        template = dict(self.connector()["scim_json_template"])
        template[key] = value
        self._sim(
            "PUT",
            f"/apps/{self.app_id}/connector",
            "save the SCIM JSON Template",
            {"scim_json_template": template},
        )

    def connector(self) -> dict[str, Any]:
        return dict(self._sim("GET", f"/apps/{self.app_id}/connector", "read the connector"))

    def enable_api_connection(self) -> None:
        self._sim("POST", f"/apps/{self.app_id}/api-connection/enable", "enable the API connection")

    def api_connection(self) -> dict[str, Any]:
        return dict(self.connector()["api_connection"])

    def provisioning(self) -> dict[str, Any]:
        return dict(
            self._sim("GET", f"/apps/{self.app_id}/provisioning", "read the Provisioning tab")
        )

    def set_provisioning(self, **settings: Any) -> None:
        self._sim("PUT", f"/apps/{self.app_id}/provisioning", "save the Provisioning tab", settings)

    def approval_settings(self, boxes: Iterable[str]) -> dict[str, bool]:
        """The Provisioning tab's approval boxes with exactly ``boxes`` ticked."""
        ticked = set(boxes)
        unknown = sorted(ticked - set(v.TASK_KEYS))
        if unknown:
            raise ValueError(f"unknown approval {unknown}; known: {sorted(v.TASK_KEYS)}")
        return {key: label in ticked for label, key in v.TASK_KEYS.items()}

    def require_approval(self, task: str | None) -> None:
        """Tick the box for ``task`` (None: none); boxes no such step names are unticked."""
        boxes = set() if task is None else (self.approval_boxes or set()) | {task}
        self.set_provisioning(require_approval=self.approval_settings(boxes))
        self.approval_boxes = boxes

    # approval queue and the app's Users list
    def tasks(self, email: str, state: str | None = None) -> list[dict[str, Any]]:
        query = f"?app_id={self.app_id}&user_id={self.user_id(email)}"
        if state:
            query += f"&state={state}"
        return list(self._sim("GET", f"/tasks{query}", f"list the tasks of {email}"))

    def pending(self, email: str, task: str | None = None) -> list[dict[str, Any]]:
        kinds = v.TASKS[task] if task else v.ALL_TASK_KINDS
        return [t for t in self.tasks(email, "pending_approval") if t["kind"] in kinds]

    def act_on_task(
        self, task: dict[str, Any], verb: str, email: str, actor: str | None = None
    ) -> None:
        """``verb`` (approve, deny, retry) one task of the queue, as ``actor`` if given."""
        self._sim("POST", f"/tasks/{task['id']}/{verb}", f"{verb} the task of {email}", actor=actor)

    def decide(self, email: str, task: str, decision: str) -> None:
        pending = self.pending(email, task)
        if len(pending) != 1:
            raise AssertionError(
                f"expected one pending {task} task for {email}, found "
                f"{len(pending)}: {self.tasks(email)}"
            )
        self.act_on_task(pending[0], decision, email)

    def retry_failed(self, email: str) -> None:
        failed = self.tasks(email, "failed")
        if not failed:
            raise AssertionError(f"{email} has no failed task to retry: {self.tasks(email)}")
        self.act_on_task(failed[-1], "retry", email)

    def app_users(self) -> list[dict[str, Any]]:
        return list(self._sim("GET", f"/apps/{self.app_id}/users", "read the app's Users list"))

    def app_user(self, email: str) -> dict[str, Any] | None:
        uid = self.user_id(email)
        return next((dict(r) for r in self.app_users() if r["id"] == uid), None)

    # the Wrike app's SAML SSO (docs/sso.md)
    def saml(self) -> dict[str, Any]:
        """The Wrike app's SAML settings (More Actions > SAML metadata, the SSO tab)."""
        return dict(self._sim("GET", f"/apps/{self.app_id}/saml", "read the app's SAML settings"))

    def set_saml(self, **settings: Any) -> dict[str, Any]:
        """Save ``audience``, ``acs_url``, ``recipient`` or ``clock_offset_seconds``."""
        return dict(
            self._sim("PUT", f"/apps/{self.app_id}/saml", "save the app's SAML settings", settings)
        )

    def metadata_xml(self) -> str:
        """The IdP metadata of the Wrike app, as its public URL serves it."""
        url = self.saml()["metadata_url"]
        response = self.http.get(url)
        if response.status_code != 200:
            expect(response, "download the IdP metadata of the Wrike app")
        return response.text

    def rotate_certificate(self) -> dict[str, Any]:
        """A new signing key and certificate; the previous one stays listed, not signing."""
        return dict(
            self._sim(
                "POST",
                f"/apps/{self.app_id}/saml/certificates",
                "rotate the signing certificate of the Wrike app",
            )
        )

    def give_passwords(self) -> None:
        """From now on every user gets their own OneLogin password; those created before
        without one (and not Password Pending) get theirs now, as an admin sets it."""
        self.with_passwords = True
        for email in self.users:
            if email not in self.passwords and self.statuses.get(email) == v.ONELOGIN_ACTIVE:
                self._api(
                    "PUT",
                    f"/users/{self.user_id(email)}",
                    f"set the OneLogin password of {email}",
                    {"password": people.onelogin_password_for(email)},
                )
                self.passwords.add(email)

    def password_of(self, email: str) -> str:
        return people.onelogin_password_for(email)

    def username_of(self, email: str) -> str:
        """The OneLogin username of the user the scenario names by ``email`` (its email
        when created; an email change leaves it)."""
        record = self.user_record(email)
        return str((record or {}).get("username") or email)

    # System Log
    def events(self, email: str | None = None) -> list[dict[str, Any]]:
        """Events oldest first, with their SCIM exchanges; for one user and the Wrike app when
        ``email`` is given."""
        query = f"?limit={_PAGE}&sort=%2Bid"
        if email is not None:
            query += f"&user_id={self.user_id(email)}&app_id={self.app_id}"
        return list(self._sim("GET", f"/system-log{query}", "read the System Log"))

    def all_events(self, email: str | None = None) -> list[dict[str, Any]]:
        """Every event oldest first (page after page), for one user when ``email`` is given,
        in any app."""
        query = f"?limit={_PAGE}&sort=%2Bid"
        if email is not None:
            query += f"&user_id={self.user_id(email)}"
        out: list[dict[str, Any]] = []
        while True:
            cursor = ""
            if out:
                cursor = (
                    "&after_cursor="
                    + base64.urlsafe_b64encode(str(out[-1]["id"]).encode()).decode()
                )
            page = list(self._sim("GET", f"/system-log{query}{cursor}", "read the System Log"))
            out += page
            if len(page) < _PAGE:
                return out

    def close(self) -> None:
        self.http.close()

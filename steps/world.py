"""The world each scenario runs in: a fresh simulated OneLogin and a Wrike, each reached through
a driver that speaks HTTP through a ``requests.Session``.

Three targets, chosen on the command line (see the top-level conftest):

- ``in-process`` (default): both apps are created here with fresh in-memory databases; every
  session, including the one the OneLogin engine uses for SCIM, goes straight into the WSGI
  apps (no ports).
- ``live``: both apps are served on loopback ports by waitress, and everything, including the
  engine's SCIM calls, goes over real HTTP.
- ``external``: the simulated OneLogin (in-process) drives any SCIM endpoint given by URL and
  bearer token. There is no Wrike admin API, so the Wrike set-up Givens are taken as given and
  Wrike reads go through SCIM with the token.

The steps call the World and its drivers only; which target is behind them is decided here,
once, when the World is built.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

import pytest
import requests
from waitress.server import create_server

from fixtures import factories
from harness.vocabulary import ONELOGIN_ATTRIBUTES
from mock_onelogin import OneLoginAccount, OneLoginConfig, wsgi_session
from mock_onelogin import create_app as create_onelogin
from wrike_sp import WrikeConfig
from wrike_sp import create_app as create_wrike
from wrike_sp.domain.modelling import SCIM_PATH

TARGETS = ("in-process", "live", "external")
WRIKE_BASE = "http://wrike.test"
ONELOGIN_BASE = "http://onelogin.test"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
OK = (200, 201, 204)

RIGHTS = {
    "Configure advanced security settings": "configure_advanced_security_settings",
    "Grant/revoke admin rights": "grant_revoke_admin_rights",
}

#: System Log event type names (STEPS.md) and their OneLogin ids.
EVENTS = {
    "User created in app": 51,
    "User updated in app": 52,
    "User suspended in app": 53,
    "User reactivated in app": 54,
    "User deleted in app": 55,
    "User linked in app": 59,
    "Provisioning Deprovisioning mode Do nothing warning": 60,
    "User suspension failed in app": 61,
    "User reactivation failed in app": 62,
    "User deletion failed in app": 63,
    "User creation failed in app": 64,
    "User update failed in app": 65,
    "User app request approved": 137,
    "User app request denied": 138,
}
PROVISIONING_EVENTS = frozenset(range(51, 66))
FAILURE_EVENTS = frozenset(range(61, 66))

#: The Provisioning tab's approval boxes, and the task kinds each one holds (a suspension waits
#: for "Delete user", a reactivation for "Update user").
APPROVAL_BOXES = {
    "Create user": "create_user",
    "Update user": "update_user",
    "Delete user": "delete_user",
}
TASK_KINDS = {
    "Create user": {"create"},
    "Update user": {"update", "reactivate"},
    "Delete user": {"delete", "suspend"},
}

#: Wrike-side faults a scenario can name, as harness fault requests.
FAULTS: dict[str, dict[str, Any]] = {
    "503 Service Unavailable": {"kind": "status", "status": 503},
    "500 Internal Server Error": {"kind": "status", "status": 500},
    "429 Too Many Requests": {"kind": "status", "status": 429, "retry_after": 1},
    "connection refused": {"kind": "drop"},
}

#: The article's attribute names, as OneLogin API v2 user fields (the harness keeps the map).
ONELOGIN_FIELDS = {
    name: field_ for name, field_ in ONELOGIN_ATTRIBUTES.items() if not field_.startswith("custom:")
}
USER_TYPE = "Wrike user type"


class ReferenceOnly(RuntimeError):
    """A step needs the reference provider's internals; its scenario must carry
    @reference_only so that it is skipped against an external endpoint."""


def expect(response: requests.Response, what: str, statuses: Iterable[int] = OK) -> Any:
    """The JSON body of a response that must have succeeded; otherwise a readable failure."""
    if response.status_code not in tuple(statuses):
        raise AssertionError(
            f"{what}: expected HTTP {'/'.join(map(str, statuses))}, got "
            f"{response.status_code}: {response.text[:1000]}"
        )
    if not response.content:
        return None
    return response.json()


# -- reading SCIM users in the article's words -------------------------------------------------
def _primary(items: Any) -> dict[str, Any] | None:
    if not isinstance(items, list) or not items:
        return None
    for item in items:
        if isinstance(item, dict) and item.get("primary"):
            return item
    first = items[0]
    return first if isinstance(first, dict) else None


def scim_attribute(user: dict[str, Any], attribute: str) -> Any:
    """The value of one of the article's attributes in a SCIM User resource."""
    name = user.get("name") or {}
    enterprise = user.get(ENTERPRISE) or {}
    if attribute == "Username":
        return user.get("userName")
    if attribute == "Given name":
        return name.get("givenName")
    if attribute == "Family name":
        return name.get("familyName")
    if attribute == "Primary email":
        return (_primary(user.get("emails")) or {}).get("value")
    if attribute == "Secondary email":
        others = [
            e.get("value")
            for e in user.get("emails") or []
            if isinstance(e, dict) and not e.get("primary")
        ]
        return others[0] if others else None
    if attribute == "Job title":
        return user.get("title")
    if attribute == "Primary phone number":
        return (_primary(user.get("phoneNumbers")) or {}).get("value")
    if attribute == "Organization name":
        return enterprise.get("organization")
    if attribute == "Department":
        return enterprise.get("department")
    if attribute == USER_TYPE:
        return user.get("userType")
    raise ValueError(f"unknown attribute {attribute!r}; STEPS.md lists the attribute names")


def scim_fill_in(attribute: str, value: str) -> list[dict[str, Any]]:
    """PatchOp operations that set one attribute in Wrike, as a Wrike admin filling it in."""
    simple = {
        "Job title": "title",
        "Given name": "name.givenName",
        "Family name": "name.familyName",
        "Organization name": f"{ENTERPRISE}:organization",
        "Department": f"{ENTERPRISE}:department",
    }
    if attribute in simple:
        return [{"op": "replace", "path": simple[attribute], "value": value}]
    if attribute == "Primary phone number":
        return [
            {
                "op": "replace",
                "path": "phoneNumbers",
                "value": [{"value": value, "type": "work", "primary": True}],
            }
        ]
    if attribute == "Secondary email":
        return [{"op": "add", "path": "emails", "value": [{"value": value, "type": "other"}]}]
    raise ValueError(f"a Wrike admin cannot fill in {attribute!r} in this suite")


# -- Wrike ------------------------------------------------------------------------------------
@dataclass
class Member:
    name: str
    email: str
    password: str
    id: str | None = None


@dataclass
class TokenAttempt:
    """What Wrike answered to "Obtain token"."""

    status: int
    token: str | None
    message: str


class WrikeDriver(Protocol):
    """Wrike as the steps see it: the account's set-up, what its admins do, and what it holds."""

    def create_account(self, plan: str) -> None: ...
    def move_to_plan(self, plan: str) -> None: ...
    def approve_domain(self, domain: str) -> None: ...
    def add_member(self, name: str, role: str, rights: Iterable[str]) -> None: ...
    def scim_url(self) -> str: ...
    def wrong_scim_url(self) -> str: ...
    def integration_token(self, member: str) -> str: ...
    def revoke_integration_token(self, member: str) -> None: ...
    def open_scim_tab(self, member: str) -> tuple[str | None, str]: ...
    def create_api_app(self, member: str, app: str) -> None: ...
    def obtain_token(self, member: str, app: str, *, correct_password: bool) -> TokenAttempt: ...
    def api_app_page(self, member: str, app: str) -> str: ...
    def token_status(self, token: str) -> int: ...
    def add_existing_user(self, email: str) -> None: ...
    def make_account_admin(self, email: str) -> None: ...
    def fill_in(self, email: str, attribute: str, value: str) -> None: ...
    def fail_every_request(self, fault: str) -> None: ...
    def recover(self) -> None: ...
    def user(self, email: str) -> dict[str, Any] | None: ...
    def billing(self) -> dict[str, Any]: ...
    def expect_user(self, email: str) -> None: ...
    def journal(self) -> str: ...
    def close(self) -> None: ...


class ReferenceWrike:
    """The reference provider through its admin API, harness API and SCIM endpoint."""

    def __init__(self, session: requests.Session, base_url: str, admin_key: str | None) -> None:
        self.http = session
        self.base = base_url.rstrip("/")
        self.admin_headers = {"Authorization": f"Bearer {admin_key}"} if admin_key else {}
        self.account_id: int | None = None
        self.members: dict[str, Member] = {}
        self.api_apps: dict[tuple[str, str], int] = {}
        self.integration_tokens: dict[str, tuple[int, str]] = {}
        self._reader: tuple[str, str] | None = None  # (issuer name, token) for SCIM reads

    # plumbing
    def _admin(
        self, method: str, path: str, what: str, json_body: Any = None, statuses: Iterable[int] = OK
    ) -> Any:
        response = self.http.request(
            method, f"{self.base}/admin/api/v1{path}", json=json_body, headers=self.admin_headers
        )
        return expect(response, what, statuses)

    def _account(self) -> str:
        if self.account_id is None:
            raise AssertionError(
                "No Wrike account yet: a 'Given a Wrike account on the ... "
                "plan' step must come first"
            )
        return f"/accounts/{self.account_id}"

    def _member(self, name: str) -> Member:
        try:
            return self.members[name]
        except KeyError:
            raise AssertionError(
                f"No Wrike member {name!r} was set up in this scenario; "
                f"known: {sorted(self.members)}"
            ) from None

    def _domain(self) -> str:
        domains = self._admin("GET", f"{self._account()}/approved-domains", "approved domains")
        return domains[0] if domains else "example.com"

    def _member_row(self, email: str) -> dict[str, Any] | None:
        for row in self._admin("GET", f"{self._account()}/members", "list members"):
            if row["email"].lower() == email.lower():
                return dict(row)
        return None

    # account set-up
    def create_account(self, plan: str) -> None:
        account = self._admin(
            "POST", "/accounts", "create the Wrike account", {"name": "Acme", "plan": plan}
        )
        self.account_id = account["id"]

    def move_to_plan(self, plan: str) -> None:
        self._admin("PUT", f"{self._account()}/plan", f"move the account to {plan}", {"plan": plan})

    def approve_domain(self, domain: str) -> None:
        self._admin(
            "POST", f"{self._account()}/approved-domains", f"approve {domain}", {"domain": domain}
        )

    def add_member(self, name: str, role: str, rights: Iterable[str]) -> None:
        first, _, last = name.partition(" ")
        member = Member(
            name, factories.member_email(name, self._domain()), factories.password_for(name)
        )
        unknown = [r for r in rights if r not in RIGHTS]
        if unknown:
            raise ValueError(f"unknown Wrike right(s) {unknown}; known: {sorted(RIGHTS)}")
        held = set(rights)
        row = self._admin(
            "POST",
            f"{self._account()}/members",
            f"add the member {name}",
            {
                "email": member.email,
                "first_name": first,
                "last_name": last or None,
                "password": member.password,
                "role": role,
                "rights": {key: label in held for label, key in RIGHTS.items()},
            },
        )
        member.id = row["id"]
        self.members[name] = member

    # SCIM URL and tokens
    def scim_url(self) -> str:
        self._account()
        return self.base + SCIM_PATH.format(account_id=self.account_id)

    def wrong_scim_url(self) -> str:
        return self.scim_url() + "x"

    def _app_id(self, member: str, app: str) -> int:
        key = (member, app)
        if key not in self.api_apps:
            created = self._admin(
                "POST",
                f"{self._account()}/api-apps",
                f"{member} creates the API app {app}",
                {"member_id": self._member(member).id, "name": app},
            )
            self.api_apps[key] = created["id"]
        return self.api_apps[key]

    def integration_token(self, member: str) -> str:
        if member not in self.integration_tokens:
            app_id = self._app_id(member, "OneLogin SCIM")
            issued = self._admin(
                "POST",
                f"{self._account()}/api-apps/{app_id}/tokens",
                f"{member} obtains a token",
                {"member_id": self._member(member).id, "password": self._member(member).password},
            )
            self.integration_tokens[member] = (issued["id"], issued["token"])
        return self.integration_tokens[member][1]

    def revoke_integration_token(self, member: str) -> None:
        token_id, _ = self.integration_tokens[member]
        self._admin(
            "DELETE", f"{self._account()}/tokens/{token_id}", f"revoke the token of {member}"
        )

    def open_scim_tab(self, member: str) -> tuple[str | None, str]:
        response = self.http.get(
            f"{self.base}/admin/api/v1{self._account()}/members/{self._member(member).id}/scim-url",
            headers=self.admin_headers,
        )
        if response.status_code == 200:
            return response.json()["scim_url"], response.text
        expect(response, f"{member} opens the SCIM tab", (403,))
        return None, response.text

    def create_api_app(self, member: str, app: str) -> None:
        self._app_id(member, app)

    def obtain_token(self, member: str, app: str, *, correct_password: bool) -> TokenAttempt:
        who = self._member(member)
        password = who.password if correct_password else factories.wrong_password_for(member)
        response = self.http.post(
            f"{self.base}/admin/api/v1{self._account()}/api-apps/{self._app_id(member, app)}"
            "/tokens",
            json={"member_id": who.id, "password": password},
            headers=self.admin_headers,
        )
        body = response.json() if response.content else {}
        return TokenAttempt(
            response.status_code,
            body.get("token"),
            body.get("note") or body.get("detail") or body.get("message") or response.text,
        )

    def api_app_page(self, member: str, app: str) -> str:
        apps = self._admin("GET", f"{self._account()}/api-apps", "list API apps")
        tokens = self._admin("GET", f"{self._account()}/tokens", "list tokens")
        app_id = self._app_id(member, app)
        return json.dumps(
            {
                "app": [a for a in apps if a["id"] == app_id],
                "tokens": [t for t in tokens if t["app_id"] == app_id],
            }
        )

    def token_status(self, token: str) -> int:
        """The HTTP status of a SCIM lookup made with ``token``."""
        flt = quote('userName eq "nobody@example.com"', safe="")
        return self.http.get(
            f"{self.scim_url()}/Users?filter={flt}", headers={"Authorization": f"Bearer {token}"}
        ).status_code

    # Wrike-side users
    def add_existing_user(self, email: str) -> None:
        person = factories.person_for(email)
        self._admin(
            "POST",
            f"{self._account()}/members",
            f"add {email} in Wrike",
            {
                "email": email,
                "first_name": person.given_name,
                "last_name": person.family_name,
                "role": "regular",
            },
        )

    def make_account_admin(self, email: str) -> None:
        row = self._member_row(email)
        if row is None:
            raise AssertionError(f"{email} is not in Wrike, so it cannot be made an admin")
        self._admin(
            "PATCH",
            f"{self._account()}/members/{row['id']}",
            f"make {email} an account admin",
            {"role": "admin"},
        )

    def _reader_token(self) -> str:
        """A token for reading (and filling in) Wrike users, issued by an admin of the
        scenario and used by nobody else, so revoking the integration's token or faults in
        the integration's rights do not blind the checks."""
        if self._reader is not None:
            return self._reader[1]
        candidates = sorted(self.members.values(), key=lambda m: m.name)
        rows = {
            r["id"]: r for r in self._admin("GET", f"{self._account()}/members", "list members")
        }
        admins = [m for m in candidates if rows.get(m.id, {}).get("role") in ("owner", "admin")]
        admins.sort(key=lambda m: not rows[m.id]["rights"]["grant_revoke_admin_rights"])
        if not admins:
            raise AssertionError(
                "Reading Wrike users needs a token from a Wrike admin, and "
                "this scenario set up none"
            )
        issuer = admins[0]
        app_id = self._app_id(issuer.name, "BDD checks")
        issued = self._admin(
            "POST",
            f"{self._account()}/api-apps/{app_id}/tokens",
            "issue the checking token",
            {"member_id": issuer.id, "password": issuer.password},
        )
        self._reader = (issuer.name, issued["token"])
        return self._reader[1]

    def _scim(self, method: str, path: str, json_body: Any = None) -> requests.Response:
        return self.http.request(
            method,
            self.scim_url() + path,
            json=json_body,
            headers={
                "Authorization": f"Bearer {self._reader_token()}",
                "Accept": "application/scim+json",
            },
        )

    def fill_in(self, email: str, attribute: str, value: str) -> None:
        row = self._member_row(email)
        if row is None:
            raise AssertionError(f"{email} is not in Wrike, so nothing can be filled in")
        expect(
            self._scim(
                "PATCH",
                f"/Users/{row['id']}",
                {"schemas": [PATCH_OP], "Operations": scim_fill_in(attribute, value)},
            ),
            f"fill in {attribute} of {email} in Wrike",
        )

    def user(self, email: str) -> dict[str, Any] | None:
        row = self._member_row(email)
        if row is None:
            return None
        account = self._admin("GET", self._account(), "read the account")
        if not account["scim_available"]:
            # SCIM is closed on this plan; the admin view still tells presence and status.
            return {
                "id": row["id"],
                "userName": row["user_name"],
                "active": row["status"] == "active",
                "userType": row["user_type"],
            }
        return dict(expect(self._scim("GET", f"/Users/{row['id']}"), f"read {email} in Wrike"))

    def billing(self) -> dict[str, Any]:
        billing = self._admin("GET", f"{self._account()}/billing", "read billing")
        billing["members"] = self._admin("GET", f"{self._account()}/members", "list members")
        return dict(billing)

    # faults
    def fail_every_request(self, fault: str) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {sorted(FAULTS)}")
        response = self.http.post(
            f"{self.base}/harness/api/faults", json={**FAULTS[fault], "share": 1}
        )
        expect(response, f"inject the fault {fault}")

    def recover(self) -> None:
        expect(self.http.delete(f"{self.base}/harness/api/faults"), "clear the faults")

    def expect_user(self, email: str) -> None:
        """Nothing to prepare: this Wrike starts empty for every scenario."""

    def journal(self) -> str:
        response = self.http.get(f"{self.base}/harness/api/journal")
        if not response.ok:
            return response.text
        return "\n".join(
            f"#{e['seq']} {e['at']} {e['method']} {e['path']}"
            f"{'?' + e['query'] if e['query'] else ''} -> {e.get('status')}"
            f"{' (fault: ' + e['fault'] + ')' if e.get('fault') else ''} {e['body']}"
            for e in response.json()
        )

    def close(self) -> None:
        self.http.close()


class ExternalWrike:
    """Any SCIM endpoint, known by its URL and a bearer token. The account's set-up is taken as
    given; what needs more than SCIM raises ReferenceOnly."""

    def __init__(self, scim_url: str, token: str) -> None:
        self.url = scim_url.rstrip("/")
        self.token = token
        self.http = requests.Session()
        self.http.headers.update(
            {"Authorization": f"Bearer {token}", "Accept": "application/scim+json"}
        )
        self.touched: set[str] = set()

    def _given(self, *_: Any, **__: Any) -> None:
        """A set-up Given that describes the external account: taken as given."""

    create_account = move_to_plan = approve_domain = add_member = _given

    def _reference_only(self, what: str) -> ReferenceOnly:
        return ReferenceOnly(
            f"{what} needs the reference Wrike provider; tag the scenario @reference_only"
        )

    def scim_url(self) -> str:
        return self.url

    def wrong_scim_url(self) -> str:
        return self.url + "x"

    def integration_token(self, member: str) -> str:
        return self.token

    def revoke_integration_token(self, member: str) -> None:
        raise self._reference_only("Revoking a token")

    def open_scim_tab(self, member: str) -> tuple[str | None, str]:
        raise self._reference_only("The SCIM tab")

    def create_api_app(self, member: str, app: str) -> None:
        raise self._reference_only("Creating an API app")

    def obtain_token(self, member: str, app: str, *, correct_password: bool) -> TokenAttempt:
        raise self._reference_only("Obtaining a token")

    def api_app_page(self, member: str, app: str) -> str:
        raise self._reference_only("The API app page")

    def token_status(self, token: str) -> int:
        raise self._reference_only("Checking a token Wrike showed")

    def add_existing_user(self, email: str) -> None:
        raise self._reference_only("Creating a user in Wrike itself")

    def make_account_admin(self, email: str) -> None:
        raise self._reference_only("Making a Wrike account admin")

    def fill_in(self, email: str, attribute: str, value: str) -> None:
        raise self._reference_only("Filling in Wrike-side data")

    def fail_every_request(self, fault: str) -> None:
        raise self._reference_only("Injecting faults")

    def recover(self) -> None:
        raise self._reference_only("Injecting faults")

    def billing(self) -> dict[str, Any]:
        raise self._reference_only("The billing ledger")

    def _find(self, email: str) -> list[dict[str, Any]]:
        flt = quote(f'userName eq "{email}"', safe="")
        body = expect(self.http.get(f"{self.url}/Users?filter={flt}"), f"look up {email}")
        return list(body.get("Resources") or [])

    def user(self, email: str) -> dict[str, Any] | None:
        found = self._find(email)
        return found[0] if found else None

    def expect_user(self, email: str) -> None:
        """The scenario will provision ``email``: remove what an earlier run left behind, so
        the scenario starts from the Wrike it describes, and remember it for clean-up."""
        self.touched.add(email)
        self._delete(email)

    def _delete(self, email: str) -> None:
        for user in self._find(email):
            self.http.delete(f"{self.url}/Users/{quote(str(user['id']), safe='')}")

    def journal(self) -> str:
        return "(an external SCIM endpoint keeps no journal the suite can read)"

    def close(self) -> None:
        # Clean-up is best effort; the next scenario deletes leftovers before it starts.
        for email in sorted(self.touched):
            with contextlib.suppress(AssertionError, requests.RequestException):
                self._delete(email)
        self.http.close()


# -- OneLogin ---------------------------------------------------------------------------------
class OneLogin:
    """The simulated OneLogin through its API v2 (OAuth client credentials) and the simulator
    API (what OneLogin keeps in its admin pages)."""

    def __init__(self, session: requests.Session, base_url: str) -> None:
        self.http = session
        self.base = base_url.rstrip("/")
        creds = self._sim(
            "POST",
            "/credentials",
            "create an API credential",
            {"name": factories.api_credential_name()},
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
        self.approval_boxes: set[str] | None = None
        self.configured_token: str | None = None

    def _sim(
        self, method: str, path: str, what: str, json_body: Any = None, statuses: Iterable[int] = OK
    ) -> Any:
        return expect(
            self.http.request(method, f"{self.base}/simulator/api{path}", json=json_body),
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
    def create_user(self, email: str, attributes: dict[str, str]) -> None:
        person = factories.person_for(email)
        body: dict[str, Any] = {
            "username": email,
            "email": email,
            "status": 1,
            "firstname": person.given_name,
            "lastname": person.family_name,
        }
        body.update(self._fields(attributes))
        created = self._api("POST", "/users", f"create the OneLogin user {email}", body)
        self.users[email] = created["id"]

    @staticmethod
    def _fields(attributes: dict[str, str]) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        for attribute, value in attributes.items():
            if attribute == USER_TYPE:
                fields["custom_attributes"] = {"wrike_user_type": value or None}
            elif attribute in ONELOGIN_FIELDS:
                fields[ONELOGIN_FIELDS[attribute]] = value
            else:
                raise ValueError(
                    f"OneLogin has no attribute {attribute!r}; known: "
                    f"{sorted([*ONELOGIN_FIELDS, USER_TYPE])}"
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

    def delete_user(self, email: str) -> None:
        self._api("DELETE", f"/users/{self.user_id(email)}", f"delete {email}")

    def role_id(self, role: str) -> int:
        if role not in self.roles:
            self.roles[role] = self._api(
                "POST", "/roles", f"create the role {role}", {"name": role}
            )["id"]
        return self.roles[role]

    def _role_apps(self, role: str) -> list[int]:
        return list(self._api("GET", f"/roles/{self.role_id(role)}", f"read {role}")["apps"])

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

    def remove_direct_login(self, email: str) -> None:
        self._sim(
            "DELETE",
            f"/users/{self.user_id(email)}/logins/{self.app_id}",
            f"remove the login of {email}",
        )

    # the Wrike app's Configuration and Provisioning tabs
    def configure(self, scim_url: str, token: str) -> None:
        self._sim(
            "PUT",
            f"/apps/{self.app_id}/connector",
            "save the Configuration tab",
            {"scim_base_url": scim_url, "scim_bearer_token": token},
        )
        self.configured_token = token

    def enable_api_connection(self) -> None:
        self._sim("POST", f"/apps/{self.app_id}/api-connection/enable", "enable the API connection")

    def api_connection(self) -> dict[str, Any]:
        connector = self._sim("GET", f"/apps/{self.app_id}/connector", "read the connector")
        return dict(connector["api_connection"])

    def set_provisioning(self, **settings: Any) -> None:
        self._sim("PUT", f"/apps/{self.app_id}/provisioning", "save the Provisioning tab", settings)

    def require_approval(self, task: str | None) -> None:
        """Tick the box for ``task`` (None: none); boxes no such step names are unticked."""
        if task is not None and task not in APPROVAL_BOXES:
            raise ValueError(f"unknown approval {task!r}; known: {sorted(APPROVAL_BOXES)}")
        self.approval_boxes = set() if task is None else (self.approval_boxes or set()) | {task}
        self.set_provisioning(
            require_approval={
                key: label in self.approval_boxes for label, key in APPROVAL_BOXES.items()
            }
        )

    # approval queue and the app's Users list
    def tasks(self, email: str, state: str | None = None) -> list[dict[str, Any]]:
        query = f"?app_id={self.app_id}&user_id={self.user_id(email)}"
        if state:
            query += f"&state={state}"
        return list(self._sim("GET", f"/tasks{query}", f"list the tasks of {email}"))

    def pending(self, email: str, task: str | None = None) -> list[dict[str, Any]]:
        kinds = TASK_KINDS[task] if task else {k for ks in TASK_KINDS.values() for k in ks}
        return [t for t in self.tasks(email, "pending_approval") if t["kind"] in kinds]

    def decide(self, email: str, task: str, decision: str) -> None:
        pending = self.pending(email, task)
        if len(pending) != 1:
            raise AssertionError(
                f"expected one pending {task} task for {email}, found "
                f"{len(pending)}: {self.tasks(email)}"
            )
        self._sim(
            "POST",
            f"/tasks/{pending[0]['id']}/{decision}",
            f"{decision} the {task} task of {email}",
        )

    def retry_failed(self, email: str) -> None:
        failed = self.tasks(email, "failed")
        if not failed:
            raise AssertionError(f"{email} has no failed task to retry: {self.tasks(email)}")
        self._sim("POST", f"/tasks/{failed[-1]['id']}/retry", f"retry the task of {email}")

    def app_user(self, email: str) -> dict[str, Any] | None:
        uid = self.user_id(email)
        rows = self._sim("GET", f"/apps/{self.app_id}/users", "read the app's Users list")
        return next((dict(r) for r in rows if r["id"] == uid), None)

    # System Log
    def events(self, email: str | None = None) -> list[dict[str, Any]]:
        """Events oldest first, with their SCIM exchanges; for one user and the Wrike app when
        ``email`` is given."""
        query = "?limit=1000&sort=%2Bid"
        if email is not None:
            query += f"&user_id={self.user_id(email)}&app_id={self.app_id}"
        return list(self._sim("GET", f"/system-log{query}", "read the System Log"))

    def close(self) -> None:
        self.http.close()


# -- live serving -----------------------------------------------------------------------------
class LoopbackServer:
    """A WSGI app under waitress on a free loopback port, in a thread, that stops cleanly."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.server = create_server(app, host="127.0.0.1", port=0, threads=4, ident="bdd")
        self.url = f"http://127.0.0.1:{self.server.effective_port}"  # type: ignore[union-attr]
        self._stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.server.run()
        except OSError:
            # Closing the sockets from the test thread can wake the loop on a closed
            # descriptor; that is the stop we asked for.
            if not self._stopping:
                raise

    def close(self) -> None:
        self._stopping = True
        server: Any = self.server
        for channel in list(server._map.values()):
            if channel is not server:
                channel.close()
        server.close()
        server.task_dispatcher.shutdown()
        self.thread.join(5)


# -- the world --------------------------------------------------------------------------------
@dataclass
class World:
    target: str
    wrike: WrikeDriver
    onelogin: OneLogin
    closers: list[Callable[[], None]] = field(default_factory=list)
    #: What Wrike showed each member: the SCIM URL on the SCIM tab, the token once.
    seen_scim_urls: dict[str, str | None] = field(default_factory=dict)
    shown_tokens: dict[str, str] = field(default_factory=dict)
    last_token_attempt: TokenAttempt | None = None
    last_api_app_page: str | None = None

    def create_onelogin_user(self, email: str, attributes: dict[str, str] | None = None) -> None:
        self.wrike.expect_user(email)
        self.onelogin.create_user(email, attributes or {})

    def configure_onelogin(self, scim_url: str, token: str) -> None:
        self.onelogin.configure(scim_url, token)

    def report(self) -> list[tuple[str, str]]:
        """What a failed scenario's report shows: the System Log with the SCIM exchanges, and
        the requests Wrike received."""
        sections = []
        try:
            sections.append(
                ("OneLogin System Log", "\n".join(map(log_line, self.onelogin.events())))
            )
        except Exception as exc:  # the report must not hide the original failure
            sections.append(("OneLogin System Log", f"(could not be read: {exc!r})"))
        try:
            sections.append(("Wrike SCIM journal", self.wrike.journal()))
        except Exception as exc:
            sections.append(("Wrike SCIM journal", f"(could not be read: {exc!r})"))
        return sections

    def close(self) -> None:
        for close in reversed(self.closers):
            close()


def log_line(event: dict[str, Any]) -> str:
    """One System Log event as a support engineer reads it, with its SCIM exchanges."""
    parts = [
        f"#{event['id']} {event['created_at']} [{event['event_type_id']} "
        f"{event.get('event_type_name')}] user={event.get('user_name')}"
    ]
    for key in ("role_name", "notes", "error_description"):
        if event.get(key):
            parts.append(f"{key}={event[key]}")
    lines = [" ".join(parts)]
    for exchange in event.get("scim_exchanges") or []:
        lines.append(
            f"    > {exchange.get('method')} {exchange.get('url')} "
            f"{json.dumps(exchange.get('request_body'))}"
        )
        answer = exchange.get("network_error") or json.dumps(exchange.get("response_body"))
        lines.append(f"    < {exchange.get('status')} {answer}")
    return "\n".join(lines)


@dataclass(frozen=True)
class Target:
    name: str = "in-process"
    scim_url: str | None = None
    scim_token: str | None = None


def _wrike_config(**overrides: Any) -> WrikeConfig:
    return WrikeConfig(harness_enabled=True, password_iterations=1000, **overrides)


def _reset(session: requests.Session, url: str, what: str) -> None:
    expect(session.post(url), f"reset {what}")


class Stage:
    """The two apps (or the OneLogin app and an external endpoint) for one test process.

    Building a Flask app costs far more than a scenario (werkzeug compiles every route), so the
    apps are built once per process and every scenario starts by resetting both through their
    reset endpoints: empty databases, no faults, no journal, a freshly seeded OneLogin. Each
    World then gets its own sessions and drivers."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.closers: list[Callable[[], None]] = []
        if target.name == "in-process":
            wrike_app = create_wrike(_wrike_config())
            account = OneLoginAccount(
                OneLoginConfig(drain_mode="sync"),
                session_factory=lambda _base: wsgi_session(wrike_app, WRIKE_BASE),
            )
            onelogin_app = create_onelogin(account.config, account=account)
            self._wrike_session: Callable[[], requests.Session] | None = lambda: wsgi_session(
                wrike_app, WRIKE_BASE
            )
            self.wrike_base, self.admin_key = WRIKE_BASE, None
            self._onelogin_session = lambda: wsgi_session(onelogin_app, ONELOGIN_BASE)
            self.onelogin_base = ONELOGIN_BASE
        elif target.name == "live":
            self.admin_key = factories.bogus_token()
            wrike_server = LoopbackServer(create_wrike(_wrike_config(admin_key=self.admin_key)))
            onelogin_server = LoopbackServer(create_onelogin(OneLoginConfig(drain_mode="sync")))
            self.closers += [wrike_server.close, onelogin_server.close]
            self._wrike_session = requests.Session
            self.wrike_base = wrike_server.url
            self._onelogin_session = requests.Session
            self.onelogin_base = onelogin_server.url
        elif target.name == "external":
            if not (target.scim_url and target.scim_token):
                raise pytest.UsageError("--target external needs --scim-url and --scim-token")
            onelogin_app = create_onelogin(OneLoginConfig(drain_mode="sync"))
            self._wrike_session = None
            self._onelogin_session = lambda: wsgi_session(onelogin_app, ONELOGIN_BASE)
            self.onelogin_base = ONELOGIN_BASE
        else:
            raise pytest.UsageError(
                f"--target must be one of {', '.join(TARGETS)}, not {target.name!r}"
            )

    def world(self) -> World:
        """A fresh OneLogin and Wrike for one scenario."""
        onelogin_session = self._onelogin_session()
        _reset(onelogin_session, f"{self.onelogin_base}/simulator/api/reset", "OneLogin")
        onelogin = OneLogin(onelogin_session, self.onelogin_base)
        wrike: WrikeDriver
        if self._wrike_session is None:
            assert self.target.scim_url and self.target.scim_token
            wrike = ExternalWrike(self.target.scim_url, self.target.scim_token)
        else:
            wrike_session = self._wrike_session()
            _reset(wrike_session, f"{self.wrike_base}/harness/api/reset", "Wrike")
            wrike = ReferenceWrike(wrike_session, self.wrike_base, self.admin_key)
        world = World(self.target.name, wrike, onelogin)
        world.closers += [wrike.close, onelogin.close]
        return world

    def close(self) -> None:
        for close in reversed(self.closers):
            close()


@pytest.fixture(scope="session")
def stage(request: pytest.FixtureRequest) -> Iterator[Stage]:
    config = request.config
    built = Stage(
        Target(
            config.getoption("--target"),
            config.getoption("--scim-url"),
            config.getoption("--scim-token"),
        )
    )
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def world(request: pytest.FixtureRequest, stage: Stage) -> Iterator[World]:
    """A fresh OneLogin and Wrike for each scenario, on the target the command line chose."""
    built = stage.world()
    request.node.stash[WORLD_KEY] = built
    try:
        yield built
    finally:
        built.close()


WORLD_KEY = pytest.StashKey[World]()

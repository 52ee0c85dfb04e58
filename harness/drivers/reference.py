"""The reference Wrike provider through its admin API, its harness API and its SCIM endpoint:
everything the external target lacks (account set-up, members and rights, API apps and
tokens, Wrike-side users and data, injected faults, billing, the request journal).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from harness import vocabulary as v
from harness.drivers import people
from harness.drivers.http import OK, expect
from harness.drivers.network import Network
from harness.drivers.scim import ScimDriver, scim_fill_in, typo_in_path
from wrike_sp.domain.modelling import SCIM_PATH

#: The API app whose token OneLogin uses ("Each admin has an API app "OneLogin SCIM"").
INTEGRATION_APP = "OneLogin SCIM"
#: The API app of the token the drivers read and fill in Wrike users with.
CHECKS_APP = "Harness checks"


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


class ReferenceWrike:
    """The reference provider, for one account the driver creates."""

    def __init__(
        self, session: requests.Session, base_url: str, admin_key: str | None, network: Network
    ) -> None:
        self.http = session
        self.base = base_url.rstrip("/")
        self.admin_headers = {"Authorization": f"Bearer {admin_key}"} if admin_key else {}
        self.network = network
        self.account_id: int | None = None
        self.members: dict[str, Member] = {}
        self.api_apps: dict[tuple[str, str], int] = {}
        self.integration_tokens: dict[str, tuple[int, str]] = {}
        self._reader: ScimDriver | None = None

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

    def _domain(self) -> str | None:
        domains = self._admin("GET", f"{self._account()}/approved-domains", "approved domains")
        return str(domains[0]) if domains else None

    def member_row(self, email: str) -> dict[str, Any] | None:
        for row in self.member_rows():
            if row["email"].lower() == email.lower():
                return row
        return None

    # account set-up
    def create_account(self, plan: str, name: str = "Acme") -> None:
        account = self._admin(
            "POST", "/accounts", "create the Wrike account", {"name": name, "plan": plan}
        )
        self.account_id = account["id"]

    def move_to_plan(self, plan: str) -> None:
        self._admin("PUT", f"{self._account()}/plan", f"move the account to {plan}", {"plan": plan})

    def approve_domain(self, domain: str) -> None:
        self._admin(
            "POST", f"{self._account()}/approved-domains", f"approve {domain}", {"domain": domain}
        )

    def remove_domain(self, domain: str) -> None:
        self._admin(
            "DELETE",
            f"{self._account()}/approved-domains/{quote(domain, safe='')}",
            f"remove the approved domain {domain}",
        )

    def add_member(
        self,
        name: str,
        role: str,
        rights: Iterable[str],
        email: str | None = None,
        withheld: Iterable[str] = (),
    ) -> None:
        """A member of the account: ``role`` is owner, admin or regular. An owner or admin
        holds ``rights`` and, as in Wrike, the rights every new admin gets
        (``v.DEFAULT_RIGHTS``) unless they are ``withheld``."""
        first, _, last = name.partition(" ")
        held = set(rights)
        if role != "regular":
            held |= set(v.DEFAULT_RIGHTS) - set(withheld)
        unknown = sorted((held | set(withheld)) - set(v.RIGHT_KEYS))
        if unknown:
            raise ValueError(f"unknown Wrike right(s) {unknown}; known: {sorted(v.RIGHT_KEYS)}")
        if email is None:
            email = people.member_email(name, self._domain())
        member = Member(name, email, people.password_for(name))
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
                "rights": {key: label in held for label, key in v.RIGHT_KEYS.items()},
            },
        )
        member.id = row["id"]
        self.members[name] = member

    def withdraw_right(self, name: str, right: str) -> None:
        """An owner withdraws one right of the member (its tokens carry the change at once)."""
        if right not in v.RIGHT_KEYS:
            raise ValueError(f"unknown Wrike right {right!r}; known: {sorted(v.RIGHT_KEYS)}")
        self._admin(
            "PATCH",
            f"{self._account()}/members/{self._member(name).id}",
            f"withdraw the right {right} from {name}",
            {"rights": {v.RIGHT_KEYS[right]: False}},
        )

    # SCIM URL and tokens
    def scim_url(self) -> str:
        self._account()
        return self.base + SCIM_PATH.format(account_id=self.account_id)

    def wrong_scim_url(self) -> str:
        return typo_in_path(self.scim_url())

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
        """The token ``member`` obtains for the API app OneLogin uses (once)."""
        if member not in self.integration_tokens:
            app_id = self._app_id(member, INTEGRATION_APP)
            who = self._member(member)
            issued = self._admin(
                "POST",
                f"{self._account()}/api-apps/{app_id}/tokens",
                f"{member} obtains a token",
                {"member_id": who.id, "password": who.password},
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
        password = who.password if correct_password else people.wrong_password_for(member)
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
        person = people.person_for(email)
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
        row = self.member_row(email)
        if row is None:
            raise AssertionError(f"{email} is not in Wrike, so it cannot be made an admin")
        self._admin(
            "PATCH",
            f"{self._account()}/members/{row['id']}",
            f"make {email} an account admin",
            {"role": "admin"},
        )

    def _checks(self) -> ScimDriver:
        """SCIM with a token for reading (and filling in) Wrike users, issued by an admin of
        the scenario and used by nobody else, so revoking the integration's token or faults in
        the integration's rights do not blind the checks."""
        if self._reader is not None:
            return self._reader
        rows = {r["id"]: r for r in self.member_rows()}
        admins = [
            m
            for m in sorted(self.members.values(), key=lambda m: m.name)
            if rows.get(m.id, {}).get("role") in ("owner", "admin")
        ]
        admins.sort(key=lambda m: [not rows[m.id]["rights"][v.RIGHT_KEYS[r]] for r in v.ALL_RIGHTS])
        if not admins:
            raise AssertionError(
                "Reading Wrike users needs a token from a Wrike admin, and "
                "this scenario set up none"
            )
        issuer = admins[0]
        issued = self._admin(
            "POST",
            f"{self._account()}/api-apps/{self._app_id(issuer.name, CHECKS_APP)}/tokens",
            "issue the checking token",
            {"member_id": issuer.id, "password": issuer.password},
        )
        self._reader = ScimDriver(self.http, self.scim_url(), issued["token"])
        return self._reader

    @contextlib.contextmanager
    def _as_wrike_admin(self) -> Iterator[ScimDriver]:
        """SCIM for what a Wrike admin does or sees in Wrike itself: the faults injected into
        Wrike's SCIM endpoint stand for OneLogin's trouble reaching it, so they are lifted for
        the call and put back as they were."""
        reader = self._checks()
        faults = list(
            expect(
                self.http.get(f"{self.base}/harness/api/faults", headers=self.admin_headers),
                "list faults",
            )
        )
        if faults:
            expect(
                self.http.delete(f"{self.base}/harness/api/faults", headers=self.admin_headers),
                "lift the faults",
            )
        try:
            yield reader
        finally:
            for f in faults:
                if f["remaining"] == 0:
                    continue  # spent
                body = {k: f[k] for k in ("kind", "status", "latency_ms", "retry_after", "methods")}
                body.update({"count": f["remaining"]} if f["remaining"] else {"share": f["share"]})
                expect(
                    self.http.post(
                        f"{self.base}/harness/api/faults", json=body, headers=self.admin_headers
                    ),
                    "put the faults back",
                )

    def fill_in(self, email: str, attribute: str, value: str) -> None:
        row = self.member_row(email)
        if row is None:
            raise AssertionError(f"{email} is not in Wrike, so nothing can be filled in")
        with self._as_wrike_admin() as scim:
            scim.patch(
                str(row["id"]),
                scim_fill_in(attribute, value),
                f"fill in {attribute} of {email} in Wrike",
            )

    def delete_in_wrike(self, email: str) -> None:
        """A Wrike admin deletes the user in Wrike itself (not through OneLogin)."""
        row = self.member_row(email)
        if row is None:
            raise AssertionError(f"{email} is not in Wrike, so it cannot be deleted there")
        with self._as_wrike_admin() as scim:
            expect(
                scim.request("DELETE", f"/Users/{quote(str(row['id']), safe='')}"),
                f"delete {email} in Wrike",
            )

    def user(self, email: str) -> dict[str, Any] | None:
        row = self.member_row(email)
        if row is None:
            return None
        if not self.account()["scim_available"]:
            # SCIM is closed on this plan; the admin view still tells presence and status.
            return {
                "id": row["id"],
                "userName": row["user_name"],
                "active": row["status"] == "active",
                "userType": row["user_type"],
            }
        with self._as_wrike_admin() as scim:
            return scim.get(str(row["id"]), f"read {email} in Wrike")

    def deactivate_in_wrike(self, email: str) -> None:
        """A Wrike admin deactivates the user in Wrike itself (not through OneLogin)."""
        row = self.member_row(email)
        if row is None:
            raise AssertionError(f"{email} is not in Wrike, so it cannot be deactivated there")
        with self._as_wrike_admin() as scim:
            scim.patch(
                str(row["id"]),
                [{"op": "replace", "path": "active", "value": False}],
                f"deactivate {email} in Wrike",
            )

    # SAML SSO (docs/sso.md)
    def saml(self) -> dict[str, Any]:
        return dict(self._admin("GET", f"{self._account()}/saml", "read the SSO settings"))

    def set_saml(self, **settings: Any) -> dict[str, Any]:
        """Save ``idp_metadata_xml`` (the IdP metadata as pasted), ``mode`` or ``jit``."""
        return dict(
            self._admin("PUT", f"{self._account()}/saml", "save the SSO settings", settings)
        )

    def sp_metadata_xml(self) -> str:
        response = self.http.get(self.saml()["sp_metadata_url"])
        if response.status_code != 200:
            expect(response, "download Wrike's SP metadata")
        return response.text

    def sso_attempts(self) -> list[dict[str, Any]]:
        """Wrike's SSO attempts, newest first."""
        return list(self._admin("GET", f"{self._account()}/saml/attempts", "read SSO attempts"))

    def sso_attempt_for(
        self, email: str, name_id: str | None, *, posted: bool
    ) -> dict[str, Any] | None:
        """Wrike's newest SSO attempt of one login: by the NameID it carried or the member it
        named; a refusal before the NameID could be trusted (a signature Wrike cannot check)
        names neither, so for a login that posted an assertion the newest such attempt."""
        attempts = self.sso_attempts()
        keys = {k.lower() for k in (email, name_id) if k}
        row = self.member_row(name_id or email)
        member_id = row["id"] if row else None
        for attempt in attempts:
            if (attempt.get("name_id") or "").lower() in keys or (
                member_id is not None and attempt.get("member_id") == member_id
            ):
                return attempt
        if posted:
            return next((a for a in attempts if not a.get("name_id")), None)
        return None

    # what the admin pages show
    def account(self) -> dict[str, Any]:
        return dict(self._admin("GET", self._account(), "read the account"))

    def member_rows(self) -> list[dict[str, Any]]:
        return list(self._admin("GET", f"{self._account()}/members", "list members"))

    def billing(self) -> dict[str, Any]:
        billing = self._admin("GET", f"{self._account()}/billing", "read billing")
        billing["members"] = self.member_rows()
        return dict(billing)

    # faults
    def fail_every_request(
        self, fault: str, *, count: int | None = None, retry_after: int | None = None
    ) -> None:
        """From now on (or for the next ``count`` requests) OneLogin's SCIM requests fail as
        the vocabulary's ``fault`` says."""
        meaning = v.fault(fault)
        if meaning.network == "refused":
            self.network.refuse(count)
            return
        body: dict[str, Any] = (
            {"kind": "drop"}
            if meaning.network == "dropped"
            else {"kind": "status", "status": meaning.status}
        )
        if retry_after is not None:
            body["retry_after"] = retry_after
        body.update({"count": count} if count else {"share": 1.0})
        expect(
            self.http.post(
                f"{self.base}/harness/api/faults", json=body, headers=self.admin_headers
            ),
            f"inject the fault {fault}",
        )

    def recover(self) -> None:
        expect(
            self.http.delete(f"{self.base}/harness/api/faults", headers=self.admin_headers),
            "clear the faults",
        )
        self.network.restore()

    def expect_user(self, email: str) -> None:
        """Nothing to prepare: this Wrike starts empty for every scenario."""

    def journal(self) -> str:
        response = self.http.get(f"{self.base}/harness/api/journal", headers=self.admin_headers)
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

"""What any SCIM 2.0 endpoint offers a driver: look a user up by userName, read, change and
delete it, with one bearer token. The external target (a staging Wrike) is only this; the
reference provider offers more (harness/drivers/reference.py).
"""

from __future__ import annotations

import contextlib
import re
from typing import Any
from urllib.parse import quote

import requests

from harness import vocabulary as v
from harness.drivers.http import expect


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
    enterprise = user.get(v.ENTERPRISE) or {}
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
    if attribute == v.USER_TYPE:
        return user.get("userType")
    raise ValueError(f"unknown attribute {attribute!r}; STEPS.md lists the attribute names")


def typo_in_path(url: str) -> str:
    """A SCIM Base URL that points at the same host but not at the account: a typo in the
    path, an extra digit in its first number (the account id in Wrike's
    ``/scim/{account}/v2``), or an extra letter when the path has no number (``/x`` for a
    base URL with no path at all, so the host and port stay as they are)."""
    scheme, sep, rest = url.rstrip("/").partition("://")
    host, _, path = rest.partition("/")
    typo, count = re.subn(r"\d+", lambda m: m[0] + "0", path, count=1)
    return f"{scheme}{sep}{host}/{typo if count else path + 'x'}"


def scim_fill_in(attribute: str, value: str) -> list[dict[str, Any]]:
    """PatchOp operations that set one attribute in Wrike, as a Wrike admin filling it in."""
    if attribute in v.SCIM_PATHS:
        return [{"op": "replace", "path": v.SCIM_PATHS[attribute], "value": value}]
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
    raise ValueError(f"a Wrike admin cannot fill in {attribute!r}")


class ScimDriver:
    """One SCIM endpoint and one bearer token."""

    def __init__(self, session: requests.Session, url: str, token: str) -> None:
        self.http = session
        self.url = url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/scim+json"}

    def request(self, method: str, path: str, json_body: Any = None) -> requests.Response:
        return self.http.request(method, self.url + path, json=json_body, headers=self.headers)

    def find(self, email: str) -> list[dict[str, Any]]:
        flt = quote(f'userName eq "{email}"', safe="")
        body = expect(self.request("GET", f"/Users?filter={flt}"), f"look up {email}")
        return list(body.get("Resources") or [])

    def get(self, user_id: str, what: str) -> dict[str, Any]:
        return dict(expect(self.request("GET", f"/Users/{quote(user_id, safe='')}"), what))

    def patch(self, user_id: str, operations: list[dict[str, Any]], what: str) -> None:
        body = {"schemas": [v.PATCH_OP], "Operations": operations}
        expect(self.request("PATCH", f"/Users/{quote(user_id, safe='')}", body), what)

    def delete(self, email: str) -> None:
        for user in self.find(email):
            self.request("DELETE", f"/Users/{quote(str(user['id']), safe='')}")


class ExternalWrike:
    """Any SCIM endpoint, known by its URL and a bearer token: the Wrike of the external
    target. The account's set-up is taken as given; it has no admin API, so World.reference
    is None and what needs one fails with ReferenceOnly there."""

    def __init__(self, scim_url: str, token: str) -> None:
        self.token = token
        self.scim = ScimDriver(requests.Session(), scim_url, token)
        self.touched: set[str] = set()

    def scim_url(self) -> str:
        return self.scim.url

    def wrong_scim_url(self) -> str:
        return typo_in_path(self.scim.url)

    def integration_token(self, member: str) -> str:
        return self.token

    def user(self, email: str) -> dict[str, Any] | None:
        found = self.scim.find(email)
        return found[0] if found else None

    def fill_in(self, email: str, attribute: str, value: str) -> None:
        """A Wrike admin fills in an attribute OneLogin does not send: through SCIM, with the
        endpoint's token, as the reference driver does with a Wrike admin's token."""
        found = self.scim.find(email)
        if not found:
            raise AssertionError(f"{email} is not in Wrike, so nothing can be filled in")
        self.scim.patch(
            str(found[0]["id"]),
            scim_fill_in(attribute, value),
            f"fill in {attribute} of {email} in Wrike",
        )

    def expect_user(self, email: str) -> None:
        """The scenario will provision ``email``: remove what an earlier run left behind, so
        the scenario starts from the Wrike it describes, and remember it for clean-up."""
        self.touched.add(email)
        self.scim.delete(email)

    def journal(self) -> str:
        return "(an external SCIM endpoint keeps no journal the suite can read)"

    def close(self) -> None:
        # Clean-up is best effort; the next scenario deletes leftovers before it starts.
        for email in sorted(self.touched):
            with contextlib.suppress(AssertionError, requests.RequestException):
                self.scim.delete(email)
        self.scim.http.close()

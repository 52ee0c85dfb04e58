"""The world one BDD scenario or one case replay runs in: a OneLogin driver, a Wrike driver,
and (against the reference provider) its admin driver, on one target.

The steps and the replay call the World and its drivers only; which target is behind them is
decided by the Stage (harness/drivers/stage.py), once, when the World is built.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from harness.drivers.network import Network
from harness.drivers.onelogin import OneLogin
from harness.drivers.reference import ReferenceWrike, TokenAttempt
from harness.sso import Browser, Outcome, Page


class ReferenceOnly(RuntimeError):
    """A step needs the reference provider's internals; its scenario must carry
    @reference_only so that it is skipped against an external endpoint."""


class WrikeDriver(Protocol):
    """Wrike as any target offers it: its SCIM URL, the token OneLogin uses, and its users as
    SCIM shows them."""

    def scim_url(self) -> str: ...
    def wrong_scim_url(self) -> str: ...
    def integration_token(self, member: str) -> str: ...
    def user(self, email: str) -> dict[str, Any] | None: ...
    def fill_in(self, email: str, attribute: str, value: str) -> None: ...
    def expect_user(self, email: str) -> None: ...
    def journal(self) -> str: ...
    def close(self) -> None: ...


@dataclass
class World:
    target: str
    wrike: WrikeDriver
    onelogin: OneLogin
    #: The reference provider's admin and harness APIs; None against an external endpoint.
    admin: ReferenceWrike | None
    network: Network
    closers: list[Callable[[], None]] = field(default_factory=list)
    #: What Wrike showed each member: the SCIM URL on the SCIM tab, the token once.
    seen_scim_urls: dict[str, str | None] = field(default_factory=dict)
    shown_tokens: dict[str, str] = field(default_factory=dict)
    last_token_attempt: TokenAttempt | None = None
    last_api_app_page: str | None = None
    #: A fresh browser on both sites (the Stage's); None against an external endpoint.
    browsers: Callable[[], Browser | None] = lambda: None
    #: Each person's browser, kept across their logins (their sessions on both sites).
    open_browsers: dict[str, Browser] = field(default_factory=dict)
    #: The outcome of each person's last SSO or password login.
    logins: dict[str, Outcome] = field(default_factory=dict)
    #: The SSO settings page each member last opened in Wrike.
    sso_settings_pages: dict[str, Page] = field(default_factory=dict)

    def browser(self, person: str) -> Browser:
        """``person``'s browser (one per person, kept for the scenario)."""
        if person not in self.open_browsers:
            built = self.browsers()
            if built is None:
                raise ReferenceOnly(
                    "SAML SSO needs both the simulated OneLogin and the reference Wrike; an "
                    "external SCIM endpoint has none (tag the scenario @sso)"
                )
            self.open_browsers[person] = built
            self.closers.append(built.http.close)
        return self.open_browsers[person]

    def reference(self, what: str) -> ReferenceWrike:
        """The reference provider's admin driver, for ``what`` needs it."""
        if self.admin is None:
            raise ReferenceOnly(
                f"{what} needs the reference Wrike provider; tag the scenario @reference_only"
            )
        return self.admin

    # SAML SSO (docs/sso.md)
    def set_up_sso(self, mode: str, *, jit: bool | None = None) -> None:
        """Both sides of the SSO set-up, as the two admins do it: in OneLogin the Wrike app's
        SAML audience and consumer (ACS) URL come from Wrike's SP settings; in Wrike the IdP
        metadata downloaded from OneLogin (More Actions > SAML metadata) is pasted, and the
        mode chosen."""
        admin = self.reference("Setting up SAML SSO in Wrike")
        self.onelogin.give_passwords()
        sp = admin.saml()
        self.onelogin.set_saml(
            audience=sp["sp_entity_id"], acs_url=sp["acs_url"], recipient=sp["acs_url"]
        )
        settings: dict[str, Any] = {"idp_metadata_xml": self.onelogin.metadata_xml(), "mode": mode}
        if jit is not None:
            settings["jit"] = jit
        admin.set_saml(**settings)

    def paste_idp_metadata(self) -> None:
        """The Wrike admin pastes the Wrike app's IdP metadata as OneLogin serves it now."""
        self.reference("Wrike's SSO settings").set_saml(
            idp_metadata_xml=self.onelogin.metadata_xml()
        )

    def sso_login(self, email: str, *, from_portal: bool) -> Outcome:
        """The OneLogin user ``email`` logs in to Wrike through SSO: from Wrike's login page
        (SP-initiated) or from the OneLogin portal (IdP-initiated), typing their OneLogin
        username and password when OneLogin asks."""
        browser = self.browser(email)
        username = self.onelogin.username_of(email)
        password = self.onelogin.password_of(email)
        if from_portal:
            outcome = browser.idp_initiated(username, password, self.onelogin.app_id)
        else:
            outcome = browser.sp_initiated(email, password, username=username)
        self.logins[email] = outcome
        return outcome

    def password_login(self, member: str) -> Outcome:
        """The Wrike member ``member`` (by name) logs in with their Wrike password."""
        who = self.reference("A Wrike password login")._member(member)
        outcome = self.browser(member).password_login(who.email, who.password)
        self.logins[member] = outcome
        return outcome

    def open_sso_settings(self, member: str) -> Page:
        """The member logs in with their password and opens Wrike's SSO settings page."""
        outcome = self.password_login(member)
        if not outcome.signed_in:
            raise AssertionError(f"{member} could not log in to Wrike: {outcome.describe()}")
        page = self.browser(member).wrike_page("/settings/security/sso")
        self.sso_settings_pages[member] = page
        return page

    def login_email(self, who: str) -> str:
        """The email of ``who``: an email, or the name of a Wrike member of the scenario."""
        if "@" in who:
            return who
        return self.reference("A Wrike member's login")._member(who).email

    def create_onelogin_user(
        self,
        email: str,
        attributes: dict[str, str] | None = None,
        *,
        without_password: bool = False,
    ) -> None:
        self.wrike.expect_user(email)
        self.onelogin.create_user(email, attributes or {}, without_password=without_password)

    def configure_onelogin(self, scim_url: str, token: str, *, enable: bool) -> None:
        """Save the Configuration tab; ``enable`` then clicks Enable next to API status (the
        article's step 7), as a customer does right after saving."""
        self.onelogin.configure(scim_url, token)
        if enable:
            self.onelogin.enable_api_connection()

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
        if self.logins:
            # Where each login ended, and what Wrike listed for it (support's other half).
            lines = [f"{who}: {outcome.describe()}" for who, outcome in self.logins.items()]
            try:
                if self.admin is not None:
                    lines += [
                        f"attempt {a['at']} {a['outcome']} {a.get('reason') or ''} "
                        f"NameID {a.get('name_id')} {a.get('detail') or ''}"
                        for a in self.admin.sso_attempts()
                    ]
            except Exception as exc:
                lines.append(f"(Wrike's SSO attempts could not be read: {exc!r})")
            sections.append(("SSO logins and Wrike's SSO attempts", "\n".join(lines)))
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

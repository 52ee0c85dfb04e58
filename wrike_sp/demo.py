"""A seeded demo account: what a Wrike admin sets up before connecting OneLogin (the
article's Steps 1 to 3). Used by the CLI, the tests and the harness."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from wrike_sp.domain.accounts import AccountAdmin
from wrike_sp.domain.modelling import SCIM_PATH


def new_password() -> str:
    """A password for a console login nobody chose: 16 characters, 96 bits."""
    return secrets.token_urlsafe(12)


@dataclass(frozen=True)
class DemoAccount:
    account_id: int
    plan: str
    domain: str
    admin_id: str
    admin_email: str
    admin_password: str
    app_id: int
    token_id: int
    token: str

    @property
    def scim_path(self) -> str:
        return SCIM_PATH.format(account_id=self.account_id)


def seed_demo_account(
    accounts: AccountAdmin,
    *,
    name: str = "Acme",
    plan: str = "Enterprise Standard",
    domain: str = "acme.example",
    admin_email: str | None = None,
    admin_password: str | None = None,
    grant_admin_right: bool = True,
) -> DemoAccount:
    """An account on a SCIM plan with an approved domain, an owner holding every right, an API
    app named as the article suggests, and its permanent token. Without ``admin_password``
    the owner gets a random one (there is no fixed demo password: a demo server on a laptop
    may be reached by others); it is in the returned ``admin_password``."""
    admin_password = admin_password or new_password()
    account = accounts.create_account(name, plan)
    account_id = account["id"]
    accounts.add_domain(account_id, domain)
    email = admin_email or f"wanda.admin@{domain}"
    admin = accounts.add_member(
        account_id,
        {
            "email": email,
            "first_name": "Wanda",
            "last_name": "Admin",
            "password": admin_password,
            "role": "owner",
            "rights": {
                "configure_advanced_security_settings": True,
                "grant_revoke_admin_rights": grant_admin_right,
                "edit_names_emails_deactivate_delete_users": True,
            },
        },
    )
    app = accounts.create_app(account_id, admin["id"], "OneLogin SCIM", "User provisioning")
    token = accounts.issue_token(account_id, app["id"], admin["id"], admin_password)
    return DemoAccount(
        account_id=account_id,
        plan=plan,
        domain=domain,
        admin_id=admin["id"],
        admin_email=email,
        admin_password=admin_password,
        app_id=app["id"],
        token_id=token["id"],
        token=token["token"],
    )

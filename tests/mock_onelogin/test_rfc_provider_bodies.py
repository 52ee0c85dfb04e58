"""The engine's create, PUT and PATCH bodies leave an RFC 7643/7644 provider in the state
OneLogin intends: ``active`` set and kept, one primary email and one primary phone, a value
only the provider has (a secondary email) kept by PATCH.

The provider is scim2-server (written elsewhere, no Wrike rule in it), built in-process as a
WSGI app and reached through the same in-process transport the BDD suite uses; nothing of
ours is faked. RFC 7643 gives ``active`` no default, and RFC 7644 lets a PUT clear what it
leaves out and an ``add`` to a multi-valued attribute append: the bodies must say what they
mean (``modelling.ALWAYS_SET_ACTIVE``, ``modelling.PATCH_MULTI_VALUED``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from scim2_models import ScimProvider
from scim2_server.memory import InMemoryStorage
from scim2_server.service import ScimService
from scim2_server.testserver.application import BEARER_TOKEN_SCHEME, BearerTokenApplication
from scim2_server.utils import (
    load_default_resource_types,
    load_default_schemas,
    load_default_service_provider_config,
)
from werkzeug.test import Client

from mock_onelogin import FixedClock, OneLoginAccount, OneLoginConfig, wsgi_session

HOST = "http://scim2.test"
BASE = f"{HOST}/v2"
TOKEN = "rfc-provider-token-0123456789"
NO_APPROVAL = {"create_user": False, "update_user": False, "delete_user": False}


def scim2_server_app() -> Any:
    config = load_default_service_provider_config()
    config.authentication_schemes = [*(config.authentication_schemes or []), BEARER_TOKEN_SCHEME]
    provider = ScimProvider.from_discovery(
        load_default_schemas().values(), load_default_resource_types().values(), config=config
    )
    return BearerTokenApplication(
        InMemoryStorage(),
        provider,
        service=ScimService(provider, secret="tests-secret"),
        bearer_tokens=[TOKEN],
    )


class Provider:
    """scim2-server as its own admin reads it."""

    def __init__(self) -> None:
        self.app = scim2_server_app()
        self.client = Client(self.app)
        self.headers = {"Authorization": f"Bearer {TOKEN}"}

    def user(self, user_name: str) -> dict[str, Any]:
        flt = quote(f'userName eq "{user_name}"', safe="")
        found = self.client.get(f"/v2/Users?filter={flt}", headers=self.headers).get_json()
        [user] = found["Resources"]
        return dict(user)

    def add_secondary_email(self, user_name: str, email: str) -> None:
        user = self.user(user_name)
        body = {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "add", "path": "emails", "value": [{"value": email, "type": "home"}]}
            ],
        }
        answer = self.client.patch(f"/v2/Users/{user['id']}", json=body, headers=self.headers)
        assert answer.status_code in (200, 204), answer.get_data(as_text=True)


@pytest.fixture
def provider() -> Provider:
    return Provider()


@pytest.fixture(params=["put", "patch"])
def account(request: pytest.FixtureRequest, provider: Provider) -> Iterator[OneLoginAccount]:
    """The simulated OneLogin with the Wrike app pointed at scim2-server, sending updates
    with each update method in turn."""
    acct = OneLoginAccount(
        OneLoginConfig(drain_mode="manual"),
        clock=FixedClock(),
        session_factory=lambda base: wsgi_session(provider.app, HOST),
    )
    app_id = acct.apps.wrike_app_id()
    acct.apps.configure_connector(app_id, {"scim_base_url": BASE, "scim_bearer_token": TOKEN})
    assert acct.apps.enable_api_connection(app_id).api_status == "Enabled"
    acct.apps.set_provisioning(
        app_id,
        {"enabled": True, "require_approval": NO_APPROVAL, "update_method": request.param},
    )
    yield acct
    acct.store.close()


def provisioned(account: OneLoginAccount) -> dict[str, Any]:
    user = account.directory.create_user(
        {
            "email": "ada@acme.com",
            "username": "ada",
            "firstname": "Ada",
            "lastname": "Lovelace",
            "phone": "+15550100",
            "title": "Engineer",
        }
    )
    account.directory.add_login(user["id"], account.apps.wrike_app_id())
    account.drain()
    return user


def primaries(user: dict[str, Any], attribute: str) -> list[str]:
    return [v["value"] for v in user.get(attribute) or [] if v.get("primary")]


def failures(account: OneLoginAccount) -> list[str]:
    return [
        f"{e.event_type_id}: {e.error_description} ({e.notes})"
        for e in account.system_log.events()
        if e.error_description
    ]


def test_a_created_user_is_active_at_the_provider(
    account: OneLoginAccount, provider: Provider
) -> None:
    provisioned(account)
    user = provider.user("ada@acme.com")
    assert user.get("active") is True, f"the create carried no active: {user}"
    assert primaries(user, "emails") == ["ada@acme.com"]
    assert primaries(user, "phoneNumbers") == ["+15550100"]


def test_an_update_keeps_active_and_one_primary_email_and_phone(
    account: OneLoginAccount, provider: Provider
) -> None:
    ada = provisioned(account)
    account.directory.update_user(ada["id"], {"phone": "+15550199", "title": "Lead"})
    account.drain()
    assert not failures(account), failures(account)
    user = provider.user("ada@acme.com")
    assert user["title"] == "Lead"
    assert user.get("active") is True, f"the update lost active: {user}"
    assert [p["value"] for p in user["phoneNumbers"]] == ["+15550199"], user["phoneNumbers"]
    assert primaries(user, "emails") == ["ada@acme.com"], user["emails"]


def test_a_suspension_and_a_reactivation_reach_the_provider(
    account: OneLoginAccount, provider: Provider
) -> None:
    ada = provisioned(account)
    account.directory.update_user(ada["id"], {"status": 2})
    account.drain()
    assert provider.user("ada@acme.com").get("active") is False
    account.directory.update_user(ada["id"], {"status": 1})
    account.drain()
    user = provider.user("ada@acme.com")
    assert user.get("active") is True
    assert primaries(user, "emails") == ["ada@acme.com"], user["emails"]
    assert primaries(user, "phoneNumbers") == ["+15550100"], user["phoneNumbers"]


def test_a_patch_update_keeps_an_email_only_the_provider_has(
    account: OneLoginAccount, provider: Provider
) -> None:
    ada = provisioned(account)
    provider.add_secondary_email("ada@acme.com", "ada@home.example")
    account.directory.update_user(ada["id"], {"title": "Lead"})
    account.drain()
    user = provider.user("ada@acme.com")
    emails = sorted(e["value"] for e in user["emails"])
    if account.apps.settings(account.apps.wrike_app_id()).update_method.value == "patch":
        # PATCH names only the primary email: the other one stays.
        assert emails == ["ada@acme.com", "ada@home.example"], user["emails"]
    else:
        # A full PUT says what the user's emails are (RFC 7644 section 3.5.1); keeping the
        # rest is Wrike's rule (@wrike_attributes_stay), not an RFC provider's.
        assert emails == ["ada@acme.com"], user["emails"]
    assert primaries(user, "emails") == ["ada@acme.com"]

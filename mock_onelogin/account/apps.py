"""The account's apps: the Wrike app connector (SCIM base URL, token, template), its
Provisioning tab, the API connection test, and the users each app knows."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from mock_onelogin.account._context import SIMULATOR_ADMIN, AccountContext, Actor
from mock_onelogin.account.provisioning import ProvisioningQueue
from mock_onelogin.domain import modelling
from mock_onelogin.domain.connector import API_STATUS_ENABLED, API_STATUS_FAILED, ConnectorConfig
from mock_onelogin.domain.errors import BadRequest, NotFound, ValidationFailed
from mock_onelogin.domain.events import EventType
from mock_onelogin.domain.provisioning import ProvisioningSettings
from mock_onelogin.domain.queue import Login
from mock_onelogin.scim_client import found_user_id

#: OneLogin's connector id of the Wrike (SAML + SCIM) app.
WRIKE_CONNECTOR_ID = 108419


def _app_attribute(key: str, value: Any) -> Any:
    if key == "visible":
        if not isinstance(value, bool):
            raise ValidationFailed("Validation failed: visible must be true or false", key)
        return int(value)
    if not isinstance(value, str) or (key == "name" and not value.strip()):
        raise ValidationFailed(
            f"Validation failed: {key} must be a{' non-empty' if key == 'name' else ''} string",
            key,
        )
    return value.strip() if key == "name" else value


def _provisioning_switch(value: Any, shown: dict[str, Any]) -> bool | None:
    """``provisioning: {"enabled": bool}``; its other keys are read-only."""
    if not isinstance(value, dict):
        raise ValidationFailed("Validation failed: provisioning must be an object", "provisioning")
    enabled = None
    for key, item in value.items():
        field = f"provisioning.{key}"
        if key == "enabled":
            if not isinstance(item, bool):
                raise ValidationFailed(
                    "Validation failed: provisioning.enabled must be true or false", field
                )
            enabled = item
        elif key in shown:
            if item != shown[key]:
                raise ValidationFailed(modelling.APP_READ_ONLY_MESSAGE.format(field=field), field)
        else:
            raise BadRequest(f"unknown attribute: {field}", field)
    return enabled


@dataclass(frozen=True)
class AppUser:
    """One user the app knows, as its Users tab shows them: the directory record, the login in
    the app (``None`` before any), and whether the directory still entitles them to it."""

    user: dict[str, Any]
    login: Login | None
    assigned: bool

    @property
    def state(self) -> str:
        return self.login.provisioning_state if self.login else "unknown"


class Apps:
    def __init__(self, ctx: AccountContext, queue: ProvisioningQueue) -> None:
        self._ctx = ctx
        self._store = ctx.store
        self._queue = queue

    def require_app(self, app_id: int) -> dict[str, Any]:
        return self._ctx.require_app(app_id)

    # reads, for the API and the console -----------------------------------------------------
    def find_app(self, app_id: int) -> dict[str, Any] | None:
        return self._store.get_app(app_id)

    def list_apps(self) -> list[dict[str, Any]]:
        return self._store.list_apps()

    def app_role_ids(self, app_id: int) -> list[int]:
        """The roles that hold the app."""
        return self._store.app_role_ids(app_id)

    def entitled_user_ids(self, app_id: int) -> set[int]:
        """Users with access to the app: through a role holding it, or a direct login."""
        return self._store.entitled_user_ids(app_id)

    def logins(self, app_id: int, user_ids: Sequence[int] | None = None) -> dict[int, Login]:
        """What OneLogin remembers about each user's account in the app, by user id."""
        return self._store.logins_for_app(app_id, user_ids)

    def create_app(self, name: str, connector_id: int = WRIKE_CONNECTOR_ID) -> int:
        if not isinstance(name, str) or not name.strip():
            raise ValidationFailed("app name is required", "name")
        return self._store.insert_app(
            name.strip(),
            connector_id,
            ConnectorConfig().to_storage(),
            json.dumps(ProvisioningSettings().to_json()),
            self._ctx.now(),
        )

    def wrike_app_id(self) -> int:
        """The Wrike app: the one named "Wrike", else the first app on the Wrike connector (an
        admin may rename the app through the API or the console and keep using it)."""
        apps = self._store.list_apps()
        for app in apps:
            if app["name"] == "Wrike":
                return int(app["id"])
        for app in apps:
            if int(app["connector_id"]) == WRIKE_CONNECTOR_ID:
                return int(app["id"])
        raise NotFound("No Wrike app; create it with POST /simulator/api/apps")

    def connector(self, app_id: int) -> ConnectorConfig:
        return ConnectorConfig.from_storage(self._ctx.require_app(app_id)["connector"])

    def settings(self, app_id: int) -> ProvisioningSettings:
        return ProvisioningSettings.from_json(
            json.loads(self._ctx.require_app(app_id)["provisioning"] or "{}")
        )

    def configure_connector(
        self, app_id: int, data: Any, actor: Actor = SIMULATOR_ADMIN
    ) -> ConnectorConfig:
        before = self.connector(app_id)
        config = before.updated(data)
        with self._store.transaction():
            self._store.update_app(app_id, "connector", config.to_storage(), self._ctx.now())
            changed = sorted(k for k in data if k != "labels")
            cleared = before.scim_bearer_token and not config.scim_bearer_token
            if cleared and "scim_bearer_token" not in changed:
                changed.append(
                    "scim_bearer_token (cleared: the SCIM Base URL points to another server)"
                )
            self._ctx.log(
                [
                    self._ctx.event(
                        EventType.PROVISIONING_EVENT,
                        actor,
                        app=self._ctx.app_pair(app_id),
                        notes=f"Configuration saved: {', '.join(changed)}",
                    )
                ],
            )
        return config

    def set_provisioning(
        self, app_id: int, data: Any, actor: Actor = SIMULATOR_ADMIN
    ) -> ProvisioningSettings:
        if not isinstance(data, dict):
            raise ValidationFailed("provisioning settings must be a JSON object")
        before = self.settings(app_id)
        settings = before.updated(data)
        with self._store.transaction():
            self._store.update_app(
                app_id, "provisioning", json.dumps(settings.to_json()), self._ctx.now()
            )
            self._ctx.log(
                [
                    self._ctx.event(
                        EventType.PROVISIONING_EVENT,
                        actor,
                        app=self._ctx.app_pair(app_id),
                        notes="Provisioning settings saved: "
                        + json.dumps(
                            {k: v for k, v in settings.to_json().items() if k != "labels"}
                        ),
                    )
                ],
            )
            if settings.enabled and not before.enabled:
                # Saving with "Enable provisioning" ticked provisions the app's users.
                self._queue.reconcile_app(app_id, "provisioning enabled")
        self._ctx.after_change()
        return settings

    def update_app(
        self, app_id: int, data: Any, shown: dict[str, Any], actor: Actor = SIMULATOR_ADMIN
    ) -> dict[str, Any]:
        """``PUT /api/2/apps/{id}``, a partial update: the app's own attributes and the
        Provisioning tab's "Enable provisioning" (``provisioning.enabled``; turning it on
        reconciles like the tab's save). Every other attribute of the app as the API shows it
        (``shown``) is read-only: sent unchanged it is accepted, changed it is refused
        (``modelling.APP_READ_ONLY_MESSAGE``). Everything is checked before anything is
        written."""
        self._ctx.require_app(app_id)
        if not isinstance(data, dict):
            raise BadRequest("Expected a JSON object in request body")
        attributes: dict[str, Any] = {}
        enabled: bool | None = None
        for key, value in data.items():
            if key in modelling.APP_UPDATE_FIELDS:
                attributes[key] = _app_attribute(key, value)
            elif key == "provisioning":
                enabled = _provisioning_switch(value, shown["provisioning"])
            elif key in modelling.APP_CONNECTOR_FIELDS:
                raise ValidationFailed(modelling.APP_CONNECTOR_MESSAGE.format(field=key), key)
            elif key in shown:
                if value != shown[key]:
                    raise ValidationFailed(modelling.APP_READ_ONLY_MESSAGE.format(field=key), key)
            else:
                raise BadRequest(f"unknown attribute: {key}", key)
        if attributes:
            self._store.update_app_attributes(app_id, attributes, self._ctx.now())
        if enabled is not None and enabled != self.settings(app_id).enabled:
            self.set_provisioning(app_id, {"enabled": enabled}, actor)
        return self._ctx.require_app(app_id)

    def enable_api_connection(self, app_id: int, actor: Actor = SIMULATOR_ADMIN) -> ConnectorConfig:
        """ "API Connection: Enable": ask for a userName that cannot exist; an empty list or a
        404 means the endpoint and token work."""
        config = self.connector(app_id)
        if not config.ready:
            raise ValidationFailed(
                "Fill in SCIM Base URL and SCIM Bearer Token before enabling the API connection",
                "scim_base_url",
            )
        ctx, client = self._ctx.engine.connection_client(app_id)
        assert ctx is not None and client is not None
        probe = f"{self._ctx.config.connection_probe()}@{modelling.CONNECTION_TEST_DOMAIN}"
        exchange = client.find_by_username(probe)
        understood, found = found_user_id(exchange)
        if understood and found is None:
            status, message = API_STATUS_ENABLED, "Enabled"
            event_type, error = EventType.PROVISIONING_EVENT, None
        else:
            reason = (
                exchange.describe_failure()
                if not exchange.ok
                else "the provider returned a user for a userName that cannot exist"
            )
            status, message = API_STATUS_FAILED, f"API connection failed: {reason}"
            event_type, error = EventType.PROVISIONING_EXCEPTION, message
        config = replace(config, api_status=status, api_status_message=message)
        with self._store.transaction():
            self._store.update_app(app_id, "connector", config.to_storage(), self._ctx.now())
            self._ctx.log(
                [
                    self._ctx.event(
                        event_type,
                        actor,
                        app=self._ctx.app_pair(app_id),
                        error=error,
                        notes=f"API Connection test: {message}",
                        scim=[exchange.to_log(ctx.secrets)],
                    )
                ],
            )
        return config

    def app_user_ids(self, app_id: int) -> list[int]:
        self._ctx.require_app(app_id)
        return sorted(self._store.entitled_user_ids(app_id))

    def app_users(self, app_id: int) -> list[AppUser]:
        """Every user the app knows, by id: those entitled to it and those who still hold a
        login in it (unassigned, their deprovisioning due or done)."""
        self._ctx.require_app(app_id)
        logins = self._store.logins_for_app(app_id)
        entitled = self._store.entitled_user_ids(app_id)
        users = self._store.users_by_ids(sorted(set(logins) | entitled))
        return [AppUser(users[uid], logins.get(uid), uid in entitled) for uid in sorted(users)]

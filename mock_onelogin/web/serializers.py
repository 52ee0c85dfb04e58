"""Directory objects in the exact JSON shapes OneLogin's API (and its strict SDK) expect:
ids are integers, enums carry only the values the SDK accepts."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from mock_onelogin.domain.connector import ConnectorConfig
from mock_onelogin.domain.directory import CUSTOM_ATTRIBUTES, STRING_FIELDS
from mock_onelogin.domain.events import EVENT_TYPES, Event
from mock_onelogin.domain.modelling import UI_LABELS
from mock_onelogin.domain.provisioning import ProvisioningSettings, TaskKind
from mock_onelogin.domain.queue import Task

if TYPE_CHECKING:
    from mock_onelogin.account.directory import UserApp

ICON_URL = "/images/missing_connector_icon/square/mobile_50.png"


def user_json(row: dict[str, Any], role_ids: list[int]) -> dict[str, Any]:
    custom = {key: None for key in CUSTOM_ATTRIBUTES}
    custom.update(json.loads(row["custom_attributes"] or "{}"))
    out: dict[str, Any] = {"id": row["id"]}
    for key in STRING_FIELDS:
        out[key] = (
            row[key]
            if row[key] is not None
            else ("" if key in ("username", "email", "firstname", "lastname") else None)
        )
    out.update(
        {
            "state": row["state"],
            "status": row["status"],
            "group_id": row["group_id"],
            "directory_id": row["directory_id"],
            "trusted_idp_id": row["trusted_idp_id"],
            "manager_user_id": None
            if row["manager_user_id"] is None
            else str(row["manager_user_id"]),
            "role_ids": role_ids,
            "custom_attributes": custom,
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
            "activated_at": row["activated_at"],
            "last_login": None,
            "invitation_sent_at": None,
            "invalid_login_attempts": 0,
            "locked_until": None,
            "password_changed_at": row["password_changed_at"],
        }
    )
    return out


#: v2 field -> the name the v1 User resource gives it
#: (developers.onelogin.com/api-docs/1/users/get-user-by-id).
V1_RENAMED = {"comment": "notes", "preferred_locale_code": "locale_code"}


def user_v1_json(row: dict[str, Any], role_ids: list[int]) -> dict[str, Any]:
    """The v1 User resource: v1 names (``notes``, ``locale_code``, ``role_id``,
    ``openid_name``), ``manager_user_id`` an integer."""
    v2 = user_json(row, role_ids)
    out: dict[str, Any] = {}
    for key, value in v2.items():
        if key == "role_ids":
            out["role_id"] = value
        elif key == "manager_user_id":
            out[key] = row["manager_user_id"]
        else:
            out[V1_RENAMED.get(key, key)] = value
    login = row["email"] or row["username"] or ""
    out["openid_name"] = login.split("@", 1)[0]
    return out


def user_app_v1_json(item: UserApp) -> dict[str, Any]:
    """One app of ``GET /api/1/users/{id}/apps``
    (developers.onelogin.com/api-docs/1/users/get-apps-for-user)."""
    return {
        "id": item.app["id"],
        "name": item.app["name"],
        "icon": ICON_URL,
        "provisioned": item.login.provisioning_state,
        "extension": False,
        "login_id": item.login.login_id,
        "personal": False,
    }


def user_brief(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "firstname": row["firstname"] or "",
        "lastname": row["lastname"] or "",
        "username": row["username"] or "",
        "email": row["email"] or "",
    }


def app_json(row: dict[str, Any], role_ids: list[int]) -> dict[str, Any]:
    settings = ProvisioningSettings.from_json(json.loads(row["provisioning"] or "{}"))
    connector = ConnectorConfig.from_storage(row["connector"])
    return {
        "id": row["id"],
        "name": row["name"],
        "visible": bool(row["visible"]),
        "description": row["description"],
        "notes": row["notes"],
        "icon_url": ICON_URL,
        "auth_method": row["auth_method"],
        "auth_method_description": "SAML2.0",
        "policy_id": None,
        "allow_assumed_signin": False,
        "tab_id": None,
        "connector_id": row["connector_id"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "role_ids": role_ids,
        "provisioning": {
            "enabled": settings.enabled,
            "status": "Enabled" if connector.api_status == "Enabled" else "Available",
        },
    }


def app_brief(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "icon_url": ICON_URL}


def user_app_json(item: UserApp) -> dict[str, Any]:
    app, login = item.app, item.login
    return {
        "id": app["id"],
        "icon_url": ICON_URL,
        "extension": False,
        "login_id": login.login_id,
        "name": app["name"],
        "provisioning_status": login.provisioning_status,
        "provisioning_state": login.provisioning_state,
        "provisioning_enabled": item.provisioning_enabled,
    }


def event_json(row: Event, account_id: int, *, with_scim: bool = False) -> dict[str, Any]:
    out = {
        "id": row.id,
        "account_id": account_id,
        "created_at": row.created_at,
        "event_type_id": row.event_type_id,
        "user_id": row.user_id,
        "user_name": row.user_name,
        "app_id": row.app_id,
        "app-name": row.app_name,
        "app_name": row.app_name,
        "role_id": row.role_id,
        "role_name": row.role_name,
        "actor_user_id": row.actor_user_id,
        "actor_user_name": row.actor_user_name,
        "actor_system": row.actor_system,
        "client_id": row.client_id,
        "error_description": row.error_description,
        "notes": row.notes,
        "custom_message": row.custom_message,
        "ipaddr": None,
        "group_id": None,
        "group-name": None,
        "group_name": None,
        "resolution": None,
        "directory_id": None,
        "directory_sync_run_id": None,
        "otp_device_id": None,
        "otp_device_name": None,
        "policy_id": None,
        "policy_name": None,
        "resource_type_id": None,
        "assuming_acting_user_id": None,
    }
    if with_scim:
        info = EVENT_TYPES.get(row.event_type_id)
        out["event_type_name"] = info.name if info else None
        out["scim_exchanges"] = json.loads(row.scim) if row.scim else []
    return out


__all__ = [
    "UI_LABELS",
    "app_brief",
    "app_json",
    "event_json",
    "task_json",
    "user_app_json",
    "user_app_v1_json",
    "user_brief",
    "user_json",
    "user_v1_json",
]


_TASK_TITLES = {
    TaskKind.CREATE: "Create User in Application",
    TaskKind.UPDATE: "Update User in Application",
    TaskKind.SUSPEND: "Suspend User in Application",
    TaskKind.REACTIVATE: "Reactivate User in Application",
    TaskKind.DELETE: "Delete User in Application",
    TaskKind.NOTHING: "Do Nothing",
}


def task_json(task: Task) -> dict[str, Any]:
    return {
        "id": task.id,
        "user_id": task.user_id,
        "app_id": task.app_id,
        "kind": task.kind.value,
        "state": task.state.value,
        "trigger": task.trigger,
        "attempts": task.attempts,
        "error": task.error,
        "created_at": task.created_at,
        "updated_at": task.updated_at,
        "title": _TASK_TITLES[task.kind],
    }

"""OneLogin System Log event types the simulator emits.

Ids follow OneLogin's event type list; the SDK validates ``event_type_id`` against a fixed
list, so only ids it accepts appear here. Each type carries where its name comes from
(``name_source``): a public source of OneLogin's UPPER_SNAKE name, or the simulator's own
descriptive name (a modelling choice: OneLogin's names for them are not published). The
events types API and the console's Events page show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class EventType(IntEnum):
    APP_ADDED_TO_ROLE = 1
    APP_REMOVED_FROM_ROLE = 2
    USER_ASSIGNED_ROLE = 4
    USER_LOGGED_INTO_ONELOGIN = 5
    USER_LOGIN_TO_ONELOGIN_FAILED = 6
    USER_LOGGED_OUT_OF_ONELOGIN = 7
    USER_LOGGED_INTO_APP = 8
    CREATED_USER = 13
    UPDATED_USER = 14
    DELETED_USER = 17
    USER_SUSPENDED = 21
    PROVISIONING_EXCEPTION = 25
    PROVISIONING_EVENT = 26
    USER_REACTIVATED = 32
    USER_CREATED_IN_APP = 51
    USER_UPDATED_IN_APP = 52
    USER_SUSPENDED_IN_APP = 53
    USER_REACTIVATED_IN_APP = 54
    USER_DELETED_IN_APP = 55
    USER_LINKED_IN_APP = 59
    PROVISIONING_DO_NOTHING_WARNING = 60
    USER_SUSPENSION_FAILED_IN_APP = 61
    USER_REACTIVATION_FAILED_IN_APP = 62
    USER_DELETION_FAILED_IN_APP = 63
    USER_CREATION_FAILED_IN_APP = 64
    USER_UPDATE_FAILED_IN_APP = 65
    COULD_NOT_AUTHENTICATE_TO_APP = 85
    USER_AUTHENTICATED_VIA_API = 122
    USER_AUTHENTICATION_VIA_API_FAILED = 123
    USER_APP_REQUEST_APPROVED = 137
    USER_APP_REQUEST_DENIED = 138
    USER_MANUALLY_ADDED_TO_ROLE = 147
    USER_MANUALLY_REMOVED_FROM_ROLE = 148
    USER_AUTOMATICALLY_ADDED_TO_ROLE = 149
    USER_AUTOMATICALLY_REMOVED_FROM_ROLE = 150
    CERTIFICATE_CREATED = 177
    CERTIFICATE_DELETED = 178
    MAPPINGS_REAPPLIED = 202
    LOGIN_MANUALLY_ADDED = 206
    LOGIN_MANUALLY_REMOVED = 207


#: Where an event type's name comes from. OneLogin's published event type list gives the
#: names of ids 1 to 6 ([C] developers.onelogin.com/api-docs/1/events/event-types, and the
#: SDK 2.x test fixtures); a third-party plugin's comments name 12, 13, 15, 17, 19, 24 and 69
#: ([V] github.com/cpanato/mattermost-plugin-onelogin). Every other name here is the
#: simulator's own (the ids themselves follow OneLogin's list as a third-party enum gives it,
#: [V] github.com/mattmcnabb/OneLogin OneLogin/classes.cs).
ONELOGIN_EVENT_TYPE_LIST = "https://developers.onelogin.com/api-docs/1/events/event-types"
THIRD_PARTY_NAMES = "https://github.com/cpanato/mattermost-plugin-onelogin"
#: ``name_source`` of a name the simulator made up.
SIMULATOR_NAME = "simulator"


@dataclass(frozen=True)
class EventTypeInfo:
    id: int
    name: str
    description: str
    #: Where the name comes from: a public source of OneLogin's own name, or SIMULATOR_NAME.
    name_source: str = SIMULATOR_NAME

    @property
    def words(self) -> str:
        """The name as the console's Events page, the repro report, the diagnosis and the
        step vocabulary write it: ``USER_CREATED_IN_APP`` reads "User created in app"."""
        return self.name.replace("_", " ").capitalize()

    @property
    def official(self) -> bool:
        """The name is OneLogin's (a public source gives it), not the simulator's."""
        return self.name_source != SIMULATOR_NAME

    def to_json(self) -> dict[str, object]:
        """The type with where its name comes from, as the APIs and the console show it."""
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "official_name": self.official,
            "name_source": self.name_source,
        }


_OFFICIAL = ONELOGIN_EVENT_TYPE_LIST
_THIRD_PARTY = THIRD_PARTY_NAMES
_OURS = SIMULATOR_NAME

#: Each type: (description, where its name comes from). To add a type, add its EventType
#: member and one line here. 206/207: the KB's event texts ("Actor_user manually added user
#: to app", [C] OneLogin KB0010422 "Events") give their meaning, not their names.
_DESCRIPTIONS: dict[EventType, tuple[str, str]] = {
    EventType.APP_ADDED_TO_ROLE: ("App %app% added to role %role%", _OFFICIAL),
    EventType.APP_REMOVED_FROM_ROLE: ("App %app% removed from role %role%", _OFFICIAL),
    EventType.USER_ASSIGNED_ROLE: ("Assigned %role% to user %user%", _OFFICIAL),
    # SAML SSO. The ids are OneLogin's as the third-party enum gives them (5 "User logged in
    # to OneLogin", 6 "User login to OneLogin failed", 7 "User logged out of OneLogin", 8 "User
    # logged in to app", 85 "Could not authenticate to app", 122/123 "User authenticated via
    # API" / "User authentication via API failed", 177/178 "Certificate created/deleted");
    # the UPPER_SNAKE names and descriptions are ours. An SSO refusal's reason code
    # (docs/sso.md) is the event's error_description.
    EventType.USER_LOGGED_INTO_ONELOGIN: ("%user% logged into OneLogin", _OURS),
    EventType.USER_LOGIN_TO_ONELOGIN_FAILED: ("%user% failed to log into OneLogin", _OURS),
    EventType.USER_LOGGED_OUT_OF_ONELOGIN: ("%user% logged out of OneLogin", _OURS),
    EventType.USER_LOGGED_INTO_APP: ("%user% logged into %app% (SAML)", _OURS),
    EventType.COULD_NOT_AUTHENTICATE_TO_APP: ("%user% could not log into %app% (SAML)", _OURS),
    EventType.USER_AUTHENTICATED_VIA_API: (
        "%user% authenticated via API: SAML assertion for %app%",
        _OURS,
    ),
    EventType.USER_AUTHENTICATION_VIA_API_FAILED: (
        "SAML assertion via API for %app% refused for %user%",
        _OURS,
    ),
    EventType.CERTIFICATE_CREATED: ("%actor_user% created a SAML certificate for %app%", _OURS),
    EventType.CERTIFICATE_DELETED: ("%actor_user% retired a SAML certificate of %app%", _OURS),
    EventType.CREATED_USER: ("%actor_user% created user %user%", _THIRD_PARTY),
    EventType.UPDATED_USER: ("%actor_user% updated user %user%", _OURS),
    EventType.DELETED_USER: ("%actor_user% deleted user %user%", _THIRD_PARTY),
    EventType.USER_SUSPENDED: ("%actor_user% suspended user %user%", _OURS),
    EventType.PROVISIONING_EXCEPTION: ("Provisioning exception for %app%", _OURS),
    EventType.PROVISIONING_EVENT: ("Provisioning event for %app%", _OURS),
    EventType.USER_REACTIVATED: ("%actor_user% reactivated user %user%", _OURS),
    EventType.USER_CREATED_IN_APP: ("User %user% created in app %app%", _OURS),
    EventType.USER_UPDATED_IN_APP: ("User %user% updated in app %app%", _OURS),
    EventType.USER_SUSPENDED_IN_APP: ("User %user% suspended in app %app%", _OURS),
    EventType.USER_REACTIVATED_IN_APP: ("User %user% reactivated in app %app%", _OURS),
    EventType.USER_DELETED_IN_APP: ("User %user% deleted in app %app%", _OURS),
    EventType.USER_LINKED_IN_APP: ("User %user% linked in app %app%", _OURS),
    EventType.PROVISIONING_DO_NOTHING_WARNING: (
        'Provisioning do nothing warning: "Do Nothing" sent nothing for %user% to %app%',
        _OURS,
    ),
    EventType.USER_SUSPENSION_FAILED_IN_APP: ("User %user% suspension failed in app %app%", _OURS),
    EventType.USER_REACTIVATION_FAILED_IN_APP: (
        "User %user% reactivation failed in app %app%",
        _OURS,
    ),
    EventType.USER_DELETION_FAILED_IN_APP: ("User %user% deletion failed in app %app%", _OURS),
    EventType.USER_CREATION_FAILED_IN_APP: ("User %user% creation failed in app %app%", _OURS),
    EventType.USER_UPDATE_FAILED_IN_APP: ("User %user% update failed in app %app%", _OURS),
    EventType.USER_APP_REQUEST_APPROVED: (
        "%actor_user% approved the %app% request for %user%",
        _OURS,
    ),
    EventType.USER_APP_REQUEST_DENIED: ("%actor_user% denied the %app% request for %user%", _OURS),
    EventType.USER_MANUALLY_ADDED_TO_ROLE: (
        "%actor_user% manually added %user% to role %role%",
        _OURS,
    ),
    EventType.USER_MANUALLY_REMOVED_FROM_ROLE: (
        "%actor_user% manually removed %user% from role %role%",
        _OURS,
    ),
    # 149, 150 and 202: OneLogin's descriptions are known only from a third-party event
    # list ("User automatically added to / removed from role", "Mappings reapplied"), so
    # their names are ours.
    EventType.USER_AUTOMATICALLY_ADDED_TO_ROLE: (
        "%user% automatically added to role %role% by a user mapping",
        _OURS,
    ),
    EventType.USER_AUTOMATICALLY_REMOVED_FROM_ROLE: (
        "%user% automatically removed from role %role% by a user mapping",
        _OURS,
    ),
    EventType.MAPPINGS_REAPPLIED: ("%actor_user% reapplied user mappings", _OURS),
    EventType.LOGIN_MANUALLY_ADDED: ("%actor_user% manually added user %user% to app %app%", _OURS),
    EventType.LOGIN_MANUALLY_REMOVED: (
        "%actor_user% manually removed user %user% from app %app%",
        _OURS,
    ),
}

EVENT_TYPES: dict[int, EventTypeInfo] = {
    t.value: EventTypeInfo(t.value, t.name, desc, source)
    for t, (desc, source) in _DESCRIPTIONS.items()
}


@dataclass(frozen=True, slots=True)
class Event:
    """One System Log event as it is stored (OneLogin's event fields the simulator fills in),
    with the SCIM exchanges behind a provisioning event as JSON text."""

    id: int
    event_type_id: int
    created_at: str
    #: ``created_at`` in seconds since the epoch, for time filters.
    created_ts: float
    user_id: int | None
    user_name: str | None
    app_id: int | None
    app_name: str | None
    role_id: int | None
    role_name: str | None
    actor_user_id: int | None
    actor_user_name: str | None
    actor_system: str | None
    client_id: str | None
    error_description: str | None
    notes: str | None
    custom_message: str | None
    scim: str | None

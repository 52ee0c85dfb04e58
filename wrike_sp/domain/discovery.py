"""The discovery documents (RFC 7644 §4): ServiceProviderConfig, ResourceTypes, Schemas.

Built once from scim2-models, with the Wrike specifics: Users only (Wrike does not sync
groups), PATCH and ETags supported, no bulk, no sorting, no password change."""

from __future__ import annotations

from functools import cache
from typing import Any

from wrike_sp.domain.modelling import MAX_RESULTS

# scim2-models is imported when a document is first asked for, not at start-up
# (wrike_sp.domain.user_model says why).


@cache
def service_provider_config() -> dict[str, Any]:
    from scim2_models import (
        AuthenticationScheme,
        Bulk,
        ChangePassword,
        Context,
        ETag,
        External,
        Filter,
        Patch,
        Reference,
        ServiceProviderConfig,
        Sort,
    )

    config = ServiceProviderConfig(
        documentation_uri=Reference[External](
            "https://help.wrike.com/hc/en-us/articles/27535624025623-SCIM-API"
        ),
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=True),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="Wrike permanent API token",
                description="A permanent token obtained in Wrike under Apps & Integrations > API, "
                "sent as 'Authorization: Bearer <token>'",
                primary=True,
            )
        ],
    )
    return config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)


@cache
def resource_types() -> list[dict[str, Any]]:
    from scim2_models import Context, ResourceType

    from wrike_sp.domain.user_model import WrikeUser

    user = ResourceType.from_resource(WrikeUser)
    user.description = "Wrike account members (Wrike does not sync groups)"
    return [user.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)]


@cache
def schemas() -> list[dict[str, Any]]:
    from scim2_models import Context, ResourceType, Schema, ServiceProviderConfig

    from wrike_sp.domain.user_model import CORE_SCHEMA, ENTERPRISE_SCHEMA

    meta_schemas = [
        model.to_schema().model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        for model in (ResourceType, ServiceProviderConfig, Schema)
    ]
    return [CORE_SCHEMA, ENTERPRISE_SCHEMA, *meta_schemas]


def with_location(document: dict[str, Any], location: str, resource_type: str) -> dict[str, Any]:
    meta = dict(document.get("meta") or {})
    meta["resourceType"] = resource_type
    meta["location"] = location
    return {**document, "meta": meta}

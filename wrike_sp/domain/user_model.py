"""The User resource as scim2-models declares it: the pydantic model, and the schema
documents published in /Schemas (from which :mod:`wrike_sp.domain.schema` derives the
reader's attribute table).

Imported on first use, never at start-up: scim2-models builds all its pydantic models when
it is imported, which takes longer than a whole case replay, and a request refused before
its body or filter is read (a wrong token, a plan without SCIM) needs none of them."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from scim2_models import Context, EnterpriseUser, User

from wrike_sp.domain.modelling import USER_TYPES


class WrikeUser(User[EnterpriseUser]):
    """The core User with the enterprise extension; ``userType`` carries Wrike's user types.

    The canonical values are published in /Schemas, which is also what lets conformance
    tools pick valid example values.
    """

    user_type: str | None = Field(None, examples=list(USER_TYPES))


def _schema_dicts() -> tuple[dict[str, Any], dict[str, Any]]:
    core = WrikeUser.to_schema().model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    core["name"] = "User"
    core["description"] = "Wrike account member"
    for attribute in core["attributes"]:
        if attribute["name"] == "userName":
            # Wrike's login: required and unique (RFC 7643 §4.1.1).
            attribute["required"] = True
            attribute["uniqueness"] = "server"
    enterprise = EnterpriseUser.to_schema().model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    return core, enterprise


CORE_SCHEMA, ENTERPRISE_SCHEMA = _schema_dicts()

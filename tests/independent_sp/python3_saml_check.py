"""OneLogin's own SAML toolkit (python3-saml) as an SP independent of ``wrike_sp``: it reads
what the simulated OneLogin sends the Wrike app and says whether it accepts it.

Run it under ``.venv-saml/bin/python`` (``.ci/run`` makes that environment), never under the
project's ``.venv``: python3-saml and the official ``onelogin`` SDK both install a top-level
``onelogin`` package, and the SDK ships a stub ``onelogin.saml2`` that raises ImportError, so
the two cannot share one environment. This file imports nothing of the project for the same
reason: it sees the IdP only through what the IdP publishes (metadata) and sends (a
Response).

One JSON document on stdin, one on stdout::

    {"command": "authn_request", "sp": {"entity_id", "acs_url"},
     "idp": {"entity_id", "sso_url"}}
      -> {"id", "saml_request" (Redirect binding: DEFLATE + base64),
          "saml_request_post" (POST binding: base64), "xml"}

    {"command": "response", "sp": {"entity_id", "acs_url"},
     "idp_metadata_xml": "..."  or  "idp": {"entity_id", "sso_url", "x509cert"},
     "saml_response": "<base64>", "request_id": "<ID of the AuthnRequest>" | null}
      -> {"valid", "error", "reason", "name_id", "name_id_format", "attributes",
          "audiences", "issuers", "in_response_to", "assertion_id"}

Validation is strict, with ``wantAssertionsSigned`` (the Wrike SP metadata's
``WantAssertionsSigned="true"``) and the Destination / Recipient checked against the ACS URL.
Exit status: 0 the Response is valid (or the request was built), 1 it is refused, 2 the
input is unusable.
"""

from __future__ import annotations

import json
import sys
from typing import Any
from urllib.parse import urlsplit

from onelogin.saml2.authn_request import OneLogin_Saml2_Authn_Request
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.errors import OneLogin_Saml2_ValidationError
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings

EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"


#: python3-saml's validation error codes by name (INVALID_SIGNATURE, WRONG_AUDIENCE, ...).
REASONS = {
    value: name
    for name, value in vars(OneLogin_Saml2_ValidationError).items()
    if name.isupper() and isinstance(value, int)
}


class Unusable(Exception):
    """The input names no SP or IdP python3-saml can be set up with."""


def _idp(document: dict[str, Any]) -> dict[str, Any]:
    if document.get("idp_metadata_xml"):
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(
            document["idp_metadata_xml"],
            required_sso_binding=OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT,
        )
        idp = parsed.get("idp")
        if not idp or not idp.get("entityId"):
            raise Unusable("the IdP metadata names no IDPSSODescriptor with an entityID")
        if not idp.get("x509cert") and not idp.get("x509certMulti"):
            raise Unusable("the IdP metadata holds no signing certificate")
        return dict(idp)
    idp = document.get("idp") or {}
    missing = [key for key in ("entity_id", "sso_url", "x509cert") if not idp.get(key)]
    if missing:
        raise Unusable(f"give idp_metadata_xml, or idp with {', '.join(missing)}")
    return {
        "entityId": idp["entity_id"],
        "singleSignOnService": {
            "url": idp["sso_url"],
            "binding": OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT,
        },
        "x509cert": idp["x509cert"],
    }


def settings(document: dict[str, Any], *, with_cert: bool = True) -> OneLogin_Saml2_Settings:
    sp = document.get("sp") or {}
    if not sp.get("entity_id") or not sp.get("acs_url"):
        raise Unusable("give sp with entity_id and acs_url")
    if with_cert:
        idp = _idp(document)
    else:
        given = document.get("idp") or {}
        if not given.get("entity_id") or not given.get("sso_url"):
            raise Unusable("give idp with entity_id and sso_url")
        idp = {
            "entityId": given["entity_id"],
            "singleSignOnService": {
                "url": given["sso_url"],
                "binding": OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT,
            },
        }
    return OneLogin_Saml2_Settings(
        {
            "strict": True,
            "debug": False,
            "sp": {
                "entityId": sp["entity_id"],
                "assertionConsumerService": {
                    "url": sp["acs_url"],
                    "binding": OneLogin_Saml2_Constants.BINDING_HTTP_POST,
                },
                "NameIDFormat": EMAIL,
            },
            "idp": idp,
            "security": {
                "wantAssertionsSigned": True,
                "wantMessagesSigned": False,
                "wantNameId": True,
                "requestedAuthnContext": False,
                "rejectDeprecatedAlgorithm": True,
            },
        },
        sp_validation_only=not with_cert,
    )


def request_data(acs_url: str, saml_response: str) -> dict[str, Any]:
    """The request as python3-saml wants it: it rebuilds the URL the Response was posted to
    from these and compares it with the Destination."""
    url = urlsplit(acs_url)
    return {
        "https": "on" if url.scheme == "https" else "off",
        "http_host": url.netloc,
        "script_name": url.path,
        "get_data": {},
        "post_data": {"SAMLResponse": saml_response},
    }


def authn_request(document: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = OneLogin_Saml2_Authn_Request(settings(document, with_cert=False))
    xml = request.get_xml()
    return 0, {
        "id": request.get_id(),
        "saml_request": request.get_request(deflate=True),
        "saml_request_post": request.get_request(deflate=False),
        "xml": xml.decode() if isinstance(xml, bytes) else xml,
    }


def response(document: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    encoded = document.get("saml_response")
    if not isinstance(encoded, str) or not encoded:
        raise Unusable("give saml_response, the base64 SAMLResponse form field")
    sp_settings = settings(document)
    acs = document["sp"]["acs_url"]
    try:
        answer = OneLogin_Saml2_Response(sp_settings, encoded)
    except Exception as error:  # python3-saml raises plain Exceptions for unreadable input
        return 1, {"valid": False, "error": f"unreadable Response: {error}", "reason": None}
    reason = None
    try:
        valid = answer.is_valid(
            request_data(acs, encoded),
            request_id=document.get("request_id"),
            raise_exceptions=True,
        )
    except OneLogin_Saml2_ValidationError as error:
        valid, reason = False, REASONS.get(error.code, str(error.code))
    except Exception:  # the toolkit's other refusals (e.g. a signature it cannot read)
        valid = False
    result: dict[str, Any] = {"valid": bool(valid), "error": answer.get_error(), "reason": reason}
    if valid:
        result.update(
            name_id=answer.get_nameid(),
            name_id_format=answer.get_nameid_format(),
            attributes=answer.get_attributes(),
            audiences=answer.get_audiences(),
            issuers=answer.get_issuers(),
            in_response_to=answer.get_in_response_to(),
            assertion_id=answer.get_assertion_id(),
        )
    return (0 if valid else 1), result


COMMANDS = {"authn_request": authn_request, "response": response}


def main() -> int:
    try:
        document = json.load(sys.stdin)
        if not isinstance(document, dict) or document.get("command") not in COMMANDS:
            raise Unusable(f"give a JSON object whose command is one of {sorted(COMMANDS)}")
        status, result = COMMANDS[document["command"]](document)
    except (Unusable, ValueError) as error:
        json.dump({"valid": False, "error": f"unusable input: {error}"}, sys.stdout)
        return 2
    json.dump(result, sys.stdout)
    return status


if __name__ == "__main__":
    sys.exit(main())

"""OneLogin's own SAML toolkit for Python (python3-saml) as an independent SP: it must accept
the simulated IdP's Response for the Wrike app, read from the IdP metadata, and refuse an
altered one.

python3-saml installs a top-level ``onelogin`` package, as the official SDK does, so it runs
in an environment of its own: set ``PYTHON3_SAML`` to that environment's interpreter (for
example ``python -m venv ENV && ENV/bin/pip install python3-saml``). Without it the test is
skipped, saying so.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from typing import Any

import pytest

from mock_onelogin import OneLoginAccount, OneLoginConfig
from mock_onelogin.account import Actor

pytestmark = pytest.mark.slow

ACS = "http://wrike.test/saml/1/acs"
AUDIENCE = "http://wrike.test/saml/1"

#: Runs under python3-saml's interpreter: reads {"metadata", "response", "audience", "acs"} on
#: stdin, prints {"valid", "error", "nameid", "attributes"}.
CHECK = """
import json, sys
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser as Parser
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings
data = json.load(sys.stdin)
base = {
    "strict": True,
    "sp": {
        "entityId": data["audience"],
        "assertionConsumerService": {
            "url": data["acs"],
            "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
        },
        "NameIDFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    },
    "security": {"wantAssertionsSigned": True, "wantMessagesSigned": False},
}
settings = OneLogin_Saml2_Settings(
    Parser.merge_settings(base, Parser.parse(data["metadata"])), sp_validation_only=True
)
response = OneLogin_Saml2_Response(settings, data["response"])
request = {
    "http_host": "wrike.test", "script_name": "/saml/1/acs", "server_port": "80",
    "https": "off", "get_data": {}, "post_data": {"SAMLResponse": data["response"]},
}
valid = response.is_valid(request, raise_exceptions=False)
print(json.dumps({
    "valid": valid,
    "error": response.get_error(),
    "nameid": response.get_nameid() if valid else None,
    "attributes": response.get_attributes() if valid else None,
}))
"""


@pytest.fixture(scope="module")
def toolkit() -> str:
    python = os.environ.get("PYTHON3_SAML")
    if not python:
        pytest.skip("PYTHON3_SAML is not set: no python3-saml environment to check against")
    return python


def issued() -> tuple[str, str]:
    """(IdP metadata, base64 Response) for an assigned user, on the real clock."""
    account = OneLoginAccount(OneLoginConfig(public_url="http://onelogin.test"))
    app_id = account.apps.wrike_app_id()
    account.sso.update_settings(app_id, {"audience": AUDIENCE, "acs_url": ACS})
    user = account.directory.create_user(
        {
            "username": "ada",
            "email": "ada@acme.example",
            "firstname": "Ada",
            "lastname": "Lovelace",
            "password": "pw 1",
        }
    )
    account.directory.add_login(user["id"], app_id)
    answer = account.sso.api_assertion("ada", "pw 1", app_id, Actor())
    return account.sso.metadata(app_id).decode(), answer.saml_response


def check(python: str, metadata: str, response: str) -> dict[str, Any]:
    done = subprocess.run(
        [python, "-c", CHECK],
        input=json.dumps(
            {"metadata": metadata, "response": response, "audience": AUDIENCE, "acs": ACS}
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_python3_saml_accepts_the_idps_response(toolkit: str) -> None:
    result = check(toolkit, *issued())
    assert result["valid"], result["error"]
    assert result["nameid"] == "ada@acme.example"
    assert result["attributes"] == {
        "User.email": ["ada@acme.example"],
        "User.FirstName": ["Ada"],
        "User.LastName": ["Lovelace"],
    }


def test_python3_saml_refuses_an_altered_response(toolkit: str) -> None:
    metadata, response = issued()
    altered = base64.b64decode(response).replace(b"ada@acme.example", b"eve@acme.example")
    result = check(toolkit, metadata, base64.b64encode(altered).decode())
    assert not result["valid"] and result["error"]

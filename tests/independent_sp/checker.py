"""How the main environment's tests ask python3-saml (in ``.venv-saml``) for its verdict:
one subprocess per question, JSON in and out (``python3_saml_check.py``)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAML_PYTHON = ROOT / ".venv-saml" / "bin" / "python"
CHECKER = Path(__file__).with_name("python3_saml_check.py")
#: What makes the environment (``.ci/run`` runs the same lines).
MAKE_IT = (
    "apt-get install libxmlsec1 libxmlsec1-openssl && "
    "python3 -m venv .venv-saml && .venv-saml/bin/pip install python3-saml"
)


def require_environment() -> Path:
    """The independent SP's interpreter. Missing, the test fails (never skips): a skipped
    check would let a release pass that python3-saml was never asked about."""
    if not SAML_PYTHON.exists():
        pytest.fail(
            f"python3-saml's own environment is missing ({SAML_PYTHON.relative_to(ROOT)}); "
            f"make it from the repository root with: {MAKE_IT}",
            pytrace=False,
        )
    return SAML_PYTHON


def ask(document: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Run one command of the checker; returns its exit status and its JSON answer."""
    python = require_environment()
    # The project's venv must not leak in: python3-saml's `onelogin` is not the SDK's.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run(
        [str(python), "-I", str(CHECKER)],
        input=json.dumps(document),
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode in (0, 1, 2), done.stderr
    try:
        answer: dict[str, Any] = json.loads(done.stdout)
    except ValueError as error:
        raise AssertionError(f"the checker printed no JSON: {done.stdout!r} {done.stderr!r}") from (
            error
        )
    return done.returncode, answer


def verdict(
    saml_response: str,
    *,
    sp: dict[str, str],
    idp_metadata_xml: str | None = None,
    idp: dict[str, str] | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """python3-saml's verdict on a base64 SAMLResponse posted to ``sp['acs_url']``."""
    document: dict[str, Any] = {
        "command": "response",
        "sp": sp,
        "saml_response": saml_response,
        "request_id": request_id,
    }
    if idp_metadata_xml is not None:
        document["idp_metadata_xml"] = idp_metadata_xml
    if idp is not None:
        document["idp"] = idp
    status, answer = ask(document)
    assert status == (0 if answer.get("valid") else 1), answer
    return answer


def authn_request(*, sp: dict[str, str], idp: dict[str, str]) -> dict[str, Any]:
    """An AuthnRequest built by python3-saml itself: {"id", "saml_request", "xml"}."""
    status, answer = ask({"command": "authn_request", "sp": sp, "idp": idp})
    assert status == 0, answer
    return answer

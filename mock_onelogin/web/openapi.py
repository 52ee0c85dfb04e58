"""``/openapi.json``: the shipped OpenAPI description of the OneLogin-compatible API (tokens,
``/api/2``, ``/api/1``), for clients and fuzzers. No authorization needed."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import yaml
from flask import Blueprint, Response

bp = Blueprint("openapi", __name__)


@functools.cache
def openapi_description() -> dict[str, Any]:
    with resources.files("mock_onelogin").joinpath("openapi.yaml").open() as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    # The YAML anchors' holders are not part of the description.
    return {k: v for k, v in loaded.items() if not k.startswith("x-")}


@bp.get("/openapi.json")
def openapi() -> Response:
    return Response(json.dumps(openapi_description()), mimetype="application/json")

"""A tiny SCIM 2.0 service provider for tests: just enough of /Users to be provisioned.

It keeps users in memory, records every request, and can be told to answer the next calls
with an error, so tests can show what OneLogin does with each kind of failure.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from flask import Flask, Response, jsonify, request

LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


class ScimStub:
    def __init__(self, token: str = "scim-token-123456") -> None:
        self.token = token
        self.users: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, str, Any]] = []
        self.fail_next: list[tuple[int, dict[str, Any] | None, dict[str, str]]] = []
        self._ids = itertools.count(1)
        self.app = self._build()

    def add_existing(self, body: dict[str, Any]) -> str:
        """An account that is already in the app before OneLogin provisions anyone."""
        user_id = f"existing-{next(self._ids)}"
        self.users[user_id] = {**body, "id": user_id}
        return user_id

    def fail(
        self,
        status: int,
        scim_type: str | None = None,
        detail: str = "refused",
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        body = {"schemas": [ERROR], "status": str(status), "detail": detail}
        if scim_type:
            body["scimType"] = scim_type
        self.fail_next.extend([(status, body, headers or {})] * times)

    def by_username(self, user_name: str) -> dict[str, Any] | None:
        return next((u for u in self.users.values() if u.get("userName") == user_name), None)

    def _build(self) -> Flask:
        app = Flask("scim_stub")
        stub = self

        def error(status: int, detail: str) -> tuple[Response, int]:
            return jsonify({"schemas": [ERROR], "status": str(status), "detail": detail}), status

        @app.before_request
        def check() -> Any:
            body = request.get_json(silent=True)
            stub.calls.append((request.method, request.full_path.rstrip("?"), body))
            if request.headers.get("Authorization") != f"Bearer {stub.token}":
                return error(401, "Invalid token")
            if stub.fail_next:
                status, payload, headers = stub.fail_next.pop(0)
                response = jsonify(payload)
                response.status_code = status
                response.headers.update(headers)
                return response
            return None

        @app.get("/scim/v2/Users")
        def list_users() -> Any:
            flt = request.args.get("filter", "")
            match = re.match(r'userName eq "([^"]*)"', flt)
            found = [
                u for u in stub.users.values() if not match or u.get("userName") == match.group(1)
            ]
            return jsonify(
                {
                    "schemas": [LIST],
                    "totalResults": len(found),
                    "startIndex": 1,
                    "itemsPerPage": len(found),
                    "Resources": found,
                }
            )

        @app.post("/scim/v2/Users")
        def create() -> Any:
            body = request.get_json()
            if stub.by_username(body.get("userName")):
                return jsonify(
                    {
                        "schemas": [ERROR],
                        "status": "409",
                        "scimType": "uniqueness",
                        "detail": "userName already exists",
                    }
                ), 409
            user_id = f"u{next(stub._ids)}"
            stub.users[user_id] = {**body, "id": user_id, "active": body.get("active", True)}
            return jsonify(stub.users[user_id]), 201

        @app.route("/scim/v2/Users/<user_id>", methods=["PUT", "PATCH", "DELETE", "GET"])
        def one(user_id: str) -> Any:
            if user_id not in stub.users:
                return error(404, f"User {user_id} not found")
            if request.method == "GET":
                return jsonify(stub.users[user_id])
            if request.method == "DELETE":
                del stub.users[user_id]
                return "", 204
            body = request.get_json()
            if request.method == "PUT":
                stub.users[user_id] = {**body, "id": user_id, "active": body.get("active", True)}
            else:
                for op in body["Operations"]:
                    stub.users[user_id][op["path"]] = op["value"]
            return jsonify(stub.users[user_id])

        return app

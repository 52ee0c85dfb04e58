"""OneLogin's two error shapes: v1 ``{"status": {...}}`` and v2 ``{"statusCode", "name",
"message"}``. Every refusal goes out in the shape of the API family it came from."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

V2_NAMES = {
    400: "BadRequestError",
    401: "UnauthorizedError",
    403: "ForbiddenError",
    404: "NotFoundError",
    405: "MethodNotAllowedError",
    409: "ConflictError",
    415: "UnsupportedMediaTypeError",
    421: "MisdirectedRequestError",
    422: "UnprocessableEntityError",
    429: "TooManyRequestsError",
    500: "InternalServerError",
}
V1_TYPES = {
    400: "bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "not found",
    405: "method not allowed",
    409: "conflict",
    421: "misdirected request",
    422: "unprocessable entity",
    429: "too many requests",
    500: "internal server error",
}


def v2_error(status: int, message: str, field: str | None = None) -> Response:
    body: dict[str, Any] = {
        "statusCode": status,
        "name": V2_NAMES.get(status, "Error"),
        "message": message,
    }
    if field and status == 422:
        body["name"] = "UnprocessableEntityFieldError"
        body["field"] = field
    response = jsonify(body)
    response.status_code = status
    return response


def v1_error(status: int, message: str, field: str | None = None) -> Response:
    msg: Any = message if not field else {"description": message, "attribute": field}
    response = jsonify(
        {
            "status": {
                "error": True,
                "code": status,
                "type": V1_TYPES.get(status, "error"),
                "message": msg,
            }
        }
    )
    response.status_code = status
    return response


def v1_success(data: Any = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": {"error": False, "code": 200, "type": "success", "message": "Success"}
    }
    body.update(extra)
    if data is not None:
        body["data"] = data
    return body

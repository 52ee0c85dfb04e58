"""The SCIM 2.0 endpoint under each account's SCIM URL.

Routing is done here rather than by Flask's URL map so that resource names match
case-insensitively (``/Users`` and ``/users``), and so that every unknown URL and wrong
method still gets a SCIM error body. No rule lives here: it translates HTTP to
:class:`ScimUsers` calls and back.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, current_app, g, request

from wrike_sp.domain import discovery, modelling
from wrike_sp.domain.errors import ScimError
from wrike_sp.domain.resources import parse_paths, project, user_resource
from wrike_sp.domain.schema import LIST_RESPONSE, SEARCH_REQUEST
from wrike_sp.domain.scim_users import Grant, ScimUsers, version_tag
from wrike_sp.web.http import read_json, scim

blueprint = Blueprint("scim", __name__)
#: An account id as the SCIM URL carries it: ASCII digits, no leading zero (``str.isdigit``
#: also takes Unicode digits such as "¹" or fullwidth digits (U+FF11), which ``int`` then reads).
_ACCOUNT_ID = re.compile(r"[1-9][0-9]{0,18}")
#: A query integer (startIndex, count): ASCII digits with an optional sign.
_QUERY_INT = re.compile(r"[+-]?[0-9]{1,30}")
_ALL = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def _users() -> ScimUsers:
    users: ScimUsers = current_app.extensions["wrike"].scim_users
    return users


def _base(account_id: int) -> str:
    runtime = current_app.extensions["wrike"]
    public = runtime.config.public_url
    if public:
        return f"{public.rstrip('/')}/scim/{account_id}/v2"
    # scheme://host as the request arrived (request.host_url would cost a URL round trip
    # through IRI decoding on every response); werkzeug's host checks run once per host.
    environ = request.environ
    seen = (
        environ.get("wsgi.url_scheme"),
        environ.get("HTTP_HOST"),
        environ.get("SERVER_NAME"),
        environ.get("SERVER_PORT"),
    )
    roots = runtime.url_roots
    root = roots.get(seen)
    if root is None:
        host = request.host
        if not host:  # a Host header werkzeug cannot trust: name the server instead
            name, port = environ.get("SERVER_NAME") or "localhost", environ.get("SERVER_PORT")
            default = "443" if request.scheme == "https" else "80"
            host = name if port in (None, "", default) else f"{name}:{port}"
        root = f"{request.scheme}://{host}".rstrip("/")
        if len(roots) < 1000:
            roots[seen] = root
    return f"{root}/scim/{account_id}/v2"


def _query() -> dict[str, str]:
    """The query parameters, first value of each, as a plain dict: werkzeug's MultiDict
    builds an exception object for every parameter asked for and absent."""
    if not request.environ.get("QUERY_STRING"):
        return {}
    query: dict[str, str] | None = getattr(g, "scim_query", None)
    if query is None:
        query = g.scim_query = request.args.to_dict()
    return query


def _header(name: str) -> str | None:
    """A request header straight from the WSGI environ (``If-Match`` → ``HTTP_IF_MATCH``),
    for the same reason as :func:`_query`."""
    value: str | None = request.environ.get("HTTP_" + name.upper().replace("-", "_"))
    return value


def _not_allowed(allowed: list[str]) -> ScimError:
    return ScimError(
        405,
        None,
        f"Method {request.method} is not allowed here; allowed: {', '.join(allowed)}",
        {"Allow": ", ".join(allowed)},
    )


def _int_param(name: str) -> int | None:
    raw = _query().get(name)
    if raw is None or raw == "":
        return None
    if not _QUERY_INT.fullmatch(raw):
        raise ScimError(400, "invalidValue", f"{name} must be an integer, got {raw!r}")
    # RFC 7644 §3.4.2.4: out-of-range values are read as the nearest meaningful one
    # (startIndex below 1 as 1, a negative count as 0); the search clamps them.
    return int(raw)


def _body() -> Any:
    return read_json(request.get_data(cache=False), request.headers.get("Content-Type"))


@blueprint.route("/scim/<account>/v2", methods=_ALL, strict_slashes=False)
@blueprint.route("/scim/<account>/v2/<path:rest>", methods=_ALL)
def endpoint(account: str, rest: str = "") -> Response:
    account_id = _account_id(account)
    grant = _users().authenticate(account_id, _header("Authorization"))
    parts = [p for p in rest.split("/") if p]
    head = parts[0].lower() if parts else ""
    method = request.method
    if head == "users":
        return _users_route(grant, parts[1:], method)
    if head in ("serviceproviderconfig", "resourcetypes", "schemas"):
        return _discovery(grant, head, parts[1:], method)
    if head == "groups":
        raise ScimError(
            modelling.STATUS_GROUPS,
            None,
            "Wrike does not sync groups over SCIM (user group sync is not supported); only "
            "Users are provisioned. Turn off group provisioning in the identity provider.",
        )
    if head in (".search", "bulk", "me"):
        raise ScimError(501, None, f"/{parts[0]} is not implemented by Wrike's SCIM API")
    raise ScimError(404, None, f"No SCIM resource at /{rest}; Wrike serves /Users")


def _account_id(text: str) -> int:
    """The account id of the SCIM URL, or a 404: only ASCII digits below 2^63 name one."""
    number = int(text) if _ACCOUNT_ID.fullmatch(text) else 0
    if not 1 <= number <= modelling.MAX_ACCOUNT_ID:
        raise ScimError(404, None, f"No Wrike account answers at this SCIM URL ({text!r})")
    return number


def _users_route(grant: Grant, parts: list[str], method: str) -> Response:
    if not parts:
        if method == "GET":
            query = _query()
            return _list(
                grant,
                query.get("filter"),
                _int_param("startIndex"),
                _int_param("count"),
                query.get("attributes"),
                query.get("excludedAttributes"),
            )
        if method == "POST":
            user = _users().create(grant, _body())
            location = f"{_base(grant.account_id)}/Users/{user.id}"
            resource = _shaped(user_resource(user, location))
            return scim(resource, 201, {"Location": location, "ETag": version_tag(user.version)})
        raise _not_allowed(["GET", "POST"])
    if len(parts) == 1 and parts[0].lower() == ".search":
        if method != "POST":
            raise _not_allowed(["POST"])
        return _search(grant)
    if len(parts) != 1:
        raise ScimError(404, None, "No SCIM resource at this path")
    user_id = parts[0]
    users = _users()
    if_match = _header("If-Match")
    if method == "GET":
        user = users.get(grant, user_id)
        tag = version_tag(user.version)
        if _header("If-None-Match") in (tag, "*"):
            return Response(status=304, headers={"ETag": tag})
    elif method == "PUT":
        user = users.replace(grant, user_id, _body(), if_match)
    elif method == "PATCH":
        user = users.patch(grant, user_id, _body(), if_match)
    elif method == "DELETE":
        users.delete(grant, user_id, if_match)
        return Response(status=204)
    else:
        raise _not_allowed(["GET", "PUT", "PATCH", "DELETE"])
    location = f"{_base(grant.account_id)}/Users/{user.id}"
    return scim(_shaped(user_resource(user, location)), 200, {"ETag": version_tag(user.version)})


def _shaped(
    resource: dict[str, Any], attributes: str | None = None, excluded: str | None = None
) -> dict[str, Any]:
    if attributes is None and excluded is None:
        attributes = _query().get("attributes")
        excluded = _query().get("excludedAttributes")
    wanted, unwanted = parse_paths(attributes), parse_paths(excluded)
    if wanted and unwanted:
        raise ScimError(
            400, "invalidValue", "attributes and excludedAttributes cannot be used together"
        )
    return project(resource, wanted, unwanted)


def _list(
    grant: Grant,
    filter_text: str | None,
    start: int | None,
    count: int | None,
    attributes: str | None,
    excluded: str | None,
) -> Response:
    start = start if start is not None and start >= 1 else 1
    total, users = _users().search(grant, filter_text, start, count)
    base = _base(grant.account_id)
    resources = [
        _shaped(user_resource(u, f"{base}/Users/{u.id}"), attributes or "", excluded or "")
        for u in users
    ]
    body = {
        "schemas": [LIST_RESPONSE],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }
    return scim(body)


def _search(grant: Grant) -> Response:
    body = _body()
    schemas = body.get("schemas") if isinstance(body, dict) else None
    if not isinstance(schemas, list) or SEARCH_REQUEST not in schemas:
        raise ScimError(
            400, "invalidSyntax", f"A search body must list the schema {SEARCH_REQUEST}"
        )
    shaping: dict[str, str] = {}
    for name in ("attributes", "excludedAttributes"):
        value = body.get(name)
        if isinstance(value, list):
            shaping[name] = ",".join(str(v) for v in value)
        elif isinstance(value, str):
            shaping[name] = value
    numbers: dict[str, int | None] = {}
    for name in ("startIndex", "count"):
        value = body.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise ScimError(400, "invalidValue", f"{name} must be an integer")
        numbers[name] = value
    filter_text = body.get("filter")
    if filter_text is not None and not isinstance(filter_text, str):
        raise ScimError(400, "invalidFilter", "filter must be a string")
    return _list(
        grant,
        filter_text,
        numbers["startIndex"],
        numbers["count"],
        shaping.get("attributes"),
        shaping.get("excludedAttributes"),
    )


def _discovery(grant: Grant, head: str, parts: list[str], method: str) -> Response:
    if method != "GET":
        raise _not_allowed(["GET"])
    if "filter" in _query():
        raise ScimError(403, None, "Discovery endpoints cannot be filtered (RFC 7644 §4)")
    base = _base(grant.account_id)
    if head == "serviceproviderconfig":
        if parts:
            raise ScimError(404, None, "ServiceProviderConfig is a single resource")
        config = discovery.with_location(
            discovery.service_provider_config(),
            f"{base}/ServiceProviderConfig",
            "ServiceProviderConfig",
        )
        return scim(config)
    if head == "resourcetypes":
        documents = [
            discovery.with_location(d, f"{base}/ResourceTypes/{d['id']}", "ResourceType")
            for d in discovery.resource_types()
        ]
    else:
        documents = [
            discovery.with_location(d, f"{base}/Schemas/{d['id']}", "Schema")
            for d in discovery.schemas()
        ]
    if parts:
        wanted = "/".join(parts)
        for document in documents:
            if document["id"].lower() == wanted.lower():
                return scim(document)
        raise ScimError(404, None, f"No {head} entry '{wanted}'")
    return scim(
        {
            "schemas": [LIST_RESPONSE],
            "totalResults": len(documents),
            "startIndex": 1,
            "itemsPerPage": len(documents),
            "Resources": documents,
        }
    )

"""The Wrike admin JSON API: what an account admin does in Wrike's settings, for steps,
case files and scripts. No rule lives here."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from webguard.routes import index_document
from wrike_sp.domain.accounts import AccountAdmin, member_view
from wrike_sp.domain.sso import Sso
from wrike_sp.web.http import admin_body, admin_json, require_admin_key

blueprint = Blueprint("admin_api", __name__, url_prefix="/admin/api/v1")


def _sso() -> Sso:
    sso: Sso = current_app.extensions["wrike"].sso
    return sso


def _admin() -> AccountAdmin:
    admin: AccountAdmin = current_app.extensions["wrike"].accounts
    return admin


@blueprint.before_request
def _require_key() -> None:
    if request.endpoint != "admin_api.index":
        require_admin_key("admin API")


#: One line per endpoint for the index, with the body each write takes.
DESCRIPTIONS = {
    "create_account": 'Create an account: {"name": ..., "plan": ...}',
    "list_accounts": "Every account with its plan and approved domains",
    "get_account": "One account with its plan and approved domains",
    "set_plan": 'Change the plan: {"plan": "Enterprise Standard"} (or another Wrike plan)',
    "list_domains": "The approved domains",
    "add_domain": 'Approve a domain: {"domain": "acme.com"}',
    "remove_domain": "Remove an approved domain",
    "add_member": 'Add a member: {"email", "role": "owner|admin|regular", "password", '
    '"user_type", "first_name", "last_name", "rights": {...}}',
    "list_members": "The members with their roles and rights",
    "get_member": "One member with its role and rights",
    "update_member": 'Change role or rights: {"role": ..., "rights": '
    '{"configure_advanced_security_settings": true, "grant_revoke_admin_rights": true, '
    '"edit_names_emails_deactivate_delete_users": true}}',
    "scim_url": "The SCIM URL as the member's SCIM tab shows it (needs the security right)",
    "create_app": 'Create an API app: {"member_id", "name", "description"}',
    "list_apps": "The API apps",
    "issue_token": 'Obtain a permanent token: {"member_id", "password"} (shown once)',
    "list_tokens": "The tokens (never their values)",
    "revoke_token": "Revoke a token",
    "billing": "Ledger, billable members and paid seats per user type",
    "get_saml": "The account's SAML SSO settings, SP entity id, metadata and ACS URLs",
    "put_saml": 'Change SAML SSO: any of {"idp_metadata_xml", "mode": "off|optional|enforced", '
    '"jit": true|false}',
    "saml_attempts": "The SSO attempts at the ACS, newest first",
}


@blueprint.get("")
@blueprint.get("/")
def index() -> Response:
    """The endpoints below (``webguard.routes.index_document``: open without the key)."""
    return admin_json(
        index_document(
            current_app,
            blueprint.url_prefix or "",
            "Wrike admin API",
            "Bearer <admin key> (printed by `wrike-sp serve` and `harness "
            "up`, kept in the data folder) on every endpoint but this index",
            DESCRIPTIONS,
        )
    )


def _public_url() -> str:
    return current_app.extensions["wrike"].config.public_url or request.host_url


@blueprint.post("/accounts")
def create_account() -> Response:
    body = admin_body()
    return admin_json(_admin().create_account(body.get("name"), body.get("plan")), 201)


@blueprint.get("/accounts")
def list_accounts() -> Response:
    admin = _admin()
    return admin_json([admin.account_view(a["id"]) for a in admin.accounts()])


@blueprint.get("/accounts/<int:account_id>")
def get_account(account_id: int) -> Response:
    return admin_json(_admin().account_view(account_id))


@blueprint.put("/accounts/<int:account_id>/plan")
def set_plan(account_id: int) -> Response:
    return admin_json(_admin().set_plan(account_id, admin_body().get("plan")))


@blueprint.get("/accounts/<int:account_id>/approved-domains")
def list_domains(account_id: int) -> Response:
    return admin_json(_admin().account_view(account_id)["approved_domains"])


@blueprint.post("/accounts/<int:account_id>/approved-domains")
def add_domain(account_id: int) -> Response:
    return admin_json(_admin().add_domain(account_id, admin_body().get("domain")), 201)


@blueprint.delete("/accounts/<int:account_id>/approved-domains/<domain>")
def remove_domain(account_id: int, domain: str) -> Response:
    return admin_json(_admin().remove_domain(account_id, domain))


@blueprint.post("/accounts/<int:account_id>/members")
def add_member(account_id: int) -> Response:
    return admin_json(_admin().add_member(account_id, admin_body()), 201)


@blueprint.get("/accounts/<int:account_id>/members")
def list_members(account_id: int) -> Response:
    return admin_json(_admin().members(account_id))


@blueprint.get("/accounts/<int:account_id>/members/<member_id>")
def get_member(account_id: int, member_id: str) -> Response:
    return admin_json(member_view(_admin().member(account_id, member_id)))


@blueprint.patch("/accounts/<int:account_id>/members/<member_id>")
def update_member(account_id: int, member_id: str) -> Response:
    return admin_json(_admin().update_member(account_id, member_id, admin_body()))


@blueprint.get("/accounts/<int:account_id>/members/<member_id>/scim-url")
def scim_url(account_id: int, member_id: str) -> Response:
    return admin_json({"scim_url": _admin().scim_url(account_id, member_id, _public_url())})


@blueprint.post("/accounts/<int:account_id>/api-apps")
def create_app(account_id: int) -> Response:
    body = admin_body()
    app = _admin().create_app(
        account_id, str(body.get("member_id")), body.get("name"), body.get("description")
    )
    return admin_json(app, 201)


@blueprint.get("/accounts/<int:account_id>/api-apps")
def list_apps(account_id: int) -> Response:
    admin = _admin()
    admin.account_view(account_id)
    return admin_json(admin.apps(account_id))


@blueprint.post("/accounts/<int:account_id>/api-apps/<int:app_id>/tokens")
def issue_token(account_id: int, app_id: int) -> Response:
    body = admin_body()
    token = _admin().issue_token(
        account_id, app_id, str(body.get("member_id")), body.get("password")
    )
    response = admin_json(token, 201)
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/accounts/<int:account_id>/tokens")
def list_tokens(account_id: int) -> Response:
    return admin_json(_admin().tokens(account_id))


@blueprint.delete("/accounts/<int:account_id>/tokens/<int:token_id>")
def revoke_token(account_id: int, token_id: int) -> Response:
    _admin().revoke_token(account_id, token_id)
    return Response(status=204)


@blueprint.get("/accounts/<int:account_id>/billing")
def billing(account_id: int) -> Response:
    return admin_json(_admin().billing(account_id))


@blueprint.get("/accounts/<int:account_id>/saml")
def get_saml(account_id: int) -> Response:
    return admin_json(_sso().view(account_id, _public_url()))


@blueprint.put("/accounts/<int:account_id>/saml")
def put_saml(account_id: int) -> Response:
    return admin_json(_sso().update(account_id, admin_body(), _public_url()))


@blueprint.get("/accounts/<int:account_id>/saml/attempts")
def saml_attempts(account_id: int) -> Response:
    return admin_json(_sso().attempts(account_id))

"""Given steps: the Wrike account, the Wrike app in OneLogin, and the OneLogin directory, in
the words of features/STEPS.md. Sentences used both as precondition and action are registered
for Given and When here."""

from __future__ import annotations

from pytest_bdd import given, when

from harness import vocabulary as v
from harness.bdd.step_types import parse, table
from harness.bdd.world import BOTH_UPDATE_METHODS, World
from harness.drivers import people

# Against an external endpoint the account's set-up Givens describe the external account and
# are taken as given (STEPS.md); World.admin is the reference provider's admin driver, None
# there. Everything else Wrike-side needs the reference provider (World.reference).

# -- Wrike account set-up ---------------------------------------------------------------------


@given(parse('a Wrike account on the "{plan}" plan'))
def _(world: World, plan: str) -> None:
    if world.admin:
        world.admin.create_account(plan)


@given(parse('the Wrike account is moved to the "{plan}" plan'))
def _(world: World, plan: str) -> None:
    if world.admin:
        world.admin.move_to_plan(plan)


@given(parse('"{domain}" is an approved domain in Wrike'))
def _(world: World, domain: str) -> None:
    if world.admin:
        world.admin.approve_domain(domain)


@given(parse('a Wrike admin "{member}" with the rights "{right}" and "{other_right}"'))
def _(world: World, member: str, right: str, other_right: str) -> None:
    if world.admin:
        world.admin.add_member(member, "admin", [right, other_right])


@given(parse('a Wrike admin "{member}" with only the right "{right}"'))
def _(world: World, member: str, right: str) -> None:
    if world.admin:
        world.admin.add_member(member, "admin", [right])


@given(parse('a Wrike admin "{member}" without the right "{right}"'))
def _(world: World, member: str, right: str) -> None:
    # Every right but this one (including those Wrike grants every new admin).
    if world.admin:
        world.admin.add_member(
            member, "admin", [r for r in v.ALL_RIGHTS if r != right], withheld=[right]
        )


@given(parse('the Wrike admin "{member}" no longer holds the right "{right}"'))
@when(parse('the Wrike admin "{member}" no longer holds the right "{right}"'))
def _(world: World, member: str, right: str) -> None:
    world.reference("Changing a Wrike admin's rights").withdraw_right(member, right)


@given(parse('a Wrike member "{member}" without admin rights'))
def _(world: World, member: str) -> None:
    if world.admin:
        world.admin.add_member(member, "regular", [])


@given(parse('the token issued by "{member}" has been revoked in Wrike'))
def _(world: World, member: str) -> None:
    world.reference("Revoking a token").revoke_integration_token(member)


@given(parse('Wrike already has an active user "{email}"'))
def _(world: World, email: str) -> None:
    world.reference("Creating a user in Wrike itself").add_existing_user(email)


@given(parse('"{email}" is a Wrike account admin'))
def _(world: World, email: str) -> None:
    world.reference("Making a Wrike account admin").make_account_admin(email)


@given(parse('the Wrike admin fills in "{attribute}" of "{email}" with "{value}"'))
def _(world: World, attribute: str, email: str, value: str) -> None:
    # Through SCIM on every target: what Wrike then keeps is the scenario's question.
    world.wrike.fill_in(email, attribute, value)


@given(parse('the Wrike admin deletes "{email}" in Wrike'))
def _(world: World, email: str) -> None:
    world.reference("Deleting a user in Wrike itself").delete_in_wrike(email)


@given(parse('Wrike fails every SCIM request with "{fault}"'))
def _(world: World, fault: str) -> None:
    world.reference("Injecting faults").fail_every_request(fault)


# -- OneLogin configuration (the Wrike app) ---------------------------------------------------


@given(
    parse(
        "the Wrike app in OneLogin is configured with the account's SCIM URL and a token "
        'issued by "{member}"'
    )
)
def _(world: World, member: str) -> None:
    world.configure_onelogin(
        world.wrike.scim_url(), world.wrike.integration_token(member), enable=True
    )


@given(
    parse(
        "the Wrike app in OneLogin is configured with the account's SCIM URL and a token "
        'issued by "{member}" but API status was never enabled'
    )
)
def _(world: World, member: str) -> None:
    world.configure_onelogin(
        world.wrike.scim_url(), world.wrike.integration_token(member), enable=False
    )


@given("the Wrike app in OneLogin is configured with the account's SCIM URL and a wrong token")
def _(world: World) -> None:
    world.configure_onelogin(world.wrike.scim_url(), people.bogus_token(), enable=True)


@given(
    parse(
        "the Wrike app in OneLogin is configured with a wrong SCIM URL and a token issued "
        'by "{member}"'
    )
)
def _(world: World, member: str) -> None:
    world.configure_onelogin(
        world.wrike.wrong_scim_url(), world.wrike.integration_token(member), enable=True
    )


@given("provisioning is enabled for the Wrike app")
def _(world: World) -> None:
    world.onelogin.set_provisioning(enabled=True)


@given("provisioning is disabled for the Wrike app")
def _(world: World) -> None:
    world.onelogin.set_provisioning(enabled=False)


@given(parse("the Wrike app requires admin approval to {task:Task}"))
def _(world: World, task: str) -> None:
    world.onelogin.require_approval(task)


@given("the Wrike app requires no admin approval")
def _(world: World) -> None:
    world.onelogin.require_approval(None)


@given(parse('the deprovision action is "{action}"'))
def _(world: World, action: str) -> None:
    world.onelogin.set_provisioning(on_delete=action)


@given(parse('the suspension action is "{action}"'))
def _(world: World, action: str) -> None:
    world.onelogin.set_provisioning(on_suspend=action)


@given(parse('the Wrike app sends user updates as "{method}"'))
def _(world: World, method: str, update_method: str | None) -> None:
    if method not in v.UPDATE_METHODS:
        raise ValueError(f"the update method is one of {v.UPDATE_METHODS}, not {method!r}")
    if update_method is not None:
        raise ValueError(
            f"this scenario is tagged @{BOTH_UPDATE_METHODS}, which runs it with each update "
            "method; drop the tag or this step"
        )
    world.onelogin.set_provisioning(update_method=method.lower())


# -- OneLogin directory -----------------------------------------------------------------------


@given(parse('a OneLogin user "{email}"'))
def _(world: World, email: str) -> None:
    world.create_onelogin_user(email)


@given(parse('a OneLogin user "{email}" created without a password'))
def _(world: World, email: str) -> None:
    world.create_onelogin_user(email, without_password=True)


@given('the SCIM JSON Template of the Wrike app also sends "active": "{$user.active}"')
def _(world: World) -> None:
    world.onelogin.template_with("active", "{$user.active}")


@given(parse('a OneLogin user "{email}" with these attributes:'))
def _(world: World, email: str, datatable: list[list[str]]) -> None:
    world.create_onelogin_user(email, {row["attribute"]: row["value"] for row in table(datatable)})


@given(parse('these OneLogin users are assigned the Wrike app through the role "{role}":'))
def _(world: World, role: str, datatable: list[list[str]]) -> None:
    world.onelogin.add_app_to_role(role)
    for row in table(datatable):
        user_type = row[v.USER_TYPE]
        world.create_onelogin_user(row["email"], {v.USER_TYPE: user_type} if user_type else {})
        world.onelogin.add_to_role(row["email"], role)


@given(parse('"{email}" is in the OneLogin role "{role}"'))
def _(world: World, email: str, role: str) -> None:
    world.onelogin.add_to_role(email, role)


@given(parse('"{email}" is assigned the Wrike app through the role "{role}"'))
@when(parse('"{email}" is assigned the Wrike app through the role "{role}"'))
def _(world: World, email: str, role: str) -> None:
    world.onelogin.add_app_to_role(role)
    world.onelogin.add_to_role(email, role)


@given(parse('"{email}" is assigned the Wrike app directly'))
@when(parse('"{email}" is assigned the Wrike app directly'))
def _(world: World, email: str) -> None:
    world.onelogin.add_direct_login(email)


@given(parse('"{email}" is removed from the role "{role}"'))
@when(parse('"{email}" is removed from the role "{role}"'))
def _(world: World, email: str, role: str) -> None:
    world.onelogin.remove_from_role(email, role)


@given(parse('"{email}" is suspended in OneLogin'))
@when(parse('"{email}" is suspended in OneLogin'))
def _(world: World, email: str) -> None:
    world.onelogin.set_status(email, v.ONELOGIN_SUSPENDED)


# -- OneLogin approvals -----------------------------------------------------------------------


@given(parse('the OneLogin admin approves the pending {task:Task} task for "{email}"'))
@when(parse('the OneLogin admin approves the pending {task:Task} task for "{email}"'))
def _(world: World, task: str, email: str) -> None:
    world.onelogin.decide(email, task, "approve")


# -- SAML SSO (docs/sso.md) -------------------------------------------------------------------


@given(parse('SAML SSO through the Wrike app in OneLogin is set up in Wrike in "{mode}" mode'))
def _(world: World, mode: str) -> None:
    if mode not in v.SSO_MODES[1:]:
        raise ValueError(f"the SSO mode is one of {v.SSO_MODES[1:]}, not {mode!r}")
    world.set_up_sso(mode)


@given(parse('Wrike\'s SSO mode is "{mode}"'))
def _(world: World, mode: str) -> None:
    if mode not in v.SSO_MODES:
        raise ValueError(f"the SSO mode is one of {v.SSO_MODES}, not {mode!r}")
    world.reference("Wrike's SSO settings").set_saml(mode=mode)


@given("just-in-time provisioning is on in Wrike")
def _(world: World) -> None:
    world.reference("Wrike's SSO settings").set_saml(jit=True)


@given(parse("OneLogin's clock is \"{minutes}\" minutes behind Wrike's"))
def _(world: World, minutes: str) -> None:
    world.onelogin.set_saml(clock_offset_seconds=-60 * int(minutes))


@given(parse("OneLogin's clock is \"{minutes}\" minutes ahead of Wrike's"))
def _(world: World, minutes: str) -> None:
    world.onelogin.set_saml(clock_offset_seconds=60 * int(minutes))


@given(parse('the SAML audience of the Wrike app in OneLogin is "{audience}"'))
def _(world: World, audience: str) -> None:
    world.onelogin.set_saml(audience=audience)


@given("the OneLogin admin rotates the signing certificate of the Wrike app")
@when("the OneLogin admin rotates the signing certificate of the Wrike app")
def _(world: World) -> None:
    world.onelogin.rotate_certificate()


@given(parse('the Wrike admin deactivates "{email}" in Wrike'))
def _(world: World, email: str) -> None:
    world.reference("Deactivating a user in Wrike itself").deactivate_in_wrike(email)


@given(parse('the Wrike admin removes "{domain}" from the approved domains'))
@when(parse('the Wrike admin removes "{domain}" from the approved domains'))
def _(world: World, domain: str) -> None:
    world.reference("Removing an approved domain").remove_domain(domain)

"""When steps: what a Wrike admin and the OneLogin admin do, in the words of
features/STEPS.md. (Sentences that are also Givens live in harness/bdd/given.py.)"""

from __future__ import annotations

from pytest_bdd import when

from harness import vocabulary as v
from harness.bdd.step_types import parse
from harness.bdd.world import World

# -- Wrike ------------------------------------------------------------------------------------


@when("Wrike recovers")
def _(world: World) -> None:
    world.reference("Injecting faults").recover()


@when(parse('"{member}" opens the SCIM tab of the OneLogin integration in Wrike'))
def _(world: World, member: str) -> None:
    url, _page = world.reference("The SCIM tab").open_scim_tab(member)
    world.seen_scim_urls[member] = url


@when(parse('"{member}" creates the API app "{app}"'))
def _(world: World, member: str, app: str) -> None:
    world.reference("Creating an API app").create_api_app(member, app)


def _obtain_token(world: World, member: str, app: str, correct_password: bool) -> None:
    attempt = world.reference("Obtaining a token").obtain_token(
        member, app, correct_password=correct_password
    )
    world.last_token_attempt = attempt
    if attempt.token:
        world.shown_tokens[member] = attempt.token


@when(parse('"{member}" obtains a token for the API app "{app}" with the correct password'))
def _(world: World, member: str, app: str) -> None:
    _obtain_token(world, member, app, correct_password=True)


@when(parse('"{member}" obtains a token for the API app "{app}" with a wrong password'))
def _(world: World, member: str, app: str) -> None:
    _obtain_token(world, member, app, correct_password=False)


@when(parse('"{member}" opens the API app "{app}" again'))
def _(world: World, member: str, app: str) -> None:
    world.last_api_app_page = world.reference("The API app page").api_app_page(member, app)


# -- OneLogin configuration -------------------------------------------------------------------


@when(
    parse(
        'the OneLogin admin saves the SCIM URL and the token shown to "{member}" in the Wrike app'
    )
)
def _(world: World, member: str) -> None:
    url = world.seen_scim_urls.get(member)
    token = world.shown_tokens.get(member)
    assert url, f"{member} was shown no SCIM URL to copy (SCIM tab: {world.seen_scim_urls})"
    assert token, f"{member} was shown no token to copy"
    world.configure_onelogin(url, token, enable=False)


@when("the OneLogin admin enables the API connection of the Wrike app")
def _(world: World) -> None:
    world.onelogin.enable_api_connection()


@when("the OneLogin admin enables provisioning for the Wrike app and saves")
def _(world: World) -> None:
    world.onelogin.set_provisioning(enabled=True)


# -- OneLogin directory -----------------------------------------------------------------------


@when(parse('the Wrike app is added to the role "{role}"'))
def _(world: World, role: str) -> None:
    world.onelogin.add_app_to_role(role)


@when(parse('the Wrike app is removed from the role "{role}"'))
def _(world: World, role: str) -> None:
    world.onelogin.remove_app_from_role(role)


@when(parse('the direct Wrike app login of "{email}" is removed'))
def _(world: World, email: str) -> None:
    world.onelogin.remove_direct_login(email)


@when(parse('the OneLogin admin changes "{attribute}" of "{email}" to "{value}"'))
def _(world: World, attribute: str, email: str, value: str) -> None:
    world.onelogin.change(email, attribute, value)


@when(parse('"{email}" is deleted in OneLogin'))
def _(world: World, email: str) -> None:
    world.onelogin.delete_user(email)


@when(parse('"{email}" is reactivated in OneLogin'))
def _(world: World, email: str) -> None:
    world.onelogin.set_status(email, v.ONELOGIN_ACTIVE)


# -- OneLogin approvals and retries -----------------------------------------------------------


@when(parse('the OneLogin admin denies the pending {task:Task} task for "{email}"'))
def _(world: World, task: str, email: str) -> None:
    world.onelogin.decide(email, task, "deny")


@when(parse('the OneLogin admin retries the failed task for "{email}"'))
def _(world: World, email: str) -> None:
    world.onelogin.retry_failed(email)


# -- SAML SSO (docs/sso.md) -------------------------------------------------------------------


@when("the Wrike admin pastes the current IdP metadata of the Wrike app into Wrike")
def _(world: World) -> None:
    world.paste_idp_metadata()


@when(parse('"{email}" logs in to Wrike through SSO'))
def _(world: World, email: str) -> None:
    world.sso_login(email, from_portal=False)


@when(parse('"{email}" opens Wrike from the OneLogin portal'))
def _(world: World, email: str) -> None:
    world.sso_login(email, from_portal=True)


@when(parse('"{member}" logs in to Wrike with a password'))
def _(world: World, member: str) -> None:
    world.password_login(member)


@when(parse('"{member}" opens the SSO settings in Wrike'))
def _(world: World, member: str) -> None:
    world.open_sso_settings(member)

"""A person's way through the SSO pages, over real HTTP with a ``requests`` session: read the
page, fill its form as a person would (the email or username box, the password box, the
hidden fields as they came), press its button. It knows the pages only by what any browser
sees, so it stops at the auto-posting form the IdP answers with and hands back its fields
(the ``SAMLResponse``) instead of posting them on: the tests decide where they go."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

import requests
from lxml import html


@dataclass(frozen=True)
class Form:
    action: str
    method: str
    fields: dict[str, str]
    password_field: str | None
    login_field: str | None


def forms(answer: requests.Response) -> list[Form]:
    """Every form of a page, with its action made absolute and its fields' values."""
    page = html.fromstring(answer.content)
    found = []
    for form in page.forms:
        fields: dict[str, str] = {}
        password = login = None
        for element in form.inputs:
            name = element.get("name")
            if not name:
                continue
            kind = (element.get("type") or "text").lower()
            if kind in ("submit", "button", "checkbox", "radio"):
                continue
            fields[name] = element.get("value") or ""
            if kind == "password" and password is None:
                password = name
            elif kind in ("text", "email") and login is None:
                login = name
        found.append(
            Form(
                urljoin(answer.url, form.get("action") or answer.url),
                (form.get("method") or "get").lower(),
                fields,
                password,
                login,
            )
        )
    return found


def saml_post(answer: requests.Response) -> Form | None:
    """The auto-posting form of a SAML answer (HTTP-POST binding), if this page is one."""
    for form in forms(answer):
        if "SAMLResponse" in form.fields:
            return form
    return None


def sign_in(
    session: requests.Session, answer: requests.Response, login: str, password: str
) -> requests.Response:
    """Fill the page's login form (the one with a password box) and submit it."""
    for form in forms(answer):
        if form.password_field is not None:
            fields = dict(form.fields)
            if form.login_field is not None:
                fields[form.login_field] = login
            fields[form.password_field] = password
            return session.post(form.action, data=fields, timeout=10)
    raise AssertionError(
        f"no login form at {answer.url} ({answer.status_code}): {answer.text[:500]}"
    )


def post_form(session: requests.Session, form: Form) -> requests.Response:
    if form.method == "post":
        return session.post(form.action, data=form.fields, timeout=10)
    return session.get(form.action, params=form.fields, timeout=10)


def sp_initiated(
    session: requests.Session, wrike_url: str, account_id: int | str, email: str, password: str
) -> tuple[requests.Response, Form]:
    """Wrike's SSO start for ``email`` -> OneLogin -> (its login page, when not signed in
    there) -> the auto-posting form. Returns OneLogin's last answer and that form."""
    answer = session.get(
        f"{wrike_url}/saml/{account_id}/login", params={"email": email}, timeout=10
    )
    posted = saml_post(answer)
    if posted is None:
        answer = sign_in(session, answer, email, password)
        posted = saml_post(answer)
    assert posted is not None, f"no SAML answer: {answer.status_code} {answer.text[:800]}"
    return answer, posted

"""Log in and log out: the one screen open without a login, where the admin's session
starts (a fresh one) and ends."""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import urlsplit

from flask import flash, redirect, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from mock_onelogin.web.console import PREFIX, bp
from mock_onelogin.web.console._session import _ADMIN, _account, _back, _page, log


def _safe_next(target: str | None) -> str:
    """Only a console path on this site, so the login cannot be used as an open redirect."""
    if target and target.startswith(PREFIX + "/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("onelogin_pages.users")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    next_url = request.values.get("next")
    if request.method == "GET":
        return _page("login.html", email="", next=next_url)
    config = _account().config
    email = request.form.get("email", "").strip().lower()
    password = request.form.get("password", "")
    if not config.console_admin_password:
        return _page(
            "login.html",
            403,
            email=email,
            next=next_url,
            error="The console has no admin password configured "
            "(OneLoginConfig.console_admin_password).",
        )
    email_ok = hmac.compare_digest(email.encode(), config.console_admin_email.lower().encode())
    password_ok = hmac.compare_digest(password.encode(), config.console_admin_password.encode())
    if not (email_ok and password_ok):
        return _page(
            "login.html",
            401,
            email=email,
            next=next_url,
            error="The email or password is not correct.",
        )
    # A fresh session on login: nothing from before it (CSRF token included) survives.
    session.clear()
    session[_ADMIN] = email
    log.info("console admin logged in")
    return redirect(_safe_next(next_url))


@bp.post("/logout")
def logout() -> BaseResponse:
    session.clear()
    flash("You are logged out.")
    return _back("onelogin_pages.login")


@bp.get("/")
def home() -> BaseResponse:
    return _back("onelogin_pages.users")

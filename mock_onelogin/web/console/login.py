"""Log in and log out: the one screen open without a login, where the admin's session
starts (a fresh one) and ends."""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import urlsplit

from flask import Response, flash, redirect, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from mock_onelogin.domain.signin import Throttled
from mock_onelogin.web.console import PREFIX, bp
from mock_onelogin.web.console._session import (
    _SESSION_ID,
    _account,
    _back,
    _page,
    _sessions,
    _throttle,
    log,
)


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
    throttle, client = _throttle(), request.remote_addr or "unknown"
    with throttle.attempt(email):
        try:
            throttle.check(email, client)
        except Throttled as refusal:
            body, status = _page(
                "login.html",
                429,
                email=email,
                next=next_url,
                error="Too many failed logins with this email or from this address. "
                f"Try again in {max(1, -(-refusal.retry_after // 60))} minutes.",
            )
            return Response(body, status, headers={"Retry-After": str(refusal.retry_after)})
        email_ok = hmac.compare_digest(email.encode(), config.console_admin_email.lower().encode())
        password_ok = hmac.compare_digest(password.encode(), config.console_admin_password.encode())
        throttle.record(email, client, success=email_ok and password_ok)
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
    session[_SESSION_ID] = _sessions().open(email)
    log.info("console admin logged in")
    return redirect(_safe_next(next_url))


@bp.post("/logout")
def logout() -> BaseResponse:
    """Ends the session on the server: a copy of the old cookie no longer opens the console."""
    _sessions().end(session.get(_SESSION_ID))
    session.clear()
    flash("You are logged out.")
    return _back("onelogin_pages.login")


@bp.get("/")
def home() -> BaseResponse:
    return _back("onelogin_pages.users")

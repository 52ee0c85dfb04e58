"""The OneLogin admin console pages: Users, Roles, Applications > Wrike (Configuration,
Provisioning, SSO, Users with the approval queue) and Activity > Events, rendered on the server
with OneLogin's own labels so a support engineer recognises each screen.

Every change goes through :class:`OneLoginAccount`, the same operations the APIs use, so the
pages can never disagree with the API about a rule. What this package adds is only what a
browser needs: a console login, a CSRF token on every form, refusals shown in the page, and
the SCIM Bearer Token kept masked in every page.

One blueprint, ``onelogin_pages``, serves every screen, so each endpoint keeps one name
(``onelogin_pages.users``...). ``_session`` holds what all screens share (session cookie,
login guard, CSRF, headers, error pages, template filters); each other module is one screen.
The templates and static files are the ``web`` package's, shared with nothing else.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

PREFIX = "/admin"
_WEB = Path(__file__).resolve().parent.parent
bp = Blueprint(
    "onelogin_pages",
    __name__,
    url_prefix=PREFIX,
    template_folder=_WEB / "templates",
    static_folder=_WEB / "static",
    static_url_path="/static",
)

# The screens attach their routes to ``bp`` as they are imported, so they must come after it
# (Flask's "Larger Applications" pattern); ``_session`` first, for its hooks.
from mock_onelogin.web.console import (  # noqa: E402, F401
    _session,
    app_users,
    apps,
    confirm,
    events,
    live,
    login,
    mappings,
    roles,
    sso,
    user,
    users,
)

__all__ = ["PREFIX", "bp"]

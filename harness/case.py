"""Support case files: a customer's set-up and what happened, written down so it can be
replayed (``harness repro``) and turned into a regression scenario (``--export-feature``).

The format is documented in docs/case-files.md. Everything is validated before anything
runs, and every problem names the file, the line and the field, so a case never fails
half-way through its timeline because of a typo. The actions and the fields each takes are
harness/actions.py's table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness import vocabulary as v
from harness.actions import ACTIONS
from harness.case_model import (
    Case,
    CaseMapping,
    Check,
    Expectations,
    MappingCondition,
    OneLoginSetup,
    OneLoginUser,
    Step,
    UserExpectation,
    WrikeAdmin,
    WrikeSetup,
    WrikeUser,
)
from harness.diagnosis import CAUSES
from harness.drivers import people
from harness.validation import P, Validator, kind, suggest
from harness.yamlines import YamlProblem, load
from mock_onelogin.domain import mappings as onelogin_mappings
from mock_onelogin.domain import modelling as onelogin_modelling

#: The attributes a case's user mapping may test, and the condition source each one is in
#: OneLogin's mappings API (the phone number is not a condition source).
MAPPING_ATTRIBUTES: dict[str, str] = {
    name: (
        onelogin_mappings.custom_source(field_.split(":", 1)[1])
        if field_.startswith("custom:")
        else field_
    )
    for name, field_ in v.ONELOGIN_ATTRIBUTES.items()
    if field_.startswith("custom:") or field_ in onelogin_mappings.TEXT_SOURCES
}
#: A condition's operator by its label (``is``, ``contains``, ...), as OneLogin's API names it.
MAPPING_OPERATORS: dict[str, str] = {
    label: op for op, label in onelogin_modelling.MAPPING_TEXT_OPERATORS.items()
}

__all__ = [
    "Case",
    "CaseFileError",
    "Check",
    "Expectations",
    "OneLoginSetup",
    "OneLoginUser",
    "Step",
    "UserExpectation",
    "WrikeAdmin",
    "WrikeSetup",
    "WrikeUser",
    "load_case",
    "parse_case",
]

DEFAULT_ADMIN = "Wanda Admin"
DEFAULT_DOMAIN = people.DEFAULT_DOMAIN


class CaseFileError(Exception):
    """Every problem found in a case file, each as ``file:line: field: message``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


USER_CHECKS = (
    "wrike",
    "wrike_type",
    "wrike_attributes",
    "billable",
    "provisioning_state",
    "events",
    "no_events",
    "no_provisioning_attempt",
    "error_mentions",
    "pending_task",
    "diagnosis",
    "sso",
)


# -- loading -------------------------------------------------------------------------------


def load_case(path: str | Path) -> Case:
    """Read, validate and return a case; raise :class:`CaseFileError` listing every problem."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise CaseFileError([f"{name}: cannot read the case file: {error.strerror}"]) from error
    return parse_case(text, name)


def parse_case(text: str, name: str = "case.yaml") -> Case:
    try:
        located = load(text)
    except YamlProblem as problem:
        raise CaseFileError([f"{name}:{problem.line}: {problem.message}"]) from problem
    return _CaseValidator(located, name).case()


class _CaseValidator(Validator):
    """The sections of a case file, in the order a reader meets them."""

    # sections ----------------------------------------------------------------------------
    def case(self) -> Case:
        root = self.doc.data
        if not isinstance(root, dict):
            self.problems.append(
                f"{self.name}:1: the case file must be a mapping with at "
                "least `case:` (a title) and `timeline:`"
            )
            raise CaseFileError(self.problems)
        top = self.mapping(
            root,
            (),
            ("case", "description", "seed", "wrike", "onelogin", "timeline", "expect"),
        )
        title = self.text(top.get("case"), ("case",)) if "case" in top else None
        if "case" not in top:
            self.problem((), "missing field 'case' (a one-line title of the support case)")
        description = top.get("description") or ""
        if not isinstance(description, str):
            self.problem(("description",), f"expected text, got {kind(description)}")
            description = ""
        seed = people.SEED
        if "seed" in top:
            counted = self.count(top["seed"], ("seed",), minimum=0)
            seed = seed if counted is None else counted
        wrike = self.wrike(top.get("wrike"))
        onelogin = self.onelogin(top.get("onelogin"), wrike)
        timeline = self.timeline(top.get("timeline"), wrike, onelogin)
        expect = self.expect(top.get("expect"), onelogin)
        if self.problems:
            raise CaseFileError(self.sorted_problems())
        return Case(
            self.name,
            title or "",
            description.strip(),
            wrike,
            onelogin,
            timeline,
            expect,
            frozenset(self.explicit),
            seed,
        )

    def wrike(self, value: Any) -> WrikeSetup:
        path: P = ("wrike",)
        data = self.mapping(value, path, ("plan", "approved_domains", "admins", "users"))
        self.explicit.update(f"wrike.{k}" for k in data)
        plan = "Enterprise Standard"
        if "plan" in data:
            plan = self.choice(data["plan"], (*path, "plan"), v.PLANS, "plan") or plan
        domains: list[str] = []
        if "approved_domains" in data:
            for i, item in enumerate(
                self.seq(data["approved_domains"], (*path, "approved_domains"))
            ):
                text = self.text(item, (*path, "approved_domains", i))
                if text:
                    domains.append(text.lower())
        else:
            domains = [DEFAULT_DOMAIN]
        admin_domain = domains[0] if domains else DEFAULT_DOMAIN
        admins: list[WrikeAdmin] = []
        if "admins" in data:
            for i, item in enumerate(self.seq(data["admins"], (*path, "admins"))):
                at = (*path, "admins", i)
                entry = self.mapping(
                    item, at, ("name", "rights", "without_rights", "admin", "email")
                )
                name = self.text(entry.get("name"), (*at, "name"))
                rights: set[str] = set()
                for j, right in enumerate(
                    self.seq(entry.get("rights", list(v.RIGHTS)), (*at, "rights"))
                ):
                    chosen = self.choice(right, (*at, "rights", j), v.ALL_RIGHTS, "right")
                    if chosen in v.RIGHTS:
                        rights.add(chosen)
                # Wrike grants every new admin the default rights; a case withholds them.
                withheld: set[str] = set()
                for j, right in enumerate(
                    self.seq(entry.get("without_rights"), (*at, "without_rights"))
                ):
                    chosen = self.choice(
                        right, (*at, "without_rights", j), v.DEFAULT_RIGHTS, "withheld right"
                    )
                    if chosen and chosen in entry.get("rights", ()):
                        self.problem(
                            (*at, "without_rights", j),
                            f"{chosen!r} is listed in `rights` too; drop it from one of them",
                        )
                    elif chosen:
                        withheld.add(chosen)
                is_admin = True
                if "admin" in entry:
                    is_admin = bool(self.flag(entry["admin"], (*at, "admin")))
                    if not is_admin and rights and "rights" in entry:
                        self.problem(
                            (*at, "rights"),
                            "a member without admin rights holds "
                            "no rights; drop `rights` or `admin`",
                        )
                if not is_admin and withheld:
                    self.problem(
                        (*at, "without_rights"),
                        "a member without admin rights holds no rights; drop `without_rights`",
                    )
                if not is_admin:
                    rights, withheld = set(), set()
                if i == 0 and not is_admin:
                    self.problem(
                        (*at, "admin"), "the first entry is the account owner and must be an admin"
                    )
                if name:
                    admin_email = (
                        self.email(entry["email"], (*at, "email")) if "email" in entry else None
                    ) or people.member_email(name, admin_domain)
                    if any(a.name == name for a in admins):
                        self.problem((*at, "name"), f"admin {name!r} is listed twice")
                    admins.append(
                        WrikeAdmin(
                            name, admin_email, frozenset(rights), is_admin, frozenset(withheld)
                        )
                    )
            if not admins:
                self.problem(
                    (*path, "admins"), "the Wrike account needs at least one admin (its owner)"
                )
        else:
            admins = [
                WrikeAdmin(
                    DEFAULT_ADMIN,
                    people.member_email(DEFAULT_ADMIN, admin_domain),
                    frozenset(v.RIGHTS),
                )
            ]
        users: list[WrikeUser] = []
        for i, item in enumerate(self.seq(data.get("users"), (*path, "users"))):
            at = (*path, "users", i)
            entry = self.mapping(item, at, ("email", "admin", "attributes"))
            email = self.email(entry.get("email"), (*at, "email"))
            admin = bool(self.flag(entry["admin"], (*at, "admin"))) if "admin" in entry else False
            attributes = self.attributes(
                entry.get("attributes"), (*at, "attributes"), v.WRIKE_ATTRIBUTES
            )
            if email:
                users.append(WrikeUser(email, admin, attributes))
        return WrikeSetup(plan, tuple(domains), tuple(admins), tuple(users))

    def onelogin(self, value: Any, wrike: WrikeSetup) -> OneLoginSetup:
        path: P = ("onelogin",)
        data = self.mapping(
            value,
            path,
            (
                "scim_url",
                "token",
                "provisioning",
                "require_approval",
                "deprovision_action",
                "suspension_action",
                "update_method",
                "api_connection",
                "users",
                "mappings",
            ),
        )
        self.explicit.update(f"onelogin.{k}" for k in data)
        scim_url = "account"
        if "scim_url" in data:
            scim_url = (
                self.choice(data["scim_url"], (*path, "scim_url"), v.SCIM_URL_CHOICES, "SCIM URL")
                or scim_url
            )
        token = wrike.admins[0].name if wrike.admins else DEFAULT_ADMIN
        if "token" in data:
            token = self.token(data["token"], (*path, "token"), wrike) or token
        provisioning = True
        if "provisioning" in data:
            provisioning = (
                self.choice(
                    data["provisioning"],
                    (*path, "provisioning"),
                    ("enabled", "disabled"),
                    "setting",
                )
                != "disabled"
            )
        approvals: list[str] = []
        for i, item in enumerate(
            self.seq(data.get("require_approval"), (*path, "require_approval"))
        ):
            task = self.choice(item, (*path, "require_approval", i), v.TASKS, "task")
            if task and task not in approvals:
                approvals.append(task)
        deprovision = suspension = method = None
        if "deprovision_action" in data:
            deprovision = self.choice(
                data["deprovision_action"],
                (*path, "deprovision_action"),
                v.DEPROVISION_ACTIONS,
                "deprovision action",
            )
        if "suspension_action" in data:
            suspension = self.choice(
                data["suspension_action"],
                (*path, "suspension_action"),
                v.SUSPENSION_ACTIONS,
                "suspension action",
            )
        if "update_method" in data:
            method = self.choice(
                data["update_method"], (*path, "update_method"), v.UPDATE_METHODS, "update method"
            )
        api_connection_enabled = True
        if "api_connection" in data:
            api_connection_enabled = (
                self.choice(
                    data["api_connection"],
                    (*path, "api_connection"),
                    ("enabled", "never enabled"),
                    "API connection",
                )
                != "never enabled"
            )
        users: list[OneLoginUser] = []
        seen: set[str] = set()
        for i, item in enumerate(self.seq(data.get("users"), (*path, "users"))):
            at = (*path, "users", i)
            entry = self.mapping(item, at, ("email", "attributes", "roles"))
            email = self.email(entry.get("email"), (*at, "email"))
            attributes = self.attributes(
                entry.get("attributes"), (*at, "attributes"), v.ONELOGIN_ATTRIBUTES
            )
            named = [a for a in v.EMAIL_ATTRIBUTES if a in attributes]
            if named:
                key = named[0]
                self.problem(
                    (*at, "attributes", key),
                    "the user's email is its username "
                    "and primary email; change it with a `change` action instead",
                )
            roles = [
                r
                for j, r in enumerate(self.seq(entry.get("roles"), (*at, "roles")))
                if self.text(r, (*at, "roles", j))
            ]
            if email:
                if email in seen:
                    self.problem((*at, "email"), f"{email} is listed twice")
                seen.add(email)
                users.append(OneLoginUser(email, attributes, tuple(r.strip() for r in roles)))
        return OneLoginSetup(
            scim_url,
            token,
            provisioning,
            tuple(approvals),
            deprovision,
            suspension,
            method,
            tuple(users),
            self.mappings(data.get("mappings"), (*path, "mappings")),
            api_connection_enabled,
        )

    def mappings(self, value: Any, path: P) -> tuple[CaseMapping, ...]:
        """``onelogin.mappings``: user mappings that add a role holding the Wrike app."""
        out: list[CaseMapping] = []
        names: set[str] = set()
        for i, item in enumerate(self.seq(value, path)):
            at = (*path, i)
            entry = self.mapping(item, at, ("name", "match", "conditions", "role", "enabled"))
            name = self.text(entry.get("name"), (*at, "name"))
            if "name" not in entry:
                self.problem(at, "missing field 'name' (the mapping's name)")
            role = self.text(entry.get("role"), (*at, "role"))
            if "role" not in entry:
                self.problem(at, "missing field 'role' (the role the mapping adds)")
            match = "all"
            if "match" in entry:
                match = (
                    self.choice(entry["match"], (*at, "match"), ("all", "any"), "match") or match
                )
            enabled = True
            if "enabled" in entry:
                enabled = self.flag(entry["enabled"], (*at, "enabled")) is not False
            conditions = []
            raw = self.seq(entry.get("conditions"), (*at, "conditions"))
            if not raw:
                self.problem((*at, "conditions"), "a mapping needs at least one condition")
            for j, cond in enumerate(raw):
                cat = (*at, "conditions", j)
                c = self.mapping(cond, cat, ("attribute", "operator", "value"))
                attribute = self.choice(
                    c.get("attribute"), (*cat, "attribute"), MAPPING_ATTRIBUTES, "attribute"
                )
                operator = "is"
                if "operator" in c:
                    operator = (
                        self.choice(
                            c["operator"], (*cat, "operator"), MAPPING_OPERATORS, "operator"
                        )
                        or operator
                    )
                text = self.text(c.get("value"), (*cat, "value"), allow_numbers=True)
                if "value" not in c:
                    self.problem(cat, "missing field 'value'")
                if attribute and text is not None:
                    conditions.append(MappingCondition(attribute, operator, text))
            if name and role:
                if name.lower() in names:
                    self.problem((*at, "name"), f"the mapping {name!r} is listed twice")
                names.add(name.lower())
                out.append(CaseMapping(name, role, tuple(conditions), match, enabled))
        return tuple(out)

    def token(self, value: Any, path: P, wrike: WrikeSetup) -> str | None:
        names = [a.name for a in wrike.admins]
        options = (*names, "wrong", "none")
        if isinstance(value, str) and value.strip() in options:
            return value.strip()
        self.problem(
            path,
            f"unknown token {value!r}: name the Wrike admin who issued it "
            f"(one of: {', '.join(options)})",
        )
        return None

    def timeline(self, value: Any, wrike: WrikeSetup, onelogin: OneLoginSetup) -> tuple[Step, ...]:
        path: P = ("timeline",)
        if value is None:
            self.problem(
                (),
                "missing field 'timeline' (the actions to replay, in order; "
                "an empty list `[]` replays only the set-up)",
            )
            return ()
        users = {u.email for u in onelogin.users}
        wrike_users = users | {u.email for u in wrike.users}
        admins = [a.name for a in wrike.admins]
        steps: list[Step] = []
        for i, item in enumerate(self.seq(value, path)):
            at = (*path, i)
            if not isinstance(item, dict):
                self.problem(at, f"expected a mapping with `action:`, got {kind(item)}")
                continue
            if "action" not in item:
                self.problem(at, f"missing field 'action' (one of: {', '.join(ACTIONS)})")
                continue
            action = item["action"]
            spec = ACTIONS.get(action) if isinstance(action, str) else None
            if spec is None:
                self.problem(
                    (*at, "action"),
                    f"unknown action {action!r}"
                    f"{suggest(str(action), ACTIONS)} (one of: {', '.join(ACTIONS)})",
                )
                continue
            allowed = ("action", *spec.required, *spec.optional, *spec.one_of)
            params = {k: val for k, val in item.items() if k != "action"}
            for key in params:
                if key not in allowed:
                    self.problem(
                        (*at, key),
                        f"{action} takes no field {key!r} (it takes: "
                        f"{', '.join(allowed[1:]) or 'nothing'})",
                    )
            for key in spec.required:
                if key not in params:
                    self.problem(at, f"{action} needs field {key!r}")
            if spec.one_of and sum(k in params for k in spec.one_of) != 1:
                self.problem(at, f"{action} needs exactly one of: {', '.join(spec.one_of)}")
            clean = self.params(action, params, at, users, wrike_users, admins, wrike)
            steps.append(Step(i, self.doc.line(at), action, clean))
        return tuple(steps)

    def params(
        self,
        action: str,
        params: dict[str, Any],
        at: P,
        users: set[str],
        wrike_users: set[str],
        admins: list[str],
        wrike: WrikeSetup,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in params.items():
            if key != "action":
                out[key] = self.param(
                    action, key, value, (*at, key), users, wrike_users, admins, wrike
                )
        if (
            action == "fault"
            and out.get("retry_after") is not None
            and out.get("fault") != "429 Too Many Requests"
        ):
            self.problem(
                (*at, "retry_after"), "Retry-After goes with the fault '429 Too Many Requests'"
            )
        if action == "configure" and not ({"scim_url", "token"} & set(params)):
            self.problem(at, "configure needs `scim_url`, `token` or both")
        if action in ("change", "wrike_fill") and out.get("attribute") in v.EMAIL_ATTRIBUTES:
            self.problem(
                (*at, "attribute"),
                "the email is how the case names the user; change the primary email with "
                "the action `change_email` (`user`, `to`) instead",
            )
        return out

    def param(
        self,
        action: str,
        key: str,
        value: Any,
        where: P,
        users: set[str],
        wrike_users: set[str],
        admins: list[str],
        wrike: WrikeSetup,
    ) -> Any:
        if key == "user":
            wrike_only = action in ("make_wrike_admin", "wrike_fill", "wrike_deactivate")
            return self.known_user(value, where, wrike_users if wrike_only else users)
        if key in ("role", "by"):
            return self.text(value, where)
        if key == "direct":
            return self.direct(value, where)
        if key == "attribute":
            allowed = v.WRIKE_ATTRIBUTES if action == "wrike_fill" else v.ONELOGIN_ATTRIBUTES
            return self.choice(value, where, allowed, "attribute")
        if key == "value":
            return self.text(value, where, allow_numbers=True)
        if key == "task":
            return self.choice(value, where, v.TASKS, "task")
        if key == "plan":
            return self.choice(value, where, v.PLANS, "plan")
        if key == "domain":
            return self.domain(value, where)
        if key == "admin":
            return self.choice(value, where, admins, "Wrike admin")
        if key == "fault":
            text = (
                str(value).strip()
                if isinstance(value, (str, int)) and not isinstance(value, bool)
                else ""
            )
            named = v.fault_name(text)
            if named is None:
                self.problem(
                    where,
                    f"unknown fault {value!r}{suggest(text, v.FAULTS)} "
                    f"(one of: {', '.join(v.FAULTS)}, or any 4xx or 5xx status "
                    "such as '502 Bad Gateway')",
                )
            return named
        if key in ("retry_after", "count"):
            return self.count(value, where, minimum=0 if key == "retry_after" else 1)
        if key == "scim_url":
            return self.choice(value, where, v.SCIM_URL_CHOICES, "SCIM URL")
        if key == "token":
            return self.token(value, where, wrike)
        if key == "mode":
            if value is False:  # YAML 1.1 reads a bare `off` as false
                value = "off"
            modes = v.SSO_MODES if action == "sso_mode" else v.SSO_MODES[1:]
            return self.choice(value, where, modes, "SSO mode")
        if key == "from":
            return self.choice(value, where, ("wrike", "portal"), "login start")
        if key == "minutes":
            if isinstance(value, bool) or not isinstance(value, int):
                self.problem(
                    where,
                    f"expected a whole number of minutes (negative: behind), got {kind(value)}",
                )
                return None
            return value
        if key == "audience":
            return self.text(value, where)
        if key == "to":
            return self.email(value, where)
        return None  # an unknown field, already reported

    def direct(self, value: Any, path: P) -> bool | None:
        if value is True:
            return True
        self.problem(path, f"write `direct: true` (or name a `role:` instead), not {kind(value)}")
        return None

    def known_user(self, value: Any, path: P, known: set[str]) -> str | None:
        email = self.email(value, path)
        if email and email not in known:
            self.problem(
                path,
                f"{email} is not a user of this case (declare it under "
                "onelogin.users, or wrike.users for Wrike-only users)",
            )
        return email

    def expect(self, value: Any, onelogin: OneLoginSetup) -> Expectations:
        path: P = ("expect",)
        data = self.mapping(value, path, ("users", "seats", "api_status"))
        seats = None
        if "seats" in data:
            raw = self.mapping(data["seats"], (*path, "seats"), v.USER_TYPES)
            seats = {}
            for key, count in raw.items():
                if key in v.USER_TYPES:
                    number = self.count(count, (*path, "seats", key), minimum=0)
                    if number is not None:
                        seats[key] = number
        api_status = None
        if "api_status" in data:
            api_status = self.choice(
                data["api_status"], (*path, "api_status"), v.API_STATUSES, "API status"
            )
        known = {u.email for u in onelogin.users}
        users: list[UserExpectation] = []
        for i, item in enumerate(self.seq(data.get("users"), (*path, "users"))):
            at = (*path, "users", i)
            entry = self.mapping(item, at, ("user", *USER_CHECKS))
            email = None
            if "user" in entry:
                email = self.known_user(entry.get("user"), (*at, "user"), known)
            else:
                self.problem(at, "missing field 'user'")
            checks = [
                c
                for key in USER_CHECKS
                if key in entry
                if (c := self.check(key, entry[key], (*at, key))) is not None
            ]
            if email:
                users.append(UserExpectation(email, self.doc.line(at), tuple(checks)))
        return Expectations(
            tuple(users),
            seats,
            self.doc.line((*path, "seats")),
            api_status,
            self.doc.line((*path, "api_status")),
        )

    def check(self, key: str, value: Any, path: P) -> Check | None:
        parsed: Any = None
        if key == "wrike":
            parsed = self.choice(value, path, v.WRIKE_STATUSES, "Wrike status")
        elif key == "wrike_type":
            parsed = self.choice(value, path, v.USER_TYPES, "Wrike user type")
        elif key == "wrike_attributes":
            parsed = self.attributes(value, path, v.WRIKE_ATTRIBUTES) or None
        elif key in ("billable", "no_provisioning_attempt"):
            parsed = self.flag(value, path)
        elif key == "provisioning_state":
            parsed = self.choice(value, path, v.STATES, "provisioning state")
        elif key in ("events", "no_events"):
            items = value if isinstance(value, list) else [value]
            names = [self.choice(item, path, v.EVENT_IDS, "System Log event") for item in items]
            parsed = names if all(names) else None
        elif key == "error_mentions":
            items = value if isinstance(value, list) else [value]
            texts = [self.text(item, path, allow_numbers=True) for item in items]
            parsed = texts if all(texts) else None
        elif key == "pending_task":
            parsed = self.choice(value, path, (*v.TASKS, "none"), "pending task")
        elif key == "diagnosis":
            parsed = self.choice(value, path, CAUSES, "diagnosis cause")
        elif key == "sso":
            parsed = self.choice(
                value,
                path,
                ("signed_in", *v.SSO_SP_REASONS, *v.SSO_IDP_REASONS),
                "SSO login outcome (signed_in or a reason code of docs/sso.md)",
            )
        if parsed is None:
            return None
        return Check(key, parsed, self.doc.line(path))

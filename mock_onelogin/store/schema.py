"""The database schema; kept in Python so it ships with the package."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT, email TEXT, firstname TEXT, lastname TEXT, title TEXT, department TEXT,
    company TEXT, comment TEXT, phone TEXT, samaccountname TEXT, member_of TEXT,
    userprincipalname TEXT, distinguished_name TEXT, external_id TEXT, manager_ad_id TEXT,
    preferred_locale_code TEXT,
    state INTEGER NOT NULL DEFAULT 1, status INTEGER NOT NULL DEFAULT 7,
    group_id INTEGER, directory_id INTEGER, trusted_idp_id INTEGER, manager_user_id INTEGER,
    custom_attributes TEXT NOT NULL DEFAULT '{}',
    password_set INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, activated_at TEXT,
    password_changed_at TEXT, deleted_at TEXT
);
CREATE INDEX IF NOT EXISTS users_username ON users(username);
CREATE INDEX IF NOT EXISTS users_email ON users(email);
CREATE TABLE IF NOT EXISTS roles (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS role_apps (
    role_id INTEGER NOT NULL, app_id INTEGER NOT NULL, PRIMARY KEY (role_id, app_id)
);
CREATE INDEX IF NOT EXISTS role_apps_app ON role_apps(app_id);
CREATE TABLE IF NOT EXISTS role_users (
    role_id INTEGER NOT NULL, user_id INTEGER NOT NULL, PRIMARY KEY (role_id, user_id)
);
CREATE INDEX IF NOT EXISTS role_users_user ON role_users(user_id);
CREATE TABLE IF NOT EXISTS role_admins (
    role_id INTEGER NOT NULL, user_id INTEGER NOT NULL, added_at TEXT NOT NULL,
    added_by TEXT NOT NULL DEFAULT '', PRIMARY KEY (role_id, user_id)
);
CREATE TABLE IF NOT EXISTS apps (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, connector_id INTEGER NOT NULL,
    auth_method INTEGER NOT NULL DEFAULT 2, description TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '', visible INTEGER NOT NULL DEFAULT 1,
    connector TEXT, provisioning TEXT, version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS direct_logins (
    user_id INTEGER NOT NULL, app_id INTEGER NOT NULL, PRIMARY KEY (user_id, app_id)
);
CREATE TABLE IF NOT EXISTS logins (
    login_id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL, app_id INTEGER NOT NULL,
    scim_id TEXT, remote TEXT NOT NULL DEFAULT 'absent', confirmed_hash TEXT,
    was_entitled INTEGER NOT NULL DEFAULT 0, was_suspended INTEGER NOT NULL DEFAULT 0,
    provisioning_state TEXT NOT NULL DEFAULT 'unknown',
    provisioning_status TEXT NOT NULL DEFAULT 'enabled',
    last_error TEXT, updated_at TEXT,
    UNIQUE (user_id, app_id)
);
CREATE INDEX IF NOT EXISTS logins_app ON logins(app_id);
CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL, app_id INTEGER NOT NULL, kind TEXT NOT NULL,
    state TEXT NOT NULL, trigger TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 0,
    due_at REAL NOT NULL DEFAULT 0, prev_state TEXT, prev_status TEXT, error TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tasks_state ON tasks(state, due_at);
CREATE INDEX IF NOT EXISTS tasks_login ON tasks(user_id, app_id, state);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_type_id INTEGER NOT NULL, created_at TEXT NOT NULL, created_ts REAL NOT NULL,
    user_id INTEGER, user_name TEXT, app_id INTEGER, app_name TEXT,
    role_id INTEGER, role_name TEXT, actor_user_id INTEGER, actor_user_name TEXT,
    actor_system TEXT, client_id TEXT, error_description TEXT, notes TEXT,
    custom_message TEXT, scim TEXT
);
CREATE INDEX IF NOT EXISTS events_type ON events(event_type_id);
CREATE INDEX IF NOT EXISTS events_user ON events(user_id);
CREATE TABLE IF NOT EXISTS log_totals (
    id INTEGER PRIMARY KEY CHECK (id = 1), bytes INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS api_clients (
    client_id TEXT PRIMARY KEY, name TEXT NOT NULL, secret_salt TEXT NOT NULL,
    secret_hash TEXT NOT NULL, created_at TEXT NOT NULL
);
-- User mappings (domain/mappings.py): conditions and actions as JSON text; position is null
-- for a disabled mapping. mapped_roles remembers which of a user's roles a mapping gave, so
-- that the role goes when the mapping stops matching and a manual role never does.
CREATE TABLE IF NOT EXISTS mappings (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, enabled INTEGER NOT NULL,
    match TEXT NOT NULL, position INTEGER, conditions TEXT NOT NULL, actions TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS mapped_roles (
    user_id INTEGER NOT NULL, role_id INTEGER NOT NULL, mapping_id INTEGER NOT NULL,
    PRIMARY KEY (user_id, role_id)
);
-- tokens.token is the access token's digest ("sha256:..."), tokens.sealed the token sealed
-- with the database's key (store/_sealing.py); api_clients keeps a salted hash only.
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, client_id TEXT NOT NULL, created_at TEXT NOT NULL,
    expires_ts REAL NOT NULL, revoked INTEGER NOT NULL DEFAULT 0, sealed TEXT
);
-- SAML SSO (store/saml.py): each app's SAML fields as JSON; its signing certificates, the
-- private key sealed with the database's key; OneLogin users' password hashes (scrypt).
CREATE TABLE IF NOT EXISTS saml_settings (
    app_id INTEGER PRIMARY KEY, settings TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS saml_certificates (
    id INTEGER PRIMARY KEY AUTOINCREMENT, app_id INTEGER NOT NULL, certificate TEXT NOT NULL,
    sealed_key TEXT NOT NULL, fingerprint TEXT NOT NULL, not_after TEXT NOT NULL,
    signing INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS saml_certificates_app ON saml_certificates(app_id, signing);
CREATE TABLE IF NOT EXISTS user_passwords (user_id INTEGER PRIMARY KEY, hash TEXT NOT NULL);
"""

#: One partial unique index per field of ``modelling.UNIQUE_USER_FIELDS``: live users only
#: (a deleted user keeps its username), case-insensitive, empty values left out.
UNIQUE_USER_INDEX = "users_unique_{field}"
UNIQUE_USER_INDEX_SQL = (
    "CREATE UNIQUE INDEX IF NOT EXISTS users_unique_{field} ON users(lower({field})) "
    "WHERE deleted_at IS NULL AND {field} IS NOT NULL AND {field} <> ''"
)
#: Live users who share a value of ``field`` (what would stop the index being built).
DUPLICATE_USERS_SQL = (
    "SELECT lower({field}) AS value, group_concat(id) AS ids FROM users "
    "WHERE deleted_at IS NULL AND {field} IS NOT NULL AND {field} <> '' "
    "GROUP BY lower({field}) HAVING count(*) > 1 ORDER BY min(id)"
)

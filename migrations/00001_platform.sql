-- +goose Up
-- Platform: people, organisations, roles, sign-in state and the audit log.

CREATE TABLE organisations (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    kind       text NOT NULL CHECK (kind IN ('trust', 'charity', 'region', 'other')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX organisations_name_key ON organisations (lower(name));

-- A user is one person. issuer+subject identify them at their identity
-- provider; both are NULL for a person provisioned before first sign-in,
-- who is then linked by verified email.
CREATE TABLE users (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    issuer          text,
    subject         text,
    email           text NOT NULL CHECK (email = lower(btrim(email)) AND email LIKE '%_@_%'),
    name            text NOT NULL DEFAULT '',
    organisation_id uuid REFERENCES organisations (id),
    claim_roles     text[] NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_sign_in_at timestamptz,
    CHECK ((issuer IS NULL) = (subject IS NULL))
);
CREATE UNIQUE INDEX users_issuer_subject_key ON users (issuer, subject) WHERE issuer IS NOT NULL;
CREATE INDEX users_email_idx ON users (email);
-- Only one not-yet-linked record per email, so linking is never ambiguous.
CREATE UNIQUE INDEX users_pending_email_key ON users (email) WHERE issuer IS NULL;

-- Roles granted inside Onramp, on top of those from the identity provider.
CREATE TABLE role_grants (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('learner', 'mentor', 'manager', 'safeguarding_lead', 'admin')),
    granted_by uuid REFERENCES users (id),
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, role)
);

-- One row per sign-in. The browser session (scs) points at it; ending it
-- (sign-out, back-channel logout) ends every request that carries it.
CREATE TABLE auth_sessions (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider_sid text NOT NULL DEFAULT '',
    id_token     text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    ended_at     timestamptz
);
CREATE INDEX auth_sessions_user_active_idx ON auth_sessions (user_id) WHERE ended_at IS NULL;

-- Sign-ins in flight: state, nonce and PKCE verifier, bound to a
-- short-lived cookie holding the id. Consumed once at the callback.
CREATE TABLE oidc_logins (
    id         text PRIMARY KEY,
    state      text NOT NULL,
    nonce      text NOT NULL,
    verifier   text NOT NULL,
    return_to  text NOT NULL DEFAULT '',
    expires_at timestamptz NOT NULL
);
CREATE INDEX oidc_logins_expires_idx ON oidc_logins (expires_at);

-- Logout token ids already acted on, so a replayed token is refused.
CREATE TABLE logout_token_jtis (
    issuer     text NOT NULL,
    jti        text NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (issuer, jti)
);

-- scs session store (github.com/alexedwards/scs/pgxstore).
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- Append-only record of who changed what.
CREATE TABLE audit_events (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor_id     uuid REFERENCES users (id),
    action       text NOT NULL,
    subject_type text NOT NULL,
    subject_id   text NOT NULL,
    detail       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_subject_idx ON audit_events (subject_type, subject_id, at);

-- +goose StatementBegin
CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- +goose Down
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only();
DROP TABLE sessions;
DROP TABLE logout_token_jtis;
DROP TABLE oidc_logins;
DROP TABLE auth_sessions;
DROP TABLE role_grants;
DROP TABLE users;
DROP TABLE organisations;

-- +goose Up
-- Programs that call the API: service tokens an admin creates for a
-- reporting tool, the service identities of an identity provider's
-- clients, and Idempotency-Keys that remember what they were sent with
-- and are removed once they expire.

-- A service token is shown once when it is made; only its SHA-256 is
-- kept. Scopes say which API reads it may make, and organisation_id, when
-- set, limits it to one organisation exactly as a manager is limited.
CREATE TABLE service_tokens (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name            text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    token_hash      bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    scopes          text[] NOT NULL
        CHECK (cardinality(scopes) >= 1 AND scopes <@ ARRAY['reports:read', 'cohorts:read']::text[]),
    organisation_id uuid REFERENCES organisations (id),
    created_by      uuid NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    revoked_by      uuid REFERENCES users (id),
    last_used_at    timestamptz,
    CHECK (expires_at > created_at),
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE INDEX service_tokens_created_idx ON service_tokens (created_at DESC);

-- A service identity is an identity provider's client calling the API
-- with a client-credentials token: no person, so never a learner by
-- default, and never signed in through a browser.
ALTER TABLE users ADD COLUMN service boolean NOT NULL DEFAULT false;

-- The request an Idempotency-Key was first used with (SHA-256 of method,
-- path and body), so reusing the key for a different body is refused;
-- NULL for keys claimed before this migration.
ALTER TABLE idempotency_keys ADD COLUMN request_hash bytea;
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- +goose Down
DROP INDEX idempotency_keys_created_idx;
ALTER TABLE idempotency_keys DROP COLUMN request_hash;
ALTER TABLE users DROP COLUMN service;
DROP TABLE service_tokens;

-- +goose Up
-- A manager's invitation for someone to become a mentor. The invited
-- person is provisioned through identity when missing (user_id); the
-- invitation is shown and accepted only by whoever signs in with that
-- email verified, and accepting it grants them the mentor role. The id is
-- a random UUID and the page also checks the verified email, so no
-- separate token is kept.
CREATE TABLE mentor_invitations (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email           text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    name            text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    invited_by      uuid NOT NULL REFERENCES users (id),
    organisation_id uuid REFERENCES organisations (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    accepted_at     timestamptz,
    CHECK (expires_at > created_at)
);

-- One invitation not yet accepted per email. An expired one is replaced
-- when the person is invited again (the audit log keeps both).
CREATE UNIQUE INDEX mentor_invitations_open ON mentor_invitations (email) WHERE accepted_at IS NULL;

-- +goose Down
DROP TABLE mentor_invitations;

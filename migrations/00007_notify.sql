-- +goose Up
-- Notifications: short in-app messages to one person ("a follow-up is
-- due"), each perhaps followed by an email that only says there is
-- something to read. Titles and bodies never carry message content or
-- personal details beyond a first name.

CREATE TABLE notifications (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.-]{0,63}$'),
    title      text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    body       text NOT NULL DEFAULT '' CHECK (length(body) <= 1000),
    -- A path inside Onramp, never another site.
    link       text NOT NULL DEFAULT '' CHECK (link = '' OR (link LIKE '/%' AND link NOT LIKE '//%' AND length(link) <= 500)),
    -- Sending the same thing twice is one notification (and one email).
    dedupe_key text NOT NULL CHECK (length(dedupe_key) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz,
    -- When the email saying it exists was handed to the mail server, so
    -- a retried email job does not send it twice.
    emailed_at timestamptz,
    UNIQUE (user_id, dedupe_key)
);
-- A person's list, newest first.
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC);
-- The header's unread count, on every page a signed-in person sees.
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;

-- What a person wants by email. No row means the default: email on.
CREATE TABLE notification_preferences (
    user_id         uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    email           boolean NOT NULL DEFAULT true,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE notification_preferences;
DROP TABLE notifications;

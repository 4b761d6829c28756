-- +goose Up
-- Messaging and safeguarding: one thread per mentorship, every message
-- scanned before the other person can see it, held messages reviewed by a
-- safeguarding lead, concern cases with notes, and read markers. Nobody
-- deletes a message: only the retention job removes old ones, and a
-- message's original text never changes (a redaction is kept beside it).

-- A change counter for the live stream: every change someone may see
-- (sent, released, redacted, blocked) takes the next number, so a stream
-- that reconnects asks for changes after the last one it saw.
CREATE SEQUENCE message_changes;

CREATE TABLE messages (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- The thread's order, which never changes.
    n              bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    change         bigint NOT NULL DEFAULT nextval('message_changes'),
    mentorship_id  uuid NOT NULL REFERENCES mentorships (id),
    sender_id      uuid NOT NULL REFERENCES users (id),
    body           text NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 2000),
    status         text NOT NULL CHECK (status IN ('delivered', 'held', 'blocked')),
    labels         text[] NOT NULL DEFAULT '{}' CHECK (labels <@ ARRAY['contact_details', 'concern']),
    -- Held messages: urgent (2 hours) when a concern was flagged, else
    -- normal (24 hours).
    priority       text NOT NULL DEFAULT 'normal' CHECK (priority IN ('normal', 'urgent')),
    due_at         timestamptz,
    created_at     timestamptz NOT NULL,
    delivered_at   timestamptz,
    reviewed_by    uuid REFERENCES users (id),
    reviewed_at    timestamptz,
    review_action  text CHECK (review_action IN ('released', 'redacted', 'blocked')),
    -- Why the lead decided as they did, for the record.
    review_reason  text NOT NULL DEFAULT '' CHECK (length(review_reason) <= 2000),
    -- What the other person sees of a redacted message; body keeps the
    -- original for the record.
    redacted_body  text CHECK (length(redacted_body) <= 2000),
    -- What the sender is told when a message is blocked, in plain words.
    block_reason   text NOT NULL DEFAULT '' CHECK (length(block_reason) <= 1000),
    CHECK ((status = 'delivered') = (delivered_at IS NOT NULL)),
    -- A held message waits for a lead; a flagged one leaves the hold only
    -- by a lead's review.
    CHECK (status <> 'held' OR due_at IS NOT NULL AND reviewed_at IS NULL),
    CHECK (status = 'held' OR labels = '{}' OR reviewed_at IS NOT NULL),
    CHECK ((reviewed_at IS NULL) = (review_action IS NULL) AND (reviewed_at IS NULL) = (reviewed_by IS NULL)),
    CHECK ((review_action = 'redacted') = (redacted_body IS NOT NULL)),
    CHECK (status <> 'blocked' OR length(btrim(block_reason)) > 0)
);
CREATE INDEX messages_thread_idx ON messages (mentorship_id, n);
CREATE INDEX messages_changes_idx ON messages (mentorship_id, change);
-- The safeguarding queue.
CREATE INDEX messages_held_idx ON messages (priority, due_at) WHERE status = 'held';
CREATE INDEX messages_created_idx ON messages (created_at);

-- +goose StatementBegin
CREATE FUNCTION messages_keep_original() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.body IS DISTINCT FROM OLD.body OR NEW.sender_id IS DISTINCT FROM OLD.sender_id
        OR NEW.mentorship_id IS DISTINCT FROM OLD.mentorship_id OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        RAISE EXCEPTION 'a message''s original text, sender, thread and time never change';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER messages_keep_original BEFORE UPDATE ON messages
    FOR EACH ROW EXECUTE FUNCTION messages_keep_original();

-- Why the detector held a message: one row per reason, with the span of
-- the original text it matched (byte offsets) and the lists line.
CREATE TABLE message_flags (
    message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    position   int NOT NULL,
    label      text NOT NULL CHECK (label IN ('contact_details', 'concern')),
    rule       text NOT NULL CHECK (length(rule) BETWEEN 1 AND 100),
    source     text NOT NULL DEFAULT '' CHECK (length(source) <= 300),
    span_start int NOT NULL CHECK (span_start >= 0),
    span_end   int NOT NULL CHECK (span_end >= span_start),
    PRIMARY KEY (message_id, position)
);

-- A lead pausing a thread: no one writes until the pause is lifted.
CREATE TABLE message_thread_pauses (
    mentorship_id uuid PRIMARY KEY REFERENCES mentorships (id),
    paused_by     uuid NOT NULL REFERENCES users (id),
    paused_at     timestamptz NOT NULL,
    reason        text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 1000)
);

-- How far each person has read each thread, for unread counts.
CREATE TABLE message_reads (
    mentorship_id uuid NOT NULL REFERENCES mentorships (id),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_read_n   bigint NOT NULL,
    read_at       timestamptz NOT NULL,
    PRIMARY KEY (mentorship_id, user_id)
);

-- A worry reported by a learner or mentor, or opened by a lead from a
-- held message. Due in 24 hours; 2 hours when urgent.
CREATE TABLE concern_cases (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    mentorship_id uuid REFERENCES mentorships (id),
    message_id    uuid REFERENCES messages (id) ON DELETE SET NULL,
    reported_by   uuid NOT NULL REFERENCES users (id),
    category      text NOT NULL CHECK (category IN ('safety', 'bullying', 'online', 'unsafe', 'other', 'message')),
    details       text NOT NULL CHECK (length(btrim(details)) BETWEEN 1 AND 4000),
    priority      text NOT NULL CHECK (priority IN ('normal', 'urgent')),
    due_at        timestamptz NOT NULL,
    status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'closed')),
    assignee_id   uuid REFERENCES users (id),
    outcome       text NOT NULL DEFAULT '' CHECK (length(outcome) <= 4000),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    closed_at     timestamptz,
    CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
    CHECK (status <> 'closed' OR length(btrim(outcome)) > 0)
);
CREATE INDEX concern_cases_open_idx ON concern_cases (priority, due_at) WHERE status <> 'closed';

CREATE TABLE concern_case_notes (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    case_id    uuid NOT NULL REFERENCES concern_cases (id),
    author_id  uuid NOT NULL REFERENCES users (id),
    body       text NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 4000),
    created_at timestamptz NOT NULL
);
CREATE INDEX concern_case_notes_case_idx ON concern_case_notes (case_id, created_at);

-- A file sent with a message: a PNG or JPEG picture or a PDF, its type
-- sniffed from its bytes, kept under a server-generated storage key. Whoever
-- may see its message may see it (so it is held with the message), and it
-- goes when the message goes; its object is deleted by the app first.
CREATE TABLE message_attachments (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    message_id   uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    key          text NOT NULL UNIQUE CHECK (length(key) BETWEEN 1 AND 512),
    content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'application/pdf')),
    size         bigint NOT NULL CHECK (size > 0),
    filename     text NOT NULL DEFAULT '' CHECK (length(filename) <= 200),
    created_at   timestamptz NOT NULL
);
CREATE INDEX message_attachments_message_idx ON message_attachments (message_id);

-- +goose Down
DROP TABLE message_attachments;
DROP TABLE concern_case_notes;
DROP TABLE concern_cases;
DROP TABLE message_reads;
DROP TABLE message_thread_pauses;
DROP TABLE message_flags;
DROP TABLE messages;
DROP FUNCTION messages_keep_original();
DROP SEQUENCE message_changes;

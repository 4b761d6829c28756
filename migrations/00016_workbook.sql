-- +goose Up
-- The learner workbook: answers to lessons' "Try this", STAR stories, a
-- placement log, a checklist of documents for starting work and a CV.
-- Only the learner writes it; their mentor may read it while the
-- mentorship is active. Each limit here matches the form's.

-- A learner's answer to the "Try this" at the end of a lesson: one per
-- lesson, changed in place when they answer again. programme_slug is the
-- programme they answered in, for the link back to the lesson.
CREATE TABLE workbook_try_answers (
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    lesson_id      uuid NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
    programme_slug text NOT NULL,
    answer         text NOT NULL CHECK (length(btrim(answer)) BETWEEN 1 AND 2000),
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (user_id, lesson_id)
);
CREATE INDEX workbook_try_answers_lesson_idx ON workbook_try_answers (lesson_id);

-- The six NHS values, by the keys the app uses.
CREATE FUNCTION workbook_nhs_values() RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT '["working-together", "respect-dignity", "quality-of-care", "compassion", "improving-lives", "everyone-counts"]'::jsonb
$$;

-- A STAR story: Situation, Task, Action, Result, for answering interview
-- questions, and the NHS values it shows.
CREATE TABLE workbook_stories (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title      text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 80),
    situation  text NOT NULL CHECK (length(btrim(situation)) BETWEEN 1 AND 1000),
    task       text NOT NULL CHECK (length(btrim(task)) BETWEEN 1 AND 1000),
    action     text NOT NULL CHECK (length(btrim(action)) BETWEEN 1 AND 1000),
    result     text NOT NULL CHECK (length(btrim(result)) BETWEEN 1 AND 1000),
    nhs_values jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(nhs_values) = 'array' AND nhs_values <@ workbook_nhs_values()),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX workbook_stories_user_idx ON workbook_stories (user_id, updated_at DESC);

-- A day on placement: what the learner did and learned, and the NHS value
-- it showed.
CREATE TABLE workbook_placements (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    happened_on date NOT NULL,
    place       text NOT NULL DEFAULT '' CHECK (length(place) <= 100),
    did         text NOT NULL CHECK (length(btrim(did)) BETWEEN 1 AND 1000),
    learned     text NOT NULL CHECK (length(btrim(learned)) BETWEEN 1 AND 1000),
    nhs_value   text NOT NULL CHECK (workbook_nhs_values() ? nhs_value),
    created_at  timestamptz NOT NULL
);
CREATE INDEX workbook_placements_user_idx ON workbook_placements (user_id, happened_on DESC);

-- Where the learner is with each document an employer asks for. An item
-- with no row is not started.
CREATE TABLE workbook_documents (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item       text NOT NULL CHECK (item IN ('photo-id', 'right-to-work', 'address', 'references', 'dbs', 'bank', 'ni-number')),
    status     text NOT NULL CHECK (status IN ('not-started', 'working', 'ready')),
    note       text NOT NULL DEFAULT '' CHECK (length(note) <= 300),
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, item)
);

-- The learner's CV. experience and education are lists of up to three
-- {"title", "place", "dates", "details"}.
CREATE TABLE workbook_cvs (
    user_id    uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    full_name  text NOT NULL CHECK (length(btrim(full_name)) BETWEEN 1 AND 80),
    town       text NOT NULL DEFAULT '' CHECK (length(town) <= 60),
    phone      text NOT NULL DEFAULT '' CHECK (length(phone) <= 20),
    email      text NOT NULL DEFAULT '' CHECK (length(email) <= 120),
    statement  text NOT NULL CHECK (length(btrim(statement)) BETWEEN 1 AND 800),
    experience jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(experience) = 'array' AND jsonb_array_length(experience) <= 3),
    education  jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(education) = 'array' AND jsonb_array_length(education) <= 3),
    skills     text NOT NULL DEFAULT '' CHECK (length(skills) <= 400),
    updated_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE workbook_cvs;
DROP TABLE workbook_documents;
DROP TABLE workbook_placements;
DROP TABLE workbook_stories;
DROP FUNCTION workbook_nhs_values();
DROP TABLE workbook_try_answers;

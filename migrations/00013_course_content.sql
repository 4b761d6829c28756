-- +goose Up
-- Course content: modules shared by several programmes, questions inside
-- lessons with each learner's latest answer, and lesson audio.

-- A shared module (the health and care safety core) is written once and
-- belongs to no programme; programmes include it. Its lessons and check
-- are the same rows wherever it appears, so a learner's progress in it
-- counts in every programme that includes it.
ALTER TABLE modules ALTER COLUMN programme_id DROP NOT NULL;
ALTER TABLE modules ADD COLUMN shared boolean NOT NULL DEFAULT false;
ALTER TABLE modules ADD CONSTRAINT modules_shared_check CHECK (shared = (programme_id IS NULL));
ALTER TABLE modules ADD CONSTRAINT modules_id_shared_key UNIQUE (id, shared);
CREATE UNIQUE INDEX modules_shared_slug_key ON modules (slug) WHERE shared;

-- Which programmes include which shared module, and where: after the
-- programme's own module at position after_position (0: before the
-- first). The (module_id, shared) key only accepts a shared module, and a
-- shared module cannot be deleted while a programme includes it.
CREATE TABLE programme_shared_modules (
    programme_id   uuid NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    module_id      uuid NOT NULL,
    shared         boolean NOT NULL DEFAULT true CHECK (shared),
    after_position int NOT NULL DEFAULT 0 CHECK (after_position >= 0),
    PRIMARY KEY (programme_id, module_id),
    FOREIGN KEY (module_id, shared) REFERENCES modules (id, shared) ON DELETE RESTRICT
);
CREATE INDEX programme_shared_modules_module_idx ON programme_shared_modules (module_id);

-- The one answer to "which modules are in a programme, in what order":
-- its own modules and the shared modules it includes. Order by
-- (place, shared, slug): a shared module comes right after the own
-- module it follows. Reports and dashboards that count a programme's
-- lessons join through this view.
CREATE VIEW programme_modules AS
    SELECT m.programme_id, m.id AS module_id, m.position AS place, false AS shared, m.slug
    FROM modules m WHERE NOT m.shared
    UNION ALL
    SELECT ps.programme_id, m.id, ps.after_position, true, m.slug
    FROM programme_shared_modules ps JOIN modules m ON m.id = ps.module_id;

-- A learner starts a programme (the conversion rate's denominator) by
-- completing one of its lessons. A lesson of a shared module counts for
-- each programme including it that the learner is on when they complete
-- it: doing the safety core in Get Started does not start Get Into.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION programme_starts_record() RETURNS trigger AS $$
BEGIN
    INSERT INTO programme_starts (user_id, programme_id, first_completed_at)
    SELECT n.user_id, pm.programme_id, min(n.completed_at)
    FROM new_progress n JOIN lessons l ON l.id = n.lesson_id JOIN programme_modules pm ON pm.module_id = l.module_id
    WHERE NOT pm.shared OR EXISTS (SELECT 1 FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id
                                   WHERE e.user_id = n.user_id AND c.programme_id = pm.programme_id)
    GROUP BY n.user_id, pm.programme_id
    ON CONFLICT (user_id, programme_id) DO UPDATE SET first_completed_at = EXCLUDED.first_completed_at
    WHERE EXCLUDED.first_completed_at < programme_starts.first_completed_at;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- Questions inside lessons: quick practice questions in the same shape as
-- a check's, shown after the lesson's text. A question belongs to a check
-- or to a lesson, never both.
ALTER TABLE questions ALTER COLUMN check_id DROP NOT NULL;
ALTER TABLE questions ADD COLUMN lesson_id uuid REFERENCES lessons (id) ON DELETE CASCADE;
ALTER TABLE questions ADD CONSTRAINT questions_one_parent CHECK (num_nonnulls(check_id, lesson_id) = 1);
ALTER TABLE questions ADD CONSTRAINT questions_lesson_position_key UNIQUE (lesson_id, position);

-- Each learner's latest answer to each question inside a lesson. Answers
-- are practice: they never hold anyone back, but a report can use them.
-- correct is what the learner was told when they answered.
CREATE TABLE lesson_answers (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    question_id uuid NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    option_ids  uuid[] NOT NULL CHECK (cardinality(option_ids) > 0),
    correct     boolean NOT NULL,
    answered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, question_id)
);
CREATE INDEX lesson_answers_question_idx ON lesson_answers (question_id);

-- A recording of the lesson read aloud, with its words for people who
-- cannot hear it: it plays instead of the browser's speech.
ALTER TABLE lessons
    ADD COLUMN audio_id uuid REFERENCES media (id),
    ADD COLUMN audio_transcript text NOT NULL DEFAULT '',
    ADD CONSTRAINT lessons_audio_transcript_check CHECK (audio_id IS NULL OR length(btrim(audio_transcript)) > 0);
CREATE INDEX lessons_audio_idx ON lessons (audio_id) WHERE audio_id IS NOT NULL;

-- +goose Down
DROP INDEX lessons_audio_idx;
ALTER TABLE lessons DROP CONSTRAINT lessons_audio_transcript_check, DROP COLUMN audio_transcript, DROP COLUMN audio_id;
DROP TABLE lesson_answers;
DELETE FROM questions WHERE lesson_id IS NOT NULL;
ALTER TABLE questions DROP CONSTRAINT questions_lesson_position_key, DROP CONSTRAINT questions_one_parent, DROP COLUMN lesson_id;
ALTER TABLE questions ALTER COLUMN check_id SET NOT NULL;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION programme_starts_record() RETURNS trigger AS $$
BEGIN
    INSERT INTO programme_starts (user_id, programme_id, first_completed_at)
    SELECT n.user_id, m.programme_id, min(n.completed_at)
    FROM new_progress n JOIN lessons l ON l.id = n.lesson_id JOIN modules m ON m.id = l.module_id
    GROUP BY n.user_id, m.programme_id
    ON CONFLICT (user_id, programme_id) DO UPDATE SET first_completed_at = EXCLUDED.first_completed_at
    WHERE EXCLUDED.first_completed_at < programme_starts.first_completed_at;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
DROP VIEW programme_modules;
DROP TABLE programme_shared_modules;
DELETE FROM modules WHERE shared;
DROP INDEX modules_shared_slug_key;
ALTER TABLE modules DROP CONSTRAINT modules_id_shared_key, DROP CONSTRAINT modules_shared_check, DROP COLUMN shared;
ALTER TABLE modules ALTER COLUMN programme_id SET NOT NULL;

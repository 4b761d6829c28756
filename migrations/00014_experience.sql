-- +goose Up
-- Learner experience: shuffled answers, partial "About you" answers and
-- certificates that say what was covered.

-- The order each question's options were shown in for an attempt
-- (question id -> option ids, top to bottom), so a marked attempt can be
-- read as the learner saw it. NULL for attempts made before options were
-- shuffled, and for attempts sent through the API without a page.
ALTER TABLE check_attempts ADD COLUMN options_shown jsonb;

-- "About you" is optional question by question: a learner may answer some
-- and leave the rest. A question left out counts as "Not answered" in
-- reports (the report query already reads NULL that way). A row with no
-- answer at all is not kept: removing the answers deletes the row.
ALTER TABLE equality_answers
    ALTER COLUMN sex DROP NOT NULL,
    ALTER COLUMN gender_same_as_birth DROP NOT NULL,
    ALTER COLUMN ethnicity DROP NOT NULL,
    ALTER COLUMN disability DROP NOT NULL,
    ALTER COLUMN care_experience DROP NOT NULL,
    ALTER COLUMN benefits DROP NOT NULL,
    ALTER COLUMN neet DROP NOT NULL,
    ADD CONSTRAINT equality_answers_some_answer CHECK (
        num_nonnulls(sex, gender_same_as_birth, ethnicity, disability, care_experience, benefits, neet) > 0);

-- What a certificate covered, fixed when it is issued so a later edit of
-- the course does not change what an employer reads: the module titles in
-- order and the minutes of lessons.
ALTER TABLE certificates
    ADD COLUMN modules text[] NOT NULL DEFAULT '{}',
    ADD COLUMN minutes int NOT NULL DEFAULT 0 CHECK (minutes >= 0);

-- +goose Down
ALTER TABLE certificates DROP COLUMN minutes, DROP COLUMN modules;
DELETE FROM equality_answers
WHERE num_nulls(sex, gender_same_as_birth, ethnicity, disability, care_experience, benefits, neet) > 0;
ALTER TABLE equality_answers
    DROP CONSTRAINT equality_answers_some_answer,
    ALTER COLUMN sex SET NOT NULL,
    ALTER COLUMN gender_same_as_birth SET NOT NULL,
    ALTER COLUMN ethnicity SET NOT NULL,
    ALTER COLUMN disability SET NOT NULL,
    ALTER COLUMN care_experience SET NOT NULL,
    ALTER COLUMN benefits SET NOT NULL,
    ALTER COLUMN neet SET NOT NULL;
ALTER TABLE check_attempts DROP COLUMN options_shown;

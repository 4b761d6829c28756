-- +goose Up
-- Hardening: progress counts only on a programme the learner is enrolled
-- on, imports invite people another organisation already knows instead of
-- enrolling them, and equality reports perturb their counts.

-- A programme anyone signed in may start on their own. Starting it is an
-- enrolment like any other, in the programme's one standing self-enrolment
-- cohort, which no organisation runs (so no manager sees it).
ALTER TABLE programmes ADD COLUMN open_enrolment boolean NOT NULL DEFAULT false;
ALTER TABLE cohorts ALTER COLUMN organisation_id DROP NOT NULL,
    ADD COLUMN self_enrolment boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT cohorts_owner_check CHECK (self_enrolment = (organisation_id IS NULL));
CREATE UNIQUE INDEX cohorts_self_enrolment_key ON cohorts (programme_id) WHERE self_enrolment;
-- Get Started is the one shipped programme meant to be started alone
-- (assets/content/get-started says open: true); databases seeded before
-- the flag existed get it here.
UPDATE programmes SET open_enrolment = true WHERE slug = 'get-started';

-- A personal invitation to join a cohort, made by a spreadsheet import for
-- someone the import may not enrol directly (a person another organisation
-- already knows). It holds only what the manager typed, never anything
-- from the person's record; they are enrolled only when they accept.
CREATE TABLE cohort_invitations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    cohort_id   uuid NOT NULL REFERENCES cohorts (id),
    email       text NOT NULL CHECK (email = lower(btrim(email)) AND email LIKE '%_@_%'),
    name        text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    import_id   uuid REFERENCES enrolment_imports (id),
    invited_by  uuid NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    declined_at timestamptz,
    CHECK (accepted_at IS NULL OR declined_at IS NULL),
    UNIQUE (cohort_id, email)
);
CREATE INDEX cohort_invitations_open_idx ON cohort_invitations (email)
    WHERE accepted_at IS NULL AND declined_at IS NULL;

-- When the identity provider last vouched for the person's email address
-- (email_verified at sign-in); things sent to an address, such as a
-- personal invitation, are shown only while it is set.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

-- A random key per person that equality reports add up per table cell
-- (the cell-key method): the same people always give the same small
-- adjustment to a count, and one person more or less gives an
-- unpredictable one, so comparing two reports does not single anyone out.
-- Never shown, never written after this.
ALTER TABLE users ADD COLUMN report_key smallint NOT NULL DEFAULT floor(random() * 256)::smallint
    CHECK (report_key BETWEEN 0 AND 255);

-- +goose Down
ALTER TABLE users DROP COLUMN report_key, DROP COLUMN email_verified_at;
DROP TABLE cohort_invitations;
DROP INDEX cohorts_self_enrolment_key;
DELETE FROM enrolments WHERE cohort_id IN (SELECT id FROM cohorts WHERE self_enrolment);
DELETE FROM cohorts WHERE self_enrolment;
ALTER TABLE cohorts DROP CONSTRAINT cohorts_owner_check, DROP COLUMN self_enrolment,
    ALTER COLUMN organisation_id SET NOT NULL;
ALTER TABLE programmes DROP COLUMN open_enrolment;

-- +goose Up
-- Outcomes: where learners went after a programme (a job, an
-- apprenticeship, volunteering, education or training, something else),
-- who vouched for it, and whether they were still there 3 and 6 months on.
-- The conversion rate funders judge programmes by is computed from these.

-- A destination follows one enrolment: the learner (user_id) and the cohort
-- they were on (cohort_id). A learner may report it themselves; it counts
-- towards the conversion rate only once someone has verified it.
CREATE TABLE destinations (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    cohort_id      uuid NOT NULL REFERENCES cohorts (id),
    kind           text NOT NULL CHECK (kind IN ('employment', 'apprenticeship', 'volunteering', 'education', 'other')),
    employer       text NOT NULL DEFAULT '' CHECK (length(employer) <= 200),
    role           text NOT NULL DEFAULT '' CHECK (length(role) <= 200),
    start_date     date NOT NULL CHECK (start_date >= '2000-01-01'),
    hours_per_week numeric(4, 1) CHECK (hours_per_week BETWEEN 0 AND 80),
    contract       text CHECK (contract IN ('permanent', 'fixed_term', 'zero_hours', 'bank', 'apprenticeship', 'course', 'other')),
    evidence_note  text NOT NULL DEFAULT '' CHECK (length(evidence_note) <= 2000),
    source         text NOT NULL CHECK (source IN ('manager', 'learner')),
    recorded_by    uuid NOT NULL REFERENCES users (id),
    verified_at    timestamptz,
    verified_by    uuid REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((verified_at IS NULL) = (verified_by IS NULL)),
    -- Jobs, apprenticeships and volunteering always name who with.
    CHECK (kind NOT IN ('employment', 'apprenticeship', 'volunteering') OR length(btrim(employer)) > 0)
);
-- A learner's destinations (their own page, a manager's learner page).
CREATE INDEX destinations_user_idx ON destinations (user_id, start_date);
-- The conversion report: verified positive destinations of a cohort's
-- learners, with the start date the window is checked against.
CREATE INDEX destinations_cohort_positive_idx ON destinations (cohort_id, user_id, start_date)
    WHERE verified_at IS NOT NULL AND kind <> 'other';
CREATE INDEX destinations_cohort_idx ON destinations (cohort_id);

-- "Still there?" 3 and 6 months after a destination started. Both rows are
-- created with the destination; outcome is filled in when someone asks.
CREATE TABLE follow_ups (
    destination_id uuid NOT NULL REFERENCES destinations (id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('3_months', '6_months')),
    due_on         date NOT NULL,
    outcome        text CHECK (outcome IN ('still_there', 'left', 'no_answer')),
    recorded_at    timestamptz,
    recorded_by    uuid REFERENCES users (id),
    note           text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    PRIMARY KEY (destination_id, kind),
    CHECK ((outcome IS NULL) = (recorded_at IS NULL) AND (outcome IS NULL) = (recorded_by IS NULL))
);
-- The managers' reminder list: follow-ups not yet recorded, by due date.
CREATE INDEX follow_ups_open_due_idx ON follow_ups (due_on) WHERE outcome IS NULL;

-- The first lesson each learner completed in each programme. A learner
-- "started" a cohort (the conversion rate's denominator) if they completed
-- a lesson of its programme, before withdrawing if they withdrew; the
-- earliest completion answers that. Triggers keep it in step with
-- lesson_progress (which is only ever inserted into, and loses rows only
-- when a user is deleted, as this does), so the report reads one small
-- row per learner and programme instead of searching millions of
-- completions.
CREATE TABLE programme_starts (
    user_id            uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    programme_id       uuid NOT NULL REFERENCES programmes (id),
    first_completed_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, programme_id)
);
INSERT INTO programme_starts (user_id, programme_id, first_completed_at)
SELECT lp.user_id, m.programme_id, min(lp.completed_at)
FROM lesson_progress lp JOIN lessons l ON l.id = lp.lesson_id JOIN modules m ON m.id = l.module_id
GROUP BY lp.user_id, m.programme_id;

-- One statement-level trigger per event: a bulk insert (the scale seed)
-- costs one grouped upsert, a learner's completion one small one.
-- +goose StatementBegin
CREATE FUNCTION programme_starts_record() RETURNS trigger AS $$
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
CREATE TRIGGER lesson_progress_starts_insert AFTER INSERT ON lesson_progress
    REFERENCING NEW TABLE AS new_progress FOR EACH STATEMENT EXECUTE FUNCTION programme_starts_record();
CREATE TRIGGER lesson_progress_starts_update AFTER UPDATE ON lesson_progress
    REFERENCING NEW TABLE AS new_progress FOR EACH STATEMENT EXECUTE FUNCTION programme_starts_record();

-- +goose Down
DROP TRIGGER lesson_progress_starts_update ON lesson_progress;
DROP TRIGGER lesson_progress_starts_insert ON lesson_progress;
DROP FUNCTION programme_starts_record();
DROP TABLE programme_starts;
DROP TABLE follow_ups;
DROP TABLE destinations;

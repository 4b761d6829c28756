-- +goose Up
-- One meaning of "completed", and the nudges managers send.

-- programme_completed is the one definition of a learner having completed
-- a programme, used by every page, report, export and API that counts
-- completions: every published module of the programme is finished, that
-- is all its published lessons are done and, when it has a check, a try
-- at the check passed. It is what the cohort dashboard's grid shows as a
-- row of ticks, and what learning's certificate rule says. A programme
-- with no published module is never completed. until, when set (an
-- enrolment's withdrawn_at), counts only what was done by then.
-- +goose StatementBegin
CREATE FUNCTION programme_completed(learner uuid, programme uuid, until timestamptz)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM modules m WHERE m.programme_id = programme AND m.published)
     AND NOT EXISTS (
       SELECT 1 FROM modules m
       WHERE m.programme_id = programme AND m.published
         AND (EXISTS (SELECT 1 FROM lessons l
                      WHERE l.module_id = m.id AND l.published
                        AND NOT EXISTS (SELECT 1 FROM lesson_progress lp
                                        WHERE lp.lesson_id = l.id AND lp.user_id = learner
                                          AND (until IS NULL OR lp.completed_at <= until)))
              OR EXISTS (SELECT 1 FROM checks c
                         WHERE c.module_id = m.id
                           AND NOT EXISTS (SELECT 1 FROM check_attempts a
                                           WHERE a.check_id = c.id AND a.user_id = learner AND a.passed
                                             AND (until IS NULL OR a.created_at <= until)))))
$$;
-- +goose StatementEnd

-- A nudge is a kind message a manager sends a learner who needs one, in
-- the app and by email. A learner gets at most one a day, whoever sends
-- it; each is also in the audit log.
CREATE TABLE nudges (
    id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    cohort_id uuid NOT NULL REFERENCES cohorts (id),
    user_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sent_by   uuid NOT NULL REFERENCES users (id),
    sent_at   timestamptz NOT NULL
);
CREATE INDEX nudges_user_idx ON nudges (user_id, sent_at DESC);

-- +goose Down
DROP TABLE nudges;
DROP FUNCTION programme_completed(uuid, uuid, timestamptz);

-- +goose Up
-- One meaning of "completed", and the nudges managers send.

-- programme_completions is the one definition of a learner having
-- completed a programme (its own modules and the shared ones it
-- includes, as programme_modules lists them), used by every page, report, export and API that
-- counts completions: every published module of the programme is
-- finished, that is all its published lessons are done and, when it has
-- a check, a try at the check passed. It is what the cohort dashboard's
-- grid shows as a row of ticks, and what learning's certificate rule
-- says. A programme with nothing to do is never completed.
--
-- It returns, of the learners given, those who completed and when: the
-- moment their last needed lesson or first pass of their last check
-- happened, so a caller asking "by the time they withdrew" compares
-- completed_at with withdrawn_at. It works on sets (two index scans per
-- call), because a per-learner function took seconds for a large cohort.
-- +goose StatementBegin
CREATE FUNCTION programme_completions(programme uuid, learners uuid[])
RETURNS TABLE (user_id uuid, completed_at timestamptz) LANGUAGE sql STABLE AS $$
  WITH items AS (
    SELECT l.id AS lesson_id, NULL::uuid AS check_id
    FROM lessons l JOIN modules m ON m.id = l.module_id JOIN programme_modules pm ON pm.module_id = m.id
    WHERE pm.programme_id = programme AND m.published AND l.published
    UNION ALL
    SELECT NULL, c.id FROM checks c JOIN modules m ON m.id = c.module_id JOIN programme_modules pm ON pm.module_id = m.id
    WHERE pm.programme_id = programme AND m.published),
  total AS (SELECT count(*) AS n FROM items),
  done AS (
    SELECT lp.user_id, lp.completed_at AS at
    FROM lesson_progress lp JOIN items i ON i.lesson_id = lp.lesson_id
    WHERE lp.user_id = ANY (learners)
    UNION ALL
    SELECT a.user_id, min(a.created_at)
    FROM check_attempts a JOIN items i ON i.check_id = a.check_id
    WHERE a.user_id = ANY (learners) AND a.passed
    GROUP BY a.user_id, a.check_id)
  SELECT d.user_id, max(d.at) FROM done d CROSS JOIN total t
  WHERE t.n > 0 GROUP BY d.user_id, t.n HAVING count(*) = t.n
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
DROP FUNCTION programme_completions(uuid, uuid[]);

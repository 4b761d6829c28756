-- +goose Up
-- "Completed" kept in a table, so counting it is an index read.
--
-- programme_completions (00015) worked it out from every progress record
-- each time it was asked: on 20,000 learners counting it for every cohort
-- took over a second. Its meaning does not change: the same function, now
-- programme_completions_live, is still the one definition, and the
-- completions table only ever holds what it says. Triggers keep the table
-- exact in the same transaction as the change, so a reader never sees a
-- difference:
--   - a learner's progress (a lesson done, a check passed) refreshes that
--     learner in every programme the lesson or check is in, at once;
--   - a change to what a programme asks for (a lesson or check added,
--     removed or (un)published, a module moved, a shared module included)
--     marks the programme stale, and the programme is refreshed for all
--     its learners once, when the transaction commits. Importing content
--     writes hundreds of rows; refreshing 20,000 learners per row would
--     take minutes. Until then the transaction itself reads the live
--     definition for a stale programme.

CREATE TABLE completions (
    programme_id uuid NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    completed_at timestamptz NOT NULL,
    PRIMARY KEY (programme_id, user_id)
);
CREATE INDEX completions_user_idx ON completions (user_id);

-- Programmes whose content changed in this transaction. A row never
-- outlives its transaction: the trigger below refreshes the programme
-- and deletes it at commit. Another transaction marking the same
-- programme waits for this one to finish.
CREATE TABLE completions_stale (
    programme_id uuid PRIMARY KEY REFERENCES programmes (id) ON DELETE CASCADE
);

ALTER FUNCTION programme_completions(uuid, uuid[]) RENAME TO programme_completions_live;

-- The same question as before, with the same answer, read from the table
-- (or, in a transaction that has just changed the programme's content,
-- from the live definition until it commits).
-- +goose StatementBegin
CREATE FUNCTION programme_completions(programme uuid, learners uuid[])
RETURNS TABLE (user_id uuid, completed_at timestamptz) LANGUAGE sql STABLE AS $$
  SELECT c.user_id, c.completed_at FROM completions c
  WHERE c.programme_id = programme AND c.user_id = ANY (learners)
    AND NOT EXISTS (SELECT 1 FROM completions_stale s WHERE s.programme_id = programme)
  UNION ALL
  SELECT l.user_id, l.completed_at FROM programme_completions_live(programme, learners) l
  WHERE EXISTS (SELECT 1 FROM completions_stale s WHERE s.programme_id = programme)
$$;
-- +goose StatementEnd

-- refresh_completions makes the table say what programme_completions_live
-- says for these learners of a programme; NULL learners means everyone
-- who may have completed it: those the table says did, and anyone with a
-- lesson done or a check passed in it (a programme with nothing to do is
-- never completed, so no one else can have).
--
-- Locks keep two transactions from each writing what they alone can see
-- (two lessons completed at once, or a lesson completed while another
-- publishes a new one): refreshing one learner takes the programme's lock
-- shared and the learner's exclusively; refreshing many takes the
-- programme's lock exclusively (one lock per learner would run out of
-- lock slots at 20,000). Each statement after the locks sees what the
-- transactions it waited for committed.
-- +goose StatementBegin
CREATE FUNCTION refresh_completions(programme uuid, learners uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(learners) = 1 THEN
        PERFORM pg_advisory_xact_lock_shared(hashtextextended('completions:' || programme, 0));
        PERFORM pg_advisory_xact_lock(hashtextextended('completions:' || programme || '/' || learners[1], 0));
    ELSE
        PERFORM pg_advisory_xact_lock(hashtextextended('completions:' || programme, 0));
    END IF;
    IF learners IS NULL THEN
        learners := ARRAY(
            SELECT c.user_id FROM completions c WHERE c.programme_id = programme
            UNION
            SELECT lp.user_id FROM lesson_progress lp JOIN lessons l ON l.id = lp.lesson_id
            JOIN programme_modules pm ON pm.module_id = l.module_id WHERE pm.programme_id = programme
            UNION
            SELECT a.user_id FROM check_attempts a JOIN checks k ON k.id = a.check_id
            JOIN programme_modules pm ON pm.module_id = k.module_id WHERE pm.programme_id = programme AND a.passed);
    END IF;
    DELETE FROM completions c WHERE c.programme_id = programme AND c.user_id = ANY (learners);
    INSERT INTO completions (programme_id, user_id, completed_at)
    SELECT programme, l.user_id, l.completed_at FROM programme_completions_live(programme, learners) l;
END;
$$;
-- +goose StatementEnd

-- Refreshes, in every programme that includes each module, the learners
-- paired with it (learners[i] did something in modules[i]).
-- +goose StatementBegin
CREATE FUNCTION refresh_completions_in_modules(learners uuid[], modules uuid[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    -- In programme order, so two transactions take programme locks in the same order.
    FOR r IN SELECT pm.programme_id, array_agg(DISTINCT x.user_id) AS learners
             FROM unnest(learners, modules) x (user_id, module_id) JOIN programme_modules pm ON pm.module_id = x.module_id
             GROUP BY pm.programme_id ORDER BY pm.programme_id
    LOOP
        PERFORM refresh_completions(r.programme_id, r.learners);
    END LOOP;
END;
$$;
-- +goose StatementEnd

-- Progress. Once per statement, not per row: the scale seed and test
-- fixtures write thousands of records in one statement, and refreshing a
-- learner once for all of them costs what refreshing them once for one
-- does. Records only change by learning adding them (INSERT) and moving a
-- lesson's completed_at on when it is gone over again (UPDATE, which can
-- move the completion's time). They are only deleted with their learner
-- (lessons and checks with records cannot be deleted), and the learner's
-- completions go with them the same way.
-- +goose StatementBegin
CREATE FUNCTION completions_progress_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_completions_in_modules(array_agg(c.user_id), array_agg(l.module_id))
    FROM changed c JOIN lessons l ON l.id = c.lesson_id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER lesson_progress_completions_insert AFTER INSERT ON lesson_progress
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION completions_progress_changed();
CREATE TRIGGER lesson_progress_completions_update AFTER UPDATE ON lesson_progress
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION completions_progress_changed();

-- Check attempts are only ever added; only a pass can finish a module.
-- +goose StatementBegin
CREATE FUNCTION completions_attempts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_completions_in_modules(array_agg(c.user_id), array_agg(k.module_id))
    FROM changed c JOIN checks k ON k.id = c.check_id WHERE c.passed;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER check_attempts_completions_insert AFTER INSERT ON check_attempts
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION completions_attempts_changed();

-- Content: mark the programmes a changed row is in stale. Existing
-- programmes only: a programme being deleted takes its modules, and its
-- completions, with it.
-- +goose StatementBegin
CREATE FUNCTION completions_content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    programmes uuid[];
BEGIN
    IF TG_TABLE_NAME = 'modules' THEN
        programmes := ARRAY(SELECT unnest(ARRAY[OLD.programme_id, NEW.programme_id])
                            UNION SELECT ps.programme_id FROM programme_shared_modules ps WHERE ps.module_id IN (OLD.id, NEW.id));
    ELSIF TG_TABLE_NAME = 'programme_shared_modules' THEN
        programmes := ARRAY[OLD.programme_id, NEW.programme_id];
    ELSE -- lessons and checks
        programmes := ARRAY(SELECT pm.programme_id FROM programme_modules pm WHERE pm.module_id IN (OLD.module_id, NEW.module_id));
    END IF;
    INSERT INTO completions_stale (programme_id)
    SELECT p.id FROM programmes p WHERE p.id = ANY (programmes)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
-- Only the columns that change what a programme asks for: editing a
-- lesson's text or a module's title costs nothing. An unpublished lesson
-- added or deleted asks nothing of anyone.
CREATE TRIGGER lessons_completions_insert AFTER INSERT ON lessons
    FOR EACH ROW WHEN (NEW.published) EXECUTE FUNCTION completions_content_changed();
CREATE TRIGGER lessons_completions_update AFTER UPDATE ON lessons
    FOR EACH ROW WHEN (OLD.published IS DISTINCT FROM NEW.published OR OLD.module_id IS DISTINCT FROM NEW.module_id)
    EXECUTE FUNCTION completions_content_changed();
CREATE TRIGGER lessons_completions_delete AFTER DELETE ON lessons
    FOR EACH ROW WHEN (OLD.published) EXECUTE FUNCTION completions_content_changed();
CREATE TRIGGER modules_completions_insert AFTER INSERT ON modules
    FOR EACH ROW WHEN (NEW.published) EXECUTE FUNCTION completions_content_changed();
CREATE TRIGGER modules_completions_update AFTER UPDATE ON modules
    FOR EACH ROW WHEN (OLD.published IS DISTINCT FROM NEW.published OR OLD.programme_id IS DISTINCT FROM NEW.programme_id)
    EXECUTE FUNCTION completions_content_changed();
CREATE TRIGGER modules_completions_delete AFTER DELETE ON modules
    FOR EACH ROW WHEN (OLD.published) EXECUTE FUNCTION completions_content_changed();
CREATE TRIGGER checks_completions_insert AFTER INSERT ON checks
    FOR EACH ROW EXECUTE FUNCTION completions_content_changed();
CREATE TRIGGER checks_completions_update AFTER UPDATE ON checks
    FOR EACH ROW WHEN (OLD.module_id IS DISTINCT FROM NEW.module_id) EXECUTE FUNCTION completions_content_changed();
CREATE TRIGGER checks_completions_delete AFTER DELETE ON checks
    FOR EACH ROW EXECUTE FUNCTION completions_content_changed();
CREATE TRIGGER programme_shared_modules_completions AFTER INSERT OR DELETE ON programme_shared_modules
    FOR EACH ROW EXECUTE FUNCTION completions_content_changed();
CREATE TRIGGER programme_shared_modules_completions_update AFTER UPDATE ON programme_shared_modules
    FOR EACH ROW WHEN (OLD.programme_id IS DISTINCT FROM NEW.programme_id OR OLD.module_id IS DISTINCT FROM NEW.module_id)
    EXECUTE FUNCTION completions_content_changed();

-- At commit, refresh each stale programme for everyone once. The row may
-- be gone already: its programme was deleted.
-- +goose StatementBegin
CREATE FUNCTION completions_refresh_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM completions_stale WHERE programme_id = NEW.programme_id;
    IF FOUND THEN
        PERFORM refresh_completions(NEW.programme_id, NULL);
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER completions_stale_refresh AFTER INSERT ON completions_stale
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION completions_refresh_stale();

-- Everything done so far.
SELECT refresh_completions(id, NULL) FROM programmes;

-- +goose Down
DROP TRIGGER completions_stale_refresh ON completions_stale;
DROP TRIGGER programme_shared_modules_completions_update ON programme_shared_modules;
DROP TRIGGER programme_shared_modules_completions ON programme_shared_modules;
DROP TRIGGER checks_completions_delete ON checks;
DROP TRIGGER checks_completions_update ON checks;
DROP TRIGGER checks_completions_insert ON checks;
DROP TRIGGER modules_completions_delete ON modules;
DROP TRIGGER modules_completions_update ON modules;
DROP TRIGGER modules_completions_insert ON modules;
DROP TRIGGER lessons_completions_delete ON lessons;
DROP TRIGGER lessons_completions_update ON lessons;
DROP TRIGGER lessons_completions_insert ON lessons;
DROP TRIGGER check_attempts_completions_insert ON check_attempts;
DROP TRIGGER lesson_progress_completions_update ON lesson_progress;
DROP TRIGGER lesson_progress_completions_insert ON lesson_progress;
DROP FUNCTION completions_refresh_stale();
DROP FUNCTION completions_content_changed();
DROP FUNCTION completions_attempts_changed();
DROP FUNCTION completions_progress_changed();
DROP FUNCTION refresh_completions_in_modules(uuid[], uuid[]);
DROP FUNCTION refresh_completions(uuid, uuid[]);
DROP FUNCTION programme_completions(uuid, uuid[]);
ALTER FUNCTION programme_completions_live(uuid, uuid[]) RENAME TO programme_completions;
DROP TABLE completions_stale;
DROP TABLE completions;

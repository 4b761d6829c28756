package cohorts_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"onramp/app/db"
	"onramp/app/testenv"
)

// completionsWorld is a small course written straight into learning's
// tables: programme a with its own module (two lessons and a check),
// programme b with its own module (one lesson) and a shared module (one
// lesson and a check) that a does not include yet, and learners in
// different states.
type completionsWorld struct {
	t                                    *testing.T
	g                                    *gorm.DB
	a, b                                 string // programmes
	modA, modB, shared                   string // modules
	lessonA1, lessonA2, lessonB, lessonS string
	checkA, checkS                       string
	learners                             []string
	clock                                time.Time
}

func newCompletionsWorld(t *testing.T) *completionsWorld {
	return &completionsWorld{t: t, g: testenv.DB(t).Gorm, clock: time.Now().UTC().Add(-24 * time.Hour).Truncate(time.Second)}
}

func (w *completionsWorld) id(query string, args ...any) string {
	w.t.Helper()
	var id string
	if err := w.g.Raw(query+" RETURNING id", args...).Scan(&id).Error; err != nil || id == "" {
		w.t.Fatalf("%s: %v", query, err)
	}
	return id
}

func (w *completionsWorld) exec(query string, args ...any) {
	w.t.Helper()
	if err := w.g.Exec(query, args...).Error; err != nil {
		w.t.Fatalf("%s: %v", query, err)
	}
}

// slug is unique in the package database.
func slug(prefix string) string { return strings.ReplaceAll(testenv.Unique(prefix), " ", "-") }

func (w *completionsWorld) programme() string {
	name := slug("completions")
	return w.id("INSERT INTO programmes (slug, title, published) VALUES (?, ?, true)", name, name)
}

func (w *completionsWorld) module(programme any, position int) string {
	name := slug("module")
	return w.id("INSERT INTO modules (programme_id, shared, slug, title, position, published) VALUES (?, ?, ?, ?, ?, true)",
		programme, programme == nil, name, name, position)
}

func (w *completionsWorld) lesson(module string, position int, published bool) string {
	name := slug("lesson")
	return w.id("INSERT INTO lessons (module_id, slug, title, position, published) VALUES (?, ?, ?, ?, ?)",
		module, name, name, position, published)
}

func (w *completionsWorld) check(module string) string {
	return w.id("INSERT INTO checks (module_id, title, pass_mark) VALUES (?, 'Check', 80)", module)
}

// done records a learner completing a lesson, a minute after the last thing anyone did.
func (w *completionsWorld) done(learner, lesson string) {
	w.clock = w.clock.Add(time.Minute)
	w.exec("INSERT INTO lesson_progress (user_id, lesson_id, completed_at) VALUES (?, ?, ?)", learner, lesson, w.clock)
}

func (w *completionsWorld) try(learner, check string, passed bool) {
	w.clock = w.clock.Add(time.Minute)
	score := 0
	if passed {
		score = 100
	}
	w.exec(`INSERT INTO check_attempts (user_id, check_id, correct, total, score, passed, answers, created_at)
		VALUES (?, ?, ?, 1, ?, ?, '{}', ?)`, learner, check, score/100, score, passed, w.clock)
}

// completions lists who completed a programme and when, as the table
// (fn programme_completions) or the live definition
// (programme_completions_live) says, on g (which may be a transaction).
func (w *completionsWorld) completions(g *gorm.DB, fn, programme string) []string {
	w.t.Helper()
	var rows []struct {
		UserID      string
		CompletedAt time.Time
	}
	if err := g.Raw("SELECT user_id, completed_at FROM "+fn+"(?, CAST(? AS uuid[])) ORDER BY user_id",
		programme, "{"+strings.Join(w.learners, ",")+"}").Scan(&rows).Error; err != nil {
		w.t.Fatal(err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprintf("%s at %s", r.UserID, r.CompletedAt.UTC().Format(time.RFC3339))
	}
	return out
}

// same checks, for both programmes, that the table says what the live
// definition says, and that want learners (by index) completed a.
func (w *completionsWorld) same(g *gorm.DB, after string, want ...int) {
	w.t.Helper()
	for _, p := range []string{w.a, w.b} {
		kept, live := w.completions(g, "programme_completions", p), w.completions(g, "programme_completions_live", p)
		if strings.Join(kept, "\n") != strings.Join(live, "\n") {
			w.t.Errorf("after %s, programme %s:\n the table says %v\n the definition says %v", after, p, kept, live)
		}
	}
	var got []string
	for _, c := range w.completions(g, "programme_completions_live", w.a) {
		got = append(got, c[:36])
	}
	var expected []string
	for _, i := range want {
		expected = append(expected, w.learners[i])
	}
	slices.Sort(got)
	slices.Sort(expected)
	if !slices.Equal(got, expected) {
		w.t.Errorf("after %s, completed a: %v, want %v", after, got, expected)
	}
}

// "Completed" is kept in a table for speed (migration 00018); after every
// kind of change a learner or a content editor can make, it says exactly
// what the one definition says, for both programmes and every learner.
func TestKeptCompletionsAlwaysMatchTheDefinition(t *testing.T) {
	w := newCompletionsWorld(t)
	w.a, w.b = w.programme(), w.programme()
	w.modA, w.modB, w.shared = w.module(w.a, 1), w.module(w.b, 1), w.module(nil, 1)
	w.exec("INSERT INTO programme_shared_modules (programme_id, module_id, after_position) VALUES (?, ?, 1)", w.b, w.shared)
	w.lessonA1, w.lessonA2 = w.lesson(w.modA, 1, true), w.lesson(w.modA, 2, true)
	w.lessonB, w.lessonS = w.lesson(w.modB, 1, true), w.lesson(w.shared, 1, true)
	w.checkA, w.checkS = w.check(w.modA), w.check(w.shared)
	for _, name := range []string{"Ada All", "Pat Partial", "Fay Failed", "Sam Shared", "Nia Nothing"} {
		id, _ := MustCreateLearner(t, name)
		w.learners = append(w.learners, id)
	}
	ada, pat, fay, sam := w.learners[0], w.learners[1], w.learners[2], w.learners[3]
	w.same(w.g, "setting up")

	w.done(ada, w.lessonA1)
	w.done(ada, w.lessonA2)
	w.done(pat, w.lessonA1)
	w.done(fay, w.lessonA1)
	w.done(fay, w.lessonA2)
	w.same(w.g, "completing lessons")
	w.try(ada, w.checkA, false)
	w.try(fay, w.checkA, false)
	w.same(w.g, "failing a check")
	w.try(ada, w.checkA, true)
	w.same(w.g, "passing a check", 0)
	w.try(ada, w.checkA, true)
	w.same(w.g, "passing it again (the first pass counts)", 0)
	// Several learners in one statement, as a fixture or the scale seed writes.
	w.clock = w.clock.Add(time.Minute)
	w.exec(`INSERT INTO lesson_progress (user_id, lesson_id, completed_at) SELECT u, ?, ? FROM unnest(CAST(? AS uuid[])) u`,
		w.lessonB, w.clock, "{"+ada+","+sam+"}")
	w.done(sam, w.lessonS)
	w.try(sam, w.checkS, true)
	w.same(w.g, "completing b, shared module and all", 0)

	// Going over a lesson again moves its time on, and so the completion's.
	w.clock = w.clock.Add(time.Hour)
	w.exec("UPDATE lesson_progress SET completed_at = greatest(completed_at, ?) WHERE user_id = ? AND lesson_id = ?", w.clock, ada, w.lessonA2)
	w.same(w.g, "going over a lesson again", 0)

	newLesson := w.lesson(w.modA, 3, false)
	w.same(w.g, "adding an unpublished lesson", 0)
	w.exec("UPDATE lessons SET published = true WHERE id = ?", newLesson)
	w.same(w.g, "publishing a new lesson (no one has done it)")
	w.exec("UPDATE lessons SET body_md = 'Edited' WHERE id = ?", newLesson)
	w.same(w.g, "editing its text")
	w.exec("UPDATE lessons SET published = false WHERE id = ?", newLesson)
	w.same(w.g, "unpublishing it", 0)
	w.exec("DELETE FROM lessons WHERE id = ?", newLesson)
	w.same(w.g, "deleting it", 0)

	// Inside one transaction the programme reads as the definition says
	// before the commit, and the table agrees after.
	err := testenv.DB(t).WithTx(context.Background(), func(ctx context.Context) error {
		tx := db.Conn(ctx, w.g)
		if err := tx.Exec("UPDATE lessons SET published = true WHERE id = ?", w.lesson(w.modA, 4, false)).Error; err != nil {
			return err
		}
		w.same(tx, "publishing a lesson, before the commit")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	w.same(w.g, "publishing a lesson, after the commit")
	w.exec("UPDATE lessons SET published = false WHERE module_id = ? AND position = 4", w.modA)
	w.same(w.g, "unpublishing it", 0)

	// Pat has every lesson of a but no pass, Sam none of a: including the
	// shared module, with its check, in a changes nothing for Ada (who
	// has not passed it) until she does.
	w.done(pat, w.lessonA2)
	w.exec("INSERT INTO programme_shared_modules (programme_id, module_id, after_position) VALUES (?, ?, 1)", w.a, w.shared)
	w.same(w.g, "adding a shared module to a")
	w.done(ada, w.lessonS)
	w.try(ada, w.checkS, true)
	w.same(w.g, "doing the shared module", 0)
	w.exec("DELETE FROM programme_shared_modules WHERE programme_id = ? AND module_id = ?", w.a, w.shared)
	w.same(w.g, "taking the shared module out again", 0)

	// A new module with a check no one has tried un-completes a; deleting
	// the check completes it again.
	extra := w.module(w.a, 2)
	w.same(w.g, "adding an empty module", 0)
	extraCheck := w.check(extra)
	w.same(w.g, "adding a check to it")
	w.exec("UPDATE modules SET published = false WHERE id = ?", extra)
	w.same(w.g, "unpublishing the module", 0)
	w.exec("UPDATE modules SET published = true WHERE id = ?", extra)
	w.same(w.g, "publishing it again")
	w.exec("DELETE FROM checks WHERE id = ?", extraCheck)
	w.same(w.g, "deleting that check", 0)
	// Moving a module from b to a: b has only the shared module left.
	w.exec("UPDATE modules SET programme_id = ?, position = 3 WHERE id = ?", w.a, w.modB)
	w.same(w.g, "moving a module between programmes", 0)
	w.exec("DELETE FROM modules WHERE id = ?", extra)
	w.same(w.g, "deleting a module", 0)

	var left int
	// Records hold their lessons and checks; only then can a go.
	w.exec("DELETE FROM lesson_progress WHERE lesson_id IN (SELECT id FROM lessons WHERE module_id IN (?, ?))", w.modA, w.modB)
	w.exec("DELETE FROM check_attempts WHERE check_id = ?", w.checkA)
	w.exec("DELETE FROM programme_starts WHERE programme_id = ?", w.a)
	w.exec("DELETE FROM programmes WHERE id = ?", w.a)
	w.g.Raw("SELECT count(*) FROM completions WHERE programme_id = ?", w.a).Scan(&left)
	if left != 0 {
		t.Errorf("a deleted programme keeps %d completions", left)
	}
}

// Two lessons completed at once, in two transactions, each the other's
// last: neither sees the other's record, so without a lock each would
// keep "not completed". The second waits for the first and then sees it.
func TestTwoLastLessonsCompletedAtOnceStillComplete(t *testing.T) {
	w := newCompletionsWorld(t)
	w.a, w.b = w.programme(), w.programme()
	m := w.module(w.a, 1)
	first, second := w.lesson(m, 1, true), w.lesson(m, 2, true)
	learner, _ := MustCreateLearner(t, "Tia Twice")
	w.learners = []string{learner}

	tx := w.g.Begin()
	defer tx.Rollback()
	if err := tx.Exec("INSERT INTO lesson_progress (user_id, lesson_id) VALUES (?, ?)", learner, first).Error; err != nil {
		t.Fatal(err)
	}
	other := make(chan error)
	go func() {
		other <- w.g.Exec("INSERT INTO lesson_progress (user_id, lesson_id) VALUES (?, ?)", learner, second).Error
	}()
	// Until the second waits (or, were there no lock, has written).
	for waiting, until := 0, time.Now().Add(5*time.Second); waiting == 0 && time.Now().Before(until); time.Sleep(10 * time.Millisecond) {
		if err := w.g.Raw(`SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'`).Scan(&waiting).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit().Error; err != nil {
		t.Fatal(err)
	}
	if err := <-other; err != nil {
		t.Fatal(err)
	}
	w.same(w.g, "completing the last two lessons at once", 0)
}

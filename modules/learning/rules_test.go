package learning_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"onramp/app"
	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/config"
	"onramp/app/testenv"
	"onramp/modules/content"
	"onramp/modules/identity"
)

// stepClock moves on a millisecond every time it is read, so every time
// the services record is distinct and in order, without sleeping.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

// newApp builds Onramp over the package database, as the seed does,
// with a clock of its own; nothing is served.
func newApp(t *testing.T) *app.App {
	t.Helper()
	cfg := config.Config{Mode: config.ModeTool, StorageURL: "file://" + t.TempDir(), BodyLimit: "1M", MaxVideoMB: 200,
		MaxFileMB: 20, AuthRateLimit: 1, AuthRateBurst: 1, SessionIdleTimeout: time.Minute, SessionAbsoluteTimeout: time.Hour,
		ReportMinPeople: 20}
	clock := &stepClock{t: time.Now()}
	a, err := app.New(cfg, testenv.DB(t), app.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

var fixtures atomic.Int64

// mustCreateLearner provisions a learner (not signed in yet) through the
// identity service.
func mustCreateLearner(t *testing.T, a *app.App) *auth.User {
	t.Helper()
	n := fixtures.Add(1)
	email := fmt.Sprintf("rules.%d.%d@example.org", time.Now().UnixNano()%1e9, n)
	name := fmt.Sprintf("Rules Learner %d", n)
	id, err := a.Identity.ProvisionLearner(context.Background(), email, name)
	if err != nil || id == "" {
		t.Fatalf("provisioning a learner: %v", err)
	}
	return &auth.User{ID: id, Name: name, Email: email, Roles: []string{auth.RoleLearner}}
}

// mustCreateCohort starts a cohort of the programme in the demo trust,
// running from a week ago for a month, and returns its id.
func mustCreateCohort(t *testing.T, a *app.App, slug string) string {
	t.Helper()
	ctx := context.Background()
	org, err := a.Identity.OrganisationID(ctx, identity.DemoTrust)
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	id, err := a.Cohorts.EnsureCohort(ctx, org, slug, fmt.Sprintf("Rules cohort %d", fixtures.Add(1)), "North East",
		today.AddDate(0, 0, -7), today.AddDate(0, 1, 0), 30)
	if err != nil || id == "" {
		t.Fatalf("creating a %s cohort: %v", slug, err)
	}
	return id
}

func mustEnrol(t *testing.T, a *app.App, cohortID string, u *auth.User) {
	t.Helper()
	if err := a.Cohorts.Enrol(context.Background(), cohortID, u.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func admin(t *testing.T) *auth.User {
	t.Helper()
	return &auth.User{ID: userID(t, "admin@example.org"), Name: "Admin", Roles: []string{auth.RoleAdmin}}
}

// firstModule returns the programme's first module with its check (with
// questions and options).
func firstModule(t *testing.T, a *app.App, slug string) (content.OutlineModule, *content.CheckWithContext) {
	t.Helper()
	ctx := context.Background()
	o, err := a.Content.Catalogue().OutlineBySlug(ctx, slug, false)
	if err != nil || len(o.Modules) == 0 || o.Modules[0].Check == nil {
		t.Fatalf("%s has no first module with a check: %v", slug, err)
	}
	c, err := a.Content.Catalogue().Check(ctx, o.Modules[0].Check.ID)
	if err != nil {
		t.Fatal(err)
	}
	return o.Modules[0], c
}

// answersTo picks the right (or, with right false, a wrong) answer to
// every question: a wrong one is one wrong option, or for a question
// whose options are all right, only the first.
func answersTo(c *content.CheckWithContext, right bool) map[string][]string {
	out := map[string][]string{}
	for _, q := range c.Questions {
		for _, o := range q.Options {
			if o.Correct == right && (right || len(out[q.ID]) == 0) {
				out[q.ID] = append(out[q.ID], o.ID)
			}
		}
		if len(out[q.ID]) == 0 {
			out[q.ID] = []string{q.Options[0].ID}
		}
	}
	return out
}

func count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := testenv.DB(t).Gorm.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestProgressCountsOnlyOnAProgrammeTheLearnerIsOn(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	mod, check := firstModule(t, a, "get-into")
	cases := []struct {
		name string
		// setup puts the learner where the case says and returns a
		// lesson they completed before, if any.
		setup   func(t *testing.T, u *auth.User) string
		refused string // part of the refusal; "" when it must count
	}{
		{"not on any programme", func(*testing.T, *auth.User) string { return "" },
			"Ask your programme manager for a group code"},
		{"on another programme only", func(t *testing.T, u *auth.User) string {
			mustEnrol(t, a, mustCreateCohort(t, a, "step-into-work"), u)
			return ""
		}, "You are not on Get Into yet"},
		{"in a cohort of the programme", func(t *testing.T, u *auth.User) string {
			mustEnrol(t, a, mustCreateCohort(t, a, "get-into"), u)
			return ""
		}, ""},
		{"withdrawn from it", func(t *testing.T, u *auth.User) string {
			cohort := mustCreateCohort(t, a, "get-into")
			mustEnrol(t, a, cohort, u)
			before := mod.Lessons[len(mod.Lessons)-1].ID
			if _, err := a.Learning.CompleteLesson(ctx, u, before); err != nil {
				t.Fatal(err)
			}
			if err := a.Cohorts.Withdraw(ctx, admin(t), cohort, u.ID, "Moved away"); err != nil {
				t.Fatal(err)
			}
			return before
		}, "Your progress so far is kept"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := mustCreateLearner(t, a)
			before := tc.setup(t, u)
			_, readErr := a.Learning.Lesson(ctx, u, mod.Lessons[0].ID)
			_, doneErr := a.Learning.CompleteLesson(ctx, u, mod.Lessons[0].ID)
			_, triedErr := a.Learning.SubmitAttempt(ctx, u, check.ID, 0, answersTo(check, true))
			for what, err := range map[string]error{"reading a lesson": readErr, "completing a lesson": doneErr, "trying the check": triedErr} {
				switch {
				case tc.refused == "" && err != nil:
					t.Errorf("%s: %v", what, err)
				case tc.refused != "" && (err == nil || apperr.As(err).Kind != apperr.Forbidden || !strings.Contains(err.Error(), tc.refused)):
					t.Errorf("%s: %v, want Forbidden saying %q", what, err, tc.refused)
				}
			}
			want := 0
			if tc.refused == "" {
				want = 1
			}
			if n := count(t, "SELECT count(*) FROM lesson_progress WHERE user_id = ? AND lesson_id = ?", u.ID, mod.Lessons[0].ID); n != want {
				t.Errorf("%d completions recorded, want %d", n, want)
			}
			if n := count(t, "SELECT count(*) FROM check_attempts WHERE user_id = ?", u.ID); n != want {
				t.Errorf("%d attempts recorded, want %d", n, want)
			}
			if before != "" { // withdrawn: what they did before is kept and shown
				v, err := a.Learning.Programme(ctx, u, "get-into")
				if err != nil || v.CompletedLessons != 1 || !v.Access.Withdrawn {
					t.Errorf("after withdrawal the programme shows %+v, %v; want the one lesson done before", v.Access, err)
				}
			}
		})
	}
}

// mustCreateOpenProgramme publishes a new programme (no modules) open to
// self-enrolment and returns its slug.
func mustCreateOpenProgramme(t *testing.T, a *app.App) string {
	t.Helper()
	ctx := context.Background()
	slug := fmt.Sprintf("open-test-%d-%d", time.Now().UnixNano()%1e9, fixtures.Add(1))
	id, err := a.Content.CreateProgramme(ctx, "", content.NewItem{Title: "Open test", Slug: slug})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Content.UpdateProgramme(ctx, "", id, content.ProgrammeFields{Title: "Open test", Published: true, OpenEnrolment: true}); err != nil {
		t.Fatal(err)
	}
	return slug
}

func TestStartingAnOpenProgrammeMakesOneEnrolmentHoweverOftenItIsPressed(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	slug := mustCreateOpenProgramme(t, a)
	first, second := mustCreateLearner(t, a), mustCreateLearner(t, a)
	var wg sync.WaitGroup
	var made atomic.Int64
	errs := make(chan error, 16)
	for i := range 16 { // both learners, eight presses each, all at once
		u := first
		if i%2 == 1 {
			u = second
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, added, err := a.Learning.Start(ctx, u, slug)
			if added {
				made.Add(1)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("starting: %v", err)
		}
	}
	if made.Load() != 2 {
		t.Errorf("%d presses reported a new enrolment, want 2 (one a learner)", made.Load())
	}
	if n := count(t, `SELECT count(*) FROM cohorts c JOIN programmes p ON p.id = c.programme_id
		WHERE p.slug = ? AND c.self_enrolment AND c.organisation_id IS NULL`, slug); n != 1 {
		t.Errorf("%d self-enrolment cohorts, want 1", n)
	}
	for _, u := range []*auth.User{first, second} {
		if n := count(t, `SELECT count(*) FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id
			JOIN programmes p ON p.id = c.programme_id WHERE p.slug = ? AND e.user_id = ?`, slug, u.ID); n != 1 {
			t.Errorf("%s has %d enrolments, want 1", u.Name, n)
		}
		if n := count(t, `SELECT count(*) FROM audit_events WHERE actor_id = ? AND action = 'cohort.self_enrolled'`, u.ID); n != 1 {
			t.Errorf("%s's start was audited %d times, want once", u.Name, n)
		}
		v, err := a.Learning.Programme(ctx, u, slug)
		if err != nil || !v.Access.Enrolled || !v.Access.SelfEnrolled || v.Access.CanStart {
			t.Errorf("after starting, %s's access is %+v (%v)", u.Name, v.Access, err)
		}
	}
}

func TestOnlyAnOpenProgrammeCanBeStartedAndAGroupNeedsNoSecondEnrolment(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	u := mustCreateLearner(t, a)
	if _, _, err := a.Learning.Start(ctx, u, "step-into-work"); err == nil || apperr.As(err).Kind != apperr.Forbidden ||
		!strings.Contains(err.Error(), "/join") {
		t.Errorf("starting a closed programme: %v, want Forbidden pointing to /join", err)
	}
	if _, _, err := a.Learning.Start(ctx, u, "no-such-programme"); err == nil || apperr.As(err).Kind != apperr.NotFound {
		t.Errorf("starting a missing programme: %v, want NotFound", err)
	}
	slug := mustCreateOpenProgramme(t, a)
	o, err := a.Content.Catalogue().OutlineBySlug(ctx, slug, false)
	if err != nil {
		t.Fatal(err)
	}
	org, _ := a.Identity.OrganisationID(ctx, identity.DemoTrust)
	cohort, err := a.Cohorts.EnsureCohort(ctx, org, slug, "Open test group", "", time.Now(), time.Now().AddDate(0, 1, 0), 10)
	if err != nil {
		t.Fatal(err)
	}
	mustEnrol(t, a, cohort, u)
	if e, added, err := a.Learning.Start(ctx, u, slug); err != nil || added || e.Enrolment.CohortID != cohort {
		t.Errorf("starting a programme they have a group for: %+v, added %v, %v; want their group's enrolment, nothing added", e, added, err)
	}
	if n := count(t, "SELECT count(*) FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id WHERE c.programme_id = ? AND e.user_id = ?",
		o.Programme.ID, u.ID); n != 1 {
		t.Errorf("%d enrolments on %s, want the group's only", n, slug)
	}
}

func TestACheckFailedTwiceWaitsUntilItsLessonsAreGoneOverAgain(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	mod, check := firstModule(t, a, "get-into")
	u := mustCreateLearner(t, a)
	mustEnrol(t, a, mustCreateCohort(t, a, "get-into"), u)
	for _, l := range mod.Lessons {
		if _, err := a.Learning.CompleteLesson(ctx, u, l.ID); err != nil {
			t.Fatal(err)
		}
	}
	wrong, right := answersTo(check, false), answersTo(check, true)
	try := func(answers map[string][]string) error {
		_, err := a.Learning.SubmitAttempt(ctx, u, check.ID, 0, answers)
		return err
	}
	attempts := func() int {
		return count(t, "SELECT count(*) FROM check_attempts WHERE user_id = ? AND check_id = ?", u.ID, check.ID)
	}
	revisit := func() []string {
		v, err := a.Learning.Check(ctx, u, check.ID)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, l := range v.Module.Revisit {
			ids = append(ids, l.ID)
		}
		return ids
	}
	if err := try(wrong); err != nil {
		t.Fatal(err)
	}
	if got := revisit(); got != nil {
		t.Fatalf("after one failure, lessons to go over: %v", got)
	}
	// The second failure, sent five times at once: one is recorded, the
	// rest meet the rule it brings in.
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() { defer wg.Done(); _ = try(wrong) }()
	}
	wg.Wait()
	if n := attempts(); n != 2 {
		t.Fatalf("%d attempts recorded after the second failure sent five times, want 2", n)
	}
	err := try(right)
	if e := apperr.As(err); err == nil || e.Kind != apperr.Conflict || !strings.Contains(e.Message, mod.Title) ||
		!strings.Contains(e.Message, "mark each one as done again") {
		t.Fatalf("a third try straight away: %v, want Conflict naming %q and what to do", err, mod.Title)
	}
	if got := revisit(); len(got) != len(mod.Lessons) {
		t.Fatalf("lessons to go over: %v, want all %d of %s", got, len(mod.Lessons), mod.Title)
	}
	for i, l := range mod.Lessons {
		if err := try(right); err == nil {
			t.Fatalf("a try accepted with %d of %d lessons gone over", i, len(mod.Lessons))
		}
		v, err := a.Learning.Lesson(ctx, u, l.ID)
		if err != nil || !v.Revisit {
			t.Fatalf("lesson %d does not ask to be read again: %+v %v", i+1, v, err)
		}
		if _, err := a.Learning.CompleteLesson(ctx, u, l.ID); err != nil {
			t.Fatal(err)
		}
	}
	if got := revisit(); got != nil {
		t.Errorf("after going over every lesson, still to go over: %v", got)
	}
	res, err := a.Learning.SubmitAttempt(ctx, u, check.ID, 0, right)
	if err != nil || !res.Passed {
		t.Fatalf("a try after going over the lessons: %+v, %v", res, err)
	}
	if n := attempts(); n != 3 {
		t.Errorf("%d attempts recorded, want 3 (refused tries are not attempts)", n)
	}
}

func TestFailedFeedbackNeverNamesTheRightAnswerToAMissedQuestion(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	for _, slug := range []string{"get-started", "get-into", "step-into-work"} {
		_, check := firstModule(t, a, slug)
		u := mustCreateLearner(t, a)
		mustEnrol(t, a, mustCreateCohort(t, a, slug), u)
		res, err := a.Learning.SubmitAttempt(ctx, u, check.ID, 0, answersTo(check, false))
		if err != nil || res.Passed {
			t.Fatalf("%s: all wrong: %+v %v", slug, res, err)
		}
		for i, q := range check.Questions {
			f := res.Feedback[i]
			if len(f.Messages) == 0 || len(f.Missed) != 0 {
				t.Errorf("%s, %q: messages %q, missed %q; want an explanation and nothing missed named", slug, q.Text, f.Messages, f.Missed)
			}
			said := strings.ToLower(strings.Join(f.Messages, " ") + " " + strings.Join(f.Chosen, " "))
			for _, o := range q.Options {
				missed := o.Correct && !contains(f.Chosen, o.ID)
				if missed && (strings.Contains(said, o.ID) || strings.Contains(said, strings.ToLower(o.Text))) {
					t.Errorf("%s, %q: the feedback gives away %q: %s", slug, q.Text, o.Text, said)
				}
			}
		}
	}
}

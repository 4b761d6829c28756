package mentoring_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/db"
	"onramp/app/testenv"
	"onramp/modules/audit"
	"onramp/modules/identity"
	"onramp/modules/mentoring"
	"onramp/modules/notify"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// recorder is a Notifier that keeps every notice.
type recorder struct {
	mu      sync.Mutex
	notices []notify.Notification
}

func (r *recorder) Notify(_ context.Context, n notify.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notices = append(r.notices, n)
	return nil
}

func (r *recorder) to(userID, kind string) []notify.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []notify.Notification
	for _, n := range r.notices {
		if n.UserID == userID && n.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

// clock is a movable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// world is one test's organisation, cohort and manager, with a service on
// a clock that starts today.
type world struct {
	t       *testing.T
	f       *testenv.Fixtures
	svc     *mentoring.Service
	notes   *recorder
	clock   *clock
	cohort  string
	manager *auth.User
	lang    string // a language only this test's people speak
}

func newWorld(t *testing.T) *world {
	t.Helper()
	f := testenv.NewFixtures(t)
	org := f.Organisation("Mentoring test trust", "trust")
	today := time.Now().UTC().Truncate(24 * time.Hour)
	cohort, _ := f.Cohort(testenv.Cohort{Organisation: org, Programme: "get-into", Starts: today.AddDate(0, 0, -30), Ends: today.AddDate(0, 0, -2)})
	mgrID, _ := f.Learner(testenv.Learner{Name: "Test Manager"})
	w := &world{t: t, f: f, notes: &recorder{}, clock: &clock{t: today.Add(9 * time.Hour)}, cohort: cohort,
		manager: &auth.User{ID: mgrID, Roles: []string{auth.RoleManager}, OrganisationID: org},
		lang:    strings.ReplaceAll(testenv.Unique("Lang"), " ", "")}
	w.svc = mentoring.NewService(testenv.DB(t), w.notes, nil, audit.New(testenv.DB(t).Gorm), w.clock.now)
	return w
}

// learner enrols a learner of the given age (0: no date of birth) who
// prefers nursing, speaks the test's language first and is free on
// weekday evenings.
func (w *world) learner(name string, age int) string {
	w.t.Helper()
	l := testenv.Learner{Name: name}
	if age > 0 {
		dob := w.clock.now().AddDate(-age, 0, -10)
		l.DateOfBirth = &dob
	}
	id, _ := w.f.Learner(l)
	w.f.Enrol(w.cohort, id, time.Time{})
	if err := w.svc.SavePreferences(context.Background(), id, mentoring.PreferencesInput{Interests: []string{"nursing_midwifery"},
		Languages: w.lang + ", English", Availability: []string{"weekday_evening"}, Region: "North East"}); err != nil {
		w.t.Fatal(err)
	}
	return id
}

// mentor makes a mentor who is the ideal match for the test's learners,
// with the given checks (nil: none recorded).
func (w *world) mentor(name string, capacity string, v *mentoring.Vetting) string {
	w.t.Helper()
	id, _ := w.f.Learner(testenv.Learner{Name: name})
	ctx := context.Background()
	if err := w.svc.SaveProfileFor(ctx, id, mentoring.ProfileInput{JobRole: "Nurse", CareerFamily: "nursing_midwifery",
		Region: "North East", Languages: w.lang + ", English", Interests: []string{"nursing_midwifery"},
		Availability: []string{"weekday_evening"}, Capacity: capacity, Bio: "I am a nurse."}); err != nil {
		w.t.Fatal(err)
	}
	if v != nil {
		v.UserID, v.RecordedBy = id, w.manager.ID
		if err := w.svc.RecordVettingFor(ctx, *v); err != nil {
			w.t.Fatal(err)
		}
	}
	return id
}

func (w *world) cleared(yearsAgo int, under18 bool) *mentoring.Vetting {
	dbs := w.clock.now().AddDate(-yearsAgo, 0, -1)
	training := w.clock.now().AddDate(0, -2, 0)
	return &mentoring.Vetting{DBSEnhancedBarred: true, DBSCertificateOn: &dbs, SafeguardingTrainingOn: &training,
		ReferencesOK: true, ApprovedUnder18: under18}
}

// proposals maps each learner of the test's organisation to the mentor
// proposed for them.
func (w *world) proposals() map[string]mentoring.Mentorship {
	w.t.Helper()
	v, err := w.svc.Matching(context.Background(), w.manager)
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[string]mentoring.Mentorship{}
	for _, p := range v.Proposals {
		out[p.LearnerID] = p
	}
	return out
}

func TestEligibilityNeedsVettingAValidDBSAndCurrentTraining(t *testing.T) {
	today := time.Date(2027, 6, 15, 0, 0, 0, 0, time.UTC)
	d := func(y, m, day int) *time.Time { t := time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC); return &t }
	ok := mentoring.Vetting{DBSEnhancedBarred: true, DBSCertificateOn: d(2025, 1, 1), SafeguardingTrainingOn: d(2026, 1, 1), ReferencesOK: true}
	with := func(f func(v *mentoring.Vetting)) *mentoring.Vetting { v := ok; f(&v); return &v }
	for _, c := range []struct {
		name     string
		v        *mentoring.Vetting
		eligible bool
		soon     bool
	}{
		{"nothing recorded", nil, false, false},
		{"all checks done", &ok, true, false},
		{"no enhanced DBS with barred list", with(func(v *mentoring.Vetting) { v.DBSEnhancedBarred = false }), false, false},
		{"references not confirmed", with(func(v *mentoring.Vetting) { v.ReferencesOK = false }), false, false},
		{"DBS over three years, not on Update Service", with(func(v *mentoring.Vetting) { v.DBSCertificateOn = d(2024, 6, 15) }), false, false},
		{"DBS over three years, on Update Service", with(func(v *mentoring.Vetting) { v.DBSCertificateOn = d(2020, 1, 1); v.DBSUpdateService = true }), true, false},
		{"DBS due within 30 days", with(func(v *mentoring.Vetting) { v.DBSCertificateOn = d(2024, 7, 10) }), true, true},
		{"no training", with(func(v *mentoring.Vetting) { v.SafeguardingTrainingOn = nil }), false, false},
		{"training over three years old", with(func(v *mentoring.Vetting) { v.SafeguardingTrainingOn = d(2024, 6, 1) }), false, false},
		{"training due within 30 days", with(func(v *mentoring.Vetting) { v.SafeguardingTrainingOn = d(2024, 7, 1) }), true, true},
	} {
		e := mentoring.Eligible(c.v, today)
		if e.Eligible != c.eligible || (len(e.DueSoon) > 0) != c.soon {
			t.Errorf("%s: eligible %v (%v), due soon %v; want %v, %v", c.name, e.Eligible, e.Reasons, e.DueSoon, c.eligible, c.soon)
		}
		if !e.Eligible && len(e.Reasons) == 0 {
			t.Errorf("%s: refused without a reason", c.name)
		}
	}
}

func TestIneligibleMentorsAndUnapprovedMentorsForUnder18sAreNeverProposed(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	expired := w.cleared(4, true) // DBS four years old, not on the Update Service
	unvetted := w.mentor("Una Vetted", "5", nil)
	stale := w.mentor("Stan Expired", "5", expired)
	adultsOnly := w.mentor("Ada Adults", "2", w.cleared(1, false))
	young := w.learner("Young Learner", 17)
	adult := w.learner("Adult Learner", 25)

	proposed, err := w.svc.RunMatching(ctx, w.manager)
	if err != nil {
		t.Fatal(err)
	}
	if len(proposed) < 1 {
		t.Fatalf("%d proposals, want at least the adult's", len(proposed))
	}
	got := w.proposals()
	for _, bad := range []string{unvetted, stale} {
		for who, p := range got {
			if p.MentorID == bad {
				t.Errorf("learner %s was proposed an ineligible mentor %s", who, p.MentorName)
			}
		}
	}
	if p, ok := got[young]; ok && p.MentorID == adultsOnly {
		t.Errorf("the 17-year-old was proposed a mentor not approved for under-18s")
	}
	if p := got[adult]; p.MentorID != adultsOnly {
		t.Errorf("the adult was proposed %q, want the best eligible match Ada", p.MentorName)
	}
	// Swapping to an ineligible mentor is refused with the reason.
	if p, ok := got[young]; ok {
		_, err := w.svc.Swap(ctx, w.manager, p.ID, adultsOnly)
		if e := apperr.As(err); err == nil || e.Kind != apperr.Conflict || !strings.Contains(e.Message, "under 18") {
			t.Errorf("swapping the 17-year-old to an adults-only mentor: %v", err)
		}
	}
	_, err = w.svc.Swap(ctx, w.manager, got[adult].ID, stale)
	if e := apperr.As(err); err == nil || !strings.Contains(e.Message, "not cleared") {
		t.Errorf("swapping to a mentor with an expired DBS: %v", err)
	}
}

func TestApprovedMentorshipRunsSixMonthsAndTheSweepRemindsThenEndsIt(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	mentor := w.mentor("Mo Mentor", "1", w.cleared(1, true))
	learner := w.learner("Lee Learner", 19)
	if _, err := w.svc.RunMatching(ctx, w.manager); err != nil {
		t.Fatal(err)
	}
	p, ok := w.proposals()[learner]
	if !ok || p.MentorID != mentor {
		t.Fatalf("proposal %+v, want Mo", p)
	}
	if _, err := w.svc.Approve(ctx, w.manager, p.ID); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{learner, mentor} {
		if len(w.notes.to(who, "mentorship_started")) != 1 {
			t.Errorf("%s was not told of the match once", who)
		}
	}
	m, err := w.svc.Mentorship(ctx, &auth.User{ID: learner}, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	start := w.clock.now().UTC().Truncate(24 * time.Hour)
	if m.Status != "active" || !m.StartsOn.Equal(start) || !m.EndsOn.Equal(start.AddDate(0, 6, 0)) && start.Day() <= 28 {
		t.Fatalf("mentorship %s from %v to %v, want active from %v for six months", m.Status, m.StartsOn, m.EndsOn, start)
	}

	// A month before the end: both are reminded, once.
	w.clock.set(m.EndsOn.AddDate(0, -1, 0).Add(10 * time.Hour))
	for range 2 {
		if err := w.svc.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, who := range []string{learner, mentor} {
		if got := w.notes.to(who, "mentorship_ending_soon"); len(got) != 1 {
			t.Errorf("%s got %d one-month reminders, want 1", who, len(got))
		}
		if len(w.notes.to(who, "mentorship_ended")) != 0 {
			t.Errorf("%s was told it ended a month early", who)
		}
	}

	// Six months on: it ends, both are told and asked for the survey.
	w.clock.set(m.EndsOn.Add(8 * time.Hour))
	for range 2 {
		if err := w.svc.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, who := range []string{learner, mentor} {
		got := w.notes.to(who, "mentorship_ended")
		if len(got) != 1 || !strings.HasSuffix(got[0].Link, "/mentoring/mentorships/"+p.ID+"/survey") {
			t.Errorf("%s got end notices %+v, want one linking to the survey", who, got)
		}
		for _, n := range got {
			if strings.Contains(n.Body, "Learner") || strings.Contains(n.Body, "Mentor Mo") {
				t.Errorf("a notice carries a surname: %q", n.Body)
			}
		}
	}
	m, err = w.svc.Mentorship(ctx, &auth.User{ID: mentor}, p.ID)
	if err != nil || m.Status != "ended" {
		t.Fatalf("after six months: %s, %v", m.Status, err)
	}
	if err := w.svc.SubmitSurvey(ctx, &auth.User{ID: learner}, p.ID, mentoring.SurveyInput{Useful: "5", HelpedWork: "yes"}); err != nil {
		t.Fatal(err)
	}
	v, err := w.svc.Matching(ctx, w.manager)
	if err != nil || v.HelpedWork["yes"] != 1 {
		t.Errorf("manager sees helped-work answers %v, %v; want one yes", v.HelpedWork, err)
	}
}

func TestOneActiveMentorshipPerLearnerHoldsUnderConcurrentApprovals(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	mentor := w.mentor("Cora Current", "2", w.cleared(1, true))
	other := w.mentor("Otto Other", "2", w.cleared(1, true))
	learner := w.learner("Cam Concurrent", 20)
	if _, err := w.svc.RunMatching(ctx, w.manager); err != nil {
		t.Fatal(err)
	}
	p := w.proposals()[learner]
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); _, errs[i] = w.svc.Approve(ctx, w.manager, p.ID) }()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if apperr.As(err).Kind != apperr.Conflict {
			t.Errorf("a concurrent approval failed with %v, want a conflict", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d approvals succeeded, want exactly 1", ok)
	}
	// The database itself refuses a second open mentorship for the learner.
	d := testenv.DB(t)
	second := other
	if p.MentorID == other {
		second = mentor
	}
	err := d.Gorm.Exec(`INSERT INTO mentorships (learner_id, mentor_id, organisation_id, status, proposed_at, approved_at, starts_on, ends_on)
		VALUES (?, ?, ?, 'active', now(), now(), current_date, (current_date + interval '6 months')::date)`,
		learner, second, w.manager.OrganisationID).Error
	if !db.IsUniqueViolation(err) {
		t.Errorf("a second active mentorship was not refused by the database: %v", err)
	}
}

func TestMentorNoLongerClearedIsFlaggedToLeadsOnce(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	v := w.cleared(1, true)
	mentor := w.mentor("Fay Flagged", "1", v)
	learner := w.learner("Flo Flagged", 22)
	if _, err := w.svc.RunMatching(ctx, w.manager); err != nil {
		t.Fatal(err)
	}
	p := w.proposals()[learner]
	if p.MentorID != mentor {
		t.Fatalf("proposed %s, want Fay", p.MentorName)
	}
	if _, err := w.svc.Approve(ctx, w.manager, p.ID); err != nil {
		t.Fatal(err)
	}
	v.ReferencesOK = false
	v.RecordedAt = w.clock.now().Add(time.Minute)
	if err := w.svc.RecordVettingFor(ctx, *v); err != nil {
		t.Fatal(err)
	}
	// A safeguarding lead by grant (demo leads hold the role by claim only
	// once they have signed in).
	lead, _ := w.f.Learner(testenv.Learner{Name: "Lena Lead"})
	d := testenv.DB(t)
	people := identity.NewService(d, audit.New(d.Gorm), time.Now)
	if err := people.GrantRole(ctx, w.manager, lead, auth.RoleSafeguardingLead); err != nil {
		t.Fatal(err)
	}
	before := len(w.notes.to(lead, "mentor_not_cleared"))
	for range 2 {
		if err := w.svc.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var flags int
	for _, n := range w.notes.to(lead, "mentor_not_cleared")[before:] {
		if strings.Contains(n.Link, mentor) {
			flags++
		}
	}
	if flags != 1 {
		t.Errorf("the lead was flagged %d times about Fay's mentorship, want 1", flags)
	}
}

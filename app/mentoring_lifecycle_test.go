package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"onramp/app"
	"onramp/app/auth"
	"onramp/app/config"
	"onramp/app/db"
	"onramp/app/testenv"
	"onramp/modules/identity"
	"onramp/modules/mentoring"
	"onramp/modules/notify"
)

// movableClock is the app's clock in a test that moves time on.
type movableClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *movableClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *movableClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// isolatedServer starts Onramp on a database of its own, migrated and
// seeded, with a movable clock and email through a real SMTP server.
// The mentoring sweep acts on every mentorship in its database, so a test
// that moves the clock months on must not share the package database:
// it would end the demo mentorship other tests read.
func isolatedServer(t *testing.T, clk *movableClock, smtpURL string, loadUsers int) *testenv.Server {
	t.Helper()
	u := testenv.NewDatabase(t)
	ctx := context.Background()
	d, err := db.Open(ctx, u, 2)
	if err != nil {
		t.Fatal(err)
	}
	err = d.MigrateUp(ctx)
	d.Close()
	if err != nil {
		t.Fatal(err)
	}
	return testenv.NewServer(t, func(cfg *config.Config, o *app.Options) {
		cfg.DatabaseURL, cfg.SMTPURL, cfg.DevLoadUsers = u, smtpURL, loadUsers
		o.Now = clk.Now
	})
}

// lifecyclePerson is one of the test's people: a dev identity provider
// load user, so they can sign in.
type lifecyclePerson struct {
	id, email, first, last string
}

func loadPerson(t *testing.T, srv *testenv.Server, i int) lifecyclePerson {
	t.Helper()
	name := identity.DemoLearnerName(i)
	first, last, _ := strings.Cut(name, " ")
	p := lifecyclePerson{email: app.LoadUserEmail(i), first: first, last: last}
	adult := time.Now().AddDate(-20, 0, 0)
	id, _, err := srv.App.Identity.Provision(context.Background(), p.email, name, "", &adult)
	if err != nil {
		t.Fatal(err)
	}
	p.id = id
	return p
}

// inbox is a person's in-app notifications, read through the API.
func inbox(t *testing.T, c *testenv.Client) []notify.Item {
	t.Helper()
	var in notify.Inbox
	c.JSON("/api/v1/notifications", &in)
	return in.Items
}

func ofKind(items []notify.Item, kind string) []notify.Item {
	var out []notify.Item
	for _, n := range items {
		if n.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

// mailsTo is the mail the server received for address.
func mailsTo(ms *testenv.MailServer, address string) []testenv.Mail {
	var out []testenv.Mail
	for _, m := range ms.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, address) {
				out = append(out, m)
			}
		}
	}
	return out
}

// emailedEverything waits until each person has had exactly one email
// per in-app notification (everyone gets email unless they turn it off),
// and fails if more arrive.
func emailedEverything(t *testing.T, ms *testenv.MailServer, people map[lifecyclePerson]*testenv.Client) {
	t.Helper()
	for p, c := range people {
		want := len(inbox(t, c))
		deadline := time.Now().Add(15 * time.Second)
		for len(mailsTo(ms, p.email)) < want && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if got := len(mailsTo(ms, p.email)); got != want {
			t.Fatalf("%s has %d notifications and %d emails, want one email each", p.email, want, got)
		}
	}
}

// checkEmails requires every email to p to greet them by first name and
// carry a link, and nothing else about them, the other person or the
// mentorship.
func checkEmails(t *testing.T, ms *testenv.MailServer, base string, p lifecyclePerson, forbidden []string) {
	t.Helper()
	for _, m := range mailsTo(ms, p.email) {
		text := m.Subject + "\n" + m.Body
		if !strings.Contains(m.Body, "Hello "+p.first+",") {
			t.Errorf("email to %s does not greet them by first name:\n%s", p.email, m.Body)
		}
		if !strings.Contains(m.Body, base+"/notifications") {
			t.Errorf("email to %s has no link to their notifications:\n%s", p.email, m.Body)
		}
		for _, w := range forbidden {
			if strings.Contains(strings.ToLower(m.Raw), strings.ToLower(w)) || strings.Contains(strings.ToLower(text), strings.ToLower(w)) {
				t.Errorf("email to %s carries %q:\n%s", p.email, w, m.Raw)
			}
		}
	}
}

// TestMentoringLifecycleEndsAfterSixMonthsWithReminderSurveyAndPlainEmails
// runs a mentorship from matching to its end on a moved clock through the
// real app: a manager matches and approves; five months on the sweep
// warns both people it ends in a month; six months on it has ended (the
// API shows it ended six months after it started), both are told and
// asked for the close survey, and each can answer it. Every notice is
// also emailed through a real SMTP server, and every email carries the
// person's first name and a link, never a surname, the other person or
// anything about the mentorship.
func TestMentoringLifecycleEndsAfterSixMonthsWithReminderSurveyAndPlainEmails(t *testing.T) {
	ctx := context.Background()
	start := time.Now().UTC()
	clk := &movableClock{t: start}
	mail := testenv.SMTP(t)
	srv := isolatedServer(t, clk, mail.URL, 3)

	// A fresh organisation with a learner on Get Into, a vetted mentor
	// who suits them, and a manager.
	learner, mentor, manager := loadPerson(t, srv, 0), loadPerson(t, srv, 1), loadPerson(t, srv, 2)
	adminID, _, err := srv.App.Identity.Provision(ctx, "admin@example.org", "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	admin := &auth.User{ID: adminID, Roles: []string{auth.RoleAdmin}}
	org, err := srv.App.Identity.EnsureOrganisation(ctx, testenv.Unique("Lifecycle trust"), "trust")
	if err != nil {
		t.Fatal(err)
	}
	today := start.Truncate(24 * time.Hour)
	cohort, err := srv.App.Cohorts.EnsureCohort(ctx, org, "get-into", testenv.Unique("Lifecycle cohort"), "", today.AddDate(0, 0, -30), today.AddDate(0, 0, 12), 30)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.App.Cohorts.Enrol(ctx, cohort, learner.id, start.AddDate(0, 0, -30)); err != nil {
		t.Fatal(err)
	}
	for _, g := range []struct{ who, role string }{{mentor.id, auth.RoleMentor}, {manager.id, auth.RoleManager}} {
		if err := srv.App.Identity.GrantRole(ctx, admin, g.who, g.role); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.App.Identity.SetOrganisation(ctx, admin, manager.id, org); err != nil {
		t.Fatal(err)
	}
	lang := strings.ReplaceAll(testenv.Unique("Lang"), " ", "")
	if err := srv.App.Mentoring.SavePreferences(ctx, learner.id, mentoring.PreferencesInput{Interests: []string{"estates_facilities"},
		Region: "North West", Languages: lang + ", English", Availability: []string{"weekend"}}); err != nil {
		t.Fatal(err)
	}
	if err := srv.App.Mentoring.SaveProfileFor(ctx, mentor.id, mentoring.ProfileInput{JobRole: "Estates officer", CareerFamily: "estates_facilities",
		Region: "North West", Languages: lang + ", English", Interests: []string{"estates_facilities"}, Availability: []string{"weekend"},
		Capacity: "2", Bio: "I look after hospital buildings."}); err != nil {
		t.Fatal(err)
	}
	dbs, training := start.AddDate(-1, 0, 0), start.AddDate(0, -1, 0)
	if err := srv.App.Mentoring.RecordVettingFor(ctx, mentoring.Vetting{UserID: mentor.id, DBSEnhancedBarred: true, DBSCertificateOn: &dbs,
		SafeguardingTrainingOn: &training, ReferencesOK: true, ApprovedUnder18: true, RecordedBy: adminID}); err != nil {
		t.Fatal(err)
	}

	// The manager runs matching and approves the proposal on their page.
	boss := srv.SignIn(t, manager.email)
	resp := boss.PostForm("/manage/mentoring/match", nil)
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.RawQuery, "done=matched-1") {
		t.Fatalf("running matching ended %d at %s:\n%.2000s", resp.StatusCode, resp.Request.URL, body)
	}
	view, err := srv.App.Mentoring.Matching(ctx, &auth.User{ID: manager.id, Roles: []string{auth.RoleManager}, OrganisationID: org})
	if err != nil || len(view.Proposals) != 1 || view.Proposals[0].LearnerID != learner.id {
		t.Fatalf("the manager's proposals: %+v, %v; want one for the learner", view, err)
	}
	proposal := view.Proposals[0]
	if proposal.MentorID != mentor.id {
		resp := boss.PostForm("/manage/mentoring/proposals/"+proposal.ID+"/swap", url.Values{"mentor": {mentor.id}})
		if body := testenv.Body(t, resp); resp.StatusCode != http.StatusOK {
			t.Fatalf("swapping to the test's mentor: %d\n%.2000s", resp.StatusCode, body)
		}
	}
	resp = boss.PostForm("/manage/mentoring/proposals/"+proposal.ID+"/approve", nil)
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.RawQuery, "done=approved") {
		t.Fatalf("approving ended %d at %s:\n%.2000s", resp.StatusCode, resp.Request.URL, body)
	}

	signInBoth := func() map[lifecyclePerson]*testenv.Client {
		return map[lifecyclePerson]*testenv.Client{learner: srv.SignIn(t, learner.email), mentor: srv.SignIn(t, mentor.email)}
	}
	people := signInBoth()
	var m mentorshipDoc
	people[learner].JSON("/api/v1/mentorships/"+proposal.ID, &m)
	startsOn := today.Format("2006-01-02")
	endsOn := today.AddDate(0, 6, 0).Format("2006-01-02")
	if m.Status != "active" || m.StartsOn != startsOn || m.EndsOn != endsOn || m.OtherFirstName != mentor.first {
		t.Fatalf("after approval the learner sees %+v; want active from %s to %s with %s", m, startsOn, endsOn, mentor.first)
	}
	for p, c := range people {
		if got := ofKind(inbox(t, c), "mentorship_started"); len(got) != 1 {
			t.Errorf("%s was told of the match %d times, want once", p.email, len(got))
		}
	}
	emailedEverything(t, mail, people)

	// Five months on, the sweep (as the job queue runs it) warns both.
	sweep := func(at time.Time) {
		t.Helper()
		clk.Set(at)
		if err := srv.App.Jobs.RunPeriodic(ctx, app.MentoringSweepJob); err != nil {
			t.Fatal(err)
		}
	}
	sweep(start.AddDate(0, 5, 0))
	people = signInBoth()
	for p, c := range people {
		var warned []notify.Item
		for deadline := time.Now().Add(15 * time.Second); len(warned) == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			warned = ofKind(inbox(t, c), "mentorship_ending_soon")
		}
		if len(warned) != 1 {
			t.Fatalf("five months on, %s has %d \"ending in one month\" notices, want 1", p.email, len(warned))
		}
		if !strings.Contains(warned[0].Title, "ends in one month") || !strings.Contains(warned[0].Body, today.AddDate(0, 6, 0).Format("2 January 2006")) {
			t.Errorf("%s's warning: %+v", p.email, warned[0])
		}
	}
	people[mentor].JSON("/api/v1/mentorships/"+proposal.ID, &m)
	if m.Status != "active" {
		t.Fatalf("five months on the mentorship is %s, want still active", m.Status)
	}
	emailedEverything(t, mail, people)

	// Six months on, it has ended: both are told and asked for the close
	// survey, and each can answer it.
	sweep(start.AddDate(0, 6, 0))
	people = signInBoth()
	survey := "/mentoring/mentorships/" + proposal.ID + "/survey"
	for p, c := range people {
		var ended []notify.Item
		for deadline := time.Now().Add(15 * time.Second); len(ended) == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			ended = ofKind(inbox(t, c), "mentorship_ended")
		}
		if len(ended) != 1 || ended[0].Link != survey {
			t.Fatalf("six months on, %s has %+v; want one ended notice linking to %s", p.email, ended, survey)
		}
		other := map[lifecyclePerson]string{learner: mentor.first, mentor: learner.first}[p]
		if !strings.Contains(ended[0].Body, other) {
			t.Errorf("%s's ended notice does not name %s: %q", p.email, other, ended[0].Body)
		}
		c.JSON("/api/v1/mentorships/"+proposal.ID, &m)
		if m.Status != "ended" || m.StartsOn != startsOn || m.EndsOn != endsOn {
			t.Errorf("six months on %s sees %+v; want ended, %s to %s", p.email, m, startsOn, endsOn)
		}
		resp := c.Get(survey)
		if body := testenv.Body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="helped-work"`) || !strings.Contains(body, `name="useful"`) {
			t.Fatalf("%s's close survey: %d\n%.2000s", p.email, resp.StatusCode, body)
		}
		resp = c.PostForm(survey, url.Values{"useful": {"4"}, "helped-work": {"not_yet"}, "comment": {"Good chats."}})
		if body := testenv.Body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.RawQuery, "done=survey") {
			t.Errorf("%s answering the survey ended %d at %s:\n%.2000s", p.email, resp.StatusCode, resp.Request.URL, body)
		}
	}
	var answers int
	srv.App.DB.Gorm.Raw("SELECT count(*) FROM mentorship_surveys WHERE mentorship_id = ?", proposal.ID).Scan(&answers)
	if answers != 2 {
		t.Errorf("%d survey answers recorded, want one from each side", answers)
	}
	emailedEverything(t, mail, people)

	// At least the match, the warning and the end reached each person by
	// email, and none said more than hello and where to look.
	forbidden := []string{learner.last, mentor.last, "mentor", "mentee", "six months", "one month", "survey", "finished",
		"ended", "Estates", lang, endsOn, today.AddDate(0, 6, 0).Format("2 January 2006")}
	for _, p := range []lifecyclePerson{learner, mentor} {
		if n := len(mailsTo(mail, p.email)); n < 3 {
			t.Errorf("%s got %d emails, want at least 3", p.email, n)
		}
		other := map[lifecyclePerson]string{learner: mentor.first, mentor: learner.first}[p]
		checkEmails(t, mail, srv.URL, p, append(forbidden, other))
	}
}

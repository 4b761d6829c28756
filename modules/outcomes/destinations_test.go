package outcomes_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"onramp/app"
	"onramp/app/config"
	"onramp/app/testenv"
	"onramp/modules/audit"
	"onramp/modules/outcomes"
)

// TestLearnerSelfReportCountsOnlyOnceVerified has the demo learner tell us
// their news, and checks it is unverified and uncounted until their
// manager verifies it.
func TestLearnerSelfReportCountsOnlyOnceVerified(t *testing.T) {
	srv := testenv.NewServer(t)
	learner := srv.SignIn(t, "learner@example.org").NoRedirects()
	learnerID := signedInID(t, srv, "learner@example.org")
	var cohort string
	mustScan(t, &cohort, `SELECT e.cohort_id FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id
		WHERE e.user_id = ? ORDER BY c.starts_on DESC LIMIT 1`, learnerID)
	manager := srv.SignIn(t, "manager@example.org").NoRedirects()
	before := rowOf(t, getReport(t, manager, "cohort="+cohort), "cohort", cohort)
	if before.Started == 0 {
		t.Fatalf("the demo learner's cohort has nobody started: %+v", before)
	}

	today := time.Now().UTC()
	form := destinationForm("", "apprenticeship", "Northfield NHS Foundation Trust", today)
	form.Set("role", "Healthcare support worker apprentice")
	form.Set("evidence-seen", "yes") // a learner cannot verify their own news
	resp := learner.PostForm("/learn/news", form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/learn/news?done=1" {
		t.Fatalf("self-report: %d %s: %s", resp.StatusCode, resp.Header.Get("Location"), testenv.Body(t, resp))
	}
	resp.Body.Close()
	var dest struct {
		ID       string
		Source   string
		Verified bool
	}
	mustScan(t, &dest, `SELECT id, source, verified_at IS NOT NULL AS verified FROM destinations
		WHERE user_id = ? AND role = 'Healthcare support worker apprentice'`, learnerID)
	if dest.ID == "" || dest.Source != "learner" || dest.Verified {
		t.Fatalf("stored self-report: %+v", dest)
	}
	contains(t, testenv.Body(t, learner.Get("/learn/news?done=1")), "Thank you", "Not checked yet", "Northfield NHS Foundation Trust")
	if after := rowOf(t, getReport(t, manager, "cohort="+cohort), "cohort", cohort); after.Converted != before.Converted {
		t.Errorf("an unverified self-report changed converted from %d to %d", before.Converted, after.Converted)
	}

	page := testenv.Body(t, manager.Get("/manage/learners/"+learnerID+"/destinations"))
	contains(t, page, "Told us themselves", "Not verified", "/manage/destinations/"+dest.ID+"/verify")
	if got := status(t, manager.PostForm("/manage/destinations/"+dest.ID+"/verify", nil)); got != http.StatusSeeOther {
		t.Fatalf("verify: %d", got)
	}
	after := rowOf(t, getReport(t, manager, "cohort="+cohort), "cohort", cohort)
	if after.Converted != before.Converted+1 {
		t.Errorf("converted went from %d to %d after verifying, want +1", before.Converted, after.Converted)
	}
	contains(t, testenv.Body(t, learner.Get("/learn/news")), "Checked")

	var actions []string
	mustScan(t, &actions, "SELECT action FROM audit_events WHERE subject_type = 'destination' AND subject_id = ? ORDER BY id", dest.ID)
	if strings.Join(actions, ",") != "destination.reported,destination.verified" {
		t.Errorf("audit: %v", actions)
	}
}

func TestDestinationFormsShowPlainErrorsAndKeepInput(t *testing.T) {
	srv := testenv.NewServer(t)
	manager := srv.SignIn(t, "manager@example.org").NoRedirects()
	today := time.Now().UTC()
	cohort := MustCreateCohort(t, demoTrustID(t), "get-started", today.AddDate(0, 0, -20), today.AddDate(0, 0, -15))
	learnerID := MustCreateLearner(t, "Form Tester")
	MustEnrol(t, cohort, learnerID, nil)
	path := "/manage/learners/" + learnerID + "/destinations"

	form := url.Values{"cohort": {cohort}, "kind": {"employment"}, "employer": {""}, "role": {"Porter on nights"},
		"start-day": {"31"}, "start-month": {"2"}, "start-year": {"2026"}, "hours": {"90"}, "contract": {"gig"},
		"evidence": {"Saw the letter"}}
	resp := manager.PostForm(path, form)
	body := testenv.Body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid form: %d", resp.StatusCode)
	}
	contains(t, body, "There is a problem", "Enter the employer's name", "Start date must be a real date",
		"Hours per week must be between 0 and 80", "Select a contract type from the list",
		`value="Porter on nights"`, `value="31"`, `value="90"`, "Saw the letter", `value="employment" checked`)

	future := today.AddDate(0, 2, 0)
	form = destinationForm(cohort, "employment", "Northfield NHS Foundation Trust", future)
	contains(t, testenv.Body(t, manager.PostForm(path, form)), "Start date must be no more than 1 month from today")
	form = destinationForm(cohort, "employment", "Northfield NHS Foundation Trust", today.AddDate(0, 0, -40))
	contains(t, testenv.Body(t, manager.PostForm(path, form)), "Start date must be on or after the programme started")
	form = destinationForm(cohort, "volunteering", "", today)
	form.Set("start-year", "26")
	form.Set("hours", "lots")
	contains(t, testenv.Body(t, manager.PostForm(path, form)), "Enter where they volunteer", "Year must include 4 numbers",
		"Hours per week must be a number, like 37.5")
	var n int
	mustScan(t, &n, "SELECT count(*) FROM destinations WHERE user_id = ?", learnerID)
	if n != 0 {
		t.Errorf("%d destinations stored from invalid forms", n)
	}

	// A learner's empty form is answered in their own words.
	learner := srv.SignIn(t, "learner@example.org").NoRedirects()
	resp = learner.PostForm("/learn/news", url.Values{"employer": {"My local café"}})
	body = testenv.Body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty news: %d", resp.StatusCode)
	}
	contains(t, body, "Select what you are doing now", "Enter the start date", `value="My local café"`)
	resp = learner.PostForm("/learn/news", url.Values{"kind": {"employment"}, "start-day": {"1"}, "start-month": {"13"}, "start-year": {"2026"}})
	contains(t, testenv.Body(t, resp), "Enter who you work for", "Start date must be a real date")

	// A valid form is stored, verified because the manager saw evidence.
	form = destinationForm(cohort, "employment", "Northfield NHS Foundation Trust", today)
	form.Set("evidence-seen", "yes")
	if got := status(t, manager.PostForm(path, form)); got != http.StatusSeeOther {
		t.Fatalf("valid form: %d", got)
	}
	var verifiedBy string
	mustScan(t, &verifiedBy, "SELECT verified_by FROM destinations WHERE user_id = ?", learnerID)
	if verifiedBy != signedInID(t, srv, "manager@example.org") {
		t.Errorf("verified_by = %q, want the manager", verifiedBy)
	}
	// Without the tick, it waits for verification.
	form.Del("evidence-seen")
	form.Set("role", "Second job")
	if got := status(t, manager.PostForm(path, form)); got != http.StatusSeeOther {
		t.Fatalf("valid form: %d", got)
	}
	var unverified int
	mustScan(t, &unverified, "SELECT count(*) FROM destinations WHERE user_id = ? AND role = 'Second job' AND verified_at IS NULL", learnerID)
	if unverified != 1 {
		t.Error("a destination recorded without evidence was verified")
	}
}

// TestFollowUpsFallDueAtThreeAndSixMonths moves an injected clock through
// a destination's first six months.
func TestFollowUpsFallDueAtThreeAndSixMonths(t *testing.T) {
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	srv := testenv.NewServer(t, func(_ *config.Config, o *app.Options) { o.Now = now })
	manager := srv.SignIn(t, "manager@example.org").NoRedirects()

	today := now().UTC()
	start := date(today.Year(), today.Month(), 1) // the 1st: month arithmetic is unambiguous
	cohort := MustCreateCohort(t, demoTrustID(t), "get-into", start.AddDate(0, 0, -42), start.AddDate(0, 0, -1))
	name := testenv.Unique("Follow Up")
	learnerID := MustCreateLearner(t, name)
	MustEnrol(t, cohort, learnerID, nil)
	form := destinationForm(cohort, "employment", "Northfield NHS Foundation Trust", start)
	if got := status(t, manager.PostForm("/manage/learners/"+learnerID+"/destinations", form)); got != http.StatusSeeOther {
		t.Fatalf("recording: %d", got)
	}
	var dest string
	mustScan(t, &dest, "SELECT id FROM destinations WHERE user_id = ?", learnerID)
	var due []struct {
		Kind  string
		DueOn time.Time
	}
	mustScan(t, &due, "SELECT kind, due_on FROM follow_ups WHERE destination_id = ? ORDER BY due_on", dest)
	if len(due) != 2 || due[0].Kind != "3_months" || !due[0].DueOn.Equal(start.AddDate(0, 3, 0)) ||
		due[1].Kind != "6_months" || !due[1].DueOn.Equal(start.AddDate(0, 6, 0)) {
		t.Fatalf("follow-ups: %+v, want 3_months on %s and 6_months on %s", due, start.AddDate(0, 3, 0), start.AddDate(0, 6, 0))
	}

	listed := func(when string, want ...string) {
		t.Helper()
		body := testenv.Body(t, manager.Get("/manage/follow-ups"))
		contains(t, body, "Once a day Onramp tells your organisation's managers")
		i := strings.Index(body, name)
		row := ""
		if i >= 0 {
			row = body[i:min(len(body), i+1500)]
		}
		switch {
		case len(want) == 0 && i >= 0:
			t.Errorf("%s: the learner is listed", when)
		case len(want) > 0 && i < 0:
			t.Errorf("%s: the learner is not listed", when)
		}
		for _, w := range want {
			if !strings.Contains(row, w) {
				t.Errorf("%s: the row does not say %q: %s", when, w, row)
			}
		}
	}
	listed("at the start")
	// Too early to record the 3-month follow-up.
	resp := manager.PostForm("/manage/destinations/"+dest+"/follow-ups/3_months", url.Values{"outcome": {"still_there"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("early follow-up: %d", resp.StatusCode)
	}
	contains(t, testenv.Body(t, resp), "This follow-up is not due until")

	advanceTo := func(d time.Time) {
		clock.Store(d.Add(12 * time.Hour).UnixNano())
		manager = srv.SignIn(t, "manager@example.org").NoRedirects() // the old session has timed out
	}
	advanceTo(start.AddDate(0, 3, -10))
	listed("10 days before 3 months", "3-month follow-up", "in 10 days")
	resp = manager.PostForm("/manage/destinations/"+dest+"/follow-ups/3_months", url.Values{"note": {"Rang twice"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("follow-up without an outcome: %d", resp.StatusCode)
	}
	contains(t, testenv.Body(t, resp), "Select what you found out", `value="Rang twice"`)
	if got := status(t, manager.PostForm("/manage/destinations/"+dest+"/follow-ups/3_months",
		url.Values{"outcome": {"still_there"}, "note": {"Loves it"}})); got != http.StatusSeeOther {
		t.Fatalf("recording the follow-up: %d", got)
	}
	listed("after recording it")
	var outcome string
	mustScan(t, &outcome, "SELECT outcome FROM follow_ups WHERE destination_id = ? AND kind = '3_months'", dest)
	if outcome != "still_there" {
		t.Errorf("3-month outcome %q", outcome)
	}

	advanceTo(start.AddDate(0, 6, 1))
	listed("a day after 6 months", "6-month follow-up", "Overdue")
	contains(t, testenv.Body(t, manager.Get("/manage/learners/"+learnerID+"/destinations")), "Still there", "Loves it")
}

func TestDemoSeedIsRepeatable(t *testing.T) {
	d := testenv.DB(t)
	svc := outcomes.NewService(d, audit.New(d.Gorm), time.Now)
	count := func() (all, verified, selfReported, followedUp int) {
		mustScan(t, &all, `SELECT count(*) FROM destinations d JOIN users u ON u.id = d.user_id WHERE u.email LIKE 'demo.learner.%'`)
		mustScan(t, &verified, `SELECT count(*) FROM destinations d JOIN users u ON u.id = d.user_id WHERE u.email LIKE 'demo.learner.%' AND d.verified_at IS NOT NULL`)
		mustScan(t, &selfReported, `SELECT count(*) FROM destinations d JOIN users u ON u.id = d.user_id WHERE u.email LIKE 'demo.learner.%' AND d.source = 'learner'`)
		mustScan(t, &followedUp, `SELECT count(*) FROM follow_ups f JOIN destinations d ON d.id = f.destination_id JOIN users u ON u.id = d.user_id
			WHERE u.email LIKE 'demo.learner.%' AND f.outcome IS NOT NULL`)
		return
	}
	if err := svc.SeedDemo(t.Context()); err != nil {
		t.Fatal(err)
	}
	all, verified, self, followed := count()
	if all < 10 || verified == 0 || verified == all || self == 0 || followed == 0 {
		t.Errorf("demo destinations: %d, %d verified, %d self-reported, %d follow-ups recorded", all, verified, self, followed)
	}
	if err := svc.SeedDemo(t.Context()); err != nil {
		t.Fatal(err)
	}
	if a2, v2, s2, f2 := count(); a2 != all || v2 != verified || s2 != self || f2 != followed {
		t.Errorf("seeding again changed the demo: %d/%d/%d/%d then %d/%d/%d/%d", all, verified, self, followed, a2, v2, s2, f2)
	}
}

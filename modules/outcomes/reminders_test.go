package outcomes_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"onramp/app"
	"onramp/app/auth"
	"onramp/app/config"
	"onramp/app/testenv"
)

// The daily reminder tells the managers of the organisation running the
// learner's cohort, and nobody else, once per follow-up however often it
// runs; the clock it sees is the app's injected one.
func TestFollowUpRemindersGoToTheCohortOrganisationsManagersOnlyAndOnce(t *testing.T) {
	today := date(2031, 5, 20)
	srv := testenv.NewServer(t, func(_ *config.Config, o *app.Options) { o.Now = func() time.Time { return today.Add(9 * time.Hour) } })
	f := testenv.NewFixtures(t)
	org, other := MustCreateOrganisation(t, "Reminder trust"), MustCreateOrganisation(t, "Other trust")
	manager := f.Staff("Mo Manager", auth.RoleManager, org)
	stranger := f.Staff("Olu Othermanager", auth.RoleManager, other)
	cohort := MustCreateCohort(t, org, "get-into", date(2030, 9, 1), date(2030, 10, 1))
	learner := MustCreateLearner(t, "Riley Surname-Private")
	MustEnrol(t, cohort, learner, nil)
	// Started 3 months less 10 days ago: the 3-month follow-up is due in
	// 10 days, the 6-month one not for months.
	start := today.AddDate(0, -3, 10)
	dest := MustAddDestination(t, learner, cohort, "employment", start, true, manager)

	ctx := context.Background()
	for range 2 {
		if err := srv.App.Jobs.RunPeriodic(ctx, app.FollowUpRemindersJob); err != nil {
			t.Fatal(err)
		}
		if err := srv.App.Outcomes.Service().NotifyDueFollowUps(ctx, srv.App.Notify); err != nil {
			t.Fatal(err)
		}
	}
	type row struct{ UserID, Title, Body, Link string }
	var got []row
	mustScan(t, &got, `SELECT user_id, title, body, link FROM notifications WHERE dedupe_key LIKE ?`, "follow_up_due:"+dest+":%")
	if len(got) != 1 {
		t.Fatalf("%d reminders for one follow-up due, want 1 (to the manager): %+v", len(got), got)
	}
	r := got[0]
	if r.UserID != manager {
		t.Fatalf("the reminder went to %s, not the cohort organisation's manager %s (the other organisation's is %s)", r.UserID, manager, stranger)
	}
	if !strings.Contains(r.Title, "3-month follow-up") || !strings.Contains(r.Body, "Riley") || strings.Contains(r.Body+r.Title, "Surname") {
		t.Errorf("reminder %q / %q should name the check and the learner's first name only", r.Title, r.Body)
	}
	if !strings.HasPrefix(r.Link, "/manage/learners/"+learner+"/destinations") {
		t.Errorf("reminder links to %q", r.Link)
	}
	var jobs int
	mustScan(t, &jobs, `SELECT count(*) FROM river_job WHERE kind = 'periodic' AND args->>'name' = ? AND (args->>'period')::timestamptz = ?`,
		app.FollowUpRemindersJob, today)
	if jobs != 1 {
		t.Errorf("%d reminder runs queued for one day, want 1", jobs)
	}
}

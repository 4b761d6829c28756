package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"onramp/app/auth"
	"onramp/app/testenv"
	"onramp/modules/mentoring"
)

// TestCohortFunnelCountsLearnersMatchedWithAMentor checks the dashboard's
// "Matched with a mentor" stage against mentoring's real lifecycle: a
// proposal does not count, approving it does, the learner still counts
// once it has ended, and a withdrawn learner no longer counts.
func TestCohortFunnelCountsLearnersMatchedWithAMentor(t *testing.T) {
	srv := testenv.NewServer(t)
	f := testenv.NewFixtures(t)
	ctx := context.Background()
	svc := srv.App.Mentoring
	org := f.Organisation("Funnel trust", "trust")
	today := time.Now().UTC().Truncate(24 * time.Hour)
	cohort, _ := f.Cohort(testenv.Cohort{Organisation: org, Programme: "get-into", Starts: today.AddDate(0, 0, -30), Ends: today.AddDate(0, 0, 12)})
	managerID, _ := f.Learner(testenv.Learner{Name: "Funnel Manager"})
	manager := &auth.User{ID: managerID, Roles: []string{auth.RoleManager}, OrganisationID: org}

	// Three adult learners and two ideal mentors who speak a language no
	// one else in the database does.
	lang := strings.ReplaceAll(testenv.Unique("Lang"), " ", "")
	adult := today.AddDate(-20, 0, 0)
	var learners []string
	for _, name := range []string{"Funnel One", "Funnel Two", "Funnel Three"} {
		id, _ := f.Learner(testenv.Learner{Name: name, DateOfBirth: &adult})
		f.Enrol(cohort, id, time.Time{})
		if err := svc.SavePreferences(ctx, id, mentoring.PreferencesInput{Interests: []string{"healthcare_science"},
			Region: "London", Languages: lang, Availability: []string{"weekday_daytime"}}); err != nil {
			t.Fatal(err)
		}
		learners = append(learners, id)
	}
	dbs, training := today.AddDate(-1, 0, 0), today.AddDate(0, -1, 0)
	for _, name := range []string{"Funnel Mentor A", "Funnel Mentor B"} {
		id, _ := f.Learner(testenv.Learner{Name: name})
		if err := svc.SaveProfileFor(ctx, id, mentoring.ProfileInput{JobRole: "Biomedical scientist", CareerFamily: "healthcare_science",
			Region: "London", Languages: lang, Interests: []string{"healthcare_science"}, Availability: []string{"weekday_daytime"},
			Capacity: "2", Bio: "I work in a hospital laboratory."}); err != nil {
			t.Fatal(err)
		}
		if err := svc.RecordVettingFor(ctx, mentoring.Vetting{UserID: id, DBSEnhancedBarred: true, DBSCertificateOn: &dbs,
			SafeguardingTrainingOn: &training, ReferencesOK: true, ApprovedUnder18: true, RecordedBy: managerID}); err != nil {
			t.Fatal(err)
		}
	}

	matched := func(when string, want int) {
		t.Helper()
		d, err := srv.App.Cohorts.Dashboard(ctx, manager, cohort)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range d.Funnel {
			if s.Label == "Matched with a mentor" {
				if !s.Known || s.Count != want {
					t.Errorf("%s: the funnel shows %d matched with a mentor (known %v), want %d", when, s.Count, s.Known, want)
				}
				return
			}
		}
		t.Fatalf("%s: the funnel has no \"Matched with a mentor\" stage: %+v", when, d.Funnel)
	}
	matched("before matching", 0)

	if ps, err := svc.RunMatching(ctx, manager); err != nil || len(ps) != 3 {
		t.Fatalf("RunMatching proposed %d, %v; want all 3 learners proposed", len(ps), err)
	}
	matched("with three proposals waiting", 0)
	view, err := svc.Matching(ctx, manager)
	if err != nil {
		t.Fatal(err)
	}
	proposal := map[string]string{}
	for _, p := range view.Proposals {
		proposal[p.LearnerID] = p.ID
	}

	if _, err := svc.Approve(ctx, manager, proposal[learners[0]]); err != nil {
		t.Fatal(err)
	}
	matched("after one approval", 1)
	if _, err := svc.Approve(ctx, manager, proposal[learners[1]]); err != nil {
		t.Fatal(err)
	}
	matched("after two approvals", 2)
	if err := svc.End(ctx, manager, proposal[learners[0]], "The learner has started work"); err != nil {
		t.Fatal(err)
	}
	matched("after one mentorship ended early", 2)
	if _, err := svc.Reject(ctx, manager, proposal[learners[2]], "They asked to wait"); err != nil {
		t.Fatal(err)
	}
	matched("after the third proposal was rejected", 2)
	f.Withdraw(cohort, learners[1], time.Now())
	matched("after a mentored learner withdrew", 1)
}

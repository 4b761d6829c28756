package cohorts_test

import (
	"context"
	"net/http"
	"testing"

	"onramp/app/apperr"
	"onramp/app/testenv"
)

// A learner in one of the demo trust's cohorts who also starts Get
// Started (open in the demo) on their own.
func TestAProgrammeStartedOnYourOwnIsNoOrganisationsBusiness(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	learner, _ := MustCreateLearner(t, "Sam Self")
	group, _ := MustCreateCohort(t, "Northfield NHS Foundation Trust", "get-into", -7, 30)
	MustEnrol(t, group, learner)
	if added, err := srv.App.Cohorts.SelfEnrol(context.Background(), learner, "get-started"); err != nil || !added {
		t.Fatalf("starting Get Started: %v %v", added, err)
	}
	if added, err := srv.App.Cohorts.SelfEnrol(context.Background(), learner, "get-started"); err != nil || added {
		t.Errorf("starting Get Started again: %v %v, want nothing added", added, err)
	}
	if _, err := srv.App.Cohorts.SelfEnrol(context.Background(), learner, "step-into-work"); apperr.As(err).Kind != apperr.Forbidden {
		t.Errorf("starting Step into Work, which is not open: %v, want Forbidden", err)
	}
	var self struct {
		ID             string
		OrganisationID *string
		Name           string
	}
	g.Raw(`SELECT c.id, c.organisation_id, c.name FROM cohorts c JOIN programmes p ON p.id = c.programme_id
		WHERE p.slug = 'get-started' AND c.self_enrolment`).Scan(&self)
	if self.ID == "" || self.OrganisationID != nil || self.Name != "Get Started (open)" {
		t.Fatalf("the Get Started self-enrolment cohort: %+v, want one called Get Started (open) with no organisation", self)
	}

	for _, email := range []string{"manager@example.org", "admin@example.org"} {
		var list []cohort
		c := srv.SignIn(t, email)
		c.JSON("/api/v1/cohorts", &list)
		for _, co := range list {
			if co.ID == self.ID {
				t.Errorf("%s's cohort list shows the self-enrolment cohort", email)
			}
		}
		resp := c.Get("/api/v1/cohorts/" + self.ID + "/progress")
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s opening the self-enrolment cohort: %d, want 404", email, resp.StatusCode)
		}
		// The learner's own page (outcomes reads their enrolments) still works.
		resp = c.Get("/manage/learners/" + learner + "/destinations")
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s on the learner's destinations page: %d", email, resp.StatusCode)
		}
	}

	type enrolments struct {
		Enrolments []struct {
			Cohort struct {
				ID            string
				SelfEnrolment bool `json:"self_enrolment"`
			}
		}
	}
	seen := func(email string) (self, groups int) {
		var p enrolments
		srv.SignIn(t, email).JSON("/api/v1/learners/"+learner+"/progress", &p)
		for _, e := range p.Enrolments {
			if e.Cohort.SelfEnrolment {
				self++
			} else {
				groups++
			}
		}
		return self, groups
	}
	if s, g := seen("manager@example.org"); s != 0 || g == 0 {
		t.Errorf("the trust's manager sees %d self-enrolments and %d groups of the learner, want 0 and their own", s, g)
	}
	if s, _ := seen("admin@example.org"); s != 1 {
		t.Errorf("an admin sees %d self-enrolments of the learner, want 1", s)
	}
}

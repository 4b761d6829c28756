package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"onramp/app/auth"
	"onramp/app/testenv"
	"onramp/modules/mentoring"
)

const induction = mentoring.InductionProgramme

// listedDoc is a programme in GET /api/v1/programmes.
type listedDoc struct {
	Slug string `json:"slug"`
}

// programmeDoc is GET /api/v1/programmes/{slug}, with the ids a test
// walks through.
type programmeDoc struct {
	Slug    string `json:"slug"`
	Modules []struct {
		Lessons []struct {
			ID string `json:"id"`
		} `json:"lessons"`
		Quiz *struct {
			ID string `json:"id"`
		} `json:"quiz"`
	} `json:"modules"`
}

// TestLearnersNeverSeeTheMentorInduction: the induction is for mentors,
// so a learner finds it nowhere, and opening it directly is not found.
func TestLearnersNeverSeeTheMentorInduction(t *testing.T) {
	srv := testenv.NewServer(t)
	learner := srv.SignIn(t, "learner@example.org")
	if body := testenv.Body(t, learner.Get("/learn")); strings.Contains(body, "Mentoring young people safely") || strings.Contains(body, induction) {
		t.Error("the learner's home page offers the mentor induction")
	}
	var list []listedDoc
	learner.JSON("/api/v1/programmes", &list)
	for _, p := range list {
		if p.Slug == induction {
			t.Error("the learner's programme list has the mentor induction")
		}
	}
	if len(list) == 0 {
		t.Error("the learner's programme list is empty")
	}
	for _, r := range []struct{ method, path string }{
		{"GET", "/learn/" + induction}, {"GET", "/api/v1/programmes/" + induction},
		{"POST", "/learn/" + induction + "/start"}, {"POST", "/api/v1/programmes/" + induction + "/enrolment"},
		{"GET", "/learn/" + induction + "/certificate"},
	} {
		var resp *http.Response
		if r.method == "GET" {
			resp = learner.Get(r.path)
		} else {
			resp = learner.PostForm(r.path, nil)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("learner %s %s: %d, want 404", r.method, r.path, resp.StatusCode)
		}
	}
}

// TestMentorFinishingTheInductionRecordsTheirTrainingAndClearsThem: a
// mentor whose DBS check and references are recorded, but not their
// training, is sent to the induction, sees only mentor programmes, starts
// it, does every lesson and passes every check, and is then cleared to
// mentor with today's date as their safeguarding training.
func TestMentorFinishingTheInductionRecordsTheirTrainingAndClearsThem(t *testing.T) {
	srv := testenv.NewServer(t)
	ctx := context.Background()
	// mentor2 is a demo login holding the mentor role only; no other
	// test here uses them. Their training is taken off their vetting.
	const email = "mentor2@example.org"
	var id, admin string
	g := srv.App.DB.Gorm
	if err := g.Raw("SELECT id FROM users WHERE email = ?", email).Scan(&id).Error; err != nil || id == "" {
		t.Fatalf("finding %s: %v", email, err)
	}
	g.Raw("SELECT id FROM users WHERE email = 'admin@example.org'").Scan(&admin)
	dbs := time.Now().AddDate(0, -2, 0)
	if err := srv.App.Mentoring.RecordVettingFor(ctx, mentoring.Vetting{UserID: id, DBSEnhancedBarred: true, DBSCertificateOn: &dbs,
		ReferencesOK: true, ApprovedUnder18: true, RecordedBy: admin}); err != nil {
		t.Fatal(err)
	}
	mentor := srv.SignIn(t, email)

	home := testenv.Body(t, mentor.Get("/mentoring"))
	if !strings.Contains(home, "Take the mentor induction") || !strings.Contains(home, "/learn/"+induction) ||
		!strings.Contains(home, "safeguarding training has not been done") {
		t.Error("the mentor's home page does not send them to the induction and say their training is missing")
	}
	learn := testenv.Body(t, mentor.Get("/learn"))
	if !strings.Contains(learn, "/learn/"+induction+"/start") || strings.Contains(learn, "/learn/get-started") {
		t.Error("the mentor's learning page should offer to start the induction, and no learners' programme")
	}
	var list []listedDoc
	mentor.JSON("/api/v1/programmes", &list)
	if len(list) != 1 || list[0].Slug != induction {
		t.Errorf("the mentor's programme list is %+v, want the induction only", list)
	}
	if resp := mentor.Get("/learn/get-started"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a learners' programme shown to a mentor: %d, want 404", resp.StatusCode)
	}

	resp := mentor.NoRedirects().PostForm("/learn/"+induction+"/start", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("starting the induction: %d", resp.StatusCode)
	}
	if body := testenv.Body(t, mentor.Get("/learn")); !strings.Contains(body, "Continue") {
		t.Error("the mentor's learning page does not offer to continue the induction")
	}
	var p programmeDoc
	mentor.JSON("/api/v1/programmes/"+induction, &p)
	for _, m := range p.Modules {
		for _, l := range m.Lessons {
			resp := mentor.NoRedirects().PostForm("/learn/"+induction+"/lessons/"+l.ID+"/complete", nil)
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("completing lesson %s: %d", l.ID, resp.StatusCode)
			}
		}
		if m.Quiz == nil {
			continue
		}
		check, err := srv.App.Content.Catalogue().Check(ctx, m.Quiz.ID)
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{}
		for _, q := range check.Questions {
			for _, o := range q.Options {
				if o.Correct {
					form.Add("q-"+q.ID, o.ID)
				}
			}
		}
		if body := testenv.Body(t, mentor.PostForm("/learn/"+induction+"/checks/"+m.Quiz.ID, form)); !strings.Contains(body, "You passed") {
			t.Fatalf("the right answers to check %s did not pass", m.Quiz.ID)
		}
	}

	st, err := srv.App.Mentoring.Mentor(ctx, &auth.User{ID: admin, Roles: []string{auth.RoleAdmin}}, id)
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC().Format("2006-01-02")
	if st.Vetting == nil || st.Vetting.SafeguardingTrainingOn == nil || st.Vetting.SafeguardingTrainingOn.Format("2006-01-02") != today {
		t.Fatalf("the mentor's training is recorded as %+v, want %s", st.Vetting, today)
	}
	if !st.Eligibility.Eligible {
		t.Errorf("the mentor is not cleared after the induction: %s", st.Eligibility.Summary())
	}
	home = testenv.Body(t, mentor.Get("/mentoring"))
	if strings.Contains(home, "Take the mentor induction") || !strings.Contains(home, "Cleared to mentor") {
		t.Error("the mentor's home page still asks for the induction, or does not show them cleared")
	}
}

package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"onramp/app/testenv"
)

type mentorshipDoc struct {
	ID             string `json:"id"`
	Status         string `json:"status"`
	StartsOn       string `json:"starts_on"`
	EndsOn         string `json:"ends_on"`
	OtherFirstName string `json:"other_first_name"`
}

// TestDemoMentorshipIsSeenByItsTwoPeopleAndTheirManagerOnly checks the
// seeded mentorship through the API: the learner and mentor each see it,
// active for six months; another learner and another organisation's
// manager learn nothing of it.
func TestDemoMentorshipIsSeenByItsTwoPeopleAndTheirManagerOnly(t *testing.T) {
	srv := testenv.NewServer(t)
	var id string
	for _, who := range []struct{ email, other string }{{"learner@example.org", "Dan"}, {"mentor@example.org", "Amira"}} {
		var list []mentorshipDoc
		srv.SignIn(t, who.email).JSON("/api/v1/mentorships", &list)
		var active []mentorshipDoc
		for _, m := range list {
			if m.Status == "active" {
				active = append(active, m)
			}
		}
		if len(active) != 1 && who.email == "learner@example.org" || len(active) == 0 {
			t.Fatalf("%s sees %+v, want one active mentorship", who.email, list)
		}
		m := active[0]
		if who.email == "mentor@example.org" {
			for _, a := range active {
				if a.OtherFirstName == "Amira" {
					m = a
				}
			}
		}
		starts, err1 := time.Parse("2006-01-02", m.StartsOn)
		ends, err2 := time.Parse("2006-01-02", m.EndsOn)
		if err1 != nil || err2 != nil || starts.Day() <= 28 && !ends.Equal(starts.AddDate(0, 6, 0)) || m.OtherFirstName != who.other {
			t.Errorf("%s sees %+v, want six months with %s", who.email, m, who.other)
		}
		if id == "" {
			id = m.ID
		} else if id != m.ID {
			t.Errorf("learner and mentor see different mentorships %s and %s", id, m.ID)
		}
	}
	for _, c := range []struct {
		email  string
		status int
	}{{"learner2@example.org", 404}, {"manager2@example.org", 404}, {"manager@example.org", 200}, {"safeguarding@example.org", 200}} {
		resp := srv.SignIn(t, c.email).Get("/api/v1/mentorships/" + id)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s reading the mentorship: %d, want %d", c.email, resp.StatusCode, c.status)
		}
	}
	resp := srv.SignIn(t, "manager2@example.org").Get("/manage/mentoring")
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusOK || strings.Contains(body, "Amira") {
		t.Errorf("manager2's mentoring page (%d) names the other organisation's learner", resp.StatusCode)
	}
	resp = srv.SignIn(t, "learner@example.org").Get("/learn/mentor")
	if body := testenv.Body(t, resp); !strings.Contains(body, "Dan") || strings.Contains(body, "Okafor") || strings.Contains(body, "@example.org") {
		t.Errorf("the learner's mentor page should show the mentor's first name only")
	}
}

// TestMentoringIsFoundFromTheHomePages guards the ways in: a manager's
// home links to matching and to mentors' checks; a learner's home names
// their mentor, or asks what they would like in one.
func TestMentoringIsFoundFromTheHomePages(t *testing.T) {
	srv := testenv.NewServer(t)
	manage := testenv.Body(t, srv.SignIn(t, "manager@example.org").Get("/manage"))
	for _, want := range []string{`href="/manage/mentoring">Mentor matching</a>`, `href="/mentoring/mentors">Mentors and their checks</a>`} {
		if !strings.Contains(manage, want) {
			t.Errorf("the manager's home has no %s", want)
		}
	}
	learn := testenv.Body(t, srv.SignIn(t, "learner@example.org").Get("/learn"))
	if !strings.Contains(learn, "Dan is your mentor") || !strings.Contains(learn, `href="/learn/mentor"`) || strings.Contains(learn, "Okafor") {
		t.Error("the learner's home does not name their mentor by first name with a link to them")
	}
	other := testenv.Body(t, srv.SignIn(t, "learner2@example.org").Get("/learn"))
	if !strings.Contains(other, "Tell us what you would like in a mentor") || strings.Contains(other, ">Your mentor</a>") {
		t.Error("a learner with no mentor is not asked what they would like in one")
	}
}

type proposalDoc struct {
	ID               string  `json:"id"`
	Status           string  `json:"status"`
	LearnerFirstName string  `json:"learner_first_name"`
	MentorID         string  `json:"mentor_id"`
	MentorFirstName  string  `json:"mentor_first_name"`
	Score            float64 `json:"score"`
	Reasons          string  `json:"reasons"`
	EndsOn           *string `json:"ends_on"`
}

// postJSON posts body as JSON and decodes the answer into v (when not
// nil), returning the status.
func postJSON(t *testing.T, c *testenv.Client, path, body string, v any) int {
	t.Helper()
	req := c.Request(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp := c.Do(req)
	defer resp.Body.Close()
	if v != nil && resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("POST %s: decoding: %v", path, err)
		}
	}
	return resp.StatusCode
}

// TestManagerProposalsAPIMatchesDecidesAndKeepsToTheOrganisation runs
// matching through the API, then approves, rejects and swaps, and checks
// another organisation's manager can neither see nor decide the proposals.
func TestManagerProposalsAPIMatchesDecidesAndKeepsToTheOrganisation(t *testing.T) {
	srv := testenv.NewServer(t)
	mgr, other := srv.SignIn(t, "manager@example.org"), srv.SignIn(t, "manager2@example.org")
	var made []proposalDoc
	if s := postJSON(t, mgr, "/api/v1/mentoring/matches", `{}`, &made); s != http.StatusOK {
		t.Fatalf("running matching: %d", s)
	}
	var open []proposalDoc
	mgr.JSON("/api/v1/mentoring/proposals", &open)
	if len(open) < 2 {
		t.Fatalf("%d open proposals after matching (%d new), want at least two to decide", len(open), len(made))
	}
	for _, p := range open {
		if p.Status != "proposed" || p.LearnerFirstName == "" || strings.Contains(p.LearnerFirstName, " ") ||
			p.MentorFirstName == "" || strings.Contains(p.MentorFirstName, " ") || p.Reasons == "" {
			t.Errorf("proposal %+v: want first names and reasons", p)
		}
	}
	var theirs []proposalDoc
	other.JSON("/api/v1/mentoring/proposals", &theirs)
	for _, p := range theirs {
		for _, q := range open {
			if p.ID == q.ID {
				t.Errorf("manager2 sees the other organisation's proposal %s", p.ID)
			}
		}
	}
	a, r := open[0], open[1]
	for _, action := range []string{"approve", "reject", "swap"} {
		if s := postJSON(t, other, "/api/v1/mentoring/proposals/"+a.ID+"/"+action, `{"reason":"x","mentor_id":"`+a.MentorID+`"}`, nil); s != http.StatusNotFound {
			t.Errorf("manager2 %s another organisation's proposal: %d, want 404", action, s)
		}
	}
	if s := postJSON(t, mgr, "/api/v1/mentoring/proposals/"+r.ID+"/reject", `{"reason":" "}`, nil); s != http.StatusUnprocessableEntity {
		t.Errorf("rejecting without a reason: %d, want 422", s)
	}
	if s := postJSON(t, mgr, "/api/v1/mentoring/proposals/"+r.ID+"/swap", `{"mentor_id":"`+r.LearnerFirstName+`"}`, nil); s != http.StatusConflict {
		t.Errorf("swapping to someone who is not a mentor: %d, want 409", s)
	}
	var got proposalDoc
	if s := postJSON(t, mgr, "/api/v1/mentoring/proposals/"+r.ID+"/reject", `{"reason":"They know each other"}`, &got); s != http.StatusOK || got.Status != "rejected" {
		t.Errorf("rejecting: %d %+v", s, got)
	}
	if s := postJSON(t, mgr, "/api/v1/mentoring/proposals/"+a.ID+"/approve", ``, &got); s != http.StatusOK || got.Status != "active" || got.EndsOn == nil {
		t.Errorf("approving: %d %+v", s, got)
	}
	if s := postJSON(t, mgr, "/api/v1/mentoring/proposals/"+a.ID+"/approve", ``, nil); s != http.StatusConflict {
		t.Errorf("approving twice: %d, want 409", s)
	}
	mgr.JSON("/api/v1/mentoring/proposals", &open)
	for _, p := range open {
		if p.ID == a.ID || p.ID == r.ID {
			t.Errorf("decided proposal %s is still listed as open", p.ID)
		}
	}
}

// TestAdminEditsMatchingWeightsAndTheChangeIsAudited walks the admin
// weights pages: the list, a refused form that keeps what was typed, a
// saved change that is audited, and going back to the default.
func TestAdminEditsMatchingWeightsAndTheChangeIsAudited(t *testing.T) {
	srv := testenv.NewServer(t)
	admin := srv.SignIn(t, "admin@example.org")
	if body := testenv.Body(t, admin.Get("/admin")); !strings.Contains(body, `href="/admin/mentoring/weights"`) {
		t.Error("the admin home does not link to the matching weights")
	}
	list := testenv.Body(t, admin.Get("/admin/mentoring/weights"))
	for _, want := range []string{"Every programme (default)", "Get Into", "Uses the default weights."} {
		if !strings.Contains(list, want) {
			t.Errorf("the weights page does not say %q", want)
		}
	}
	form := url.Values{"career-family": {"7"}, "shared-interest": {"1"}, "same-region": {"20000"}, "shared-language": {"1"},
		"first-language": {"2"}, "availability": {"1.5"}, "load-spread": {"1"}}
	resp := admin.PostForm("/admin/mentoring/weights/get-into", form)
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "Enter a weight from -10000 to 10000") || !strings.Contains(body, `value="20000"`) {
		t.Errorf("a weight out of bounds: %d, want 422 with the message and the typed value kept", resp.StatusCode)
	}
	form.Set("same-region", "3")
	resp = admin.NoRedirects().PostForm("/admin/mentoring/weights/get-into", form)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving weights: %d", resp.StatusCode)
	}
	list = testenv.Body(t, admin.Get("/admin/mentoring/weights"))
	if !strings.Contains(list, "Its own weights, changed by") || !strings.Contains(list, "1.5") {
		t.Error("the list does not show Get Into's own weights after saving")
	}
	var n int
	testenv.DB(t).Gorm.Raw(`SELECT count(*) FROM audit_events WHERE action = 'mentoring.weights_changed' AND subject_id = 'get-into'
		AND detail->>'availability' = '1.5'`).Scan(&n)
	if n != 1 {
		t.Errorf("%d audit events for the change, want 1", n)
	}
	resp = admin.PostForm("/admin/mentoring/weights/get-into/reset", nil)
	resp.Body.Close()
	if list = testenv.Body(t, admin.Get("/admin/mentoring/weights")); strings.Contains(list, "Its own weights") {
		t.Error("Get Into still has its own weights after going back to the default")
	}
}

// TestMentorSeesTheKindAndStartOfTheirMenteesOwnNews checks the mentor's
// home shows a mentee's self-reported news as kind and start date only:
// never the employer or role, which are for staff.
func TestMentorSeesTheKindAndStartOfTheirMenteesOwnNews(t *testing.T) {
	srv := testenv.NewServer(t)
	learner := srv.SignIn(t, "learner@example.org")
	var cohort string
	testenv.DB(t).Gorm.Raw(`SELECT e.cohort_id FROM enrolments e JOIN users u ON u.id = e.user_id
		WHERE u.email = 'learner@example.org' LIMIT 1`).Scan(&cohort)
	start := time.Now().AddDate(0, 0, -3)
	resp := learner.NoRedirects().PostForm("/learn/news", url.Values{"cohort": {cohort}, "kind": {"apprenticeship"},
		"employer": {"Secret Valley Trust"}, "role": {"Apprentice porter"}, "start-day": {start.Format("2")},
		"start-month": {start.Format("1")}, "start-year": {start.Format("2006")}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reporting news: %d", resp.StatusCode)
	}
	home := testenv.Body(t, srv.SignIn(t, "mentor@example.org").Get("/mentoring"))
	if !strings.Contains(home, "Apprenticeship, starting "+start.Format("2 January 2006")) {
		t.Error("the mentor's home does not show the mentee's news")
	}
	if strings.Contains(home, "Secret Valley Trust") || strings.Contains(home, "Apprentice porter") {
		t.Error("the mentor's home shows the employer or role of the mentee's news")
	}
}

// TestMentoringPagesSayWhatTheirFormsAreFor guards rough edges found in a
// walk-through: one id per control on the vetting page, a training date
// hint that says a mentor is not matched without it, and a learner with a
// mentor told their preferences are for a later match.
func TestMentoringPagesSayWhatTheirFormsAreFor(t *testing.T) {
	srv := testenv.NewServer(t)
	var mentor string
	testenv.DB(t).Gorm.Raw("SELECT id FROM users WHERE email = 'mentor@example.org'").Scan(&mentor)
	vetting := testenv.Body(t, srv.SignIn(t, "safeguarding@example.org").Get("/mentoring/mentors/"+mentor+"/vetting"))
	if n := strings.Count(vetting, `id="dbs"`); n != 1 {
		t.Errorf("the vetting page has %d controls with id dbs, want 1", n)
	}
	if !strings.Contains(vetting, "not matched with anyone until it is filled in") {
		t.Error("the training date hint does not say a mentor is not matched without it")
	}
	learner := testenv.Body(t, srv.SignIn(t, "learner@example.org").Get("/learn/mentor"))
	if !strings.Contains(learner, "only matters if you are matched with a new mentor later") {
		t.Error("a learner with a mentor is not told their preferences are for a later match")
	}
}

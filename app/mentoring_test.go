package app_test

import (
	"net/http"
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
	if !strings.Contains(learn, `<a href="/learn/mentor">Your mentor</a>: Dan`) || strings.Contains(learn, "Okafor") {
		t.Error("the learner's home does not name their mentor by first name with a link to them")
	}
	other := testenv.Body(t, srv.SignIn(t, "learner2@example.org").Get("/learn"))
	if !strings.Contains(other, "Tell us what you would like in a mentor") || strings.Contains(other, ">Your mentor</a>") {
		t.Error("a learner with no mentor is not asked what they would like in one")
	}
}

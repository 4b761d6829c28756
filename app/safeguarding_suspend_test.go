package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"onramp/app"
	"onramp/app/config"
	"onramp/app/testenv"
)

// TestALeadSuspendsAMentorAndEveryThreadOfTheirsGoesReadOnly: only a
// safeguarding lead may suspend a mentor; doing so pauses each of their
// active threads at once (both people can read, neither can send), is
// audited, and lifting it leaves the threads paused until a lead looks.
// The mentor and learner are dev-provider load users, so the demo
// mentorship other tests use is untouched.
func TestALeadSuspendsAMentorAndEveryThreadOfTheirsGoesReadOnly(t *testing.T) {
	srv := testenv.NewServer(t, func(cfg *config.Config, _ *app.Options) { cfg.DevLoadUsers = 2 })
	learner, mentor := srv.SignIn(t, app.LoadUserEmail(0)), srv.SignIn(t, app.LoadUserEmail(1))
	g := testenv.DB(t).Gorm
	var mentorID, id string
	g.Raw("SELECT id FROM users WHERE email = ?", app.LoadUserEmail(1)).Scan(&mentorID)
	if err := g.Exec("INSERT INTO role_grants (user_id, role) VALUES (?, 'mentor') ON CONFLICT DO NOTHING", mentorID).Error; err != nil {
		t.Fatal(err)
	}
	err := g.Raw(`INSERT INTO mentorships (learner_id, mentor_id, organisation_id, status, proposed_at, approved_at, starts_on, ends_on)
		SELECT l.id, m.id, (SELECT organisation_id FROM mentorships WHERE id = ?), 'active', now(), now(), current_date,
		       (current_date + interval '6 months')::date
		FROM users l, users m WHERE l.email = ? AND m.email = ? RETURNING id`, demoMentorship(t), app.LoadUserEmail(0), app.LoadUserEmail(1)).Scan(&id).Error
	if err != nil || id == "" {
		t.Fatalf("making an active mentorship: %v", err)
	}
	api := "/api/v1/mentorships/" + id + "/messages"
	if status, _ := postMessage(t, learner, api, map[string]string{"body": "Hello, see you Thursday"}, ""); status != http.StatusCreated {
		t.Fatalf("sending before the suspension: %d", status)
	}

	// Nobody but a lead may suspend, the mentor themselves included.
	for who, c := range map[string]*testenv.Client{"learner": learner, "mentor": mentor, "manager": srv.SignIn(t, "manager@example.org")} {
		resp := c.PostForm("/safeguarding/mentors/"+mentorID+"/suspend", url.Values{"suspend-reason": {"x"}, "mentorship": {id}})
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("the %s suspending a mentor: %d, want 403", who, resp.StatusCode)
		}
	}

	lead := srv.SignIn(t, "safeguarding@example.org")
	page := testenv.Body(t, lead.Get("/mentoring/mentorships/"+id+"/messages"))
	if !strings.Contains(page, "/safeguarding/mentors/"+mentorID+"/suspend") || !strings.Contains(page, "Suspend this mentor") {
		t.Fatal("the lead's thread page has no 'Suspend this mentor' action")
	}
	resp := lead.PostForm("/safeguarding/mentors/"+mentorID+"/suspend", url.Values{"suspend-reason": {" "}, "mentorship": {id}})
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Say why") {
		t.Errorf("suspending without a reason: %d", resp.StatusCode)
	}
	resp = lead.PostForm("/safeguarding/mentors/"+mentorID+"/suspend", url.Values{"suspend-reason": {"A report from another trust"}, "mentorship": {id}})
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "The mentor is suspended") ||
		!strings.Contains(body, "Lift the suspension") {
		t.Fatalf("suspending: %d, want the thread saying so with the way back", resp.StatusCode)
	}

	for who, c := range map[string]*testenv.Client{"learner": learner, "mentor": mentor} {
		var doc threadDoc
		c.JSON(api, &doc)
		if doc.CanWrite || len(doc.Messages) != 1 {
			t.Errorf("the %s's thread after the suspension: can write %v, %d messages; want read-only with the 1", who, doc.CanWrite, len(doc.Messages))
		}
		if status, _ := postMessage(t, c, api, map[string]string{"body": "Are you there?"}, ""); status != http.StatusConflict {
			t.Errorf("the %s sending after the suspension: %d, want 409", who, status)
		}
	}
	var suspended bool
	g.Raw("SELECT suspended_at IS NOT NULL FROM mentor_vetting WHERE user_id = ?", mentorID).Scan(&suspended)
	if !suspended {
		t.Error("the suspension is not recorded against the mentor")
	}
	if got := auditActions(t, mentorID); !strings.Contains(got, "mentor.suspended") {
		t.Errorf("audit of the mentor: %q, want mentor.suspended", got)
	}
	if got := auditActions(t, id); !strings.Contains(got, "messages.paused") {
		t.Errorf("audit of the mentorship: %q, want messages.paused", got)
	}

	resp = lead.PostForm("/safeguarding/mentors/"+mentorID+"/reinstate", url.Values{"mentorship": {id}})
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "no longer suspended") {
		t.Fatalf("reinstating: %d", resp.StatusCode)
	}
	if status, _ := postMessage(t, learner, api, map[string]string{"body": "Are you there?"}, ""); status != http.StatusConflict {
		t.Errorf("sending after the reinstatement, before a lead resumes the thread: %d, want 409", status)
	}
}

package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"onramp/app"
	"onramp/app/auth"
	"onramp/app/config"
	"onramp/app/testenv"
)

// The demo mentor reads the lessons their mentee is taking, without
// changing the mentee's progress; nobody else reads them this way.
func TestAMentorReadsTheLessonsTheirMenteeTakesAndOnlyThose(t *testing.T) {
	srv := testenv.NewServer(t)
	mentor := srv.SignIn(t, "mentor@example.org")
	var ms []mentorshipDoc
	mentor.JSON("/api/v1/mentorships", &ms)
	var id string
	for _, m := range ms {
		if m.Status == "active" && m.OtherFirstName == "Amira" {
			id = m.ID
		}
	}
	if id == "" {
		t.Fatalf("the demo mentor has no active mentorship with Amira: %+v", ms)
	}
	var into, started []string
	testenv.DB(t).Gorm.Raw(`SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id JOIN programmes p ON p.id = m.programme_id
		WHERE p.slug = 'get-into' ORDER BY m.position DESC, l.position DESC`).Scan(&into)
	testenv.DB(t).Gorm.Raw(`SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id JOIN programmes p ON p.id = m.programme_id
		WHERE p.slug = 'step-into-work' LIMIT 1`).Scan(&started)
	progress := func() int {
		var n int
		testenv.DB(t).Gorm.Raw(`SELECT count(*) FROM lesson_progress lp JOIN users u ON u.id = lp.user_id WHERE u.email = 'learner@example.org'`).Scan(&n)
		return n
	}
	before := progress()

	list := testenv.Body(t, mentor.Get("/mentoring/mentorships/"+id+"/learning"))
	if !strings.Contains(list, "Amira's lessons") || !strings.Contains(list, "Get Into") ||
		!strings.Contains(list, "/mentoring/mentorships/"+id+"/lessons/"+into[0]) {
		t.Errorf("the mentee's lessons page does not list Get Into's lessons")
	}
	if !strings.Contains(testenv.Body(t, mentor.Get("/mentoring")), "/mentoring/mentorships/"+id+"/learning") {
		t.Error("the mentor's home does not link to the mentee's lessons")
	}
	resp := mentor.Get("/mentoring/mentorships/" + id + "/lessons/" + into[0]) // a lesson Amira has not done
	page := testenv.Body(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `class="app-lesson"`) || strings.Contains(page, "/complete") {
		t.Errorf("reading a mentee's lesson: %d, or it offers to mark it complete", resp.StatusCode)
	}
	if after := progress(); after != before {
		t.Errorf("the mentor reading changed the mentee's progress from %d to %d lessons", before, after)
	}

	// A programme the mentee is not on, someone else's mentorship, a learner.
	for _, c := range []struct {
		who  *testenv.Client
		path string
	}{
		{mentor, "/mentoring/mentorships/" + id + "/lessons/" + started[0]},
		{srv.SignIn(t, "mentor2@example.org"), "/mentoring/mentorships/" + id + "/learning"},
		{srv.SignIn(t, "mentor2@example.org"), "/mentoring/mentorships/" + id + "/lessons/" + into[0]},
	} {
		if resp := c.who.Get(c.path); resp.StatusCode != http.StatusNotFound {
			resp.Body.Close()
			t.Errorf("%s: %d, want 404", c.path, resp.StatusCode)
		} else {
			resp.Body.Close()
		}
	}
	if resp := srv.SignIn(t, "learner@example.org").Get("/mentoring/mentorships/" + id + "/learning"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the mentee opening the mentor's view: %d, want 403", resp.StatusCode)
	}
}

// Someone who is both a learner and a mentor chooses where to go.
func TestSomeoneWhoLearnsAndMentorsChoosesWhereToGo(t *testing.T) {
	srv := testenv.NewServer(t, func(cfg *config.Config, _ *app.Options) { cfg.DevLoadUsers = 1 })
	learner := srv.SignIn(t, app.LoadUserEmail(0))
	var uid string
	testenv.DB(t).Gorm.Raw("SELECT id FROM users WHERE email = ?", app.LoadUserEmail(0)).Scan(&uid)
	admin := &auth.User{ID: adminID(t), Roles: []string{auth.RoleAdmin}}
	if err := srv.App.Identity.GrantRole(context.Background(), admin, uid, auth.RoleMentor); err != nil {
		t.Fatal(err)
	}
	both := srv.SignIn(t, app.LoadUserEmail(0))
	_ = learner
	resp := both.Get("/")
	page := testenv.Body(t, resp)
	if resp.Request.URL.Path != "/" || !strings.Contains(page, "Where do you want to go?") ||
		!strings.Contains(page, `href="/learn"`) || !strings.Contains(page, `href="/mentoring"`) {
		t.Errorf("someone with both roles landed on %s without a choice", resp.Request.URL.Path)
	}
}

func adminID(t *testing.T) string {
	t.Helper()
	var id string
	testenv.DB(t).Gorm.Raw("SELECT id FROM users WHERE email = 'admin@example.org' ORDER BY last_sign_in_at DESC NULLS LAST LIMIT 1").Scan(&id)
	return id
}

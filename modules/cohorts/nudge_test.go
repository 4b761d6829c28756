package cohorts_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"onramp/app/testenv"
	"onramp/modules/identity"
)

// A manager previews a nudge, sends it, and the learner has it in their
// notifications (with an email job), the audit log has it, and a second
// nudge the same day is not sent, from the same manager or another.
func TestANudgeIsPreviewedSentOnceADayAndAudited(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	cohortID, _ := MustCreateCohort(t, trust, "get-started", -10, 10) // started 10 days ago
	idle, _ := MustCreateLearner(t, "Ida Idle")
	busy, _ := MustCreateLearner(t, "Bea Busy")
	MustEnrol(t, cohortID, idle)
	MustEnrol(t, cohortID, busy)
	finish(t, busy, "get-started", 0, -1)
	manager := srv.SignIn(t, "manager@example.org").NoRedirects()
	path := "/manage/cohorts/" + cohortID + "/nudges"

	page := testenv.Body(t, manager.Get(path))
	for _, want := range []string{"To Ida Idle", "Hello Ida", "Not started yet", "Send the nudge"} {
		if !strings.Contains(page, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	if strings.Contains(page, "Bea Busy") {
		t.Error("the preview nudges a learner who is doing fine")
	}
	var sent int
	g.Raw("SELECT count(*) FROM nudges WHERE user_id = ?", idle).Scan(&sent)
	if sent != 0 {
		t.Fatal("previewing sent a nudge")
	}

	resp := manager.PostForm(path, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "nudged=1") {
		t.Fatalf("sending: %d to %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	var notes, audits int
	g.Raw("SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'cohort.nudge' AND body LIKE 'Hello Ida%'", idle).Scan(&notes)
	g.Raw("SELECT count(*) FROM audit_events WHERE action = 'learner.nudged' AND subject_id = ?", idle).Scan(&audits)
	if notes != 1 || audits != 1 {
		t.Errorf("after one nudge: %d notifications, %d audit events, want 1 and 1", notes, audits)
	}

	// Again, for that learner alone, by another manager of the trust: skipped.
	resp = srv.SignIn(t, "admin@example.org").NoRedirects().PostForm(path, url.Values{"learner": {idle}})
	resp.Body.Close()
	if !strings.Contains(resp.Header.Get("Location"), "nudged=0&skipped=1") {
		t.Errorf("a second nudge the same day: %s", resp.Header.Get("Location"))
	}
	g.Raw("SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'cohort.nudge'", idle).Scan(&notes)
	if notes != 1 {
		t.Errorf("the learner has %d nudges after two tries in a day", notes)
	}
	if page := testenv.Body(t, manager.Get(path+"?learner="+idle)); !strings.Contains(page, "Not nudged again today") {
		t.Error("the preview does not say the learner was nudged today")
	}
}

// A manager of another organisation can neither preview nor send a nudge
// for this cohort, and a manager cannot nudge someone outside their cohort
// through their own.
func TestAnotherOrganisationsManagerCannotNudge(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	cohortID, _ := MustCreateCohort(t, trust, "get-started", -10, 10)
	idle, _ := MustCreateLearner(t, "Ida Idle")
	MustEnrol(t, cohortID, idle)
	other := srv.SignIn(t, "manager2@example.org").NoRedirects()
	path := "/manage/cohorts/" + cohortID + "/nudges"
	for _, resp := range []*http.Response{other.Get(path), other.Get(path + "?learner=" + idle),
		other.PostForm(path, nil), other.PostForm(path, url.Values{"learner": {idle}})} {
		body := testenv.Body(t, resp)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "Ida") {
			t.Errorf("manager2 on %s %s: %d", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode)
		}
	}
	// manager2's own cohort, with the trust's learner named: not found.
	theirs, _ := MustCreateCohort(t, identity.DemoCharity, "get-started", -10, 10)
	resp := other.PostForm("/manage/cohorts/"+theirs+"/nudges", url.Values{"learner": {idle}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("nudging a learner outside the cohort: %d", resp.StatusCode)
	}
	var n int
	g.Raw("SELECT count(*) FROM nudges WHERE user_id = ?", idle).Scan(&n)
	if n != 0 {
		t.Errorf("%d nudges reached a learner outside the manager's scope", n)
	}
}

package cohorts_test

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
)

// makeCode creates an invite code through the managers' page and returns it.
func makeCode(t *testing.T, manager *testenv.Client, cohortID, days, uses string) string {
	t.Helper()
	manager.NoRedirects()
	resp := manager.PostForm("/manage/cohorts/"+cohortID+"/invites", url.Values{"days": {days}, "max_uses": {uses}})
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || loc == nil || len(loc.Query().Get("created")) != 8 {
		t.Fatalf("making a code: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("created")
}

// join posts the join form for code and returns the status and page.
func join(t *testing.T, learner *testenv.Client, code string) (int, string) {
	t.Helper()
	learner.NoRedirects()
	resp := learner.PostForm("/join/"+code, nil)
	return resp.StatusCode, testenv.Body(t, resp)
}

func TestALearnerJoinsWithACodeOnceHoweverOftenTheyUseIt(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	manager := srv.SignIn(t, "manager@example.org")
	cohortID, cohortName := MustCreateCohort(t, trust, "get-into", -2, 40)

	resp := manager.PostForm("/manage/cohorts/"+cohortID+"/invites", url.Values{"days": {"0"}, "max_uses": {"101"}})
	body := testenv.Body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "from 1 to 60") ||
		!strings.Contains(body, "from 1 to 100") || !strings.Contains(body, `value="101"`) {
		t.Errorf("out-of-range days and uses: %d, messages or input missing", resp.StatusCode)
	}

	code := makeCode(t, manager, cohortID, "7", "2")
	for _, c := range code {
		if strings.ContainsRune("01OIL", c) {
			t.Errorf("code %s has a character people mix up", code)
		}
	}
	list := testenv.Body(t, manager.Get("/manage/cohorts/"+cohortID+"/invites"))
	if !strings.Contains(list, code) || !strings.Contains(list, "0 of 2") || !strings.Contains(list, "Working") {
		t.Errorf("the codes page does not list %s as working and unused", code)
	}

	visitor := srv.NewClient(t).NoRedirects()
	resp = visitor.Get("/join?code=" + url.QueryEscape(strings.ToLower(code[:4]+" "+code[4:])))
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/join/"+code {
		t.Errorf("typing the code in small letters: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	page := testenv.Body(t, visitor.Get("/join/"+code))
	for _, want := range []string{"Get Into", trust, "/auth/login?return_to=/join/" + code} {
		if !strings.Contains(page, want) {
			t.Errorf("the join page for visitors lacks %q", want)
		}
	}
	if !strings.Contains(page, "The course started on") || strings.Contains(page, "The course starts on") {
		t.Error("the join page for a course that began two days ago calls it upcoming")
	}
	upcoming, _ := MustCreateCohort(t, trust, "get-into", 10, 50)
	if page := testenv.Body(t, visitor.Get("/join/"+makeCode(t, manager, upcoming, "7", "2"))); !strings.Contains(page, "The course starts on") {
		t.Error("the join page for a course starting in ten days does not say when it starts")
	}
	if strings.Contains(page, cohortName) {
		t.Error("the public join page names the cohort")
	}
	resp = visitor.Get("/join?code=ZZZZ")
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="code-error"`) {
		t.Errorf("a short code: %d", resp.StatusCode)
	}

	learner := srv.SignIn(t, "learner4@example.org")
	var me struct{ ID string }
	learner.JSON("/api/v1/me", &me)
	for range 2 {
		if status, _ := join(t, learner, code); status != http.StatusSeeOther {
			t.Fatalf("joining: %d", status)
		}
	}
	var enrolments, uses int
	g.Raw("SELECT count(*) FROM enrolments WHERE cohort_id = ? AND user_id = ?", cohortID, me.ID).Scan(&enrolments)
	g.Raw("SELECT uses FROM invite_codes WHERE code = ?", code).Scan(&uses)
	if enrolments != 1 || uses != 1 {
		t.Errorf("joining twice made %d enrolments and counted %d uses, want 1 and 1", enrolments, uses)
	}
	if page := testenv.Body(t, learner.Get("/join/"+code)); !strings.Contains(page, "You have joined") {
		t.Error("the join page does not tell the learner they are in")
	}
	var audited int
	g.Raw(`SELECT count(*) FROM audit_events WHERE subject_id = ? AND action IN ('invite.created', 'cohort.joined_with_code')`, cohortID).Scan(&audited)
	if audited != 2 {
		t.Errorf("%d audit events for making and using the code, want 2", audited)
	}
}

func TestCodesThatExpiredWereCancelledOrUsedUpAreRefused(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	advance := func(d time.Duration) { now.Add(int64(d)) }
	srv := testenv.NewServer(t, func(_ *config.Config, o *app.Options) {
		o.Now = func() time.Time { return time.Unix(0, now.Load()) }
	})
	g := testenv.DB(t).Gorm
	manager := srv.SignIn(t, "manager@example.org")
	cohortID, _ := MustCreateCohort(t, trust, "get-into", -1, 40)
	endingSoon, _ := MustCreateCohort(t, trust, "get-into", -10, 2)

	expiring := makeCode(t, manager, cohortID, "1", "30")
	cancelled := makeCode(t, manager, cohortID, "30", "30")
	once := makeCode(t, manager, cohortID, "30", "1")
	finishing := makeCode(t, manager, endingSoon, "30", "30")
	resp := manager.PostForm("/manage/cohorts/"+cohortID+"/invites/"+cancelled+"/revoke", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancelling: %d", resp.StatusCode)
	}

	first := srv.SignIn(t, "learner2@example.org")
	if status, _ := join(t, first, once); status != http.StatusSeeOther {
		t.Fatalf("first use of a one-use code: %d", status)
	}
	advance(3 * 24 * time.Hour) // the 1-day code has expired and endingSoon has finished
	learner := srv.SignIn(t, "learner4@example.org")
	cases := []struct{ code, words string }{
		{expiring, "has expired"},
		{cancelled, "has been cancelled"},
		{once, "used as many times as it allows"},
		{finishing, "cohort has finished"},
	}
	for _, tc := range cases {
		status, page := join(t, learner, tc.code)
		if status != http.StatusConflict || !strings.Contains(page, tc.words) {
			t.Errorf("code %s: %d, want 409 saying %q", tc.code, status, tc.words)
		}
		if got := testenv.Body(t, learner.Get("/join/"+tc.code)); !strings.Contains(got, tc.words) || strings.Contains(got, `action="/join/`) {
			t.Errorf("the page for code %s still offers to join", tc.code)
		}
	}
	var joined int
	g.Raw(`SELECT count(*) FROM enrolments e JOIN users u ON u.id = e.user_id
		WHERE u.email = 'learner4@example.org' AND e.cohort_id IN (?, ?)`, cohortID, endingSoon).Scan(&joined)
	if joined != 0 {
		t.Errorf("refused codes enrolled the learner %d times", joined)
	}
	var uses int
	g.Raw("SELECT uses FROM invite_codes WHERE code = ?", once).Scan(&uses)
	if uses != 1 {
		t.Errorf("the one-use code counts %d uses", uses)
	}
	manager = srv.SignIn(t, "manager@example.org")
	resp = manager.PostForm("/manage/cohorts/"+endingSoon+"/invites", url.Values{"days": {"5"}, "max_uses": {"5"}})
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "has finished") {
		t.Errorf("a code for a finished cohort: %d, want 422", resp.StatusCode)
	}
}

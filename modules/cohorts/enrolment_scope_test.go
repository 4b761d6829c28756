package cohorts_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"onramp/app/testenv"
)

func TestAnotherOrganisationsManagerCannotEnrolInviteWithdrawOrTransfer(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	manager := srv.SignIn(t, "manager@example.org")
	cohortID, cohortName := MustCreateCohort(t, trust, "get-into", 3, 45)
	otherID, _ := MustCreateCohort(t, trust, "get-into", 10, 52)
	userID, _ := MustCreateLearner(t, "Scoped Learner")
	MustEnrol(t, cohortID, userID)
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 3)
	csv := []byte("name,email,date_of_birth\nNew Person,new.person.scope@example.net," + dob(start, 20, "02/01/2006") + "\n")
	var imp importAnswer
	if status := apiUpload(t, manager, cohortID, csv, &imp); status != http.StatusCreated {
		t.Fatalf("upload as the cohort's manager: %d", status)
	}
	code := makeCode(t, manager, cohortID, "7", "10")

	other := srv.SignIn(t, "manager2@example.org").NoRedirects()
	base := "/manage/cohorts/" + cohortID
	learner := base + "/learners/" + userID
	gets := []string{base + "/import", base + "/import/example.csv", base + "/imports/" + imp.ID, base + "/invites", learner}
	posts := map[string]url.Values{
		base + "/imports/" + imp.ID + "/confirm":                          nil,
		"/api/v1/cohorts/" + cohortID + "/imports/" + imp.ID + "/confirm": nil,
		base + "/invites":                     {"days": {"7"}, "max_uses": {"5"}},
		base + "/invites/" + code + "/revoke": nil,
		learner + "/withdraw":                 {"reason": {"Not yours"}},
		learner + "/transfer":                 {"cohort": {otherID}},
	}
	check := func(what string, resp *http.Response) {
		t.Helper()
		body := testenv.Body(t, resp)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("manager2 %s: %d, want 404", what, resp.StatusCode)
		}
		if strings.Contains(body, cohortName) || strings.Contains(body, "Scoped Learner") {
			t.Errorf("manager2's refusal of %s gives away the cohort or learner", what)
		}
	}
	for _, p := range gets {
		check("GET "+p, other.Get(p))
	}
	for p, form := range posts {
		check("POST "+p, other.PostForm(p, form))
	}
	check("uploading a page form", upload(t, other, base+"/import", "l.csv", csv, map[string]string{"_csrf": other.CSRF}))
	check("uploading a broken page form", upload(t, other, base+"/import", "l.csv", []byte("\x00"), map[string]string{"_csrf": other.CSRF}))
	check("uploading through the API", upload(t, other, "/api/v1/cohorts/"+cohortID+"/imports", "l.csv", csv, nil))
	check("uploading nothing through the API", upload(t, other, "/api/v1/cohorts/"+cohortID+"/imports", "l.csv", nil, nil))

	var state struct {
		ImportStatus string
		Revoked      bool
		Codes        int
		Enrolment    string
		Imports      int
	}
	g.Raw(`SELECT (SELECT status FROM enrolment_imports WHERE id = ?) AS import_status,
		(SELECT revoked_at IS NOT NULL FROM invite_codes WHERE code = ?) AS revoked,
		(SELECT count(*) FROM invite_codes WHERE cohort_id = ?) AS codes,
		(SELECT status FROM enrolments WHERE cohort_id = ? AND user_id = ?) AS enrolment,
		(SELECT count(*) FROM enrolment_imports WHERE cohort_id = ?) AS imports`,
		imp.ID, code, cohortID, cohortID, userID, cohortID).Scan(&state)
	if state.ImportStatus != "preview" || state.Revoked || state.Codes != 1 || state.Enrolment != "active" || state.Imports != 1 {
		t.Errorf("manager2's refused calls changed something: %+v", state)
	}
	if n := enrolledCount(t, g, otherID); n != 0 {
		t.Errorf("manager2 transferred a learner: %d in the other cohort", n)
	}
}

package cohorts_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"onramp/app/testenv"
)

// percentIn reads a learner's percent and status from a cohort's progress API.
func percentIn(t *testing.T, manager *testenv.Client, cohortID, userID string) (int, string) {
	t.Helper()
	var p struct {
		Learners []struct {
			ID      string
			Status  string
			Percent int
		}
	}
	manager.JSON("/api/v1/cohorts/"+cohortID+"/progress", &p)
	for _, l := range p.Learners {
		if l.ID == userID {
			return l.Percent, l.Status
		}
	}
	t.Fatalf("learner %s is not on cohort %s's dashboard", userID, cohortID)
	return 0, ""
}

func TestWithdrawingNeedsAReason(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	manager := srv.SignIn(t, "manager@example.org").NoRedirects()
	cohortID, _ := MustCreateCohort(t, trust, "get-started", -3, 4)
	userID, email := MustCreateLearner(t, "Priya Withdrawn")
	MustEnrol(t, cohortID, userID)
	path := "/manage/cohorts/" + cohortID + "/learners/" + userID

	page := testenv.Body(t, manager.Get(path))
	for _, want := range []string{"Priya Withdrawn", email, "Enrolled", "0 of", "Never", "Why are they leaving?"} {
		if !strings.Contains(page, want) {
			t.Errorf("the learner page lacks %q", want)
		}
	}
	for _, never := range []string{"Ethnic", "Disab", "Gender", "Religion", "Sexual orientation"} {
		if strings.Contains(page, never) {
			t.Errorf("the learner page shows equality data (%q)", never)
		}
	}

	resp := manager.PostForm(path+"/withdraw", url.Values{"reason": {"   "}})
	body := testenv.Body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Enter why the learner is leaving") ||
		!strings.Contains(body, `href="#reason"`) {
		t.Errorf("withdrawing without a reason: %d", resp.StatusCode)
	}
	long := strings.Repeat("x", 501)
	resp = manager.PostForm(path+"/withdraw", url.Values{"reason": {long}})
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, long) {
		t.Errorf("a 501-character reason: %d, or the reason typed was lost", resp.StatusCode)
	}
	if _, status := percentIn(t, manager, cohortID, userID); status != "active" {
		t.Fatalf("refused withdrawals changed the status to %s", status)
	}

	resp = manager.PostForm(path+"/withdraw", url.Values{"reason": {"Started a full-time job"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("withdrawing: %d", resp.StatusCode)
	}
	var e struct{ Status, WithdrawalReason string }
	g.Raw("SELECT status, withdrawal_reason FROM enrolments WHERE cohort_id = ? AND user_id = ?", cohortID, userID).Scan(&e)
	if e.Status != "withdrawn" || e.WithdrawalReason != "Started a full-time job" {
		t.Errorf("enrolment after withdrawing: %+v", e)
	}
	if page := testenv.Body(t, manager.Get(path)); !strings.Contains(page, "Started a full-time job") || strings.Contains(page, "Withdraw learner") {
		t.Errorf("the page of a withdrawn learner does not show the reason, or still offers to withdraw")
	}
	resp = manager.PostForm(path+"/withdraw", url.Values{"reason": {"Again"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("withdrawing twice: %d, want 409", resp.StatusCode)
	}
	var audited int
	g.Raw("SELECT count(*) FROM audit_events WHERE action = 'enrolment.withdrawn' AND detail->>'cohort_id' = ?", cohortID).Scan(&audited)
	if audited != 1 {
		t.Errorf("%d withdrawals audited, want 1", audited)
	}
}

func TestATransferKeepsTheLearnersProgress(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	manager := srv.SignIn(t, "manager@example.org").NoRedirects()
	from, _ := MustCreateCohort(t, trust, "get-into", -7, 35)
	to, toName := MustCreateCohort(t, trust, "get-into", 7, 49)
	otherProgramme, _ := MustCreateCohort(t, trust, "get-started", 7, 14)
	charity, _ := MustCreateCohort(t, "Riverside Youth Futures", "get-into", 7, 49)
	userID, _ := MustCreateLearner(t, "Tomasz Moving")
	MustEnrol(t, from, userID)
	if err := g.Exec(`INSERT INTO lesson_progress (user_id, lesson_id)
		SELECT ?, l.id FROM lessons l JOIN modules m ON m.id = l.module_id JOIN programmes p ON p.id = m.programme_id
		WHERE p.slug = 'get-into' AND l.published AND m.published ORDER BY m.position, l.position LIMIT 4`, userID).Error; err != nil {
		t.Fatal(err)
	}
	before, _ := percentIn(t, manager, from, userID)
	if before == 0 {
		t.Fatal("the fixture learner has no progress to carry over")
	}
	path := "/manage/cohorts/" + from + "/learners/" + userID
	page := testenv.Body(t, manager.Get(path))
	if !strings.Contains(page, toName) || strings.Contains(page, `value="`+otherProgramme) || strings.Contains(page, `value="`+charity) {
		t.Errorf("the transfer choices should be the same programme's cohorts in the organisation only")
	}

	for name, target := range map[string]string{"none": "", "another programme": otherProgramme,
		"another organisation": charity, "the same cohort": from} {
		resp := manager.PostForm(path+"/transfer", url.Values{"cohort": {target}})
		if body := testenv.Body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#cohort"`) {
			t.Errorf("transfer to %s: %d, want 422 with the error linked to the choice", name, resp.StatusCode)
		}
	}

	resp := manager.PostForm(path+"/transfer", url.Values{"cohort": {to}})
	resp.Body.Close()
	if want := "/manage/cohorts/" + to + "/learners/" + userID + "?done=transferred"; resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
		t.Fatalf("transfer: %d to %q, want %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	after, status := percentIn(t, manager, to, userID)
	if after != before || status != "active" {
		t.Errorf("in the new cohort: %d%% %s, want %d%% active", after, status, before)
	}
	if old, status := percentIn(t, manager, from, userID); old != before || status != "withdrawn" {
		t.Errorf("in the old cohort: %d%% %s, want %d%% withdrawn", old, status, before)
	}
	var moved struct {
		Reason, From string
	}
	g.Raw(`SELECT o.withdrawal_reason AS reason, n.transferred_from::text AS "from" FROM enrolments o, enrolments n
		WHERE o.cohort_id = ? AND o.user_id = ? AND n.cohort_id = ? AND n.user_id = o.user_id`, from, userID, to).Scan(&moved)
	if moved.Reason != "Transferred to "+toName || moved.From != from {
		t.Errorf("records after the transfer: %+v", moved)
	}
	if page := testenv.Body(t, manager.Get("/manage/cohorts/"+to+"/learners/"+userID)); !strings.Contains(page, "Moved from") {
		t.Error("the new cohort's learner page does not say where they came from")
	}
}

// doneIn reads a learner's completed lessons from a cohort's progress API.
func doneIn(t *testing.T, manager *testenv.Client, cohortID, userID string) int {
	t.Helper()
	var p struct {
		Learners []struct {
			ID               string
			CompletedLessons int `json:"completed_lessons"`
		}
	}
	manager.JSON("/api/v1/cohorts/"+cohortID+"/progress", &p)
	for _, l := range p.Learners {
		if l.ID == userID {
			return l.CompletedLessons
		}
	}
	t.Fatalf("learner %s is not on cohort %s's dashboard", userID, cohortID)
	return 0
}

func TestAWithdrawnLearnersLaterProgressIsNotShownToTheCohortTheyLeft(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	left, _ := MustCreateCohort(t, trust, "get-started", -3, 4)
	joined, _ := MustCreateCohort(t, charity, "get-started", -3, 4)
	learner := srv.SignIn(t, "learner4@example.org")
	var me struct{ ID string }
	learner.JSON("/api/v1/me", &me)
	MustEnrol(t, left, me.ID)
	MustEnrol(t, joined, me.ID)
	manager := srv.SignIn(t, "manager@example.org")
	resp := manager.PostForm("/manage/cohorts/"+left+"/learners/"+me.ID+"/withdraw", url.Values{"reason": {"Moved to another organisation"}})
	resp.Body.Close()
	before := doneIn(t, manager, left, me.ID)

	var lessonID string
	g.Raw(`SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id JOIN programmes p ON p.id = m.programme_id
		WHERE p.slug = 'get-started' AND l.published AND NOT EXISTS (SELECT 1 FROM lesson_progress lp WHERE lp.user_id = ? AND lp.lesson_id = l.id)
		ORDER BY m.position, l.position LIMIT 1`, me.ID).Scan(&lessonID)
	resp = learner.Do(learner.Request(http.MethodPost, "/api/v1/lessons/"+lessonID+"/complete", nil))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("completing a lesson: %d", resp.StatusCode)
	}
	if got := doneIn(t, srv.SignIn(t, "manager2@example.org"), joined, me.ID); got != before+1 {
		t.Errorf("the cohort they are in shows %d lessons, want %d", got, before+1)
	}
	if got := doneIn(t, manager, left, me.ID); got != before {
		t.Errorf("the cohort they left shows %d lessons, want still %d from before they left", got, before)
	}
}

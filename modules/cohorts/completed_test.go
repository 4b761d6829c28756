package cohorts_test

import (
	"encoding/csv"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"onramp/app/testenv"
)

// finish records, straight in learning's tables, that a learner did every
// published lesson of the programme (except skipLesson) and tried every
// check, passing unless failCheck is that check's module position.
func finish(t *testing.T, userID, programme string, skipLesson, failCheck int) {
	t.Helper()
	g := testenv.DB(t).Gorm
	at := time.Now().Add(-time.Hour)
	if err := g.Exec(`INSERT INTO lesson_progress (user_id, lesson_id, completed_at)
		SELECT ?, l.id, ? FROM lessons l JOIN modules m ON m.id = l.module_id JOIN programme_modules pm ON pm.module_id = m.id JOIN programmes p ON p.id = pm.programme_id
		WHERE p.slug = ? AND l.published AND m.published
		  AND l.id IS DISTINCT FROM (SELECT l2.id FROM lessons l2 JOIN modules m2 ON m2.id = l2.module_id JOIN programme_modules pm2 ON pm2.module_id = m2.id
		       WHERE pm2.programme_id = p.id AND l2.published AND m2.published ORDER BY pm2.place, pm2.shared, l2.position OFFSET ? LIMIT 1)`,
		userID, at, programme, skipLesson).Error; err != nil {
		t.Fatal(err)
	}
	if err := g.Exec(`INSERT INTO check_attempts (user_id, check_id, correct, total, score, passed, answers, created_at)
		SELECT ?, c.id, CASE WHEN m.position = ? THEN 0 ELSE 1 END, 1, CASE WHEN m.position = ? THEN 0 ELSE 100 END,
		       m.position <> ?, '{}', ?
		FROM checks c JOIN modules m ON m.id = c.module_id JOIN programme_modules pm ON pm.module_id = m.id JOIN programmes p ON p.id = pm.programme_id
		WHERE p.slug = ? AND m.published`, userID, failCheck, failCheck, failCheck, at, programme).Error; err != nil {
		t.Fatal(err)
	}
}

// One meaning of completed: every module finished, lessons and check. The
// same number shows on /manage, on the dashboard, in both API documents
// and in the CSV export, and it is the learners whose every grid cell
// shows completed.
func TestCompletedIsTheSameNumberEverywhere(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	cohortID, name := MustCreateCohort(t, trust, "get-started", -10, 10)
	var lessons int
	g.Raw(`SELECT count(*) FROM lessons l JOIN modules m ON m.id = l.module_id JOIN programme_modules pm ON pm.module_id = m.id JOIN programmes p ON p.id = pm.programme_id
		WHERE p.slug = 'get-started' AND l.published AND m.published`).Scan(&lessons)
	if lessons < 2 {
		t.Fatalf("get-started has %d lessons", lessons)
	}
	done, _ := MustCreateLearner(t, "Dana Done")
	failed, _ := MustCreateLearner(t, "Fola Failed")
	missing, _ := MustCreateLearner(t, "Mo Missing")
	idle, _ := MustCreateLearner(t, "Ida Idle")
	left, _ := MustCreateLearner(t, "Lee Left")
	for _, id := range []string{done, failed, missing, idle, left} {
		MustEnrol(t, cohortID, id)
	}
	finish(t, done, "get-started", lessons, -1)  // everything
	finish(t, failed, "get-started", lessons, 1) // every lesson, the first check failed
	finish(t, missing, "get-started", 1, -1)     // every check, one lesson missing
	finish(t, left, "get-started", lessons, -1)  // everything, then withdrawn
	testenv.NewFixtures(t).Withdraw(cohortID, left, time.Now())
	// A certificate is not the definition: Mo holds one from before a
	// lesson was added, but has not done that lesson.
	if err := g.Exec(`INSERT INTO certificates (user_id, programme_id, code, learner_name, programme_title, issued_at)
		SELECT ?, id, 'ABCD-EFGH-JKLM', 'Mo Missing', title, now() FROM programmes WHERE slug = 'get-started'`, missing).Error; err != nil {
		t.Fatal(err)
	}
	manager := srv.SignIn(t, "manager@example.org")

	var list []struct {
		ID, Name            string
		Enrolled, Completed int
	}
	manager.JSON("/api/v1/cohorts", &list)
	apiList := -1
	for _, c := range list {
		if c.ID == cohortID {
			apiList = c.Completed
		}
	}
	var p struct {
		Cohort   struct{ Completed, Enrolled int }
		Learners []struct {
			ID        string
			Completed bool
			Modules   []string
		}
	}
	manager.JSON("/api/v1/cohorts/"+cohortID+"/progress", &p)
	grid := 0
	for _, l := range p.Learners {
		all := len(l.Modules) > 0
		for _, m := range l.Modules {
			all = all && m == "completed"
		}
		if all && l.ID != left {
			grid++
		}
		if all != l.Completed {
			t.Errorf("learner %s: grid says completed %v, completed says %v", l.ID, all, l.Completed)
		}
	}

	home := testenv.Body(t, manager.Get("/manage"))
	row := regexp.MustCompile(`(?s)` + regexp.QuoteMeta(name) + `</a>.*?Completed </span>(\d+) \((\d+%)\)`).FindStringSubmatch(home)
	dash := testenv.Body(t, manager.Get("/manage/cohorts/"+cohortID))
	funnel := regexp.MustCompile(`<td class="nhsuk-table__cell">Completed</td><td[^>]*>(\d+)</td><td[^>]*>(\d+%)</td>`).FindStringSubmatch(dash)
	rows, err := csv.NewReader(manager.Get("/manage/cohorts/" + cohortID + "/export.csv").Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	exported := 0
	for _, r := range rows[1:] {
		if r[3] == "Yes" && r[2] != "withdrawn" {
			exported++
		}
	}
	if rows[0][3] != "Completed" {
		t.Errorf("the export's fourth column is %q", rows[0][3])
	}
	if row == nil || funnel == nil {
		t.Fatalf("completed not found on /manage (%v) or the dashboard (%v)", row != nil, funnel != nil)
	}
	got := []string{row[1], funnel[1], itoa(apiList), itoa(p.Cohort.Completed), itoa(grid), itoa(exported)}
	for i, where := range []string{"/manage", "the dashboard", "the API list", "the progress document", "the grid", "the CSV export"} {
		if got[i] != "1" {
			t.Errorf("%s says %s completed, want 1 (Dana only)", where, got[i])
		}
	}
	if row[2] != "25%" || funnel[2] != "25%" {
		t.Errorf("completed share: /manage %s, dashboard %s, want 25%% of 4", row[2], funnel[2])
	}
	for _, page := range []string{home, dash} {
		if strings.Count(page, "What “completed” means") != 1 {
			t.Error("a page does not say once what completed means")
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

package outcomes_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"onramp/app/testenv"
	"onramp/modules/identity"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func mustScan(t *testing.T, dest any, q string, args ...any) {
	t.Helper()
	if err := testenv.DB(t).Gorm.Raw(q, args...).Scan(dest).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func mustExec(t *testing.T, q string, args ...any) {
	t.Helper()
	if err := testenv.DB(t).Gorm.Exec(q, args...).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// MustCreateOrganisation adds an organisation of our own.
func MustCreateOrganisation(t *testing.T, name string) string {
	t.Helper()
	return testenv.NewFixtures(t).Organisation(name, "trust")
}

// demoTrustID is the organisation manager@example.org works for.
func demoTrustID(t *testing.T) string {
	t.Helper()
	var id string
	mustScan(t, &id, "SELECT id FROM organisations WHERE name = ?", identity.DemoTrust)
	if id == "" {
		t.Fatal("the demo trust is missing")
	}
	return id
}

// MustCreateCohort adds a cohort of programme slug to an organisation.
func MustCreateCohort(t *testing.T, orgID, slug string, starts, ends time.Time) string {
	t.Helper()
	id, _ := testenv.NewFixtures(t).Cohort(testenv.Cohort{Organisation: orgID, Programme: slug, Starts: starts, Ends: ends})
	return id
}

// MustCreateLearner adds a person who has not signed in yet.
func MustCreateLearner(t *testing.T, name string) string {
	t.Helper()
	id, _ := testenv.NewFixtures(t).Learner(testenv.Learner{Name: name})
	return id
}

// MustEnrol enrols a learner; a non-nil withdrawn withdraws them then.
func MustEnrol(t *testing.T, cohortID, userID string, withdrawn *time.Time) {
	t.Helper()
	f := testenv.NewFixtures(t)
	if withdrawn == nil {
		f.Enrol(cohortID, userID, time.Time{})
		return
	}
	f.Enrol(cohortID, userID, withdrawn.AddDate(0, 0, -1))
	f.Withdraw(cohortID, userID, *withdrawn)
}

// firstLesson is the first lesson of a shipped programme.
func firstLesson(t *testing.T, slug string) string {
	t.Helper()
	var id string
	mustScan(t, &id, `SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id JOIN programmes p ON p.id = m.programme_id
		WHERE p.slug = ? ORDER BY m.position, l.position LIMIT 1`, slug)
	if id == "" {
		t.Fatalf("no lessons in %s", slug)
	}
	return id
}

// MustCompleteLesson records a completed lesson at a time.
func MustCompleteLesson(t *testing.T, userID, lessonID string, at time.Time) {
	t.Helper()
	mustExec(t, "INSERT INTO lesson_progress (user_id, lesson_id, completed_at) VALUES (?, ?, ?)", userID, lessonID, at)
}

// MustAddDestination records a destination straight into the table, with
// its follow-ups, verified by recorder when verified is true.
func MustAddDestination(t *testing.T, userID, cohortID, kind string, start time.Time, verified bool, recorder string) string {
	t.Helper()
	var verifiedAt *time.Time
	var verifiedBy *string
	if verified {
		now := time.Now()
		verifiedAt, verifiedBy = &now, &recorder
	}
	employer := ""
	if kind != "other" && kind != "education" {
		employer = "Test employer"
	}
	var id string
	mustScan(t, &id, `INSERT INTO destinations (user_id, cohort_id, kind, employer, start_date, source, recorded_by, verified_at, verified_by)
		VALUES (?, ?, ?, ?, ?, 'manager', ?, ?, ?) RETURNING id`,
		userID, cohortID, kind, employer, start.Format(time.DateOnly), recorder, verifiedAt, verifiedBy)
	mustExec(t, `INSERT INTO follow_ups (destination_id, kind, due_on) VALUES (?, '3_months', ?), (?, '6_months', ?)`,
		id, start.AddDate(0, 3, 0).Format(time.DateOnly), id, start.AddDate(0, 6, 0).Format(time.DateOnly))
	return id
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// signedInID is the id of the user email is signed in as on srv.
func signedInID(t *testing.T, srv *testenv.Server, email string) string {
	t.Helper()
	var id string
	mustScan(t, &id, "SELECT id FROM users WHERE email = ? AND issuer = ?", email, srv.App.Config.OIDCIssuerURL)
	if id == "" {
		t.Fatalf("%s has not signed in on this server", email)
	}
	return id
}

func status(t *testing.T, resp *http.Response) int {
	t.Helper()
	resp.Body.Close()
	return resp.StatusCode
}

// destinationForm is a filled-in destination form starting on start.
func destinationForm(cohortID, kind, employer string, start time.Time) url.Values {
	return url.Values{"cohort": {cohortID}, "kind": {kind}, "employer": {employer}, "role": {"Porter"},
		"start-day": {fmt.Sprint(start.Day())}, "start-month": {fmt.Sprint(int(start.Month()))}, "start-year": {fmt.Sprint(start.Year())},
		"hours": {"37.5"}, "contract": {"permanent"}}
}

func contains(t *testing.T, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) && !strings.Contains(body, html.EscapeString(w)) {
			t.Errorf("the page does not say %q", w)
		}
	}
}

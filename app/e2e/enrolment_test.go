package e2e

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onramp/app/browsertest"
	"onramp/app/testenv"
)

// waitForImportPreview waits until the browser shows an upload's preview
// page of the cohort, after the file is sent.
func waitForImportPreview(t *testing.T, b *browsertest.Browser, cohortID string) {
	t.Helper()
	prefix := "/manage/cohorts/" + cohortID + "/imports/"
	deadline := time.Now().Add(15 * time.Second)
	for {
		u, err := url.Parse(b.Location(t))
		if err == nil && strings.HasPrefix(u.Path, prefix) {
			b.Run(t, chromedp.WaitReady(chromedp.CSS("body")))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("browser is on %s, want an upload preview", b.Location(t))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// writeCSV saves a spreadsheet in the test's temporary folder for the
// browser to upload.
func writeCSV(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestManagerFixesASpreadsheetAndEnrolsItsLearners(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	var cohort struct {
		ID       string
		StartsOn time.Time
	}
	g.Raw(`SELECT c.id, c.starts_on FROM cohorts c JOIN organisations o ON o.id = c.organisation_id
		WHERE o.name = 'Northfield NHS Foundation Trust' AND c.name = 'Get Into, autumn 2026'`).Scan(&cohort)
	if cohort.ID == "" {
		t.Fatal("demo cohort missing")
	}
	born := func(age int) string { return cohort.StartsOn.AddDate(-age, -2, 0).Format("02/01/2006") }
	good := "Hannah Okoro,hannah.okoro@example.net," + born(19) + ",07700 900111\n" +
		"Liam Walsh,liam.walsh@example.net," + born(22) + ",\n"
	withErrors := "name,email,date_of_birth,phone\n" + good +
		"Sofia Rossi,sofia.rossi.example.net," + born(18) + ",\n" +
		"Dev Patel,dev.patel@example.net,31/02/2007,\n"
	fixed := "name,email,date_of_birth,phone\n" + good +
		"Sofia Rossi,sofia.rossi@example.net," + born(18) + ",\n" +
		"Dev Patel,dev.patel@example.net," + born(20) + ",\n"

	b := browsertest.New(t)
	b.Navigate(t, srv.URL+"/auth/login?login_hint=manager@example.org")
	waitForPath(t, b, "/manage")
	b.Run(t, chromedp.Click(chromedp.CSS(`a[href="/manage/cohorts/`+cohort.ID+`"]`)))
	waitForPath(t, b, "/manage/cohorts/"+cohort.ID)
	b.Run(t, chromedp.Click(chromedp.CSS(`a[href="/manage/cohorts/`+cohort.ID+`/import"]`)))
	waitForPath(t, b, "/manage/cohorts/"+cohort.ID+"/import")
	if h1 := b.Text(t, "h1"); h1 != "Add learners from a spreadsheet" {
		t.Errorf("upload page heading %q", h1)
	}
	check(t, b, "enrolment-upload")

	b.Run(t, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{writeCSV(t, "learners.csv", withErrors)}))
	b.Run(t, chromedp.Click(chromedp.CSS(`form[enctype="multipart/form-data"] button[type="submit"]`)))
	waitForImportPreview(t, b, cohort.ID)
	problems := b.Text(t, "#problems")
	for _, want := range []string{"sofia.rossi.example.net", "is not a valid email address", "Date of birth 31/02/2007 is not a real date"} {
		if !strings.Contains(problems, want) {
			t.Errorf("the preview's problems do not show %q: %q", want, problems)
		}
	}
	if button := b.Text(t, `form[action$="/confirm"] button`); button != "Confirm and add 2 learners" {
		t.Errorf("confirm button %q", button)
	}
	check(t, b, "enrolment-preview-with-errors")

	b.Run(t, chromedp.Click(chromedp.CSS(".nhsuk-back-link")))
	waitForPath(t, b, "/manage/cohorts/"+cohort.ID+"/import")
	b.Run(t, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{writeCSV(t, "learners-fixed.csv", fixed)}))
	b.Run(t, chromedp.Click(chromedp.CSS(`form[enctype="multipart/form-data"] button[type="submit"]`)))
	waitForImportPreview(t, b, cohort.ID)
	if ready := b.Text(t, "#ready"); !strings.Contains(ready, "Sofia Rossi") || !strings.Contains(ready, "Dev Patel") {
		t.Errorf("the corrected rows are not ready to add: %q", ready)
	}
	if button := b.Text(t, `form[action$="/confirm"] button`); button != "Confirm and add 4 learners" {
		t.Errorf("confirm button %q", button)
	}
	check(t, b, "enrolment-preview")

	b.Run(t, chromedp.Click(chromedp.CSS(`form[action$="/confirm"] button`)))
	waitForPath(t, b, "/manage/cohorts/"+cohort.ID)
	grid := b.Text(t, ".app-grid")
	for _, name := range []string{"Hannah Okoro", "Liam Walsh", "Sofia Rossi", "Dev Patel"} {
		if !strings.Contains(grid, name) {
			t.Errorf("the dashboard does not list %s", name)
		}
	}
	check(t, b, "enrolment-dashboard")
}

func TestLearnerJoinsWithACodeTheirManagerMade(t *testing.T) {
	srv := testenv.NewServer(t)
	var cohortID string
	testenv.DB(t).Gorm.Raw(`SELECT c.id FROM cohorts c JOIN organisations o ON o.id = c.organisation_id
		WHERE o.name = 'Northfield NHS Foundation Trust' AND c.name = 'Step into Work, November 2026'`).Scan(&cohortID)
	if cohortID == "" {
		t.Fatal("demo cohort missing")
	}

	manager := browsertest.New(t)
	manager.Navigate(t, srv.URL+"/auth/login?login_hint=manager@example.org")
	waitForPath(t, manager, "/manage")
	manager.Navigate(t, srv.URL+"/manage/cohorts/"+cohortID)
	manager.Run(t, chromedp.Click(chromedp.CSS(`a[href="/manage/cohorts/`+cohortID+`/invites"]`)))
	waitForPath(t, manager, "/manage/cohorts/"+cohortID+"/invites")
	manager.Run(t, chromedp.Click(chromedp.CSS(`form[action$="/invites"] button`)))
	manager.Run(t, chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)))
	u, err := url.Parse(manager.Location(t))
	if err != nil {
		t.Fatal(err)
	}
	code := u.Query().Get("created")
	if len(code) != 8 || !strings.Contains(manager.Text(t, "table"), code) {
		t.Fatalf("no new code listed (created=%q)", code)
	}
	check(t, manager, "enrolment-invites")

	manager.Navigate(t, srv.URL+"/manage/cohorts/"+cohortID)
	manager.Run(t, chromedp.Click(chromedp.CSS(`.app-grid tbody a`)))
	manager.Run(t, chromedp.WaitVisible(chromedp.CSS(`#reason`)))
	check(t, manager, "enrolment-learner")

	learner := browsertest.New(t)
	learner.Navigate(t, srv.URL+"/join")
	check(t, learner, "enrolment-join")
	learner.Run(t, chromedp.SendKeys(chromedp.CSS("#code"), strings.ToLower(code)))
	learner.Run(t, chromedp.Click(chromedp.CSS(`form[action="/join"] button`)))
	waitForPath(t, learner, "/join/"+code)
	if h1 := learner.Text(t, "h1"); h1 != "Step into Work" {
		t.Errorf("join page heading %q", h1)
	}
	check(t, learner, "enrolment-join-code")
	learner.Run(t, chromedp.Click(chromedp.CSS(`a[href^="/auth/login?return_to="]`)))
	waitForPath(t, learner, "/dev/idp/authorize")
	learner.Run(t, chromedp.Click(chromedp.CSS(`button[value="learner4@example.org"]`)))
	waitForPath(t, learner, "/join/"+code)
	learner.Run(t, chromedp.Click(chromedp.CSS(`form[action="/join/`+code+`"] button`)))
	learner.Run(t, chromedp.WaitVisible(chromedp.CSS(`.app-panel--done`)))
	if panel := learner.Text(t, ".app-panel--done"); !strings.Contains(panel, "You have joined") {
		t.Errorf("no confirmation after joining: %q", panel)
	}
	check(t, learner, "enrolment-joined")
}

func TestLearnerAcceptsAnInvitationFromAnotherOrganisation(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	var cohort struct {
		ID       string
		StartsOn time.Time
	}
	g.Raw(`SELECT c.id, c.starts_on FROM cohorts c JOIN organisations o ON o.id = c.organisation_id
		WHERE o.name = 'Riverside Youth Futures' AND c.name = 'Get Into, spring 2027'`).Scan(&cohort)
	if cohort.ID == "" {
		t.Fatal("demo cohort missing")
	}
	// learner@ is in the trust's cohort, so the charity's import invites them.
	csv := "name,email,date_of_birth\nAmira Khan,learner@example.org," + cohort.StartsOn.AddDate(-20, -2, 0).Format("02/01/2006") + "\n"

	manager := browsertest.New(t)
	manager.Navigate(t, srv.URL+"/auth/login?login_hint=manager2@example.org")
	waitForPath(t, manager, "/manage")
	manager.Navigate(t, srv.URL+"/manage/cohorts/"+cohort.ID+"/import")
	manager.Run(t, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{writeCSV(t, "learners.csv", csv)}))
	manager.Run(t, chromedp.Click(chromedp.CSS(`form[enctype="multipart/form-data"] button[type="submit"]`)))
	waitForImportPreview(t, manager, cohort.ID)
	manager.Run(t, chromedp.Click(chromedp.CSS(`form[action$="/confirm"] button`)))
	waitForPath(t, manager, "/manage/cohorts/"+cohort.ID)
	if status := manager.Text(t, `[role="status"]`); !strings.Contains(status, "1 person added") || !strings.Contains(status, "asked to accept first") {
		t.Errorf("the import's message: %q", status)
	}
	if strings.Contains(manager.Text(t, "main"), "Amira Khan") {
		t.Error("the dashboard shows the learner before they accept")
	}

	learner := browsertest.New(t)
	learner.Navigate(t, srv.URL+"/auth/login?login_hint=learner@example.org")
	waitForPath(t, learner, "/learn")
	learner.Navigate(t, srv.URL+"/join")
	if h1 := learner.Text(t, "h1"); h1 != "Invitations waiting for you" {
		t.Errorf("join page heading %q", h1)
	}
	if card := learner.Text(t, ".nhsuk-card"); !strings.Contains(card, "Get Into with Riverside Youth Futures") {
		t.Errorf("the invitation does not say what and who: %q", card)
	}
	check(t, learner, "enrolment-invitation")
	learner.Run(t, chromedp.Click(chromedp.CSS(`form[action$="/accept"] button`)))
	learner.Run(t, chromedp.WaitVisible(chromedp.CSS(`.app-panel--done`)))
	check(t, learner, "enrolment-invitation-accepted")

	manager.Navigate(t, srv.URL+"/manage/cohorts/"+cohort.ID)
	if !strings.Contains(manager.Text(t, ".app-grid"), "Amira Khan") {
		t.Error("the dashboard does not show the learner after they accepted")
	}
}

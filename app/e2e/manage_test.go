package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"onramp/app/browsertest"
	"onramp/app/testenv"
)

// checkAtWidths runs the page checks with the window 360 and 1280 pixels
// wide, then saves the screenshots.
func checkAtWidths(t *testing.T, b *browsertest.Browser, name string) {
	t.Helper()
	for _, w := range []int64{360, 1280} {
		b.Run(t, chromedp.EmulateViewport(w, 900))
		b.CheckPage(t)
	}
	b.Screenshots(t, name)
}

func TestManagerPreviewsANudgeAndOpensALearnersFullPicture(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	var cohortID, learnerID string
	g.Raw(`SELECT c.id FROM cohorts c JOIN organisations o ON o.id = c.organisation_id
		WHERE o.name = 'Northfield NHS Foundation Trust' AND c.name = 'Get Into, autumn 2026'`).Scan(&cohortID)
	g.Raw(`SELECT id FROM users WHERE email = 'learner@example.org'`).Scan(&learnerID)
	if cohortID == "" || learnerID == "" {
		t.Fatal("demo cohort or learner missing")
	}
	b := browsertest.New(t)
	b.Navigate(t, srv.URL+"/auth/login?login_hint=manager@example.org")
	waitForPath(t, b, "/manage")
	b.Navigate(t, srv.URL+"/manage/cohorts/"+cohortID)
	checkAtWidths(t, b, "manage-dashboard")

	b.Run(t, chromedp.Click(chromedp.CSS(`a[href="/manage/cohorts/`+cohortID+`/nudges"]`)))
	waitForPath(t, b, "/manage/cohorts/"+cohortID+"/nudges")
	if h1 := b.Text(t, "h1"); h1 != "Nudge everyone who needs it" {
		t.Errorf("nudge preview heading %q", h1)
	}
	preview := b.Text(t, "main")
	if !strings.Contains(preview, "Hello") || !strings.Contains(preview, "at most one nudge a day") {
		t.Errorf("the preview does not show the message and the daily limit:\n%.500s", preview)
	}
	checkAtWidths(t, b, "manage-nudge-preview")
	b.Run(t, chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	waitForPath(t, b, "/manage/cohorts/"+cohortID)
	if status := b.Text(t, `[role="status"]`); !strings.Contains(status, "sent") {
		t.Errorf("after sending, the dashboard says %q", status)
	}

	b.Navigate(t, srv.URL+"/manage/cohorts/"+cohortID+"/learners/"+learnerID)
	page := b.Text(t, "main")
	for _, want := range []string{"Modules and checks", "best score", "Mentor", "Dan", "Where they went next"} {
		if !strings.Contains(page, want) {
			t.Errorf("the learner's picture lacks %q", want)
		}
	}
	checkAtWidths(t, b, "manage-learner-picture")

	b.Navigate(t, srv.URL+"/manage/cohorts/"+cohortID+"/invites")
	b.Run(t, chromedp.Click(chromedp.CSS(`main form[action$="/invites"] button[type="submit"]`)))
	waitForPath(t, b, "/manage/cohorts/"+cohortID+"/invites")
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(`button[data-copy]`)))
	if !evaluate[bool](t, b, `document.querySelectorAll('.app-qr svg path').length > 0`) {
		t.Error("the invite code has no QR code")
	}
	checkAtWidths(t, b, "manage-invites")

	// Starting a cohort: its dates are typed in the NHS date input.
	b.Navigate(t, srv.URL+"/manage/cohorts/new")
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(`#start-day`)))
	checkAtWidths(t, b, "manage-start-cohort")
}

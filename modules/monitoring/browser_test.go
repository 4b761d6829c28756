package monitoring_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onramp/app/browsertest"
	"onramp/app/testenv"
)

// waitForPath waits until the browser shows a page whose path starts with
// prefix.
func waitForPath(t *testing.T, b *browsertest.Browser, prefix string) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if loc := b.Location(t); strings.Contains(loc, prefix) {
			b.Run(t, chromedp.WaitReady(chromedp.CSS("body")))
			return
		}
	}
	t.Fatalf("the browser did not reach %s; it is on %s", prefix, b.Location(t))
}

func answer(field, value string) string { return `input[name="` + field + `"][value="` + value + `"]` }

// A learner on a phone answers some questions and saves them, then
// answers the rest; a manager then opens the report, and one too small
// to show. Every page is
// scanned with axe and photographed at phone and desktop widths.
func TestTheFormAndTheReportWorkInABrowserAndAreAccessible(t *testing.T) {
	srv := testenv.NewServer(t)
	cohort, _ := mustBriefCohort(t, trust)
	b := browsertest.New(t)

	b.Navigate(t, srv.URL+"/auth/login?login_hint=learner2@example.org")
	waitForPath(t, b, "/learn")
	b.Navigate(t, srv.URL+"/learn/about-you")
	b.CheckPage(t)
	b.Screenshots(t, "equality-about-you")

	b.Run(t, chromedp.Click(chromedp.CSS(answer("sex", "female"))), chromedp.Click(chromedp.CSS(answer("ethnicity", "white_roma"))),
		chromedp.Click(chromedp.CSS(`main form[action="/learn/about-you"] button[type="submit"]`)))
	waitForPath(t, b, "done=saved")
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)))
	if status := b.Text(t, `[role="status"]`); !strings.Contains(status, "Your answers are saved") {
		t.Errorf("after saving two answers: %q", status)
	}
	b.CheckPage(t)
	b.Screenshots(t, "equality-about-you-partly-saved")
	b.Navigate(t, srv.URL+"/learn/about-you")

	for field, value := range map[string]string{"gender_same_as_birth": "prefer_not_to_say", "disability": "no",
		"care_experience": "no", "benefits": "yes", "neet": "prefer_not_to_say"} {
		b.Run(t, chromedp.Click(chromedp.CSS(answer(field, value))))
	}
	b.Run(t, chromedp.Click(chromedp.CSS(`main form[action="/learn/about-you"] button[type="submit"]`)))
	waitForPath(t, b, "done=saved")
	if status := b.Text(t, `[role="status"]`); !strings.Contains(status, "Your answers are saved") {
		t.Errorf("after saving: %q", status)
	}
	b.CheckPage(t)

	b.Navigate(t, srv.URL+"/auth/login?login_hint=manager@example.org")
	waitForPath(t, b, "/manage")
	b.Navigate(t, srv.URL+"/manage/equality?cohort="+cohort)
	if caption := b.Text(t, "#table-sex caption"); caption != "Sex" {
		t.Errorf("sex table caption %q", caption)
	}
	b.CheckPage(t)
	b.Screenshots(t, "equality-report")

	// A cohort of one person: the report is withheld, and the page says why.
	small := mustCohort(t, trust)
	mustEnrol(t, small, learner{age: 20, answers: map[string]string{"sex": "female"}})
	b.Navigate(t, srv.URL+"/manage/equality?cohort="+small)
	if notice := b.Text(t, "#withheld"); !strings.Contains(notice, "fewer than 20 people") {
		t.Errorf("withheld notice %q", notice)
	}
	b.CheckAccessibility(t)
	b.Screenshots(t, "equality-report-withheld")
}

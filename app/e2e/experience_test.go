package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onramp/app"
	"onramp/app/auth"
	"onramp/app/browsertest"
	"onramp/app/config"
	"onramp/app/testenv"
	"onramp/modules/identity"
)

// count is how many elements match the CSS selector and contain text.
func count(t *testing.T, b *browsertest.Browser, selector, text string) int {
	t.Helper()
	return evaluate[int](t, b, `Array.from(document.querySelectorAll(`+jsString(selector)+`)).filter(e => e.textContent.includes(`+jsString(text)+`)).length`)
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// signInAs signs the browser in as email (the dev provider honours
// login_hint) and waits for their home page.
func signInAs(t *testing.T, b *browsertest.Browser, srv *testenv.Server, email, home string) {
	t.Helper()
	b.Navigate(t, srv.URL+"/auth/login?login_hint="+email)
	waitForPath(t, b, home)
}

// finishProgramme gives a learner who has signed in a finished programme:
// a group of the demo trust, every lesson and check done, and (through
// the real service) the certificate that issues.
func finishProgramme(t *testing.T, srv *testenv.Server, email, slug string) {
	t.Helper()
	var u struct{ ID, Name string }
	testenv.DB(t).Gorm.Raw("SELECT id, name FROM users WHERE email = ?", email).Scan(&u)
	if u.ID == "" {
		t.Fatalf("%s has not signed in", email)
	}
	f := testenv.NewFixtures(t)
	cohort, _ := f.Cohort(testenv.Cohort{Organisation: f.DemoOrganisation(identity.DemoTrust), Programme: slug,
		Starts: time.Now().UTC().AddDate(0, 0, -20).Truncate(24 * time.Hour)})
	f.Enrol(cohort, u.ID, time.Now().AddDate(0, 0, -21))
	ctx := context.Background()
	if err := srv.App.Learning.SeedProgress(ctx, u.ID, slug, 1, time.Now().Add(-time.Hour), false); err != nil {
		t.Fatal(err)
	}
	var last string
	testenv.DB(t).Gorm.Raw(`SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id JOIN programmes p ON p.id = m.programme_id
		WHERE p.slug = ? ORDER BY m.position DESC, l.position DESC LIMIT 1`, slug).Scan(&last)
	p, err := srv.App.Learning.CompleteLesson(ctx, &auth.User{ID: u.ID, Name: u.Name, Roles: []string{auth.RoleLearner}}, last)
	if err != nil || !p.Complete {
		t.Fatalf("finishing %s: %v", slug, err)
	}
}

// /learn answers three questions, each once: what am I doing now, what
// have I finished, what should I do next; for a learner in no group, a
// learner part way through with a mentor, and one who has finished.
func TestLearnHomeSaysWhatNowWhatIsDoneAndWhatNext(t *testing.T) {
	srv := testenv.NewServer(t, func(cfg *config.Config, _ *app.Options) { cfg.DevLoadUsers = 3 })
	b := browsertest.New(t)

	// In no group: how to join one; nothing they cannot do.
	signInAs(t, b, srv, app.LoadUserEmail(1), "/learn")
	if n := count(t, b, "main h2", "Join your group"); n != 1 {
		t.Errorf("a learner in no group sees %d 'Join your group' sections, want 1", n)
	}
	if n := count(t, b, `main a[href="/join"]`, "Enter a group code"); n != 1 {
		t.Errorf("a learner in no group has %d links to enter a group code, want 1", n)
	}
	if n := count(t, b, `a[href="/learn/news"]`, ""); n != 0 {
		t.Errorf("a learner in no group is offered to tell us news %d times", n)
	}
	check(t, b, "learn-no-group")

	// Part way through, in a group, with a mentor.
	signInAs(t, b, srv, "learner@example.org", "/learn")
	for text, want := range map[string]int{"Continue where you left off": 1, "Your programmes": 1, "Got a job or a place?": 1,
		"Your mentor": 1, "Join your group": 0, "What to do next": 0} {
		if n := count(t, b, "main h2", text); n != want {
			t.Errorf("the home of a learner part way through has %d %q headings, want %d", n, text, want)
		}
	}
	if n := count(t, b, `aside a[href^="/mentoring/mentorships/"]`, "Message your mentor"); n != 1 {
		t.Errorf("the help at the end of the page links %d times to the mentor's messages, want 1", n)
	}
	check(t, b, "learn-in-group")

	// Finished a programme: the certificate, and where to go next.
	signInAs(t, b, srv, app.LoadUserEmail(2), "/learn")
	finishProgramme(t, srv, app.LoadUserEmail(2), "get-started")
	b.Navigate(t, srv.URL+"/learn")
	for text, want := range map[string]int{"Continue where you left off": 0, "Your certificates": 1, "What to do next": 1, "Join your group": 0} {
		if n := count(t, b, "main h2", text); n != want {
			t.Errorf("the home of a learner who finished has %d %q headings, want %d", n, text, want)
		}
	}
	if n := count(t, b, `main a[href="/learn/get-started/certificate"]`, "Get Started certificate"); n != 1 {
		t.Errorf("the finished programme's certificate is linked %d times, want 1", n)
	}
	for _, sel := range []string{`a[href="https://www.jobs.nhs.uk/"]`, `a[href="https://www.findapprenticeship.service.gov.uk/"]`, `a[href="/learn/news"]`} {
		if count(t, b, "main "+sel, "") != 1 {
			t.Errorf("what to do next has no single %s", sel)
		}
	}
	if n := count(t, b, "main h3", "Your next programme: Get Into"); n != 1 {
		t.Errorf("what to do next suggests Get Into %d times, want 1", n)
	}
	check(t, b, "learn-finished")

	b.Navigate(t, srv.URL+evaluate[string](t, b, `document.querySelector('main a[href$="/certificate"]').getAttribute("href")`))
	waitForPath(t, b, "/learn/get-started/certificate")
	for _, want := range []string{"You finished Get Started", "What it covered", "of online lessons", "/verify/"} {
		if !strings.Contains(b.Text(t, "main"), want) {
			t.Errorf("the certificate page does not say %q", want)
		}
	}
	check(t, b, "certificate")
}

// The footer's pages and the help page, as a visitor and a learner would
// open them.
func TestFooterAndHelpPagesAreLinkedAndReadable(t *testing.T) {
	srv := testenv.NewServer(t)
	b := browsertest.New(t)
	b.Navigate(t, srv.URL+"/")
	for _, p := range []struct{ link, path, h1 string }{
		{"Accessibility statement", "/accessibility", "Accessibility statement for Onramp"},
		{"Privacy notice", "/privacy", "Privacy notice"},
		{"Cookies", "/cookies", "Cookies"},
		{"Contact us", "/contact", "Contact us"},
	} {
		b.Navigate(t, srv.URL+evaluate[string](t, b,
			`Array.from(document.querySelectorAll("footer a")).find(a => a.textContent.trim() === `+jsString(p.link)+`).getAttribute("href")`))
		waitForPath(t, b, p.path)
		if h1 := b.Text(t, "h1"); h1 != p.h1 {
			t.Errorf("%s has the heading %q, want %q", p.path, h1, p.h1)
		}
		check(t, b, "footer"+strings.ReplaceAll(p.path, "/", "-"))
	}

	signInAs(t, b, srv, "learner@example.org", "/learn")
	b.Navigate(t, srv.URL+"/learn/help")
	if h1 := b.Text(t, "h1"); h1 != "Get help" {
		t.Errorf("the help page's heading is %q", h1)
	}
	for _, sel := range []string{`a[href="tel:111"]`, `a[href="tel:116123"]`, `a[href="sms:85258"]`, `a[href^="mailto:"]`, `a[href^="/concerns/new"]`} {
		if count(t, b, "main "+sel, "") == 0 {
			t.Errorf("the help page has no %s", sel)
		}
	}
	check(t, b, "learn-help")
	b.Navigate(t, srv.URL+"/learn/news")
	check(t, b, "learn-news")
	b.Run(t, chromedp.Click(chromedp.CSS(`main form[action="/learn/news"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".nhsuk-error-summary")))
	if title := evaluate[string](t, b, "document.title"); !strings.HasPrefix(title, "Error: ") {
		t.Errorf("a refused news form has the title %q", title)
	}
	check(t, b, "learn-news-errors")

	// The mentor reads the lessons their mentee is taking.
	signInAs(t, b, srv, "mentor@example.org", "/mentoring")
	b.Navigate(t, srv.URL+evaluate[string](t, b, `document.querySelector('a[href$="/learning"]').getAttribute("href")`))
	if h1 := b.Text(t, "h1"); h1 != "Amira's lessons" {
		t.Errorf("the mentee's lessons page is headed %q", h1)
	}
	check(t, b, "mentee-lessons")
	b.Navigate(t, srv.URL+evaluate[string](t, b, `document.querySelector('main a[href*="/lessons/"]').getAttribute("href")`))
	if count(t, b, `form[action$="/complete"]`, "") != 0 {
		t.Error("the mentor's lesson page offers to mark the lesson complete")
	}
	check(t, b, "mentee-lesson")
}

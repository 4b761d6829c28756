// Package e2e holds browser journeys: real headless Chromium against a real
// Onramp, with an axe-core accessibility scan and screenshots at phone and
// desktop widths on every page a journey visits.
package e2e

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onramp/app/browsertest"
	"onramp/app/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// waitForPath waits until the browser is on path, after a click that
// navigates. Reading the page can fail while the old document goes away;
// such errors are retried until the deadline.
func waitForPath(t *testing.T, b *browsertest.Browser, path string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		// The URL changes as soon as navigation starts; wait for the new
		// document to finish loading too, or a query may hit the old one.
		loc, state, err := locationAndState(b)
		if u, perr := url.Parse(loc); err == nil && perr == nil && u.Path == path && state == "complete" {
			b.Run(t, chromedp.WaitReady(chromedp.CSS("body")))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("browser is on %s (%v), want %s", loc, err, path)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// locationAndState reads the tab's URL and document.readyState, or the
// error that stopped it.
func locationAndState(b *browsertest.Browser) (string, string, error) {
	ctx, cancel := context.WithTimeout(b.Ctx(), 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "", "", err
	}
	state, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.readyState"))
	return loc, state, err
}

// check runs the page checks (accessibility, repeated headings) on the
// current page and saves screenshots of it.
func check(t *testing.T, b *browsertest.Browser, name string) {
	t.Helper()
	b.CheckPage(t)
	b.Screenshots(t, name)
}

func TestLearnerSignsInThroughTheProviderAndSeesTheirHome(t *testing.T) {
	srv := testenv.NewServer(t)
	b := browsertest.New(t)

	b.Navigate(t, srv.URL+"/")
	if h1 := b.Text(t, "h1"); !strings.Contains(h1, "career") {
		t.Errorf("home page heading %q", h1)
	}
	check(t, b, "home-anonymous")

	b.Run(t, chromedp.Click(chromedp.CSS(".nhsuk-header__account-link")))
	waitForPath(t, b, "/dev/idp/authorize")
	check(t, b, "dev-idp-sign-in")

	b.Run(t, chromedp.Click(chromedp.CSS(`button[value="learner@example.org"]`)))
	waitForPath(t, b, "/learn")
	if h1 := b.Text(t, "h1"); h1 != "My learning" {
		t.Errorf("learner home heading %q", h1)
	}
	if who := b.Text(t, ".nhsuk-header__account-item"); !strings.Contains(who, "Amira Khan") {
		t.Errorf("header does not name the signed-in learner: %q", who)
	}
	check(t, b, "learn-home")

	b.Navigate(t, srv.URL+"/manage")
	if h1 := b.Text(t, "h1"); h1 != "You do not have access to this page" {
		t.Errorf("403 page heading %q", h1)
	}
	check(t, b, "forbidden")

	b.Run(t, chromedp.Click(chromedp.CSS(".nhsuk-header__account-button")))
	waitForPath(t, b, "/auth/signed-out")
	check(t, b, "signed-out")
}

func TestAdminGivesARoleAndSeesItRecorded(t *testing.T) {
	srv := testenv.NewServer(t)
	b := browsertest.New(t)

	b.Navigate(t, srv.URL+"/auth/login?login_hint=admin@example.org")
	waitForPath(t, b, "/admin")
	check(t, b, "admin-home")

	b.Navigate(t, srv.URL+"/admin/users?q=jordan")
	check(t, b, "admin-users")
	b.Run(t, chromedp.Click(chromedp.CSS(`table a`)))
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(`.nhsuk-back-link`)))
	if h1 := b.Text(t, "h1"); h1 != "Jordan Price" {
		t.Fatalf("user page heading %q", h1)
	}
	check(t, b, "admin-user")

	b.Run(t, chromedp.Click(chromedp.CSS(`form[action$="/roles"] input[value="mentor"] ~ button`)))
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)))
	if status := b.Text(t, `[role="status"]`); !strings.Contains(status, "Role given") {
		t.Errorf("no confirmation after giving a role: %q", status)
	}
	check(t, b, "admin-user-role-given")

	// Administrator is asked about first, on a page of its own; going back
	// gives nothing.
	b.Run(t, chromedp.Click(chromedp.CSS(`form[action$="/roles"] input[value="admin"] ~ button`)))
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(`.nhsuk-warning-callout`)))
	if h1 := b.Text(t, "h1"); h1 != "Make Jordan Price an administrator?" {
		t.Errorf("confirmation heading %q", h1)
	}
	checkAtPhoneAndDesktop(t, b, "admin-user-confirm-admin")
	b.Run(t, chromedp.Click(chromedp.CSS(`.nhsuk-button-group a`)))
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(`a[href^="/admin/audit?subject=user:"]`)))

	b.Run(t, chromedp.Click(chromedp.CSS(`a[href^="/admin/audit?subject=user:"]`)))
	waitForPath(t, b, "/admin/audit")
	if log := b.Text(t, ".app-audit"); !strings.Contains(log, "Sam Lee gave Jordan Price the mentor role.") || strings.Contains(log, "administrator") {
		t.Errorf("audit log does not say the admin gave the mentor role (and only that): %q", log)
	}
	if page := b.Text(t, "main"); !strings.Contains(page, "Showing the entries about Jordan Price that match.") {
		t.Error("the audit log opened from a person's page does not say whose entries it shows")
	}
	check(t, b, "admin-audit")

	// The filters are a GET form: by person and what happened.
	b.Navigate(t, srv.URL+"/admin/audit?person=Jordan&action=roles&from-day=1&from-month=1&from-year=2026")
	if log := b.Text(t, ".app-audit"); !strings.Contains(log, "gave Jordan Price the mentor role") {
		t.Errorf("filtered audit log: %q", log)
	}
	checkAtPhoneAndDesktop(t, b, "admin-audit-filtered")
}

package app_test

import (
	"net/http"
	"strings"
	"testing"

	"onramp/app/config"
	"onramp/app/testenv"
)

// The footer's pages say what Onramp itself does: the cookies it really
// sets, how long it keeps messages, who to write to.
func TestTheFooterPagesAreLinkedEverywhereAndDescribeOnrampAsItIs(t *testing.T) {
	srv := testenv.NewServer(t)
	anon := srv.NewClient(t)
	want := map[string][]string{
		"/accessibility": {"Accessibility statement for Onramp", "WCAG", "not tagged", config.DevContactEmail, "Equality Advisory and Support Service"},
		"/privacy": {"Privacy notice", "special category", "7 years, then they are deleted automatically", "held for a safeguarding lead",
			"never recorded in this log", "Information Commissioner", config.DevContactEmail},
		"/cookies": {"onramp_session", "onramp_login", "30 minutes", "12 hours", "do not use cookies to track you"},
		"/contact": {"Contact us", "Report a worry", `href="tel:111"`, `href="tel:116123"`, `href="sms:85258"`, config.DevContactEmail},
	}
	for path, phrases := range want {
		resp := anon.Get(path)
		page := testenv.Body(t, resp)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d, want 200", path, resp.StatusCode)
			continue
		}
		for _, p := range phrases {
			if !strings.Contains(page, p) {
				t.Errorf("%s does not say %q", path, p)
			}
		}
	}

	// The cookies page names every cookie a visit that signs in sets.
	learner := srv.SignIn(t, "learner@example.org")
	cookies := testenv.Body(t, learner.Get("/cookies"))
	for _, name := range []string{"onramp_session", "onramp_login"} {
		if !strings.Contains(cookies, "<code>"+name+"</code>") {
			t.Errorf("the cookies page does not describe %s", name)
		}
	}

	manager := srv.SignIn(t, "manager@example.org")
	for c, paths := range map[*testenv.Client][]string{anon: {"/", "/verify"}, learner: {"/learn", "/learn/help"}, manager: {"/manage"}} {
		for _, path := range paths {
			page := testenv.Body(t, c.Get(path))
			for _, link := range []string{`href="/accessibility"`, `href="/privacy"`, `href="/cookies"`, `href="/contact"`} {
				if !strings.Contains(page, link) {
					t.Errorf("%s has no footer link %s", path, link)
				}
			}
		}
	}
}

// Every learner page ends with the same help: their mentor's thread when
// they have one, their programme manager, a worry, and help right now.
func TestEveryLearnerPageOffersHelp(t *testing.T) {
	srv := testenv.NewServer(t)
	learner := srv.SignIn(t, "learner@example.org") // has an active mentor in the demo
	for _, path := range []string{"/learn", "/learn/get-into", "/learn/about-you", "/learn/news", "/learn/mentor", "/notifications", "/learn/help"} {
		page := testenv.Body(t, learner.Get(path))
		for _, want := range []string{"Need help?", `href="/mentoring/mentorships/`, "Message your mentor, Dan", `href="/learn/help#programme-manager"`,
			`href="/concerns/new?mentorship=`, `href="tel:111"`, `href="tel:116123"`, `href="sms:85258"`} {
			if !strings.Contains(page, want) {
				t.Errorf("%s does not offer %s", path, want)
			}
		}
	}
	help := testenv.Body(t, learner.Get("/learn/help"))
	for _, want := range []string{"Priya Shah", "mailto:manager@example.org", "Northfield NHS Foundation Trust", "Message Dan"} {
		if !strings.Contains(help, want) {
			t.Errorf("the help page does not show %q", want)
		}
	}
	if strings.Contains(help, "manager2@example.org") {
		t.Error("the help page names a manager of an organisation the learner has no group with")
	}

	manager := testenv.Body(t, srv.SignIn(t, "manager@example.org").Get("/manage"))
	if strings.Contains(manager, "Need help?") {
		t.Error("a manager's page carries the learner help")
	}
}

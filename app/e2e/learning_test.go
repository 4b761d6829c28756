package e2e

import (
	"context"
	"net/url"
	"path"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onramp/app"
	"onramp/app/browsertest"
	"onramp/app/config"
	"onramp/app/testenv"
)

// attribute returns the attribute of the first element matching the CSS
// selector, failing the test when there is no such element or attribute.
func attribute(t *testing.T, b *browsertest.Browser, selector, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx(), 30*time.Second)
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(selector), name))
	if err != nil {
		t.Fatalf("browser: reading %s of %s: %v", name, selector, err)
	}
	if !res.Exists {
		t.Fatalf("browser: %s has no %s attribute", selector, name)
	}
	return res.Value
}

// evaluate runs a JavaScript expression in the page and returns its value.
func evaluate[T any](t *testing.T, b *browsertest.Browser, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx(), 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("browser: evaluating %s: %v", expr, err)
	}
	return v
}

// programmeProgress reads the value of the progress bar on the /learn
// card of the programme.
func programmeProgress(t *testing.T, b *browsertest.Browser, slug string) int {
	t.Helper()
	v := attribute(t, b, `li:has(a.nhsuk-card__link[href="/learn/`+slug+`"]) progress`, "value")
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("progress of %s is %q, not a number", slug, v)
	}
	return n
}

// waitToLeave waits until the browser is no longer on path, after a click
// that navigates, and returns the new path.
func waitToLeave(t *testing.T, b *browsertest.Browser, from string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		u, err := url.Parse(b.Location(t))
		if err == nil && u.Path != from {
			b.Run(t, chromedp.WaitReady(chromedp.CSS("body")))
			return u.Path
		}
		if time.Now().After(deadline) {
			t.Fatalf("browser is still on %s", from)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// currentPath is the path of the page in the browser.
func currentPath(t *testing.T, b *browsertest.Browser) string {
	t.Helper()
	u, err := url.Parse(b.Location(t))
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

// correctOptions lists the ids of the right answers to every question of
// a knowledge check.
func correctOptions(t *testing.T, checkID string) []string {
	t.Helper()
	var ids []string
	err := testenv.DB(t).Gorm.Raw(`SELECT o.id FROM options o JOIN questions q ON q.id = o.question_id
		WHERE q.check_id = ? AND o.correct ORDER BY q.position, o.position`, checkID).Scan(&ids).Error
	if err != nil || len(ids) == 0 {
		t.Fatalf("reading the right answers to check %s: %d found, %v", checkID, len(ids), err)
	}
	return ids
}

func TestLearnerCompletesLessonsAndPassesTheModuleCheck(t *testing.T) {
	srv := testenv.NewServer(t)
	b := browsertest.New(t)

	b.Navigate(t, srv.URL+"/auth/login?login_hint=learner@example.org")
	waitForPath(t, b, "/learn")
	startProgress := programmeProgress(t, b, "get-into")
	if startProgress <= 0 || startProgress >= 100 {
		t.Fatalf("Get Into starts %d%% done, want the seeded part-way progress", startProgress)
	}
	if feature := b.Text(t, ".nhsuk-card--feature"); !strings.Contains(feature, "Get Into") {
		t.Fatalf("the Continue card is not for Get Into: %q", feature)
	}

	b.Run(t, chromedp.Click(chromedp.CSS(".nhsuk-card--feature a.nhsuk-button")))
	lessonPath := waitToLeave(t, b, "/learn")
	if !strings.HasPrefix(lessonPath, "/learn/get-into/lessons/") {
		t.Fatalf("Continue led to %s, want a Get Into lesson", lessonPath)
	}
	check(t, b, "lesson")

	// Complete lessons until the module's last one leads to its check.
	at := lessonPath
	for completed := 0; !strings.Contains(at, "/checks/"); completed++ {
		if completed == 10 {
			t.Fatalf("completed 10 lessons without reaching a check; now on %s", at)
		}
		if !strings.Contains(at, "/lessons/") {
			t.Fatalf("completing a lesson led to %s, want the next lesson or the module's check", at)
		}
		b.Run(t, chromedp.Click(chromedp.CSS(`form[action$="/complete"] button`)))
		at = waitToLeave(t, b, at)
	}
	check(t, b, "check")

	for _, id := range correctOptions(t, path.Base(at)) {
		b.Run(t, chromedp.Click(chromedp.CSS(`input[value="`+id+`"]`)))
	}
	b.Run(t, chromedp.Click(chromedp.CSS(`main form[action$="`+at+`"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".nhsuk-panel__title")))
	if h1 := b.Text(t, "h1"); h1 != "You passed" {
		t.Errorf("after the right answers the heading is %q, want You passed", h1)
	}
	if score := b.Text(t, ".nhsuk-panel__body"); !strings.Contains(score, "(100%)") {
		t.Errorf("after the right answers the score is %q, want 100%%", score)
	}
	check(t, b, "check-passed")

	b.Navigate(t, srv.URL+"/learn")
	if end := programmeProgress(t, b, "get-into"); end <= startProgress {
		t.Errorf("Get Into progress went from %d%% to %d%%, want it higher", startProgress, end)
	}
}

func TestCheckSubmittedWithoutAnswersShowsAFocusedErrorSummary(t *testing.T) {
	srv := testenv.NewServer(t)
	var checkID string
	if err := testenv.DB(t).Gorm.Raw(`SELECT c.id FROM checks c JOIN modules m ON m.id = c.module_id
		JOIN programmes p ON p.id = m.programme_id WHERE p.slug = 'get-into' ORDER BY m.position DESC LIMIT 1`).
		Scan(&checkID).Error; err != nil || checkID == "" {
		t.Fatalf("finding a Get Into check: %v", err)
	}
	checkPath := "/learn/get-into/checks/" + checkID
	b := browsertest.New(t)
	b.Navigate(t, srv.URL+"/auth/login?login_hint=learner@example.org")
	waitForPath(t, b, "/learn")

	b.Navigate(t, srv.URL+checkPath)
	// The summary must lead to the first answer of the first question.
	firstQuestion := attribute(t, b, "main form fieldset input", "id")
	b.Run(t, chromedp.Click(chromedp.CSS(`main form[action$="`+checkPath+`"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".nhsuk-error-summary")))
	if p := currentPath(t, b); p != checkPath {
		t.Errorf("after an empty submission the browser is on %s, want %s", p, checkPath)
	}

	summary := b.Text(t, ".nhsuk-error-summary")
	if !strings.Contains(summary, "There is a problem") || !strings.Contains(summary, "Answer question 1") {
		t.Errorf("error summary %q does not ask for an answer to question 1", summary)
	}
	if href := attribute(t, b, ".nhsuk-error-summary__list a", "href"); href != "#"+firstQuestion {
		t.Errorf("the first error links to %q, want #%s", href, firstQuestion)
	}
	if ti := attribute(t, b, ".nhsuk-error-summary", "tabindex"); ti != "-1" {
		t.Errorf("error summary tabindex %q, want -1 so it can take focus", ti)
	}
	focused := false
	for deadline := time.Now().Add(5 * time.Second); !focused && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		focused = evaluate[bool](t, b, `document.activeElement !== null && document.activeElement.classList.contains('nhsuk-error-summary')`)
	}
	if !focused {
		t.Error("the error summary does not take focus, so screen reader users do not hear it")
	}
	if msg := b.Text(t, "main form fieldset .nhsuk-error-message"); !strings.Contains(msg, "Answer question 1") {
		t.Errorf("question 1 shows error %q", msg)
	}
	if title := evaluate[string](t, b, `document.title`); !strings.HasPrefix(title, "Error: ") {
		t.Errorf("page title %q does not start with Error:", title)
	}
	check(t, b, "check-errors")
}

// wrongOptions picks a wrong answer to every question of a knowledge
// check: its first wrong option, or for a question whose options are all
// right, its first option alone.
func wrongOptions(t *testing.T, checkID string) []string {
	t.Helper()
	var ids []string
	err := testenv.DB(t).Gorm.Raw(`SELECT DISTINCT ON (q.position) o.id FROM options o JOIN questions q ON q.id = o.question_id
		WHERE q.check_id = ? ORDER BY q.position, o.correct, o.position`, checkID).Scan(&ids).Error
	if err != nil || len(ids) == 0 {
		t.Fatalf("reading wrong answers to check %s: %v", checkID, err)
	}
	return ids
}

// answer ticks the options, submits the check form on the page and waits
// for the marked answers.
func answer(t *testing.T, b *browsertest.Browser, checkPath string, options []string) {
	t.Helper()
	for _, id := range options {
		b.Run(t, chromedp.Click(chromedp.CSS(`input[value="`+id+`"]`)))
	}
	b.Run(t, chromedp.Click(chromedp.CSS(`main form[action$="`+checkPath+`"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("main .nhsuk-card__heading")))
}

func TestANewLearnerStartsAnOpenProgrammeAndGoesBackOverLessonsAfterFailingTwice(t *testing.T) {
	srv := testenv.NewServer(t, func(cfg *config.Config, _ *app.Options) { cfg.DevLoadUsers = 1 })
	b := browsertest.New(t)
	b.Navigate(t, srv.URL+"/auth/login?login_hint="+app.LoadUserEmail(0))
	waitForPath(t, b, "/learn")
	if lede := b.Text(t, "main .nhsuk-lede-text"); !strings.Contains(lede, "not on a programme yet") {
		t.Errorf("a learner on no programme reads %q", lede)
	}
	check(t, b, "learn-home-new")

	// A programme they join with a group says how; an open one offers to start.
	b.Navigate(t, srv.URL+"/learn/get-into")
	if h2 := b.Text(t, "main h2"); h2 != "How to join" {
		t.Errorf("Get Into's page, for a learner not on it, starts with %q", h2)
	}
	check(t, b, "programme-join")
	b.Navigate(t, srv.URL+"/learn/get-started")
	check(t, b, "programme-open")

	b.Navigate(t, srv.URL+"/learn")
	b.Run(t, chromedp.Click(chromedp.CSS(`form[action="/learn/get-started/start"] button`)))
	waitForPath(t, b, "/learn/get-started")
	if status := b.Text(t, "main [role=status]"); !strings.Contains(status, "You have started Get Started") {
		t.Errorf("after starting, the programme page says %q", status)
	}
	check(t, b, "programme-started")

	var checkID string
	if err := testenv.DB(t).Gorm.Raw(`SELECT c.id FROM checks c JOIN modules m ON m.id = c.module_id
		JOIN programmes p ON p.id = m.programme_id WHERE p.slug = 'get-started' ORDER BY m.position LIMIT 1`).
		Scan(&checkID).Error; err != nil || checkID == "" {
		t.Fatalf("finding the first Get Started check: %v", err)
	}
	checkPath := "/learn/get-started/checks/" + checkID
	for i := range 2 {
		b.Navigate(t, srv.URL+checkPath)
		answer(t, b, checkPath, wrongOptions(t, checkID))
		if h1 := b.Text(t, "h1"); h1 != "Not passed yet" {
			t.Fatalf("after wrong answers (%d) the heading is %q", i+1, h1)
		}
	}
	if button := b.Text(t, "main a.nhsuk-button"); button != "Go back over the lessons" {
		t.Errorf("after two failures the result leads to %q, want the lessons", button)
	}
	check(t, b, "check-failed-twice")

	b.Navigate(t, srv.URL+checkPath)
	if callout := b.Text(t, ".nhsuk-warning-callout"); !strings.Contains(callout, "Go back over these lessons first") {
		t.Errorf("the check page after two failures says %q", callout)
	}
	check(t, b, "check-revisit")

	// Read each lesson again, pressing the button at the end, until the
	// check takes answers again.
	// Follow the link itself: a click by coordinates can land beside it
	// while the page settles after the screenshots resized the window.
	b.Navigate(t, srv.URL+evaluate[string](t, b, `document.querySelector("main a.nhsuk-button").getAttribute("href")`))
	at := waitToLeave(t, b, checkPath)
	for read := 0; strings.Contains(at, "/lessons/"); read++ {
		if read == 10 {
			t.Fatalf("read 10 lessons again without getting back to the check; now on %s", at)
		}
		if read == 0 {
			check(t, b, "lesson-revisit")
		}
		b.Run(t, chromedp.Click(chromedp.CSS(`form[action$="/complete"] button`)))
		at = waitToLeave(t, b, at)
	}
	if at != checkPath {
		t.Fatalf("reading the lessons again led to %s, want the check", at)
	}
	answer(t, b, checkPath, correctOptions(t, checkID))
	if h1 := b.Text(t, "h1"); h1 != "You passed" {
		t.Errorf("after reading again and answering right, the heading is %q", h1)
	}
}

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

	"onramp/app/browsertest"
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

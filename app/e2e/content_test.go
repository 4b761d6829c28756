package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"onramp/app/browsertest"
	"onramp/app/testenv"
	"onramp/modules/content"
)

// sharedLesson starts the learner on programme slug in the browser and
// returns the example's shared lesson with its questions.
func sharedLesson(t *testing.T, srv *testenv.Server, b *browsertest.Browser, ex testenv.SharedExample, slug string) *content.LessonInProgramme {
	t.Helper()
	b.Navigate(t, srv.URL+"/learn/"+slug)
	submit(t, b, "/learn/"+slug+"/start")
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)))
	o, err := srv.App.Content.Catalogue().OutlineBySlug(context.Background(), slug, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range o.Modules {
		if m.Slug == ex.Shared {
			l, err := srv.App.Content.Catalogue().Lesson(context.Background(), m.Lessons[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
	}
	t.Fatalf("%s does not include %s", slug, ex.Shared)
	return nil
}

// optionLabel is a selector for the label of the answer option with the
// id: each learner sees a question's options in an order of their own,
// so an option is found by its id, not its place.
func optionLabel(t *testing.T, b *browsertest.Browser, optionID string) string {
	t.Helper()
	id := evaluate[string](t, b, `(document.querySelector('input[value="`+optionID+`"]') || {}).id || ''`)
	if id == "" {
		t.Fatalf("no answer option %s on the page", optionID)
	}
	return `label[for="` + id + `"]`
}

// waitForText waits until the element's text contains want.
func waitForText(t *testing.T, b *browsertest.Browser, selector, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if evaluate[bool](t, b, `(function(){var e=document.querySelector(`+quoteJS(selector)+`);return !!e && e.textContent.indexOf(`+quoteJS(want)+`)>=0})()`) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never said %q", selector, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestAQuestionInsideALessonIsAnsweredWithAndWithoutJavaScript(t *testing.T) {
	srv := testenv.NewServer(t)
	ex := testenv.ImportSharedExample(t, srv.App.Content)
	b := browsertest.New(t)
	signIn(t, b, srv, "learner@example.org", "/learn")
	l := sharedLesson(t, srv, b, ex, ex.A)
	single, multi := l.Questions[0], l.Questions[1]
	wrong, right := single.Options[0], single.Options[1]
	lessonPath := "/learn/" + ex.A + "/lessons/" + l.ID
	action := lessonPath + "/questions/" + single.ID

	b.Navigate(t, srv.URL+lessonPath)
	if !evaluate[bool](t, b, `typeof window.speechSynthesis === 'object' && !!window.speechSynthesis`) {
		t.Fatal("this Chromium has no speechSynthesis, so Listen cannot be tested where it exists")
	}
	if !evaluate[bool](t, b, `!!document.querySelector('[data-listen] button[data-listen-play]')`) {
		t.Error("with JavaScript and speechSynthesis there is no Listen button")
	}
	check(t, b, "lesson-questions")

	// With JavaScript: the answer's feedback replaces the question in place.
	evaluate[bool](t, b, `window.__samePage = true`)
	b.Run(t, chromedp.Click(chromedp.CSS(optionLabel(t, b, wrong.ID))))
	submit(t, b, action)
	b.Run(t, chromedp.WaitVisible(chromedp.CSS("#feedback-"+single.ID)))
	if !evaluate[bool](t, b, `window.__samePage === true`) {
		t.Error("answering with JavaScript reloaded the page")
	}
	if fb := b.Text(t, "#feedback-"+single.ID); !strings.Contains(fb, "Not quite") || !strings.Contains(fb, wrong.Feedback) {
		t.Errorf("feedback with JavaScript: %q", fb)
	}
	focused := false
	for deadline := time.Now().Add(5 * time.Second); !focused && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		focused = evaluate[bool](t, b, `document.activeElement && document.activeElement.id === `+quoteJS("feedback-"+single.ID))
	}
	if !focused {
		t.Error("the feedback does not take focus, so screen reader users do not hear it")
	}
	// Nothing chosen: the question says so, still without a reload.
	submit(t, b, lessonPath+"/questions/"+multi.ID)
	waitForText(t, b, "#question-"+multi.ID+" .nhsuk-error-message", "Choose at least one answer.")
	if !evaluate[bool](t, b, `window.__samePage === true`) {
		t.Error("an empty answer with JavaScript reloaded the page")
	}
	check(t, b, "lesson-question-answered")

	// Without JavaScript: the form posts and the lesson comes back at the
	// question, with its feedback; there is no Listen button.
	scriptOff(t, b, true)
	b.Navigate(t, srv.URL+lessonPath)
	if evaluate[bool](t, b, `document.body.classList.contains('js-enabled')`) {
		t.Fatal("the page's script ran: JavaScript is not off")
	}
	if evaluate[bool](t, b, `!!document.querySelector('[data-listen] button')`) {
		t.Error("without JavaScript there is a Listen button that cannot work")
	}
	b.Run(t, chromedp.Click(chromedp.CSS(optionLabel(t, b, right.ID))))
	submit(t, b, action)
	waitForText(t, b, "#feedback-"+single.ID, "Right")
	if hash := evaluate[string](t, b, `location.hash`); hash != "#question-"+single.ID {
		t.Errorf("without JavaScript the answer came back at %q, want the question", hash)
	}
	if fb := b.Text(t, "#feedback-"+single.ID); !strings.Contains(fb, right.Feedback) {
		t.Errorf("feedback without JavaScript: %q", fb)
	}
	scriptOff(t, b, false)
	check(t, b, "lesson-question-no-js")

	var correct bool
	testenv.DB(t).Gorm.Raw(`SELECT a.correct FROM lesson_answers a JOIN users u ON u.id = a.user_id
		WHERE u.email = 'learner@example.org' AND a.question_id = ?`, single.ID).Scan(&correct)
	if !correct {
		t.Error("the latest (right) answer is not what was recorded")
	}
}

func TestListenIsLeftOutWhereTheBrowserCannotSpeak(t *testing.T) {
	srv := testenv.NewServer(t)
	ex := testenv.ImportSharedExample(t, srv.App.Content)
	b := browsertest.New(t)
	signIn(t, b, srv, "learner2@example.org", "/learn")
	l := sharedLesson(t, srv, b, ex, ex.B)
	b.Run(t, chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
		_, err := cdp.Call(ctx, tab, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `Object.defineProperty(window, 'speechSynthesis', {value: undefined, configurable: true});`})
		return err
	}))
	b.Navigate(t, srv.URL+"/learn/"+ex.B+"/lessons/"+l.ID)
	if !evaluate[bool](t, b, `document.body.classList.contains('js-enabled') && window.speechSynthesis === undefined`) {
		t.Fatal("the page is not running its script without speechSynthesis")
	}
	if evaluate[bool](t, b, `!!document.querySelector('[data-listen] button')`) {
		t.Error("a browser that cannot speak shows a Listen button")
	}
	// The questions still answer in place.
	b.Run(t, chromedp.Click(chromedp.CSS(optionLabel(t, b, l.Questions[0].Options[1].ID))))
	submit(t, b, "/learn/"+ex.B+"/lessons/"+l.ID+"/questions/"+l.Questions[0].ID)
	waitForText(t, b, "#feedback-"+l.Questions[0].ID, "Right")
}

func TestProgressInASharedModuleShowsInBothProgrammes(t *testing.T) {
	srv := testenv.NewServer(t)
	ex := testenv.ImportSharedExample(t, srv.App.Content)
	b := browsertest.New(t)
	signIn(t, b, srv, "learner3@example.org", "/learn")
	sharedLesson(t, srv, b, ex, ex.B)
	l := sharedLesson(t, srv, b, ex, ex.A)
	statusOf := func(slug string) string {
		t.Helper()
		b.Navigate(t, srv.URL+"/learn/"+slug)
		return b.Text(t, `li:has(a[href$="/lessons/`+l.ID+`"]) .nhsuk-task-list__status`)
	}
	if s := statusOf(ex.B); !strings.Contains(s, "Not started") {
		t.Fatalf("before anything is done the shared module in %s is %q", ex.B, s)
	}

	// Done in A: the lesson, then the module's check.
	lessonPath := "/learn/" + ex.A + "/lessons/" + l.ID
	b.Navigate(t, srv.URL+lessonPath)
	submit(t, b, lessonPath+"/complete")
	at := waitToLeave(t, b, lessonPath)
	if !strings.Contains(at, "/learn/"+ex.A+"/checks/") {
		t.Fatalf("completing the shared lesson led to %s, want its check in %s", at, ex.A)
	}
	for _, id := range correctOptions(t, strings.TrimPrefix(at, "/learn/"+ex.A+"/checks/")) {
		b.Run(t, chromedp.Click(chromedp.CSS(`input[value="`+id+`"]`)))
	}
	submit(t, b, at)
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(".nhsuk-panel__title")))

	if s := statusOf(ex.A); s != "Completed" {
		t.Errorf("in %s, where it was done, the shared module is %q", ex.A, s)
	}
	if s := statusOf(ex.B); s != "Completed" {
		t.Errorf("in %s the shared module done in %s is %q, want Completed", ex.B, ex.A, s)
	}
	check(t, b, "shared-module-done-elsewhere")
	b.Navigate(t, srv.URL+"/learn")
	if p := programmeProgress(t, b, ex.B); p != 50 {
		t.Errorf("%s shows %d%% done on the learner's home, want 50%% (the shared lesson of two)", ex.B, p)
	}
}

func TestEditorsSeeWhereASharedModuleIsUsed(t *testing.T) {
	srv := testenv.NewServer(t)
	ex := testenv.ImportSharedExample(t, srv.App.Content)
	var moduleID, programmeID string
	testenv.DB(t).Gorm.Raw("SELECT id FROM modules WHERE shared AND slug = ?", ex.Shared).Scan(&moduleID)
	testenv.DB(t).Gorm.Raw("SELECT id FROM programmes WHERE slug = ?", ex.A).Scan(&programmeID)
	b := browsertest.New(t)
	signIn(t, b, srv, "editor@example.org", "/admin/content")

	b.Navigate(t, srv.URL+"/admin/content/modules/"+moduleID)
	if callout := b.Text(t, ".nhsuk-warning-callout"); !strings.Contains(callout, "Tiny A") || !strings.Contains(callout, "Tiny B") ||
		!strings.Contains(callout, "changes every programme") {
		t.Errorf("the shared module's page says %q", callout)
	}
	check(t, b, "admin-shared-module")

	b.Navigate(t, srv.URL+"/admin/content/programmes/"+programmeID)
	if row := b.Text(t, `tr:has(a[href="/admin/content/modules/`+moduleID+`"])`); !strings.Contains(row, "Shared") || !strings.Contains(row, "After module 1") {
		t.Errorf("the programme's row for the shared module says %q", row)
	}
	check(t, b, "admin-programme-with-shared")
}

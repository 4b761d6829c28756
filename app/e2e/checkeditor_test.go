package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"onramp/app/browsertest"
	"onramp/app/testenv"
)

// An editor writes a knowledge check with the form editor alone: no YAML.
func TestEditorAddsAKnowledgeCheckQuestionWithoutYAML(t *testing.T) {
	srv := testenv.NewServer(t)
	b := browsertest.New(t)
	signIn(t, b, srv, "editor@example.org", "/admin/content")

	slug := "form-check-" + time.Now().Format("150405.000000")
	slug = strings.ReplaceAll(slug, ".", "-")
	b.Run(t, chromedp.SendKeys(chromedp.CSS("#title"), "Form check course"), chromedp.SendKeys(chromedp.CSS("#slug"), slug))
	submit(t, b, "/admin/content/programmes")
	b.Run(t, chromedp.WaitVisible(chromedp.CSS("#module-title")))
	b.Run(t, chromedp.SendKeys(chromedp.CSS("#module-title"), "Keeping people safe"))
	b.Run(t, chromedp.Click(chromedp.CSS(`form[action$="/modules"] button[type="submit"]`)))
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(`a[href$="/check/questions"]`)))
	b.Run(t, chromedp.Click(chromedp.CSS(`a[href$="/check/questions"]`)))
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(`a[href$="/check/questions/new"]`)))
	if body := b.Text(t, "main"); !strings.Contains(body, "no knowledge check yet") {
		t.Errorf("the form editor does not say there is no check yet: %q", body)
	}
	checkAtPhoneAndDesktop(t, b, "check-editor-empty")

	b.Run(t, chromedp.Click(chromedp.CSS(`a[href$="/check/questions/new"]`)))
	b.Run(t, chromedp.WaitVisible(chromedp.CSS("#option-1-text")))
	checkAtPhoneAndDesktop(t, b, "check-editor-new-question")

	// Save without a right answer: the message names the question.
	b.Run(t,
		chromedp.SendKeys(chromedp.CSS("#text"), "Who should you tell if a learner says they are being hurt?"),
		chromedp.SendKeys(chromedp.CSS("#option-1-text"), "The safeguarding lead"),
		chromedp.SendKeys(chromedp.CSS("#option-1-feedback"), "Yes. They know what to do next and who to involve."),
		chromedp.SendKeys(chromedp.CSS("#option-2-text"), "Nobody, keep it secret"),
		chromedp.SendKeys(chromedp.CSS("#option-2-feedback"), "No. You must never promise to keep this secret."),
	)
	b.Run(t, chromedp.Click(chromedp.CSS(`button.nhsuk-button[value="save"]`)))
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(".nhsuk-error-summary")))
	if summary := b.Text(t, ".nhsuk-error-summary"); !strings.Contains(summary, "Question 1 needs at least one right answer") {
		t.Errorf("error summary %q", summary)
	}
	checkAtPhoneAndDesktop(t, b, "check-editor-question-error")

	tick(t, b, "option-1-correct")
	b.Run(t, chromedp.Click(chromedp.CSS(`button.nhsuk-button[value="save"]`)))
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)))
	if status := b.Text(t, `[role="status"]`); !strings.Contains(status, "Question added") {
		t.Errorf("no confirmation after adding: %q", status)
	}
	if q := b.Text(t, "#question-1"); !strings.Contains(q, "Who should you tell") || !strings.Contains(q, "The safeguarding lead") {
		t.Errorf("the list does not show the new question and its right answer: %q", q)
	}
	checkAtPhoneAndDesktop(t, b, "check-editor-questions")

	var stored int64
	if err := testenv.DB(t).Gorm.Raw(`SELECT count(*) FROM options o JOIN questions q ON q.id = o.question_id
		JOIN checks c ON c.id = q.check_id JOIN modules m ON m.id = c.module_id JOIN programmes p ON p.id = m.programme_id
		WHERE p.slug = ? AND o.correct`, slug).Scan(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if stored != 1 {
		t.Errorf("%d right answers stored for the new check, want 1", stored)
	}

	// Shuffle is on for a new check; unticking it and saving turns it off.
	if !checked(t, b, "shuffle") {
		t.Error("a new check does not show shuffle ticked")
	}
	b.Run(t, chromedp.Click(chromedp.CSS(`label[for="shuffle"]`)))
	submit(t, b, "/admin/content/modules/"+moduleOf(t, slug)+"/check/settings")
	waitForText(t, b, `[role="status"]`, "Settings saved")
	if checked(t, b, "shuffle") {
		t.Error("after saving with shuffle unticked, it shows ticked")
	}
	var shuffle bool
	testenv.DB(t).Gorm.Raw(`SELECT c.shuffle FROM checks c JOIN modules m ON m.id = c.module_id JOIN programmes p ON p.id = m.programme_id
		WHERE p.slug = ?`, slug).Scan(&shuffle)
	if shuffle {
		t.Error("unticking shuffle did not turn it off")
	}

	// Removing an answer asks first, and Cancel keeps it.
	b.Run(t, chromedp.Click(chromedp.CSS(`a[href$="/check/questions/1"]`)))
	b.Run(t, chromedp.WaitVisible(chromedp.CSS(`button[value="remove-option-2"]`)))
	b.Run(t, chromedp.Click(chromedp.CSS(`button[value="remove-option-2"]`)))
	b.Run(t, chromedp.WaitVisible(chromedp.CSS("#confirm-remove")))
	if panel := b.Text(t, "#confirm-remove"); !strings.Contains(panel, "Remove answer 2?") || !strings.Contains(panel, "Nobody, keep it secret") {
		t.Errorf("the confirmation does not name the answer: %q", panel)
	}
	checkAtPhoneAndDesktop(t, b, "check-editor-remove-answer")
	b.Run(t, chromedp.Click(chromedp.CSS(`#confirm-remove button[value="cancel"]`)))
	waitForText(t, b, `[role="status"]`, "Nothing was removed")
	if n := count(t, b, "#confirm-remove", ""); n != 0 {
		t.Error("Cancel left the confirmation on the page")
	}

	// Removing a question asks first on its own page, naming it.
	b.Run(t, chromedp.Click(chromedp.CSS(".nhsuk-back-link")))
	b.Run(t, chromedp.WaitVisible(chromedp.CSS("#question-1-remove")))
	b.Run(t, chromedp.Click(chromedp.CSS("#question-1-remove")))
	b.Run(t, chromedp.WaitVisible(chromedp.CSS("h1")))
	if body := b.Text(t, "main"); !strings.Contains(body, "Remove question 1?") || !strings.Contains(body, "Who should you tell") {
		t.Errorf("the remove page does not name the question: %q", body)
	}
	checkAtPhoneAndDesktop(t, b, "check-editor-remove-question")

	// Enter in an answer's field saves the question, the answers in the
	// same order, rather than pressing the first answer's "Move down".
	b.Navigate(t, srv.URL+"/admin/content/modules/"+moduleOf(t, slug)+"/check/questions/1")
	b.Run(t, chromedp.SendKeys(chromedp.CSS("#option-2-text"), kb.End+", ever"+kb.Enter))
	waitForText(t, b, `[role="status"]`, "Question saved")
	var answers []string
	testenv.DB(t).Gorm.Raw(`SELECT o.text FROM options o JOIN questions q ON q.id = o.question_id JOIN checks c ON c.id = q.check_id
		JOIN modules m ON m.id = c.module_id JOIN programmes p ON p.id = m.programme_id WHERE p.slug = ? ORDER BY o.position`, slug).Scan(&answers)
	if want := []string{"The safeguarding lead", "Nobody, keep it secret, ever"}; !slices.Equal(answers, want) {
		t.Errorf("after Enter the question's answers are %q, want %q", answers, want)
	}
}

// moduleOf is the id of the first module of the programme slug.
func moduleOf(t *testing.T, slug string) string {
	t.Helper()
	var id string
	testenv.DB(t).Gorm.Raw(`SELECT m.id FROM modules m JOIN programmes p ON p.id = m.programme_id WHERE p.slug = ? ORDER BY m.position LIMIT 1`, slug).Scan(&id)
	return id
}

// checkAtPhoneAndDesktop runs the page checks with the page laid out 360
// and 1280 px wide, fails when it scrolls sideways at either, and saves
// screenshots.
func checkAtPhoneAndDesktop(t *testing.T, b *browsertest.Browser, name string) {
	t.Helper()
	for _, width := range []int64{360, 1280} {
		b.Run(t, chromedp.EmulateViewport(width, 800))
		b.CheckAccessibility(t)
		if wide := evaluate[[]string](t, b, tooWide); len(wide) > 0 {
			t.Errorf("%s scrolls sideways at %d px; too wide: %s", name, width, strings.Join(wide, ", "))
		}
	}
	check(t, b, name) // resets the viewport after its screenshots
}

// tooWide lists the innermost elements that reach past the right edge of
// the page when the page scrolls sideways, and nothing when it does not.
const tooWide = `(() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth) return [];
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > root.clientWidth + 1 && ![...el.children].some(c => c.getBoundingClientRect().right > root.clientWidth + 1)) {
      out.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).trim().split(/\s+/).join('.') : '') + ' "' + el.textContent.trim().slice(0, 30) + '"');
    }
  }
  return out.length ? out : ['(the page, but no one element)'];
})()`

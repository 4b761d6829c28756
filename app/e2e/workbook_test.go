package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onramp/app/browsertest"
	"onramp/app/testenv"
)

// typeInto clears the field with the id and types text into it.
func typeInto(t *testing.T, b *browsertest.Browser, id, text string) {
	t.Helper()
	evaluate[bool](t, b, `(document.getElementById(`+quoteJS(id)+`).value = '') === ''`)
	b.Run(t, chromedp.SendKeys(chromedp.CSS("#"+id), text))
}

// download is what fetching a URL from the page gave: its content type
// and its body, byte for byte.
type download struct {
	Type, Body string
}

func fetch(t *testing.T, b *browsertest.Browser, path string) download {
	t.Helper()
	d, err := chromedp.Run(b.Ctx(), chromedp.Evaluate[download](`(async () => {
		const r = await fetch(`+quoteJS(path)+`);
		const bytes = new Uint8Array(await r.arrayBuffer());
		let body = '';
		for (const c of bytes) body += String.fromCharCode(c);
		return {type: r.headers.get('content-type'), body};
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetching %s: %v", path, err)
	}
	return d
}

// pageObject is a PDF page object's type: "/Type /Page", not "/Pages".
var pageObject = regexp.MustCompile(`/Type\s*/Page\b`)

// A learner keeps a Try this answer from a lesson, turns it into a STAR
// story, logs a placement day, ticks off documents, fills in a CV and
// downloads it as a one-page PDF and as text; then their mentor reads it
// all, without being able to change it.
func TestLearnerFillsTheirWorkbookAndTheirMentorReadsIt(t *testing.T) {
	srv := testenv.NewServer(t)
	b := browsertest.New(t)
	var lessonID string
	testenv.DB(t).Gorm.Raw(`SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id JOIN programmes p ON p.id = m.programme_id
		WHERE p.slug = 'get-into' AND l.body_md LIKE '%## Try this%' ORDER BY m.position, l.position LIMIT 1`).Scan(&lessonID)
	if lessonID == "" {
		t.Fatal("Get Into has no lesson ending in Try this")
	}
	signIn(t, b, srv, "learner@example.org", "/learn")
	if href := linkTo(t, b, "your workbook"); href != "/workbook" {
		t.Errorf("/learn links to the workbook at %q", href)
	}

	// Try this, saved from the lesson, back at the same place.
	lessonPath := "/learn/get-into/lessons/" + lessonID
	b.Navigate(t, srv.URL+lessonPath)
	const answer = "I would smile, say my name and ask how they like to be called."
	typeInto(t, b, "try-this-answer", answer)
	submit(t, b, lessonPath+"/try-this")
	waitForText(t, b, `#try-this [role="status"]`, "Saved in your workbook")
	if loc := b.Location(t); !strings.HasSuffix(loc, lessonPath+"?saved=try-this#try-this") {
		t.Errorf("after saving the answer the learner is at %s, not back at the lesson", loc)
	}
	if v := evaluate[string](t, b, `document.getElementById('try-this-answer').value`); v != answer {
		t.Errorf("the saved answer is not filled in again: %q", v)
	}
	check(t, b, "workbook-try-this")

	// The workbook overview, then the answer turned into a STAR story.
	b.Navigate(t, srv.URL+"/workbook")
	if main := b.Text(t, "main"); !strings.Contains(main, "Your workbook is yours. Your mentor can read it, to help you. Nobody else can.") ||
		!strings.Contains(main, "0 stories, 1 Try this answer") {
		t.Errorf("workbook overview: %q", main)
	}
	check(t, b, "workbook-overview")
	b.Navigate(t, srv.URL+"/workbook/stories")
	b.Run(t, chromedp.Click(chromedp.CSS(`a[href="/workbook/stories/new?answer=`+lessonID+`"]`)))
	waitForPath(t, b, "/workbook/stories/new")
	if v := evaluate[string](t, b, `document.getElementById('situation').value`); v != answer {
		t.Errorf("the new story's situation is %q, want the Try this answer", v)
	}
	submit(t, b, "/workbook/stories")
	waitForText(t, b, ".nhsuk-error-summary", "Enter a short title for your story")
	if v := evaluate[string](t, b, `document.getElementById('situation').value`); v != answer {
		t.Errorf("the situation was lost when the form came back with errors: %q", v)
	}
	check(t, b, "workbook-story-error")
	typeInto(t, b, "title", "Meeting a new resident")
	typeInto(t, b, "task", "Make her feel welcome on her first day.")
	typeInto(t, b, "action", "I introduced myself and asked what she liked to be called.")
	typeInto(t, b, "result", "She smiled and told me about her family.")
	tick(t, b, "values-respect-dignity")
	submit(t, b, "/workbook/stories")
	waitForText(t, b, `[role="status"]`, "Story saved")
	if main := b.Text(t, "main"); !strings.Contains(main, "Meeting a new resident") || !strings.Contains(main, "Respect and dignity") {
		t.Errorf("the stories page does not show the new story: %q", main)
	}
	check(t, b, "workbook-stories")

	// A day in the placement log.
	b.Navigate(t, srv.URL+"/workbook/placements/new")
	yesterday := time.Now().UTC().AddDate(0, 0, -1)
	typeInto(t, b, "on-day", strconv.Itoa(yesterday.Day()))
	typeInto(t, b, "on-month", strconv.Itoa(int(yesterday.Month())))
	typeInto(t, b, "on-year", strconv.Itoa(yesterday.Year()))
	typeInto(t, b, "did", "Helped serve lunch on the ward.")
	typeInto(t, b, "learned", "To check a patient's diet card first.")
	b.Run(t, chromedp.SetValue(chromedp.CSS("#value"), "quality-of-care"))
	check(t, b, "workbook-placement-form")
	submit(t, b, "/workbook/placements")
	waitForText(t, b, `[role="status"]`, "Saved in your placement log")
	if main := b.Text(t, "main"); !strings.Contains(main, yesterday.Format("2 January 2006")) || !strings.Contains(main, "Commitment to quality of care") {
		t.Errorf("the placement log does not show the day: %q", main)
	}
	check(t, b, "workbook-placements")

	// Documents ticked off.
	b.Navigate(t, srv.URL+"/workbook/documents")
	b.Run(t, chromedp.Click(chromedp.CSS(`label[for="photo-id-ready"]`)), chromedp.Click(chromedp.CSS(`label[for="references-working"]`)))
	typeInto(t, b, "references-note", "Ms Patel, my college tutor")
	submit(t, b, "/workbook/documents")
	waitForText(t, b, `[role="status"]`, "Checklist saved")
	if !checked(t, b, "photo-id-ready") || !checked(t, b, "references-working") || !checked(t, b, "dbs") {
		t.Error("the saved checklist does not show what was ticked")
	}
	check(t, b, "workbook-documents")

	// The CV, as a one-page PDF and as text.
	b.Navigate(t, srv.URL+"/workbook/cv")
	check(t, b, "workbook-cv-empty")
	typeInto(t, b, "full-name", "Amira Khan")
	typeInto(t, b, "town", "Northfield")
	typeInto(t, b, "phone", "07700 900123")
	typeInto(t, b, "statement", "I am a kind, reliable person who wants to become a healthcare support worker.")
	typeInto(t, b, "experience-1-title", "Ward placement")
	typeInto(t, b, "experience-1-place", "Northfield Hospital")
	typeInto(t, b, "experience-1-details", "Served lunch and talked with patients.")
	typeInto(t, b, "skills", "Listening, teamwork, Urdu and English")
	submit(t, b, "/workbook/cv")
	waitForText(t, b, `[role="status"]`, "CV saved")
	check(t, b, "workbook-cv")
	pdf := fetch(t, b, linkTo(t, b, "Download as PDF"))
	if pdf.Type != "application/pdf" || !strings.HasPrefix(pdf.Body, "%PDF") {
		t.Errorf("the PDF download is %q, starting %.10q", pdf.Type, pdf.Body)
	}
	if n := len(pageObject.FindAllString(pdf.Body, -1)); n != 1 {
		t.Errorf("the CV PDF has %d pages, want 1", n)
	}
	text := fetch(t, b, linkTo(t, b, "Download as plain text"))
	if text.Type != "text/plain; charset=UTF-8" {
		t.Errorf("the text download is %q", text.Type)
	}
	for _, want := range []string{"Amira Khan", "Northfield  |  07700 900123", "wants to become a healthcare support worker",
		"Ward placement, Northfield Hospital", "Listening, teamwork, Urdu and English", "References available on request."} {
		if !strings.Contains(text.Body, want) {
			t.Errorf("the text CV has no %q:\n%s", want, text.Body)
		}
	}

	// The mentor reads it, with nothing to change.
	b.Run(t, chromedp.Click(chromedp.CSS(`form[action="/auth/logout"] button`)))
	waitToLeave(t, b, "/workbook/cv")
	signIn(t, b, srv, "mentor@example.org", "/mentoring")
	b.Navigate(t, srv.URL+linkTo(t, b, "Read Amira’s workbook"))
	main := b.Text(t, "main")
	for _, want := range []string{"Meeting a new resident", answer, "Helped serve lunch on the ward.", "1 of 7 ready",
		"Ms Patel, my college tutor", "Amira Khan", "Phone number and email are left out."} {
		if !strings.Contains(main, want) {
			t.Errorf("the mentor's view has no %q", want)
		}
	}
	if strings.Contains(main, "07700 900123") {
		t.Error("the mentor sees the learner's phone number")
	}
	if n := evaluate[int](t, b, `document.querySelectorAll('main form, main input, main textarea, main select').length`); n != 0 {
		t.Errorf("the mentor's view has %d form controls, want none", n)
	}
	check(t, b, "workbook-mentor")
}

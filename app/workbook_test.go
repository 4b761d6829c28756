package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"onramp/app/testenv"
	"onramp/modules/workbook"
)

// A learner's workbook is theirs to write; the mentor of their active
// mentorship reads it (without the CV's phone and email), and nobody else
// reaches it: not another learner, another mentor, a manager, nor the
// mentor once the mentorship has ended. It runs on a database of its own
// because it ends the demo mentorship.
func TestTheWorkbookIsTheLearnersAndOnlyTheirActiveMentorReadsIt(t *testing.T) {
	srv := isolatedServer(t, &movableClock{t: time.Now()}, "", 0)
	g := srv.App.DB.Gorm
	learner := srv.SignIn(t, "learner@example.org").NoRedirects()
	var lesson struct{ ID, Title string }
	g.Raw(`SELECT l.id, l.title FROM lessons l JOIN modules m ON m.id = l.module_id JOIN programmes p ON p.id = m.programme_id
		WHERE p.slug = 'get-into' AND l.body_md LIKE '%## Try this%' ORDER BY m.position, l.position LIMIT 1`).Scan(&lesson)
	var mentorship string
	g.Raw(`SELECT m.id FROM mentorships m JOIN users u ON u.id = m.learner_id WHERE u.email = 'learner@example.org' AND m.status = 'active'`).Scan(&mentorship)
	if lesson.ID == "" || mentorship == "" {
		t.Fatalf("demo data missing: lesson %+v, mentorship %q", lesson, mentorship)
	}

	// The Try this answer, from the lesson, back to the lesson.
	lessonPath := "/learn/get-into/lessons/" + lesson.ID
	page := testenv.Body(t, learner.Get(lessonPath))
	if !strings.Contains(page, `action="`+lessonPath+`/try-this"`) || !strings.Contains(page, "Write your answer (it is saved in your workbook)") {
		t.Fatal("the lesson ending in Try this has no answer box")
	}
	tryThis, box, keyPoints := strings.Index(page, "<h2>Try this</h2>"), strings.Index(page, `id="try-this"`), strings.Index(page, "<h2>Key points</h2>")
	if tryThis < 0 || keyPoints < 0 || !(tryThis < box && box < keyPoints) {
		t.Errorf("the answer box is not between the lesson's Try this and its Key points (at %d, %d, %d)", tryThis, box, keyPoints)
	}
	resp := learner.PostForm(lessonPath+"/try-this", url.Values{"answer": {"  "}})
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Write your answer before you save it") ||
		!strings.Contains(body, `href="#try-this-answer"`) {
		t.Errorf("an empty answer: %d, without a message linked to the box", resp.StatusCode)
	}
	resp = learner.PostForm(lessonPath+"/try-this", url.Values{"answer": {"I would say hello & ask their name."}})
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != lessonPath+"?saved=try-this#try-this" {
		t.Fatalf("saving an answer: %d to %q, want back to the lesson", resp.StatusCode, loc)
	}
	page = testenv.Body(t, learner.Get(lessonPath+"?saved=try-this"))
	if !strings.Contains(page, "Saved in your workbook") || !strings.Contains(page, "I would say hello &amp; ask their name.</textarea>") {
		t.Error("back on the lesson, no saved message or the answer is not filled in")
	}

	// The other parts.
	for path, form := range map[string]url.Values{
		"/workbook/stories": {"title": {"First day nerves"}, "situation": {"My first day."}, "task": {"Find the ward."},
			"action": {"I asked at reception."}, "result": {"I was on time."}, "values": {"everyone-counts"}},
		"/workbook/placements": {"on-day": {"1"}, "on-month": {"3"}, "on-year": {"2026"}, "did": {"Helped with teas"},
			"learned": {"People like a chat. My other number is 07700 900456"}, "value": {"compassion"}},
		"/workbook/documents": documentsForm("ready"),
		"/workbook/cv": {"full-name": {"Amira Khan"}, "phone": {"07700 900123"}, "email": {"amira@example.org"},
			"statement": {"I want to be a healthcare support worker."}},
	} {
		if resp := learner.PostForm(path, form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving %s: %d\n%s", path, resp.StatusCode, testenv.Body(t, resp))
		} else {
			resp.Body.Close()
		}
	}
	var story, day string
	g.Raw("SELECT s.id FROM workbook_stories s JOIN users u ON u.id = s.user_id WHERE u.email = 'learner@example.org'").Scan(&story)
	g.Raw("SELECT p.id FROM workbook_placements p JOIN users u ON u.id = p.user_id WHERE u.email = 'learner@example.org'").Scan(&day)
	if story == "" || day == "" {
		t.Fatal("the story or the placement day was not saved")
	}

	// Nobody else reaches the learner's workbook.
	storyForm := url.Values{"title": {"Taken over"}, "situation": {"s"}, "task": {"t"}, "action": {"a"}, "result": {"r"}}
	learnerOnly := []struct{ method, path string }{
		{"GET", "/workbook/stories/" + story}, {"POST", "/workbook/stories/" + story},
		{"GET", "/workbook/stories/" + story + "/delete"}, {"POST", "/workbook/stories/" + story + "/delete"},
		{"GET", "/workbook/placements/" + day}, {"POST", "/workbook/placements/" + day},
		{"GET", "/workbook/placements/" + day + "/delete"}, {"POST", "/workbook/placements/" + day + "/delete"},
		{"GET", "/workbook/answers/" + lesson.ID + "/delete"}, {"POST", "/workbook/answers/" + lesson.ID + "/delete"},
	}
	mentorOnly := []string{"/mentoring/mentorships/" + mentorship + "/workbook", "/mentoring/mentorships/" + mentorship + "/workbook/cv.pdf"}
	call := func(c *testenv.Client, method, path string) int {
		var resp *http.Response
		if method == "POST" {
			form := storyForm
			if strings.Contains(path, "placements") {
				form = url.Values{"on-day": {"1"}, "on-month": {"1"}, "on-year": {"2026"}, "did": {"d"}, "learned": {"l"}, "value": {"compassion"}}
			}
			resp = c.PostForm(path, form)
		} else {
			resp = c.Get(path)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	learner2 := srv.SignIn(t, "learner2@example.org").NoRedirects()
	for _, r := range learnerOnly {
		if got := call(learner2, r.method, r.path); got != http.StatusNotFound {
			t.Errorf("another learner: %s %s gave %d, want 404", r.method, r.path, got)
		}
	}
	for _, path := range []string{"/workbook", "/workbook/stories", "/workbook/placements", "/workbook/cv"} {
		if body := testenv.Body(t, learner2.Get(path)); strings.Contains(body, "First day nerves") || strings.Contains(body, "Helped with teas") ||
			strings.Contains(body, "Amira Khan") {
			t.Errorf("another learner's %s shows the first learner's workbook", path)
		}
	}
	for _, p := range mentorOnly {
		if got := call(learner2, "GET", p); got != http.StatusForbidden {
			t.Errorf("another learner: %s gave %d, want 403", p, got)
		}
	}
	for _, who := range []string{"mentor2@example.org", "manager@example.org"} {
		c := srv.SignIn(t, who).NoRedirects()
		for _, r := range append(learnerOnly, struct{ method, path string }{"GET", "/workbook"}, struct{ method, path string }{"GET", "/workbook/cv.pdf"}) {
			if got := call(c, r.method, r.path); got != http.StatusForbidden {
				t.Errorf("%s: %s %s gave %d, want 403", who, r.method, r.path, got)
			}
		}
		want := http.StatusNotFound // another mentor: no such mentee
		if who == "manager@example.org" {
			want = http.StatusForbidden
		}
		for _, p := range mentorOnly {
			if got := call(c, "GET", p); got != want {
				t.Errorf("%s: %s gave %d, want %d", who, p, got, want)
			}
		}
	}
	if call(learner, "GET", "/workbook/stories/"+story) != http.StatusOK {
		t.Error("the learner cannot open their own story after the others tried")
	}

	// The mentor reads it all, without edit controls, the CV's phone and
	// email or a number written in the log, and each read is recorded.
	mentor := srv.SignIn(t, "mentor@example.org").NoRedirects()
	if home := testenv.Body(t, mentor.Get("/mentoring")); !strings.Contains(home, mentorOnly[0]) {
		t.Error("the mentor's home does not link to the mentee's workbook")
	}
	resp = mentor.Get(mentorOnly[0])
	body := testenv.Body(t, resp)
	for _, want := range []string{"Amira’s workbook", "First day nerves", "I would say hello &amp; ask their name.", lesson.Title,
		"Helped with teas", "People like a chat. My other number is [contact details hidden]", "7 of 7 ready", "Amira Khan",
		"I want to be a healthcare support worker."} {
		if !strings.Contains(body, want) {
			t.Errorf("the mentor's view has no %q", want)
		}
	}
	for _, never := range []string{"07700 900123", "900456", "amira@example.org", `action="/workbook`, `href="/workbook/stories/`} {
		if strings.Contains(body, never) {
			t.Errorf("the mentor's view shows %q", never)
		}
	}
	resp = mentor.Get(mentorOnly[1])
	pdf := testenv.Body(t, resp)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF") {
		t.Errorf("the mentor's CV download: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var reads int
	g.Raw(`SELECT count(*) FROM audit_events a JOIN users u ON u.id = a.actor_id
		WHERE u.email = 'mentor@example.org' AND a.action IN ('workbook.viewed', 'workbook.cv_downloaded')`).Scan(&reads)
	if reads != 2 {
		t.Errorf("the audit log has %d of the mentor's reads, want 2 (the page and the PDF)", reads)
	}

	// Once the mentorship has ended, the mentor reads nothing.
	if resp := learner.PostForm("/mentoring/mentorships/"+mentorship+"/end", url.Values{"reason": {"Got a job"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("ending the mentorship: %d", resp.StatusCode)
	}
	for _, p := range mentorOnly {
		if got := call(mentor, "GET", p); got != http.StatusNotFound {
			t.Errorf("after the mentorship ended: %s gave %d, want 404", p, got)
		}
	}

	// The learner can delete their answer, after saying yes.
	deletePath := "/workbook/answers/" + lesson.ID + "/delete"
	if body := testenv.Body(t, learner.Get(deletePath)); !strings.Contains(body, "I would say hello &amp; ask their name.") || !strings.Contains(body, "Yes, delete it") {
		t.Error("deleting an answer does not show the answer and ask first")
	}
	resp = learner.PostForm(deletePath, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/workbook/stories?deleted=answer" {
		t.Fatalf("deleting the answer: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if body := testenv.Body(t, learner.Get("/workbook/stories?deleted=answer")); !strings.Contains(body, "Answer deleted") || strings.Contains(body, "I would say hello") {
		t.Error("the deleted answer is still listed, or the page does not say it went")
	}
	if resp := learner.PostForm(deletePath, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("deleting it again: %d, want 404: %s", resp.StatusCode, testenv.Body(t, resp))
	} else {
		resp.Body.Close()
	}
}

// documentsForm marks every item of the checklist with status.
func documentsForm(status string) url.Values {
	form := url.Values{}
	for _, item := range workbook.Items {
		form.Set(item.Key, status)
	}
	return form
}

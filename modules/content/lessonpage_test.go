package content_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestTextTypedBeforeAnUploadIsSavedWithIt(t *testing.T) {
	e := newEditor(t)
	c := e.newCourse("typed")
	lesson := e.addLesson(c.moduleID, "Who you will meet")
	typed := map[string]string{"title": "Who you will meet", "minutes": "6", "body": "Porters move patients **safely**.",
		"shuffle": "true", "published": "true", "source": "upload", "alt": "A porter with a wheelchair"}

	// The lesson's fields have a problem: nothing is saved or uploaded,
	// and what was typed comes back.
	bad := map[string]string{}
	for k, v := range typed {
		bad[k] = v
	}
	bad["minutes"] = "six"
	body := requireStatus(t, e.postFile("/admin/content/lessons/"+lesson+"/media", bad, "file", "porter.png", pngBytes(t)),
		http.StatusUnprocessableEntity)
	if !strings.Contains(body, "Enter the minutes as a whole number") || !strings.Contains(body, "Porters move patients **safely**.</textarea>") {
		t.Error("a problem in the lesson's fields is not shown with the text typed")
	}
	if n := count(t, "SELECT count(*) FROM lesson_media WHERE lesson_id = ?", lesson); n != 0 {
		t.Error("the file was uploaded although the lesson could not be saved")
	}

	resp := e.postFile("/admin/content/lessons/"+lesson+"/media", typed, "file", "porter.png", pngBytes(t))
	requireStatus(t, resp, http.StatusSeeOther)
	if n := count(t, "SELECT count(*) FROM lessons WHERE id = ? AND body_md = 'Porters move patients **safely**.' AND minutes = 6 AND NOT published", lesson); n != 1 {
		t.Error("the text typed before the upload was not saved with it (or the upload published the lesson)")
	}
	if n := count(t, "SELECT count(*) FROM lesson_media WHERE lesson_id = ?", lesson); n != 1 {
		t.Error("the file was not added")
	}
	page := e.get(resp.Header.Get("Location"))
	if !strings.Contains(page, "your changes to the lesson saved") || !strings.Contains(page, "Published was not changed") {
		t.Error("the page does not say the text was saved and publishing was not")
	}

	// Saving the recording's transcript keeps new text too.
	typed["body"] = "Porters know every corridor."
	delete(typed, "source")
	typed["transcript"] = "Porters know every corridor."
	body = requireStatus(t, e.postFile("/admin/content/lessons/"+lesson+"/audio", typed, "", "", nil), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "Choose the recording to upload") {
		t.Error("a recording missing is not explained")
	}
	if n := count(t, "SELECT count(*) FROM lessons WHERE id = ? AND body_md = 'Porters know every corridor.'", lesson); n != 1 {
		t.Error("the text typed before saving the recording was lost")
	}
}

func TestAPictureAttachedToTheLessonShowsInsideItsText(t *testing.T) {
	e := newEditor(t)
	c := e.newCourse("inline")
	lesson := e.addLesson(c.moduleID, "Who you will meet")
	id := e.attachPicture(lesson, "A porter with a wheelchair", "porter.png")
	snippet := "![A porter with a wheelchair](/media/" + id + ")"
	if page := e.get("/admin/content/lessons/" + lesson); !strings.Contains(page, snippet) {
		t.Fatalf("the lesson editor does not offer the picture's Markdown %s", snippet)
	}

	// Another course's draft picture: not this lesson's, refused.
	other := e.newCourse("inlineother")
	otherLesson := e.addLesson(other.moduleID, "Draft")
	otherID := e.attachPicture(otherLesson, "A secret plan", "plan.png")

	path := "/admin/content/lessons/" + lesson
	for name, tc := range map[string]struct{ body, want string }{
		"no alt text":      {"Meet the team.\n\n![](/media/" + id + ")", "Picture 1 in the lesson text needs alt text"},
		"another lesson's": {"Meet the team.\n\n![A plan](/media/" + otherID + ")", "Picture 1 in the lesson text (/media/" + otherID + ") is not one of this lesson's pictures"},
		"from the web":     {"Meet the team.\n\n![A porter](https://example.com/p.png)", "is not one of this lesson's pictures"},
	} {
		body := requireStatus(t, e.c.PostForm(path, url.Values{"title": {"Who you will meet"}, "minutes": {"4"}, "body": {tc.body}, "action": {"save"}}),
			http.StatusUnprocessableEntity)
		if !strings.Contains(body, html.EscapeString(tc.want)) {
			t.Errorf("%s: the page does not say %q", name, tc.want)
		}
	}

	e.saveLesson(lesson, "Who you will meet", "Meet the team.\n\n"+snippet+"\n\nSay hello.", true)
	e.publishAll(c)
	learner := e.srv.SignIn(t, "learner2@example.org").NoRedirects()
	requireStatus(t, learner.PostForm("/learn/"+c.slug+"/start", nil), http.StatusSeeOther)
	page := requireStatus(t, learner.Get("/learn/"+c.slug+"/lessons/"+lesson), http.StatusOK)
	img := `<img src="/media/` + id + `" alt="A porter with a wheelchair">`
	if !strings.Contains(section(t, page, `id="lesson-text"`, "</div>"), img) {
		t.Errorf("the learner's lesson text does not show the picture inside it")
	}
	if strings.Count(page, `src="/media/`+id+`"`) != 1 {
		t.Error("the learner sees the picture twice: in the text and after it")
	}
	requireStatus(t, learner.Get("/media/"+id), http.StatusOK)
	requireStatus(t, learner.Get("/media/"+otherID), http.StatusNotFound)

	// While the text shows it, the picture cannot be taken out of the lesson.
	body := requireStatus(t, e.c.PostForm(path+"/media/"+id+"/remove", nil), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "That picture is shown inside the lesson text") {
		t.Error("removing a picture the text shows is not explained")
	}
}

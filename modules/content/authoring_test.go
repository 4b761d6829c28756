package content_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"onramp/app"
	"onramp/app/config"
	"onramp/app/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// editor is a content editor signed in on a test server, with helpers
// that drive the authoring pages over HTTP the way a browser would.
type editor struct {
	t   *testing.T
	srv *testenv.Server
	c   *testenv.Client
}

func newEditor(t *testing.T) *editor {
	t.Helper()
	srv := testenv.NewServer(t)
	return &editor{t: t, srv: srv, c: srv.SignIn(t, "editor@example.org").NoRedirects()}
}

var slugSeq atomic.Int64

// uniqueSlug returns a slug no other test uses; slugs made with the same
// prefix length have the same length.
func uniqueSlug(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano()%1e9, slugSeq.Add(1)%10)
}

func requireStatus(t *testing.T, resp *http.Response, want int) string {
	t.Helper()
	body := testenv.Body(t, resp)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d\n%s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want, body)
	}
	return body
}

// redirectedID posts a form that should answer 303 to prefix<id>?done=...
// and returns the id.
func (e *editor) redirectedID(path string, form url.Values, prefix string) string {
	e.t.Helper()
	resp := e.c.PostForm(path, form)
	requireStatus(e.t, resp, http.StatusSeeOther)
	loc := resp.Header.Get("Location")
	rest, ok := strings.CutPrefix(loc, prefix)
	if !ok {
		e.t.Fatalf("POST %s redirected to %q, want %s...", path, loc, prefix)
	}
	id, _, _ := strings.Cut(rest, "?")
	return id
}

func (e *editor) createProgramme(title, slug string) string {
	e.t.Helper()
	return e.redirectedID("/admin/content/programmes", url.Values{"title": {title}, "slug": {slug}}, "/admin/content/programmes/")
}

func (e *editor) addModule(programmeID, title string) string {
	e.t.Helper()
	return e.redirectedID("/admin/content/programmes/"+programmeID+"/modules", url.Values{"title": {title}}, "/admin/content/modules/")
}

func (e *editor) addLesson(moduleID, title string) string {
	e.t.Helper()
	return e.redirectedID("/admin/content/modules/"+moduleID+"/lessons", url.Values{"title": {title}}, "/admin/content/lessons/")
}

// attachPicture uploads a PNG to the lesson with alt text and returns the
// media id of the lesson's first file.
func (e *editor) attachPicture(lesson, alt, filename string) string {
	e.t.Helper()
	requireStatus(e.t, e.postFile("/admin/content/lessons/"+lesson+"/media",
		map[string]string{"source": "upload", "alt": alt}, "file", filename, pngBytes(e.t)), http.StatusSeeOther)
	var id string
	testenv.DB(e.t).Gorm.Raw("SELECT media_id FROM lesson_media WHERE lesson_id = ? ORDER BY position LIMIT 1", lesson).Scan(&id)
	return id
}

func (e *editor) saveLesson(id, title, body string, published bool) {
	e.t.Helper()
	form := url.Values{"title": {title}, "minutes": {"4"}, "body": {body}, "action": {"save"}}
	if published {
		form.Set("published", "true")
		form.Set("confirm_publish", "yes") // as if confirmed: learners may be on the course
	}
	requireStatus(e.t, e.c.PostForm("/admin/content/lessons/"+id, form), http.StatusSeeOther)
}

func (e *editor) get(path string) string {
	e.t.Helper()
	return requireStatus(e.t, e.c.Get(path), http.StatusOK)
}

// course is a programme with one module, built through the pages.
type course struct {
	programmeID, slug, moduleID string
}

func (e *editor) newCourse(prefix string) course {
	e.t.Helper()
	slug := uniqueSlug(prefix)
	pid := e.createProgramme("Course "+slug, slug)
	return course{programmeID: pid, slug: slug, moduleID: e.addModule(pid, "Your first week")}
}

// publishAll publishes the course and its module, open to anyone to
// start on their own.
func (e *editor) publishAll(c course) {
	e.t.Helper()
	requireStatus(e.t, e.c.PostForm("/admin/content/programmes/"+c.programmeID,
		url.Values{"title": {"Course " + c.slug}, "published": {"true"}, "open_enrolment": {"true"}}), http.StatusSeeOther)
	requireStatus(e.t, e.c.PostForm("/admin/content/modules/"+c.moduleID,
		url.Values{"title": {"Your first week"}, "published": {"true"}}), http.StatusSeeOther)
}

// section returns the part of a page between two markers.
func section(t *testing.T, page, from, to string) string {
	t.Helper()
	_, rest, ok := strings.Cut(page, from)
	if !ok {
		t.Fatalf("page has no %q", from)
	}
	out, _, ok := strings.Cut(rest, to)
	if !ok {
		t.Fatalf("page has no %q after %q", to, from)
	}
	return out
}

func count(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := testenv.DB(t).Gorm.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

const nastyMarkdown = `## Staying safe

Wash your hands **before and after** you touch a patient.

<script>alert(1)</script>

<img src="x.png" onerror="alert(2)">

[Click me](javascript:alert(3)) and <a href="javascript:alert(4)">me</a>.
`

func TestEditorBuildsACourseAndTheLessonPreviewIsSanitised(t *testing.T) {
	e := newEditor(t)
	c := e.newCourse("build")
	lesson := e.addLesson(c.moduleID, "Hand hygiene")

	list := e.get("/admin/content")
	if !strings.Contains(list, "Course "+c.slug) || !strings.Contains(list, "Draft") {
		t.Error("the programme list does not show the new draft programme")
	}
	e.saveLesson(lesson, "Hand hygiene", nastyMarkdown, false)

	page := e.get("/admin/content/lessons/" + lesson)
	preview := section(t, page, `<h2 id="preview">`, `<h2 id="media">`)
	if !strings.Contains(preview, "<h2>Staying safe</h2>") || !strings.Contains(preview, "<strong>before and after</strong>") {
		t.Errorf("the preview does not render the Markdown:\n%s", preview)
	}
	for _, bad := range []string{"<script", "alert(1)", "onerror", "javascript:"} {
		if strings.Contains(strings.ToLower(preview), bad) {
			t.Errorf("the saved lesson's preview contains %q:\n%s", bad, preview)
		}
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the text box does not keep the lesson text as written")
	}
	var stored string
	testenv.DB(t).Gorm.Raw("SELECT body_md FROM lessons WHERE id = ?", lesson).Scan(&stored)
	if stored != nastyMarkdown {
		t.Errorf("stored body %q, want it exactly as written", stored)
	}
}

func TestPreviewShowsUnsavedChangesWithoutSaving(t *testing.T) {
	e := newEditor(t)
	c := e.newCourse("preview")
	lesson := e.addLesson(c.moduleID, "First day")
	e.saveLesson(lesson, "First day", "Saved text.", false)

	body := requireStatus(t, e.c.PostForm("/admin/content/lessons/"+lesson, url.Values{
		"title": {"First day, changed"}, "minutes": {"7"}, "body": {"Unsaved **bold** idea"}, "action": {"preview"}}), http.StatusOK)
	preview := section(t, body, `<h2 id="preview">`, `<h2 id="media">`)
	if !strings.Contains(preview, "Unsaved <strong>bold</strong> idea") {
		t.Errorf("the preview does not show the posted text:\n%s", preview)
	}
	if !strings.Contains(body, `value="First day, changed"`) || !strings.Contains(body, `value="7"`) {
		t.Error("the preview does not keep what the editor typed")
	}
	if !strings.Contains(body, "not saved yet") {
		t.Error("the preview does not say the changes are not saved")
	}
	var stored struct {
		Title  string
		BodyMD string
	}
	testenv.DB(t).Gorm.Raw("SELECT title, body_md FROM lessons WHERE id = ?", lesson).Scan(&stored)
	if stored.Title != "First day" || stored.BodyMD != "Saved text." {
		t.Errorf("previewing saved the lesson: %+v", stored)
	}
}

func TestLessonFormErrorsKeepTheInput(t *testing.T) {
	e := newEditor(t)
	c := e.newCourse("invalid")
	lesson := e.addLesson(c.moduleID, "Breaks")

	body := requireStatus(t, e.c.PostForm("/admin/content/lessons/"+lesson, url.Values{
		"title": {""}, "minutes": {"500"}, "body": {"Kept text"}, "action": {"save"}}), http.StatusUnprocessableEntity)
	for _, want := range []string{"nhsuk-error-summary", "Enter a title for the lesson.", "Minutes must be between 1 and 120.", `value="500"`, "Kept text"} {
		if !strings.Contains(body, want) {
			t.Errorf("the 422 page does not show %q", want)
		}
	}
}

func TestCreatingAProgrammeChecksTheShortName(t *testing.T) {
	e := newEditor(t)
	body := requireStatus(t, e.c.PostForm("/admin/content/programmes", url.Values{"title": {"Care basics"}, "slug": {"Care Basics!"}}),
		http.StatusUnprocessableEntity)
	if !strings.Contains(body, "The short name can only have small letters") || !strings.Contains(body, `value="Care Basics!"`) {
		t.Error("a bad short name is not explained, or the input is lost")
	}

	slug := uniqueSlug("dup")
	e.createProgramme("First", slug)
	body = requireStatus(t, e.c.PostForm("/admin/content/programmes", url.Values{"title": {"Second"}, "slug": {slug}}),
		http.StatusUnprocessableEntity)
	if !strings.Contains(body, "There is already a programme with the short name") {
		t.Error("a taken short name is not explained")
	}

	// A blank short name is made from the title.
	title := "Made From " + uniqueSlug("title")
	id := e.createProgramme(title, "")
	var got string
	testenv.DB(t).Gorm.Raw("SELECT slug FROM programmes WHERE id = ?", id).Scan(&got)
	if !strings.HasPrefix(got, "made-from-title-") {
		t.Errorf("short name made from %q is %q", title, got)
	}
}

func lessonOrder(t *testing.T, moduleID string) []string {
	t.Helper()
	var titles []string
	testenv.DB(t).Gorm.Raw("SELECT title FROM lessons WHERE module_id = ? ORDER BY position", moduleID).Scan(&titles)
	return titles
}

func TestMovingALessonUpChangesTheOrder(t *testing.T) {
	e := newEditor(t)
	c := e.newCourse("move")
	e.addLesson(c.moduleID, "One")
	two := e.addLesson(c.moduleID, "Two")
	e.addLesson(c.moduleID, "Three")

	resp := e.c.PostForm("/admin/content/lessons/"+two+"/move", url.Values{"direction": {"up"}})
	requireStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/admin/content/modules/"+c.moduleID+"?done=moved#lessons" {
		t.Errorf("move redirected to %q", loc)
	}
	if got := strings.Join(lessonOrder(t, c.moduleID), ","); got != "Two,One,Three" {
		t.Fatalf("after moving Two up the order is %s", got)
	}
	page := e.get("/admin/content/modules/" + c.moduleID + "?done=moved")
	if strings.Index(page, ">Two</a>") > strings.Index(page, ">One</a>") || !strings.Contains(page, "Order changed.") {
		t.Error("the module page does not show the new order and the confirmation")
	}

	// Already first: nothing moves, and the page says so.
	resp = e.c.PostForm("/admin/content/lessons/"+two+"/move", url.Values{"direction": {"up"}})
	requireStatus(t, resp, http.StatusSeeOther)
	if !strings.Contains(resp.Header.Get("Location"), "done=not-moved") {
		t.Errorf("moving the first lesson up redirected to %q", resp.Header.Get("Location"))
	}
	requireStatus(t, e.c.PostForm("/admin/content/lessons/"+two+"/move", url.Values{"direction": {"down"}}), http.StatusSeeOther)
	if got := strings.Join(lessonOrder(t, c.moduleID), ","); got != "One,Two,Three" {
		t.Fatalf("after moving Two down again the order is %s", got)
	}

	// Modules move the same way.
	second := e.addModule(c.programmeID, "Your second week")
	requireStatus(t, e.c.PostForm("/admin/content/modules/"+second+"/move", url.Values{"direction": {"up"}}), http.StatusSeeOther)
	var first string
	testenv.DB(t).Gorm.Raw("SELECT id FROM modules WHERE programme_id = ? ORDER BY position LIMIT 1", c.programmeID).Scan(&first)
	if first != second {
		t.Error("moving the second module up did not make it first")
	}
	requireStatus(t, e.c.PostForm("/admin/content/modules/"+second+"/move", url.Values{"direction": {"sideways"}}), http.StatusBadRequest)
}

func TestADraftLessonIsHiddenFromLearnersUntilPublished(t *testing.T) {
	// With learners' content cached for a minute, only the edits clearing
	// the cache let the learner see them.
	srv := testenv.NewServer(t, func(cfg *config.Config, _ *app.Options) { cfg.ContentCacheTTL = time.Minute })
	e := &editor{t: t, srv: srv, c: srv.SignIn(t, "editor@example.org").NoRedirects()}
	learner := e.srv.SignIn(t, "learner@example.org").NoRedirects()
	c := e.newCourse("draft")
	lesson := e.addLesson(c.moduleID, "Your rights at work")
	e.saveLesson(lesson, "Your rights at work", "You have the right to breaks.", false)
	learnerURL := "/learn/" + c.slug + "/lessons/" + lesson

	requireStatus(t, learner.Get(learnerURL), http.StatusNotFound)
	e.publishAll(c)
	requireStatus(t, learner.PostForm("/learn/"+c.slug+"/start", nil), http.StatusSeeOther)
	requireStatus(t, learner.Get(learnerURL), http.StatusNotFound) // the lesson itself is still a draft

	// Editors can preview the draft meanwhile.
	if body := e.get("/admin/content/lessons/" + lesson + "/preview"); !strings.Contains(body, "You have the right to breaks.") {
		t.Error("the editor's preview does not show the draft lesson")
	}
	if body := e.get("/admin/content/programmes/" + c.programmeID + "/preview"); !strings.Contains(body, "Your rights at work") {
		t.Error("the programme preview does not list the draft lesson")
	}

	e.saveLesson(lesson, "Your rights at work", "You have the right to breaks.", true)
	body := requireStatus(t, learner.Get(learnerURL), http.StatusOK)
	if !strings.Contains(body, "You have the right to breaks.") {
		t.Error("the published lesson does not show its text to the learner")
	}

	// An edit shows at once: the learner's cached page follows updated_at.
	e.saveLesson(lesson, "Your rights at work", "You have the right to paid breaks.", true)
	if body := requireStatus(t, learner.Get(learnerURL), http.StatusOK); !strings.Contains(body, "paid breaks") {
		t.Error("the learner still sees the old text after an edit")
	}
}

const goodCheck = `title: Check what you know
pass_mark: 80
questions:
  - text: Which of these is an NHS value?
    kind: single
    options:
      - text: Everyone counts
        correct: true
        feedback: Yes. Everyone counts is one of the six NHS values.
      - text: Profit first
        feedback: No. The NHS is not run for profit.
`

func TestTheCheckEditorRefusesBadChecksAndSavesGoodOnes(t *testing.T) {
	e := newEditor(t)
	c := e.newCourse("check")
	path := "/admin/content/modules/" + c.moduleID + "/check"

	bad := "title: Broken\nquestions:\n  - text: Unfinished: a colon\n   kind: single\n"
	body := requireStatus(t, e.c.PostForm(path, url.Values{"yaml": {bad}, "action": {"save"}}), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "The check could not be read. Line ") {
		t.Errorf("bad YAML is not explained with its line:\n%s", section(t, body, "<main", "</form>"))
	}
	if !strings.Contains(body, "Unfinished: a colon") {
		t.Error("the editor's text is not kept after a YAML error")
	}

	noCorrect := strings.Replace(goodCheck, "        correct: true\n", "", 1)
	body = requireStatus(t, e.c.PostForm(path, url.Values{"yaml": {noCorrect}, "action": {"save"}}), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "Question 1 has no correct option.") || !strings.Contains(body, "nhsuk-error-summary") {
		t.Error("a question with no correct option is not explained in the error summary")
	}
	if !strings.Contains(body, "Everyone counts is one of the six NHS values.") {
		t.Error("the editor's text is not kept after a problem")
	}

	typo := strings.Replace(goodCheck, "correct: true", "corect: true", 1)
	body = requireStatus(t, e.c.PostForm(path, url.Values{"yaml": {typo}, "action": {"save"}}), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "&#34;corect&#34; is not a setting a check can have") {
		t.Error("a misspelt setting is not reported")
	}
	if n := count(t, "SELECT count(*) FROM checks WHERE module_id = ?", c.moduleID); n != 0 {
		t.Fatalf("refused checks left %d checks", n)
	}

	resp := e.c.PostForm(path, url.Values{"yaml": {goodCheck}, "action": {"save"}})
	requireStatus(t, resp, http.StatusSeeOther)
	if n := count(t, `SELECT count(*) FROM options o JOIN questions q ON q.id = o.question_id JOIN checks c ON c.id = q.check_id
		WHERE c.module_id = ?`, c.moduleID); n != 2 {
		t.Fatalf("the saved check has %d options, want 2", n)
	}
	if n := count(t, "SELECT count(*) FROM audit_events WHERE action = 'content.check.updated' AND subject_id = ?", c.moduleID); n != 1 {
		t.Errorf("%d audit events for the saved check, want 1", n)
	}

	body = e.get(path)
	if !strings.Contains(body, "pass_mark: 80") || !strings.Contains(body, "  - text: Which of these is an NHS value?") {
		t.Errorf("the editor is not prefilled with the stored check:\n%s", section(t, body, "<textarea", "</textarea>"))
	}
	preview := section(t, body, `<h2 id="preview">`, "</main>")
	if !strings.Contains(preview, "disabled") || !strings.Contains(preview, "Right answer") || !strings.Contains(preview, "The NHS is not run for profit.") {
		t.Error("the check preview does not show disabled options, the right answer and feedback")
	}
}

func TestExportImportAsACopyExportGivesTheSameZip(t *testing.T) {
	e := newEditor(t)
	c := e.newCourse("orig")
	one := e.addLesson(c.moduleID, "Getting there")
	e.saveLesson(one, "Getting there", "## Plan your journey\n\nLeave **early**.", true)
	e.addLesson(c.moduleID, "Who is who")
	requireStatus(t, e.c.PostForm("/admin/content/modules/"+c.moduleID+"/check",
		url.Values{"yaml": {goodCheck}, "action": {"save"}}), http.StatusSeeOther)
	requireStatus(t, e.c.PostForm("/admin/content/programmes/"+c.programmeID, url.Values{"title": {"Course " + c.slug},
		"summary": {"A short course."}, "audience": {"Anyone"}, "length": {"1 day"}, "intro": {"Welcome."}, "open_enrolment": {"true"},
		"for_mentors": {"true"}}), http.StatusSeeOther)

	resp := e.c.Get("/admin/content/programmes/" + c.programmeID + "/export")
	first := []byte(requireStatus(t, resp, http.StatusOK))
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="`+c.slug+`.zip"` {
		t.Errorf("Content-Disposition %q", cd)
	}

	copySlug := "copy" + strings.TrimPrefix(c.slug, "orig") // the same length, so zip offsets match
	resp = e.postFile("/admin/content/import", map[string]string{"slug": copySlug}, "file", c.slug+".zip", first)
	requireStatus(t, resp, http.StatusSeeOther)
	copyID, _, _ := strings.Cut(strings.TrimPrefix(resp.Header.Get("Location"), "/admin/content/programmes/"), "?")
	if copyID == c.programmeID || copyID == "" {
		t.Fatalf("import redirected to %q", resp.Header.Get("Location"))
	}
	second := []byte(requireStatus(t, e.c.Get("/admin/content/programmes/"+copyID+"/export"), http.StatusOK))

	if want := bytes.ReplaceAll(first, []byte(c.slug+"/"), []byte(copySlug+"/")); !bytes.Equal(want, second) {
		t.Errorf("the copy's export differs from the original's (%d and %d bytes)", len(first), len(second))
	}
	if n := count(t, "SELECT count(*) FROM programmes WHERE id = ? AND open_enrolment", copyID); n != 1 {
		t.Error("the copy is not open to everyone, as the original was")
	}
	if n := count(t, "SELECT count(*) FROM programmes WHERE id = ? AND for_mentors", copyID); n != 1 {
		t.Error("the copy is not for mentors, as the original was")
	}
	if n := count(t, "SELECT count(*) FROM audit_events WHERE action = 'content.programme.imported' AND subject_id = ?", copyID); n != 1 {
		t.Errorf("%d audit events for the import, want 1", n)
	}

	// Importing the same programme again without a new name is refused in plain words.
	body := requireStatus(t, e.postFile("/admin/content/import", nil, "file", c.slug+".zip", first), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "There is already a programme with the short name") {
		t.Error("importing a programme that is already here is not explained")
	}
	body = requireStatus(t, e.postFile("/admin/content/import", nil, "file", "notes.zip", []byte("not a zip")), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "this file is not a zip file") {
		t.Error("a file that is not a zip is not explained")
	}
}

func TestDeletingALessonALearnerCompletedIsRefused(t *testing.T) {
	e := newEditor(t)
	learner := e.srv.SignIn(t, "learner@example.org").NoRedirects()
	c := e.newCourse("delete")
	done := e.addLesson(c.moduleID, "Done by a learner")
	e.saveLesson(done, "Done by a learner", "Read me.", true)
	spare := e.addLesson(c.moduleID, "Nobody did this")
	e.publishAll(c)
	requireStatus(t, learner.PostForm("/learn/"+c.slug+"/start", nil), http.StatusSeeOther)
	requireStatus(t, learner.PostForm("/learn/"+c.slug+"/lessons/"+done+"/complete", nil), http.StatusSeeOther)

	body := requireStatus(t, e.c.PostForm("/admin/content/lessons/"+done+"/delete", url.Values{"confirm": {"yes"}}), http.StatusConflict)
	if !strings.Contains(body, "Learners have completed this lesson, so it cannot be deleted. Unpublish it instead.") {
		t.Error("the refusal does not say why or what to do instead")
	}
	if n := count(t, "SELECT count(*) FROM lessons WHERE id = ?", done); n != 1 {
		t.Fatal("the completed lesson was deleted")
	}

	body = requireStatus(t, e.c.PostForm("/admin/content/lessons/"+spare+"/delete", nil), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "Tick the box to confirm") {
		t.Error("deleting without confirming is not explained")
	}
	resp := e.c.PostForm("/admin/content/lessons/"+spare+"/delete", url.Values{"confirm": {"yes"}})
	requireStatus(t, resp, http.StatusSeeOther)
	if n := count(t, "SELECT count(*) FROM lessons WHERE id = ?", spare); n != 0 {
		t.Error("the lesson nobody completed was not deleted")
	}
	if n := count(t, "SELECT count(*) FROM audit_events WHERE action = 'content.lesson.deleted' AND subject_id = ?", spare); n != 1 {
		t.Errorf("%d audit events for the deletion, want 1", n)
	}
}

func TestLearnersAndManagersCannotReachContentAuthoring(t *testing.T) {
	srv := testenv.NewServer(t)
	const someID = "00000000-0000-4000-8000-000000000000"
	var routes []string
	for _, k := range srv.App.Routes.Keys() {
		method, path, _ := strings.Cut(k, " ")
		if strings.HasPrefix(path, "/admin/content") || strings.HasPrefix(path, "/admin/media") {
			routes = append(routes, method+" "+strings.NewReplacer(":id", someID, ":media", someID).Replace(path))
		}
	}
	if len(routes) < 20 {
		t.Fatalf("found only %d authoring routes: %v", len(routes), routes)
	}
	for _, email := range []string{"learner@example.org", "manager@example.org"} {
		c := srv.SignIn(t, email).NoRedirects()
		for _, r := range routes {
			method, path, _ := strings.Cut(r, " ")
			var resp *http.Response
			if method == http.MethodGet {
				resp = c.Get(path)
			} else {
				resp = c.PostForm(path, url.Values{"title": {"Sneaky"}, "slug": {"sneaky"}})
			}
			if body := testenv.Body(t, resp); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s: %s got %d, want 403\n%.300s", email, r, resp.StatusCode, body)
			}
		}
	}
	if n := count(t, "SELECT count(*) FROM programmes WHERE slug = 'sneaky'"); n != 0 {
		t.Error("a learner or manager created a programme")
	}
}

// postFile posts a multipart form with one file, the way a browser sends
// an upload form (the CSRF token as a form field).
func (e *editor) postFile(path string, fields map[string]string, fileField, filename string, content []byte) *http.Response {
	e.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("_csrf", e.c.CSRF)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if fileField != "" {
		fw, err := w.CreateFormFile(fileField, filename)
		if err != nil {
			e.t.Fatal(err)
		}
		_, _ = fw.Write(content)
	}
	if err := w.Close(); err != nil {
		e.t.Fatal(err)
	}
	req := e.c.Request(http.MethodPost, path, &buf)
	req.Header.Del("X-CSRF-Token")
	req.Header.Set("Content-Type", w.FormDataContentType())
	return e.c.Do(req)
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// storedFiles counts the files under the test server's disk store.
func storedFiles(t *testing.T, srv *testenv.Server) int {
	t.Helper()
	root := strings.TrimPrefix(srv.App.Config.StorageURL, "file://")
	n := 0
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAnImageWithoutAltTextIsRefusedAndNothingIsStored(t *testing.T) {
	e := newEditor(t)
	c := e.newCourse("alt")
	lesson := e.addLesson(c.moduleID, "Who you will meet")
	media := count(t, "SELECT count(*) FROM media")
	files := storedFiles(t, e.srv)
	path := "/admin/content/lessons/" + lesson + "/media"

	body := requireStatus(t, e.postFile(path, map[string]string{"source": "upload", "alt": "  "}, "file", "porter.png", pngBytes(t)),
		http.StatusUnprocessableEntity)
	if !strings.Contains(body, "Describe the picture for people who cannot see it (alt text).") {
		t.Error("the refusal does not ask for alt text")
	}
	if got := count(t, "SELECT count(*) FROM media"); got != media {
		t.Errorf("the refused upload left %d media rows", got-media)
	}
	if got := storedFiles(t, e.srv); got != files {
		t.Errorf("the refused upload left %d files in the store", got-files)
	}

	// Captions only go with a video, and are checked before anything is stored.
	body = requireStatus(t, e.postFileWithCaptions(path, "A porter", pngBytes(t)), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "Captions can only go with a video.") || storedFiles(t, e.srv) != files {
		t.Error("captions with a picture are not refused before storing")
	}

	resp := e.postFile(path, map[string]string{"source": "upload", "alt": "A porter with a wheelchair"}, "file", "porter.png", pngBytes(t))
	requireStatus(t, resp, http.StatusSeeOther)
	var id string
	testenv.DB(t).Gorm.Raw("SELECT media_id FROM lesson_media WHERE lesson_id = ?", lesson).Scan(&id)
	if id == "" {
		t.Fatal("the upload with alt text was not added to the lesson")
	}
	page := e.get("/admin/content/lessons/" + lesson)
	if !strings.Contains(page, `<img src="/media/`+id+`" alt="A porter with a wheelchair"`) {
		t.Error("the lesson page does not show the picture with its alt text")
	}
	if !strings.Contains(e.get("/admin/media"), "porter.png") {
		t.Error("the media library does not list the upload")
	}

	// The same file again, from the library, is refused; removing it works.
	body = requireStatus(t, e.c.PostForm(path, url.Values{"source": {"library"}, "media": {id}}), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "This file is already in the lesson.") {
		t.Error("adding a file twice is not explained")
	}
	requireStatus(t, e.c.PostForm(path+"/"+id+"/remove", nil), http.StatusSeeOther)
	if n := count(t, "SELECT count(*) FROM lesson_media WHERE lesson_id = ?", lesson); n != 0 {
		t.Error("removing the file left it in the lesson")
	}
	requireStatus(t, e.c.PostForm(path, url.Values{"source": {"library"}, "media": {id}}), http.StatusSeeOther)
	if n := count(t, "SELECT count(*) FROM lesson_media WHERE lesson_id = ?", lesson); n != 1 {
		t.Error("adding the file from the library did not add it")
	}
}

func (e *editor) postFileWithCaptions(path, alt string, content []byte) *http.Response {
	e.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("_csrf", e.c.CSRF)
	_ = w.WriteField("alt", alt)
	fw, _ := w.CreateFormFile("file", "porter.png")
	_, _ = fw.Write(content)
	cw, _ := w.CreateFormFile("captions", "porter.vtt")
	_, _ = io.WriteString(cw, "WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n")
	_ = w.Close()
	req := e.c.Request(http.MethodPost, path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return e.c.Do(req)
}

func TestTheMediaLibraryUploadsAndExplainsRefusals(t *testing.T) {
	e := newEditor(t)
	body := requireStatus(t, e.postFile("/admin/media", map[string]string{"alt": ""}, "file", "nurse.png", pngBytes(t)), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "Describe the picture") || !strings.Contains(body, "Media library") {
		t.Error("the library does not explain a missing alt text on its own page")
	}
	body = requireStatus(t, e.postFile("/admin/media", nil, "file", "page.html", []byte("<html><script>x</script></html>")), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "This type of file cannot be used.") {
		t.Error("an HTML upload is not refused in plain words")
	}
	resp := e.postFile("/admin/media", map[string]string{"alt": "A nurse smiling"}, "file", "nurse.png", pngBytes(t))
	requireStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/admin/media?done=uploaded" {
		t.Errorf("upload redirected to %q", loc)
	}
	body = e.get("/admin/media?done=uploaded")
	if !strings.Contains(body, "File uploaded to the media library.") || !strings.Contains(body, "A nurse smiling") {
		t.Error("the library does not confirm and list the upload")
	}
}

// unsized hides a reader's length, so the client sends it chunked with no
// Content-Length and the server only finds the size by reading.
type unsized struct{ io.Reader }

func TestOversizedUploadsAreRefusedBeforeAnythingIsStored(t *testing.T) {
	srv := testenv.NewServer(t, func(cfg *config.Config, _ *app.Options) { cfg.MaxFileMB, cfg.MaxVideoMB = 1, 1 })
	e := &editor{t: t, srv: srv, c: srv.SignIn(t, "editor@example.org").NoRedirects()}
	c := e.newCourse("big")
	lesson := e.addLesson(c.moduleID, "Big pictures")
	media, files := count(t, "SELECT count(*) FROM media"), storedFiles(t, srv)
	big := append(pngBytes(t), make([]byte, 3<<20)...) // over the 2 MB a request may carry

	// A declared length over the limit is refused before the body is read.
	body := requireStatus(t, e.postFile("/admin/content/lessons/"+lesson+"/media", map[string]string{"alt": "Big"}, "file", "big.png", big),
		http.StatusRequestEntityTooLarge)
	if !strings.Contains(body, "The file is too large. The most you can upload is 1 MB.") {
		t.Error("the refusal does not give the limit")
	}

	// A chunked body is cut off while it is read.
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("alt", "Big")
	fw, _ := w.CreateFormFile("file", "big.png")
	_, _ = fw.Write(big)
	_ = w.Close()
	req := e.c.Request(http.MethodPost, "/admin/content/lessons/"+lesson+"/media", unsized{&buf})
	req.Header.Set("Content-Type", w.FormDataContentType())
	requireStatus(t, e.c.Do(req), http.StatusRequestEntityTooLarge)

	// A file over its kind's limit within a small enough request.
	body = requireStatus(t, e.postFile("/admin/content/lessons/"+lesson+"/media", map[string]string{"alt": "Big"}, "file", "big.png",
		append(pngBytes(t), make([]byte, 1<<20+1)...)), http.StatusRequestEntityTooLarge)
	if !strings.Contains(body, "Big pictures") {
		t.Error("the refusal is not shown on the lesson's page")
	}

	if got := count(t, "SELECT count(*) FROM media"); got != media {
		t.Errorf("oversized uploads left %d media rows", got-media)
	}
	if got := storedFiles(t, srv); got != files {
		t.Errorf("oversized uploads left %d files in the store", got-files)
	}
}

func TestMalformedOrUnknownIDsAreNotFound(t *testing.T) {
	e := newEditor(t)
	for _, id := range []string{"not-an-id", "00000000-0000-4000-8000-000000000000"} {
		for _, p := range []string{"/admin/content/programmes/", "/admin/content/modules/", "/admin/content/lessons/"} {
			requireStatus(t, e.c.Get(p+id), http.StatusNotFound)
		}
		for _, p := range []string{"/admin/content/programmes/" + id + "/export", "/admin/content/programmes/" + id + "/preview",
			"/admin/content/lessons/" + id + "/preview", "/admin/content/modules/" + id + "/check"} {
			requireStatus(t, e.c.Get(p), http.StatusNotFound)
		}
		requireStatus(t, e.c.PostForm("/admin/content/programmes/"+id, url.Values{"title": {"X"}}), http.StatusNotFound)
		requireStatus(t, e.c.PostForm("/admin/content/programmes/"+id+"/modules", url.Values{"title": {"X"}}), http.StatusNotFound)
		requireStatus(t, e.c.PostForm("/admin/content/modules/"+id+"/move", url.Values{"direction": {"up"}}), http.StatusNotFound)
		requireStatus(t, e.c.PostForm("/admin/content/modules/"+id+"/check", url.Values{"yaml": {goodCheck}}), http.StatusNotFound)
		requireStatus(t, e.c.PostForm("/admin/content/lessons/"+id, url.Values{"title": {"X"}, "minutes": {"5"}}), http.StatusNotFound)
		requireStatus(t, e.c.PostForm("/admin/content/lessons/"+id+"/move", url.Values{"direction": {"up"}}), http.StatusNotFound)
		requireStatus(t, e.c.PostForm("/admin/content/lessons/"+id+"/delete", url.Values{"confirm": {"yes"}}), http.StatusNotFound)
		requireStatus(t, e.c.PostForm("/admin/content/lessons/"+id+"/media/"+id+"/remove", nil), http.StatusNotFound)
	}
}

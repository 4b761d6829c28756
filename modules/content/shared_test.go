package content_test

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"onramp/app/testenv"
	"onramp/modules/content"
)

// osDirFS is the tiny shared-module example as files.
func osDirFS(t *testing.T) fs.FS {
	return os.DirFS(filepath.Join(testenv.ModuleRoot(t), "modules/content/testdata/shared-example"))
}

// mp3Bytes is the start of an MP3 frame, which the upload rules sniff as
// audio/mpeg.
func mp3Bytes() []byte { return append([]byte("\xff\xfb\x90\x64"), make([]byte, 413)...) }

func sharedModuleIDs(t *testing.T, slug string) []string {
	t.Helper()
	var ids []string
	if err := testenv.DB(t).Gorm.Raw("SELECT id FROM modules WHERE shared AND slug = ?", slug).Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	return ids
}

func moduleTitles(t *testing.T, o *content.Outline) []string {
	t.Helper()
	var out []string
	for _, m := range o.Modules {
		out = append(out, m.Title)
	}
	return out
}

func TestASharedModuleIsStoredOnceAndPlacedInEachProgramme(t *testing.T) {
	e := newEditor(t)
	ex := testenv.ImportSharedExample(t, e.srv.App.Content)
	ids := sharedModuleIDs(t, ex.Shared)
	if len(ids) != 1 {
		t.Fatalf("%d shared modules called %s, want 1", len(ids), ex.Shared)
	}
	cat := e.srv.App.Content.Catalogue()
	a, err := cat.OutlineBySlug(context.Background(), ex.A, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := cat.OutlineBySlug(context.Background(), ex.B, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(moduleTitles(t, a), ", "); got != "First steps, Tiny safety core" {
		t.Errorf("%s's modules: %s; want the shared one after its module 1", ex.A, got)
	}
	if got := strings.Join(moduleTitles(t, b), ", "); got != "Tiny safety core, Getting ready" {
		t.Errorf("%s's modules: %s; want the shared one first", ex.B, got)
	}
	if a.Modules[1].ID != ids[0] || b.Modules[0].ID != ids[0] {
		t.Error("the programmes do not show the one shared module")
	}

	// Editors see where it is used, and that an edit changes them all.
	page := e.get("/admin/content/modules/" + ids[0])
	for _, want := range []string{"A change here changes every programme that uses it", "Tiny A", "Tiny B"} {
		if !strings.Contains(page, want) {
			t.Errorf("the shared module's page does not say %q", want)
		}
	}
	lesson := a.Modules[1].Lessons[0].ID
	if page := e.get("/admin/content/lessons/" + lesson); !strings.Contains(page, "A change here changes every programme that uses it") {
		t.Error("the shared lesson's editor does not warn that an edit changes every programme")
	}
	if list := e.get("/admin/content"); !strings.Contains(section(t, list, `id="shared"`, `id="create"`), "Tiny safety core") {
		t.Error("the content list does not show the shared module")
	}
}

func TestAProgrammeZipCarriesItsSharedModuleAndImportUpdatesItEverywhere(t *testing.T) {
	e := newEditor(t)
	ex := testenv.ImportSharedExample(t, e.srv.App.Content)
	var aID string
	testenv.DB(t).Gorm.Raw("SELECT id FROM programmes WHERE slug = ?", ex.A).Scan(&aID)
	zipped := func() []byte {
		resp := e.c.Get("/admin/content/programmes/" + aID + "/export")
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("export: %d", resp.StatusCode)
		}
		return b
	}
	first := zipped()
	pkg, err := content.ReadZip(bytes.NewReader(first), int64(len(first)))
	if err != nil {
		t.Fatalf("reading the export: %v", err)
	}
	if len(pkg.Shared) != 1 || pkg.Shared[0].Meta.Shared != ex.Shared || len(pkg.Meta.Shared) != 1 || pkg.Meta.Shared[0].After != 1 {
		t.Fatalf("the export does not carry the shared module marked and placed: %+v / %+v", pkg.Meta.Shared, pkg.Shared)
	}
	if qs := pkg.Shared[0].Lessons[0].Meta.Questions; len(qs) != 2 || qs[1].Kind != content.KindMultiple {
		t.Errorf("the shared lesson's questions did not travel: %+v", qs)
	}

	// An editor changes the shared lesson; importing the zip (as a copy)
	// puts the zip's version back, in every programme.
	lessonID := ""
	testenv.DB(t).Gorm.Raw(`SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id WHERE m.shared AND m.slug = ?`, ex.Shared).Scan(&lessonID)
	e.saveLesson(lessonID, "Changed title", "Changed text.", true)
	copySlug := uniqueSlug("copy")
	resp := e.postFile("/admin/content/import", map[string]string{"slug": copySlug}, "file", "a.zip", first)
	requireStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); !strings.Contains(loc, "done=imported-shared-updated") {
		t.Errorf("import redirected to %s, want it to say the shared module was updated", loc)
	}
	if ids := sharedModuleIDs(t, ex.Shared); len(ids) != 1 {
		t.Fatalf("after import there are %d shared modules called %s, want still 1", len(ids), ex.Shared)
	}
	var title string
	testenv.DB(t).Gorm.Raw("SELECT title FROM lessons WHERE id = ?", lessonID).Scan(&title)
	if title != "Clean hands" {
		t.Errorf("the shared lesson is %q after importing the zip, want the zip's %q (same lesson id kept)", title, "Clean hands")
	}
	b, err := e.srv.App.Content.Catalogue().OutlineBySlug(context.Background(), ex.B, false)
	if err != nil {
		t.Fatal(err)
	}
	if b.Modules[0].Lessons[0].Title != "Clean hands" {
		t.Errorf("%s does not show the updated shared lesson: %q", ex.B, b.Modules[0].Lessons[0].Title)
	}

	// The same zip again changes nothing shared, and says so.
	resp = e.postFile("/admin/content/import", map[string]string{"slug": uniqueSlug("again")}, "file", "a.zip", first)
	requireStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); strings.Contains(loc, "shared-updated") {
		t.Errorf("importing an unchanged shared module said it was updated: %s", loc)
	}
	// And the copy exports as the original did, under its new name.
	var copyID string
	testenv.DB(t).Gorm.Raw("SELECT id FROM programmes WHERE slug = ?", copySlug).Scan(&copyID)
	aID = copyID
	again := zipped()
	back, err := content.ReadZip(bytes.NewReader(again), int64(len(again)))
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Shared) != 1 || back.Shared[0].Lessons[0].Meta.Title != "Clean hands" {
		t.Errorf("the imported copy does not export its shared module: %+v", back.Shared)
	}
}

func TestAZipNamingASharedModuleItLacksIsRefused(t *testing.T) {
	e := newEditor(t)
	pkgs, err := content.ReadShipped(osDirFS(t))
	if err != nil {
		t.Fatal(err)
	}
	p := pkgs[0]
	p.Shared = nil
	p.Meta.Shared[0].Module = uniqueSlug("nowhere")
	var buf bytes.Buffer
	if err := p.WriteZip(&buf); err != nil {
		t.Fatal(err)
	}
	body := requireStatus(t, e.postFile("/admin/content/import", map[string]string{"slug": uniqueSlug("lacks")}, "file", "p.zip", buf.Bytes()),
		http.StatusUnprocessableEntity)
	if !strings.Contains(body, "which is not on Onramp yet and is not in the package") {
		t.Errorf("the refusal does not say the shared module is missing:\n%s", section(t, body, "nhsuk-error-summary", "</div>"))
	}
}

func TestEditorsWriteLessonQuestionsAsYAMLAndAnswersOutliveAWordingFix(t *testing.T) {
	e := newEditor(t)
	ex := testenv.ImportSharedExample(t, e.srv.App.Content)
	var lessonID string
	testenv.DB(t).Gorm.Raw(`SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id WHERE m.shared AND m.slug = ?`, ex.Shared).Scan(&lessonID)
	questionIDs := func() []string {
		var ids []string
		testenv.DB(t).Gorm.Raw("SELECT id FROM questions WHERE lesson_id = ? ORDER BY position", lessonID).Scan(&ids)
		return ids
	}
	before := questionIDs()
	page := e.get("/admin/content/lessons/" + lessonID)
	if !strings.Contains(page, "Clean their hands") {
		t.Fatal("the lesson editor does not show the questions' YAML")
	}
	save := func(yaml string) *http.Response {
		return e.c.PostForm("/admin/content/lessons/"+lessonID, url.Values{"title": {"Clean hands"}, "minutes": {"3"},
			"body": {"Clean hands stop germs."}, "published": {"true"}, "action": {"save"}, "questions": {yaml}})
	}
	bad := "- text: Which?\n  kind: single\n  options:\n    - text: A\n      corect: true\n      feedback: x\n    - text: B\n      feedback: y\n"
	body := requireStatus(t, save(bad), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "&#34;corect&#34; is not a setting a question can have") {
		t.Errorf("a misspelt setting is not named:\n%s", section(t, body, "nhsuk-error-summary", "</div>"))
	}
	fixed := "- text: What should Sam do first?\n  kind: single\n  options:\n    - text: Put on gloves\n      feedback: Not quite.\n" +
		"    - text: Clean their hands\n      correct: true\n      feedback: Yes.\n"
	requireStatus(t, save(fixed), http.StatusSeeOther)
	after := questionIDs()
	if len(after) != 1 || after[0] != before[0] {
		t.Errorf("questions after rewording the first and dropping the second: %v, want [%s]", after, before[0])
	}
	requireStatus(t, save(""), http.StatusSeeOther)
	if ids := questionIDs(); len(ids) != 0 {
		t.Errorf("%d questions left after clearing them", len(ids))
	}
}

func TestLessonAudioNeedsATranscriptAndAnAudioFile(t *testing.T) {
	e := newEditor(t)
	c := e.newCourse("audio")
	lesson := e.addLesson(c.moduleID, "Listen to me")
	path := "/admin/content/lessons/" + lesson + "/audio"
	body := requireStatus(t, e.postFile(path, map[string]string{"transcript": "Words."}, "audio", "a.png", pngBytes(t)), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "The recording must be an MP3, M4A or OGG audio file.") {
		t.Error("a picture was not refused as a recording")
	}
	body = requireStatus(t, e.postFile(path, nil, "audio", "a.mp3", mp3Bytes()), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "Enter the transcript") {
		t.Error("a recording without a transcript was not refused")
	}
	requireStatus(t, e.postFile(path, map[string]string{"transcript": "Hello, and welcome."}, "audio", "a.mp3", mp3Bytes()), http.StatusSeeOther)
	var audio *string
	var transcript string
	row := testenv.DB(t).Gorm.Raw("SELECT audio_id, audio_transcript FROM lessons WHERE id = ?", lesson).Row()
	if err := row.Scan(&audio, &transcript); err != nil || audio == nil || transcript != "Hello, and welcome." {
		t.Fatalf("stored audio %v, transcript %q (%v)", audio, transcript, err)
	}
	// The transcript alone can change; taking the recording out leaves no transcript.
	requireStatus(t, e.postFile(path, map[string]string{"transcript": "Hello again."}, "", "", nil), http.StatusSeeOther)
	requireStatus(t, e.c.PostForm(path+"/remove", url.Values{}), http.StatusSeeOther)
	row = testenv.DB(t).Gorm.Raw("SELECT audio_id, audio_transcript FROM lessons WHERE id = ?", lesson).Row()
	if err := row.Scan(&audio, &transcript); err != nil || audio != nil || transcript != "" {
		t.Errorf("after taking it out: audio %v, transcript %q (%v)", audio, transcript, err)
	}
}

func TestSeedingAddsAMissingSharedModuleWithoutTouchingProgrammes(t *testing.T) {
	srv := testenv.NewServer(t)
	slug := uniqueSlug("seeded-core")
	files := fstest.MapFS{}
	err := fs.WalkDir(osDirFS(t), "shared/tiny-safety", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(osDirFS(t), p)
		files[strings.Replace(p, "tiny-safety", slug, 1)] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // seeding again changes nothing
		if err := srv.App.Content.SeedShipped(context.Background(), files); err != nil {
			t.Fatal(err)
		}
	}
	ids := sharedModuleIDs(t, slug)
	if len(ids) != 1 {
		t.Fatalf("%d shared modules %s after seeding twice, want 1", len(ids), slug)
	}
	var uses, lessons, questions int
	testenv.DB(t).Gorm.Raw("SELECT count(*) FROM programme_shared_modules WHERE module_id = ?", ids[0]).Scan(&uses)
	testenv.DB(t).Gorm.Raw("SELECT count(*) FROM lessons WHERE module_id = ? AND published", ids[0]).Scan(&lessons)
	testenv.DB(t).Gorm.Raw("SELECT count(*) FROM questions q JOIN lessons l ON l.id = q.lesson_id WHERE l.module_id = ?", ids[0]).Scan(&questions)
	if uses != 0 || lessons != 1 || questions != 2 {
		t.Errorf("seeded shared module: in %d programmes, %d published lessons, %d lesson questions; want 0, 1, 2", uses, lessons, questions)
	}
}

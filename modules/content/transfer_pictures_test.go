package content_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"onramp/app/testenv"
)

// zipText returns a text file of an exported zip.
func zipText(t *testing.T, z []byte, name string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := zr.Open(name)
	if err != nil {
		t.Fatalf("the export has no %s: %v", name, err)
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	return string(b)
}

func TestAPictureInsideLessonTextSurvivesExportAndImport(t *testing.T) {
	e := newEditor(t)
	c := e.newCourse("picture")
	lesson := e.addLesson(c.moduleID, "Who you will meet")
	oldID := e.attachPicture(lesson, "A porter with a wheelchair", "porter (1).png")
	text := "Meet the team.\n\n![A porter *with* a wheelchair](/media/%s \"Our porter\")\n\n" +
		"Say [hello](https://example.com/media/x)  to them. ![Again](</media/%s>)"
	e.saveLesson(lesson, "Who you will meet", strings.ReplaceAll(text, "%s", oldID), true)

	first := []byte(requireStatus(t, e.c.Get("/admin/content/programmes/"+c.programmeID+"/export"), http.StatusOK))
	exported := zipText(t, first, c.slug+"/01-your-first-week/01-who-you-will-meet.md")
	if want := strings.ReplaceAll(strings.ReplaceAll(text, "/media/%s", "media/porter%20%281%29.png"), "%s", ""); !strings.Contains(exported, "---\n"+want+"\n") {
		t.Errorf("the exported lesson text does not name the picture's file in the package, with nothing else changed:\n%s\nwant\n%s", exported, want)
	}
	if !strings.Contains(exported, "- file: porter (1).png\n") {
		t.Errorf("the exported lesson does not list the picture under media:\n%s", exported)
	}

	// Imported as another programme, the text shows the copy's own file.
	copySlug := "copy" + strings.TrimPrefix(c.slug, "picture")
	resp := e.postFile("/admin/content/import", map[string]string{"slug": copySlug}, "file", c.slug+".zip", first)
	requireStatus(t, resp, http.StatusSeeOther)
	copyID, _, _ := strings.Cut(strings.TrimPrefix(resp.Header.Get("Location"), "/admin/content/programmes/"), "?")
	var copied struct{ LessonID, ModuleID, MediaID, BodyMD string }
	testenv.DB(t).Gorm.Raw(`SELECT l.id AS lesson_id, m.id AS module_id, lm.media_id, l.body_md FROM lessons l JOIN modules m ON m.id = l.module_id
		JOIN lesson_media lm ON lm.lesson_id = l.id WHERE m.programme_id = ?`, copyID).Scan(&copied)
	if copied.MediaID == "" || copied.MediaID == oldID {
		t.Fatalf("the imported lesson's picture is %q; want a file of its own", copied.MediaID)
	}
	if want := strings.ReplaceAll(text, "%s", copied.MediaID); copied.BodyMD != want {
		t.Errorf("the imported lesson text is\n%s\nwant\n%s", copied.BodyMD, want)
	}
	second := []byte(requireStatus(t, e.c.Get("/admin/content/programmes/"+copyID+"/export"), http.StatusOK))
	if again := zipText(t, second, copySlug+"/01-your-first-week/01-who-you-will-meet.md"); again != exported {
		t.Errorf("exporting the copy gives another lesson text:\n%s", again)
	}

	// A learner of the copy alone sees the picture.
	e.publishAll(course{programmeID: copyID, slug: copySlug, moduleID: copied.ModuleID})
	learner := e.srv.SignIn(t, "learner2@example.org").NoRedirects()
	requireStatus(t, learner.PostForm("/learn/"+copySlug+"/start", nil), http.StatusSeeOther)
	page := requireStatus(t, learner.Get("/learn/"+copySlug+"/lessons/"+copied.LessonID), http.StatusOK)
	if img := `<img src="/media/` + copied.MediaID + `" alt="A porter with a wheelchair" title="Our porter">`; !strings.Contains(page, img) {
		t.Errorf("the learner's lesson does not show the picture inside its text as %s", img)
	}
	requireStatus(t, learner.Get("/media/"+copied.MediaID), http.StatusOK)
}

func TestAPackageWhoseTextShowsAPictureItDoesNotListIsRefused(t *testing.T) {
	e := newEditor(t)
	lesson := func(media, text string) string {
		return "---\ntitle: Picture\nminutes: 3\n" + media + "---\nLook.\n\n" + text + "\n"
	}
	porter := "media:\n  - file: porter.png\n    alt: A porter\n"

	z := newPackageZip(t, "unlisted")
	z.add("01-start/02-picture.md", lesson("", "![A porter](media/porter.png)"))
	w, _ := z.zw.Create(z.slug + "/01-start/media/porter.png")
	_, _ = w.Write(pngBytes(t))
	e.refuseImport(z, z.slug+"/start/picture: the lesson text shows the picture media/porter.png, but the lesson&#39;s media: does not list porter.png")

	z = newPackageZip(t, "elsewhere")
	z.add("01-start/02-picture.md", lesson(porter, "![A porter](/media/0b6d7c52-6a86-4c2e-9d0e-3f5a1d2b7c10)"))
	w, _ = z.zw.Create(z.slug + "/01-start/media/porter.png")
	_, _ = w.Write(pngBytes(t))
	e.refuseImport(z, z.slug+"/start/picture: the lesson text shows a picture from /media/0b6d7c52-6a86-4c2e-9d0e-3f5a1d2b7c10; a lesson can only show its own pictures")

	z = newPackageZip(t, "notapicture")
	z.add("01-start/02-picture.md", lesson("media:\n  - file: guide.pdf\n", "![A guide](media/guide.pdf)"))
	w, _ = z.zw.Create(z.slug + "/01-start/media/guide.pdf")
	_, _ = w.Write([]byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"))
	e.refuseImport(z, "the text of lesson picture shows 01-start/media/guide.pdf as a picture, but it is not one")
}

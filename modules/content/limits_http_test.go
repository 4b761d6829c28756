package content_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// packageZip builds a programme zip by hand, so a test can make one no
// export would: too big, too many files, or lying about its sizes.
type packageZip struct {
	t    *testing.T
	slug string
	buf  bytes.Buffer
	zw   *zip.Writer
	done bool
}

// newPackageZip starts a valid one-module, one-lesson programme.
func newPackageZip(t *testing.T, prefix string) *packageZip {
	t.Helper()
	z := &packageZip{t: t, slug: uniqueSlug(prefix)}
	z.zw = zip.NewWriter(&z.buf)
	z.add("programme.md", "---\ntitle: Limits\nsummary: A test.\n---\nWelcome.\n")
	z.add("01-start/module.md", "---\ntitle: Start\n---\nThe start.\n")
	z.add("01-start/01-hello.md", "---\ntitle: Hello\nminutes: 3\n---\nHello there.\n")
	return z
}

func (z *packageZip) add(name, text string) {
	z.t.Helper()
	w, err := z.zw.Create(z.slug + "/" + name)
	if err == nil {
		_, err = io.WriteString(w, text)
	}
	if err != nil {
		z.t.Fatal(err)
	}
}

// addLesson adds a lesson whose file is its front matter and then size
// bytes in all, streamed so the test never holds it either.
func (z *packageZip) addLesson(name string, size int) {
	z.t.Helper()
	head := "---\ntitle: Big\nminutes: 5\n---\n"
	w, err := z.zw.CreateHeader(&zip.FileHeader{Name: z.slug + "/" + name, Method: zip.Deflate})
	if err != nil {
		z.t.Fatal(err)
	}
	_, _ = io.WriteString(w, head)
	if _, err := io.Copy(w, io.LimitReader(repeated('a'), int64(size-len(head)))); err != nil {
		z.t.Fatal(err)
	}
}

// addLying adds a file whose zip record says it holds claimed bytes,
// whatever it really holds.
func (z *packageZip) addLying(name string, content []byte, claimed uint64) {
	z.t.Helper()
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	_, _ = fw.Write(content)
	_ = fw.Close()
	w, err := z.zw.CreateRaw(&zip.FileHeader{Name: z.slug + "/" + name, Method: zip.Deflate,
		CRC32: crc32.ChecksumIEEE(content), CompressedSize64: uint64(comp.Len()), UncompressedSize64: claimed})
	if err == nil {
		_, err = w.Write(comp.Bytes())
	}
	if err != nil {
		z.t.Fatal(err)
	}
}

func (z *packageZip) bytes() []byte {
	z.t.Helper()
	if !z.done {
		if err := z.zw.Close(); err != nil {
			z.t.Fatal(err)
		}
		z.done = true
	}
	return z.buf.Bytes()
}

type repeatedReader byte

func repeated(b byte) io.Reader { return repeatedReader(b) }

func (r repeatedReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// refuseImport posts the zip and checks it is refused with want in the
// page, and that nothing of it was written.
func (e *editor) refuseImport(z *packageZip, want string) {
	e.t.Helper()
	media, files := count(e.t, "SELECT count(*) FROM media"), storedFiles(e.t, e.srv)
	body := requireStatus(e.t, e.postFile("/admin/content/import", nil, "file", z.slug+".zip", z.bytes()), http.StatusUnprocessableEntity)
	if !strings.Contains(body, want) {
		_, summary, _ := strings.Cut(body, "nhsuk-error-summary")
		e.t.Errorf("the refusal does not say %q:\n%.1500s", want, summary)
	}
	if n := count(e.t, "SELECT count(*) FROM programmes WHERE slug = ?", z.slug); n != 0 {
		e.t.Error("the refused programme was written")
	}
	if got := count(e.t, "SELECT count(*) FROM media"); got != media {
		e.t.Errorf("the refused import left %d media rows", got-media)
	}
	if got := storedFiles(e.t, e.srv); got != files {
		e.t.Errorf("the refused import left %d files in the media store", got-files)
	}
}

func TestAZipBombIsRefusedNamingTheFileAndTheLimit(t *testing.T) {
	e := newEditor(t)
	z := newPackageZip(t, "bomb")
	z.addLesson("01-start/02-bomb.md", 50<<20)
	if size := len(z.bytes()); size > 200<<10 {
		t.Fatalf("the bomb is %d bytes; it should be small", size)
	}
	e.refuseImport(z, z.slug+"/01-start/02-bomb.md is 50 MB; a lesson can be at most 200 KB")
}

func TestALessonOverTheLimitIsRefusedWhetherTheFileOrTheTextIsTooBig(t *testing.T) {
	e := newEditor(t)
	z := newPackageZip(t, "hugefile")
	z.addLesson("01-start/02-washing-hands.md", 2100<<10)
	e.refuseImport(z, z.slug+"/01-start/02-washing-hands.md is 2.1 MB; a lesson can be at most 200 KB")

	// Within the room a file has for front matter, the lesson text itself
	// is still held to the limit the editor's page uses.
	z = newPackageZip(t, "hugetext")
	z.addLesson("01-start/02-washing-hands.md", 230<<10+len("---\ntitle: Big\nminutes: 5\n---\n"))
	e.refuseImport(z, z.slug+"/start/washing-hands: the lesson is 230 KB; it can be at most 200 KB")

	// The same for short text: a summary is characters, not bytes.
	z = newPackageZip(t, "longsummary")
	z.add("01-start/02-long.md", "---\ntitle: "+strings.Repeat("é", 121)+"\nminutes: 3\n---\nText.\n")
	e.refuseImport(z, z.slug+"/start/long: the title is 121 characters; it can be at most 120 characters")
}

func TestAZipWithTooManyFilesIsRefused(t *testing.T) {
	e := newEditor(t)
	z := newPackageZip(t, "many")
	for i := range 1000 {
		z.add(fmt.Sprintf("01-start/notes/%04d.txt", i), "x")
	}
	e.refuseImport(z, "the zip holds 1,003 files; a programme can have at most 1,000")
}

func TestAZipWhoseRecordLiesAboutASizeIsRefused(t *testing.T) {
	e := newEditor(t)
	z := newPackageZip(t, "liar")
	big := bytes.Repeat([]byte("a"), 5<<20)
	copy(big, "---\ntitle: Liar\nminutes: 5\n---\n")
	z.addLying("01-start/02-liar.md", big, 1000)
	e.refuseImport(z, z.slug+"/01-start/02-liar.md could not be unpacked: it does not match what the zip records about it")

	// A media file is streamed to the store when the import writes it:
	// the lie is found there, and the rows and objects written so far go.
	z = newPackageZip(t, "liarmedia")
	z.add("01-start/02-picture.md", "---\ntitle: Picture\nminutes: 3\nmedia:\n  - file: porter.png\n    alt: A porter\n---\nLook.\n")
	png := append(pngBytes(t), make([]byte, 1<<20)...)
	z.addLying("01-start/media/porter.png", png, uint64(len(pngBytes(t))))
	e.refuseImport(z, "01-start/media/porter.png could not be unpacked")
}

func TestAZipWithMediaImportsWithTheMediaStreamedToTheStore(t *testing.T) {
	e := newEditor(t)
	z := newPackageZip(t, "withmedia")
	z.add("01-start/02-picture.md", "---\ntitle: Picture\nminutes: 3\nmedia:\n  - file: porter.png\n    alt: A porter\n---\nLook.\n")
	w, _ := z.zw.Create(z.slug + "/01-start/media/porter.png")
	_, _ = w.Write(pngBytes(t))
	resp := e.postFile("/admin/content/import", nil, "file", z.slug+".zip", z.bytes())
	requireStatus(t, resp, http.StatusSeeOther)
	if n := count(t, `SELECT count(*) FROM lesson_media lm JOIN media md ON md.id = lm.media_id
		JOIN lessons l ON l.id = lm.lesson_id JOIN modules m ON m.id = l.module_id JOIN programmes p ON p.id = m.programme_id
		WHERE p.slug = ? AND md.alt_text = 'A porter' AND md.size = ?`, z.slug, len(pngBytes(t))); n != 1 {
		t.Errorf("the imported lesson shows %d copies of its picture, want 1", n)
	}

	// Exporting it again carries the picture, read back from the store.
	id, _, _ := strings.Cut(strings.TrimPrefix(resp.Header.Get("Location"), "/admin/content/programmes/"), "?")
	out := []byte(requireStatus(t, e.c.Get("/admin/content/programmes/"+id+"/export"), http.StatusOK))
	zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := zr.Open(z.slug + "/01-start/media/porter.png")
	if err != nil {
		t.Fatalf("the export has no picture: %v", err)
	}
	defer f.Close()
	if got, _ := io.ReadAll(f); !bytes.Equal(got, pngBytes(t)) {
		t.Error("the exported picture differs from the imported one")
	}
}

func TestTheAuthoringPagesHoldToTheSameLimitsAsImport(t *testing.T) {
	e := newEditor(t)
	c := e.newCourse("caps")
	lesson := e.addLesson(c.moduleID, "Washing hands")
	e.saveLesson(lesson, "Washing hands", "Wash them.", false)

	form := url.Values{"title": {"Washing hands"}, "minutes": {"4"}, "body": {strings.Repeat("a", 201<<10)}, "action": {"save"}}
	body := requireStatus(t, e.c.PostForm("/admin/content/lessons/"+lesson, form), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "The lesson is 201 KB; it can be at most 200 KB.") || !strings.Contains(body, `id="body-error"`) {
		t.Error("a lesson over the limit is not refused beside its text")
	}
	if n := count(t, "SELECT count(*) FROM lessons WHERE id = ? AND body_md = 'Wash them.'", lesson); n != 1 {
		t.Error("the refused lesson text was saved")
	}

	form = url.Values{"title": {"Course " + c.slug}, "summary": {strings.Repeat("s", 2001)}, "intro": {strings.Repeat("i", 21<<10)}}
	body = requireStatus(t, e.c.PostForm("/admin/content/programmes/"+c.programmeID, form), http.StatusUnprocessableEntity)
	for _, want := range []string{"The summary is 2,001 characters; it can be at most 2,000 characters.", `id="summary-error"`,
		"The introduction is 21 KB; it can be at most 20 KB.", `id="intro-error"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the programme page does not show %q", want)
		}
	}

	form = url.Values{"title": {"Your first week"}, "overview": {strings.Repeat("o", 21<<10)}}
	body = requireStatus(t, e.c.PostForm("/admin/content/modules/"+c.moduleID, form), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "The overview is 21 KB; it can be at most 20 KB.") || !strings.Contains(body, `id="overview-error"`) {
		t.Error("a module overview over the limit is not refused beside it")
	}

	var options strings.Builder
	for i := range 11 {
		fmt.Fprintf(&options, "      - text: Option %d\n        correct: %t\n        feedback: Why.\n", i, i == 0)
	}
	check := "title: Too many\npass_mark: 80\nquestions:\n  - text: Which?\n    kind: single\n    options:\n" + options.String()
	body = requireStatus(t, e.c.PostForm("/admin/content/modules/"+c.moduleID+"/check", url.Values{"yaml": {check}, "action": {"save"}}),
		http.StatusUnprocessableEntity)
	if !strings.Contains(body, "Question 1 has 11 options; a question can have at most 10.") {
		t.Error("a check question with too many options is not refused")
	}
}

package mediatest

import (
	"bytes"
	"encoding/binary"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"onramp/app"
	"onramp/app/config"
	"onramp/app/testenv"
)

const (
	admin   = "admin@example.org"
	editor  = "editor@example.org"
	learner = "learner@example.org"
)

func TestAnAdminsPictureReachesLearnersThroughAShortLivedSignedURL(t *testing.T) {
	srv, m, bucket := s3Server(t)
	pic := pngBytes(t, 64, 48)
	const alt = "A gradient from dark blue to pink"

	got := mustUpload(t, srv.SignIn(t, admin), "gradient.png", pic, alt)
	if got.ID == "" || got.ContentType != "image/png" || got.Size != int64(len(pic)) {
		t.Fatalf("upload answered %+v, want an id, image/png and %d bytes", got, len(pic))
	}

	key := mediaKey(t, got.ID)
	info, err := minioClient(t, m).StatObject(contextFor(t), bucket, key, minio.StatObjectOptions{})
	if err != nil {
		t.Fatalf("the upload is not in MinIO under %s: %v", key, err)
	}
	if info.Size != int64(len(pic)) || info.ContentType != "image/png" {
		t.Errorf("MinIO holds %d bytes of %s, want %d of image/png", info.Size, info.ContentType, len(pic))
	}

	l := mustCreateLesson(t, true)
	attach(t, l.ID, got.ID)
	amira := srv.SignIn(t, learner).NoRedirects()

	resp := amira.Get("/media/" + got.ID)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("learner GET /media/%s: %d, want 302 to a signed URL", got.ID, resp.StatusCode)
	}
	signed, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if signed.Host != m.Endpoint || !strings.Contains(signed.Path, bucket) {
		t.Errorf("signed URL %s does not point at bucket %s on MinIO %s", signed, bucket, m.Endpoint)
	}
	q := signed.Query()
	if q.Get("X-Amz-Signature") == "" {
		t.Errorf("URL %s is not signed", signed)
	}
	if exp, err := strconv.Atoi(q.Get("X-Amz-Expires")); err != nil || exp <= 0 || exp > 300 {
		t.Errorf("signed URL lives %q seconds, want at most 300", q.Get("X-Amz-Expires"))
	}

	fetched, err := http.Get(signed.String())
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, fetched.Body)
	if fetched.StatusCode != http.StatusOK || !bytes.Equal(body, pic) {
		t.Errorf("fetching the signed URL: %d, %d bytes; want 200 and the %d uploaded bytes", fetched.StatusCode, len(body), len(pic))
	}
	if ct := fetched.Header.Get("Content-Type"); ct != "image/png" {
		t.Errorf("the store serves the picture as %q, want image/png", ct)
	}

	l.start(t, amira)
	status, html := page(t, amira, l.URL())
	want := `<img src="/media/` + got.ID + `" alt="` + alt + `"`
	if status != http.StatusOK || !strings.Contains(html, want) {
		t.Errorf("lesson page (%d) does not show the picture as %s", status, want)
	}
	if strings.Contains(html, "Media unavailable") {
		t.Error("lesson page says media is unavailable while MinIO is running")
	}
}

func TestOnlyEditorsUploadAndLearnersReadOnlyMediaInPublishedLessons(t *testing.T) {
	srv, _, _ := s3Server(t)
	pic := pngBytes(t, 8, 8)
	amira := srv.SignIn(t, learner).NoRedirects()

	t.Run("a learner cannot upload", func(t *testing.T) {
		before := mediaCount(t)
		decodeProblem(t, upload(t, amira, "mine.png", pic, "My picture"), http.StatusForbidden)
		if n := mediaCount(t); n != before {
			t.Errorf("a refused upload added %d media rows", n-before)
		}
	})

	t.Run("a content editor can upload", func(t *testing.T) {
		mustUpload(t, srv.SignIn(t, editor), "editor.png", pic, "A small square")
	})

	adminClient := srv.SignIn(t, admin)
	unattached := mustUpload(t, adminClient, "unattached.png", pic, "Not in any lesson")
	draft := mustUpload(t, adminClient, "draft.png", pic, "In a draft lesson")
	attach(t, mustCreateLesson(t, false).ID, draft.ID)

	for name, id := range map[string]string{
		"not in any lesson":             unattached.ID,
		"only in an unpublished lesson": draft.ID,
		"that does not exist":           "00000000-0000-4000-8000-000000000000",
		"with an id that is no uuid":    "not-a-uuid",
	} {
		t.Run("a learner gets 404 for media "+name, func(t *testing.T) {
			resp := amira.Get("/media/" + id)
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET /media/%s as a learner: %d, want 404", id, resp.StatusCode)
			}
		})
	}

	t.Run("an editor can read media in no lesson", func(t *testing.T) {
		resp := adminClient.NoRedirects().Get("/media/" + unattached.ID)
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Errorf("GET /media/%s as an admin: %d, want 302", unattached.ID, resp.StatusCode)
		}
	})

	t.Run("someone signed out is sent to sign in", func(t *testing.T) {
		resp := srv.NewClient(t).NoRedirects().Get("/media/" + unattached.ID)
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusSeeOther || loc == nil || loc.Path != "/auth/login" ||
			loc.Query().Get("return_to") != "/media/"+unattached.ID {
			t.Errorf("anonymous GET /media/%s: %d to %q, want 303 to /auth/login?return_to=/media/%[1]s",
				unattached.ID, resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

// windowsExe is the start of a Windows PE executable: the MZ header
// pointing at a PE signature and a COFF header.
func windowsExe() []byte {
	b := make([]byte, 1024)
	copy(b, "MZ")
	binary.LittleEndian.PutUint32(b[0x3c:], 0x80)
	copy(b[0x80:], "PE\x00\x00")
	binary.LittleEndian.PutUint16(b[0x84:], 0x8664) // x86-64
	return b
}

// linuxExe is the start of a 64-bit Linux ELF executable.
func linuxExe() []byte {
	b := make([]byte, 1024)
	copy(b, "\x7fELF\x02\x01\x01")
	binary.LittleEndian.PutUint16(b[16:], 2)    // ET_EXEC
	binary.LittleEndian.PutUint16(b[18:], 0x3e) // x86-64
	return b
}

func TestUploadsOfForbiddenTypesOrPicturesWithoutAltTextLeaveNothingBehind(t *testing.T) {
	srv, m, bucket := s3Server(t)
	c := srv.SignIn(t, admin)
	svg := []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>`)

	for _, tc := range []struct {
		name, filename, alt, field, message string
		body                                []byte
	}{
		{"a Windows program named as a picture", "photo.png", "A photo", "file", "type of file", windowsExe()},
		{"a Linux program named as a picture", "photo.png", "A photo", "file", "type of file", linuxExe()},
		{"an SVG, which can carry script", "diagram.svg", "A diagram", "file", "type of file", svg},
		{"a picture without alt text", "photo.png", "", "alt", "alt text", pngBytes(t, 16, 16)},
		{"a picture with blank alt text", "photo.png", "   ", "alt", "alt text", pngBytes(t, 16, 16)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := mediaCount(t)
			p := decodeProblem(t, upload(t, c, tc.filename, tc.body, tc.alt), http.StatusUnprocessableEntity)
			if len(p.Errors) != 1 || p.Errors[0].Field != tc.field || !strings.Contains(p.Errors[0].Message, tc.message) {
				t.Errorf("errors %+v, want one on %q mentioning %q", p.Errors, tc.field, tc.message)
			}
			if n := mediaCount(t); n != before {
				t.Errorf("a refused upload added %d media rows", n-before)
			}
			if keys := bucketKeys(t, m, bucket); len(keys) > 0 {
				t.Errorf("a refused upload left objects in the bucket: %v", keys)
			}
		})
	}
}

func TestAnOversizedUploadIsRefusedAndNothingIsStored(t *testing.T) {
	srv, m, bucket := s3Server(t, func(cfg *config.Config, _ *app.Options) { cfg.MaxFileMB = 1 })
	c := srv.SignIn(t, admin)
	pdf := append([]byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"), bytes.Repeat([]byte("0123456789abcdef\n"), 3<<20/17)...)
	before := mediaCount(t)

	p := decodeProblem(t, upload(t, c, "handbook.pdf", pdf, ""), http.StatusRequestEntityTooLarge)
	if !strings.Contains(p.Detail, "1 MB") {
		t.Errorf("413 detail %q does not give the 1 MB limit", p.Detail)
	}
	if n := mediaCount(t); n != before {
		t.Errorf("an oversized upload added %d media rows", n-before)
	}
	if keys := bucketKeys(t, m, bucket); len(keys) > 0 {
		t.Errorf("an oversized upload left objects in the bucket: %v", keys)
	}

	small := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 100<<10)...)
	if got := mustUpload(t, c, "leaflet.pdf", small, ""); got.ContentType != "application/pdf" {
		t.Errorf("a PDF under the limit was stored as %q", got.ContentType)
	}
}

func TestTheDiskStoreServesByteRanges(t *testing.T) {
	srv := testenv.NewServer(t) // file:// storage in a temporary directory
	c := srv.SignIn(t, admin)
	pic := pngBytes(t, 32, 32)
	got := mustUpload(t, c, "square.png", pic, "A square")

	req := c.Request(http.MethodGet, "/media/"+got.ID, nil)
	req.Header.Set("Range", "bytes=0-9")
	resp := c.Do(req)
	body := readAll(t, resp.Body)
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, pic[:10]) {
		t.Fatalf("GET with Range: bytes=0-9: %d with %d bytes %q, want 206 with %q", resp.StatusCode, len(body), body, pic[:10])
	}
	if cr := resp.Header.Get("Content-Range"); cr != "bytes 0-9/"+strconv.Itoa(len(pic)) {
		t.Errorf("Content-Range %q, want bytes 0-9/%d", cr, len(pic))
	}
	if ct := resp.Header.Get("Content-Type"); ct != "image/png" {
		t.Errorf("Content-Type %q, want image/png", ct)
	}
}

func TestARepeatedUploadWithTheSameIdempotencyKeyStoresOneFile(t *testing.T) {
	srv, m, bucket := s3Server(t)
	c := srv.SignIn(t, editor)
	pic := pngBytes(t, 20, 20)
	key := "upload-" + unique()
	before := mediaCount(t)

	send := func() *http.Response {
		req := uploadRequest(t, c, "retry.png", pic, "Sent twice")
		req.Header.Set("Idempotency-Key", key)
		return c.Do(req)
	}
	firstResp := send()
	first := decodeCreated(t, firstResp)
	if firstResp.Header.Get("Idempotent-Replayed") != "" {
		t.Error("the first upload says it was replayed")
	}
	againResp := send()
	again := decodeCreated(t, againResp)
	if again.ID != first.ID {
		t.Errorf("the replay answered id %s, want the first upload's %s", again.ID, first.ID)
	}
	if againResp.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the replay has Idempotent-Replayed %q, want true", againResp.Header.Get("Idempotent-Replayed"))
	}
	if n := mediaCount(t); n != before+1 {
		t.Errorf("two uploads with one key added %d media rows, want 1", n-before)
	}
	if keys := bucketKeys(t, m, bucket); !slices.Equal(keys, []string{mediaKey(t, first.ID)}) {
		t.Errorf("bucket holds %v, want only the first upload's object", keys)
	}
}

func TestLessonsStayReadableWhileMediaStorageIsDown(t *testing.T) {
	srv, m, _ := s3Server(t)
	adminClient := srv.SignIn(t, admin)
	amira := srv.SignIn(t, learner)
	l := mustCreateLesson(t, true)
	attach(t, l.ID, mustUpload(t, adminClient, "chart.png", pngBytes(t, 24, 24), "A bar chart").ID)
	l.start(t, amira)

	if status, html := page(t, amira, l.URL()); status != http.StatusOK || !strings.Contains(html, l.Body) || strings.Contains(html, "Media unavailable") {
		t.Fatalf("before MinIO stops the lesson answers %d, shows the lesson %v and the notice %v",
			status, strings.Contains(html, l.Body), strings.Contains(html, "Media unavailable"))
	}

	m.Stop()
	stopped := true
	t.Cleanup(func() {
		if stopped {
			if err := m.Start(); err != nil {
				t.Errorf("restarting MinIO: %v", err)
			}
		}
	})

	var status int
	var html string
	if !eventually(5*time.Second, func() bool {
		status, html = page(t, amira, l.URL())
		return strings.Contains(html, "Media unavailable")
	}) {
		t.Fatalf("5 s after MinIO stopped the lesson page (%d) still does not say media is unavailable", status)
	}
	if status != http.StatusOK || !strings.Contains(html, l.Body) || !strings.Contains(html, "Mark as complete and continue") {
		t.Errorf("with MinIO down the lesson answers %d, with its text: %v, with its button: %v; want 200 with both",
			status, strings.Contains(html, l.Body), strings.Contains(html, "Mark as complete and continue"))
	}

	start := time.Now()
	resp := upload(t, adminClient, "later.png", pngBytes(t, 8, 8), "Sent while storage is down")
	p := decodeProblem(t, resp, http.StatusServiceUnavailable)
	if ra := resp.Header.Get("Retry-After"); ra == "" {
		t.Error("503 without Retry-After")
	}
	if !strings.Contains(p.Detail, "Try again") {
		t.Errorf("503 detail %q does not tell the editor to try again", p.Detail)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the upload took %s to fail; it should fail fast", d)
	}

	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	stopped = false
	if !eventually(5*time.Second, func() bool {
		status, html = page(t, amira, l.URL())
		return status == http.StatusOK && !strings.Contains(html, "Media unavailable")
	}) {
		t.Errorf("5 s after MinIO restarted the lesson page (%d) still says media is unavailable", status)
	}
}

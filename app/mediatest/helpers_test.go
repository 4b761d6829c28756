package mediatest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"onramp/app"
	"onramp/app/config"
	"onramp/app/testenv"
)

// seq makes names unique within the package's run; the nanosecond
// clock makes them unique across runs sharing a MinIO data directory.
var seq atomic.Int64

// unique returns a lower-case token safe in slugs and bucket names.
func unique() string {
	return fmt.Sprintf("%d-%d", time.Now().UnixNano()%1e12, seq.Add(1))
}

// s3Server starts Onramp keeping media in a bucket of its own on the
// package's MinIO, and returns it with the MinIO server and the bucket.
func s3Server(t *testing.T, opts ...testenv.Option) (*testenv.Server, *testenv.MinIOServer, string) {
	t.Helper()
	m := testenv.MinIO(t)
	bucket := "media-" + unique()
	s3 := func(cfg *config.Config, _ *app.Options) {
		cfg.StorageURL = m.StorageURL(bucket)
		cfg.S3AccessKey, cfg.S3SecretKey = m.AccessKey, m.SecretKey
	}
	return testenv.NewServer(t, append([]testenv.Option{s3}, opts...)...), m, bucket
}

// minioClient talks to MinIO with the same keys the server uses.
func minioClient(t *testing.T, m *testenv.MinIOServer) *minio.Client {
	t.Helper()
	c, err := minio.New(m.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(m.AccessKey, m.SecretKey, ""), Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// bucketKeys lists every object in bucket; a bucket not created yet is
// empty.
func bucketKeys(t *testing.T, m *testenv.MinIOServer, bucket string) []string {
	t.Helper()
	ctx := testenv.WithTimeout(t, 30*time.Second)
	var keys []string
	for obj := range minioClient(t, m).ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
		if obj.Err != nil {
			if minio.ToErrorResponse(obj.Err).Code == "NoSuchBucket" {
				return nil
			}
			t.Fatalf("listing bucket %s: %v", bucket, obj.Err)
		}
		keys = append(keys, obj.Key)
	}
	return keys
}

// uploaded is the answer to a successful POST /api/v1/media.
type uploaded struct {
	ID          string `json:"id"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Kind        string `json:"kind"`
	URL         string `json:"url"`
}

// problem is an API error body (RFC 9457 problem details).
type problem struct {
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// uploadRequest builds POST /api/v1/media with multipart fields file and
// alt (left out when empty), carrying the client's CSRF header.
func uploadRequest(t *testing.T, c *testenv.Client, filename string, body []byte, alt string) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if alt != "" {
		if err := w.WriteField("alt", alt); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := w.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	req := c.Request(http.MethodPost, "/api/v1/media", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	return req
}

// upload sends a file and returns the response; the caller closes it.
func upload(t *testing.T, c *testenv.Client, filename string, body []byte, alt string) *http.Response {
	t.Helper()
	return c.Do(uploadRequest(t, c, filename, body, alt))
}

// mustUpload sends a file and requires 201 Created.
func mustUpload(t *testing.T, c *testenv.Client, filename string, body []byte, alt string) uploaded {
	t.Helper()
	return decodeCreated(t, upload(t, c, filename, body, alt))
}

// decodeCreated requires resp to be 201 Created and decodes its body.
func decodeCreated(t *testing.T, resp *http.Response) uploaded {
	t.Helper()
	body := testenv.Body(t, resp)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s, want 201", resp.StatusCode, body)
	}
	var u uploaded
	if err := json.Unmarshal([]byte(body), &u); err != nil {
		t.Fatalf("upload answer %q: %v", body, err)
	}
	return u
}

// decodeProblem requires resp to have status and decodes its problem body.
func decodeProblem(t *testing.T, resp *http.Response, status int) problem {
	t.Helper()
	body := testenv.Body(t, resp)
	if resp.StatusCode != status {
		t.Fatalf("got %d %s, want %d", resp.StatusCode, body, status)
	}
	var p problem
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("problem body %q: %v", body, err)
	}
	return p
}

// pngBytes encodes a real PNG picture, w by h pixels.
func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{R: uint8(x * 255 / w), G: uint8(y * 255 / h), B: 160, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// mediaCount is how many media rows there are.
func mediaCount(t *testing.T) int {
	t.Helper()
	var n int
	if err := testenv.DB(t).Gorm.Raw("SELECT count(*) FROM media").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// mediaKey is the storage key of a media row.
func mediaKey(t *testing.T, id string) string {
	t.Helper()
	var key string
	if err := testenv.DB(t).Gorm.Raw("SELECT key FROM media WHERE id = ?", id).Scan(&key).Error; err != nil || key == "" {
		t.Fatalf("media %s has no row: %v", id, err)
	}
	return key
}

// lesson is a lesson made for one test.
type lesson struct {
	ID, Slug, Body string
}

// URL is the learner's address of the lesson.
func (l lesson) URL() string { return "/learn/" + l.Slug + "/lessons/" + l.ID }

// mustCreateLesson makes a published programme, open for anyone to start,
// with one published module holding one lesson, published or not, with a
// unique sentence as its body.
func mustCreateLesson(t *testing.T, published bool) lesson {
	t.Helper()
	g := testenv.DB(t).Gorm
	u := unique()
	l := lesson{Slug: "media-test-" + u, Body: "Unique lesson text " + u + "."}
	var programmeID, moduleID string
	if err := g.Raw(`INSERT INTO programmes (slug, title, summary, published, open_enrolment)
		VALUES (?, ?, 'Made by a media test', true, true) RETURNING id`,
		l.Slug, "Media test "+u).Scan(&programmeID).Error; err != nil {
		t.Fatal(err)
	}
	if err := g.Raw(`INSERT INTO modules (programme_id, slug, title, position, published) VALUES (?, 'pictures', 'Pictures', 1, true) RETURNING id`,
		programmeID).Scan(&moduleID).Error; err != nil {
		t.Fatal(err)
	}
	if err := g.Raw(`INSERT INTO lessons (module_id, slug, title, body_md, position, published) VALUES (?, 'a-picture', 'A picture', ?, 1, ?) RETURNING id`,
		moduleID, l.Body, published).Scan(&l.ID).Error; err != nil {
		t.Fatal(err)
	}
	return l
}

// start puts the signed-in learner c on the lesson's programme, as its
// "Start this programme" button does: only learners on a programme read
// its lessons.
func (l lesson) start(t *testing.T, c *testenv.Client) {
	t.Helper()
	resp := c.PostForm("/learn/"+l.Slug+"/start", url.Values{})
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		t.Fatalf("starting %s: %d", l.Slug, resp.StatusCode)
	}
}

// attach shows media in a lesson, as the authoring screens would.
func attach(t *testing.T, lessonID, mediaID string) {
	t.Helper()
	if err := testenv.DB(t).Gorm.Exec(`INSERT INTO lesson_media (lesson_id, media_id, position)
		VALUES (?, ?, (SELECT coalesce(max(position), 0) + 1 FROM lesson_media WHERE lesson_id = ?))`,
		lessonID, mediaID, lessonID).Error; err != nil {
		t.Fatal(err)
	}
}

// page gets path as c and returns the status and body.
func page(t *testing.T, c *testenv.Client, path string) (int, string) {
	t.Helper()
	resp := c.Get(path)
	return resp.StatusCode, testenv.Body(t, resp)
}

// readAll reads and closes r.
func readAll(t *testing.T, r io.ReadCloser) []byte {
	t.Helper()
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// eventually polls cond every 100 ms for up to d and reports whether it
// came true.
func eventually(d time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(d); ; time.Sleep(100 * time.Millisecond) {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// contextFor is a 30 s context for one call to MinIO.
func contextFor(t *testing.T) context.Context { return testenv.WithTimeout(t, 30*time.Second) }

package mediatest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"onramp/app"
	"onramp/app/config"
	"onramp/app/storage"
	"onramp/app/testenv"
)

// stallingReader gives the first n bytes, then waits for go before giving
// the rest: an upload caught mid-way.
type stallingReader struct {
	r      io.Reader
	n      int
	resume chan struct{}
}

func (s *stallingReader) Read(p []byte) (int, error) {
	if s.n <= 0 {
		<-s.resume
		return s.r.Read(p)
	}
	if len(p) > s.n {
		p = p[:s.n]
	}
	k, err := s.r.Read(p)
	s.n -= k
	return k, err
}

// incompleteUploads lists bucket's incomplete multipart uploads.
func incompleteUploads(t *testing.T, m *testenv.MinIOServer, bucket string) []string {
	t.Helper()
	var keys []string
	for u := range minioClient(t, m).ListIncompleteUploads(testenv.WithTimeout(t, 30*time.Second), bucket, "", true) {
		if u.Err != nil {
			t.Fatalf("listing incomplete uploads: %v", u.Err)
		}
		keys = append(keys, u.Key)
	}
	return keys
}

// hasIncomplete reports whether MinIO holds an incomplete upload under
// key. It lists by key: MinIO forgets, when restarted, the incomplete
// uploads it lists bucket-wide, though they are still there.
func hasIncomplete(t *testing.T, m *testenv.MinIOServer, bucket, key string) bool {
	t.Helper()
	found := false
	for u := range minioClient(t, m).ListIncompleteUploads(testenv.WithTimeout(t, 30*time.Second), bucket, key, false) {
		if u.Err != nil {
			t.Fatalf("listing incomplete uploads: %v", u.Err)
		}
		found = found || u.Key == key
	}
	return found
}

// TestAnUploadCutShortByAMinIOKillIsSweptAway: MinIO dies while an upload
// is half sent, so the app cannot abort it; the media store is marked
// down by that failed call at once (checks here run only hourly), and
// once MinIO is back the storage sweep leaves no incomplete multipart
// upload behind.
func TestAnUploadCutShortByAMinIOKillIsSweptAway(t *testing.T) {
	srv, m, bucket := s3Server(t, func(_ *config.Config, o *app.Options) { o.MediaCheckInterval = time.Hour })
	t.Cleanup(func() { _ = m.Start() }) // whatever happens, later tests get MinIO back
	media := srv.App.Media
	body := &stallingReader{r: bytes.NewReader(bytes.Repeat([]byte("v"), 12<<20)), n: 6 << 20, resume: make(chan struct{})}
	failed := make(chan error, 1)
	key := storage.NewKey(time.Now())
	go func() {
		_, err := media.Put(context.Background(), key, body, -1, "video/mp4", 50<<20)
		failed <- err
	}()
	if !eventually(30*time.Second, func() bool { return len(incompleteUploads(t, m, bucket)) > 0 }) {
		close(body.resume)
		t.Fatal("the upload's first part never reached MinIO")
	}
	m.Stop()
	close(body.resume)
	if err := <-failed; !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("the upload with MinIO killed: %v, want unavailable", err)
	}
	if media.OK() {
		t.Error("the failed upload did not mark the media store down")
	}
	rec := httptest.NewRecorder()
	srv.App.Metrics.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if !strings.Contains(rec.Body.String(), "onramp_storage_up 0") {
		t.Error("/metrics does not say the media store is down")
	}

	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	if !hasIncomplete(t, m, bucket, key) {
		t.Fatal("after the kill MinIO holds no incomplete upload under the key cut short (the premise of this test)")
	}
	// Run the sweep as the periodic job does, with a cutoff past the upload.
	n, err := media.SweepIncomplete(testenv.WithTimeout(t, 30*time.Second), time.Now().Add(time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("sweeping: removed %d, %v; want 1", n, err)
	}
	if hasIncomplete(t, m, bucket, key) || len(incompleteUploads(t, m, bucket)) > 0 {
		t.Error("after the sweep MinIO still holds an incomplete upload")
	}
	if keys := bucketKeys(t, m, bucket); len(keys) != 0 {
		t.Errorf("the cut-short upload left objects %q", keys)
	}
}

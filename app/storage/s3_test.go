package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"onramp/app/storage"
	"onramp/app/testenv"
)

func TestSignedURLLetsABrowserFetchTheObjectUntilItExpires(t *testing.T) {
	t.Run("disk cannot sign", func(t *testing.T) {
		st := newDisk(t)
		u, err := st.SignedURL(context.Background(), "media/x", time.Minute, "x.png")
		if u != "" || err != nil {
			t.Errorf("SignedURL = %q, %v; want \"\", nil so the caller streams", u, err)
		}
	})
	t.Run("s3", func(t *testing.T) {
		st := newS3(t)
		ctx := timeout(t, time.Minute)
		body := pngBytes(t)
		key := storage.NewKey(time.Now())
		if _, err := st.Put(ctx, key, bytes.NewReader(body), int64(len(body)), "image/png", 1<<20); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SignedURL(ctx, key, 6*time.Minute, "x.png"); err == nil {
			t.Error("a signed URL living longer than MaxSignedURLTTL was made")
		}
		if _, err := st.SignedURL(ctx, storage.NewKey(time.Now()), time.Minute, "x.png"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("signing a missing key: %v, want ErrNotFound", err)
		}

		// The signature dates to whole seconds: sign at the start of one so
		// a 1s lifetime really leaves about a second to fetch in.
		time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
		u, err := st.SignedURL(ctx, key, time.Second, `C:\Users\me\Lesson 1 – diagram.png`)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !bytes.Equal(got, body) {
			t.Fatalf("GET signed URL within its lifetime: %d, %d bytes", resp.StatusCode, len(got))
		}
		if ct := resp.Header.Get("Content-Type"); ct != "image/png" {
			t.Errorf("Content-Type = %q, want image/png", ct)
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "inline;") || !strings.Contains(cd, "diagram.png") || strings.Contains(cd, "Users") {
			t.Errorf("Content-Disposition = %q, want inline with the base file name", cd)
		}

		time.Sleep(2 * time.Second)
		resp, err = http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET signed URL after expiry: %d, want 403", resp.StatusCode)
		}
	})
}

func TestSignedURLPointsBrowsersAtThePublicURL(t *testing.T) {
	s := testenv.MinIO(t)
	_, port, _ := strings.Cut(s.Endpoint, ":")
	public := "http://localhost:" + port // the same server under the name browsers use
	st, err := storage.Open(s.StorageURL(uniqueBucket(t))+"&public_url="+public, s.AccessKey, s.SecretKey)
	if err != nil {
		t.Fatal(err)
	}
	ctx := timeout(t, time.Minute)
	key := storage.NewKey(time.Now())
	if _, err := st.Put(ctx, key, strings.NewReader("WEBVTT\n"), 7, "text/vtt", 100); err != nil {
		t.Fatal(err)
	}
	u, err := st.SignedURL(ctx, key, time.Minute, "captions.vtt")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u, public+"/") {
		t.Fatalf("signed URL %q does not point at %s", u, public)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(b) != "WEBVTT\n" || resp.Header.Get("Content-Type") != "text/vtt" {
		t.Errorf("GET %s: %d %q %q", u, resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
}

func TestS3BucketIsPrivate(t *testing.T) {
	s := testenv.MinIO(t)
	st := newS3(t)
	key := storage.NewKey(time.Now())
	if _, err := st.Put(timeout(t, time.Minute), key, strings.NewReader("%PDF-1.7"), 8, "application/pdf", 100); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + s.Endpoint + "/" + st.(*storage.S3).Bucket() + "/" + key)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("anonymous GET of a stored object: %d, want 403", resp.StatusCode)
	}
}

func TestS3ReportsUnavailableQuicklyWhileTheServerIsDownAndRecovers(t *testing.T) {
	s := testenv.MinIO(t)
	st := newS3(t)
	fresh := newS3(t) // its bucket has never been created
	ctx := timeout(t, time.Minute)
	key := storage.NewKey(time.Now())
	if _, err := st.Put(ctx, key, strings.NewReader("WEBVTT\n"), 7, "text/vtt", 100); err != nil {
		t.Fatal(err)
	}

	s.Stop()
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			if err := s.Start(); err != nil {
				t.Errorf("restarting MinIO: %v", err)
			}
		}
	})

	calls := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Put", func(ctx context.Context) error {
			_, err := st.Put(ctx, storage.NewKey(time.Now()), strings.NewReader("x"), 1, "", 10)
			return err
		}},
		{"Put of unknown size", func(ctx context.Context) error {
			_, err := st.Put(ctx, storage.NewKey(time.Now()), strings.NewReader("x"), -1, "", 10)
			return err
		}},
		{"Put to a bucket not yet created", func(ctx context.Context) error {
			_, err := fresh.Put(ctx, storage.NewKey(time.Now()), strings.NewReader("x"), 1, "", 10)
			return err
		}},
		{"Open", func(ctx context.Context) error {
			_, _, err := st.Open(ctx, key)
			return err
		}},
		{"Ping", func(ctx context.Context) error { return st.Ping(ctx) }},
		{"Delete", func(ctx context.Context) error { return st.Delete(ctx, key) }},
		{"SignedURL", func(ctx context.Context) error {
			_, err := st.SignedURL(ctx, key, time.Minute, "a.vtt")
			return err
		}},
	}
	for _, c := range calls {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		start := time.Now()
		err := c.call(ctx)
		took := time.Since(start)
		cancel()
		t.Logf("%s: %v (after %s)", c.name, err, took.Round(time.Millisecond))
		if !errors.Is(err, storage.ErrUnavailable) {
			t.Errorf("%s with MinIO down = %v, want ErrUnavailable", c.name, err)
		}
		if took > 5*time.Second {
			t.Errorf("%s took %s to give up; callers would hang", c.name, took.Round(time.Millisecond))
		}
	}

	restarted = true
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	r, obj, err := st.Open(ctx, key)
	if err != nil {
		t.Fatalf("Open after MinIO came back: %v", err)
	}
	defer r.Close()
	if b, err := io.ReadAll(r); err != nil || string(b) != "WEBVTT\n" || obj.ContentType != "text/vtt" {
		t.Errorf("after restart read %q (%s), %v", b, obj.ContentType, err)
	}
}

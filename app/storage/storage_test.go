package storage_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"onramp/app/storage"
	"onramp/app/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// backend is one Store implementation under test, with a way to prove
// that nothing at all is stored under a key.
type backend struct {
	name    string
	open    func(t *testing.T) storage.Store
	nothing func(t *testing.T, st storage.Store, key string)
}

func backends() []backend {
	return []backend{
		{name: "disk", open: newDisk, nothing: nothingOnDisk},
		{name: "s3", open: newS3, nothing: nothingInBucket},
	}
}

func newDisk(t *testing.T) storage.Store {
	t.Helper()
	st, err := storage.Open("file://"+t.TempDir(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	return st
}

var bucketSeq atomic.Int64

// uniqueBucket names a fresh bucket after the test, so a failing test's
// leftovers are easy to recognise.
func uniqueBucket(t *testing.T) string {
	t.Helper()
	slug := regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(t.Name()), "-")
	if len(slug) > 40 {
		slug = slug[:40]
	}
	return strings.Trim(slug, "-") + "-" + time.Now().Format("150405") + "-" + strconv.FormatInt(bucketSeq.Add(1), 10)
}

func newS3(t *testing.T) storage.Store {
	t.Helper()
	s := testenv.MinIO(t)
	st, err := storage.Open(s.StorageURL(uniqueBucket(t)), s.AccessKey, s.SecretKey)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// minioClient is a plain client for checking what the store left behind.
func minioClient(t *testing.T) *minio.Client {
	t.Helper()
	s := testenv.MinIO(t)
	c, err := minio.New(s.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""), Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// nothingOnDisk fails unless the store's directory holds no files at all:
// no object, no sidecar, no temporary file.
func nothingOnDisk(t *testing.T, st storage.Store, key string) {
	t.Helper()
	root := st.(*storage.Disk).Root()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("file left behind after the failed put of %q: %s", key, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// nothingInBucket fails unless key has neither an object nor an
// incomplete multipart upload (whose parts would use space forever).
func nothingInBucket(t *testing.T, st storage.Store, key string) {
	t.Helper()
	ctx := context.Background()
	c := minioClient(t)
	bucket := st.(*storage.S3).Bucket()
	_, err := c.StatObject(ctx, bucket, key, minio.StatObjectOptions{})
	code := minio.ToErrorResponse(err).Code
	if code == "NoSuchBucket" {
		return // refused before the bucket was even needed
	}
	if code != "NoSuchKey" {
		t.Errorf("StatObject after the failed put: %v (code %q), want NoSuchKey", err, code)
	}
	for _, prefix := range []string{"", key} {
		for up := range c.ListIncompleteUploads(ctx, bucket, prefix, true) {
			if up.Err != nil {
				t.Fatal(up.Err)
			}
			t.Errorf("incomplete multipart upload left behind: %s (%s)", up.Key, up.UploadID)
		}
	}
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// onlyReader hides bytes.Reader's Seek and ReadAt, as a request body would.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func timeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestPutThenOpenReturnsTheSameBytesTypeAndRanges(t *testing.T) {
	for _, b := range backends() {
		for _, declared := range []bool{true, false} {
			name := b.name + "/size-unknown"
			if declared {
				name = b.name + "/size-declared"
			}
			t.Run(name, func(t *testing.T) {
				st := b.open(t)
				ctx := timeout(t, time.Minute)
				data := randomBytes(t, 300<<10)
				size := int64(-1)
				if declared {
					size = int64(len(data))
				}
				key := storage.NewKey(time.Now())
				put, err := st.Put(ctx, key, onlyReader{bytes.NewReader(data)}, size, "video/mp4", 1<<20)
				if err != nil {
					t.Fatal(err)
				}
				if put.Key != key || put.Size != int64(len(data)) || put.ContentType != "video/mp4" || put.ModTime.IsZero() {
					t.Errorf("Put returned %+v", put)
				}

				r, obj, err := st.Open(ctx, key)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				if obj.Size != int64(len(data)) || obj.ContentType != "video/mp4" || obj.ModTime.IsZero() {
					t.Errorf("Open described %+v", obj)
				}
				got, err := io.ReadAll(r)
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("read %d bytes (%v), want the %d put", len(got), err, len(data))
				}
				if _, err := r.Seek(1000, io.SeekStart); err != nil {
					t.Fatal(err)
				}
				part := make([]byte, 500)
				if _, err := io.ReadFull(r, part); err != nil || !bytes.Equal(part, data[1000:1500]) {
					t.Errorf("after Seek(1000) read the wrong bytes (%v)", err)
				}
				if _, err := r.Seek(-100, io.SeekEnd); err != nil {
					t.Fatal(err)
				}
				if tail, err := io.ReadAll(r); err != nil || !bytes.Equal(tail, data[len(data)-100:]) {
					t.Errorf("after Seek(-100, end) read %d bytes (%v), want the last 100", len(tail), err)
				}

				// What the media handler will do: serve a browser's Range request.
				req := httptest.NewRequest(http.MethodGet, "/media/x", nil)
				req.Header.Set("Range", "bytes=10-19")
				rec := httptest.NewRecorder()
				http.ServeContent(rec, req, "", obj.ModTime, r)
				if rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), data[10:20]) ||
					rec.Header().Get("Content-Range") != "bytes 10-19/307200" {
					t.Errorf("Range request: %d %q %q", rec.Code, rec.Header().Get("Content-Range"), rec.Body.Bytes())
				}
			})
		}
	}
}

func TestPutOverTheLimitFailsWithTooLargeAndStoresNothing(t *testing.T) {
	const max = 6 << 20
	body := make([]byte, 12<<20) // over max, and over 5 MiB parts so S3 goes multipart
	cases := []struct {
		name string
		size int64
		want error
	}{
		{"size unknown", -1, storage.ErrTooLarge},
		{"size declared", int64(len(body)), storage.ErrTooLarge},
		{"declared size understates the body", max, storage.ErrTooLarge},
		{"declared size overstates the body", int64(len(body)) + 1, storage.ErrTooLarge},
	}
	for _, b := range backends() {
		for _, c := range cases {
			t.Run(b.name+"/"+c.name, func(t *testing.T) {
				st := b.open(t)
				key := storage.NewKey(time.Now())
				_, err := st.Put(timeout(t, time.Minute), key, onlyReader{bytes.NewReader(body)}, c.size, "video/mp4", max)
				if !errors.Is(err, c.want) {
					t.Fatalf("Put = %v, want %v", err, c.want)
				}
				b.nothing(t, st, key)
				if _, _, err := st.Open(context.Background(), key); !errors.Is(err, storage.ErrNotFound) {
					t.Errorf("Open after the failed put = %v, want ErrNotFound", err)
				}
			})
		}
	}
}

func TestPutAcceptsExactlyMaxBytesAndRejectsOneMore(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			st := b.open(t)
			ctx := timeout(t, time.Minute)
			if _, err := st.Put(ctx, "media/exact", bytes.NewReader(make([]byte, 1000)), -1, "", 1000); err != nil {
				t.Fatalf("a body of exactly max bytes: %v", err)
			}
			key := "media/one-more"
			if _, err := st.Put(ctx, key, bytes.NewReader(make([]byte, 1001)), -1, "", 1000); !errors.Is(err, storage.ErrTooLarge) {
				t.Fatalf("a body one byte over max: %v, want ErrTooLarge", err)
			}
			if _, _, err := st.Open(ctx, key); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("Open after the failed put = %v, want ErrNotFound", err)
			}
			_, obj, err := st.Open(ctx, "media/exact")
			if err != nil || obj.ContentType != "application/octet-stream" || obj.Size != 1000 {
				t.Errorf("Open(exact) = %+v, %v", obj, err)
			}
		})
	}
}

func TestPutWithAWrongDeclaredSizeFailsAndStoresNothing(t *testing.T) {
	for _, b := range backends() {
		for _, size := range []int64{999, 1001} {
			t.Run(b.name+"/"+strconv.FormatInt(size, 10), func(t *testing.T) {
				st := b.open(t)
				key := storage.NewKey(time.Now())
				_, err := st.Put(timeout(t, time.Minute), key, onlyReader{bytes.NewReader(make([]byte, 1000))}, size, "", 1<<20)
				if !errors.Is(err, storage.ErrSizeMismatch) {
					t.Fatalf("declared %d for 1000 bytes: %v, want ErrSizeMismatch", size, err)
				}
				b.nothing(t, st, key)
			})
		}
	}
}

func TestDeleteRemovesTheObjectAndMissingKeysAreNotFound(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			st := b.open(t)
			ctx := timeout(t, time.Minute)
			key := storage.NewKey(time.Now())
			if _, _, err := st.Open(ctx, key); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("Open(never stored) = %v, want ErrNotFound", err)
			}
			if _, err := st.Put(ctx, key, strings.NewReader("WEBVTT\n"), 7, "text/vtt", 100); err != nil {
				t.Fatal(err)
			}
			if err := st.Delete(ctx, key); err != nil {
				t.Fatal(err)
			}
			if _, _, err := st.Open(ctx, key); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("Open(deleted) = %v, want ErrNotFound", err)
			}
			if err := st.Delete(ctx, key); err != nil {
				t.Errorf("deleting a missing key: %v, want nil", err)
			}
			if err := st.Ping(ctx); err != nil {
				t.Errorf("Ping: %v", err)
			}
		})
	}
}

func TestStoresRefuseKeysTheServerCouldNotHaveMade(t *testing.T) {
	bad := []string{"", "../escape", "media/../../etc/passwd", "/etc/passwd", "media//x", "media/.hidden",
		"media/x/..", "media/./x", `media\x`, "media/x y", "media/\x00", "media/x/"}
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			st := b.open(t)
			ctx := timeout(t, time.Minute)
			for _, key := range bad {
				if _, err := st.Put(ctx, key, strings.NewReader("x"), 1, "", 10); !errors.Is(err, storage.ErrInvalidKey) {
					t.Errorf("Put(%q) = %v, want ErrInvalidKey", key, err)
				}
				if _, _, err := st.Open(ctx, key); !errors.Is(err, storage.ErrInvalidKey) {
					t.Errorf("Open(%q) = %v, want ErrInvalidKey", key, err)
				}
				if err := st.Delete(ctx, key); !errors.Is(err, storage.ErrInvalidKey) {
					t.Errorf("Delete(%q) = %v, want ErrInvalidKey", key, err)
				}
			}
			if d, ok := st.(*storage.Disk); ok {
				if _, err := os.Stat(filepath.Join(filepath.Dir(d.Root()), "escape")); err == nil {
					t.Error("a key with .. wrote outside the root")
				}
			}
		})
	}
}

func TestNewKeyIsUniqueAndShaped(t *testing.T) {
	now := time.Date(2026, 11, 3, 23, 30, 0, 0, time.FixedZone("X", 3*3600))
	shape := regexp.MustCompile(`^media/2026/11/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		k := storage.NewKey(now)
		if !shape.MatchString(k) {
			t.Fatalf("NewKey = %q, want media/2026/11/<uuid v4> (the UTC month)", k)
		}
		if seen[k] {
			t.Fatalf("NewKey repeated %q", k)
		}
		seen[k] = true
		if err := storage.CheckKey(k); err != nil {
			t.Fatalf("NewKey made a key CheckKey refuses: %v", err)
		}
	}
}

func TestDiskStoreResolvesRelativePathsAgainstTheWorkingDirectory(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	st, err := storage.Open("file://var/media", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Put(context.Background(), "media/2026/11/a", strings.NewReader("%PDF-1.7"), 8, "application/pdf", 100); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "var", "media", "media", "2026", "11", "a")); err != nil || string(b) != "%PDF-1.7" {
		t.Errorf("file at the key path under ./var/media: %q, %v", b, err)
	}
}

func TestOpenRefusesBadStorageURLs(t *testing.T) {
	cases := map[string]string{
		"ftp://x": "",
		"file://": "",
		"s3://Bad_Bucket?endpoint=127.0.0.1:9000": "k",
		"s3://media":                               "k",
		"s3://media?endpoint=h:1&secure=maybe":     "k",
		"s3://media?endpoint=h:1&regoin=eu-west-2": "k",
		"s3://media/sub?endpoint=h:1":              "k",
		"s3://media?endpoint=h:1&public_url=x":     "k",
		"s3://media?endpoint=h:1":                  "", // no keys
	}
	for raw, key := range cases {
		if _, err := storage.Open(raw, key, key); err == nil {
			t.Errorf("Open(%q) succeeded", raw)
		}
	}
}

package auth

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"testing"
	"testing/iotest"
)

// upload is a multipart request carrying one file, with the boundary a
// client chose.
func upload(t *testing.T, boundary, content string) *http.Request {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if err := w.SetBoundary(boundary); err != nil {
		t.Fatal(err)
	}
	part, _ := w.CreateFormFile("file", "cv.pdf")
	part.Write([]byte(content))
	w.WriteField("alt", "My CV")
	w.Close()
	r, _ := http.NewRequest(http.MethodPost, "/api/v1/media", iotest.OneByteReader(&body))
	r.Header.Set("Content-Type", w.FormDataContentType())
	return r
}

func hashOf(r *http.Request) []byte {
	b := newHashingBody(r)
	io.CopyN(io.Discard, b, 7) // part read by the handler, part by sum
	return b.sum()
}

// The same upload sent twice (each with a boundary of its own) hashes the
// same, so a retry with its Idempotency-Key is a replay, while a different
// file under the same key is refused.
func TestAnUploadHashesTheSameWhateverItsBoundary(t *testing.T) {
	first := hashOf(upload(t, "a1b2c3d4e5", "%PDF-1.4 my cv"))
	if again := hashOf(upload(t, "zz99yy88xx77", "%PDF-1.4 my cv")); !bytes.Equal(first, again) {
		t.Error("the same upload with another boundary hashes differently")
	}
	if other := hashOf(upload(t, "a1b2c3d4e5", "%PDF-1.4 another cv")); bytes.Equal(first, other) {
		t.Error("a different file hashes the same")
	}
}

package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"onramp/app"
	"onramp/app/config"
	"onramp/app/testenv"
)

// pngBytes is a PNG signature and header followed by padding to n bytes:
// enough for the type to be sniffed as image/png.
func pngBytes(n int) []byte {
	b := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"), make([]byte, n)...)
	return b[:n]
}

type sentFile struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Attachment struct {
		ID          string `json:"id"`
		URL         string `json:"url"`
		ContentType string `json:"content_type"`
	} `json:"attachment"`
}

// sendFile uploads data as a message's file and returns the status and
// answer.
func sendFile(t *testing.T, c *testenv.Client, mentorshipID, body, name string, data []byte) (int, sentFile) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("mentorship", mentorshipID)
	_ = w.WriteField("body", body)
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = w.Close()
	req := c.Request(http.MethodPost, "/api/v1/attachments", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp := c.Do(req)
	defer resp.Body.Close()
	var out sentFile
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestMessageFilesAreSniffedCappedHeldWithTheirMessageAndShownOnlyToThePair
// keeps files in a bucket of their own on the real MinIO: a picture is
// delivered with its message and read by a one-minute signed link by the
// two people and a lead only; a file of the wrong type or over the limit
// is refused before anything is stored; a file whose message is held is
// hidden from the other person until a lead releases it.
func TestMessageFilesAreSniffedCappedHeldWithTheirMessageAndShownOnlyToThePair(t *testing.T) {
	m := testenv.MinIO(t)
	bucket := fmt.Sprintf("attachments-%d", time.Now().UnixNano()%1e12)
	srv := testenv.NewServer(t, func(cfg *config.Config, _ *app.Options) {
		cfg.StorageURL = m.StorageURL(bucket)
		cfg.S3AccessKey, cfg.S3SecretKey = m.AccessKey, m.SecretKey
		cfg.DevLoadUsers, cfg.MaxFileMB = 4, 1
	})
	learner, mentor := srv.SignIn(t, app.LoadUserEmail(2)), srv.SignIn(t, app.LoadUserEmail(3))
	g := testenv.DB(t).Gorm
	var id string
	err := g.Raw(`INSERT INTO mentorships (learner_id, mentor_id, organisation_id, status, proposed_at, approved_at, starts_on, ends_on)
		SELECT l.id, m.id, (SELECT organisation_id FROM mentorships WHERE id = ?), 'active', now(), now(), current_date,
		       (current_date + interval '6 months')::date
		FROM users l, users m WHERE l.email = ? AND m.email = ? RETURNING id`, demoMentorship(t), app.LoadUserEmail(2), app.LoadUserEmail(3)).Scan(&id).Error
	if err != nil || id == "" {
		t.Fatalf("making an active mentorship: %v", err)
	}
	objects := func() int {
		c, err := minio.New(m.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(m.AccessKey, m.SecretKey, ""), Region: "us-east-1"})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for obj := range c.ListObjects(context.Background(), bucket, minio.ListObjectsOptions{Recursive: true}) {
			if obj.Err != nil {
				if minio.ToErrorResponse(obj.Err).Code == "NoSuchBucket" {
					return 0
				}
				t.Fatal(obj.Err)
			}
			n++
		}
		return n
	}
	// status fetches a file without following the redirect, and the bytes
	// behind the signed link when there is one.
	fetch := func(c *testenv.Client, path string) (int, []byte) {
		resp := c.NoRedirects().Get(path)
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			return resp.StatusCode, nil
		}
		signed, err := http.Get(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		defer signed.Body.Close()
		b, _ := io.ReadAll(signed.Body)
		return resp.StatusCode, b
	}

	picture := pngBytes(2000)
	status, ok := sendFile(t, learner, id, "Here is my certificate", "C:\\photos\\certificate.png", picture)
	if status != http.StatusCreated || ok.Status != "delivered" || ok.Attachment.ContentType != "image/png" || ok.Attachment.URL == "" {
		t.Fatalf("sending a picture: %d %+v", status, ok)
	}
	if code, b := fetch(mentor, ok.Attachment.URL); code != http.StatusFound || !bytes.Equal(b, picture) {
		t.Errorf("the mentor reading the picture: %d, %d bytes; want a signed link to the same bytes", code, len(b))
	}
	for who, c := range map[string]*testenv.Client{"another learner": srv.SignIn(t, "learner@example.org"),
		"another mentor": srv.SignIn(t, "mentor@example.org")} {
		if code, _ := fetch(c, ok.Attachment.URL); code != http.StatusNotFound {
			t.Errorf("%s reading the picture: %d, want 404", who, code)
		}
	}
	if code, _ := fetch(srv.SignIn(t, "manager@example.org"), ok.Attachment.URL); code != http.StatusForbidden {
		t.Errorf("a manager reading the picture: %d, want 403", code)
	}
	lead := srv.SignIn(t, "safeguarding@example.org")
	if code, _ := fetch(lead, ok.Attachment.URL); code != http.StatusFound {
		t.Errorf("a lead reading the picture: %d, want the signed link", code)
	}
	stored := objects()

	// Refused before storing: the wrong type whatever its name, and too large.
	if status, _ := sendFile(t, learner, id, "", "page.png", []byte("<html><script>alert(1)</script></html>")); status != http.StatusUnprocessableEntity {
		t.Errorf("sending HTML named .png: %d, want 422", status)
	}
	if status, _ := sendFile(t, learner, id, "", "huge.png", pngBytes(1<<20+10)); status != http.StatusRequestEntityTooLarge {
		t.Errorf("sending a file over 1 MB: %d, want 413", status)
	}
	if got := objects(); got != stored {
		t.Errorf("refused files were stored: %d objects, want %d", got, stored)
	}

	// A file whose message is held is held with it: the sender and a lead
	// see it, the other person does not until a lead releases it.
	status, held := sendFile(t, learner, id, "my number is 07700 900123", "cv.pdf", []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"))
	if status != http.StatusCreated || held.Status != "held" || held.Attachment.ContentType != "application/pdf" {
		t.Fatalf("sending a PDF with a phone number: %d %+v", status, held)
	}
	if code, _ := fetch(mentor, held.Attachment.URL); code != http.StatusNotFound {
		t.Errorf("the mentor reading a held message's file: %d, want 404", code)
	}
	var doc struct {
		Messages []struct {
			ID          string `json:"id"`
			Attachments []struct{ ID string }
		} `json:"messages"`
	}
	mentor.JSON("/api/v1/mentorships/"+id+"/messages", &doc)
	if len(doc.Messages) != 1 || len(doc.Messages[0].Attachments) != 1 || doc.Messages[0].Attachments[0].ID != ok.Attachment.ID {
		t.Errorf("the mentor's thread: %+v; want only the delivered picture", doc.Messages)
	}
	for who, c := range map[string]*testenv.Client{"sender": learner, "lead": lead} {
		if code, _ := fetch(c, held.Attachment.URL); code != http.StatusFound {
			t.Errorf("the %s reading a held message's file: %d, want the signed link", who, code)
		}
	}
	if got := auditActions(t, held.ID); !strings.Contains(got, "message.attachment_sent") || !strings.Contains(got, "message.attachment_viewed") {
		t.Errorf("audit of the held message: %q", got)
	}
	if status, _ := postMessage(t, lead, "/api/v1/moderation/messages/"+held.ID+"/release", map[string]string{"reason": "A CV for the placement"}, ""); status != http.StatusOK {
		t.Fatalf("releasing: %d", status)
	}
	if code, _ := fetch(mentor, held.Attachment.URL); code != http.StatusFound {
		t.Errorf("the mentor reading the released file: %d, want the signed link", code)
	}
}

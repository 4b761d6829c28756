package app_test

import (
	"bytes"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"onramp/app"
	"onramp/app/config"
	"onramp/app/testenv"
)

// postThreadForm sends the thread page's form as a browser does without
// JavaScript: multipart, with the CSRF token as a field and an optional
// file. It returns the response, redirects not followed.
func postThreadForm(t *testing.T, c *testenv.Client, mentorshipID, body, name string, data []byte) *http.Response {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("_csrf", c.CSRF)
	_ = w.WriteField("body", body)
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = w.Close()
	req := c.Request(http.MethodPost, "/mentoring/mentorships/"+mentorshipID+"/messages", &buf)
	req.Header.Del("X-CSRF-Token")
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.Do(req)
}

// TestMessageFileSentThroughTheThreadFormIsListedAndReadOnlyByThePair sends a
// picture through the thread page's form (no JavaScript) on the demo
// mentorship: the mentor's page lists it with its type and size and a
// thumbnail named for it, and they can read it, a stranger cannot; a
// file of the wrong type or too large is refused beside the field with
// the typed message kept.
func TestMessageFileSentThroughTheThreadFormIsListedAndReadOnlyByThePair(t *testing.T) {
	m := testenv.MinIO(t)
	srv := testenv.NewServer(t, func(cfg *config.Config, _ *app.Options) {
		cfg.StorageURL = m.StorageURL("thread-files")
		cfg.S3AccessKey, cfg.S3SecretKey = m.AccessKey, m.SecretKey
		cfg.DevLoadUsers, cfg.MaxFileMB = 1, 1
		// Below the picture's size: the form's path must take large bodies.
		cfg.BodyLimit = "2K"
	})
	id := demoMentorship(t)
	learner, mentor := srv.SignIn(t, "learner@example.org"), srv.SignIn(t, "mentor@example.org")
	learner.NoRedirects()

	page := testenv.Body(t, learner.Get("/mentoring/mentorships/"+id+"/messages"))
	for _, want := range []string{`enctype="multipart/form-data"`, `name="file" type="file"`, "A photo or PDF, up to 1 MB"} {
		if !strings.Contains(page, want) {
			t.Errorf("the learner's thread page lacks %q", want)
		}
	}

	name := "certificate-" + time.Now().Format("150405.000000") + ".png"
	picture := pngBytes(3000)
	resp := postThreadForm(t, learner, id, "Here is my certificate", name, picture)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "sent=delivered") {
		t.Fatalf("sending a picture through the form: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}

	page = testenv.Body(t, mentor.Get("/mentoring/mentorships/"+id+"/messages"))
	link := regexp.MustCompile(`<a href="(/mentoring/attachments/[0-9a-f-]{36})"><img class="app-message__thumb" src="/mentoring/attachments/[0-9a-f-]{36}" alt="` +
		regexp.QuoteMeta(name) + `"[^>]*> ` + regexp.QuoteMeta(name) + `</a> <span class="nhsuk-body-s">\(PNG image, 3 KB\)</span>`).FindStringSubmatch(page)
	if link == nil {
		t.Fatalf("the mentor's thread page does not list %s with a thumbnail, type and size:\n%s", name, page)
	}
	fetch := func(c *testenv.Client) (int, []byte) {
		resp := c.NoRedirects().Get(link[1])
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
	if code, b := fetch(mentor); code != http.StatusFound || !bytes.Equal(b, picture) {
		t.Errorf("the mentor reading the picture: %d, %d bytes; want the same bytes", code, len(b))
	}
	if code, _ := fetch(srv.SignIn(t, app.LoadUserEmail(0))); code != http.StatusNotFound {
		t.Errorf("a stranger reading the picture: %d, want 404", code)
	}

	// A lead sees the files on a held message's review page and in the
	// printed history; the held message is released after.
	lead := srv.SignIn(t, "safeguarding@example.org")
	heldBody := "call me on 07700 900123 " + name
	resp = postThreadForm(t, learner, id, heldBody, "cv-"+name+".pdf", []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"))
	resp.Body.Close()
	if !strings.Contains(resp.Header.Get("Location"), "sent=held") {
		t.Fatalf("sending a PDF with a phone number: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	var heldID string
	testenv.DB(t).Gorm.Raw(`SELECT id FROM messages WHERE body = ?`, heldBody).Scan(&heldID)
	if review := testenv.Body(t, lead.Get("/safeguarding/messages/"+heldID)); !strings.Contains(review, "cv-"+name+".pdf</a> <span class=\"nhsuk-body-s\">(PDF, ") ||
		!strings.Contains(review, name+"</a>") {
		t.Errorf("the lead's review page does not list the held PDF and the earlier picture:\n%s", review)
	}
	if history := testenv.Body(t, lead.Get("/safeguarding/mentorships/"+id+"/history")); !strings.Contains(history, "cv-"+name+".pdf</a>") {
		t.Error("the printed history does not list the held PDF")
	}
	if status, _ := postMessage(t, lead, "/api/v1/moderation/messages/"+heldID+"/release", map[string]string{"reason": "A test"}, ""); status != http.StatusOK {
		t.Fatalf("releasing: %d", status)
	}

	// Refused beside the field, the typed message kept.
	for _, c := range []struct {
		what, name string
		data       []byte
		status     int
		message    string
	}{
		{"HTML named .png", "page.png", []byte("<html><script>alert(1)</script></html>"), http.StatusUnprocessableEntity,
			"You can send a photo or picture (PNG or JPEG) or a PDF"},
		{"a picture over 1 MB", "huge.png", pngBytes(1<<20 + 10), http.StatusRequestEntityTooLarge,
			"The file is too large. The most you can send is 1 MB."},
	} {
		typed := "Please keep this text " + c.name
		resp := postThreadForm(t, learner, id, typed, c.name, c.data)
		page := testenv.Body(t, resp)
		if resp.StatusCode != c.status {
			t.Errorf("sending %s: %d, want %d", c.what, resp.StatusCode, c.status)
		}
		errText := regexp.MustCompile(`<span class="nhsuk-error-message" id="file-error"><span class="nhsuk-u-visually-hidden">Error: </span>([^<]*)</span>`).FindStringSubmatch(page)
		if errText == nil || html.UnescapeString(errText[1]) != c.message {
			t.Errorf("sending %s: no %q beside the file field:\n%s", c.what, c.message, page)
		}
		if !strings.Contains(page, `aria-describedby="file-hint file-error"`) || !strings.Contains(page, ">"+typed+"</textarea>") {
			t.Errorf("sending %s: the field is not marked or the typed message was lost", c.what)
		}
	}
	if strings.Contains(testenv.Body(t, mentor.Get("/mentoring/mentorships/"+id+"/messages")), "Please keep this text") {
		t.Error("a refused file's message was sent")
	}
}

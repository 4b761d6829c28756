package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"onramp/app"
	"onramp/app/config"
	"onramp/app/testenv"
)

// uploadRoute is a route that takes a multipart file, and who may use it.
type uploadRoute struct {
	path, allowed string
}

// uploadRoutes are every route that takes a file upload, with a demo
// person whose role may use it.
func uploadRoutes(t *testing.T) []uploadRoute {
	t.Helper()
	var lesson, cohort string
	g := testenv.DB(t).Gorm
	g.Raw(`SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id JOIN programmes p ON p.id = m.programme_id
		WHERE p.slug = 'get-started' ORDER BY m.position, l.position LIMIT 1`).Scan(&lesson)
	g.Raw(`SELECT c.id FROM cohorts c JOIN organisations o ON o.id = c.organisation_id
		WHERE o.name = 'Northfield NHS Foundation Trust' ORDER BY c.starts_on LIMIT 1`).Scan(&cohort)
	if lesson == "" || cohort == "" {
		t.Fatalf("demo data missing: lesson %q cohort %q", lesson, cohort)
	}
	return []uploadRoute{
		{"/api/v1/media", "editor@example.org"},
		{"/admin/media", "editor@example.org"},
		{"/admin/content/lessons/" + lesson + "/media", "editor@example.org"},
		{"/admin/content/import", "editor@example.org"},
		{"/manage/cohorts/" + cohort + "/import", "manager@example.org"},
		{"/api/v1/cohorts/" + cohort + "/imports", "manager@example.org"},
	}
}

// multipartBody is a form with a _csrf field (when token is not empty),
// an alt field and a file part of fileSize random bytes: big enough that
// parsing it spills to a temporary file.
func multipartBody(t *testing.T, token string, fileSize int) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if token != "" {
		w.WriteField("_csrf", token)
	}
	w.WriteField("alt", "A large file")
	f, err := w.CreateFormFile("file", "large.bin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(f, rand.Reader, int64(fileSize)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return b.Bytes(), w.FormDataContentType()
}

// leftovers lists what is in dir.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestNoUploadLeavesATemporaryFileWhateverItsOutcome(t *testing.T) {
	srv := testenv.NewServer(t)
	routes := uploadRoutes(t)
	anonymous, learner := srv.NewClient(t).NoRedirects(), srv.SignIn(t, "learner@example.org").NoRedirects()
	allowed := map[string]*testenv.Client{}
	for _, r := range routes {
		if allowed[r.allowed] == nil {
			allowed[r.allowed] = srv.SignIn(t, r.allowed).NoRedirects()
		}
	}
	// os.TempDir reads TMPDIR on every call, so from here on the
	// server's multipart parsing spills into tmp, and only it does.
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)

	const fileSize = 40 << 20 // above the 32 MB and 8 MB held in memory
	type attempt struct {
		who    string
		c      *testenv.Client
		token  string // the _csrf form field; the header is never sent
		status []int  // acceptable statuses; nil: anything but a 5xx
	}
	for _, r := range routes {
		right := allowed[r.allowed]
		content := strings.HasPrefix(r.path, "/api/v1/media") || strings.HasPrefix(r.path, "/admin/")
		// The general body limit refuses the cohort imports from the
		// Content-Length alone, before anything else.
		refused := func(status int) []int {
			if content {
				return []int{status}
			}
			return []int{http.StatusRequestEntityTooLarge}
		}
		for _, a := range []attempt{
			{"anonymous", anonymous, "", refused(http.StatusUnauthorized)},
			{"learner", learner, learner.CSRF, refused(http.StatusForbidden)},
			{r.allowed + " with a wrong token", right, "not-the-token", refused(http.StatusForbidden)},
			{r.allowed, right, right.CSRF, nil},
		} {
			body, contentType := multipartBody(t, a.token, fileSize)
			req := a.c.Request(http.MethodPost, r.path, bytes.NewReader(body))
			req.Header.Del("X-CSRF-Token")
			req.Header.Set("Content-Type", contentType)
			resp := a.c.Do(req)
			testenv.Body(t, resp) // the request has ended once its response has
			switch {
			case a.status == nil && resp.StatusCode >= 500:
				t.Errorf("POST %s as %s: %d", r.path, a.who, resp.StatusCode)
			case a.status != nil && !containsInt(a.status, resp.StatusCode):
				t.Errorf("POST %s as %s: %d, want one of %v", r.path, a.who, resp.StatusCode, a.status)
			}
			if left := leftovers(t, tmp); len(left) > 0 {
				t.Errorf("POST %s as %s (%d) left temporary files: %v", r.path, a.who, resp.StatusCode, left)
				for _, name := range left {
					os.RemoveAll(tmp + "/" + name)
				}
			}
		}
	}
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// TestCallersWithoutTheRoleAreRefusedBeforeTheirUploadIsRead sends the
// start of a large upload and holds the rest back: a server that read the
// body before deciding would wait for it and never answer.
func TestCallersWithoutTheRoleAreRefusedBeforeTheirUploadIsRead(t *testing.T) {
	srv := testenv.NewServer(t)
	callers := map[string]*testenv.Client{
		"anonymous": srv.NewClient(t).NoRedirects(),
		"learner":   srv.SignIn(t, "learner@example.org").NoRedirects(),
	}
	start, contentType := multipartBody(t, "", 2<<20)
	start = start[:len(start)-100] // never the closing boundary
	for _, r := range uploadRoutes(t) {
		for who, c := range callers {
			want := http.StatusForbidden
			if who == "anonymous" {
				want = http.StatusUnauthorized
			}
			status, err := postHeldBack(c, r.path, contentType, start)
			if err != nil {
				t.Errorf("POST %s as %s: no answer while the body was held back (%v): the body is read before the caller is checked", r.path, who, err)
				continue
			}
			if status != want {
				t.Errorf("POST %s as %s: %d, want %d", r.path, who, status, want)
			}
		}
	}
}

// postHeldBack posts the first part of a body, chunked (so no body limit
// can refuse it from its length), and waits for the answer before sending
// more, which never comes. It gives up after 15 s.
func postHeldBack(c *testenv.Client, path, contentType string, part []byte) (int, error) {
	pr, pw := io.Pipe()
	defer pw.Close()
	go pw.Write(part) // ends with an error when the pipe is closed
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	// The client waits for the body to end before giving up, so end it.
	context.AfterFunc(ctx, func() { pw.CloseWithError(ctx.Err()) })
	req := c.Request(http.MethodPost, path, pr).WithContext(ctx)
	req.Header.Del("X-CSRF-Token") // a token would be in the body, so the body must be read to find it
	req.Header.Set("Content-Type", contentType)
	resp, err := c.Client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func TestACSRFTokenInTheAddressIsNotAccepted(t *testing.T) {
	srv := testenv.NewServer(t)
	c := srv.SignIn(t, "learner@example.org").NoRedirects()
	req := c.Request(http.MethodPost, "/auth/logout?_csrf="+url.QueryEscape(c.CSRF), strings.NewReader(""))
	req.Header.Del("X-CSRF-Token")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp := c.Do(req)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("sign-out with the token only in the query string: %d, want 403", resp.StatusCode)
	}
	resp = c.PostForm("/auth/logout", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("sign-out with the token in the form body: %d, want 303", resp.StatusCode)
	}
}

// tries sends n GETs to path, each claiming a different X-Forwarded-For
// (or the same one when same is set), and counts the 429s.
func tries(c *testenv.Client, path string, n int, same bool) (limited int, last int) {
	for i := range n {
		req := c.Request(http.MethodGet, path, nil)
		ip := fmt.Sprintf("203.0.113.%d", i%250+1)
		if same {
			ip = "203.0.113.1"
		}
		req.Header.Set("X-Forwarded-For", ip)
		req.Header.Set("X-Real-IP", ip)
		resp := c.Do(req)
		resp.Body.Close()
		if last = resp.StatusCode; last == http.StatusTooManyRequests {
			limited++
		}
	}
	return limited, last
}

func TestAForgedForwardedForDoesNotEscapeTheRateLimits(t *testing.T) {
	srv := testenv.NewServer(t, func(cfg *config.Config, _ *app.Options) { cfg.AuthRateLimit, cfg.AuthRateBurst = 0.01, 20 })
	for _, path := range []string{"/auth/login", "/verify/AAAA-BBBB-CCCC", "/join/AAAAAAAA"} {
		c := srv.NewClient(t).NoRedirects()
		limited, last := tries(c, path, 60, false)
		if last != http.StatusTooManyRequests || limited < 60-20-1 {
			t.Errorf("%s: %d of 60 quick tries from one client with forged addresses limited (last %d), want all after the burst of 20",
				path, limited, last)
		}
	}
	resp := srv.NewClient(t).Get("/verify/AAAA-BBBB-CCCC")
	body := testenv.Body(t, resp)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many tries") {
		t.Errorf("limited /verify: %d, want 429 saying there were too many tries", resp.StatusCode)
	}
}

func TestATrustedProxysForwardedForIsBelieved(t *testing.T) {
	srv := testenv.NewServer(t, func(cfg *config.Config, _ *app.Options) {
		cfg.AuthRateLimit, cfg.AuthRateBurst = 0.01, 3
		cfg.TrustedProxies = []string{"127.0.0.1/32", "::1"}
	})
	c := srv.NewClient(t).NoRedirects()
	if limited, _ := tries(c, "/auth/login", 10, false); limited != 0 {
		t.Errorf("10 sign-ins from 10 clients behind a trusted proxy: %d limited, want none", limited)
	}
	if _, last := tries(c, "/auth/login", 10, true); last != http.StatusTooManyRequests {
		t.Errorf("10 sign-ins from one client behind a trusted proxy: last %d, want 429", last)
	}
}

func TestUnreadableCharactersAreABadRequestNotAServerError(t *testing.T) {
	srv := testenv.NewServer(t)
	var check string
	testenv.DB(t).Gorm.Raw(`SELECT c.id FROM checks c JOIN modules m ON m.id = c.module_id JOIN programmes p ON p.id = m.programme_id
		WHERE p.slug = 'get-started' ORDER BY m.position LIMIT 1`).Scan(&check)
	clients := map[string]*testenv.Client{}
	as := func(email string) *testenv.Client {
		if clients[email] == nil {
			clients[email] = srv.SignIn(t, email).NoRedirects()
		}
		return clients[email]
	}
	editor := as("editor@example.org")
	withNUL, nulType := multipartField(t, editor.CSRF, "alt", "a\x00b")
	attempts := "/api/v1/quizzes/" + check + "/attempts"
	for _, tc := range []struct {
		name, email, method, path, contentType, body string
		want                                         int
	}{
		{"NUL in a query value", "manager@example.org", "GET", "/manage?programme=%00", "", "", 400},
		{"NUL in a search", "admin@example.org", "GET", "/admin/users?q=%00", "", "", 400},
		{"NUL in a query key", "learner@example.org", "GET", "/learn?%00=1", "", "", 400},
		{"NUL in the path", "learner@example.org", "GET", "/learn/%00", "", "", 400},
		{"invalid UTF-8 in a query value", "learner@example.org", "GET", "/learn?x=%ff", "", "", 400},
		{"invalid UTF-8 in the path", "learner@example.org", "GET", "/learn/%ff%fe", "", "", 400},
		{"NUL in an API query", "learner@example.org", "GET", "/api/v1/programmes?x=%00", "", "", 400},
		{"NUL in a form field", "manager@example.org", "POST", "/manage/cohorts", "application/x-www-form-urlencoded", "name=%00", 400},
		{"invalid UTF-8 in a form field", "learner@example.org", "POST", "/learn/news", "application/x-www-form-urlencoded", "x=%C3%28", 400},
		{"NUL in a multipart field", "editor@example.org", "POST", "/admin/media", nulType, withNUL, 400},
		{"NUL escaped in JSON", "learner@example.org", "POST", attempts, "application/json", `{"answers":{"q":["\u0000"]}}`, 400},
		{"invalid UTF-8 in JSON", "learner@example.org", "POST", attempts, "application/json", "{\"answers\":{\"q\":[\"\xff\"]}}", 400},
		{"an escaped backslash before u0000 in JSON", "learner@example.org", "POST", attempts, "application/json", `{"answers":{"q":["\\u0000"]}}`, 0},
		{"an ordinary page", "learner@example.org", "GET", "/learn?x=caf%C3%A9", "", "", 200},
	} {
		c := as(tc.email)
		req := c.Request(tc.method, tc.path, strings.NewReader(tc.body))
		if tc.contentType != "" {
			req.Header.Set("Content-Type", tc.contentType)
		}
		if strings.HasPrefix(tc.contentType, "multipart/") {
			req.Header.Del("X-CSRF-Token") // the token is in the body, so the edge reads the form
		}
		req.Header.Set("Accept", "text/html")
		resp := c.Do(req)
		body := testenv.Body(t, resp)
		if tc.want == 0 { // readable after all: the handler decides, but not with a server error
			if resp.StatusCode == 400 || resp.StatusCode >= 500 {
				t.Errorf("%s (%s %s): %d, want neither 400 nor a server error", tc.name, tc.method, tc.path, resp.StatusCode)
			}
			continue
		}
		if resp.StatusCode != tc.want {
			t.Errorf("%s (%s %s): %d, want %d", tc.name, tc.method, tc.path, resp.StatusCode, tc.want)
			continue
		}
		if tc.want != 400 {
			continue
		}
		api := strings.HasPrefix(tc.path, "/api/")
		if api && resp.Header.Get("Content-Type") != "application/problem+json" ||
			!api && !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%s: answered as %q", tc.name, resp.Header.Get("Content-Type"))
		}
		if !strings.Contains(body, "characters Onramp cannot read") {
			t.Errorf("%s: the answer does not say what was wrong: %.300s", tc.name, body)
		}
	}
}

// multipartField is a multipart form with _csrf and one more field.
func multipartField(t *testing.T, token, name, value string) (string, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("_csrf", token)
	w.WriteField(name, value)
	w.Close()
	return b.String(), w.FormDataContentType()
}

package app_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"onramp/app"
	"onramp/app/config"
	"onramp/app/testenv"
)

func TestPagesCarryStrictSecurityHeaders(t *testing.T) {
	srv := testenv.NewServer(t)
	c := srv.SignIn(t, "learner@example.org")
	resp := c.Get("/learn")
	body := testenv.Body(t, resp)
	h := resp.Header
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %s", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows unsafe sources: %q", csp)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
		t.Errorf("missing nosniff or Referrer-Policy: %v", h)
	}
	if h.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent on a plain-http base URL")
	}
	// The CSP is only honest if the pages need no inline script or style.
	if regexp.MustCompile(`<script>|<script [^>]*>[^<]|style=|<style`).MatchString(body) {
		t.Error("page has inline script or style, which the CSP blocks")
	}
}

func TestErrorsArePagesForBrowsersAndProblemDetailsUnderAPI(t *testing.T) {
	srv := testenv.NewServer(t)
	c := srv.NewClient(t)
	resp := c.Get("/no-such-page")
	body := testenv.Body(t, resp)
	if resp.StatusCode != 404 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "Page not found") {
		t.Errorf("browser 404: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp = c.Get("/api/v1/no-such-thing")
	var p struct {
		Type, Title string
		Status      int
	}
	err := json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/problem+json" || p.Status != 404 {
		t.Errorf("API 404: %d %q %+v %v", resp.StatusCode, resp.Header.Get("Content-Type"), p, err)
	}
	learner := srv.SignIn(t, "learner@example.org")
	resp = learner.Get("/manage")
	body = testenv.Body(t, resp)
	if resp.StatusCode != 403 || !strings.Contains(body, "You do not have access to this page") {
		t.Errorf("learner on /manage: %d", resp.StatusCode)
	}
}

func TestReadyzFollowsTheDatabaseWithoutARestart(t *testing.T) {
	p, viaProxy := testenv.DatabaseProxy(t)
	srv := testenv.NewServer(t, func(cfg *config.Config, _ *app.Options) { cfg.DatabaseURL = viaProxy })
	ready := func() int {
		resp := srv.NewClient(t).Get("/readyz")
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := ready(); got != 200 {
		t.Fatalf("/readyz with the database up: %d", got)
	}
	p.Cut()
	if got := ready(); got != 503 {
		t.Errorf("/readyz with the database unreachable: %d, want 503", got)
	}
	resp := srv.NewClient(t).Get("/healthz")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("/healthz must not depend on the database: %d", resp.StatusCode)
	}
	p.Restore()
	deadline := time.Now().Add(10 * time.Second)
	for ready() != 200 {
		if time.Now().After(deadline) {
			t.Fatal("/readyz did not recover within 10s of the database returning")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestOpenAPIDescribesEveryAPIRoute(t *testing.T) {
	srv := testenv.NewServer(t)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	srv.NewClient(t).JSON("/api/v1/openapi.json", &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi version %q, want 3.1.x", doc.OpenAPI)
	}
	routed := map[string]bool{}
	for _, key := range srv.App.Routes.Keys() {
		method, path, _ := strings.Cut(key, " ")
		if !strings.HasPrefix(path, "/api/v1/") {
			continue
		}
		// echo's :id is OpenAPI's {id}.
		p := regexp.MustCompile(`:(\w+)`).ReplaceAllString(strings.TrimPrefix(path, "/api/v1"), "{$1}")
		routed[strings.ToLower(method)+" "+p] = true
		if _, ok := doc.Paths[p][strings.ToLower(method)]; !ok {
			t.Errorf("%s is served but not in openapi.json", key)
		}
	}
	for p, ops := range doc.Paths {
		for m := range ops {
			if m == "parameters" || m == "summary" || m == "description" {
				continue // shared by the path's operations, not an operation
			}
			if !routed[m+" "+p] {
				t.Errorf("openapi.json describes %s %s, which is not served", m, p)
			}
		}
	}
}

func TestMetricsAreServedApartFromThePublicAddress(t *testing.T) {
	srv := testenv.NewServer(t)
	c := srv.NewClient(t)
	testenv.Body(t, c.Get("/healthz"))
	resp := c.Get("/metrics")
	testenv.Body(t, resp)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics on the public address: %d, want 404", resp.StatusCode)
	}
	metrics := httptest.NewServer(srv.App.Metrics)
	defer metrics.Close()
	resp, err := http.Get(metrics.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body := testenv.Body(t, resp)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") || !strings.Contains(body, `onramp_http_requests_total{method="GET",route="/healthz",status="200"}`) {
		t.Errorf("/metrics does not count requests by route: %.300s", body)
	}
}

func TestStaticFilesAreFingerprintedCachedAndCompressed(t *testing.T) {
	srv := testenv.NewServer(t)
	c := srv.NewClient(t)
	home := testenv.Body(t, c.Get("/"))
	css := regexp.MustCompile(`href="(/static/[0-9a-f]+/nhsuk/nhsuk.min.css)"`).FindStringSubmatch(home)
	if css == nil {
		t.Fatal("home page does not link the fingerprinted NHS.UK stylesheet")
	}
	req := c.Request(http.MethodGet, css[1], nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp := c.Do(req)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || resp.Header.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("stylesheet: %d %q %q", resp.StatusCode, resp.Header.Get("Cache-Control"), resp.Header.Get("Content-Type"))
	}
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Error("stylesheet not compressed for a client that accepts gzip")
	}
	resp = c.Get("/static/0000/nhsuk/nhsuk.min.css")
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("stale fingerprint should be served without the long cache: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
}

func TestSignInRoutesAreRateLimited(t *testing.T) {
	srv := testenv.NewServer(t, func(cfg *config.Config, _ *app.Options) { cfg.AuthRateLimit, cfg.AuthRateBurst = 0.01, 3 })
	c := srv.NewClient(t).NoRedirects()
	var last int
	for range 5 {
		resp := c.Get("/auth/login")
		resp.Body.Close()
		last = resp.StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("6th quick sign-in attempt: %d, want 429", last)
	}
	resp := c.Get("/healthz")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("rate limit spilled outside /auth: /healthz %d", resp.StatusCode)
	}
}

func TestOversizedBodiesAreRefused(t *testing.T) {
	srv := testenv.NewServer(t)
	c := srv.SignIn(t, "admin@example.org")
	req := c.Request(http.MethodPost, "/auth/logout", strings.NewReader("_csrf="+c.CSRF+"&pad="+strings.Repeat("x", 2<<20)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp := c.Do(req)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MB form: %d, want 413", resp.StatusCode)
	}
}

func TestReadyzWaitsUntilPeopleCanSignIn(t *testing.T) {
	srv := testenv.NewServer(t, func(cfg *config.Config, _ *app.Options) {
		cfg.DevIdP = false
		cfg.OIDCIssuerURL = "http://127.0.0.1:1/no-provider-here"
	})
	resp := srv.NewClient(t).Get("/readyz")
	body := testenv.Body(t, resp)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "identity provider") {
		t.Errorf("/readyz before the identity provider is found: %d %q, want 503 naming the provider", resp.StatusCode, body)
	}
	resp = srv.NewClient(t).Get("/healthz")
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz must not wait for the identity provider: %d", resp.StatusCode)
	}
}

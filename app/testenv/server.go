package testenv

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"onramp/app"
	"onramp/app/config"
	"onramp/app/db"
)

// Server is a running Onramp, built exactly as `onramp dev` builds it
// (dev identity provider at /dev/idp), on a loopback port.
type Server struct {
	URL string
	App *app.App
}

// Option adjusts a test server's configuration or options before it is
// built.
type Option func(*config.Config, *app.Options)

// NewServer starts Onramp over the package database and waits until it
// has discovered its identity provider. It stops when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg := config.Config{
		Mode: config.ModeDev, DatabaseURL: DatabaseURL(t), DBMaxConns: 10, Addr: ln.Addr().String(), BaseURL: base,
		OIDCRolesClaim: "roles", StorageURL: "file://" + t.TempDir(),
		SessionIdleTimeout: 30 * time.Minute, SessionAbsoluteTimeout: 12 * time.Hour,
		ShutdownTimeout: 5 * time.Second, AuthRateLimit: 1000, AuthRateBurst: 1000, BodyLimit: "1M",
		MaxVideoMB: 200, MaxFileMB: 20,
		ReportMinPeople: 20,
	}
	cfg.ApplyDevDefaults()
	o := app.Options{DiscoveryRetryMin: 20 * time.Millisecond, DiscoveryRetryMax: 200 * time.Millisecond,
		MediaCheckInterval: 200 * time.Millisecond, JobPollInterval: 100 * time.Millisecond, JobsTestOnly: true}
	for _, opt := range opts {
		opt(&cfg, &o)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	d := DB(t)
	if cfg.DatabaseURL != DatabaseURL(t) {
		d, err = db.OpenWith(context.Background(), cfg.DatabaseURL, db.Options{MaxConns: cfg.DBMaxConns,
			AcquireTimeout: cfg.DBAcquireTimeout, StatementTimeout: cfg.DBStatementTimeout})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(d.Close)
	}
	a, err := app.New(cfg, d, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SeedDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := a.Identity.AdoptDemoAccounts(context.Background(), cfg.OIDCIssuerURL); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(a.Echo)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	ctx, cancel := context.WithCancel(context.Background())
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Close()
		stopCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		_ = a.Stop(stopCtx)
		cancel()
	})
	s := &Server{URL: base, App: a}
	if cfg.DevIdP {
		s.WaitForProvider(t)
	}
	return s
}

// WaitForProvider waits up to 10 s for identity provider discovery.
func (s *Server) WaitForProvider(t testing.TB) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if s.App.Auth.Ready() {
			return
		}
	}
	t.Fatal("identity provider was not discovered within 10s")
}

// Client is a browser-like HTTP client with its own cookie jar.
type Client struct {
	*http.Client
	Base string
	CSRF string // the session's token once signed in
	t    testing.TB
}

// NewClient returns an anonymous client that follows redirects.
func (s *Server) NewClient(t testing.TB) *Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &Client{Client: &http.Client{Jar: jar, Timeout: 30 * time.Second}, Base: s.URL, t: t}
}

// SignIn signs in as email through the real OpenID Connect flow (the dev
// provider honours login_hint) and returns the signed-in client, with its
// CSRF token read from /api/v1/me.
func (s *Server) SignIn(t testing.TB, email string) *Client {
	t.Helper()
	c := s.NewClient(t)
	resp := c.Get("/auth/login?login_hint=" + url.QueryEscape(email))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("signing in as %s ended with %d at %s", email, resp.StatusCode, resp.Request.URL)
	}
	var me struct {
		CSRFToken string `json:"csrf_token"`
	}
	c.JSON("/api/v1/me", &me)
	c.CSRF = me.CSRFToken
	return c
}

// Get fetches path (relative to the server) and fails the test on a
// transport error. The caller closes the body.
func (c *Client) Get(path string) *http.Response {
	c.t.Helper()
	return c.Do(c.Request(http.MethodGet, path, nil))
}

// Request builds a request for path with the client's CSRF header set.
func (c *Client) Request(method, path string, body io.Reader) *http.Request {
	c.t.Helper()
	req, err := http.NewRequest(method, c.Base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.CSRF != "" {
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	return req
}

// Do sends req and fails the test on a transport error.
func (c *Client) Do(req *http.Request) *http.Response {
	c.t.Helper()
	resp, err := c.Client.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp
}

// PostForm posts form fields (with _csrf added when signed in).
func (c *Client) PostForm(path string, form url.Values) *http.Response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if c.CSRF != "" && form.Get("_csrf") == "" {
		form.Set("_csrf", c.CSRF)
	}
	req := c.Request(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Del("X-CSRF-Token")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

// JSON gets path, requires 200 and decodes the body into v.
func (c *Client) JSON(path string, v any) {
	c.t.Helper()
	resp := c.Get(path)
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		c.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		c.t.Fatalf("GET %s: decoding: %v", path, err)
	}
}

// NoRedirects makes the client return redirects instead of following them.
func (c *Client) NoRedirects() *Client {
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// Body reads and closes resp's body.
func Body(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

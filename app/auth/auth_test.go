package auth_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"onramp/app"
	"onramp/app/config"
	"onramp/app/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// login walks the sign-in flow by hand up to the moment the provider sends
// the browser back, and returns that callback URL unvisited.
func login(t *testing.T, c *testenv.Client, query string) *url.URL {
	t.Helper()
	c.NoRedirects()
	resp := c.Get("/auth/login?" + query)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("GET /auth/login: want 302, got %d", resp.StatusCode)
	}
	authorize, _ := url.Parse(resp.Header.Get("Location"))
	q := authorize.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("nonce") == "" {
		t.Fatalf("authorization request lacks PKCE S256, state or nonce: %s", authorize)
	}
	resp, err := c.Client.Get(authorize.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cb, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || cb.Query().Get("code") == "" {
		t.Fatalf("provider did not redirect back with a code (status %d, location %q)", resp.StatusCode, resp.Header.Get("Location"))
	}
	return cb
}

func visit(t *testing.T, c *testenv.Client, u *url.URL) *http.Response {
	t.Helper()
	resp, err := c.Client.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func meStatus(t *testing.T, c *testenv.Client) int {
	t.Helper()
	resp := c.Get("/api/v1/me")
	resp.Body.Close()
	return resp.StatusCode
}

func sessionCookie(t *testing.T, c *testenv.Client) string {
	t.Helper()
	u, _ := url.Parse(c.Base)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "onramp_session" {
			return ck.Value
		}
	}
	return ""
}

func TestSignInLandsEachRoleOnItsHome(t *testing.T) {
	srv := testenv.NewServer(t)
	for email, home := range map[string]string{
		"learner@example.org": "/learn", "mentor@example.org": "/mentoring",
		"manager@example.org": "/manage", "admin@example.org": "/admin",
	} {
		c := srv.NewClient(t)
		resp := c.Get("/auth/login?login_hint=" + url.QueryEscape(email))
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != home {
			t.Errorf("%s: ended on %s with %d, want %s 200", email, resp.Request.URL.Path, resp.StatusCode, home)
		}
		var me struct {
			Email     string   `json:"email"`
			Roles     []string `json:"roles"`
			CSRFToken string   `json:"csrf_token"`
		}
		c.JSON("/api/v1/me", &me)
		if me.Email != email || len(me.Roles) == 0 || me.CSRFToken == "" {
			t.Errorf("%s: /api/v1/me = %+v", email, me)
		}
	}
}

func TestSessionCookieIsHttpOnlyLaxAndEndsWithTheBrowser(t *testing.T) {
	srv := testenv.NewServer(t)
	c := srv.NewClient(t)
	cb := login(t, c, "login_hint=learner@example.org")
	resp := visit(t, c, cb)
	var set string
	for _, h := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(h, "onramp_session=") {
			set = h
		}
	}
	if set == "" {
		t.Fatal("callback set no session cookie")
	}
	for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(set, want) {
			t.Errorf("session cookie %q lacks %s", set, want)
		}
	}
	if strings.Contains(set, "Expires=") || strings.Contains(set, "Max-Age=") {
		t.Errorf("session cookie %q should not outlive the browser", set)
	}
	if strings.Contains(set, "Secure") {
		t.Errorf("session cookie %q marked Secure on an http base URL", set)
	}
}

func TestSessionCookieIsSecureAndHSTSSentOnHTTPSBaseURL(t *testing.T) {
	// The base URL says https (as behind a TLS-terminating proxy) while the
	// test talks plain http to the app; the provider stays on http.
	srv := testenv.NewServer(t, func(cfg *config.Config, _ *app.Options) {
		cfg.BaseURL = strings.Replace(cfg.BaseURL, "http://", "https://", 1)
	})
	c := srv.NewClient(t)
	cb := login(t, c, "login_hint=learner@example.org")
	cb.Scheme = "http"
	resp := visit(t, c, cb)
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS header with an https base URL")
	}
	var secure bool
	for _, h := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(h, "onramp_session=") && strings.Contains(h, "Secure") {
			secure = true
		}
	}
	if !secure {
		t.Errorf("session cookie not marked Secure: %q", resp.Header.Values("Set-Cookie"))
	}
}

func TestSignInRenewsTheSessionToken(t *testing.T) {
	srv := testenv.NewServer(t)
	c := srv.SignIn(t, "learner@example.org")
	first := sessionCookie(t, c)
	visit(t, c, login(t, c, "login_hint=learner2@example.org"))
	second := sessionCookie(t, c)
	if first == "" || second == "" || first == second {
		t.Fatalf("session token not renewed at sign-in: before %q after %q", first, second)
	}
	old := srv.NewClient(t)
	u, _ := url.Parse(srv.URL)
	old.Jar.SetCookies(u, []*http.Cookie{{Name: "onramp_session", Value: first}})
	if got := meStatus(t, old); got != http.StatusUnauthorized {
		t.Errorf("the pre-sign-in token still works: /api/v1/me = %d", got)
	}
}

func TestSignOutNeedsCSRFTokenAndEndsTheServerSession(t *testing.T) {
	srv := testenv.NewServer(t)
	c := srv.SignIn(t, "learner@example.org")
	token := sessionCookie(t, c)

	resp := c.Do(func() *http.Request {
		req := c.Request(http.MethodPost, "/auth/logout", nil)
		req.Header.Del("X-CSRF-Token")
		return req
	}())
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("sign-out without CSRF token: want 403, got %d", resp.StatusCode)
	}
	if got := meStatus(t, c); got != http.StatusOK {
		t.Fatalf("refused sign-out still ended the session: /api/v1/me = %d", got)
	}

	resp = c.PostForm("/auth/logout", nil)
	body := testenv.Body(t, resp)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/auth/signed-out" || !strings.Contains(body, "You have signed out") {
		t.Fatalf("sign-out ended on %s with %d", resp.Request.URL, resp.StatusCode)
	}
	if got := meStatus(t, c); got != http.StatusUnauthorized {
		t.Errorf("after sign-out /api/v1/me = %d, want 401", got)
	}
	// The server forgot the session: replaying the old cookie does nothing.
	replay := srv.NewClient(t)
	u, _ := url.Parse(srv.URL)
	replay.Jar.SetCookies(u, []*http.Cookie{{Name: "onramp_session", Value: token}})
	if got := meStatus(t, replay); got != http.StatusUnauthorized {
		t.Errorf("old session cookie after sign-out: /api/v1/me = %d, want 401", got)
	}
}

func TestCallbackRefusesTamperedOrForgedResponses(t *testing.T) {
	srv := testenv.NewServer(t)
	idp := srv.App.DevIdP
	cases := []struct {
		name   string
		mutate func(map[string]any)
		tamper func(*url.URL)
	}{
		{name: "tampered state", tamper: func(u *url.URL) {
			q := u.Query()
			q.Set("state", q.Get("state")+"x")
			u.RawQuery = q.Encode()
		}},
		{name: "wrong nonce", mutate: func(c map[string]any) { c["nonce"] = "not-the-nonce" }},
		{name: "wrong issuer", mutate: func(c map[string]any) { c["iss"] = "https://evil.example.org" }},
		{name: "wrong audience", mutate: func(c map[string]any) { c["aud"] = []string{"some-other-client"} }},
		{name: "expired", mutate: func(c map[string]any) {
			c["iat"] = time.Now().Add(-2 * time.Hour).Unix()
			c["exp"] = time.Now().Add(-time.Hour).Unix()
		}},
		{name: "several audiences without azp for us", mutate: func(c map[string]any) {
			c["aud"] = []string{"onramp-dev", "another-app"}
			c["azp"] = "another-app"
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			idp.MutateIDTokens(tc.mutate)
			defer idp.MutateIDTokens(nil)
			c := srv.NewClient(t)
			cb := login(t, c, "login_hint=learner@example.org")
			if tc.tamper != nil {
				tc.tamper(cb)
			}
			if resp := visit(t, c, cb); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("callback answered %d, want 400", resp.StatusCode)
			}
			if got := meStatus(t, c); got != http.StatusUnauthorized {
				t.Errorf("refused sign-in left a session: /api/v1/me = %d", got)
			}
		})
	}
}

func TestCallbackRefusesReplays(t *testing.T) {
	srv := testenv.NewServer(t)
	c := srv.NewClient(t)
	cb := login(t, c, "login_hint=learner@example.org")
	if resp := visit(t, c, cb); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first callback: %d", resp.StatusCode)
	}

	// The same callback again, in a fresh browser that has the login cookie
	// of a new sign-in: the old code must not be accepted.
	attacker := srv.NewClient(t)
	fresh := login(t, attacker, "login_hint=learner2@example.org")
	replayed := *fresh
	q := replayed.Query()
	q.Set("code", cb.Query().Get("code"))
	replayed.RawQuery = q.Encode()
	if resp := visit(t, attacker, &replayed); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("replayed code: %d, want 400", resp.StatusCode)
	}
	if got := meStatus(t, attacker); got != http.StatusUnauthorized {
		t.Errorf("replayed code signed someone in: /api/v1/me = %d", got)
	}
	// And the exact same callback URL a second time.
	again := srv.NewClient(t).NoRedirects()
	if resp := visit(t, again, cb); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("replayed callback URL: %d, want 400", resp.StatusCode)
	}
}

func TestReturnToOnlyAcceptsLocalPaths(t *testing.T) {
	srv := testenv.NewServer(t)
	for _, target := range []string{"https://evil.example.org/", "//evil.example.org/x", "/\\evil.example.org", "javascript:alert(1)", "/auth/logout"} {
		c := srv.NewClient(t)
		resp := c.Get("/auth/login?login_hint=learner@example.org&return_to=" + url.QueryEscape(target))
		resp.Body.Close()
		if got := resp.Request.URL; got.Host != strings.TrimPrefix(srv.URL, "http://") || got.Path != "/learn" {
			t.Errorf("return_to=%q ended on %s, want this site's /learn", target, got)
		}
	}
	c := srv.NewClient(t)
	resp := c.Get("/auth/login?login_hint=admin@example.org&return_to=" + url.QueryEscape("/admin/users?q=amira"))
	resp.Body.Close()
	if resp.Request.URL.Path != "/admin/users" || resp.Request.URL.Query().Get("q") != "amira" {
		t.Errorf("local return_to not honoured: ended on %s", resp.Request.URL)
	}
}

func TestSignedOutVisitorIsSentToSignInAndBack(t *testing.T) {
	srv := testenv.NewServer(t)
	c := srv.NewClient(t)
	resp := c.Get("/admin/users")
	resp.Body.Close()
	// The dev provider shows its sign-in page (no login_hint), so the
	// visitor has been sent to sign in, remembering where they were going.
	if !strings.HasPrefix(resp.Request.URL.Path, "/dev/idp/") {
		t.Fatalf("anonymous /admin/users ended on %s", resp.Request.URL)
	}
	var sawReturnTo bool
	for r := resp.Request; r != nil; {
		if r.URL.Path == "/auth/login" && r.URL.Query().Get("return_to") == "/admin/users" {
			sawReturnTo = true
		}
		if r.Response == nil {
			break
		}
		r = r.Response.Request
	}
	if !sawReturnTo {
		t.Error("redirect to sign-in did not carry return_to=/admin/users")
	}
}

func TestIdleAndAbsoluteTimeoutsEndSessions(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	advance := func(d time.Duration) { now.Add(int64(d)) }
	srv := testenv.NewServer(t, func(cfg *config.Config, o *app.Options) {
		o.Now = func() time.Time { return time.Unix(0, now.Load()) }
		cfg.SessionIdleTimeout, cfg.SessionAbsoluteTimeout = 30*time.Minute, 2*time.Hour
	})
	c := srv.SignIn(t, "learner@example.org")
	for range 3 { // active every 29 minutes: never idle for 30
		advance(29 * time.Minute)
		if got := meStatus(t, c); got != http.StatusOK {
			t.Fatalf("active session ended after %d: %v", got, time.Unix(0, now.Load()))
		}
	}
	advance(31 * time.Minute)
	if got := meStatus(t, c); got != http.StatusUnauthorized {
		t.Fatalf("idle for 31 minutes: /api/v1/me = %d, want 401", got)
	}

	c = srv.SignIn(t, "learner@example.org")
	for i := range 7 { // active every 20 minutes, but 2 hours is the limit
		advance(20 * time.Minute)
		want := http.StatusOK
		if i == 6 {
			want = http.StatusUnauthorized
		}
		if got := meStatus(t, c); got != want {
			t.Fatalf("after %d minutes: /api/v1/me = %d, want %d", 20*(i+1), got, want)
		}
	}
}

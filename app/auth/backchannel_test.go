package auth_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"onramp/app"
	"onramp/app/config"
	"onramp/app/devidp"
	"onramp/app/testenv"
)

const logoutEvent = "http://schemas.openid.net/event/backchannel-logout"

func postLogoutToken(t *testing.T, srv *testenv.Server, token string) int {
	t.Helper()
	resp, err := http.PostForm(srv.URL+"/auth/backchannel-logout", url.Values{"logout_token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestBackchannelLogoutEndsThatUsersSessionsOnce(t *testing.T) {
	srv := testenv.NewServer(t)
	idp := srv.App.DevIdP
	learner := srv.SignIn(t, "learner3@example.org")
	other := srv.SignIn(t, "learner4@example.org")

	token, err := idp.LogoutToken(config.DevClientID, "demo-learner-3", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := postLogoutToken(t, srv, token); got != http.StatusOK {
		t.Fatalf("valid logout token: %d, want 200", got)
	}
	if got := meStatus(t, learner); got != http.StatusUnauthorized {
		t.Errorf("logged-out user still signed in: %d", got)
	}
	if got := meStatus(t, other); got != http.StatusOK {
		t.Errorf("someone else's session ended too: %d", got)
	}
	if got := postLogoutToken(t, srv, token); got != http.StatusBadRequest {
		t.Errorf("replayed logout token: %d, want 400", got)
	}
}

func TestBackchannelLogoutBySidEndsOnlyThatSignIn(t *testing.T) {
	srv := testenv.NewServer(t)
	phone := srv.SignIn(t, "learner2@example.org")
	laptop := srv.SignIn(t, "learner2@example.org")
	var sid string
	err := testenv.DB(t).Gorm.Raw(`SELECT s.provider_sid FROM auth_sessions s JOIN users u ON u.id = s.user_id
		WHERE u.email = 'learner2@example.org' AND s.ended_at IS NULL ORDER BY s.created_at DESC LIMIT 1`).Scan(&sid).Error
	if err != nil || sid == "" {
		t.Fatalf("no provider sid recorded: %v", err)
	}
	token, _ := srv.App.DevIdP.LogoutToken(config.DevClientID, "", sid)
	if got := postLogoutToken(t, srv, token); got != http.StatusOK {
		t.Fatalf("logout by sid: %d", got)
	}
	if meStatus(t, laptop) != http.StatusUnauthorized || meStatus(t, phone) != http.StatusOK {
		t.Errorf("logout by sid should end only the newest sign-in: laptop %d phone %d", meStatus(t, laptop), meStatus(t, phone))
	}
}

func TestBackchannelLogoutRefusesUntrustworthyTokens(t *testing.T) {
	srv := testenv.NewServer(t)
	idp := srv.App.DevIdP
	forger, err := devidp.New(devidp.Config{
		Issuer:  srv.App.Config.OIDCIssuerURL,
		Users:   []devidp.User{{Subject: "demo-learner", Email: "learner@example.org", Name: "x"}},
		Clients: []devidp.Client{{ID: config.DevClientID, Secret: "x", RedirectURIs: []string{srv.URL + "/auth/callback"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	valid := func() map[string]any {
		return map[string]any{
			"iss": srv.App.Config.OIDCIssuerURL, "aud": config.DevClientID, "sub": "demo-learner",
			"iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(), "jti": now.String() + t.Name(),
			"events": map[string]any{logoutEvent: map[string]any{}},
		}
	}
	sign := func(p *devidp.Provider, claims map[string]any, typ string) string {
		tok, err := p.SignJWT(claims, typ)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	with := func(k string, v any) map[string]any {
		c := valid()
		c["jti"] = k + now.String()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	cases := map[string]string{
		"signed by another key": sign(forger, valid(), "logout+jwt"),
		"typed as an ID token":  sign(idp, with("jti", "typ"), "JWT"),
		"carrying a nonce":      sign(idp, with("nonce", "n"), "logout+jwt"),
		"without the event":     sign(idp, with("events", nil), "logout+jwt"),
		"with another event":    sign(idp, with("events", map[string]any{"urn:other": map[string]any{}}), "logout+jwt"),
		"without jti":           sign(idp, with("jti", nil), "logout+jwt"),
		"for another client":    sign(idp, with("aud", "another-app"), "logout+jwt"),
		"from another issuer":   sign(idp, with("iss", "https://evil.example.org"), "logout+jwt"),
		"expired":               sign(idp, with("exp", now.Add(-time.Minute).Unix()), "logout+jwt"),
		"issued long ago":       sign(idp, with("iat", now.Add(-time.Hour).Unix()), "logout+jwt"),
		"naming nobody":         sign(idp, with("sub", nil), "logout+jwt"),
		"not a JWT":             "hello",
	}
	learner := srv.SignIn(t, "learner@example.org")
	for name, token := range cases {
		if got := postLogoutToken(t, srv, token); got != http.StatusBadRequest {
			t.Errorf("logout token %s: %d, want 400", name, got)
		}
	}
	if got := meStatus(t, learner); got != http.StatusOK {
		t.Errorf("a refused logout token ended the session: %d", got)
	}
	// The control: the same shape, honestly made, is accepted.
	if got := postLogoutToken(t, srv, sign(idp, valid(), "logout+jwt")); got != http.StatusOK {
		t.Errorf("well-formed logout token: %d, want 200", got)
	}
}

// switchable serves h while up and drops connections while down, like a
// provider that is unreachable.
type switchable struct {
	up atomic.Bool
	h  atomic.Pointer[devidp.Provider]
}

func (s *switchable) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := s.h.Load()
	if !s.up.Load() || p == nil {
		panic(http.ErrAbortHandler) // closes the connection without a response
	}
	p.ServeHTTP(w, r)
}

func TestProviderDownAtStartThenRecovers(t *testing.T) {
	sw := &switchable{}
	idpServer := httptest.NewServer(sw)
	t.Cleanup(idpServer.Close)
	srv := testenv.NewServer(t, func(cfg *config.Config, _ *app.Options) {
		cfg.DevIdP = false
		cfg.OIDCIssuerURL = idpServer.URL
		p, err := devidp.New(devidp.Config{
			Issuer: idpServer.URL,
			Users:  []devidp.User{{Subject: "ext-learner", Email: "learner@example.org", Name: "Amira Khan", Roles: []string{"learner"}}},
			Clients: []devidp.Client{{ID: cfg.OIDCClientID, Secret: cfg.OIDCClientSecret,
				RedirectURIs: []string{cfg.BaseURL + "/auth/callback"}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		sw.h.Store(p)
	})

	if resp := srv.NewClient(t).Get("/healthz"); resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz with provider down: %d", resp.StatusCode)
	}
	c := srv.NewClient(t)
	resp := c.Get("/auth/login?login_hint=learner@example.org")
	body := testenv.Body(t, resp)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "Signing in is not working right now") {
		t.Fatalf("sign-in with provider down: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	sw.up.Store(true)
	srv.WaitForProvider(t)
	resp = c.Get("/auth/login?login_hint=learner@example.org")
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/learn" {
		t.Fatalf("sign-in after the provider returned ended on %s with %d", resp.Request.URL, resp.StatusCode)
	}

	// Once signed in, a provider outage does not sign anyone out.
	sw.up.Store(false)
	if got := meStatus(t, c); got != http.StatusOK {
		t.Errorf("existing session with provider down: /api/v1/me = %d", got)
	}
}

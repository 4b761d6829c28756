package devidp_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"

	"onramp/app/devidp"
)

// logoutClaims is what tests read from a back-channel logout token.
type logoutClaims struct {
	Issuer   string                    `json:"iss"`
	Audience string                    `json:"aud"`
	Subject  string                    `json:"sub"`
	SID      string                    `json:"sid"`
	JTI      string                    `json:"jti"`
	IssuedAt int64                     `json:"iat"`
	Expiry   int64                     `json:"exp"`
	Events   map[string]map[string]any `json:"events"`
	Nonce    *string                   `json:"nonce"`
}

// verifyLogoutToken checks token against the provider's JWKS and its
// header, and returns its claims.
func (f *fixture) verifyLogoutToken(t *testing.T, token string) logoutClaims {
	t.Helper()
	payload, err := oidc.NewRemoteKeySet(context.Background(), f.issuer+"/jwks").VerifySignature(context.Background(), token)
	if err != nil {
		t.Fatalf("logout token does not verify with the JWKS: %v", err)
	}
	jws, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	if h := jws.Signatures[0].Header; h.ExtraHeaders["typ"] != "logout+jwt" || h.KeyID == "" {
		t.Errorf("header typ %v, kid %q: want logout+jwt and a kid", h.ExtraHeaders["typ"], h.KeyID)
	}
	var c logoutClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	if c.Issuer != f.issuer || c.Audience != clientID || c.JTI == "" || c.Nonce != nil {
		t.Errorf("logout token claims = %+v", c)
	}
	if _, ok := c.Events["http://schemas.openid.net/event/backchannel-logout"]; !ok || len(c.Events) != 1 {
		t.Errorf("events = %v", c.Events)
	}
	if c.Expiry-c.IssuedAt != 120 {
		t.Errorf("lifetime = %ds, want 120s", c.Expiry-c.IssuedAt)
	}
	return c
}

func TestLogoutTokenVerifiesWithTheJWKS(t *testing.T) {
	f := newFixture(t, "/dev/idp")
	token, err := f.idp.LogoutToken(clientID, "demo-learner", "sid-123")
	if err != nil {
		t.Fatal(err)
	}
	c := f.verifyLogoutToken(t, token)
	if c.Subject != "demo-learner" || c.SID != "sid-123" {
		t.Errorf("sub %q, sid %q", c.Subject, c.SID)
	}
	if d := time.Since(time.Unix(c.IssuedAt, 0)); d < -time.Second || d > 5*time.Second {
		t.Errorf("iat is %v from now", d)
	}
}

func TestSignJWTUsesTheProviderKeyAndType(t *testing.T) {
	f := newFixture(t, "")
	token, err := f.idp.SignJWT(map[string]any{"iss": "forger", "x": 1}, "at+jwt")
	if err != nil {
		t.Fatal(err)
	}
	payload, err := oidc.NewRemoteKeySet(context.Background(), f.issuer+"/jwks").VerifySignature(context.Background(), token)
	if err != nil {
		t.Fatalf("does not verify: %v", err)
	}
	if string(payload) != `{"iss":"forger","x":1}` {
		t.Errorf("payload = %s", payload)
	}
	jws, _ := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if typ := jws.Signatures[0].Header.ExtraHeaders["typ"]; typ != "at+jwt" {
		t.Errorf("typ = %v", typ)
	}
}

// logoutReceiver is a relying party's back-channel logout endpoint.
func logoutReceiver(t *testing.T) (string, <-chan *http.Request) {
	t.Helper()
	got := make(chan *http.Request, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Errorf("logout POST: %v", err)
		}
		got <- r
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/auth/backchannel-logout", got
}

// endSession calls the end-session endpoint with params.
func (f *fixture) endSession(t *testing.T, params url.Values) *http.Response {
	t.Helper()
	return f.get(t, f.issuer+"/end-session?"+params.Encode())
}

func TestEndSessionRedirectsAndTellsTheBackChannel(t *testing.T) {
	for _, mount := range mounts {
		t.Run("mount="+mount, func(t *testing.T) {
			logoutURI, posts := logoutReceiver(t)
			f := newFixture(t, mount, func(c *devidp.Config) { c.Clients[0].BackchannelLogoutURI = logoutURI })
			tok, idToken := f.login(t, newFlow(), "learner@example.test")
			var signedIn claims
			if err := idToken.Claims(&signedIn); err != nil {
				t.Fatal(err)
			}

			resp := f.endSession(t, url.Values{
				"id_token_hint":            {tok.Extra("id_token").(string)},
				"post_logout_redirect_uri": {afterLogout},
				"state":                    {"bye-state"},
			})
			if q := redirectQuery(t, resp, afterLogout); q.Get("state") != "bye-state" {
				t.Errorf("state = %q", q.Get("state"))
			}

			select {
			case r := <-posts:
				if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
					t.Errorf("%s with %q", r.Method, r.Header.Get("Content-Type"))
				}
				c := f.verifyLogoutToken(t, r.PostForm.Get("logout_token"))
				if c.Subject != "demo-learner" || c.SID != signedIn.SID {
					t.Errorf("logout token sub %q sid %q, want demo-learner %q", c.Subject, c.SID, signedIn.SID)
				}
			default:
				t.Fatal("no back-channel logout POST before the redirect")
			}
		})
	}
}

func TestEndSessionRefusesUnregisteredRedirect(t *testing.T) {
	f := newFixture(t, "/dev/idp")
	tests := map[string]url.Values{
		"unregistered URI": {"client_id": {clientID}, "post_logout_redirect_uri": {"https://evil.example/"}},
		"unknown client":   {"client_id": {"stranger"}, "post_logout_redirect_uri": {afterLogout}},
		"no client":        {"post_logout_redirect_uri": {afterLogout}},
	}
	for name, params := range tests {
		t.Run(name, func(t *testing.T) {
			resp := f.endSession(t, params)
			page := body(t, resp)
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
				t.Fatalf("status %d, Location %q: want 400 and no redirect", resp.StatusCode, resp.Header.Get("Location"))
			}
			if !strings.Contains(page, "You have signed out") || !strings.Contains(page, "not a registered post-logout redirect URI") {
				t.Errorf("page = %s", page)
			}
		})
	}
}

func TestEndSessionWithoutRedirectShowsSignedOutPage(t *testing.T) {
	f := newFixture(t, "/dev/idp")
	resp := f.endSession(t, url.Values{"client_id": {clientID}})
	page := body(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "<h1 class=\"nhsuk-heading-l\">You have signed out</h1>") {
		t.Errorf("status %d, page %s", resp.StatusCode, page)
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "style=") {
		t.Error("signed-out page has inline script or style")
	}
}

func TestEndSessionRefusesForeignIDTokenHint(t *testing.T) {
	f := newFixture(t, "/dev/idp")
	other := newFixture(t, "/dev/idp")
	tok, _ := other.login(t, newFlow(), "learner@example.test")
	resp := f.endSession(t, url.Values{
		"id_token_hint":            {tok.Extra("id_token").(string)},
		"post_logout_redirect_uri": {afterLogout},
	})
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
		t.Errorf("status %d, Location %q: want 400 and no redirect", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestEndSessionSurvivesBackChannelFailure(t *testing.T) {
	f := newFixture(t, "/dev/idp", func(c *devidp.Config) {
		c.Clients[0].BackchannelLogoutURI = "http://127.0.0.1:1/unreachable"
		c.Logger = slog.New(slog.DiscardHandler)
	})
	tok, _ := f.login(t, newFlow(), "learner@example.test")
	resp := f.endSession(t, url.Values{
		"id_token_hint":            {tok.Extra("id_token").(string)},
		"post_logout_redirect_uri": {afterLogout},
	})
	redirectQuery(t, resp, afterLogout)
}

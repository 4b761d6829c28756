package devidp_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"onramp/app/devidp"
)

// mounts are the two ways the provider is served: alone at the root of a
// server, and under a path like the app's echo router mounts it.
var mounts = []string{"", "/dev/idp"}

const (
	clientID     = "onramp"
	clientSecret = "dev-secret"
	redirectURI  = "http://127.0.0.1:9999/auth/callback"
	afterLogout  = "http://127.0.0.1:9999/signed-out"
)

// demoUsers are the accounts every test provider knows.
var demoUsers = []devidp.User{
	{Subject: "demo-learner", Email: "learner@example.test", Name: "Lena Learner", Roles: []string{"learner"}},
	{Subject: "demo-mentor", Email: "Mentor@Example.test", Name: "Max Mentor", Roles: []string{"mentor", "learner"}},
	{Subject: "demo-admin", Email: "admin@example.test", Name: "Ada Admin", Roles: []string{"admin"}},
}

// fixture is a provider behind a real HTTP server, with a relying party's
// view of it: discovery, an oauth2 config and an ID token verifier.
type fixture struct {
	idp      *devidp.Provider
	issuer   string
	mount    string
	oidc     *oidc.Provider
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	browser  *http.Client // does not follow redirects, so tests can read them
}

// newFixture serves a provider under mount; tweak, if given, edits the
// config first.
func newFixture(t *testing.T, mount string, tweak ...func(*devidp.Config)) *fixture {
	t.Helper()
	var handler http.Handler = http.NotFoundHandler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	cfg := devidp.Config{
		Issuer: srv.URL + mount,
		Users:  demoUsers,
		Clients: []devidp.Client{{
			ID:                     clientID,
			Secret:                 clientSecret,
			RedirectURIs:           []string{redirectURI},
			PostLogoutRedirectURIs: []string{afterLogout},
		}},
		StylesheetURL: "/static/app.css",
	}
	for _, f := range tweak {
		f(&cfg)
	}
	idp, err := devidp.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if mount == "" {
		handler = idp
	} else {
		mux := http.NewServeMux()
		mux.Handle(mount+"/", idp)
		handler = mux
	}

	provider, err := oidc.NewProvider(context.Background(), cfg.Issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	return &fixture{
		idp:    idp,
		issuer: cfg.Issuer,
		mount:  mount,
		oidc:   provider,
		oauth: oauth2.Config{
			ClientID:     clientID,
			ClientSecret: clientSecret,
			Endpoint:     provider.Endpoint(),
			RedirectURL:  redirectURI,
			Scopes:       []string{oidc.ScopeOpenID, "email", "profile", "roles"},
		},
		verifier: provider.Verifier(&oidc.Config{ClientID: clientID}),
		browser: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
	}
}

// flow is one authorization request with its secrets.
type flow struct {
	state, nonce, verifier string
}

func newFlow() flow {
	return flow{state: rand.Text(), nonce: rand.Text(), verifier: oauth2.GenerateVerifier()}
}

// authURL is the authorize URL for fl, with PKCE S256, plus extra options.
func (f *fixture) authURL(fl flow, extra ...oauth2.AuthCodeOption) string {
	opts := append([]oauth2.AuthCodeOption{oidc.Nonce(fl.nonce), oauth2.S256ChallengeOption(fl.verifier)}, extra...)
	return f.oauth.AuthCodeURL(fl.state, opts...)
}

// get fetches u without following redirects.
func (f *fixture) get(t *testing.T, u string) *http.Response {
	t.Helper()
	resp, err := f.browser.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// redirectQuery asserts resp redirects to target and returns its query.
func redirectQuery(t *testing.T, resp *http.Response, target string) url.Values {
	t.Helper()
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status = %d, want a redirect", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatalf("Location: %v", err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != target {
		t.Fatalf("redirected to %s, want %s", got, target)
	}
	return loc.Query()
}

// signIn runs the authorize step for the user with email and returns the
// code.
func (f *fixture) signIn(t *testing.T, fl flow, email string) string {
	t.Helper()
	resp := f.get(t, f.authURL(fl, oauth2.SetAuthURLParam("login_hint", email)))
	q := redirectQuery(t, resp, redirectURI)
	if q.Get("state") != fl.state {
		t.Fatalf("state = %q, want %q", q.Get("state"), fl.state)
	}
	if q.Get("code") == "" {
		t.Fatalf("no code in redirect: %v", q)
	}
	return q.Get("code")
}

// exchange redeems code with fl's verifier.
func (f *fixture) exchange(fl flow, code string) (*oauth2.Token, error) {
	return f.oauth.Exchange(context.Background(), code, oauth2.VerifierOption(fl.verifier))
}

// login signs in as email and returns the tokens and the verified ID token.
func (f *fixture) login(t *testing.T, fl flow, email string) (*oauth2.Token, *oidc.IDToken) {
	t.Helper()
	tok, err := f.exchange(fl, f.signIn(t, fl, email))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idToken, err := f.verifier.Verify(context.Background(), raw)
	if err != nil {
		t.Fatalf("verify ID token: %v", err)
	}
	return tok, idToken
}

// claims is what the tests read from ID tokens and userinfo.
type claims struct {
	Subject       string   `json:"sub"`
	Email         string   `json:"email"`
	EmailVerified bool     `json:"email_verified"`
	Name          string   `json:"name"`
	Roles         []string `json:"roles"`
	SID           string   `json:"sid"`
	Nonce         string   `json:"nonce"`
	AuthTime      int64    `json:"auth_time"`
}

func TestDiscoveryAdvertisesEndpointsUnderTheIssuer(t *testing.T) {
	for _, mount := range mounts {
		t.Run("mount="+mount, func(t *testing.T) {
			f := newFixture(t, mount)
			var doc struct {
				Issuer                 string   `json:"issuer"`
				Authorization          string   `json:"authorization_endpoint"`
				Token                  string   `json:"token_endpoint"`
				Userinfo               string   `json:"userinfo_endpoint"`
				JWKS                   string   `json:"jwks_uri"`
				EndSession             string   `json:"end_session_endpoint"`
				CodeChallengeMethods   []string `json:"code_challenge_methods_supported"`
				SigningAlgs            []string `json:"id_token_signing_alg_values_supported"`
				AuthMethods            []string `json:"token_endpoint_auth_methods_supported"`
				BackchannelLogout      bool     `json:"backchannel_logout_supported"`
				BackchannelLogoutSID   bool     `json:"backchannel_logout_session_supported"`
				ResponseTypesSupported []string `json:"response_types_supported"`
			}
			if err := f.oidc.Claims(&doc); err != nil {
				t.Fatal(err)
			}
			for _, e := range [][2]string{
				{doc.Issuer, f.issuer}, {doc.Authorization, f.issuer + "/authorize"}, {doc.Token, f.issuer + "/token"},
				{doc.Userinfo, f.issuer + "/userinfo"}, {doc.JWKS, f.issuer + "/jwks"}, {doc.EndSession, f.issuer + "/end-session"},
			} {
				if e[0] != e[1] {
					t.Errorf("endpoint %q, want %q", e[0], e[1])
				}
			}
			if strings.Join(doc.CodeChallengeMethods, ",") != "S256" || strings.Join(doc.SigningAlgs, ",") != "RS256" ||
				strings.Join(doc.ResponseTypesSupported, ",") != "code" {
				t.Errorf("PKCE %v, algs %v, response types %v", doc.CodeChallengeMethods, doc.SigningAlgs, doc.ResponseTypesSupported)
			}
			if strings.Join(doc.AuthMethods, ",") != "client_secret_basic,client_secret_post" {
				t.Errorf("auth methods = %v", doc.AuthMethods)
			}
			if !doc.BackchannelLogout || !doc.BackchannelLogoutSID {
				t.Error("back-channel logout not advertised")
			}
		})
	}
}

func TestServeHTTPOnlyAnswersUnderTheIssuerPath(t *testing.T) {
	f := newFixture(t, "/dev/idp")
	base := strings.TrimSuffix(f.issuer, "/dev/idp")
	for path, want := range map[string]int{
		"/dev/idp/jwks":          http.StatusOK,
		"/dev/idp/nope":          http.StatusNotFound,
		"/dev/idpx/jwks":         http.StatusNotFound,
		"/dev/idp/token":         http.StatusMethodNotAllowed, // GET; POST only
		"/dev/idp/end-session/x": http.StatusNotFound,
	} {
		if got := f.get(t, base+path).StatusCode; got != want {
			t.Errorf("GET %s = %d, want %d", path, got, want)
		}
	}
	var keys struct {
		Keys []struct{ Kid, Alg, Use, Kty string }
	}
	resp := f.get(t, f.issuer+"/jwks")
	if err := json.NewDecoder(resp.Body).Decode(&keys); err != nil {
		t.Fatal(err)
	}
	if len(keys.Keys) != 1 || keys.Keys[0].Kid == "" || keys.Keys[0].Alg != "RS256" || keys.Keys[0].Kty != "RSA" {
		t.Errorf("jwks = %+v", keys)
	}
}

func TestNewRejectsIncompleteConfig(t *testing.T) {
	client := devidp.Client{ID: "c", Secret: "s", RedirectURIs: []string{redirectURI}}
	valid := func() devidp.Config {
		return devidp.Config{Issuer: "http://127.0.0.1:8080/dev/idp", Users: demoUsers, Clients: []devidp.Client{client}}
	}
	tests := map[string]func(*devidp.Config){
		"relative issuer":   func(c *devidp.Config) { c.Issuer = "/dev/idp" },
		"issuer with slash": func(c *devidp.Config) { c.Issuer += "/" },
		"issuer with query": func(c *devidp.Config) { c.Issuer += "?x=1" },
		"no users":          func(c *devidp.Config) { c.Users = nil },
		"no clients":        func(c *devidp.Config) { c.Clients = nil },
		"duplicate email": func(c *devidp.Config) {
			c.Users = append(c.Users, devidp.User{Subject: "x", Email: "LEARNER@example.test"})
		},
		"duplicate subject": func(c *devidp.Config) {
			c.Users = append(c.Users, devidp.User{Subject: "demo-admin", Email: "x@example.test"})
		},
		"user without email":    func(c *devidp.Config) { c.Users = []devidp.User{{Subject: "x"}} },
		"client without secret": func(c *devidp.Config) { c.Clients = []devidp.Client{{ID: "c", RedirectURIs: []string{redirectURI}}} },
		"client without URI":    func(c *devidp.Config) { c.Clients = []devidp.Client{{ID: "c", Secret: "s"}} },
		"duplicate client":      func(c *devidp.Config) { c.Clients = append(c.Clients, client) },
	}
	if _, err := devidp.New(valid()); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	for name, breakIt := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := valid()
			breakIt(&cfg)
			if _, err := devidp.New(cfg); err == nil {
				t.Error("New accepted the config")
			}
		})
	}
}

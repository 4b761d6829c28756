package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"onramp/app"
	"onramp/app/config"
	"onramp/app/devidp"
	"onramp/app/testenv"
	"onramp/modules/identity"
)

// bearer calls path with an Authorization: Bearer header and no cookies.
func bearer(t *testing.T, srv *testenv.Server, method, path, token string, body io.Reader) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp, testenv.Body(t, resp)
}

// sendJSON sends a JSON body with the signed-in client's cookie and CSRF token.
func sendJSON(t *testing.T, c *testenv.Client, method, path, body string) (*http.Response, string) {
	t.Helper()
	req := c.Request(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp := c.Do(req)
	return resp, testenv.Body(t, resp)
}

type createdToken struct {
	ID     string `json:"id"`
	Token  string `json:"token"`
	Status string `json:"status"`
}

func TestServiceTokenReadsOneOrganisationsReportsUntilRevoked(t *testing.T) {
	srv := testenv.NewServer(t)
	fx := testenv.NewFixtures(t)
	trust, charity := fx.DemoOrganisation(identity.DemoTrust), fx.DemoOrganisation(identity.DemoCharity)
	var charityCohort string
	testenv.DB(t).Gorm.Raw("SELECT id FROM cohorts WHERE organisation_id = ? LIMIT 1", charity).Scan(&charityCohort)
	if charityCohort == "" {
		t.Fatal("demo data has no cohort in the charity")
	}
	admin := srv.SignIn(t, "admin@example.org")

	resp, body := sendJSON(t, admin, http.MethodPost, "/api/v1/service-tokens",
		`{"name":"Trust board reports","scopes":["reports:read"],"organisation_id":"`+trust+`","expires_in_days":30}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("creating a token: %d %s", resp.StatusCode, body)
	}
	var tok createdToken
	if err := json.Unmarshal([]byte(body), &tok); err != nil || tok.ID == "" || !strings.HasPrefix(tok.Token, "onr_") {
		t.Fatalf("created token %s (%v)", body, err)
	}
	if loc := resp.Header.Get("Location"); loc != "/api/v1/service-tokens/"+tok.ID {
		t.Errorf("Location %q", loc)
	}
	var stored int
	testenv.DB(t).Gorm.Raw("SELECT count(*) FROM service_tokens WHERE id = ? AND position(? in encode(token_hash, 'escape')) = 0",
		tok.ID, tok.Token).Scan(&stored)
	if stored != 1 {
		t.Error("the token's secret must not be stored as it is")
	}

	// Its own organisation's reports.
	for _, path := range []string{"/api/v1/reports/outcomes", "/api/v1/reports/equality",
		"/api/v1/reports/outcomes?organisation=" + trust} {
		if resp, body := bearer(t, srv, http.MethodGet, path, tok.Token, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s with the token: %d %s", path, resp.StatusCode, body)
		}
	}
	// The outcomes report names only the trust's cohorts and the trust.
	_, body = bearer(t, srv, http.MethodGet, "/api/v1/reports/outcomes", tok.Token, nil)
	var report struct {
		Rows []struct{ Level, ID string } `json:"rows"`
	}
	if err := json.Unmarshal([]byte(body), &report); err != nil {
		t.Fatal(err)
	}
	for _, r := range report.Rows {
		if r.Level == "organisation" && r.ID != trust || r.ID == charityCohort {
			t.Errorf("the trust's token sees %s %s", r.Level, r.ID)
		}
	}
	// Another organisation's data is not found, as for the trust's manager.
	for _, path := range []string{"/api/v1/reports/outcomes?organisation=" + charity, "/api/v1/reports/equality?organisation=" + charity,
		"/api/v1/reports/equality?cohort=" + charityCohort, "/api/v1/reports/outcomes?cohort=" + charityCohort} {
		if resp, body := bearer(t, srv, http.MethodGet, path, tok.Token, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s with the trust's token: %d %s, want 404", path, resp.StatusCode, body)
		}
	}
	// Anything its scope does not cover is forbidden, writes included, and
	// a write needs no CSRF token to be judged on its scope.
	for _, call := range []struct{ method, path string }{{"GET", "/api/v1/me"}, {"GET", "/api/v1/cohorts"},
		{"GET", "/api/v1/programmes"}, {"GET", "/api/v1/service-tokens"}, {"POST", "/api/v1/mentoring/matches"},
		{"POST", "/api/v1/service-tokens"}, {"GET", "/manage"}} {
		if resp, body := bearer(t, srv, call.method, call.path, tok.Token, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s with a reports:read token: %d %s, want 403", call.method, call.path, resp.StatusCode, body)
		}
	}

	// Listed with its last use; every use is in the audit log.
	var list struct {
		Items []struct {
			ID         string     `json:"id"`
			LastUsedAt *time.Time `json:"last_used_at"`
			Status     string     `json:"status"`
		} `json:"items"`
	}
	admin.JSON("/api/v1/service-tokens", &list)
	found := false
	for _, it := range list.Items {
		if it.ID == tok.ID {
			found = it.LastUsedAt != nil && it.Status == "active"
		}
	}
	if !found {
		t.Errorf("the token is not listed as active with its last use: %+v", list.Items)
	}
	var uses int
	testenv.DB(t).Gorm.Raw("SELECT count(*) FROM audit_events WHERE action = 'service_token.used' AND subject_id = ?", tok.ID).Scan(&uses)
	if uses < 8 {
		t.Errorf("%d uses audited, want one per request (at least 8)", uses)
	}
	page := testenv.Body(t, admin.Get("/admin/service-tokens"))
	if !strings.Contains(page, "Trust board reports") || strings.Contains(page, tok.Token) {
		t.Error("the admin page must list the token by name and never show its secret again")
	}

	// Revoked, it stops working at once.
	if resp, body := sendJSON(t, admin, http.MethodDelete, "/api/v1/service-tokens/"+tok.ID, ""); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("revoking: %d %s", resp.StatusCode, body)
	}
	resp, body = bearer(t, srv, http.MethodGet, "/api/v1/reports/outcomes", tok.Token, nil)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) ||
		!strings.Contains(body, "urn:onramp:problem:invalid-token") {
		t.Errorf("a revoked token: %d %q %s", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
	}
}

func TestServiceTokensAreMadeOnlyByAdminsWithSensibleValues(t *testing.T) {
	srv := testenv.NewServer(t)
	admin := srv.SignIn(t, "admin@example.org")
	resp, body := sendJSON(t, admin, http.MethodPost, "/api/v1/service-tokens", `{"name":"","scopes":["everything"],"expires_in_days":0}`)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a bad token request: %d %s", resp.StatusCode, body)
	}
	for _, field := range []string{`"name"`, `"scopes"`, `"expires_in_days"`} {
		if !strings.Contains(body, field) {
			t.Errorf("the refusal does not name %s: %s", field, body)
		}
	}
	manager := srv.SignIn(t, "manager@example.org")
	if resp, _ := sendJSON(t, manager, http.MethodPost, "/api/v1/service-tokens",
		`{"name":"x","scopes":["reports:read"],"expires_in_days":1}`); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a manager making a token: %d, want 403", resp.StatusCode)
	}
	// The admin page makes one too and shows it once.
	form := url.Values{"name": {"Regional dashboard"}, "scopes": {"reports:read", "cohorts:read"}, "expires_in_days": {"7"}}
	resp = admin.PostForm("/admin/service-tokens", form)
	page := testenv.Body(t, resp)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(page, "onr_") {
		t.Errorf("making a token on the admin page: %d", resp.StatusCode)
	}
}

func TestBearerRequestsNeedNoCSRFButCookieRequestsDo(t *testing.T) {
	srv := testenv.NewServer(t)
	// Anonymous writes are refused as unauthenticated, with a challenge.
	resp, body := bearer(t, srv, http.MethodPost, "/api/v1/mentoring/matches", "", nil)
	anon, err := http.Post(srv.URL+"/api/v1/mentoring/matches", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	anonBody := testenv.Body(t, anon)
	if anon.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(anon.Header.Get("WWW-Authenticate"), "Bearer") ||
		!strings.Contains(anonBody, "urn:onramp:problem:unauthorized") {
		t.Errorf("anonymous write: %d %q %s", anon.StatusCode, anon.Header.Get("WWW-Authenticate"), anonBody)
	}
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("an empty bearer token: %d %s", resp.StatusCode, body)
	}
	// A cookie-authenticated write without the CSRF token is refused as such.
	admin := srv.SignIn(t, "admin@example.org")
	csrf := admin.CSRF
	admin.CSRF = ""
	resp, body = sendJSON(t, admin, http.MethodPost, "/api/v1/mentoring/matches", "{}")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "urn:onramp:problem:csrf-token") {
		t.Errorf("cookie write without CSRF: %d %s", resp.StatusCode, body)
	}
	admin.CSRF = csrf
	// A bearer token from the identity provider (here a client's own,
	// holding the admin role) writes without one.
	tok := accessToken(t, srv, map[string]any{"sub": "reporting-client", "client_id": "reporting-client", "roles": []string{"admin"}})
	if resp, body := bearer(t, srv, http.MethodPost, "/api/v1/mentoring/matches", tok, strings.NewReader("{}")); resp.StatusCode != http.StatusOK {
		t.Errorf("bearer write: %d %s", resp.StatusCode, body)
	}
}

// accessToken mints an access token signed by the dev identity provider's
// published key, with the issuer, audience and lifetime Onramp expects
// unless claims say otherwise.
func accessToken(t *testing.T, srv *testenv.Server, claims map[string]any) string {
	t.Helper()
	return signedBy(t, srv.App.DevIdP, srv, claims)
}

func signedBy(t *testing.T, p *devidp.Provider, srv *testenv.Server, claims map[string]any) string {
	t.Helper()
	now := time.Now()
	all := map[string]any{"iss": srv.App.Config.OIDCIssuerURL, "aud": []string{srv.App.Config.OIDCClientID, "other-api"},
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "jti": testenv.Unique("jti")}
	for k, v := range claims {
		if v == nil {
			delete(all, k)
			continue
		}
		all[k] = v
	}
	tok, err := p.SignJWT(all, "at+jwt")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestIdentityProviderAccessTokensAreVerifiedAndMapped(t *testing.T) {
	srv := testenv.NewServer(t)
	reports := "/api/v1/reports/outcomes"

	// A client-credentials token is a service identity with the token's roles.
	client := accessToken(t, srv, map[string]any{"sub": "funder-tool", "client_id": "funder-tool", "roles": []string{"admin"}})
	if resp, body := bearer(t, srv, http.MethodGet, reports, client, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("client-credentials token: %d %s", resp.StatusCode, body)
	}
	var service struct {
		Service bool
		Email   string
	}
	testenv.DB(t).Gorm.Raw("SELECT service, email FROM users WHERE subject = 'funder-tool'").Scan(&service)
	if !service.Service || !strings.HasSuffix(service.Email, "@service.invalid") {
		t.Errorf("the client's service identity: %+v", service)
	}
	// With no roles it is nobody in particular: not a learner.
	plain := accessToken(t, srv, map[string]any{"sub": "plain-tool", "client_id": "plain-tool", "roles": []string{}})
	for _, path := range []string{reports, "/api/v1/me/enrolments"} {
		if resp, body := bearer(t, srv, http.MethodGet, path, plain, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s as a client with no roles: %d %s", path, resp.StatusCode, body)
		}
	}

	// A person's token is that person, roles and organisation included.
	person := accessToken(t, srv, map[string]any{"sub": "demo-manager", "azp": srv.App.Config.OIDCClientID,
		"email": "manager@example.org", "email_verified": true, "roles": []string{"manager"}})
	resp, body := bearer(t, srv, http.MethodGet, "/api/v1/me", person, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"email":"manager@example.org"`) || !strings.Contains(body, `"manager"`) {
		t.Errorf("a person's token: %d %s", resp.StatusCode, body)
	}
	if resp, body := bearer(t, srv, http.MethodGet, reports, person, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("the manager's token reading reports: %d %s", resp.StatusCode, body)
	}

	// Refused: expired, not yet valid, for another audience, from another
	// issuer, signed by a key the issuer does not publish, an ID token, garbage.
	other, err := devidp.New(devidp.Config{Issuer: srv.App.Config.OIDCIssuerURL, Users: []devidp.User{{Subject: "x", Email: "x@example.org"}},
		Clients: []devidp.Client{{ID: "c", Secret: "s", RedirectURIs: []string{"http://127.0.0.1/cb"}}}})
	if err != nil {
		t.Fatal(err)
	}
	admin := map[string]any{"sub": "funder-tool", "client_id": "funder-tool", "roles": []string{"admin"}}
	with := func(extra map[string]any) map[string]any {
		m := map[string]any{}
		for k, v := range admin {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	now := time.Now()
	bad := map[string]string{
		"expired":         accessToken(t, srv, with(map[string]any{"exp": now.Add(-time.Minute).Unix()})),
		"no expiry":       accessToken(t, srv, with(map[string]any{"exp": nil})),
		"not yet valid":   accessToken(t, srv, with(map[string]any{"nbf": now.Add(time.Hour).Unix()})),
		"other audience":  accessToken(t, srv, with(map[string]any{"aud": "someone-else"})),
		"other issuer":    accessToken(t, srv, with(map[string]any{"iss": "https://idp.example.org"})),
		"unpublished key": signedBy(t, other, srv, admin),
		"an ID token":     accessToken(t, srv, with(map[string]any{"nonce": "n"})),
		"not a JWT":       "not-a-token",
	}
	for name, tok := range bad {
		resp, body := bearer(t, srv, http.MethodGet, reports, tok, nil)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
			t.Errorf("%s: %d %q %s", name, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
		}
	}
}

func TestAPIAudienceIsConfigurable(t *testing.T) {
	srv := testenv.NewServer(t, func(cfg *config.Config, _ *app.Options) { cfg.APIAudience = "https://api.onramp.example" })
	client := map[string]any{"sub": "funder-tool", "client_id": "funder-tool", "roles": []string{"admin"}}
	client["aud"] = "https://api.onramp.example"
	if resp, body := bearer(t, srv, http.MethodGet, "/api/v1/reports/outcomes", accessToken(t, srv, client), nil); resp.StatusCode != http.StatusOK {
		t.Errorf("a token for the configured audience: %d %s", resp.StatusCode, body)
	}
	client["aud"] = srv.App.Config.OIDCClientID
	if resp, _ := bearer(t, srv, http.MethodGet, "/api/v1/reports/outcomes", accessToken(t, srv, client), nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a token for the client id once an audience is set: %d, want 401", resp.StatusCode)
	}
}

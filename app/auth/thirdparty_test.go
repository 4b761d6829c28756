package auth_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"onramp/app"
	"onramp/app/config"
	"onramp/app/testenv"
)

// These tests sign in against panva's oidc-provider (testdata/provider.mjs),
// an OpenID Certified provider nobody on this team wrote, with Onramp
// configured and validated as `onramp serve` would be. They drive the
// provider's own login, consent and logout pages over real HTTP.

// newThirdPartyServer starts Onramp against a fresh oidc-provider, waits
// until it has discovered it, and returns it with the provider's issuer.
func newThirdPartyServer(t *testing.T) (*testenv.Server, string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(testenv.ModuleRoot(t), "assets", "node_modules", "oidc-provider", "package.json")); err != nil {
		t.Fatal("oidc-provider is not installed in assets/node_modules: run `make npm`")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not on PATH: install Node.js 20 or later, then run `make npm`")
	}
	var issuer string
	srv := testenv.NewServer(t, func(cfg *config.Config, _ *app.Options) {
		cfg.Mode, cfg.DevIdP = config.ModeServe, false
		cfg.OIDCClientID, cfg.OIDCClientSecret = "onramp", rand.Text()
		cfg.OIDCRolesClaim = "realm_access.roles"
		cfg.OIDCExtraScopes = []string{"roles"}
		issuer = startProvider(t, node, map[string]any{
			"client_id":                 cfg.OIDCClientID,
			"client_secret":             cfg.OIDCClientSecret,
			"redirect_uris":             []string{cfg.BaseURL + "/auth/callback"},
			"post_logout_redirect_uris": []string{cfg.BaseURL + "/auth/signed-out"},
			"backchannel_logout_uri":    cfg.BaseURL + "/auth/backchannel-logout",
		})
		cfg.OIDCIssuerURL = issuer
	})
	srv.WaitForProvider(t)
	return srv, issuer
}

// startProvider runs testdata/provider.mjs with one registered client and
// returns its issuer. The provider is killed when the test ends; its output
// is logged if the test failed.
func startProvider(t *testing.T, node string, client map[string]any) string {
	t.Helper()
	meta, err := json.Marshal(client)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join("testdata", "provider.mjs"))
	cmd.Env = append(os.Environ(), "CLIENT="+string(meta))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	logs := &lockedBuffer{}
	cmd.Stderr = logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready, exited := make(chan string, 1), make(chan struct{})
	go func() {
		defer close(exited)
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			if issuer, ok := strings.CutPrefix(lines.Text(), "READY "); ok {
				ready <- issuer
				continue
			}
			logs.Write([]byte(lines.Text() + "\n"))
		}
	}()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited // all output read before Wait closes the pipe
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("oidc-provider output:\n%s", logs)
		}
	})
	select {
	case issuer := <-ready:
		return issuer
	case <-exited:
		t.Fatalf("oidc-provider exited before it was ready:\n%s", logs)
	case <-time.After(20 * time.Second):
		t.Fatalf("oidc-provider was not ready within 20s:\n%s", logs)
	}
	return ""
}

// lockedBuffer collects a child process's output from several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var (
	formTag  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	inputTag = regexp.MustCompile(`(?is)<input\b([^>]*)>`)
	attr     = regexp.MustCompile(`(?s)([\w-]+)="([^"]*)"`)
)

func attrs(tag string) map[string]string {
	m := map[string]string{}
	for _, a := range attr.FindAllStringSubmatch(tag, -1) {
		m[strings.ToLower(a[1])] = html.UnescapeString(a[2])
	}
	return m
}

// throughProvider plays the person at the provider: while resp is one of
// the provider's pages, it submits the page's form, until the browser is
// back on Onramp. It returns Onramp's response, body unread.
func throughProvider(t *testing.T, srv *testenv.Server, c *testenv.Client, resp *http.Response, fill url.Values) *http.Response {
	t.Helper()
	onramp, _ := url.Parse(srv.URL)
	for range 6 {
		if resp.Request.URL.Host == onramp.Host {
			return resp
		}
		resp = submitForm(t, c, resp, fill)
	}
	t.Fatalf("still at the provider after 6 pages: %s", resp.Request.URL)
	return nil
}

// submitForm submits the form on the provider's page resp with its hidden
// inputs plus those fields of fill the page names (login and password on
// the login page, logout=yes on the logout page's button).
func submitForm(t *testing.T, c *testenv.Client, resp *http.Response, fill url.Values) *http.Response {
	t.Helper()
	page := testenv.Body(t, resp)
	form := formTag.FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || form == nil {
		t.Fatalf("provider page %s (%d) has no form:\n%s", resp.Request.URL, resp.StatusCode, page)
	}
	action, err := resp.Request.URL.Parse(attrs(form[1])["action"])
	if err != nil {
		t.Fatal(err)
	}
	fields := url.Values{}
	for _, in := range inputTag.FindAllStringSubmatch(form[2], -1) {
		if a := attrs(in[1]); a["type"] == "hidden" {
			fields.Set(a["name"], a["value"])
		}
	}
	for name, v := range fill {
		if strings.Contains(page, `name="`+name+`"`) {
			fields[name] = v
		}
	}
	if resp, err = c.Client.PostForm(action.String(), fields); err != nil {
		t.Fatal(err)
	}
	return resp
}

// signInThirdParty signs c in as the provider's login and returns where
// Onramp landed it, with c.CSRF set from /api/v1/me.
func signInThirdParty(t *testing.T, srv *testenv.Server, c *testenv.Client, login string) *http.Response {
	t.Helper()
	resp := throughProvider(t, srv, c, c.Get("/auth/login"), url.Values{"login": {login}, "password": {"any password"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("signing in as %s ended on %s with %d", login, resp.Request.URL, resp.StatusCode)
	}
	var me struct {
		CSRFToken string `json:"csrf_token"`
	}
	c.JSON("/api/v1/me", &me)
	c.CSRF = me.CSRFToken
	return resp
}

type thirdPartyMe struct {
	Email string   `json:"email"`
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
}

func TestThirdPartyProviderSignsStaffInWithNestedRolesFromUserinfo(t *testing.T) {
	srv, _ := newThirdPartyServer(t)
	c := srv.NewClient(t)
	resp := signInThirdParty(t, srv, c, "staff")
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/manage" {
		t.Fatalf("staff sign-in ended on %s with %d, want /manage 200", resp.Request.URL, resp.StatusCode)
	}
	var me thirdPartyMe
	c.JSON("/api/v1/me", &me)
	// email, name and realm_access come only from userinfo (the ID token
	// carries none of them), and offline_access is not an Onramp role.
	if me.Email != "casey.staff@thirdparty.example" || me.Name != "Casey Staff" || !slices.Equal(me.Roles, []string{"manager"}) {
		t.Errorf("/api/v1/me = %+v, want casey.staff@thirdparty.example, Casey Staff, [manager]", me)
	}
}

func TestThirdPartyProviderSignsPersonWithoutRolesInAsLearner(t *testing.T) {
	srv, _ := newThirdPartyServer(t)
	c := srv.NewClient(t)
	resp := signInThirdParty(t, srv, c, "learner")
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/learn" {
		t.Fatalf("learner sign-in ended on %s with %d, want /learn 200", resp.Request.URL, resp.StatusCode)
	}
	var me thirdPartyMe
	c.JSON("/api/v1/me", &me)
	if me.Email != "lee.learner@thirdparty.example" || !slices.Equal(me.Roles, []string{"learner"}) {
		t.Errorf("/api/v1/me = %+v, want lee.learner@thirdparty.example, [learner]", me)
	}
}

func TestThirdPartyProviderSignOutEndsAtTheProviderAndComesBack(t *testing.T) {
	srv, _ := newThirdPartyServer(t)
	c := srv.NewClient(t)
	signInThirdParty(t, srv, c, "staff").Body.Close()

	resp := c.PostForm("/auth/logout", nil)
	if resp.Request.URL.Host == strings.TrimPrefix(srv.URL, "http://") {
		t.Fatalf("sign-out did not go through the provider's end_session_endpoint; ended on %s", resp.Request.URL)
	}
	resp = throughProvider(t, srv, c, resp, url.Values{"logout": {"yes"}})
	body := testenv.Body(t, resp)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/auth/signed-out" || !strings.Contains(body, "You have signed out") {
		t.Fatalf("sign-out ended on %s with %d", resp.Request.URL, resp.StatusCode)
	}
	if got := meStatus(t, c); got != http.StatusUnauthorized {
		t.Errorf("after sign-out /api/v1/me = %d, want 401", got)
	}
	// The provider's session ended too: signing in again asks for a login.
	resp = c.Get("/auth/login")
	page := testenv.Body(t, resp)
	if !strings.Contains(page, `name="login"`) {
		t.Errorf("after sign-out the provider did not ask for a login again; ended on %s", resp.Request.URL)
	}
}

func TestThirdPartyProviderBackChannelLogoutEndsOnlyThatProviderSession(t *testing.T) {
	srv, issuer := newThirdPartyServer(t)
	first, second := srv.NewClient(t), srv.NewClient(t)
	signInThirdParty(t, srv, first, "staff").Body.Close()
	signInThirdParty(t, srv, second, "staff").Body.Close()

	// The person signs out at the provider itself in the second browser,
	// not through Onramp: the provider tells Onramp over the back channel.
	// Its logout token names that browser's provider session (sid), so the
	// first browser stays signed in.
	var discovery struct {
		EndSession string `json:"end_session_endpoint"`
	}
	providerJSON(t, second, issuer+"/.well-known/openid-configuration", &discovery)
	endAtProvider(t, second, discovery.EndSession)
	if got := meStatus(t, second); got != http.StatusUnauthorized {
		t.Errorf("second browser after back-channel logout: /api/v1/me = %d, want 401", got)
	}
	if got := meStatus(t, first); got != http.StatusOK {
		t.Fatalf("first browser was signed out by the other browser's logout: /api/v1/me = %d, want 200", got)
	}

	endAtProvider(t, first, discovery.EndSession)
	if got := meStatus(t, first); got != http.StatusUnauthorized {
		t.Errorf("first browser after back-channel logout: /api/v1/me = %d, want 401", got)
	}
}

// endAtProvider signs the browser out on the provider's own end-session
// page and requires the provider's "signed out" page: no Onramp page is
// involved, so only the back channel can tell Onramp.
func endAtProvider(t *testing.T, c *testenv.Client, endSession string) {
	t.Helper()
	resp, err := c.Client.Get(endSession)
	if err != nil {
		t.Fatal(err)
	}
	resp = submitForm(t, c, resp, url.Values{"logout": {"yes"}})
	if page := testenv.Body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(page, "Sign-out Success") {
		t.Fatalf("provider sign-out ended on %s with %d:\n%s", resp.Request.URL, resp.StatusCode, page)
	}
}

func providerJSON(t *testing.T, c *testenv.Client, u string, v any) {
	t.Helper()
	resp, err := c.Client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

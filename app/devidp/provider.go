// Package devidp is an embedded OpenID Connect provider for `onramp dev` and
// for tests. It signs demo users in without a password, so it must never be
// mounted in production.
//
// The provider is built on github.com/ory/fosite: fosite runs the
// authorization code flow (PKCE S256 required, single-use codes) and this
// package adds the parts fosite leaves to its host: the sign-in page,
// discovery, JWKS, userinfo, RP-initiated logout and back-channel logout.
package devidp

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/ory/fosite"
)

// Endpoint paths, relative to the issuer.
const (
	discoveryPath  = "/.well-known/openid-configuration"
	jwksPath       = "/jwks"
	authorizePath  = "/authorize"
	tokenPath      = "/token"
	userinfoPath   = "/userinfo"
	endSessionPath = "/end-session"
)

// supportedScopes are the scopes every client may request.
var supportedScopes = []string{"openid", "email", "profile", "roles"}

// User is a demo account the provider can sign in.
type User struct {
	Subject string   // stable, e.g. "demo-learner"
	Email   string   // unique, matched case-insensitively against login_hint
	Name    string   // shown on the sign-in page and in the name claim
	Roles   []string // emitted in the roles claim
}

// Client is a relying party registered with the provider.
type Client struct {
	ID                     string
	Secret                 string   // checked with client_secret_basic or client_secret_post
	RedirectURIs           []string // exact matches only
	PostLogoutRedirectURIs []string // where end-session may send the browser back to
	BackchannelLogoutURI   string   // optional; end-session POSTs a logout token here
}

// Config configures a Provider. Issuer, Users and Clients are required.
type Config struct {
	Issuer        string // absolute URL including the mount path, e.g. "http://127.0.0.1:8080/dev/idp"
	Users         []User
	Clients       []Client
	RolesClaim    string           // claim name for roles; default "roles"
	StylesheetURL string           // optional <link rel=stylesheet> for the sign-in page
	Now           func() time.Time // optional clock for token time claims; default time.Now
	HTTPClient    *http.Client     // optional, for back-channel logout POSTs
	Logger        *slog.Logger     // optional; default slog.Default()
}

// Provider is an OpenID Connect provider serving every endpoint under the
// issuer's path. It is safe for concurrent use.
type Provider struct {
	issuer        string
	basePath      string // the issuer's path, "" when served at the root
	users         []User
	clients       map[string]Client
	rolesClaim    string
	stylesheetURL string
	now           func() time.Time
	httpClient    *http.Client
	log           *slog.Logger

	key   *rsa.PrivateKey
	kid   string
	oauth fosite.OAuth2Provider
	pages *template.Template

	mu            sync.Mutex
	mutateIDToken func(claims map[string]any)
}

// New checks cfg, generates a fresh RSA-2048 signing key and returns a
// Provider ready to serve. It returns an error when cfg is incomplete or
// inconsistent (relative issuer, duplicate user emails or client IDs, a
// client without a secret or redirect URI).
func New(cfg Config) (*Provider, error) {
	issuer, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("devidp: generate signing key: %w", err)
	}
	thumb, err := (&jose.JSONWebKey{Key: &key.PublicKey}).Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("devidp: key id: %w", err)
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}

	p := &Provider{
		issuer:        cfg.Issuer,
		basePath:      issuer.Path,
		users:         cfg.Users,
		clients:       make(map[string]Client, len(cfg.Clients)),
		rolesClaim:    cfg.RolesClaim,
		stylesheetURL: cfg.StylesheetURL,
		now:           cfg.Now,
		httpClient:    cfg.HTTPClient,
		log:           cfg.Logger,
		key:           key,
		kid:           base64.RawURLEncoding.EncodeToString(thumb),
		pages:         pages,
	}
	if p.rolesClaim == "" {
		p.rolesClaim = "roles"
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.httpClient == nil {
		p.httpClient = &http.Client{Timeout: 5 * time.Second}
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	for _, c := range cfg.Clients {
		p.clients[c.ID] = c
	}
	if p.oauth, err = p.composeOAuth2(cfg.Clients); err != nil {
		return nil, err
	}
	return p, nil
}

// validate reports the first problem with cfg and returns the parsed issuer.
func (cfg Config) validate() (*url.URL, error) {
	issuer, err := url.Parse(cfg.Issuer)
	switch {
	case err != nil:
		return nil, fmt.Errorf("devidp: issuer: %w", err)
	case issuer.Scheme != "http" && issuer.Scheme != "https", issuer.Host == "":
		return nil, fmt.Errorf("devidp: issuer %q must be an absolute http(s) URL", cfg.Issuer)
	case issuer.RawQuery != "" || issuer.Fragment != "":
		return nil, fmt.Errorf("devidp: issuer %q must not have a query or fragment", cfg.Issuer)
	case strings.HasSuffix(issuer.Path, "/"):
		return nil, fmt.Errorf("devidp: issuer %q must not end with a slash", cfg.Issuer)
	case len(cfg.Users) == 0:
		return nil, errors.New("devidp: at least one user is required")
	case len(cfg.Clients) == 0:
		return nil, errors.New("devidp: at least one client is required")
	}

	subjects, emails := map[string]bool{}, map[string]bool{}
	for _, u := range cfg.Users {
		email := strings.ToLower(u.Email)
		switch {
		case u.Subject == "" || u.Email == "":
			return nil, fmt.Errorf("devidp: user %q needs a subject and an email", u.Name)
		case subjects[u.Subject]:
			return nil, fmt.Errorf("devidp: duplicate user subject %q", u.Subject)
		case emails[email]:
			return nil, fmt.Errorf("devidp: duplicate user email %q", u.Email)
		}
		subjects[u.Subject], emails[email] = true, true
	}

	ids := map[string]bool{}
	for _, c := range cfg.Clients {
		switch {
		case c.ID == "" || c.Secret == "":
			return nil, fmt.Errorf("devidp: client %q needs an ID and a secret", c.ID)
		case ids[c.ID]:
			return nil, fmt.Errorf("devidp: duplicate client ID %q", c.ID)
		case len(c.RedirectURIs) == 0:
			return nil, fmt.Errorf("devidp: client %q needs at least one redirect URI", c.ID)
		}
		ids[c.ID] = true
	}
	return issuer, nil
}

// ServeHTTP routes a request by its full path, which must start with the
// issuer's path. Anything else is 404 Not Found.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	endpoint, ok := strings.CutPrefix(r.URL.Path, p.basePath)
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch endpoint {
	case discoveryPath:
		if allow(w, r, http.MethodGet) {
			p.serveDiscovery(w)
		}
	case jwksPath:
		if allow(w, r, http.MethodGet) {
			p.serveJWKS(w)
		}
	case authorizePath:
		if allow(w, r, http.MethodGet, http.MethodPost) {
			p.serveAuthorize(w, r)
		}
	case tokenPath:
		if allow(w, r, http.MethodPost) {
			p.serveToken(w, r)
		}
	case userinfoPath:
		if allow(w, r, http.MethodGet, http.MethodPost) {
			p.serveUserinfo(w, r)
		}
	case endSessionPath:
		if allow(w, r, http.MethodGet, http.MethodPost) {
			p.serveEndSession(w, r)
		}
	default:
		http.NotFound(w, r)
	}
}

// allow answers 405 Method Not Allowed unless r uses one of methods.
func allow(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

// userByEmail finds the demo user whose email matches, ignoring case.
func (p *Provider) userByEmail(email string) (User, bool) {
	for _, u := range p.users {
		if strings.EqualFold(u.Email, email) {
			return u, true
		}
	}
	return User{}, false
}

// userBySubject finds the demo user with the given subject.
func (p *Provider) userBySubject(subject string) (User, bool) {
	for _, u := range p.users {
		if u.Subject == subject {
			return u, true
		}
	}
	return User{}, false
}

// userClaims are the identity claims shared by ID tokens and userinfo.
func (p *Provider) userClaims(u User) map[string]any {
	roles := append([]string{}, u.Roles...) // never null in JSON
	return map[string]any{
		"email":          u.Email,
		"email_verified": true,
		"name":           u.Name,
		p.rolesClaim:     roles,
	}
}

package auth

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"gorm.io/gorm"
)

// Options configure the OpenID Connect relying party.
type Options struct {
	IssuerURL    string
	ClientID     string
	ClientSecret string
	RolesClaim   string   // claim name or dotted path, e.g. "roles" or "realm_access.roles"
	ExtraScopes  []string // asked for on top of openid, email and profile
	BaseURL      string   // where the provider sends people back, without trailing slash
	// APIAudience is the audience the provider's access tokens must
	// include to call the API; the client id when empty.
	APIAudience string
	Secure      bool // cookies only over https
	// IdleTimeout and AbsoluteTimeout end sessions left unused, and all
	// sessions after a while regardless.
	IdleTimeout, AbsoluteTimeout time.Duration
	HTTPClient                   *http.Client
	// RetryMin and RetryMax bound the back-off between discovery attempts
	// while the provider is unreachable.
	RetryMin, RetryMax time.Duration
	Now                func() time.Time
}

// Auth is the relying party plus the session and CSRF middleware.
type Auth struct {
	opts     Options
	dir      Directory
	tokens   Tokens // nil when dir does not admit programs
	sessions *scs.SessionManager
	db       *gorm.DB

	mu   sync.RWMutex
	prov *provider // nil until discovery succeeds
}

// provider is what discovery learnt about the identity provider.
type provider struct {
	oauth      oauth2.Config
	idVerifier *oidc.IDTokenVerifier
	// accessVerifier checks access tokens sent to the API: the same
	// issuer and keys, the API's audience.
	accessVerifier *oidc.IDTokenVerifier
	raw            *oidc.Provider
	endSession     string
}

// New returns the relying party. Call Discover to start looking for the
// provider; until it is found, sign-in answers 503 but everything else,
// including existing sessions, keeps working. When dir also implements
// Tokens, bearer tokens are admitted too.
func New(o Options, dir Directory, sessions *scs.SessionManager, g *gorm.DB) *Auth {
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.RetryMin <= 0 {
		o.RetryMin = 250 * time.Millisecond
	}
	if o.RetryMax <= 0 {
		o.RetryMax = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 30 * time.Minute
	}
	if o.AbsoluteTimeout <= 0 {
		o.AbsoluteTimeout = 12 * time.Hour
	}
	if o.RolesClaim == "" {
		o.RolesClaim = "roles"
	}
	if o.APIAudience == "" {
		o.APIAudience = o.ClientID
	}
	tokens, _ := dir.(Tokens)
	return &Auth{opts: o, dir: dir, tokens: tokens, sessions: sessions, db: g}
}

// Discover fetches the provider's configuration in the background, retrying
// with back-off until it succeeds or ctx ends.
func (a *Auth) Discover(ctx context.Context) {
	go func() {
		wait := a.opts.RetryMin
		for {
			err := a.discoverOnce(ctx)
			if err == nil {
				slog.Info("identity provider discovered", "issuer", a.opts.IssuerURL)
				return
			}
			slog.Warn("identity provider unreachable, will retry", "issuer", a.opts.IssuerURL, "in", wait.String(), "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = min(wait*2, a.opts.RetryMax)
		}
	}()
}

func (a *Auth) discoverOnce(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, a.opts.HTTPClient), 15*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(ctx, a.opts.IssuerURL)
	if err != nil {
		return err
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := p.Claims(&extra); err != nil {
		return fmt.Errorf("reading discovery document: %w", err)
	}
	prov := &provider{
		raw: p,
		oauth: oauth2.Config{
			ClientID:     a.opts.ClientID,
			ClientSecret: a.opts.ClientSecret,
			Endpoint:     p.Endpoint(),
			RedirectURL:  a.opts.BaseURL + "/auth/callback",
			Scopes:       append([]string{oidc.ScopeOpenID, "email", "profile"}, a.opts.ExtraScopes...),
		},
		idVerifier: p.Verifier(&oidc.Config{ClientID: a.opts.ClientID, Now: a.opts.Now}),
		accessVerifier: p.Verifier(&oidc.Config{ClientID: a.opts.APIAudience, Now: a.opts.Now,
			SupportedSigningAlgs: accessTokenAlgs}),
		endSession: extra.EndSession,
	}
	a.mu.Lock()
	a.prov = prov
	a.mu.Unlock()
	return nil
}

// Ready reports whether the provider has been discovered.
func (a *Auth) Ready() bool { return a.current() != nil }

func (a *Auth) current() *provider {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.prov
}

func (a *Auth) clientContext(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, a.opts.HTTPClient)
}

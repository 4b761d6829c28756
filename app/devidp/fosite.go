package devidp

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/storage"
	fositejwt "github.com/ory/fosite/token/jwt"
	"golang.org/x/crypto/bcrypt"
)

// composeOAuth2 builds the fosite provider: authorization code grant with
// OpenID Connect, PKCE and access-token introspection (for userinfo), backed
// by fosite's in-memory store.
func (p *Provider) composeOAuth2(clients []Client) (fosite.OAuth2Provider, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("devidp: global secret: %w", err)
	}
	config := &fosite.Config{
		IDTokenIssuer:         p.issuer,
		AccessTokenIssuer:     p.issuer,
		TokenURL:              p.issuer + tokenPath,
		IDTokenLifespan:       time.Hour,
		AccessTokenLifespan:   time.Hour,
		AuthorizeCodeLifespan: 10 * time.Minute,
		GlobalSecret:          secret,
		ScopeStrategy:         fosite.ExactScopeStrategy,
		EnforcePKCE:           true,
		// Client secrets are demo values; the cheapest bcrypt cost keeps
		// start-up and every token request fast.
		HashCost: bcrypt.MinCost,
		// Development only: show fosite's reasons to the developer, and allow
		// plain-http redirect URIs on hosts other than localhost (containers).
		SendDebugMessagesToClients: true,
		RedirectSecureChecker:      func(context.Context, *url.URL) bool { return true },
	}

	store := storage.NewMemoryStore()
	ctx := context.Background()
	for _, c := range clients {
		hash, err := config.GetSecretsHasher(ctx).Hash(ctx, []byte(c.Secret))
		if err != nil {
			return nil, fmt.Errorf("devidp: hash secret of client %q: %w", c.ID, err)
		}
		store.Clients[c.ID] = &fosite.DefaultClient{
			ID:            c.ID,
			Secret:        hash,
			RedirectURIs:  c.RedirectURIs,
			GrantTypes:    []string{"authorization_code"},
			ResponseTypes: []string{"code"},
			Scopes:        supportedScopes,
		}
	}

	keyFn := func(context.Context) (any, error) { return p.key, nil }
	verifier := &fositejwt.DefaultSigner{GetPrivateKey: keyFn}
	strategy := &compose.CommonStrategy{
		CoreStrategy: compose.NewOAuth2HMACStrategy(config),
		OpenIDConnectTokenStrategy: &openid.DefaultStrategy{
			Signer: &idTokenSigner{DefaultSigner: verifier, p: p},
			Config: config,
		},
		Signer: verifier,
	}
	return compose.Compose(config, store, strategy,
		compose.OAuth2AuthorizeExplicitFactory,
		compose.OpenIDConnectExplicitFactory,
		compose.OAuth2PKCEFactory, // after the code handler: it binds the challenge to the code
		compose.OAuth2TokenIntrospectionFactory,
	), nil
}

// idTokenSigner is the fosite signer for ID tokens. It lets the test hook
// edit the claims and signs them with the provider key, so the header
// carries the kid that RPs look up in the JWKS. Verification is left to the
// embedded DefaultSigner.
type idTokenSigner struct {
	*fositejwt.DefaultSigner
	p *Provider
}

var _ fositejwt.Signer = (*idTokenSigner)(nil)

// Generate signs claims as an ID token. fosite passes a fresh map for every
// token, so editing it in place is safe. The header fosite offers is empty
// for ID tokens and is replaced by the provider's own.
func (s *idTokenSigner) Generate(_ context.Context, claims fositejwt.MapClaims, _ fositejwt.Mapper) (string, string, error) {
	c := map[string]any(claims)
	s.p.onConfiguredClock(c)
	if mutate := s.p.idTokenMutator(); mutate != nil {
		mutate(c)
	}
	token, err := s.p.SignJWT(c, "JWT")
	if err != nil {
		return "", "", err
	}
	return token, token[strings.LastIndexByte(token, '.')+1:], nil
}

// onConfiguredClock moves the time claims fosite stamped with the wall
// clock onto Config.Now, so a test clock sees consistent iat, exp and
// auth_time. fosite's own checks (code and access token expiry) keep using
// the wall clock.
func (p *Provider) onConfiguredClock(claims map[string]any) {
	offset := int64(p.now().Sub(time.Now()).Round(time.Second) / time.Second)
	if offset == 0 {
		return
	}
	for _, name := range []string{"iat", "exp", "auth_time", "rat"} {
		if v, ok := claims[name].(int64); ok {
			claims[name] = v + offset
		}
	}
}

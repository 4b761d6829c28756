package devidp

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// logoutTokenLifetime is how long a back-channel logout token is valid.
const logoutTokenLifetime = 2 * time.Minute

// backchannelLogoutEvent is the events member that marks a logout token.
const backchannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"

// MutateIDTokens installs f to edit every ID token's claims just before it
// is signed, so relying-party tests can forge bad tokens (wrong nonce,
// expired, foreign audience). Pass nil to go back to honest tokens.
func (p *Provider) MutateIDTokens(f func(claims map[string]any)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mutateIDToken = f
}

// idTokenMutator returns the hook installed by MutateIDTokens, or nil.
func (p *Provider) idTokenMutator() func(map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mutateIDToken
}

// SignJWT signs arbitrary claims with the provider key (RS256, kid set) and
// puts typ in the header, e.g. "JWT" or "logout+jwt"; an empty typ leaves
// it out. It returns an error only if the claims cannot be encoded as JSON.
func (p *Provider) SignJWT(claims map[string]any, typ string) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("devidp: encode claims: %w", err)
	}
	opts := &jose.SignerOptions{}
	if typ != "" {
		opts = opts.WithType(jose.ContentType(typ))
	}
	key := jose.SigningKey{Algorithm: jose.RS256, Key: p.signingKey()}
	signer, err := jose.NewSigner(key, opts)
	if err != nil {
		return "", fmt.Errorf("devidp: signer: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("devidp: sign: %w", err)
	}
	return jws.CompactSerialize()
}

// LogoutToken returns a valid back-channel logout token for subject and sid,
// addressed to clientID and valid for two minutes (OpenID Connect
// Back-Channel Logout 1.0, section 2.4). It carries no nonce, as the spec
// requires, and leaves out an empty subject or sid.
func (p *Provider) LogoutToken(clientID, subject, sid string) (string, error) {
	now := p.now()
	claims := map[string]any{
		"iss":    p.issuer,
		"aud":    clientID,
		"iat":    now.Unix(),
		"exp":    now.Add(logoutTokenLifetime).Unix(),
		"jti":    rand.Text(),
		"events": map[string]any{backchannelLogoutEvent: map[string]any{}},
	}
	// The spec wants sub, sid or both; an empty one is left out, not sent blank.
	if subject != "" {
		claims["sub"] = subject
	}
	if sid != "" {
		claims["sid"] = sid
	}
	return p.SignJWT(claims, "logout+jwt")
}

// signingKey is the private key with its kid, as go-jose wants it.
func (p *Provider) signingKey() jose.JSONWebKey {
	return jose.JSONWebKey{Key: p.key, KeyID: p.kid, Algorithm: string(jose.RS256), Use: "sig"}
}

// publicKeys is the JWKS the provider publishes.
func (p *Provider) publicKeys() jose.JSONWebKeySet {
	public := p.signingKey()
	public.Key = &p.key.PublicKey
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{public}}
}

package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
)

// Service-token scopes: which API reads a reporting tool's token may make.
const (
	// ScopeReportsRead reads the outcomes and equality reports.
	ScopeReportsRead = "reports:read"
	// ScopeCohortsRead lists cohorts and organisations and reads cohort
	// progress.
	ScopeCohortsRead = "cohorts:read"
)

// AllScopes lists every service-token scope.
var AllScopes = []string{ScopeReportsRead, ScopeCohortsRead}

// ServiceTokenPrefix starts every service token, so a token pasted into a
// chat or a repository is recognisable (and cannot be mistaken for a JWT).
const ServiceTokenPrefix = "onr_"

// ctxBearer marks a request authenticated by an Authorization header
// rather than the session cookie.
const ctxBearer = "auth.bearer"

// bearerChallenge is the WWW-Authenticate of every 401 from the API
// (RFC 6750): a session cookie or a bearer token will do.
const bearerChallenge = `Bearer realm="onramp"`

// accessTokenAlgs are the signatures accepted on an identity provider's
// access tokens: RSA and elliptic-curve, never "none" or a shared secret.
var accessTokenAlgs = []string{oidc.RS256, oidc.RS384, oidc.RS512, oidc.ES256, oidc.ES384, oidc.ES512,
	oidc.PS256, oidc.PS384, oidc.PS512, oidc.EdDSA}

// ErrTokenInvalid is returned by Tokens when a bearer token is unknown,
// expired or revoked.
var ErrTokenInvalid = errors.New("auth: bearer token not valid")

// BearerIdentity is what a verified access token from the identity
// provider says about its holder.
type BearerIdentity struct {
	Issuer        string
	Subject       string
	Email         string // empty when the token carries none
	EmailVerified bool
	Name          string
	Roles         []string // from the roles claim, unknown names removed; nil without the claim
	// Client is true for a client-credentials token: a program acting
	// for itself, with no person behind it.
	Client   bool
	ClientID string
}

// Tokens is what auth needs from the identity module to admit programs:
// identity owns service tokens and the accounts access tokens name.
type Tokens interface {
	// UseServiceToken returns the principal of an active service token
	// whose secret is secret, recording the use (use is "METHOD path") in
	// the token's last use and the audit log. Errors: ErrTokenInvalid for
	// an unknown, expired or revoked token.
	UseServiceToken(ctx context.Context, secret, use string) (*User, error)
	// BearerUser returns the account an identity provider's access token
	// names: the person it was issued to, or for a client-credentials
	// token (or one naming nobody known and carrying no email) the
	// client's service identity, created on first use.
	BearerUser(ctx context.Context, id BearerIdentity) (*User, error)
}

// HashServiceToken is how a service token is stored: its SHA-256. The
// secret has 256 random bits, so a fast hash is enough.
func HashServiceToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// NewServiceTokenSecret returns a fresh service token.
func NewServiceTokenSecret() string { return ServiceTokenPrefix + randomToken() }

// ViaBearer reports whether the request was authenticated by a bearer
// token (a service token or an identity provider's access token).
func ViaBearer(c echo.Context) bool {
	v, _ := c.Get(ctxBearer).(bool)
	return v
}

// bearerToken returns the token of an "Authorization: Bearer" header.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// loadBearer admits a request carrying a bearer token, ignoring any
// session cookie, or answers 401 with an RFC 6750 challenge.
func (a *Auth) loadBearer(c echo.Context, raw string, next echo.HandlerFunc) error {
	ctx := c.Request().Context()
	if a.tokens == nil {
		return a.refuseBearer(c, errors.New("no token directory"))
	}
	var u *User
	var err error
	if strings.HasPrefix(raw, ServiceTokenPrefix) {
		u, err = a.tokens.UseServiceToken(ctx, raw, c.Request().Method+" "+c.Request().URL.Path)
	} else {
		u, err = a.accessTokenUser(ctx, raw)
	}
	if errors.Is(err, ErrTokenInvalid) {
		return a.refuseBearer(c, err)
	}
	if err != nil {
		return err
	}
	c.Set(ctxUser, u)
	c.Set(ctxBearer, true)
	return next(c)
}

func (a *Auth) refuseBearer(c echo.Context, err error) error {
	slog.InfoContext(c.Request().Context(), "bearer token refused", "path", c.Request().URL.Path, "err", err)
	c.Response().Header().Set("WWW-Authenticate",
		bearerChallenge+`, error="invalid_token", error_description="The access token is expired, revoked or not valid"`)
	return &apperr.Error{Kind: apperr.Unauthorized, Code: "invalid-token",
		Message: "The access token is expired, revoked or not valid. Get a new one."}
}

// accessTokenUser verifies an identity provider's JWT access token
// (signature against the issuer's published keys, issuer, audience,
// expiry and not-before, by go-oidc) and finds the account it names.
func (a *Auth) accessTokenUser(ctx context.Context, raw string) (*User, error) {
	prov := a.current()
	if prov == nil {
		return nil, apperr.New(apperr.Unavailable, "Access tokens cannot be checked right now. Try again in a minute.")
	}
	tok, err := prov.accessVerifier.Verify(a.clientContext(ctx), raw)
	if err != nil {
		return nil, errors.Join(ErrTokenInvalid, err)
	}
	claims := map[string]any{}
	if err := tok.Claims(&claims); err != nil {
		return nil, errors.Join(ErrTokenInvalid, err)
	}
	// An ID token proves a sign-in to Onramp, not a grant to call it; ours
	// always carry a nonce and access tokens never do.
	if _, isIDToken := claims["nonce"]; isIDToken || tok.Subject == "" {
		return nil, errors.Join(ErrTokenInvalid, errors.New("an ID token or a token without a subject"))
	}
	clientID := stringClaim(claims, "client_id")
	if clientID == "" {
		clientID = stringClaim(claims, "azp")
	}
	id := BearerIdentity{
		Issuer:        tok.Issuer,
		Subject:       tok.Subject,
		Email:         strings.ToLower(strings.TrimSpace(stringClaim(claims, "email"))),
		EmailVerified: boolClaim(claims, "email_verified"),
		Name:          strings.TrimSpace(stringClaim(claims, "name")),
		ClientID:      clientID,
		Client:        clientCredentials(claims, tok.Subject, clientID),
	}
	if v := lookupClaim(claims, a.opts.RolesClaim); v != nil {
		id.Roles = append([]string{}, rolesFrom(v)...) // not nil: the claim is there
	}
	return a.tokens.BearerUser(ctx, id)
}

// clientCredentials recognises a token a client got for itself, in the
// ways providers mark one: RFC 9068 says its sub is the client's id;
// Auth0 sets gty, Microsoft Entra idtyp, Keycloak names a service-account
// user.
func clientCredentials(claims map[string]any, subject, clientID string) bool {
	return (clientID != "" && subject == clientID) ||
		stringClaim(claims, "gty") == "client-credentials" ||
		stringClaim(claims, "idtyp") == "app" ||
		strings.HasPrefix(stringClaim(claims, "preferred_username"), "service-account-")
}

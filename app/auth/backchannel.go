package auth

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"github.com/labstack/echo/v4"

	"onramp/app/db"
)

const backchannelEvent = "http://schemas.openid.net/event/backchannel-logout"

// backchannelLogout ends the sessions a provider says have ended
// (OpenID Connect Back-Channel Logout 1.0). It answers 200 when done and
// 400 for a token it cannot trust; providers do not follow redirects.
func (a *Auth) backchannelLogout(c echo.Context) error {
	ctx := c.Request().Context()
	c.Response().Header().Set("Cache-Control", "no-store")
	refuse := func(why error) error {
		slog.WarnContext(ctx, "back-channel logout refused", "err", why)
		return c.JSON(http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "logout token not accepted"})
	}
	prov := a.current()
	if prov == nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
	}
	raw := c.FormValue("logout_token")
	if raw == "" {
		return refuse(errors.New("no logout_token"))
	}
	lt, err := a.verifyLogoutToken(c, prov, raw)
	if err != nil {
		return refuse(err)
	}
	// Remember the token id so a replay is refused, whatever it asked for.
	res := db.Conn(ctx, a.db).Exec(
		"INSERT INTO logout_token_jtis (issuer, jti, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
		lt.issuer, lt.jti, a.opts.Now().Add(24*time.Hour))
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return refuse(errors.New("logout token replayed"))
	}
	n, err := a.dir.EndProviderSessions(ctx, lt.issuer, lt.subject, lt.sid)
	if err != nil {
		return err
	}
	slog.InfoContext(ctx, "back-channel logout", "sessions_ended", n)
	return c.NoContent(http.StatusOK)
}

type logoutToken struct{ issuer, subject, sid, jti string }

func (a *Auth) verifyLogoutToken(c echo.Context, prov *provider, raw string) (logoutToken, error) {
	// Explicit typing stops an ID token being replayed as a logout token.
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.ES256, jose.ES384, jose.ES512, jose.PS256})
	if err != nil || len(jws.Signatures) != 1 {
		return logoutToken{}, fmt.Errorf("malformed logout token: %w", err)
	}
	if typ, ok := jws.Signatures[0].Protected.ExtraHeaders["typ"].(string); ok {
		if t := strings.ToLower(typ); t != "logout+jwt" && t != "application/logout+jwt" {
			return logoutToken{}, fmt.Errorf("logout token has typ %q", typ)
		}
	}
	// Signature, issuer and audience; expiry is checked below because the
	// specification makes exp optional.
	v := prov.raw.Verifier(&oidc.Config{ClientID: a.opts.ClientID, SkipExpiryCheck: true, Now: a.opts.Now})
	tok, err := v.Verify(a.clientContext(c.Request().Context()), raw)
	if err != nil {
		return logoutToken{}, err
	}
	var claims struct {
		Sid    string         `json:"sid"`
		Jti    string         `json:"jti"`
		Iat    *int64         `json:"iat"`
		Exp    *int64         `json:"exp"`
		Nonce  *string        `json:"nonce"`
		Events map[string]any `json:"events"`
	}
	if err := tok.Claims(&claims); err != nil {
		return logoutToken{}, err
	}
	now := a.opts.Now()
	switch {
	case claims.Nonce != nil:
		return logoutToken{}, errors.New("logout token carries a nonce")
	case claims.Events == nil || claims.Events[backchannelEvent] == nil:
		return logoutToken{}, errors.New("logout token lacks the back-channel logout event")
	case tok.Subject == "" && claims.Sid == "":
		return logoutToken{}, errors.New("logout token names neither sub nor sid")
	case claims.Jti == "":
		return logoutToken{}, errors.New("logout token has no jti")
	case claims.Iat == nil || time.Unix(*claims.Iat, 0).Before(now.Add(-10*time.Minute)) || time.Unix(*claims.Iat, 0).After(now.Add(2*time.Minute)):
		return logoutToken{}, errors.New("logout token iat missing or out of range")
	case claims.Exp != nil && !time.Unix(*claims.Exp, 0).After(now):
		return logoutToken{}, errors.New("logout token expired")
	}
	if _, ok := claims.Events[backchannelEvent].(map[string]any); !ok {
		return logoutToken{}, errors.New("logout token event is not an object")
	}
	return logoutToken{issuer: tok.Issuer, subject: tok.Subject, sid: claims.Sid, jti: claims.Jti}, nil
}

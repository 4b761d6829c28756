package auth

import (
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"
	"gorm.io/gorm"

	"onramp/app/apperr"
	"onramp/app/db"
	"onramp/app/render"
)

const (
	loginCookie   = "onramp_login"
	loginLifetime = 10 * time.Minute
)

// Routes registers the sign-in, sign-out and back-channel logout routes.
func (a *Auth) Routes(r *Routes, pages *render.Engine) {
	r.GET("/auth/login", Public, a.login)
	r.GET("/auth/callback", Public, a.callback)
	r.POST("/auth/logout", Public, a.logout)
	r.POST("/auth/backchannel-logout", Public, a.backchannelLogout)
	// The signed-out page also answers POST: clients that re-send the
	// sign-out POST along each redirect should still land on it.
	signedOut := func(c echo.Context) error {
		return pages.HTML(c, http.StatusOK, "app/signed-out", "You have signed out", nil)
	}
	r.GET("/auth/signed-out", Public, signedOut)
	r.POST("/auth/signed-out", Public, signedOut)
}

// oidcLogin is a sign-in in flight, bound to the browser by loginCookie.
type oidcLogin struct {
	ID        string
	State     string
	Nonce     string
	Verifier  string
	ReturnTo  string
	ExpiresAt time.Time
}

func (a *Auth) login(c echo.Context) error {
	prov := a.current()
	if prov == nil {
		c.Response().Header().Set("Retry-After", "30")
		return apperr.New(apperr.Unavailable, "Signing in is not working right now. Please try again in a few minutes.")
	}
	ctx := c.Request().Context()
	l := oidcLogin{
		ID:        randomToken(),
		State:     randomToken(),
		Nonce:     randomToken(),
		Verifier:  oauth2.GenerateVerifier(),
		ReturnTo:  LocalPath(c.QueryParam("return_to")),
		ExpiresAt: a.opts.Now().Add(loginLifetime),
	}
	err := db.Conn(ctx, a.db).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM oidc_logins WHERE expires_at < ?", a.opts.Now()).Error; err != nil {
			return err
		}
		return tx.Table("oidc_logins").Create(&l).Error
	})
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{
		Name: loginCookie, Value: l.ID, Path: "/auth", MaxAge: int(loginLifetime.Seconds()),
		HttpOnly: true, Secure: a.opts.Secure, SameSite: http.SameSiteLaxMode,
	})
	opts := []oauth2.AuthCodeOption{oidc.Nonce(l.Nonce), oauth2.S256ChallengeOption(l.Verifier)}
	if hint := strings.TrimSpace(c.QueryParam("login_hint")); hint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", hint))
	}
	return c.Redirect(http.StatusFound, prov.oauth.AuthCodeURL(l.State, opts...))
}

// errSignIn is what a person sees for every refused callback: the details
// go to the log, because they help an attacker more than the person.
var errSignIn = apperr.New(apperr.BadRequest, "We could not sign you in. Please go back and try signing in again.")

func (a *Auth) callback(c echo.Context) error {
	ctx := c.Request().Context()
	prov := a.current()
	if prov == nil {
		return apperr.New(apperr.Unavailable, "Signing in is not working right now. Please try again in a few minutes.")
	}
	cookie, err := c.Cookie(loginCookie)
	if err != nil || cookie.Value == "" {
		return apperr.New(apperr.BadRequest, "Your sign-in took too long or was started in another browser. Please try signing in again.")
	}
	c.SetCookie(&http.Cookie{Name: loginCookie, Path: "/auth", MaxAge: -1, HttpOnly: true, Secure: a.opts.Secure, SameSite: http.SameSiteLaxMode})

	// Consume the login exactly once: a replayed callback finds nothing.
	var l oidcLogin
	res := db.Conn(ctx, a.db).Raw(
		"DELETE FROM oidc_logins WHERE id = ? AND expires_at > ? RETURNING id, state, nonce, verifier, return_to, expires_at",
		cookie.Value, a.opts.Now()).Scan(&l)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return apperr.New(apperr.BadRequest, "Your sign-in took too long or was already used. Please try signing in again.")
	}
	if subtle.ConstantTimeCompare([]byte(l.State), []byte(c.QueryParam("state"))) != 1 {
		slog.WarnContext(ctx, "sign-in refused: state does not match")
		return errSignIn
	}
	if e := c.QueryParam("error"); e != "" {
		slog.InfoContext(ctx, "identity provider returned an error", "error", e, "description", c.QueryParam("error_description"))
		return apperr.New(apperr.BadRequest, "Signing in was cancelled or refused. You can try again.")
	}
	tok, err := prov.oauth.Exchange(a.clientContext(ctx), c.QueryParam("code"), oauth2.VerifierOption(l.Verifier))
	if err != nil {
		slog.WarnContext(ctx, "sign-in refused: code exchange failed", "err", err)
		return errSignIn
	}
	id, err := a.verify(c, prov, tok, l.Nonce)
	if err != nil {
		slog.WarnContext(ctx, "sign-in refused: ID token not valid", "err", err)
		return errSignIn
	}
	// Signing in again in the same browser replaces the earlier sign-in.
	if previous := a.sessions.GetString(ctx, keySession); previous != "" {
		if _, err := a.dir.EndSession(ctx, previous); err != nil {
			return err
		}
	}
	sessionID, u, err := a.dir.StartSession(ctx, id)
	if err != nil {
		return err
	}
	// A new token at sign-in, so a token planted before sign-in is useless.
	if err := a.sessions.RenewToken(ctx); err != nil {
		return err
	}
	a.sessions.Put(ctx, keySession, sessionID)
	a.sessions.Put(ctx, keyCSRF, randomToken())
	now := a.opts.Now().Unix()
	a.sessions.Put(ctx, keySeen, now)
	a.sessions.Put(ctx, keyStarted, now)
	target := l.ReturnTo
	if target == "" {
		target = u.Home()
	}
	return c.Redirect(http.StatusSeeOther, target)
}

// verify checks the ID token (signature, issuer, audience, expiry by
// go-oidc; nonce and azp here) and reads the person's identity from it,
// filling gaps from the userinfo endpoint.
func (a *Auth) verify(c echo.Context, prov *provider, tok *oauth2.Token, nonce string) (Identity, error) {
	ctx := a.clientContext(c.Request().Context())
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, errors.New("no id_token in token response")
	}
	idt, err := prov.idVerifier.Verify(ctx, raw)
	if err != nil {
		return Identity{}, err
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return Identity{}, errors.New("nonce does not match")
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, err
	}
	azp, _ := claims["azp"].(string)
	if (len(idt.Audience) > 1 || azp != "") && azp != a.opts.ClientID {
		return Identity{}, errors.New("azp is not this client")
	}
	if _, hasEmail := claims["email"]; !hasEmail || lookupClaim(claims, a.opts.RolesClaim) == nil {
		if info, err := prov.raw.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil && info.Subject == idt.Subject {
			extra := map[string]any{}
			if info.Claims(&extra) == nil {
				for k, v := range extra {
					if _, ok := claims[k]; !ok {
						claims[k] = v
					}
				}
			}
		}
	}
	id := Identity{
		Issuer:        idt.Issuer,
		Subject:       idt.Subject,
		Email:         strings.ToLower(strings.TrimSpace(stringClaim(claims, "email"))),
		EmailVerified: boolClaim(claims, "email_verified"),
		Name:          strings.TrimSpace(stringClaim(claims, "name")),
		Roles:         rolesFrom(lookupClaim(claims, a.opts.RolesClaim)),
		ProviderSID:   stringClaim(claims, "sid"),
		IDToken:       raw,
	}
	if id.Email == "" {
		return Identity{}, errors.New("provider did not share an email address")
	}
	if id.Name == "" {
		id.Name = strings.TrimSpace(stringClaim(claims, "given_name") + " " + stringClaim(claims, "family_name"))
	}
	return id, nil
}

func (a *Auth) logout(c echo.Context) error {
	ctx := c.Request().Context()
	var idToken string
	if sid := a.sessions.GetString(ctx, keySession); sid != "" {
		var err error
		if idToken, err = a.dir.EndSession(ctx, sid); err != nil {
			return err
		}
	}
	if err := a.sessions.Destroy(ctx); err != nil {
		return err
	}
	signedOut := a.opts.BaseURL + "/auth/signed-out"
	prov := a.current()
	if prov == nil || prov.endSession == "" {
		return c.Redirect(http.StatusSeeOther, "/auth/signed-out")
	}
	q := url.Values{"client_id": {a.opts.ClientID}, "post_logout_redirect_uri": {signedOut}}
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	sep := "?"
	if strings.Contains(prov.endSession, "?") {
		sep = "&"
	}
	return c.Redirect(http.StatusSeeOther, prov.endSession+sep+q.Encode())
}

// LocalPath returns p when it is a path on this site, and "" for anything
// that could send the browser elsewhere (absolute or scheme-relative URLs,
// backslash tricks, control characters).
func LocalPath(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return ""
	}
	if strings.ContainsAny(p, "\\\r\n\t") {
		return ""
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	if strings.HasPrefix(u.Path, "/auth/") {
		return ""
	}
	return p
}

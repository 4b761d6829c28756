package devidp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	josejwt "github.com/go-jose/go-jose/v4/jwt"
)

// backchannelTimeout bounds the logout POST, which the browser waits for.
const backchannelTimeout = 5 * time.Second

// hintClaims are the parts of an id_token_hint end-session uses.
type hintClaims struct {
	josejwt.Claims
	SID string `json:"sid"`
}

// serveEndSession answers GET|POST /end-session (OpenID Connect
// RP-Initiated Logout). With an id_token_hint it tells the client's
// back-channel logout URI, if any, then sends the browser to a registered
// post_logout_redirect_uri or shows the signed-out page.
func (p *Provider) serveEndSession(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		p.renderSignedOut(w, http.StatusBadRequest, "The sign-out request could not be read.")
		return
	}
	clientID := r.Form.Get("client_id")
	var subject, sid string
	if raw := r.Form.Get("id_token_hint"); raw != "" {
		hint, err := p.parseIDTokenHint(raw)
		if err != nil {
			p.renderSignedOut(w, http.StatusBadRequest, "The id_token_hint is not an ID token this provider issued.")
			return
		}
		switch {
		case clientID == "" && len(hint.Audience) == 1:
			clientID = hint.Audience[0]
		case clientID != "" && !hint.Audience.Contains(clientID):
			p.renderSignedOut(w, http.StatusBadRequest, "The id_token_hint was not issued to client "+clientID+".")
			return
		}
		subject, sid = hint.Subject, hint.SID
	}

	client, known := p.clients[clientID]
	if known && client.BackchannelLogoutURI != "" && (subject != "" || sid != "") {
		p.sendBackchannelLogout(r.Context(), client, subject, sid)
	}

	target := r.Form.Get("post_logout_redirect_uri")
	if target == "" {
		p.renderSignedOut(w, http.StatusOK, "")
		return
	}
	if !known || !slices.Contains(client.PostLogoutRedirectURIs, target) {
		p.renderSignedOut(w, http.StatusBadRequest,
			target+" is not a registered post-logout redirect URI for this client, so you have not been sent back.")
		return
	}
	back, err := url.Parse(target)
	if err != nil {
		p.renderSignedOut(w, http.StatusBadRequest, "The post-logout redirect URI is not a valid URL.")
		return
	}
	if state := r.Form.Get("state"); state != "" {
		q := back.Query()
		q.Set("state", state)
		back.RawQuery = q.Encode()
	}
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// parseIDTokenHint checks that raw was signed by this provider for this
// issuer. Expiry is not checked: an expired ID token is a fine hint.
func (p *Provider) parseIDTokenHint(raw string) (hintClaims, error) {
	var claims hintClaims
	token, err := josejwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return claims, err
	}
	if err := token.Claims(&p.key.PublicKey, &claims); err != nil {
		return claims, err
	}
	if claims.Issuer != p.issuer {
		return claims, errors.New("devidp: id_token_hint from another issuer")
	}
	return claims, nil
}

// sendBackchannelLogout POSTs a logout token to the client. Failure is
// logged, not returned: the user is signed out here either way.
func (p *Provider) sendBackchannelLogout(ctx context.Context, client Client, subject, sid string) {
	log := p.log.With("client_id", client.ID, "uri", client.BackchannelLogoutURI)
	token, err := p.LogoutToken(client.ID, subject, sid)
	if err != nil {
		log.Error("devidp: back-channel logout token", "err", err)
		return
	}
	// The browser may go away; the RP should still hear about the logout.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), backchannelTimeout)
	defer cancel()
	body := url.Values{"logout_token": {token}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, client.BackchannelLogoutURI, strings.NewReader(body))
	if err != nil {
		log.Error("devidp: back-channel logout request", "err", err)
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.httpClient.Do(req)
	if err != nil {
		log.Warn("devidp: back-channel logout failed", "err", err)
		return
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		log.Warn("devidp: back-channel logout refused", "status", resp.StatusCode)
	}
}

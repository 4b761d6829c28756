package devidp

import (
	"net/http"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"
)

// serveToken answers POST /token: fosite authenticates the client, redeems
// the code once, checks the PKCE verifier and issues the access and ID
// tokens.
func (p *Provider) serveToken(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	req, err := p.oauth.NewAccessRequest(ctx, r, openid.NewDefaultSession())
	if err != nil {
		p.oauth.WriteAccessError(ctx, w, req, err)
		return
	}
	resp, err := p.oauth.NewAccessResponse(ctx, req)
	if err != nil {
		p.oauth.WriteAccessError(ctx, w, req, err)
		return
	}
	p.oauth.WriteAccessResponse(ctx, w, req, resp)
}

// serveUserinfo answers GET|POST /userinfo for a bearer access token with
// the signed-in user's claims, or 401 with a WWW-Authenticate challenge.
func (p *Provider) serveUserinfo(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	token := fosite.AccessTokenFromRequest(r)
	if token == "" {
		unauthorized(w, "invalid_request", "An access token is required.")
		return
	}
	_, ar, err := p.oauth.IntrospectToken(ctx, token, fosite.AccessToken, openid.NewDefaultSession())
	if err != nil {
		unauthorized(w, "invalid_token", "The access token is not valid.")
		return
	}
	user, ok := p.userBySubject(ar.GetSession().GetSubject())
	if !ok {
		unauthorized(w, "invalid_token", "The access token's user no longer exists.")
		return
	}
	claims := p.userClaims(user)
	claims["sub"] = user.Subject
	writeJSON(w, http.StatusOK, claims)
}

// unauthorized writes a bearer-token error (RFC 6750, section 3).
func unauthorized(w http.ResponseWriter, code, description string) {
	w.Header().Set("WWW-Authenticate", `Bearer error="`+code+`", error_description="`+description+`"`)
	writeJSON(w, http.StatusUnauthorized, map[string]string{"error": code, "error_description": description})
}

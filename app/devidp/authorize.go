package devidp

import (
	"crypto/rand"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"
)

// cancelParam is the query parameter the sign-in page's cancel button adds;
// it ends the flow with access_denied so RPs can test that path.
const cancelParam = "devidp_cancel"

// serveAuthorize answers GET|POST /authorize. fosite validates the request
// (client, redirect URI, state, PKCE S256); a known login_hint signs that
// demo user in at once, anything else shows the sign-in page.
func (p *Provider) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ar, err := p.oauth.NewAuthorizeRequest(ctx, r)
	if err != nil {
		p.oauth.WriteAuthorizeError(ctx, w, ar, err)
		return
	}
	form := ar.GetRequestForm()
	if form.Get(cancelParam) != "" {
		p.oauth.WriteAuthorizeError(ctx, w, ar, fosite.ErrAccessDenied.WithHint("The user cancelled sign-in."))
		return
	}
	// The provider keeps no browser session, so nobody is ever signed in
	// already.
	if slices.Contains(strings.Fields(form.Get("prompt")), "none") {
		p.oauth.WriteAuthorizeError(ctx, w, ar, fosite.ErrLoginRequired)
		return
	}

	hint := form.Get("login_hint")
	if hint == "" {
		p.renderSignIn(w, ar, "")
		return
	}
	user, ok := p.userByEmail(hint)
	if !ok {
		p.renderSignIn(w, ar, "There is no demo account with the email address "+hint+". Choose an account below.")
		return
	}

	// fosite has already checked the requested scopes against the client.
	for _, scope := range ar.GetRequestedScopes() {
		ar.GrantScope(scope)
	}
	resp, err := p.oauth.NewAuthorizeResponse(ctx, ar, p.newSession(user, ar))
	if err != nil {
		p.oauth.WriteAuthorizeError(ctx, w, ar, err)
		return
	}
	p.oauth.WriteAuthorizeResponse(ctx, w, ar, resp)
}

// newSession is what fosite stores with the code: the subject and the ID
// token claims for one sign-in, with a fresh sid.
func (p *Provider) newSession(u User, ar fosite.AuthorizeRequester) *openid.DefaultSession {
	s := openid.NewDefaultSession()
	s.Subject = u.Subject
	s.Username = u.Email
	s.Claims.Subject = u.Subject
	s.Claims.RequestedAt = ar.GetRequestedAt()
	// Wall clock, not Config.Now: fosite checks auth_time against
	// time.Now; the ID token signer moves it onto the configured clock.
	s.Claims.AuthTime = time.Now().UTC()
	s.Claims.Extra = p.userClaims(u)
	s.Claims.Extra["sid"] = rand.Text()
	return s
}

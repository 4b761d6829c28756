package devidp_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"onramp/app/devidp"
)

func TestCodeFlowSignsInTheLoginHintUser(t *testing.T) {
	for _, mount := range mounts {
		t.Run("mount="+mount, func(t *testing.T) {
			f := newFixture(t, mount)
			fl := newFlow()
			// login_hint matches the demo email whatever its case.
			tok, idToken := f.login(t, fl, "mentor@EXAMPLE.test")

			var got claims
			if err := idToken.Claims(&got); err != nil {
				t.Fatal(err)
			}
			if idToken.Subject != "demo-mentor" || got.Email != "Mentor@Example.test" || !got.EmailVerified || got.Name != "Max Mentor" {
				t.Errorf("identity claims = %+v", got)
			}
			if !slices.Equal(got.Roles, []string{"mentor", "learner"}) {
				t.Errorf("roles = %v", got.Roles)
			}
			if idToken.Nonce != fl.nonce {
				t.Errorf("nonce = %q, want %q", idToken.Nonce, fl.nonce)
			}
			if got.SID == "" || got.AuthTime == 0 {
				t.Errorf("sid %q, auth_time %d: want both set", got.SID, got.AuthTime)
			}
			if !slices.Equal(idToken.Audience, []string{clientID}) {
				t.Errorf("aud = %v", idToken.Audience)
			}
			if ttl := idToken.Expiry.Sub(idToken.IssuedAt); ttl != time.Hour {
				t.Errorf("ID token lifetime = %v, want 1h", ttl)
			}

			info, err := f.oidc.UserInfo(context.Background(), oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatalf("userinfo: %v", err)
			}
			var fromInfo claims
			if err := info.Claims(&fromInfo); err != nil {
				t.Fatal(err)
			}
			if fromInfo.Subject != "demo-mentor" || fromInfo.Email != "Mentor@Example.test" || !slices.Equal(fromInfo.Roles, got.Roles) {
				t.Errorf("userinfo = %+v", fromInfo)
			}
		})
	}
}

func TestEachSignInGetsItsOwnSID(t *testing.T) {
	f := newFixture(t, "/dev/idp")
	var first, second claims
	_, a := f.login(t, newFlow(), "learner@example.test")
	_, b := f.login(t, newFlow(), "learner@example.test")
	if err := errors.Join(a.Claims(&first), b.Claims(&second)); err != nil {
		t.Fatal(err)
	}
	if first.SID == second.SID {
		t.Errorf("two sign-ins share sid %q", first.SID)
	}
}

func TestRolesClaimNameIsConfigurable(t *testing.T) {
	f := newFixture(t, "", func(c *devidp.Config) { c.RolesClaim = "onramp_roles" })
	_, idToken := f.login(t, newFlow(), "admin@example.test")
	var got map[string]any
	if err := idToken.Claims(&got); err != nil {
		t.Fatal(err)
	}
	if _, ok := got["roles"]; ok {
		t.Error("default roles claim still present")
	}
	if roles, _ := got["onramp_roles"].([]any); len(roles) != 1 || roles[0] != "admin" {
		t.Errorf("onramp_roles = %v", got["onramp_roles"])
	}
}

func TestReplayedCodeIsRefused(t *testing.T) {
	f := newFixture(t, "/dev/idp")
	fl := newFlow()
	code := f.signIn(t, fl, "learner@example.test")
	if _, err := f.exchange(fl, code); err != nil {
		t.Fatalf("first exchange: %v", err)
	}
	_, err := f.exchange(fl, code)
	assertTokenError(t, err, "invalid_grant")
}

func TestWrongPKCEVerifierIsRefused(t *testing.T) {
	f := newFixture(t, "/dev/idp")
	fl := newFlow()
	code := f.signIn(t, fl, "learner@example.test")
	fl.verifier = oauth2.GenerateVerifier()
	_, err := f.exchange(fl, code)
	assertTokenError(t, err, "invalid_grant")
}

func TestMissingPKCEVerifierIsRefused(t *testing.T) {
	f := newFixture(t, "/dev/idp")
	fl := newFlow()
	code := f.signIn(t, fl, "learner@example.test")
	_, err := f.oauth.Exchange(context.Background(), code)
	assertTokenError(t, err, "invalid_request")
}

func TestWrongClientSecretIsRefused(t *testing.T) {
	f := newFixture(t, "/dev/idp")
	fl := newFlow()
	code := f.signIn(t, fl, "learner@example.test")
	f.oauth.ClientSecret = "guess"
	_, err := f.exchange(fl, code)
	assertTokenError(t, err, "invalid_client")
}

func TestAuthorizeRequiresPKCES256(t *testing.T) {
	f := newFixture(t, "/dev/idp")
	fl := newFlow()
	hint := oauth2.SetAuthURLParam("login_hint", "learner@example.test")
	tests := map[string]string{
		"no challenge": f.oauth.AuthCodeURL(fl.state, hint),
		"plain": f.oauth.AuthCodeURL(fl.state, hint,
			oauth2.SetAuthURLParam("code_challenge", fl.verifier),
			oauth2.SetAuthURLParam("code_challenge_method", "plain")),
	}
	for name, u := range tests {
		t.Run(name, func(t *testing.T) {
			q := redirectQuery(t, f.get(t, u), redirectURI)
			if q.Get("error") != "invalid_request" || q.Get("code") != "" || q.Get("state") != fl.state {
				t.Errorf("redirect query = %v, want invalid_request with state and no code", q)
			}
		})
	}
}

func TestAuthorizeRefusesUnknownRedirectURI(t *testing.T) {
	f := newFixture(t, "/dev/idp")
	f.oauth.RedirectURL = "http://127.0.0.1:9999/elsewhere"
	resp := f.get(t, f.authURL(newFlow(), oauth2.SetAuthURLParam("login_hint", "learner@example.test")))
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
		t.Errorf("status %d, Location %q: want 400 and no redirect", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestAuthorizeRequiresState(t *testing.T) {
	f := newFixture(t, "/dev/idp")
	fl := newFlow()
	fl.state = ""
	q := redirectQuery(t, f.get(t, f.authURL(fl, oauth2.SetAuthURLParam("login_hint", "learner@example.test"))), redirectURI)
	if q.Get("error") != "invalid_state" || q.Get("code") != "" {
		t.Errorf("redirect query = %v, want invalid_state", q)
	}
}

func TestPromptNoneNeedsLogin(t *testing.T) {
	f := newFixture(t, "/dev/idp")
	fl := newFlow()
	q := redirectQuery(t, f.get(t, f.authURL(fl, oauth2.SetAuthURLParam("prompt", "none"))), redirectURI)
	if q.Get("error") != "login_required" || q.Get("state") != fl.state {
		t.Errorf("redirect query = %v, want login_required", q)
	}
}

func TestUserinfoNeedsAValidAccessToken(t *testing.T) {
	f := newFixture(t, "/dev/idp")
	for name, token := range map[string]string{"none": "", "forged": "ory_at_forged.forged"} {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, f.issuer+"/userinfo", nil)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := f.browser.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("status %d, challenge %q: want 401 with a challenge", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

func TestMutateIDTokensChangesWhatTheRPReceives(t *testing.T) {
	f := newFixture(t, "/dev/idp")
	f.idp.MutateIDTokens(func(c map[string]any) { c["nonce"] = "forged-nonce" })
	_, forged := f.login(t, newFlow(), "learner@example.test")
	if forged.Nonce != "forged-nonce" {
		t.Errorf("mutated nonce = %q", forged.Nonce)
	}

	f.idp.MutateIDTokens(nil)
	fl := newFlow()
	_, honest := f.login(t, fl, "learner@example.test")
	if honest.Nonce != fl.nonce {
		t.Errorf("after reset nonce = %q, want %q", honest.Nonce, fl.nonce)
	}
}

func TestIDTokenTimesFollowTheConfiguredClock(t *testing.T) {
	past := time.Now().Add(-30 * time.Minute).Truncate(time.Second)
	f := newFixture(t, "/dev/idp", func(c *devidp.Config) { c.Now = func() time.Time { return past } })
	_, idToken := f.login(t, newFlow(), "learner@example.test")
	if d := idToken.IssuedAt.Sub(past); d < -time.Second || d > time.Second {
		t.Errorf("iat = %v, want about %v", idToken.IssuedAt, past)
	}
	if d := idToken.Expiry.Sub(past.Add(time.Hour)); d < -time.Second || d > time.Second {
		t.Errorf("exp = %v, want about %v", idToken.Expiry, past.Add(time.Hour))
	}
}

// assertTokenError checks that err is a token endpoint error with code.
func assertTokenError(t *testing.T, err error, code string) {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want a token endpoint error %q", err, code)
	}
	if re.ErrorCode != code {
		t.Errorf("error = %q (%s), want %q", re.ErrorCode, re.ErrorDescription, code)
	}
}

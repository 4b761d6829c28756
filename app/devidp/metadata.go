package devidp

import (
	"encoding/json"
	"net/http"
)

// discovery is the OpenID Provider Metadata document.
type discovery struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	EndSessionEndpoint                string   `json:"end_session_endpoint"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	BackchannelLogoutSupported        bool     `json:"backchannel_logout_supported"`
	BackchannelLogoutSessionSupported bool     `json:"backchannel_logout_session_supported"`
}

// serveDiscovery answers GET /.well-known/openid-configuration.
func (p *Provider) serveDiscovery(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, discovery{
		Issuer:                            p.issuer,
		AuthorizationEndpoint:             p.issuer + authorizePath,
		TokenEndpoint:                     p.issuer + tokenPath,
		UserinfoEndpoint:                  p.issuer + userinfoPath,
		JWKSURI:                           p.issuer + jwksPath,
		EndSessionEndpoint:                p.issuer + endSessionPath,
		ResponseTypesSupported:            []string{"code"},
		ResponseModesSupported:            []string{"query"},
		GrantTypesSupported:               []string{"authorization_code"},
		SubjectTypesSupported:             []string{"public"},
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		ScopesSupported:                   supportedScopes,
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post"},
		CodeChallengeMethodsSupported:     []string{"S256"},
		ClaimsSupported: []string{
			"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "sid",
			"email", "email_verified", "name", p.rolesClaim,
		},
		BackchannelLogoutSupported:        true,
		BackchannelLogoutSessionSupported: true,
	})
}

// serveJWKS answers GET /jwks with the public signing key.
func (p *Provider) serveJWKS(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, p.publicKeys())
}

// writeJSON writes v as an uncached JSON response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":"server_error"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

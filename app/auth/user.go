// Package auth signs people in with OpenID Connect, keeps their session,
// protects cookie-authenticated writes against CSRF, and decides who may
// call each route.
package auth

import (
	"context"
	"errors"
	"slices"
)

// Role names, as they appear in identity provider claims and local grants.
const (
	RoleLearner          = "learner"
	RoleMentor           = "mentor"
	RoleManager          = "manager"
	RoleSafeguardingLead = "safeguarding_lead"
	RoleAdmin            = "admin"
	RoleContentEditor    = "content_editor" // writes and publishes course content
)

// AllRoles lists every role, in the order homes are chosen after sign-in.
var AllRoles = []string{RoleAdmin, RoleManager, RoleContentEditor, RoleSafeguardingLead, RoleMentor, RoleLearner}

// User is the signed-in person as every handler sees them.
type User struct {
	ID             string
	Name           string
	Email          string
	Roles          []string
	OrganisationID string // empty when the person belongs to none
	// Service is true for a program rather than a person: an identity
	// provider's client calling with a client-credentials token.
	Service bool
	// TokenID is set when the caller is a service token (see
	// ServiceToken): it has no account, no roles, and may call only
	// routes whose rule accepts one of its Scopes.
	TokenID string
	Scopes  []string
}

// Has reports whether the user holds role.
func (u *User) Has(role string) bool { return u != nil && slices.Contains(u.Roles, role) }

// HasAny reports whether the user holds at least one of roles.
func (u *User) HasAny(roles ...string) bool {
	for _, r := range roles {
		if u.Has(r) {
			return true
		}
	}
	return false
}

// Home is the page a user lands on after signing in.
func (u *User) Home() string {
	switch {
	case u.Has(RoleAdmin):
		return "/admin"
	case u.Has(RoleManager):
		return "/manage"
	case u.Has(RoleContentEditor):
		return "/admin/content"
	case u.Has(RoleSafeguardingLead):
		return "/safeguarding"
	case u.Has(RoleMentor) && u.Has(RoleLearner):
		return "/" // they choose: their learning or their mentees
	case u.Has(RoleMentor):
		return "/mentoring"
	case u.Has(RoleLearner):
		return "/learn"
	}
	return "/learn"
}

// IsToken reports whether u is a service token rather than an account.
func (u *User) IsToken() bool { return u != nil && u.TokenID != "" }

// Identity is what a verified sign-in says about a person.
type Identity struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	Roles         []string // from the roles claim, unknown names removed
	ProviderSID   string   // the provider's session id (sid claim), for back-channel logout
	IDToken       string   // kept as id_token_hint for sign-out
}

// ErrSessionEnded is returned by Directory.SessionUser when the sign-in has
// ended (signed out, logged out by the provider, or never existed).
var ErrSessionEnded = errors.New("auth: session ended")

// Directory is what auth needs from the identity module: it owns people and
// their sign-in records.
type Directory interface {
	// StartSession records a verified sign-in, creating or linking the
	// user, and returns the new sign-in's id and the user.
	StartSession(ctx context.Context, id Identity) (sessionID string, u *User, err error)
	// SessionUser returns the user of an active sign-in, or ErrSessionEnded.
	SessionUser(ctx context.Context, sessionID string) (*User, error)
	// EndSession ends one sign-in and returns its ID token for the
	// provider's end-session hint (empty if unknown).
	EndSession(ctx context.Context, sessionID string) (idToken string, err error)
	// EndProviderSessions ends the sign-ins matching a back-channel logout:
	// every sign-in of subject at issuer, or only those with sid when sid is
	// not empty. It returns how many ended.
	EndProviderSessions(ctx context.Context, issuer, subject, sid string) (int, error)
}

// RoleLabel is the plain-English name of a role, as every page shows it.
func RoleLabel(role string) string {
	switch role {
	case RoleLearner:
		return "Learner"
	case RoleMentor:
		return "Mentor"
	case RoleManager:
		return "Programme manager"
	case RoleSafeguardingLead:
		return "Safeguarding lead"
	case RoleAdmin:
		return "Administrator"
	case RoleContentEditor:
		return "Content editor"
	}
	return role
}

package identity

import (
	"slices"
	"strings"
	"time"

	"onramp/app/auth"
)

// Organisation is a trust, charity or regional team that runs cohorts.
type Organisation struct {
	ID        string
	Name      string
	Kind      string
	CreatedAt time.Time
}

// Person is a user as the admin pages see them: where each role comes from
// matters, because only local grants can be revoked here.
type Person struct {
	ID               string
	Email            string
	Name             string
	OrganisationID   *string
	OrganisationName string
	ClaimRoles       []string
	GrantedRoles     []string
	Linked           bool // has signed in at least once
	LastSignInAt     *time.Time
}

// DisplayName is the person's name, or their email before they have one.
func (p Person) DisplayName() string {
	if p.Name != "" {
		return p.Name
	}
	return p.Email
}

// Roles returns the person's effective roles (see effectiveRoles).
func (p Person) Roles() []string { return effectiveRoles(p.ClaimRoles, p.GrantedRoles) }

// effectiveRoles is the union of roles from the identity provider and local
// grants. Someone with neither is a learner: members of the public sign in
// through providers that know nothing of Onramp's roles.
func effectiveRoles(claim, granted []string) []string {
	var roles []string
	for _, r := range auth.AllRoles {
		if slices.Contains(claim, r) || slices.Contains(granted, r) {
			roles = append(roles, r)
		}
	}
	if len(roles) == 0 {
		roles = []string{auth.RoleLearner}
	}
	return roles
}

func splitRoles(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// RoleLabel is the plain-English name of a role (see auth.RoleLabel).
func RoleLabel(role string) string { return auth.RoleLabel(role) }

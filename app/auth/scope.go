package auth

import (
	"onramp/app/apperr"
)

// Scope is the part of Onramp's organisation data a signed-in person may
// see: every organisation (admins) or exactly one (a manager's own). It is
// the one rule for "whose cohorts, learners and reports may I see"; every
// module asks ScopeOf instead of reading roles itself.
type Scope struct {
	All            bool
	OrganisationID string // set when All is false
}

// ErrNoOrganisation is the one answer to a manager whose account is not yet
// linked to an organisation, on every page and API.
var ErrNoOrganisation = apperr.New(apperr.Forbidden,
	"Your account is not linked to an organisation yet. Ask an administrator to add you to yours.")

// ErrNoScope is the answer to anyone who is neither an admin nor a manager.
var ErrNoScope = apperr.New(apperr.Forbidden, "Your account does not have access to this page")

// ScopeOf returns what u may see of organisations' data. Admins see every
// organisation and managers their own; a service token sees the one
// organisation it was made for, or every one when it was made for all.
// Errors: ErrNoOrganisation for a manager with no organisation, ErrNoScope
// for anyone else (including nil).
func ScopeOf(u *User) (Scope, error) {
	switch {
	case u.IsToken() && u.OrganisationID == "":
		return Scope{All: true}, nil
	case u.IsToken():
		return Scope{OrganisationID: u.OrganisationID}, nil
	case u.Has(RoleAdmin):
		return Scope{All: true}, nil
	case !u.Has(RoleManager):
		return Scope{}, ErrNoScope
	case u.OrganisationID == "":
		return Scope{}, ErrNoOrganisation
	}
	return Scope{OrganisationID: u.OrganisationID}, nil
}

// Includes reports whether the scope covers organisation id. The all
// scope covers data no organisation runs (id ""), too.
func (s Scope) Includes(organisationID string) bool {
	return s.All || (organisationID != "" && organisationID == s.OrganisationID)
}

// Where returns an SQL condition, with one "?" placeholder or none,
// limiting column (an organisation id column such as "c.organisation_id")
// to the scope.
func (s Scope) Where(column string) (string, []any) {
	if s.All {
		return "TRUE", nil
	}
	return column + " = ?", []any{s.OrganisationID}
}

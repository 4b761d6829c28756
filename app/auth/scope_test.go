package auth

import (
	"errors"
	"testing"
)

func TestScopeOfGivesOneAnswerPerKindOfViewer(t *testing.T) {
	org := "8a1f2a3e-2c44-4b8e-9a57-7d8c9f0e1b2c"
	cases := []struct {
		name    string
		user    *User
		want    Scope
		wantErr error
	}{
		{"admin sees every organisation", &User{Roles: []string{RoleAdmin}}, Scope{All: true}, nil},
		{"admin who is also a manager still sees all", &User{Roles: []string{RoleManager, RoleAdmin}, OrganisationID: org}, Scope{All: true}, nil},
		{"manager sees their own organisation", &User{Roles: []string{RoleManager}, OrganisationID: org}, Scope{OrganisationID: org}, nil},
		{"manager with no organisation is told so", &User{Roles: []string{RoleManager}}, Scope{}, ErrNoOrganisation},
		{"learner has no scope", &User{Roles: []string{RoleLearner}, OrganisationID: org}, Scope{}, ErrNoScope},
		{"mentor has no scope", &User{Roles: []string{RoleMentor}, OrganisationID: org}, Scope{}, ErrNoScope},
		{"anonymous has no scope", nil, Scope{}, ErrNoScope},
		{"a service token for one organisation sees that one", &User{TokenID: "t", Scopes: []string{ScopeReportsRead}, OrganisationID: org}, Scope{OrganisationID: org}, nil},
		{"a service token for every organisation sees all", &User{TokenID: "t", Scopes: []string{ScopeReportsRead}}, Scope{All: true}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ScopeOf(tc.user)
			if !errors.Is(err, tc.wantErr) || got != tc.want {
				t.Fatalf("ScopeOf = %+v, %v; want %+v, %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestScopeIncludesAndWhereAgree(t *testing.T) {
	own := Scope{OrganisationID: "a"}
	if !own.Includes("a") || own.Includes("b") || own.Includes("") {
		t.Fatal("a manager's scope must include exactly their organisation")
	}
	if cond, args := own.Where("c.organisation_id"); cond != "c.organisation_id = ?" || len(args) != 1 || args[0] != "a" {
		t.Fatalf("Where = %q %v", cond, args)
	}
	all := Scope{All: true}
	if !all.Includes("b") || !all.Includes("") {
		t.Fatal("the all scope includes every organisation and data no organisation runs")
	}
	if cond, args := all.Where("x"); cond != "TRUE" || args != nil {
		t.Fatalf("Where = %q %v", cond, args)
	}
}

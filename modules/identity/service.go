// Package identity owns the people who use Onramp: their accounts, the
// organisations they belong to, their roles and their sign-ins.
package identity

import (
	"context"
	"slices"
	"time"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/db"
	"onramp/app/page"
)

// Recorder appends to the audit log; the audit module provides it.
type Recorder interface {
	Record(ctx context.Context, actorID, action, subjectType, subjectID string, detail map[string]any) error
}

// Service holds the rules about people and roles.
type Service struct {
	db    *db.DB
	store *Store
	audit Recorder
	now   func() time.Time
}

var _ auth.Directory = (*Service)(nil)

// NewService returns the identity service. now is the clock.
func NewService(d *db.DB, audit Recorder, now func() time.Time) *Service {
	return &Service{db: d, store: NewStore(d.Gorm), audit: audit, now: now}
}

// StartSession records a verified sign-in. A person provisioned before
// their first sign-in (enrolled by a manager, seeded) is linked by email,
// but only when the provider says the email is verified, so nobody can take
// over an account by claiming someone else's address.
func (s *Service) StartSession(ctx context.Context, id auth.Identity) (string, *auth.User, error) {
	var sessionID string
	var u *auth.User
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		_, err := s.store.UserBySubject(ctx, id.Issuer, id.Subject)
		first := isNotFound(err)
		if err != nil && !first {
			return err
		}
		if first && id.EmailVerified {
			linked, err := s.store.LinkPending(ctx, id.Email, id.Issuer, id.Subject)
			if err == nil {
				if err := s.audit.Record(ctx, linked, "user.linked", "user", linked, map[string]any{"issuer": id.Issuer}); err != nil {
					return err
				}
			} else if !isNotFound(err) { // not found: nobody was provisioned with this email
				return err
			}
		}
		userID, err := s.store.UpsertSignedIn(ctx, id, s.now())
		if err != nil {
			return err
		}
		if sessionID, err = s.store.CreateSession(ctx, userID, id.ProviderSID, id.IDToken); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, userID, "user.signed_in", "user", userID, map[string]any{"claim_roles": id.Roles}); err != nil {
			return err
		}
		u, err = s.store.SessionUser(ctx, sessionID)
		return err
	})
	return sessionID, u, err
}

// SessionUser returns the user of an active sign-in, or auth.ErrSessionEnded.
func (s *Service) SessionUser(ctx context.Context, sessionID string) (*auth.User, error) {
	return s.store.SessionUser(ctx, sessionID)
}

// EndSession ends a sign-in and returns its ID token.
func (s *Service) EndSession(ctx context.Context, sessionID string) (string, error) {
	return s.store.EndSession(ctx, sessionID, s.now())
}

// EndProviderSessions ends sign-ins named by a back-channel logout.
func (s *Service) EndProviderSessions(ctx context.Context, issuer, subject, sid string) (int, error) {
	return s.store.EndProviderSessions(ctx, issuer, subject, sid, s.now())
}

// People lists users for the admin pages.
func (s *Service) People(ctx context.Context, query string, page, perPage int) ([]Person, int64, error) {
	return s.store.People(ctx, query, perPage, (page-1)*perPage)
}

// Person returns one user, or a NotFound error.
func (s *Service) Person(ctx context.Context, id string) (Person, error) {
	p, err := s.store.Person(ctx, id)
	if isNotFound(err) {
		return p, apperr.New(apperr.NotFound, "There is no such user")
	}
	return p, err
}

// Organisations lists every organisation.
func (s *Service) Organisations(ctx context.Context) ([]Organisation, error) {
	return s.store.Organisations(ctx)
}

// OrganisationPage lists a page of the organisations viewer may see data
// of, by the one scope rule, and the next page's cursor. Errors: as
// auth.ScopeOf; page.ErrCursor.
func (s *Service) OrganisationPage(ctx context.Context, viewer *auth.User, p page.Request) ([]Organisation, string, error) {
	scope, err := auth.ScopeOf(viewer)
	if err != nil {
		return nil, "", err
	}
	return s.store.OrganisationPage(ctx, scope, p)
}

// GrantRole gives userID a local role, recording who did it. Errors:
// Invalid for an unknown role, NotFound for an unknown user.
func (s *Service) GrantRole(ctx context.Context, actor *auth.User, userID, role string) error {
	if !slices.Contains(auth.AllRoles, role) {
		return apperr.InvalidFields(apperr.FieldError{Field: "role", Message: "Choose a role from the list"})
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.Person(ctx, userID); err != nil {
			return err
		}
		added, err := s.store.Grant(ctx, userID, role, actor.ID)
		if err != nil || !added {
			return err
		}
		return s.audit.Record(ctx, actor.ID, "role.granted", "user", userID, map[string]any{"role": role})
	})
}

// RevokeRole removes a local role. Roles that come from the identity
// provider cannot be removed here. An administrator cannot remove their own
// admin grant, so the service is never left without one by accident.
func (s *Service) RevokeRole(ctx context.Context, actor *auth.User, userID, role string) error {
	if !slices.Contains(auth.AllRoles, role) {
		return apperr.InvalidFields(apperr.FieldError{Field: "role", Message: "Choose a role from the list"})
	}
	if role == auth.RoleAdmin && userID == actor.ID {
		return apperr.New(apperr.Conflict, "You cannot remove your own administrator role. Ask another administrator.")
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.Person(ctx, userID); err != nil {
			return err
		}
		removed, err := s.store.Revoke(ctx, userID, role)
		if err != nil || !removed {
			return err
		}
		return s.audit.Record(ctx, actor.ID, "role.revoked", "user", userID, map[string]any{"role": role})
	})
}

// SetOrganisation moves a user into an organisation ("" for none).
func (s *Service) SetOrganisation(ctx context.Context, actor *auth.User, userID, orgID string) error {
	var org *string
	if orgID != "" {
		orgs, err := s.store.Organisations(ctx)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(orgs, func(o Organisation) bool { return o.ID == orgID }) {
			return apperr.InvalidFields(apperr.FieldError{Field: "organisation", Message: "Choose an organisation from the list"})
		}
		org = &orgID
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.SetOrganisation(ctx, userID, org); err != nil {
			if isNotFound(err) {
				return apperr.New(apperr.NotFound, "There is no such user")
			}
			return err
		}
		return s.audit.Record(ctx, actor.ID, "user.organisation_set", "user", userID, map[string]any{"organisation_id": orgID})
	})
}

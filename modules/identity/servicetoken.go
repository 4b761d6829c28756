package identity

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/page"
)

// MaxServiceTokenDays is the longest a service token may live: a year,
// so a forgotten token stops working by itself.
const MaxServiceTokenDays = 366

// ServiceToken is a credential an admin made for a program, such as a
// funder's reporting tool. Its secret is never kept, only its hash.
type ServiceToken struct {
	ID               string
	Name             string
	Scopes           []string
	OrganisationID   *string // nil: every organisation
	OrganisationName string
	CreatedBy        string
	CreatedByName    string
	CreatedAt        time.Time
	ExpiresAt        time.Time
	RevokedAt        *time.Time
	LastUsedAt       *time.Time
}

// Status is "active", "expired" or "revoked" at now.
func (t ServiceToken) Status(now time.Time) string {
	switch {
	case t.RevokedAt != nil:
		return "revoked"
	case !t.ExpiresAt.After(now):
		return "expired"
	}
	return "active"
}

// NewServiceToken is what an admin asks for.
type NewServiceToken struct {
	Name           string
	Scopes         []string
	OrganisationID string // "" for every organisation
	ExpiresInDays  int
}

// CreateServiceToken makes a token and returns it with its secret, which
// is shown this once. Errors: Invalid, naming each field wrong.
func (s *Service) CreateServiceToken(ctx context.Context, actor *auth.User, n NewServiceToken) (ServiceToken, string, error) {
	n.Name = strings.TrimSpace(n.Name)
	var fields []apperr.FieldError
	switch {
	case n.Name == "":
		fields = append(fields, apperr.FieldError{Field: "name", Message: "Enter a name that says who the token is for, like \"Trust board reports\""})
	case len([]rune(n.Name)) > 100:
		fields = append(fields, apperr.FieldError{Field: "name", Message: "Name must be 100 characters or fewer"})
	}
	if len(n.Scopes) == 0 || slices.ContainsFunc(n.Scopes, func(sc string) bool { return !slices.Contains(auth.AllScopes, sc) }) {
		fields = append(fields, apperr.FieldError{Field: "scopes", Message: "Choose what the token may read: " + strings.Join(auth.AllScopes, " or ")})
	}
	if n.ExpiresInDays < 1 || n.ExpiresInDays > MaxServiceTokenDays {
		fields = append(fields, apperr.FieldError{Field: "expires_in_days", Message: "Enter how many days the token works for, from 1 to 366"})
	}
	var org *string
	if n.OrganisationID != "" {
		orgs, err := s.store.Organisations(ctx)
		if err != nil {
			return ServiceToken{}, "", err
		}
		if !slices.ContainsFunc(orgs, func(o Organisation) bool { return o.ID == n.OrganisationID }) {
			fields = append(fields, apperr.FieldError{Field: "organisation_id", Message: "Choose an organisation from the list"})
		}
		org = &n.OrganisationID
	}
	if len(fields) > 0 {
		return ServiceToken{}, "", apperr.InvalidFields(fields...)
	}
	scopes := slices.Clone(n.Scopes)
	slices.Sort(scopes)
	scopes = slices.Compact(scopes)
	secret := auth.NewServiceTokenSecret()
	now := s.now().UTC()
	var t ServiceToken
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		id, err := s.store.CreateServiceToken(ctx, n.Name, auth.HashServiceToken(secret), scopes, org, actor.ID,
			now, now.AddDate(0, 0, n.ExpiresInDays))
		if err != nil {
			return err
		}
		if err := s.audit.Record(ctx, actor.ID, "service_token.created", "service_token", id, map[string]any{
			"name": n.Name, "scopes": scopes, "organisation_id": n.OrganisationID, "expires_in_days": n.ExpiresInDays}); err != nil {
			return err
		}
		t, err = s.store.ServiceToken(ctx, id)
		return err
	})
	return t, secret, err
}

// ServiceTokens lists every service token, newest first, with its last use.
func (s *Service) ServiceTokens(ctx context.Context) ([]ServiceToken, error) {
	return s.store.ServiceTokens(ctx)
}

// ServiceTokenPage lists a page of service tokens, newest first, and the
// next page's cursor. Errors: page.ErrCursor.
func (s *Service) ServiceTokenPage(ctx context.Context, p page.Request) ([]ServiceToken, string, error) {
	return s.store.ServiceTokenPage(ctx, p)
}

// ServiceToken returns one service token. Errors: NotFound.
func (s *Service) ServiceToken(ctx context.Context, id string) (ServiceToken, error) {
	t, err := s.store.ServiceToken(ctx, id)
	if isNotFound(err) {
		return t, apperr.New(apperr.NotFound, "There is no such service token")
	}
	return t, err
}

// RevokeServiceToken stops a token working at once. Revoking it again
// changes nothing. Errors: NotFound for no such token.
func (s *Service) RevokeServiceToken(ctx context.Context, actor *auth.User, id string) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		revoked, err := s.store.RevokeServiceToken(ctx, id, actor.ID, s.now())
		if isNotFound(err) {
			return apperr.New(apperr.NotFound, "There is no such service token")
		}
		if err != nil || !revoked {
			return err
		}
		return s.audit.Record(ctx, actor.ID, "service_token.revoked", "service_token", id, nil)
	})
}

// UseServiceToken admits a request carrying a service token: it returns
// the token as a principal with its scopes and organisation, and records
// the use in the token's last use and in the audit log. Errors:
// auth.ErrTokenInvalid for an unknown, expired or revoked token.
func (s *Service) UseServiceToken(ctx context.Context, secret, use string) (*auth.User, error) {
	var u *auth.User
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		t, err := s.store.UseServiceToken(ctx, auth.HashServiceToken(secret), s.now())
		if isNotFound(err) {
			return auth.ErrTokenInvalid
		}
		if err != nil {
			return err
		}
		if err := s.audit.Record(ctx, "", "service_token.used", "service_token", t.ID, map[string]any{"request": use}); err != nil {
			return err
		}
		u = &auth.User{Name: t.Name, TokenID: t.ID, Scopes: t.Scopes, Roles: []string{}, Service: true}
		if t.OrganisationID != nil {
			u.OrganisationID = *t.OrganisationID
		}
		return nil
	})
	if errors.Is(err, auth.ErrTokenInvalid) {
		return nil, auth.ErrTokenInvalid
	}
	return u, err
}

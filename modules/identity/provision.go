package identity

import (
	"context"
	"errors"
	"net/mail"
	"strings"
	"time"

	"onramp/app/db"
)

// Provision returns the id of the person with email, creating them, not
// yet signed in and to be linked at their first sign-in by verified email,
// when nobody has that email; created says which. A new person gets the
// name, phone and date of birth given (what a manager typed); an existing
// person's record is never changed, whoever asks, so nobody can rename or
// re-contact someone else's account by knowing their email. Two callers
// provisioning the same new email at once get the same person. Errors are
// the database's.
func (s *Service) Provision(ctx context.Context, email, name, phone string, dateOfBirth *time.Time) (id string, created bool, err error) {
	return s.store.ProvisionPerson(ctx, strings.ToLower(strings.TrimSpace(email)), name, phone, dateOfBirth)
}

// ProvisionLearner makes sure a person with email exists (created, not yet
// signed in, when missing) and returns their id. name is used only when
// creating; the same rules as Provision apply.
func (s *Service) ProvisionLearner(ctx context.Context, email, name string) (string, error) {
	id, _, err := s.Provision(ctx, email, name, "", nil)
	return id, err
}

// HoldsRole is the one SQL condition for "user u holds a role", from the
// identity provider's claims or a local grant. Other modules read people
// by role with it (a module may read identity's tables in SQL, never write
// them); bind the role name twice.
const HoldsRole = `(? = ANY(u.claim_roles) OR EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = u.id AND g.role = ?))`

// ValidEmail reports whether s is an email address Onramp accepts for a
// person: one plain address (no display name), a dotted domain, at most
// 254 characters. It is the one rule for every form and import that takes
// an email.
func ValidEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " \t<>()[]\\,;:\"") {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.Contains(domain, "@") || !strings.Contains(domain, ".") ||
		strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// EnsureOrganisation returns the id of the organisation named name,
// creating it with kind (trust, charity, ...) when missing. Errors are the
// database's.
func (s *Service) EnsureOrganisation(ctx context.Context, name, kind string) (string, error) {
	return s.store.EnsureOrganisation(ctx, name, kind)
}

// VerifiedEmail returns the email address of the person userID when the
// identity provider vouched for it (email_verified) at their latest
// sign-in, and "" otherwise (never signed in, or not verified). Things
// sent to an email address, such as a personal invitation, are shown only
// to the person it is verified for. Errors are the database's.
func (s *Service) VerifiedEmail(ctx context.Context, userID string) (string, error) {
	email, err := s.store.VerifiedEmail(ctx, userID)
	if errors.Is(err, db.ErrNotFound) {
		return "", nil
	}
	return email, err
}

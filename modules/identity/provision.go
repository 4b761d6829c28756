package identity

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
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

// VerifiedEmail returns the email address of the person userID when the
// identity provider vouched for it (email_verified) at their latest sign-in
// that has not ended, and "" otherwise: never signed in, signed out
// everywhere, or not verified. Things sent to an email address (such as a
// personal invitation) are shown only to the person it is verified for.
//
// There is no column for verification; the answer comes from the ID token
// kept with the sign-in. A provider that releases email claims only at
// its userinfo endpoint, not in the ID token, gives "" (refused, never
// wrongly allowed). Errors are the database's.
func (s *Service) VerifiedEmail(ctx context.Context, userID string) (string, error) {
	email, token, err := s.store.LatestSignIn(ctx, userID)
	if errors.Is(err, db.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	claimed, verified := emailClaims(token)
	if !verified || claimed == "" || claimed != email {
		return "", nil
	}
	return email, nil
}

// emailClaims reads the email and email_verified claims of an ID token
// that was verified when the person signed in (so its signature is not
// checked again here). Anything unreadable counts as not verified.
func emailClaims(idToken string) (email string, verified bool) {
	parts := strings.Split(idToken, ".")
	if len(parts) != 3 {
		return "", false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return "", false
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified any    `json:"email_verified"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return "", false
	}
	// Some providers send the flag as the string "true".
	switch v := claims.EmailVerified.(type) {
	case bool:
		verified = v
	case string:
		verified = v == "true"
	}
	return strings.ToLower(strings.TrimSpace(claims.Email)), verified
}

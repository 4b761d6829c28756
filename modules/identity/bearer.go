package identity

import (
	"context"
	"regexp"
	"strings"

	"onramp/app/auth"
)

var _ auth.Tokens = (*Service)(nil)

// BearerUser returns the account an identity provider's access token
// names. A person's token finds the person who signed in with that
// subject (or, new to Onramp, records them as a sign-in would, linking a
// provisioned person by verified email), and refreshes their provider
// roles when the token carries the roles claim. A client-credentials
// token, or one naming nobody known and carrying no email, is the
// client's service identity: an account that is never a learner by
// default, created on first use and recorded in the audit log, which an
// admin can put in an organisation or give roles like anyone else.
func (s *Service) BearerUser(ctx context.Context, id auth.BearerIdentity) (*auth.User, error) {
	var u *auth.User
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if !id.Client {
			userID, err := s.store.UserBySubject(ctx, id.Issuer, id.Subject)
			switch {
			case err == nil:
				if id.Roles != nil {
					if err := s.store.RefreshClaimRoles(ctx, userID, id.Roles); err != nil {
						return err
					}
				}
				u, err = s.store.User(ctx, userID)
				return err
			case !isNotFound(err):
				return err
			case id.Email != "":
				u, err = s.firstTokenOfPerson(ctx, id)
				return err
			}
		}
		userID, created, err := s.store.UpsertService(ctx, id, serviceEmail(id), serviceName(id), s.now())
		if err != nil {
			return err
		}
		if created {
			if err := s.audit.Record(ctx, userID, "user.service_identity_created", "user", userID,
				map[string]any{"issuer": id.Issuer, "client_id": id.ClientID, "claim_roles": id.Roles}); err != nil {
				return err
			}
		}
		u, err = s.store.User(ctx, userID)
		return err
	})
	return u, err
}

// firstTokenOfPerson records a person Onramp first meets through an
// access token, as their first sign-in would, but starts no session.
func (s *Service) firstTokenOfPerson(ctx context.Context, id auth.BearerIdentity) (*auth.User, error) {
	if id.EmailVerified {
		linked, err := s.store.LinkPending(ctx, id.Email, id.Issuer, id.Subject)
		if err == nil {
			if err := s.audit.Record(ctx, linked, "user.linked", "user", linked, map[string]any{"issuer": id.Issuer, "via": "access_token"}); err != nil {
				return nil, err
			}
		} else if !isNotFound(err) {
			return nil, err
		}
	}
	userID, err := s.store.UpsertSignedIn(ctx, auth.Identity{Issuer: id.Issuer, Subject: id.Subject, Email: id.Email,
		EmailVerified: id.EmailVerified, Name: id.Name, Roles: id.Roles}, s.now())
	if err != nil {
		return nil, err
	}
	return s.store.User(ctx, userID)
}

var notEmailSafe = regexp.MustCompile(`[^a-z0-9._-]+`)

// serviceEmail is the made-up address of a service identity: users need
// one, and .invalid can never receive mail.
func serviceEmail(id auth.BearerIdentity) string {
	name := id.ClientID
	if name == "" {
		name = id.Subject
	}
	name = strings.Trim(notEmailSafe.ReplaceAllString(strings.ToLower(name), "-"), "-.")
	if len(name) > 60 {
		name = name[:60]
	}
	if name == "" {
		name = "client"
	}
	return name + "@service.invalid"
}

func serviceName(id auth.BearerIdentity) string {
	name := id.ClientID
	if name == "" {
		name = id.Subject
	}
	return "Service client " + name
}

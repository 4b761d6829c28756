package mentoring

import (
	"context"
	"strings"
	"time"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/modules/identity"
	"onramp/modules/notify"
)

// People is what mentoring needs from the identity module, which owns
// people and their roles: mentoring never writes users or role_grants.
type People interface {
	// Provision returns the id of the person with email, creating a
	// not-yet-signed-in person when nobody has that email. An existing
	// person's record is never changed.
	Provision(ctx context.Context, email, name, phone string, dateOfBirth *time.Time) (id string, created bool, err error)
	// VerifiedEmail returns the person's email when their identity
	// provider vouched for it at their latest sign-in, else "".
	VerifiedEmail(ctx context.Context, userID string) (string, error)
	// GrantRole gives userID role, recorded as granted by actor.
	GrantRole(ctx context.Context, actor *auth.User, userID, role string) error
}

// SetPeople sets who provisions invited mentors and grants them the role;
// without it invitations are refused as unavailable.
func (s *Service) SetPeople(p People) { s.people = p }

// InvitationDays is how long a mentor invitation stays open.
const InvitationDays = 30

// Invitation is a manager's invitation for someone to become a mentor.
type Invitation struct {
	ID             string
	Email          string
	Name           string
	UserID         string
	InvitedBy      string
	OrganisationID *string
	CreatedAt      time.Time
	ExpiresAt      time.Time
	AcceptedAt     *time.Time
}

// InviteInput is the invitation form as typed.
type InviteInput struct{ Name, Email string }

var (
	errNoInvitation      = apperr.New(apperr.NotFound, "There is no such invitation")
	errInvitationUsed    = apperr.New(apperr.Conflict, "You have already accepted this invitation. You are a mentor.")
	errInvitationExpired = apperr.New(apperr.Conflict, "This invitation has expired. Ask the person who invited you to send a new one.")
	errInvitedAlready    = apperr.New(apperr.Conflict, "This person has already been invited and has not answered yet")
	errNoPeople          = apperr.New(apperr.Unavailable, "Mentor invitations are not available. Try again later.")
)

// Invite invites someone by email to become a mentor: it provisions them
// through identity when they are new, records the invitation (open for
// InvitationDays) and tells them in the app and by email. Managers and
// admins only (auth.ScopeOf). Errors: Forbidden, Invalid naming the
// field, Conflict when an open invitation for the email exists.
func (s *Service) Invite(ctx context.Context, actor *auth.User, in InviteInput) (Invitation, error) {
	var inv Invitation
	if _, err := auth.ScopeOf(actor); err != nil {
		return inv, err
	}
	name, email := strings.TrimSpace(in.Name), strings.ToLower(strings.TrimSpace(in.Email))
	var fields []apperr.FieldError
	switch {
	case name == "":
		fields = append(fields, apperr.FieldError{Field: "name", Message: "Enter the mentor's full name"})
	case len(name) > 200:
		fields = append(fields, apperr.FieldError{Field: "name", Message: "Name must be 200 characters or fewer"})
	}
	if !identity.ValidEmail(email) {
		fields = append(fields, apperr.FieldError{Field: "email", Message: "Enter an email address in the correct format, like name@example.com"})
	}
	if len(fields) > 0 {
		return inv, apperr.InvalidFields(fields...)
	}
	if s.people == nil {
		return inv, errNoPeople
	}
	now := s.now()
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		old, err := s.store.OpenInvitation(ctx, email)
		switch {
		case err == nil && old.ExpiresAt.After(now):
			return errInvitedAlready
		case err == nil:
			if err := s.store.DeleteInvitation(ctx, old.ID); err != nil {
				return err
			}
		case !isNotFound(err):
			return err
		}
		userID, _, err := s.people.Provision(ctx, email, name, "", nil)
		if err != nil {
			return err
		}
		inv = Invitation{Email: email, Name: name, UserID: userID, InvitedBy: actor.ID,
			CreatedAt: now, ExpiresAt: now.AddDate(0, 0, InvitationDays)}
		if actor.OrganisationID != "" {
			inv.OrganisationID = &actor.OrganisationID
		}
		if inv.ID, err = s.store.CreateInvitation(ctx, inv); err != nil {
			return err
		}
		if err := s.notify(ctx, notify.Notification{UserID: userID, Kind: "mentor_invited", Title: "You are invited to be a mentor",
			Body: "Open the invitation to accept it and fill in your mentor profile.", Link: "/mentoring/invitations/" + inv.ID,
			DedupeKey: "mentor_invitation:" + inv.ID}); err != nil {
			return err
		}
		return s.record(ctx, actor.ID, "mentor_invitation.sent", inv.ID, map[string]any{"user_id": userID})
	})
	return inv, err
}

// InvitationView is an invitation as its invitee sees it.
type InvitationView struct {
	Invitation
	Expired bool // not accepted in time
}

// MentorInvitation returns invitation id for the signed-in person it was
// sent to: their email must be verified and match. Errors: NotFound for
// anyone else, so nobody learns who was invited.
func (s *Service) MentorInvitation(ctx context.Context, u *auth.User, id string) (InvitationView, error) {
	inv, err := s.store.Invitation(ctx, id, false)
	if isNotFound(err) {
		return InvitationView{}, errNoInvitation
	}
	if err != nil {
		return InvitationView{}, err
	}
	if err := s.mustBeInvitee(ctx, u, inv); err != nil {
		return InvitationView{}, err
	}
	return InvitationView{Invitation: inv, Expired: inv.AcceptedAt == nil && !inv.ExpiresAt.After(s.now())}, nil
}

// AcceptInvitation makes the invited person a mentor: identity grants the
// role, recorded as granted by the manager who invited them (their
// decision; the person only confirms it). Errors: NotFound as for
// MentorInvitation, Conflict when it was accepted already or has expired.
func (s *Service) AcceptInvitation(ctx context.Context, u *auth.User, id string) error {
	if s.people == nil {
		return errNoPeople
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		inv, err := s.store.Invitation(ctx, id, true)
		if isNotFound(err) {
			return errNoInvitation
		}
		if err != nil {
			return err
		}
		if err := s.mustBeInvitee(ctx, u, inv); err != nil {
			return err
		}
		now := s.now()
		switch {
		case inv.AcceptedAt != nil:
			return errInvitationUsed
		case !inv.ExpiresAt.After(now):
			return errInvitationExpired
		}
		if err := s.people.GrantRole(ctx, &auth.User{ID: inv.InvitedBy}, u.ID, auth.RoleMentor); err != nil {
			return err
		}
		if err := s.store.AcceptInvitation(ctx, inv.ID, now); err != nil {
			return err
		}
		return s.record(ctx, u.ID, "mentor_invitation.accepted", inv.ID, map[string]any{"invited_by": inv.InvitedBy})
	})
}

// mustBeInvitee is the one rule for who may see an invitation: the
// signed-in person whose verified email is the invited one.
func (s *Service) mustBeInvitee(ctx context.Context, u *auth.User, inv Invitation) error {
	if u == nil || s.people == nil {
		return errNoInvitation
	}
	email, err := s.people.VerifiedEmail(ctx, u.ID)
	if err != nil {
		return err
	}
	if email == "" || !strings.EqualFold(email, inv.Email) {
		return errNoInvitation
	}
	return nil
}

func (s *Service) record(ctx context.Context, actorID, action, subjectID string, detail map[string]any) error {
	if s.audit == nil {
		return nil
	}
	return s.audit.Record(ctx, actorID, action, "mentor_invitation", subjectID, detail)
}

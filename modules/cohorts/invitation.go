package cohorts

import (
	"context"
	"errors"
	"time"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/db"
)

// InvitationLifetime is how long a personal invitation can be accepted.
const InvitationLifetime = 30 * 24 * time.Hour

// PersonalInvitation is an invitation to join a cohort, made by a
// spreadsheet import for one email address, as the learner sees it. It
// holds nothing from the person's record.
type PersonalInvitation struct {
	ID               string
	CohortID         string
	CohortName       string
	ProgrammeSlug    string
	ProgrammeTitle   string
	OrganisationName string
	StartsOn         time.Time
	EndsOn           time.Time
	ExpiresAt        time.Time
}

var errNoInvitation = apperr.New(apperr.NotFound, "There is no such invitation for you. It may have been sent to another email address.")

// Invitations lists the personal invitations a learner can accept now:
// those sent to the email address their identity provider verified,
// unanswered, unexpired, for cohorts that have not finished and that
// they are not already in. A learner whose email is not verified has none.
func (s *Service) Invitations(ctx context.Context, userID string) ([]PersonalInvitation, error) {
	email, err := s.people.VerifiedEmail(ctx, userID)
	if err != nil || email == "" {
		return nil, err
	}
	return s.store.openInvitations(ctx, email, userID, s.now(), s.Today())
}

// AcceptInvitation enrols a learner in the cohort of a personal
// invitation to their verified email, in one audited transaction.
// Accepting again changes nothing, so two clicks give one enrolment.
// Conflict (with the reason) when the invitation was declined or has
// expired, the cohort has finished or is full, or the learner was
// withdrawn from it. NotFound for an invitation that is not theirs.
// Ages were checked against the programme's range when the manager's
// spreadsheet was; as with invite codes, nothing more is asked here.
func (s *Service) AcceptInvitation(ctx context.Context, learner *auth.User, id string) (*PersonalInvitation, error) {
	email, err := s.people.VerifiedEmail(ctx, learner.ID)
	if err != nil {
		return nil, err
	}
	var inv *invitationRow
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		inv, err = s.store.lockInvitation(ctx, id, email)
		if errors.Is(err, db.ErrNotFound) {
			return errNoInvitation
		}
		if err != nil {
			return err
		}
		switch {
		case inv.AcceptedAt != nil:
			return nil // accepted already, from another tab or a double click
		case inv.DeclinedAt != nil:
			return apperr.New(apperr.Conflict, "You said no thanks to this invitation. If you have changed your mind, ask "+inv.OrganisationName+" for an invite code.")
		case !s.now().Before(inv.ExpiresAt):
			return apperr.New(apperr.Conflict, "This invitation has expired. Ask "+inv.OrganisationName+" for an invite code.")
		case s.Today().After(inv.EndsOn):
			return apperr.New(apperr.Conflict, inviteRefusals[InviteFinished])
		}
		e, err := s.store.enrolment(ctx, inv.CohortID, learner.ID, true)
		if err != nil {
			return err
		}
		if e != nil && e.Status == "withdrawn" {
			return apperr.New(apperr.Conflict, "You were withdrawn from this course, so the invitation cannot put you back. Ask "+inv.OrganisationName+".")
		}
		if e == nil {
			taken, err := s.store.placesTaken(ctx, inv.CohortID)
			if err != nil {
				return err
			}
			if taken >= inv.Capacity {
				return apperr.New(apperr.Conflict, "This course is full, so nobody else can join it. Ask "+inv.OrganisationName+" about the next one.")
			}
			if _, err := s.store.enrolOnce(ctx, inv.CohortID, learner.ID, s.now(), nil); err != nil {
				return err
			}
		}
		if err := s.store.answerInvitation(ctx, inv.ID, true, s.now()); err != nil {
			return err
		}
		return s.record(ctx, learner.ID, "cohort.invitation_accepted", "cohort", inv.CohortID, map[string]any{"invitation_id": inv.ID})
	})
	if err != nil {
		return nil, err
	}
	return &inv.PersonalInvitation, nil
}

// DeclineInvitation records that a learner said no to a personal
// invitation to their verified email; the organisation's import cannot
// invite them to that cohort again. Declining again changes nothing.
// Conflict when they had already accepted; NotFound for an invitation
// that is not theirs.
func (s *Service) DeclineInvitation(ctx context.Context, learner *auth.User, id string) error {
	email, err := s.people.VerifiedEmail(ctx, learner.ID)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		inv, err := s.store.lockInvitation(ctx, id, email)
		switch {
		case errors.Is(err, db.ErrNotFound):
			return errNoInvitation
		case err != nil:
			return err
		case inv.AcceptedAt != nil:
			return apperr.New(apperr.Conflict, "You have already accepted this invitation. To leave the course, ask "+inv.OrganisationName+".")
		case inv.DeclinedAt != nil:
			return nil
		}
		if err := s.store.answerInvitation(ctx, inv.ID, false, s.now()); err != nil {
			return err
		}
		return s.record(ctx, learner.ID, "cohort.invitation_declined", "cohort", inv.CohortID, map[string]any{"invitation_id": inv.ID})
	})
}

package mentoring

import (
	"context"
	"strings"

	"onramp/app/apperr"
	"onramp/app/auth"
)

// ConflictKinds are the reasons a learner and mentor may never be matched.
var ConflictKinds = []Option{
	{"same_family", "They are in the same family"}, {"line_manager", "One manages the other at work"},
	{"knows_them", "They know each other"}, {"other", "Another reason"},
}

// ConflictInput is the conflict form as typed. The learner is named by
// id (from a proposal) or by email address (from the mentor's page).
type ConflictInput struct {
	LearnerID, LearnerEmail, Kind, Reason string
}

var errNoLearner = apperr.InvalidFields(apperr.FieldError{Field: "learner-email",
	Message: "Enter the email address of a learner on one of your organisation's programmes"})

// conflictScope is whose learners the viewer may declare conflicts for:
// safeguarding leads and admins everyone's, managers their organisation's
// (auth.ScopeOf). Errors: as auth.ScopeOf.
func conflictScope(viewer *auth.User) (auth.Scope, error) {
	if viewer.Has(auth.RoleSafeguardingLead) {
		return everyone, nil
	}
	return auth.ScopeOf(viewer)
}

// DeclareConflict records that a learner and a mentor must never be
// matched; the matcher excludes the pair from then on. Errors: Forbidden
// as auth.ScopeOf (safeguarding leads may declare for any learner);
// NotFound for someone who is not a mentor; Invalid naming each field,
// including a learner outside the viewer's organisation (said the same
// way as one who does not exist).
func (s *Service) DeclareConflict(ctx context.Context, viewer *auth.User, mentorID string, in ConflictInput) error {
	scope, err := conflictScope(viewer)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		return s.declare(ctx, viewer, scope, mentorID, in)
	})
}

func (s *Service) declare(ctx context.Context, viewer *auth.User, scope auth.Scope, mentorID string, in ConflictInput) error {
	if _, err := s.store.Mentor(ctx, mentorID); isNotFound(err) {
		return errNoMentor
	} else if err != nil {
		return err
	}
	var errs []apperr.FieldError
	if !validCode(ConflictKinds, in.Kind) {
		errs = append(errs, apperr.FieldError{Field: "kind", Message: "Choose why they must not be matched"})
	}
	reason := strings.TrimSpace(in.Reason)
	switch {
	case reason == "":
		errs = append(errs, apperr.FieldError{Field: "conflict-reason", Message: "Say why they must not be matched"})
	case len(reason) > 500:
		errs = append(errs, apperr.FieldError{Field: "conflict-reason", Message: "The reason must be 500 characters or fewer"})
	}
	learner := in.LearnerID
	if learner == "" && strings.TrimSpace(in.LearnerEmail) != "" {
		id, err := s.store.UserByEmail(ctx, strings.TrimSpace(in.LearnerEmail))
		if err != nil && !isNotFound(err) {
			return err
		}
		learner = id
	}
	orgs, err := s.store.LearnerOrganisations(ctx, learner)
	if err != nil && !isNotFound(err) {
		return err
	}
	inScope := false
	for _, o := range orgs {
		inScope = inScope || scope.Includes(o)
	}
	if !inScope || learner == mentorID {
		errs = append(errs, errNoLearner.Fields...)
	}
	if len(errs) > 0 {
		return apperr.InvalidFields(errs...)
	}
	return s.store.DeclareConflict(ctx, learner, mentorID, in.Kind, reason, viewer.ID, s.now())
}

// DeclareProposalConflict declares a conflict between a proposal's
// learner and mentor and rejects the proposal with the same reason.
// Errors: as auth.ScopeOf; NotFound; Conflict when decided already;
// Invalid naming each field.
func (s *Service) DeclareProposalConflict(ctx context.Context, viewer *auth.User, id, kind, reason string) error {
	scope, err := conflictScope(viewer)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		m, err := s.inScope(ctx, viewer, id, true)
		if err != nil {
			return err
		}
		if m.Status != StatusProposed {
			return errDecided
		}
		if err := s.declare(ctx, viewer, scope, m.MentorID, ConflictInput{LearnerID: m.LearnerID, Kind: kind, Reason: reason}); err != nil {
			return err
		}
		return s.store.Reject(ctx, m.ID, viewer.ID, "Conflict declared: "+Label(ConflictKinds, kind)+". "+strings.TrimSpace(reason), s.now())
	})
}

// MentorConflicts lists a mentor's declared conflicts with learners the
// viewer may see. Errors: as DeclareConflict.
func (s *Service) MentorConflicts(ctx context.Context, viewer *auth.User, mentorID string) ([]Conflict, error) {
	scope, err := conflictScope(viewer)
	if err != nil {
		return nil, err
	}
	return s.store.ConflictsOf(ctx, mentorID, scope)
}

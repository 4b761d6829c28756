package messaging

import (
	"context"

	"onramp/app/auth"
	"onramp/modules/mentoring"
)

// Suspensions suspends and reinstates mentors; the mentoring module
// provides it and owns what a suspension means for matching.
type Suspensions interface {
	SuspendMentor(ctx context.Context, leadID, mentorID, reason string) error
	ReinstateMentor(ctx context.Context, leadID, mentorID string) error
	MentorSuspended(ctx context.Context, mentorID string) (bool, error)
	ActiveMentorshipsOf(ctx context.Context, mentorID string) ([]string, error)
}

var _ Suspensions = (*mentoring.Service)(nil)

// SuspendMentor is a safeguarding lead's "suspend this mentor at once":
// the mentor stops being eligible (never proposed or approved again) and
// every active thread of theirs is paused, so nobody can send in it,
// all in one transaction and on the audit record. It returns how many
// threads it paused. Errors: Forbidden for anyone but a lead, Invalid
// (the reason, field "suspend-reason"), NotFound (no such mentor).
func (s *Service) SuspendMentor(ctx context.Context, u *auth.User, mentorID, reason string) (int, error) {
	if !isLead(u) {
		return 0, errNotLead
	}
	var ids []string
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.suspensions.SuspendMentor(ctx, u.ID, mentorID, reason); err != nil {
			return err
		}
		var err error
		if ids, err = s.suspensions.ActiveMentorshipsOf(ctx, mentorID); err != nil {
			return err
		}
		for _, id := range ids {
			if err := s.store.Pause(ctx, id, u.ID, reason, s.now()); err != nil {
				return err
			}
			if err := s.audit.Record(ctx, u.ID, "messages.paused", "mentorship", id, map[string]any{"reason": reason, "mentor_suspended": mentorID}); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, u.ID, "mentor.suspended", "user", mentorID, map[string]any{"reason": reason, "paused": ids})
	})
	return len(ids), err
}

// ReinstateMentor lifts a mentor's suspension. Their threads stay paused
// until a lead resumes each, having looked. Errors: Forbidden for anyone
// but a lead, NotFound (no such mentor).
func (s *Service) ReinstateMentor(ctx context.Context, u *auth.User, mentorID string) error {
	if !isLead(u) {
		return errNotLead
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.suspensions.ReinstateMentor(ctx, u.ID, mentorID); err != nil {
			return err
		}
		return s.audit.Record(ctx, u.ID, "mentor.reinstated", "user", mentorID, nil)
	})
}

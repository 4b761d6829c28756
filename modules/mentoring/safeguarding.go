package mentoring

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"onramp/app/apperr"
	"onramp/app/db"
)

// SuspendMentor stops a mentor mentoring at once, on a safeguarding
// lead's word: while suspended they are not eligible, so the matcher never
// proposes them and no proposal of theirs can be approved. Suspending a
// suspended mentor keeps the first suspension. Messaging, which holds the
// lead's rule and the audit record, calls it (and pauses the mentor's
// threads in the same transaction). Errors: Invalid (the reason, field
// "suspend-reason"), NotFound (no such mentor).
func (s *Service) SuspendMentor(ctx context.Context, leadID, mentorID, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 1000 {
		return apperr.InvalidFields(apperr.FieldError{Field: "suspend-reason", Message: "Say why you are suspending this mentor, in 1,000 characters or fewer"})
	}
	if _, err := s.store.Mentor(ctx, mentorID); err != nil {
		if isNotFound(err) {
			return errNoMentor
		}
		return err
	}
	return s.store.Suspend(ctx, mentorID, leadID, reason, s.now())
}

// ReinstateMentor lifts a mentor's suspension; their other checks decide
// again whether they are eligible. Their paused threads stay paused until
// a lead resumes each. Errors: NotFound (no such mentor).
func (s *Service) ReinstateMentor(ctx context.Context, leadID, mentorID string) error {
	if _, err := s.store.Mentor(ctx, mentorID); err != nil {
		if isNotFound(err) {
			return errNoMentor
		}
		return err
	}
	return s.store.Reinstate(ctx, mentorID)
}

// ActiveMentorshipsOf lists the ids of a mentor's active mentorships: the
// threads a suspension pauses.
func (s *Service) ActiveMentorshipsOf(ctx context.Context, mentorID string) ([]string, error) {
	return s.store.ActiveMentorshipsOf(ctx, mentorID)
}

// Suspend records a mentor's suspension on their vetting record, making
// one that records only the suspension when they have none.
func (s *Store) Suspend(ctx context.Context, mentorID, leadID, reason string, at time.Time) error {
	err := db.Conn(ctx, s.g).Exec(`INSERT INTO mentor_vetting (user_id, dbs_enhanced_barred, recorded_by, recorded_at,
			suspended_at, suspended_by, suspended_reason)
		VALUES (?, false, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET suspended_at = EXCLUDED.suspended_at, suspended_by = EXCLUDED.suspended_by,
			suspended_reason = EXCLUDED.suspended_reason
		WHERE mentor_vetting.suspended_at IS NULL`, mentorID, leadID, at, at, leadID, reason).Error
	if err != nil {
		return fmt.Errorf("store: unable to suspend mentor %s: %w", mentorID, err)
	}
	return nil
}

// Reinstate clears a mentor's suspension.
func (s *Store) Reinstate(ctx context.Context, mentorID string) error {
	err := db.Conn(ctx, s.g).Exec(`UPDATE mentor_vetting SET suspended_at = NULL, suspended_by = NULL, suspended_reason = ''
		WHERE user_id = ?`, mentorID).Error
	if err != nil {
		return fmt.Errorf("store: unable to reinstate mentor %s: %w", mentorID, err)
	}
	return nil
}

// ActiveMentorshipsOf lists the ids of a mentor's active mentorships.
func (s *Store) ActiveMentorshipsOf(ctx context.Context, mentorID string) ([]string, error) {
	var ids []string
	if !db.IsUUID(mentorID) {
		return ids, nil
	}
	err := db.Conn(ctx, s.g).Raw(`SELECT id FROM mentorships WHERE mentor_id = ? AND status = 'active' ORDER BY id`, mentorID).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the active mentorships of mentor %s: %w", mentorID, err)
	}
	return ids, nil
}

// MentorSuspended says whether a safeguarding lead has suspended a
// mentor (false for anyone with no vetting record).
func (s *Service) MentorSuspended(ctx context.Context, mentorID string) (bool, error) {
	v, err := s.store.Vetting(ctx, mentorID)
	if isNotFound(err) {
		return false, nil
	}
	return err == nil && v.SuspendedAt != nil, err
}

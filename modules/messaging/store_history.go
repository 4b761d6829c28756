package messaging

import (
	"context"
	"fmt"
	"time"

	"onramp/app/db"
)

// HistoryMessages lists every message of a mentorship, oldest first,
// whatever its status, with the name of the lead who reviewed it.
func (s *Store) HistoryMessages(ctx context.Context, mentorshipID string) ([]HistoryMessage, error) {
	var out []HistoryMessage
	err := db.Conn(ctx, s.g).Raw(`SELECT `+messageColumns+`, COALESCE(rv.name, '') AS reviewer_name`+messageFrom+
		`LEFT JOIN users rv ON rv.id = m.reviewed_by WHERE m.mentorship_id = ? ORDER BY m.n`, mentorshipID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the history of mentorship %s: %w", mentorshipID, err)
	}
	return out, nil
}

// ThreadFlags lists why each message of a mentorship was held, by
// message then position.
func (s *Store) ThreadFlags(ctx context.Context, mentorshipID string) ([]Flag, error) {
	var out []Flag
	err := db.Conn(ctx, s.g).Raw(`SELECT f.* FROM message_flags f JOIN messages m ON m.id = f.message_id
		WHERE m.mentorship_id = ? ORDER BY m.n, f.position`, mentorshipID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the flags in mentorship %s: %w", mentorshipID, err)
	}
	return out, nil
}

// MentorshipCases lists the concern cases about a mentorship or one of
// its messages, oldest first.
func (s *Store) MentorshipCases(ctx context.Context, mentorshipID string) ([]Case, error) {
	var out []Case
	err := db.Conn(ctx, s.g).Raw(`SELECT `+caseColumns+caseFrom+`WHERE c.mentorship_id = ?
		OR c.message_id IN (SELECT id FROM messages WHERE mentorship_id = ?) ORDER BY c.created_at`, mentorshipID, mentorshipID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the cases about mentorship %s: %w", mentorshipID, err)
	}
	return out, nil
}

// Event is one audit record about a thread, for its printed history.
type Event struct {
	At          time.Time `gorm:"column:at"`
	ActorName   string    `gorm:"column:actor_name"`
	Action      string    `gorm:"column:action"`
	SubjectType string    `gorm:"column:subject_type"`
	SubjectID   string    `gorm:"column:subject_id"`
	Detail      string    `gorm:"column:detail"`
}

// ThreadEvents lists the audit records about a mentorship's thread, its
// messages and its cases, oldest first (the audit module's table, read
// only, for the printed history).
func (s *Store) ThreadEvents(ctx context.Context, mentorshipID string) ([]Event, error) {
	var out []Event
	err := db.Conn(ctx, s.g).Raw(`SELECT e.at, COALESCE(u.name, '') AS actor_name, e.action, e.subject_type, e.subject_id,
		e.detail::text AS detail FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE (e.subject_type = 'mentorship' AND e.subject_id = ?)
		OR (e.subject_type = 'message' AND e.subject_id IN (SELECT id::text FROM messages WHERE mentorship_id = ?))
		OR (e.subject_type = 'concern_case' AND e.subject_id IN (SELECT id::text FROM concern_cases WHERE mentorship_id = ?
			OR message_id IN (SELECT id FROM messages WHERE mentorship_id = ?)))
		ORDER BY e.at, e.id`, mentorshipID, mentorshipID, mentorshipID, mentorshipID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the record of mentorship %s: %w", mentorshipID, err)
	}
	return out, nil
}

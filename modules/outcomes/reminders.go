package outcomes

import (
	"context"
	"fmt"
	"time"

	"onramp/app/db"
	"onramp/modules/notify"
)

// Notifier tells a person something; the notify module provides it.
type Notifier interface {
	Notify(ctx context.Context, n notify.Notification) error
}

// FollowUpReminder is one person to remind of one follow-up that is due.
type FollowUpReminder struct {
	DestinationID string
	FollowUpKind  string
	DueOn         time.Time
	LearnerID     string
	LearnerName   string
	RecipientID   string
}

// reminderGrace is how long after its due date a follow-up not yet
// recorded is still reminded of, for one recorded late or missed while
// reminders were not running.
const reminderGrace = 14

// NotifyDueFollowUps reminds managers of follow-ups not yet recorded that
// are due within the next 14 days (or were due in the last 14): the
// managers of the organisation running the learner's cohort, or the
// admins for a cohort no organisation runs. Each person hears about each
// follow-up once, however often this runs; the reminder names the
// learner by first name only. It is run daily by a periodic job. Errors:
// the store's or n's; reminders already sent stay sent.
func (s *Service) NotifyDueFollowUps(ctx context.Context, n Notifier) error {
	today := s.today()
	due, err := s.store.FollowUpReminders(ctx, today.AddDate(0, 0, -reminderGrace), today.AddDate(0, 0, followUpWindow))
	if err != nil {
		return err
	}
	for _, r := range due {
		err := n.Notify(ctx, notify.Notification{
			UserID: r.RecipientID,
			Kind:   "follow_up_due",
			Title:  "A " + FollowUpLabel(r.FollowUpKind) + " is due",
			Body: fmt.Sprintf("Ask %s whether they are still in their destination. Due %s.",
				notify.FirstNameOr(r.LearnerName, "your learner"), r.DueOn.Format("2 January 2006")),
			Link:      "/manage/learners/" + r.LearnerID + "/destinations#destination-" + r.DestinationID,
			DedupeKey: "follow_up_due:" + r.DestinationID + ":" + r.FollowUpKind,
		})
		if err != nil {
			return fmt.Errorf("outcomes: reminding %s of follow-up %s/%s: %w", r.RecipientID, r.DestinationID, r.FollowUpKind, err)
		}
	}
	return nil
}

// FollowUpReminders lists, for each follow-up not yet recorded and due
// between from and until, each person who should be reminded of it: the
// managers of the cohort's organisation, or every admin when no
// organisation runs the cohort. It reads users and role_grants (identity's)
// for who holds which role.
func (s *Store) FollowUpReminders(ctx context.Context, from, until time.Time) ([]FollowUpReminder, error) {
	var out []FollowUpReminder
	err := db.Conn(ctx, s.g).Raw(`
		WITH due AS (
			SELECT f.destination_id, f.kind, f.due_on, d.user_id AS learner_id, c.organisation_id
			FROM follow_ups f
			JOIN destinations d ON d.id = f.destination_id
			JOIN cohorts c ON c.id = d.cohort_id
			WHERE f.outcome IS NULL AND f.due_on BETWEEN ? AND ?
		), holders AS (
			SELECT u.id, u.organisation_id, r.role
			FROM users u CROSS JOIN LATERAL (
				SELECT unnest(u.claim_roles) AS role
				UNION SELECT g.role FROM role_grants g WHERE g.user_id = u.id
			) r
			WHERE r.role IN ('manager', 'admin')
		)
		SELECT DISTINCT due.destination_id, due.kind AS follow_up_kind, due.due_on, due.learner_id,
		       l.name AS learner_name, h.id AS recipient_id
		FROM due
		JOIN users l ON l.id = due.learner_id
		JOIN holders h ON (due.organisation_id IS NOT NULL AND h.role = 'manager' AND h.organisation_id = due.organisation_id)
		               OR (due.organisation_id IS NULL AND h.role = 'admin')
		ORDER BY due.due_on, due.destination_id, due.kind, h.id`,
		from.Format(time.DateOnly), until.Format(time.DateOnly)).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list follow-up reminders due by %s: %w", until.Format(time.DateOnly), err)
	}
	return out, nil
}

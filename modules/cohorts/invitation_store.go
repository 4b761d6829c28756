package cohorts

import (
	"context"
	"fmt"
	"time"

	"onramp/app/db"
)

// invitationRow is a personal invitation with the cohort it is for.
type invitationRow struct {
	PersonalInvitation
	Email      string
	Capacity   int
	AcceptedAt *time.Time
	DeclinedAt *time.Time
}

const invitationColumns = `i.id, i.cohort_id, c.name AS cohort_name, p.slug AS programme_slug, p.title AS programme_title,
	o.name AS organisation_name, c.starts_on, c.ends_on, i.expires_at, i.email, c.capacity, i.accepted_at, i.declined_at`

const invitationFrom = ` FROM cohort_invitations i JOIN cohorts c ON c.id = i.cohort_id
	JOIN programmes p ON p.id = c.programme_id JOIN organisations o ON o.id = c.organisation_id`

// invite records a personal invitation unless the cohort already has one
// for the email (in any state), and reports whether it added one.
func (s *Store) invite(ctx context.Context, cohortID, email, name, importID, invitedBy string, at, expires time.Time) (bool, error) {
	res := db.Conn(ctx, s.g).Exec(`INSERT INTO cohort_invitations (cohort_id, email, name, import_id, invited_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (cohort_id, email) DO NOTHING`, cohortID, email, name, importID, invitedBy, at, expires)
	if res.Error != nil {
		return false, fmt.Errorf("store: unable to invite someone to cohort %s: %w", cohortID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// openInvitations lists the invitations to email that can still be
// accepted at now: unanswered, unexpired, for a cohort that has not
// finished by today and that userID is not already in. Soonest start first.
func (s *Store) openInvitations(ctx context.Context, email, userID string, now, today time.Time) ([]PersonalInvitation, error) {
	var out []PersonalInvitation
	err := db.Conn(ctx, s.g).Raw("SELECT "+invitationColumns+invitationFrom+`
		WHERE i.email = ? AND i.accepted_at IS NULL AND i.declined_at IS NULL AND i.expires_at > ? AND c.ends_on >= ?
		  AND NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.cohort_id = i.cohort_id AND e.user_id = ?)
		ORDER BY c.starts_on, c.name`, email, now, today, userID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list invitations: %w", err)
	}
	return out, nil
}

// lockInvitation returns the invitation id made to email, locked for
// update, or db.ErrNotFound (also for someone else's invitation).
func (s *Store) lockInvitation(ctx context.Context, id, email string) (*invitationRow, error) {
	if !db.IsUUID(id) || email == "" {
		return nil, db.ErrNotFound
	}
	var r invitationRow
	res := db.Conn(ctx, s.g).Raw("SELECT "+invitationColumns+invitationFrom+" WHERE i.id = ? AND i.email = ? FOR UPDATE OF i", id, email).Scan(&r)
	if err := db.One(res, "invitation", id); err != nil {
		return nil, err
	}
	return &r, nil
}

// answerInvitation records that an invitation was accepted (or declined).
func (s *Store) answerInvitation(ctx context.Context, id string, accepted bool, at time.Time) error {
	column := "declined_at"
	if accepted {
		column = "accepted_at"
	}
	err := db.Conn(ctx, s.g).Exec("UPDATE cohort_invitations SET "+column+" = ? WHERE id = ?", at, id).Error
	if err != nil {
		return fmt.Errorf("store: unable to answer invitation %s: %w", id, err)
	}
	return nil
}

// placesTaken locks a cohort against other acceptances and counts the
// learners in it who have not been withdrawn.
func (s *Store) placesTaken(ctx context.Context, cohortID string) (int, error) {
	conn := db.Conn(ctx, s.g)
	if err := conn.Exec("SELECT id FROM cohorts WHERE id = ? FOR NO KEY UPDATE", cohortID).Error; err != nil {
		return 0, fmt.Errorf("store: unable to lock cohort %s: %w", cohortID, err)
	}
	var n int
	if err := conn.Raw("SELECT count(*) FROM enrolments WHERE cohort_id = ? AND status <> 'withdrawn'", cohortID).Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("store: unable to count the learners of cohort %s: %w", cohortID, err)
	}
	return n, nil
}

// invitedEmails lists the emails the cohort has invited, in any state.
func (s *Store) invitedEmails(ctx context.Context, cohortID string) ([]string, error) {
	var out []string
	if err := db.Conn(ctx, s.g).Raw("SELECT email FROM cohort_invitations WHERE cohort_id = ?", cohortID).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list the invitations of cohort %s: %w", cohortID, err)
	}
	return out, nil
}

package mentoring

import (
	"context"
	"fmt"
	"time"

	"onramp/app/db"
)

const invitationColumns = `SELECT id, email, name, user_id, invited_by, organisation_id, created_at, expires_at, accepted_at
	FROM mentor_invitations`

// Invitation returns mentor invitation id, locked for update when lock is
// set, or db.ErrNotFound.
func (s *Store) Invitation(ctx context.Context, id string, lock bool) (Invitation, error) {
	var inv Invitation
	if !db.IsUUID(id) {
		return inv, db.ErrNotFound
	}
	q := invitationColumns + ` WHERE id = ?`
	if lock {
		q += ` FOR UPDATE`
	}
	res := db.Conn(ctx, s.g).Raw(q, id).Scan(&inv)
	return inv, db.One(res, "mentor invitation", id)
}

// OpenInvitation returns the invitation for email not yet accepted
// (expired or not), or db.ErrNotFound.
func (s *Store) OpenInvitation(ctx context.Context, email string) (Invitation, error) {
	var inv Invitation
	res := db.Conn(ctx, s.g).Raw(invitationColumns+` WHERE email = ? AND accepted_at IS NULL FOR UPDATE`, email).Scan(&inv)
	return inv, db.One(res, "open mentor invitation for", email)
}

// CreateInvitation records inv and returns its new id.
func (s *Store) CreateInvitation(ctx context.Context, inv Invitation) (string, error) {
	var row struct{ ID string }
	err := db.Conn(ctx, s.g).Raw(`INSERT INTO mentor_invitations (email, name, user_id, invited_by, organisation_id, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		inv.Email, inv.Name, inv.UserID, inv.InvitedBy, inv.OrganisationID, inv.CreatedAt, inv.ExpiresAt).Scan(&row).Error
	if err != nil {
		return "", fmt.Errorf("store: unable to record mentor invitation for %s: %w", inv.Email, err)
	}
	return row.ID, nil
}

// DeleteInvitation removes an expired invitation so a new one can be sent.
func (s *Store) DeleteInvitation(ctx context.Context, id string) error {
	if err := db.Conn(ctx, s.g).Exec(`DELETE FROM mentor_invitations WHERE id = ?`, id).Error; err != nil {
		return fmt.Errorf("store: unable to remove mentor invitation %s: %w", id, err)
	}
	return nil
}

// AcceptInvitation marks invitation id accepted at at.
func (s *Store) AcceptInvitation(ctx context.Context, id string, at time.Time) error {
	if err := db.Conn(ctx, s.g).Exec(`UPDATE mentor_invitations SET accepted_at = ? WHERE id = ?`, at, id).Error; err != nil {
		return fmt.Errorf("store: unable to accept mentor invitation %s: %w", id, err)
	}
	return nil
}

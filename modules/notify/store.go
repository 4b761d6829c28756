package notify

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"onramp/app/db"
	"onramp/app/page"
)

// Store reads and writes notifications and notification_preferences. It
// reads users (owned by identity) only for an email address and a name.
type Store struct{ g *gorm.DB }

// NewStore returns a store over g.
func NewStore(g *gorm.DB) *Store { return &Store{g: g} }

// Insert records n unless its person already has one with its dedupe
// key. It returns the new id, or "" when it was a duplicate, and whether
// the person wants it by email.
func (s *Store) Insert(ctx context.Context, n Notification, at time.Time) (id string, wantEmail bool, err error) {
	var row struct {
		ID        string
		WantEmail bool
	}
	res := db.Conn(ctx, s.g).Raw(`
		INSERT INTO notifications (user_id, kind, title, body, link, dedupe_key, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id, dedupe_key) DO NOTHING
		RETURNING id, `+fmt.Sprintf(wantsEmail, "notifications.user_id")+` AS want_email`,
		n.UserID, n.Kind, n.Title, n.Body, n.Link, n.DedupeKey, at).Scan(&row)
	if res.Error != nil {
		return "", false, fmt.Errorf("store: unable to record a %s notification for %s: %w", n.Kind, n.UserID, res.Error)
	}
	return row.ID, row.WantEmail, nil
}

// wantsEmail is the one SQL rule for whether person user (an id column)
// wants email: yes unless they turned it off.
const wantsEmail = `COALESCE((SELECT p.email FROM notification_preferences p WHERE p.user_id = %s), true)`

// Unread counts userID's unread notifications with one indexed query; the
// header runs it on every page.
func (s *Store) Unread(ctx context.Context, userID string) (int, error) {
	rows, err := db.Query(ctx, s.g, `SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, userID)
	if err != nil {
		return 0, fmt.Errorf("store: unable to count the unread notifications of %s: %w", userID, err)
	}
	defer rows.Close()
	var n int
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, fmt.Errorf("store: unable to count the unread notifications of %s: %w", userID, err)
		}
	}
	return n, rows.Err()
}

// List returns a page of userID's notifications, newest first (then by
// id, highest first), and the next page's cursor ("" on the last).
// Errors: page.ErrCursor.
func (s *Store) List(ctx context.Context, userID string, p page.Request) ([]Item, string, error) {
	cond, args := "TRUE", []any(nil)
	if !p.IsFirst() {
		var at time.Time
		var id string
		if err := p.After(&at, &id); err != nil || !db.IsUUID(id) {
			return nil, "", page.ErrCursor
		}
		cond, args = "(created_at, id) < (?, ?)", []any{at, id}
	}
	var out []Item
	err := db.Conn(ctx, s.g).Raw(`
		SELECT id, kind, title, body, link, created_at, read_at FROM notifications
		WHERE user_id = ? AND `+cond+` ORDER BY created_at DESC, id DESC LIMIT ?`,
		append(append([]any{userID}, args...), p.Fetch())...).Scan(&out).Error
	if err != nil {
		return nil, "", fmt.Errorf("store: unable to list the notifications of %s: %w", userID, err)
	}
	out, next := page.Cut(p, out, func(i Item) []any { return []any{i.CreatedAt, i.ID} })
	return out, next, nil
}

// MarkRead marks one of userID's notifications read (a read one stays as
// it was). Errors: db.ErrNotFound when id is not one of userID's.
func (s *Store) MarkRead(ctx context.Context, userID, id string, at time.Time) error {
	if !db.IsUUID(id) {
		return db.ErrNotFound
	}
	res := db.Conn(ctx, s.g).Exec(`UPDATE notifications SET read_at = COALESCE(read_at, ?) WHERE id = ? AND user_id = ?`, at, id, userID)
	if res.Error != nil {
		return fmt.Errorf("store: unable to mark notification %s read: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return db.ErrNotFound
	}
	return nil
}

// MarkAllRead marks every unread notification of userID read.
func (s *Store) MarkAllRead(ctx context.Context, userID string, at time.Time) error {
	err := db.Conn(ctx, s.g).Exec(`UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, at, userID).Error
	if err != nil {
		return fmt.Errorf("store: unable to mark the notifications of %s read: %w", userID, err)
	}
	return nil
}

// Preferences returns userID's email preferences, the defaults when they
// have set none.
func (s *Store) Preferences(ctx context.Context, userID string) (Preferences, error) {
	var row struct{ Email bool }
	res := db.Conn(ctx, s.g).Raw(`SELECT email FROM notification_preferences WHERE user_id = ?`, userID).Scan(&row)
	if res.Error != nil {
		return Preferences{}, fmt.Errorf("store: unable to load the preferences of %s: %w", userID, res.Error)
	}
	if res.RowsAffected == 0 {
		return Preferences{Email: true}, nil
	}
	return Preferences{Email: row.Email}, nil
}

// SetEmail turns all email for userID on or off.
func (s *Store) SetEmail(ctx context.Context, userID string, on bool, at time.Time) error {
	err := db.Conn(ctx, s.g).Exec(`
		INSERT INTO notification_preferences (user_id, email, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email, updated_at = EXCLUDED.updated_at`, userID, on, at).Error
	if err != nil {
		return fmt.Errorf("store: unable to save the email preference of %s: %w", userID, err)
	}
	return nil
}

// emailTarget loads what the email job needs for notification id: the
// address and name of its person (from users), and whether it is still
// wanted. Errors: db.ErrNotFound when the notification is gone (its
// person was deleted).
func (s *Store) emailTarget(ctx context.Context, id string) (emailTarget, error) {
	var t emailTarget
	res := db.Conn(ctx, s.g).Raw(`
		SELECT u.email, u.name, n.kind, n.emailed_at IS NOT NULL AS emailed,
		       `+fmt.Sprintf(wantsEmail, "n.user_id")+` AS want_email
		FROM notifications n JOIN users u ON u.id = n.user_id
		WHERE n.id = ?`, id).Scan(&t)
	return t, db.One(res, "notification", id)
}

// markEmailed records that notification id's email was sent.
func (s *Store) markEmailed(ctx context.Context, id string, at time.Time) error {
	if err := db.Conn(ctx, s.g).Exec(`UPDATE notifications SET emailed_at = ? WHERE id = ?`, at, id).Error; err != nil {
		return fmt.Errorf("store: unable to mark notification %s emailed: %w", id, err)
	}
	return nil
}

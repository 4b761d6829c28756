// Package audit keeps the append-only record of who changed what. The
// database refuses updates and deletes on the table, so an entry once
// written stays.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"onramp/app/db"
)

// Event is one recorded change.
type Event struct {
	ID          int64
	At          time.Time
	ActorID     *string
	ActorName   string `gorm:"->"`
	Action      string
	SubjectType string
	SubjectID   string
	Detail      json.RawMessage
}

// Log writes and reads audit events. It is the audit module's store: it
// never looks one event up, so it has no not-found case, and its errors
// say what was being done.
type Log struct{ g *gorm.DB }

// New returns the audit log over g.
func New(g *gorm.DB) *Log { return &Log{g: g} }

// Record appends an event inside the caller's transaction, if any, so a
// change and its audit entry commit or roll back together. actorID is empty
// for changes made by the system.
func (l *Log) Record(ctx context.Context, actorID, action, subjectType, subjectID string, detail map[string]any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("audit: unable to encode the detail of %s: %w", action, err)
	}
	var actor *string
	if actorID != "" {
		actor = &actorID
	}
	err = db.Conn(ctx, l.g).Exec(
		"INSERT INTO audit_events (actor_id, action, subject_type, subject_id, detail) VALUES (?, ?, ?, ?, ?)",
		actor, action, subjectType, subjectID, string(b)).Error
	if err != nil {
		return fmt.Errorf("store: unable to record %s on %s %s: %w", action, subjectType, subjectID, err)
	}
	return nil
}

// Recent returns up to limit events, newest first, optionally only those
// about one subject.
func (l *Log) Recent(ctx context.Context, subjectType, subjectID string, limit int) ([]Event, error) {
	q := db.Conn(ctx, l.g).Table("audit_events e").
		Select("e.id, e.at, e.actor_id, COALESCE(u.name, '') AS actor_name, e.action, e.subject_type, e.subject_id, e.detail").
		Joins("LEFT JOIN users u ON u.id = e.actor_id").
		Order("e.id DESC").Limit(limit)
	if subjectType != "" {
		q = q.Where("e.subject_type = ? AND e.subject_id = ?", subjectType, subjectID)
	}
	var events []Event
	if err := q.Scan(&events).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list audit events: %w", err)
	}
	return events, nil
}

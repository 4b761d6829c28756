package audit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"onramp/app/db"
)

// Entry is an event as the audit log page shows it: with the names of the
// people it is about, read from the users table in the same query.
type Entry struct {
	Event
	ActorEmail       string `gorm:"->"`
	SubjectName      string `gorm:"->"` // for events about a user
	SubjectEmail     string `gorm:"->"`
	OrganisationName string `gorm:"->"` // for user.organisation_set
}

// Filter narrows the audit log. Empty fields do not narrow it.
type Filter struct {
	SubjectType, SubjectID string
	// Person matches the name or email of whoever made the change or whom
	// it was about, case-insensitively.
	Person string
	// Actions are action names; a name ending in "." matches every action
	// that starts with it.
	Actions []string
	// From and To bound the time: From <= at < To.
	From, To *time.Time
}

// Search returns up to limit events matching f, newest first.
func (l *Log) Search(ctx context.Context, f Filter, limit int) ([]Entry, error) {
	q := db.Conn(ctx, l.g).Table("audit_events e").
		Select(`e.id, e.at, e.actor_id, COALESCE(a.name, '') AS actor_name, COALESCE(a.email, '') AS actor_email,
			e.action, e.subject_type, e.subject_id, e.detail,
			COALESCE(s.name, '') AS subject_name, COALESCE(s.email, '') AS subject_email,
			COALESCE(o.name, '') AS organisation_name`).
		Joins("LEFT JOIN users a ON a.id = e.actor_id").
		Joins("LEFT JOIN users s ON e.subject_type = 'user' AND s.id::text = e.subject_id").
		Joins("LEFT JOIN organisations o ON e.action = 'user.organisation_set' AND o.id::text = e.detail->>'organisation_id'").
		Order("e.id DESC").Limit(limit)
	if f.SubjectType != "" {
		q = q.Where("e.subject_type = ? AND e.subject_id = ?", f.SubjectType, f.SubjectID)
	}
	if p := strings.ToLower(strings.TrimSpace(f.Person)); p != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(p) + "%"
		q = q.Where("lower(a.name) LIKE ? OR lower(a.email) LIKE ? OR lower(s.name) LIKE ? OR lower(s.email) LIKE ?",
			like, like, like, like)
	}
	if len(f.Actions) > 0 {
		var conds []string
		var args []any
		for _, a := range f.Actions {
			if strings.HasSuffix(a, ".") {
				conds, args = append(conds, "e.action LIKE ?"), append(args, a+"%")
			} else {
				conds, args = append(conds, "e.action = ?"), append(args, a)
			}
		}
		q = q.Where(strings.Join(conds, " OR "), args...)
	}
	if f.From != nil {
		q = q.Where("e.at >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("e.at < ?", *f.To)
	}
	var entries []Entry
	if err := q.Scan(&entries).Error; err != nil {
		return nil, fmt.Errorf("store: unable to search the audit log: %w", err)
	}
	return entries, nil
}

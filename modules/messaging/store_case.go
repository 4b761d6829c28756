package messaging

import (
	"context"
	"fmt"
	"time"

	"onramp/app/db"
)

const caseColumns = `c.id, c.mentorship_id, c.message_id, c.reported_by, r.name AS reporter_name, c.category, c.details,
	c.priority, c.due_at, c.status, c.assignee_id, COALESCE(a.name, '') AS assignee_name, c.outcome, c.created_at,
	c.updated_at, c.closed_at`

const caseFrom = ` FROM concern_cases c JOIN users r ON r.id = c.reported_by LEFT JOIN users a ON a.id = c.assignee_id `

// InsertCase opens a case, filling in its id.
func (s *Store) InsertCase(ctx context.Context, c *Case) error {
	err := db.Conn(ctx, s.g).Raw(`INSERT INTO concern_cases (mentorship_id, message_id, reported_by, category, details, priority,
		due_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.MentorshipID, c.MessageID, c.ReportedBy, c.Category, c.Details, c.Priority, c.DueAt, c.CreatedAt, c.CreatedAt).Scan(&c.ID).Error
	if err != nil {
		return fmt.Errorf("store: unable to open a concern case: %w", err)
	}
	return nil
}

// Case loads one case. Errors: db.ErrNotFound.
func (s *Store) Case(ctx context.Context, id string) (Case, error) {
	var c Case
	if !db.IsUUID(id) {
		return c, db.ErrNotFound
	}
	err := db.One(db.Conn(ctx, s.g).Raw("SELECT "+caseColumns+caseFrom+"WHERE c.id = ?", id).Scan(&c), "concern case", id)
	return c, err
}

// Cases lists open cases, most urgent and soonest due first, then up to
// closedLimit recently closed ones.
func (s *Store) Cases(ctx context.Context, closedLimit int) ([]Case, error) {
	var out []Case
	err := db.Conn(ctx, s.g).Raw(`(SELECT `+caseColumns+caseFrom+`WHERE c.status <> 'closed'
		ORDER BY c.priority = 'urgent' DESC, c.due_at LIMIT 500)
		UNION ALL (SELECT `+caseColumns+caseFrom+`WHERE c.status = 'closed' ORDER BY c.closed_at DESC LIMIT ?)`, closedLimit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list concern cases: %w", err)
	}
	return out, nil
}

// UpdateCase saves a case's status, assignee and outcome.
func (s *Store) UpdateCase(ctx context.Context, c Case) error {
	err := db.Conn(ctx, s.g).Exec(`UPDATE concern_cases SET status = ?, assignee_id = ?, outcome = ?, updated_at = ?, closed_at = ?
		WHERE id = ?`, c.Status, c.AssigneeID, c.Outcome, c.UpdatedAt, c.ClosedAt, c.ID).Error
	if err != nil {
		return fmt.Errorf("store: unable to update concern case %s: %w", c.ID, err)
	}
	return nil
}

// AddNote adds a lead's note to a case.
func (s *Store) AddNote(ctx context.Context, caseID, authorID, body string, at time.Time) error {
	if err := db.Conn(ctx, s.g).Exec("INSERT INTO concern_case_notes (case_id, author_id, body, created_at) VALUES (?, ?, ?, ?)",
		caseID, authorID, body, at).Error; err != nil {
		return fmt.Errorf("store: unable to add a note to concern case %s: %w", caseID, err)
	}
	return nil
}

// Notes lists a case's notes, oldest first.
func (s *Store) Notes(ctx context.Context, caseID string) ([]Note, error) {
	var out []Note
	err := db.Conn(ctx, s.g).Raw(`SELECT n.id, n.case_id, n.author_id, u.name AS author_name, n.body, n.created_at
		FROM concern_case_notes n JOIN users u ON u.id = n.author_id WHERE n.case_id = ? ORDER BY n.created_at, n.id`, caseID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the notes of concern case %s: %w", caseID, err)
	}
	return out, nil
}

// Overdue lists held messages and open cases past their due time, as
// (kind, id) pairs for escalation.
func (s *Store) Overdue(ctx context.Context, now time.Time) ([][2]string, error) {
	var rows []struct{ Kind, ID string }
	err := db.Conn(ctx, s.g).Raw(`SELECT 'message' AS kind, id FROM messages WHERE status = 'held' AND due_at < ?
		UNION ALL SELECT 'case', id FROM concern_cases WHERE status <> 'closed' AND due_at < ?`, now, now).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list overdue items: %w", err)
	}
	out := make([][2]string, len(rows))
	for i, r := range rows {
		out[i] = [2]string{r.Kind, r.ID}
	}
	return out, nil
}

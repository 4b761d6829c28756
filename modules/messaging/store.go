package messaging

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"onramp/app/auth"
	"onramp/app/db"
	"onramp/app/page"
	"onramp/app/pubsub"
	"onramp/modules/identity"
	"onramp/modules/messaging/detect"
)

// Store holds messaging's SQL: messages, their flags, pauses, read
// markers and concern cases.
type Store struct{ g *gorm.DB }

// NewStore returns the store over g.
func NewStore(g *gorm.DB) *Store { return &Store{g: g} }

// Channel is the PostgreSQL channel a change to a thread is announced on;
// the payload is "mentorship id:message id".
const Channel = "onramp_messages"

const messageColumns = `m.id, m.n, m.change, m.mentorship_id, m.sender_id, u.name AS sender_name, m.body, m.status,
	array_to_string(m.labels, ',') AS label_list, m.priority, m.due_at, m.created_at, m.delivered_at, m.reviewed_by,
	m.reviewed_at, m.review_action, m.review_reason, m.redacted_body, m.block_reason`

const messageFrom = ` FROM messages m JOIN users u ON u.id = m.sender_id `

// InsertMessage stores a new message and its flags, filling in its id,
// order and change number.
func (s *Store) InsertMessage(ctx context.Context, m *Message, labels []string, reasons []detect.Reason) error {
	if labels == nil {
		labels = []string{}
	}
	row := struct {
		ID     string
		N      int64
		Change int64
	}{}
	err := db.Conn(ctx, s.g).Raw(`INSERT INTO messages (mentorship_id, sender_id, body, status, labels, priority, due_at, created_at, delivered_at)
		VALUES (?, ?, ?, ?, ?::text[], ?, ?, ?, ?) RETURNING id, n, change`,
		m.MentorshipID, m.SenderID, m.Body, m.Status, pgArray(labels), m.Priority, m.DueAt, m.CreatedAt, m.DeliveredAt).Scan(&row).Error
	if err != nil {
		return fmt.Errorf("store: unable to save a message in mentorship %s: %w", m.MentorshipID, err)
	}
	m.ID, m.N, m.Change = row.ID, row.N, row.Change
	for i, r := range reasons {
		if err := db.Conn(ctx, s.g).Exec(`INSERT INTO message_flags (message_id, position, label, rule, source, span_start, span_end)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, m.ID, i, r.Label, r.Rule, r.Source, r.Start, r.End).Error; err != nil {
			return fmt.Errorf("store: unable to save why message %s was held: %w", m.ID, err)
		}
	}
	return nil
}

// pgArray writes a text[] literal for values without quotes or commas
// (labels).
func pgArray(values []string) string {
	out := "{"
	for i, v := range values {
		if i > 0 {
			out += ","
		}
		out += v
	}
	return out + "}"
}

// Announce tells every app instance listening on Channel that a thread
// changed. Inside a transaction PostgreSQL sends it on commit, and never
// if the transaction rolls back.
func (s *Store) Announce(ctx context.Context, mentorshipID, messageID string) error {
	if err := pubsub.Notify(ctx, s.g, Channel, mentorshipID+":"+messageID); err != nil {
		return fmt.Errorf("store: unable to announce message %s: %w", messageID, err)
	}
	return nil
}

// Message loads one message. Errors: db.ErrNotFound.
func (s *Store) Message(ctx context.Context, id string) (Message, error) {
	var m Message
	if !db.IsUUID(id) {
		return m, db.ErrNotFound
	}
	err := db.One(db.Conn(ctx, s.g).Raw("SELECT "+messageColumns+messageFrom+"WHERE m.id = ?", id).Scan(&m), "message", id)
	return m, err
}

// Thread lists the last limit messages of a mentorship, oldest first.
func (s *Store) Thread(ctx context.Context, mentorshipID string, limit int) ([]Message, error) {
	var out []Message
	err := db.Conn(ctx, s.g).Raw(`SELECT * FROM (SELECT `+messageColumns+messageFrom+`WHERE m.mentorship_id = ?
		ORDER BY m.n DESC LIMIT ?) t ORDER BY n`, mentorshipID, limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the messages of mentorship %s: %w", mentorshipID, err)
	}
	return out, nil
}

// ThreadPage lists a page of a mentorship's messages, oldest first, and
// the next page's cursor ("" on the last). Errors: page.ErrCursor.
func (s *Store) ThreadPage(ctx context.Context, mentorshipID string, p page.Request) ([]Message, string, error) {
	var after int64
	if !p.IsFirst() {
		if err := p.After(&after); err != nil {
			return nil, "", page.ErrCursor
		}
	}
	var out []Message
	err := db.Conn(ctx, s.g).Raw(`SELECT `+messageColumns+messageFrom+`WHERE m.mentorship_id = ? AND m.n > ?
		ORDER BY m.n LIMIT ?`, mentorshipID, after, p.Fetch()).Scan(&out).Error
	if err != nil {
		return nil, "", fmt.Errorf("store: unable to list a page of the messages of mentorship %s: %w", mentorshipID, err)
	}
	out, next := page.Cut(p, out, func(m Message) []any { return []any{m.N} })
	return out, next, nil
}

// Before lists up to limit messages of a thread just before message n,
// oldest first: the context a lead reads a held message in.
func (s *Store) Before(ctx context.Context, mentorshipID string, n int64, limit int) ([]Message, error) {
	var out []Message
	err := db.Conn(ctx, s.g).Raw(`SELECT * FROM (SELECT `+messageColumns+messageFrom+`WHERE m.mentorship_id = ? AND m.n < ?
		ORDER BY m.n DESC LIMIT ?) t ORDER BY n`, mentorshipID, n, limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the messages before %d in mentorship %s: %w", n, mentorshipID, err)
	}
	return out, nil
}

// ChangedSince lists a thread's messages whose change number is after
// change, in change order.
func (s *Store) ChangedSince(ctx context.Context, mentorshipID string, change int64) ([]Message, error) {
	var out []Message
	err := db.Conn(ctx, s.g).Raw(`SELECT `+messageColumns+messageFrom+`WHERE m.mentorship_id = ? AND m.change > ?
		ORDER BY m.change LIMIT 500`, mentorshipID, change).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list changes in mentorship %s: %w", mentorshipID, err)
	}
	return out, nil
}

// LastChange is the newest change number in a thread (0 when empty).
func (s *Store) LastChange(ctx context.Context, mentorshipID string) (int64, error) {
	var c int64
	err := db.Conn(ctx, s.g).Raw("SELECT COALESCE(max(change), 0) FROM messages WHERE mentorship_id = ?", mentorshipID).Scan(&c).Error
	if err != nil {
		return 0, fmt.Errorf("store: unable to read the last change in mentorship %s: %w", mentorshipID, err)
	}
	return c, nil
}

// Flags lists why a message was held, in order.
func (s *Store) Flags(ctx context.Context, messageID string) ([]Flag, error) {
	var out []Flag
	if err := db.Conn(ctx, s.g).Raw("SELECT * FROM message_flags WHERE message_id = ? ORDER BY position", messageID).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list the flags of message %s: %w", messageID, err)
	}
	return out, nil
}

// Review records a lead's decision on a held message. Errors:
// db.ErrNotFound when it is not held (any more).
func (s *Store) Review(ctx context.Context, id, leadID, action, reason string, redacted *string, blockReason string, at time.Time) (Message, error) {
	status, delivered := StatusDelivered, &at
	if action == ActionBlocked {
		status, delivered = StatusBlocked, nil
	}
	res := db.Conn(ctx, s.g).Exec(`UPDATE messages SET status = ?, delivered_at = ?, reviewed_by = ?, reviewed_at = ?,
		review_action = ?, review_reason = ?, redacted_body = ?, block_reason = ?, change = nextval('message_changes')
		WHERE id = ? AND status = 'held'`, status, delivered, leadID, at, action, reason, redacted, blockReason, id)
	if res.Error != nil {
		return Message{}, fmt.Errorf("store: unable to record the review of message %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return Message{}, db.ErrNotFound
	}
	return s.Message(ctx, id)
}

// Held lists a page of the held messages, most urgent first, then
// soonest due, then oldest, and the next page's cursor ("" on the last).
// Errors: page.ErrCursor.
func (s *Store) Held(ctx context.Context, p page.Request) ([]Message, string, error) {
	cond, args := "TRUE", []any(nil)
	if !p.IsFirst() {
		var rank int
		var due time.Time
		var n int64
		if err := p.After(&rank, &due, &n); err != nil {
			return nil, "", page.ErrCursor
		}
		cond, args = "(CASE m.priority WHEN 'urgent' THEN 0 ELSE 1 END, m.due_at, m.n) > (?, ?, ?)", []any{rank, due, n}
	}
	var out []Message
	err := db.Conn(ctx, s.g).Raw(`SELECT `+messageColumns+messageFrom+`WHERE m.status = 'held' AND `+cond+`
		ORDER BY CASE m.priority WHEN 'urgent' THEN 0 ELSE 1 END, m.due_at, m.n LIMIT ?`,
		append(args, p.Fetch())...).Scan(&out).Error
	if err != nil {
		return nil, "", fmt.Errorf("store: unable to list held messages: %w", err)
	}
	out, next := page.Cut(p, out, func(m Message) []any {
		rank := 1
		if m.Priority == "urgent" {
			rank = 0
		}
		return []any{rank, m.DueAt, m.N} // a held message always has a due time
	})
	return out, next, nil
}

// Paused reports whether a lead has paused a thread.
func (s *Store) Paused(ctx context.Context, mentorshipID string) (bool, error) {
	var n int64
	if err := db.Conn(ctx, s.g).Raw("SELECT count(*) FROM message_thread_pauses WHERE mentorship_id = ?", mentorshipID).Scan(&n).Error; err != nil {
		return false, fmt.Errorf("store: unable to read whether mentorship %s is paused: %w", mentorshipID, err)
	}
	return n > 0, nil
}

// Pause stops new messages in a thread; pausing twice keeps the first.
func (s *Store) Pause(ctx context.Context, mentorshipID, leadID, reason string, at time.Time) error {
	if err := db.Conn(ctx, s.g).Exec(`INSERT INTO message_thread_pauses (mentorship_id, paused_by, paused_at, reason)
		VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, mentorshipID, leadID, at, reason).Error; err != nil {
		return fmt.Errorf("store: unable to pause mentorship %s: %w", mentorshipID, err)
	}
	return nil
}

// Resume lets a paused thread carry messages again.
func (s *Store) Resume(ctx context.Context, mentorshipID string) error {
	if err := db.Conn(ctx, s.g).Exec("DELETE FROM message_thread_pauses WHERE mentorship_id = ?", mentorshipID).Error; err != nil {
		return fmt.Errorf("store: unable to resume mentorship %s: %w", mentorshipID, err)
	}
	return nil
}

// MarkRead moves a person's read marker in a thread forward to n.
func (s *Store) MarkRead(ctx context.Context, mentorshipID, userID string, n int64, at time.Time) error {
	err := db.Conn(ctx, s.g).Exec(`INSERT INTO message_reads (mentorship_id, user_id, last_read_n, read_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (mentorship_id, user_id) DO UPDATE SET last_read_n = greatest(message_reads.last_read_n, excluded.last_read_n),
		read_at = excluded.read_at`, mentorshipID, userID, n, at).Error
	if err != nil {
		return fmt.Errorf("store: unable to mark mentorship %s read: %w", mentorshipID, err)
	}
	return nil
}

// Unread counts the delivered messages from the other person a reader
// has not seen, per thread of theirs.
func (s *Store) Unread(ctx context.Context, userID string) (map[string]int, error) {
	var rows []struct {
		MentorshipID string
		Count        int
	}
	err := db.Conn(ctx, s.g).Raw(`SELECT m.mentorship_id, count(*) AS count FROM messages m
		LEFT JOIN message_reads r ON r.mentorship_id = m.mentorship_id AND r.user_id = ?
		WHERE m.status = 'delivered' AND m.sender_id <> ? AND m.n > COALESCE(r.last_read_n, 0)
		AND m.mentorship_id IN (SELECT id FROM mentorships WHERE learner_id = ? OR mentor_id = ?)
		GROUP BY m.mentorship_id`, userID, userID, userID, userID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to count unread messages of %s: %w", userID, err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.MentorshipID] = r.Count
	}
	return out, nil
}

// DeleteBefore removes messages created before cutoff (the retention
// period), with their flags and read markers' meaning. It returns how
// many went.
func (s *Store) DeleteBefore(ctx context.Context, cutoff time.Time) (int64, error) {
	res := db.Conn(ctx, s.g).Exec("DELETE FROM messages WHERE created_at < ?", cutoff)
	if res.Error != nil {
		return 0, fmt.Errorf("store: unable to remove messages older than %s: %w", cutoff.Format(time.RFC3339), res.Error)
	}
	return res.RowsAffected, nil
}

// Leads lists the ids of every safeguarding lead, whether the role comes
// from the identity provider or was granted in Onramp (identity's tables,
// read only).
func (s *Store) Leads(ctx context.Context) ([]string, error) {
	var ids []string
	err := db.Conn(ctx, s.g).Raw(`SELECT u.id FROM users u WHERE `+identity.HoldsRole+` ORDER BY u.id`,
		auth.RoleSafeguardingLead, auth.RoleSafeguardingLead).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list safeguarding leads: %w", err)
	}
	return ids, nil
}

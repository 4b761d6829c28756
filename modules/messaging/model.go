package messaging

import (
	"context"
	"strings"
	"time"

	"onramp/app/auth"
	"onramp/modules/mentoring"
	"onramp/modules/messaging/detect"
	"onramp/modules/notify"
)

// Mentorships tells messaging about a mentorship as viewer may see it;
// the mentoring module provides it. Errors: NotFound when the mentorship
// does not exist or viewer may not know of it.
type Mentorships interface {
	Mentorship(ctx context.Context, viewer *auth.User, id string) (mentoring.Mentorship, error)
}

// Notifier tells a person something in the app and by email; the notify
// module provides it. Titles and bodies never carry message content.
type Notifier interface {
	Notify(ctx context.Context, n notify.Notification) error
}

// Recorder appends to the audit log; the audit module provides it.
type Recorder interface {
	Record(ctx context.Context, actorID, action, subjectType, subjectID string, detail map[string]any) error
}

// Scanner reads a message before the other person can see it; the detect
// package provides it.
type Scanner interface {
	Scan(text string) detect.Result
}

// MaxBody is the longest message, in characters.
const MaxBody = 2000

// Message statuses.
const (
	StatusDelivered = "delivered"
	StatusHeld      = "held"
	StatusBlocked   = "blocked"
)

// Review actions a safeguarding lead takes on a held message.
const (
	ActionReleased = "released"
	ActionRedacted = "redacted"
	ActionBlocked  = "blocked"
)

// Priorities of held messages and concern cases.
const (
	PriorityNormal = "normal"
	PriorityUrgent = "urgent"
)

// Due times: a day, or two hours when someone may be at risk.
const (
	DueNormal = 24 * time.Hour
	DueUrgent = 2 * time.Hour
)

// Message is one stored message with everything the record holds. Who
// sees which part of it is decided by View.
type Message struct {
	ID           string     `gorm:"column:id"`
	N            int64      `gorm:"column:n"`
	Change       int64      `gorm:"column:change"`
	MentorshipID string     `gorm:"column:mentorship_id"`
	SenderID     string     `gorm:"column:sender_id"`
	SenderName   string     `gorm:"column:sender_name;->"`
	Body         string     `gorm:"column:body"`
	Status       string     `gorm:"column:status"`
	LabelList    string     `gorm:"column:label_list;->"`
	Priority     string     `gorm:"column:priority"`
	DueAt        *time.Time `gorm:"column:due_at"`
	CreatedAt    time.Time  `gorm:"column:created_at"`
	DeliveredAt  *time.Time `gorm:"column:delivered_at"`
	ReviewedBy   *string    `gorm:"column:reviewed_by"`
	ReviewedAt   *time.Time `gorm:"column:reviewed_at"`
	ReviewAction *string    `gorm:"column:review_action"`
	ReviewReason string     `gorm:"column:review_reason"`
	RedactedBody *string    `gorm:"column:redacted_body"`
	BlockReason  string     `gorm:"column:block_reason"`
}

// Labels are the detector's labels on the message.
func (m Message) Labels() []string {
	if m.LabelList == "" {
		return nil
	}
	return strings.Split(m.LabelList, ",")
}

// Flag is one reason the detector gave for holding a message.
type Flag struct {
	MessageID string `gorm:"column:message_id"`
	Position  int    `gorm:"column:position"`
	Label     string `gorm:"column:label"`
	Rule      string `gorm:"column:rule"`
	Source    string `gorm:"column:source"`
	Start     int    `gorm:"column:span_start"`
	End       int    `gorm:"column:span_end"`
}

// View is a message as one person sees it.
type View struct {
	ID        string    `json:"id"`
	SenderID  string    `json:"sender_id"`
	Sender    string    `json:"sender"` // first name, or "You"
	Mine      bool      `json:"mine"`
	Body      string    `json:"body"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
	// Redacted says the safety team removed part of the message.
	Redacted bool `json:"redacted"`
	// Note is what the sender is told about a held or blocked message.
	Note string `json:"note,omitempty"`
	// Original and Labels are for safeguarding leads only.
	Original string   `json:"original,omitempty"`
	Labels   []string `json:"labels,omitempty"`
	// Files are the pictures and PDFs sent with the message.
	Files  []Attachment `json:"attachments,omitempty"`
	N      int64        `json:"-"`
	Change int64        `json:"-"`
}

// HeldNote is what a sender is told about their held message: plain and
// not alarming.
const HeldNote = "Waiting to be checked. Messages with contact details or things that worry us are checked by our safety team before they are sent. This usually takes less than a day."

// viewer is who is looking at a thread.
type viewer struct {
	ID   string
	Lead bool
}

// visible is the one rule for who sees a message: safeguarding leads see
// everything, the sender sees their own whatever its status, and the
// other person only what has been delivered.
func (v viewer) visible(m Message) bool {
	return v.Lead || m.SenderID == v.ID || m.Status == StatusDelivered
}

// view shows m to v (which must be allowed to see it).
func (v viewer) view(m Message) View {
	out := View{ID: m.ID, SenderID: m.SenderID, Sender: mentoring.FirstName(m.SenderName), Mine: m.SenderID == v.ID,
		Body: m.Body, Status: m.Status, CreatedAt: m.CreatedAt, N: m.N, Change: m.Change}
	if out.Mine {
		out.Sender = "You"
	}
	if m.RedactedBody != nil {
		out.Body, out.Redacted = *m.RedactedBody, true
	}
	switch {
	case v.Lead:
		out.Original, out.Labels = m.Body, m.Labels()
		if m.Status == StatusBlocked {
			out.Note = "Blocked. The sender was told: " + m.BlockReason
		}
	case m.Status == StatusHeld:
		out.Note = HeldNote
	case m.Status == StatusBlocked:
		out.Note = "Not sent. Our safety team checked this message and did not send it. " + m.BlockReason
	}
	return out
}

// Case is a reported worry.
type Case struct {
	ID           string     `gorm:"column:id"`
	MentorshipID *string    `gorm:"column:mentorship_id"`
	MessageID    *string    `gorm:"column:message_id"`
	ReportedBy   string     `gorm:"column:reported_by"`
	ReporterName string     `gorm:"column:reporter_name;->"`
	Category     string     `gorm:"column:category"`
	Details      string     `gorm:"column:details"`
	Priority     string     `gorm:"column:priority"`
	DueAt        time.Time  `gorm:"column:due_at"`
	Status       string     `gorm:"column:status"`
	AssigneeID   *string    `gorm:"column:assignee_id"`
	AssigneeName string     `gorm:"column:assignee_name;->"`
	Outcome      string     `gorm:"column:outcome"`
	CreatedAt    time.Time  `gorm:"column:created_at"`
	UpdatedAt    time.Time  `gorm:"column:updated_at"`
	ClosedAt     *time.Time `gorm:"column:closed_at"`
}

// Note is a lead's note on a case.
type Note struct {
	ID         string    `gorm:"column:id"`
	CaseID     string    `gorm:"column:case_id"`
	AuthorID   string    `gorm:"column:author_id"`
	AuthorName string    `gorm:"column:author_name;->"`
	Body       string    `gorm:"column:body"`
	CreatedAt  time.Time `gorm:"column:created_at"`
}

// Categories of worry a learner or mentor can report, with their words.
var Categories = []mentoring.Option{
	{Value: "safety", Label: "Someone's safety"},
	{Value: "bullying", Label: "Bullying or harassment"},
	{Value: "online", Label: "Something that happened online"},
	{Value: "unsafe", Label: "I feel unsafe"},
	{Value: "other", Label: "Something else"},
}

// urgentCategories are answered within two hours.
var urgentCategories = map[string]bool{"safety": true, "unsafe": true}

// CaseStatuses are the states a case moves through, with their words.
var CaseStatuses = []mentoring.Option{
	{Value: "open", Label: "Open"}, {Value: "in_progress", Label: "In progress"}, {Value: "closed", Label: "Closed"},
}

// StatusTag is the short label a message that was not delivered carries
// in a thread ("Waiting to be checked", "Not sent").
func StatusTag(status string) string {
	switch status {
	case StatusHeld:
		return "Waiting to be checked"
	case StatusBlocked:
		return "Not sent"
	}
	return ""
}

// NoteAfter is a message's note without the tag it starts with, so a
// thread shows the tag once and then the plain explanation.
func NoteAfter(tag, note string) string {
	if tag != "" && strings.HasPrefix(note, tag+".") {
		return strings.TrimSpace(note[len(tag)+1:])
	}
	return note
}

package messaging

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"onramp/app/auth"
	"onramp/modules/mentoring"
)

// HistoryMessage is a message with everything the record holds and the
// name of the lead who reviewed it.
type HistoryMessage struct {
	Message
	ReviewerName string `gorm:"column:reviewer_name;->"`
	Flags        []Flag `gorm:"-"`
	// Files are those sent with the message.
	Files []Attachment `gorm:"-"`
}

// History is a thread's full record for a case, as a safeguarding lead
// prints it: every message with its original text, why any was held,
// what was decided by whom, the cases about it and the audit trail.
type History struct {
	Mentorship mentoring.Mentorship
	Messages   []HistoryMessage
	Cases      []Case
	Events     []Event
	Paused     bool
	PrintedBy  string
	PrintedAt  time.Time
}

// History returns a mentorship's full message history for a lead and
// records that they read it. Errors: Forbidden for anyone but a lead,
// NotFound for a mentorship they may not know of.
func (s *Service) History(ctx context.Context, u *auth.User, mentorshipID string) (History, error) {
	if !isLead(u) {
		return History{}, errNotLead
	}
	ms, err := s.readable(ctx, u, mentorshipID)
	if err != nil {
		return History{}, err
	}
	h := History{Mentorship: ms, PrintedBy: u.Name, PrintedAt: s.now()}
	if h.Paused, err = s.store.Paused(ctx, ms.ID); err != nil {
		return h, err
	}
	if h.Messages, err = s.store.HistoryMessages(ctx, ms.ID); err != nil {
		return h, err
	}
	flags, err := s.store.ThreadFlags(ctx, ms.ID)
	if err != nil {
		return h, err
	}
	byID := map[string][]Flag{}
	for _, f := range flags {
		byID[f.MessageID] = append(byID[f.MessageID], f)
	}
	ids := make([]string, len(h.Messages))
	for i := range h.Messages {
		h.Messages[i].Flags = byID[h.Messages[i].ID]
		ids[i] = h.Messages[i].ID
	}
	if len(ids) > 0 {
		files, err := s.store.AttachmentsOf(ctx, ids)
		if err != nil {
			return h, err
		}
		byMessage := map[string][]Attachment{}
		for _, a := range files {
			a.URL = AttachmentPath(a.ID)
			byMessage[a.MessageID] = append(byMessage[a.MessageID], a)
		}
		for i := range h.Messages {
			h.Messages[i].Files = byMessage[h.Messages[i].ID]
		}
	}
	if h.Cases, err = s.store.MentorshipCases(ctx, ms.ID); err != nil {
		return h, err
	}
	if h.Events, err = s.store.ThreadEvents(ctx, ms.ID); err != nil {
		return h, err
	}
	// Reading the whole record is itself on the record (after listing
	// it, so the page shows the trail as it was).
	return h, s.audit.Record(ctx, u.ID, "messages.history_viewed", "mentorship", ms.ID, map[string]any{"messages": len(h.Messages)})
}

// actionLabels are the audit actions of a thread in plain words, for
// its printed history; an action not listed prints as its code.
var actionLabels = map[string]string{
	"message.sent":            "Sent a message",
	"message.scanned":         "Message scanned",
	"message.held":            "Message held for checking",
	"message.viewed":          "Read a held message",
	"message.released":        "Released a message",
	"message.redacted":        "Removed part of a message and released it",
	"message.blocked":         "Blocked a message",
	"messages.thread_viewed":  "Read the conversation",
	"messages.history_viewed": "Read this full history",
	"messages.paused":         "Paused the messages",
	"messages.resumed":        "Let them send messages again",
	"concern.opened":          "Opened a concern case",
	"concern.viewed":          "Read a concern case",
	"concern.updated":         "Updated a concern case",
	"concern.note_added":      "Added a note to a concern case",
}

// reviewLabels are a lead's decisions on a held message in plain words.
var reviewLabels = map[string]string{
	ActionReleased: "Released",
	ActionRedacted: "Part removed, then released",
	ActionBlocked:  "Blocked",
}

// Details is the event's detail in words ("status: held; priority:
// normal"), leaving out the mentorship it is already printed under.
func (e Event) Details() string {
	var d map[string]any
	if json.Unmarshal([]byte(e.Detail), &d) != nil {
		return e.Detail
	}
	keys := make([]string, 0, len(d))
	for k := range d {
		if k != "mentorship_id" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		v := d[k]
		if list, ok := v.([]any); ok {
			words := make([]string, len(list))
			for i, w := range list {
				words[i] = fmt.Sprint(w)
			}
			v = strings.Join(words, ", ")
		}
		parts = append(parts, strings.ReplaceAll(k, "_", " ")+": "+fmt.Sprint(v))
	}
	return strings.Join(parts, "; ")
}

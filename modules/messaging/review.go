package messaging

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/db"
	"onramp/app/page"
	"onramp/modules/mentoring"
	"onramp/modules/notify"
)

// Item is a held message as a safeguarding lead reviews it: the message,
// why it was held (with its text split so the flagged spans can be
// highlighted), and the messages before it in the thread.
type Item struct {
	Message  View
	Flags    []Flag
	Segments []Segment
	Context  []View
	Priority string
	DueAt    time.Time
	Overdue  bool
	From, To string // first names
	// MentorshipID is the thread it belongs to.
	MentorshipID string
}

// Segment is a piece of a message's original text; Flagged pieces are
// what the detector matched, with its labels.
type Segment struct {
	Text    string
	Flagged bool
	Why     string
}

// Queue lists a page of the held messages, most urgent first then
// soonest due, each with its reasons, and the next page's cursor.
// Errors: Forbidden for anyone but a lead; page.ErrCursor.
func (s *Service) Queue(ctx context.Context, u *auth.User, p page.Request) ([]Item, string, error) {
	if !isLead(u) {
		return nil, "", errNotLead
	}
	held, next, err := s.store.Held(ctx, p)
	if err != nil {
		return nil, "", err
	}
	out := make([]Item, 0, len(held))
	for _, m := range held {
		it, err := s.item(ctx, m, 0)
		if err != nil {
			return nil, "", err
		}
		out = append(out, it)
	}
	return out, next, nil
}

func (s *Service) item(ctx context.Context, m Message, contextSize int) (Item, error) {
	flags, err := s.store.Flags(ctx, m.ID)
	if err != nil {
		return Item{}, err
	}
	lead := viewer{Lead: true}
	it := Item{Message: lead.view(m), Flags: flags, Segments: segments(m.Body, flags), Priority: m.Priority,
		MentorshipID: m.MentorshipID, From: mentoring.FirstName(m.SenderName)}
	if m.DueAt != nil {
		it.DueAt, it.Overdue = *m.DueAt, s.now().After(*m.DueAt)
	}
	if contextSize > 0 {
		before, err := s.store.Before(ctx, m.MentorshipID, m.N, contextSize)
		if err != nil {
			return Item{}, err
		}
		for _, b := range before {
			it.Context = append(it.Context, lead.view(b))
		}
		// One message's page (not the queue) lists the files sent.
		views := append([]View{it.Message}, it.Context...)
		if err := s.withFiles(ctx, views); err != nil {
			return Item{}, err
		}
		it.Message, it.Context = views[0], views[1:]
	}
	return it, nil
}

// segments splits body at the flags' spans (byte offsets, merged where
// they overlap).
func segments(body string, flags []Flag) []Segment {
	type span struct {
		start, end int
		why        []string
	}
	var spans []span
	for _, f := range flags {
		if f.Start < 0 || f.End > len(body) || f.Start >= f.End {
			continue
		}
		spans = append(spans, span{f.Start, f.End, []string{f.Label + ": " + f.Rule}})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var merged []span
	for _, sp := range spans {
		if n := len(merged); n > 0 && sp.start < merged[n-1].end {
			merged[n-1].end = max(merged[n-1].end, sp.end)
			merged[n-1].why = append(merged[n-1].why, sp.why...)
			continue
		}
		merged = append(merged, sp)
	}
	var out []Segment
	at := 0
	for _, sp := range merged {
		if sp.start > at {
			out = append(out, Segment{Text: body[at:sp.start]})
		}
		out = append(out, Segment{Text: body[sp.start:sp.end], Flagged: true, Why: strings.Join(sp.why, ", ")})
		at = sp.end
	}
	if at < len(body) {
		out = append(out, Segment{Text: body[at:]})
	}
	return out
}

// Held returns one held (or already reviewed) message for a lead, with
// the five messages before it, and records that the lead looked at it.
// Errors: Forbidden for anyone but a lead, NotFound.
func (s *Service) Held(ctx context.Context, u *auth.User, messageID string) (Item, error) {
	if !isLead(u) {
		return Item{}, errNotLead
	}
	m, err := s.store.Message(ctx, messageID)
	if errors.Is(err, db.ErrNotFound) {
		return Item{}, errNoMessage
	} else if err != nil {
		return Item{}, err
	}
	it, err := s.item(ctx, m, 5)
	if err != nil {
		return it, err
	}
	return it, s.audit.Record(ctx, u.ID, "message.viewed", "message", m.ID, map[string]any{"status": m.Status})
}

// Decision is a lead's review of a held message. Reason is for the
// record; BlockReason is what the sender is told when it is blocked;
// Redacted is the text the other person gets instead (or empty, with
// Spans naming byte ranges of the original to remove; neither removes
// every flagged span).
type Decision struct {
	Action      string
	Reason      string
	BlockReason string
	Redacted    string
	Spans       [][2]int
}

// Removed is what a redacted span is replaced with.
const Removed = "[removed by the safety team]"

// Review applies a lead's decision to a held message: released or
// redacted messages reach the other person (told, and on their live
// stream), a blocked one tells its sender why. The original text stays
// for the record. Errors: Forbidden for anyone but a lead, NotFound,
// Invalid (a missing block reason, an empty redaction), Conflict when the
// message was already reviewed.
func (s *Service) Review(ctx context.Context, u *auth.User, messageID string, d Decision) (Sent, error) {
	if !isLead(u) {
		return Sent{}, errNotLead
	}
	m, err := s.store.Message(ctx, messageID)
	if errors.Is(err, db.ErrNotFound) {
		return Sent{}, errNoMessage
	} else if err != nil {
		return Sent{}, err
	}
	d.Reason, d.BlockReason = strings.TrimSpace(d.Reason), strings.TrimSpace(d.BlockReason)
	if utf8.RuneCountInString(d.Reason) > 2000 {
		return Sent{}, apperr.InvalidFields(apperr.FieldError{Field: "reason", Message: "Keep the reason to 2,000 characters or fewer"})
	}
	var redacted *string
	switch d.Action {
	case ActionReleased:
	case ActionBlocked:
		if d.BlockReason == "" {
			d.BlockReason = d.Reason
		}
		if d.BlockReason == "" || utf8.RuneCountInString(d.BlockReason) > 1000 {
			return Sent{}, apperr.InvalidFields(apperr.FieldError{Field: "block-reason",
				Message: "Say in plain words why the message was not sent, in 1,000 characters or fewer. The sender will see this"})
		}
	case ActionRedacted:
		text, err := s.redaction(ctx, m, d)
		if err != nil {
			return Sent{}, err
		}
		redacted = &text
	default:
		return Sent{}, apperr.New(apperr.BadRequest, "Choose release, redact or block")
	}
	if m.Status != StatusHeld {
		return Sent{}, errReviewed
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		blockReason := ""
		if d.Action == ActionBlocked {
			blockReason = d.BlockReason
		}
		m, err = s.store.Review(ctx, m.ID, u.ID, d.Action, d.Reason, redacted, blockReason, s.now())
		if errors.Is(err, db.ErrNotFound) {
			return errReviewed
		} else if err != nil {
			return err
		}
		detail := map[string]any{"mentorship_id": m.MentorshipID, "reason": d.Reason}
		if redacted != nil {
			detail["redacted_characters"] = utf8.RuneCountInString(m.Body) - utf8.RuneCountInString(*redacted)
		}
		if d.Action == ActionBlocked {
			detail["told_sender"] = blockReason
		}
		if err := s.audit.Record(ctx, u.ID, "message."+d.Action, "message", m.ID, detail); err != nil {
			return err
		}
		ms, err := s.mentorships.Mentorship(ctx, u, m.MentorshipID)
		if err != nil {
			return err
		}
		if d.Action == ActionBlocked {
			err = s.notifier.Notify(ctx, notify.Notification{UserID: m.SenderID, Kind: "message.blocked",
				Title: "A message you sent was not delivered", Body: "Our safety team checked it. Open Onramp to see why.",
				Link: ThreadPath(m.MentorshipID), DedupeKey: "message.blocked:" + m.ID})
		} else {
			err = s.tellRecipient(ctx, ms, m)
		}
		if err != nil {
			return err
		}
		return s.store.Announce(ctx, m.MentorshipID, m.ID)
	})
	if err != nil {
		return Sent{}, err
	}
	return Sent{ID: m.ID, Status: m.Status}, nil
}

// redaction is the text the other person gets: the lead's own text, or
// the original with the given spans (or else every flagged span)
// replaced.
func (s *Service) redaction(ctx context.Context, m Message, d Decision) (string, error) {
	text := strings.TrimSpace(d.Redacted)
	if text == "" {
		spans := d.Spans
		if len(spans) == 0 {
			flags, err := s.store.Flags(ctx, m.ID)
			if err != nil {
				return "", err
			}
			for _, f := range flags {
				spans = append(spans, [2]int{f.Start, f.End})
			}
		}
		text = strings.TrimSpace(redact(m.Body, spans))
	}
	if text == "" || utf8.RuneCountInString(text) > MaxBody || !utf8.ValidString(text) {
		return "", apperr.InvalidFields(apperr.FieldError{Field: "redacted",
			Message: "Enter the message as the other person should see it, in 2,000 characters or fewer"})
	}
	return text, nil
}

// redact replaces the byte spans of body (merged where they overlap;
// out-of-range ones ignored) with Removed.
func redact(body string, spans [][2]int) string {
	flags := make([]Flag, len(spans))
	for i, sp := range spans {
		flags[i] = Flag{Start: sp[0], End: sp[1]}
	}
	var b strings.Builder
	for _, seg := range segments(body, flags) {
		if seg.Flagged {
			b.WriteString(Removed)
		} else {
			b.WriteString(seg.Text)
		}
	}
	return b.String()
}

// Pause stops new messages in a mentorship's thread at once (both people
// can still read it and report a worry). Errors: Forbidden for anyone but
// a lead, NotFound, Invalid without a reason.
func (s *Service) Pause(ctx context.Context, u *auth.User, mentorshipID, reason string) error {
	if !isLead(u) {
		return errNotLead
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 1000 {
		return apperr.InvalidFields(apperr.FieldError{Field: "pause-reason", Message: "Say why you are pausing the messages, in 1,000 characters or fewer"})
	}
	ms, err := s.mentorships.Mentorship(ctx, u, mentorshipID)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.Pause(ctx, ms.ID, u.ID, reason, s.now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, u.ID, "messages.paused", "mentorship", ms.ID, map[string]any{"reason": reason})
	})
}

// Resume lets a paused thread carry messages again. Errors: Forbidden
// for anyone but a lead, NotFound.
func (s *Service) Resume(ctx context.Context, u *auth.User, mentorshipID string) error {
	if !isLead(u) {
		return errNotLead
	}
	ms, err := s.mentorships.Mentorship(ctx, u, mentorshipID)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.Resume(ctx, ms.ID); err != nil {
			return err
		}
		return s.audit.Record(ctx, u.ID, "messages.resumed", "mentorship", ms.ID, nil)
	})
}

// RemoveExpired deletes messages older than the retention period; the
// periodic retention job calls it.
func (s *Service) RemoveExpired(ctx context.Context, retention time.Duration) error {
	cutoff := s.now().Add(-retention)
	if err := s.removeExpiredFiles(ctx, cutoff); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		n, err := s.store.DeleteBefore(ctx, cutoff)
		if err != nil || n == 0 {
			return err
		}
		return s.audit.Record(ctx, "", "messages.retention_removed", "messages", "", map[string]any{"removed": n,
			"before": cutoff.UTC().Format(time.RFC3339)})
	})
}

// Escalate tells every safeguarding lead about each held message and
// open case past its due time, once each; the periodic sweep calls it.
func (s *Service) Escalate(ctx context.Context) error {
	items, err := s.store.Overdue(ctx, s.now())
	if err != nil || len(items) == 0 {
		return err
	}
	leads, err := s.store.Leads(ctx)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		for _, it := range items {
			link, title := "/safeguarding/messages/"+it[1], "A held message is overdue for review"
			if it[0] == "case" {
				link, title = "/safeguarding/cases/"+it[1], "A reported worry is overdue"
			}
			for _, lead := range leads {
				if err := s.notifier.Notify(ctx, notify.Notification{UserID: lead, Kind: "safeguarding.overdue", Title: title,
					Link: link, DedupeKey: "overdue:" + it[0] + ":" + it[1]}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

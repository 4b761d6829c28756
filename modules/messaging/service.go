// Package messaging carries mentor-mentee messages safely: one thread per
// mentorship, every message scanned before the other person can see it,
// flagged ones held for a safeguarding lead to release, redact or block,
// concern cases anyone in a mentorship can open, and live delivery across
// app instances through PostgreSQL LISTEN/NOTIFY.
package messaging

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/db"
	"onramp/app/page"
	"onramp/modules/mentoring"
	"onramp/modules/messaging/detect"
	"onramp/modules/notify"
)

// Service holds the messaging and safeguarding rules.
type Service struct {
	db          *db.DB
	store       *Store
	mentorships Mentorships
	suspensions Suspensions
	files       Attachments
	notifier    Notifier
	audit       Recorder
	scanner     Scanner
	now         func() time.Time
}

// NewService returns the messaging service. now is the clock.
func NewService(d *db.DB, mentorships Mentorships, suspensions Suspensions, files Attachments, notifier Notifier, audit Recorder, scanner Scanner, now func() time.Time) *Service {
	return &Service{db: d, store: NewStore(d.Gorm), mentorships: mentorships, suspensions: suspensions, files: files, notifier: notifier,
		audit: audit, scanner: scanner, now: now}
}

func isLead(u *auth.User) bool { return u.Has(auth.RoleSafeguardingLead) }

func member(u *auth.User, ms mentoring.Mentorship) bool {
	return u.ID == ms.LearnerID || u.ID == ms.MentorID
}

// Thread is a mentorship's messages as one person sees them.
type Thread struct {
	Mentorship mentoring.Mentorship
	Messages   []View
	// With is the other person's first name (for a lead, both names).
	With     string
	Lead     bool
	CanWrite bool
	Paused   bool
	// MentorSuspended is set, for a lead, while the mentor is suspended.
	MentorSuspended bool
	// Closed says why nobody may write, when nobody may.
	Closed string
	// Next is the cursor of the next page of messages ("" on the last).
	Next string
}

// readable loads a mentorship u may read the messages of. Errors:
// NotFound for anyone who may not know of it, Forbidden for staff who
// may know of it but not read it.
func (s *Service) readable(ctx context.Context, u *auth.User, mentorshipID string) (mentoring.Mentorship, error) {
	ms, err := s.mentorships.Mentorship(ctx, u, mentorshipID)
	if err != nil {
		return ms, err
	}
	if !member(u, ms) && !isLead(u) || member(u, ms) && ms.Status != mentoring.StatusActive && ms.Status != mentoring.StatusEnded {
		return ms, errNotInThread
	}
	return ms, nil
}

// Thread returns the last 200 messages of a mentorship that u may see,
// and marks them read. Errors: NotFound, Forbidden (see readable).
func (s *Service) Thread(ctx context.Context, u *auth.User, mentorshipID string) (Thread, error) {
	return s.thread(ctx, u, mentorshipID, func(ctx context.Context, id string) ([]Message, string, error) {
		msgs, err := s.store.Thread(ctx, id, 200)
		return msgs, "", err
	})
}

// ThreadPage returns a page of the messages of a mentorship that u may
// see, oldest first, with the next page's cursor in Next, and marks them
// read. A page holds fewer than asked when some are held messages u may
// not see. Errors: as Thread; page.ErrCursor.
func (s *Service) ThreadPage(ctx context.Context, u *auth.User, mentorshipID string, p page.Request) (Thread, error) {
	return s.thread(ctx, u, mentorshipID, func(ctx context.Context, id string) ([]Message, string, error) {
		return s.store.ThreadPage(ctx, id, p)
	})
}

func (s *Service) thread(ctx context.Context, u *auth.User, mentorshipID string,
	load func(ctx context.Context, id string) ([]Message, string, error)) (Thread, error) {
	ms, err := s.readable(ctx, u, mentorshipID)
	if err != nil {
		return Thread{}, err
	}
	t := Thread{Mentorship: ms, Lead: isLead(u) && !member(u, ms)}
	if t.Paused, err = s.store.Paused(ctx, ms.ID); err != nil {
		return t, err
	}
	if t.Lead {
		if t.MentorSuspended, err = s.suspensions.MentorSuspended(ctx, ms.MentorID); err != nil {
			return t, err
		}
	}
	switch {
	case t.Lead:
		t.With = ms.LearnerFirstName() + " and " + ms.MentorFirstName()
	case u.ID == ms.LearnerID:
		t.With = ms.MentorFirstName()
	default:
		t.With = ms.LearnerFirstName()
	}
	switch {
	case ms.Status != mentoring.StatusActive:
		t.Closed = "This mentorship has ended. You can read your messages, but not send new ones."
	case t.Paused:
		t.Closed = "Messages are paused by our safety team. You can still read them and report a worry."
	}
	t.CanWrite = member(u, ms) && t.Closed == ""
	msgs, next, err := load(ctx, ms.ID)
	if err != nil {
		return t, err
	}
	t.Next = next
	v := viewer{ID: u.ID, Lead: t.Lead}
	var last int64
	held := 0
	for _, m := range msgs {
		if v.visible(m) {
			t.Messages = append(t.Messages, v.view(m))
			last = m.N
			if m.Status == StatusHeld {
				held++
			}
		}
	}
	if err := s.withFiles(ctx, t.Messages); err != nil {
		return t, err
	}
	if t.Lead {
		// A lead reading a thread is on the record, held messages or not.
		return t, s.audit.Record(ctx, u.ID, "messages.thread_viewed", "mentorship", ms.ID, map[string]any{"messages": len(t.Messages), "held": held})
	}
	if last > 0 {
		return t, s.store.MarkRead(ctx, ms.ID, u.ID, last, s.now())
	}
	return t, nil
}

// Sent is the result of sending: the message's id and whether it was
// delivered or held.
type Sent struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// Validate checks a message body as typed; the message is trimmed.
// Errors: Invalid naming the "body" field.
func Validate(body string) (string, error) {
	body = strings.TrimSpace(body)
	field := func(msg string) error { return apperr.InvalidFields(apperr.FieldError{Field: "body", Message: msg}) }
	switch {
	case !utf8.ValidString(body) || strings.ContainsRune(body, 0):
		return body, field("Your message has characters we cannot read. Type it again")
	case body == "":
		return body, field("Write a message")
	case utf8.RuneCountInString(body) > MaxBody:
		return body, field("Your message must be 2,000 characters or fewer")
	}
	return body, nil
}

// Send stores a message from u in a mentorship's thread after scanning
// it: a normal message is delivered (and the other person told), a
// flagged one is held for a safeguarding lead and nobody else sees it.
// Everything, the audit record and the live announcement commit
// together. Errors: Invalid (the body), NotFound (no such mentorship for
// u), Forbidden (not one of its two people), Conflict (ended or paused).
func (s *Service) Send(ctx context.Context, u *auth.User, mentorshipID, body string) (Sent, error) {
	body, err := Validate(body)
	if err != nil {
		return Sent{}, err
	}
	ms, err := s.mentorships.Mentorship(ctx, u, mentorshipID)
	if err != nil {
		return Sent{}, err
	}
	if !member(u, ms) {
		return Sent{}, errNotWriter
	}
	if ms.Status != mentoring.StatusActive {
		return Sent{}, errEnded
	}
	return s.send(ctx, u, ms, body, nil)
}

// send scans and stores a checked message from u, running with (when
// set) inside the same transaction once the message has its id.
func (s *Service) send(ctx context.Context, u *auth.User, ms mentoring.Mentorship, body string, with func(ctx context.Context, m *Message) error) (Sent, error) {
	res := s.scanner.Scan(body)
	now := s.now()
	m := Message{MentorshipID: ms.ID, SenderID: u.ID, Body: body, CreatedAt: now, Priority: PriorityNormal}
	if res.Flagged() {
		m.Status = StatusHeld
		due := now.Add(DueNormal)
		if res.Has(detect.Concern) {
			m.Priority, due = PriorityUrgent, now.Add(DueUrgent)
		}
		m.DueAt = &due
	} else {
		m.Status, m.DeliveredAt = StatusDelivered, &now
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		paused, err := s.store.Paused(ctx, ms.ID)
		if err != nil {
			return err
		}
		if paused {
			return errPaused
		}
		if err := s.store.InsertMessage(ctx, &m, res.Labels, res.Reasons); err != nil {
			return err
		}
		if with != nil {
			if err := with(ctx, &m); err != nil {
				return err
			}
		}
		rules := make([]string, len(res.Reasons))
		for i, r := range res.Reasons {
			rules[i] = r.Label + "/" + r.Rule
		}
		// The record says what happened, never what was written.
		if err := s.audit.Record(ctx, u.ID, "message.sent", "message", m.ID, map[string]any{"mentorship_id": ms.ID,
			"status": m.Status, "characters": utf8.RuneCountInString(body)}); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, "", "message.scanned", "message", m.ID, map[string]any{"labels": res.Labels, "rules": rules}); err != nil {
			return err
		}
		if m.Status == StatusHeld {
			if err := s.audit.Record(ctx, "", "message.held", "message", m.ID, map[string]any{"priority": m.Priority,
				"due_at": m.DueAt.UTC().Format(time.RFC3339)}); err != nil {
				return err
			}
		} else if err := s.tellRecipient(ctx, ms, m); err != nil {
			return err
		}
		return s.store.Announce(ctx, ms.ID, m.ID)
	})
	if err != nil {
		return Sent{}, err
	}
	return Sent{ID: m.ID, Status: m.Status}, nil
}

// ThreadPath is the thread page of a mentorship.
func ThreadPath(mentorshipID string) string {
	return "/mentoring/mentorships/" + mentorshipID + "/messages"
}

// tellRecipient lets the other person know a message has arrived: one
// notice per thread per hour, with the sender's first name and no
// content.
func (s *Service) tellRecipient(ctx context.Context, ms mentoring.Mentorship, m Message) error {
	to, from := ms.MentorID, ms.LearnerFirstName()
	if m.SenderID == ms.MentorID {
		to, from = ms.LearnerID, ms.MentorFirstName()
	}
	return s.notifier.Notify(ctx, notify.Notification{UserID: to, Kind: "message.new",
		Title: "You have a new message from " + from, Body: "Open Onramp to read it.", Link: ThreadPath(ms.ID),
		DedupeKey: "message.new:" + ms.ID + ":" + m.CreatedAt.UTC().Format("2006010215")})
}

// Unread counts u's unread messages per mentorship.
func (s *Service) Unread(ctx context.Context, u *auth.User) (map[string]int, error) {
	return s.store.Unread(ctx, u.ID)
}

// Stream is an open event stream on a thread: who watches it and the
// last change they have been sent.
type Stream struct {
	MentorshipID string
	viewer       viewer
	after        int64
}

// OpenStream checks that u is one of a mentorship's two people and
// returns a stream that starts after lastEventID (a message id the
// client last saw), or after the newest change when it is empty or
// unknown. Errors: NotFound, Forbidden.
func (s *Service) OpenStream(ctx context.Context, u *auth.User, mentorshipID, lastEventID string) (*Stream, error) {
	ms, err := s.readable(ctx, u, mentorshipID)
	if err != nil {
		return nil, err
	}
	if !member(u, ms) {
		return nil, errNotInThread
	}
	st := &Stream{MentorshipID: ms.ID, viewer: viewer{ID: u.ID}}
	if lastEventID != "" {
		m, err := s.store.Message(ctx, lastEventID)
		if err == nil && m.MentorshipID == ms.ID {
			st.after = m.Change
			return st, nil
		} else if err != nil && !errors.Is(err, db.ErrNotFound) {
			return nil, err
		}
	}
	st.after, err = s.store.LastChange(ctx, ms.ID)
	return st, err
}

// Next returns the changes on the stream's thread its viewer may see
// since the last call, and moves the stream past them.
func (s *Service) Next(ctx context.Context, st *Stream) ([]View, error) {
	msgs, err := s.store.ChangedSince(ctx, st.MentorshipID, st.after)
	if err != nil {
		return nil, err
	}
	var out []View
	for _, m := range msgs {
		st.after = m.Change
		if st.viewer.visible(m) {
			out = append(out, st.viewer.view(m))
		}
	}
	return out, nil
}

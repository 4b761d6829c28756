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
	"onramp/modules/mentoring"
	"onramp/modules/messaging/detect"
	"onramp/modules/notify"
)

// Report is a worry as typed on the form.
type Report struct {
	MentorshipID string
	Category     string
	Details      string
}

// Reported is what the reporter is told: when someone will look at it.
type Reported struct {
	ID     string
	Urgent bool
}

// Report opens a case for a worry a learner or mentor raised, about
// their mentorship or anything else. It is urgent (two hours) when
// someone's safety is at stake or the words worry the detector, else due
// in a day; every lead is told. Errors: Invalid (category, details),
// NotFound or Forbidden for a mentorship that is not the reporter's.
func (s *Service) Report(ctx context.Context, u *auth.User, in Report) (Reported, error) {
	in.Details = strings.TrimSpace(in.Details)
	var fields []apperr.FieldError
	if mentoring.Label(Categories, in.Category) == in.Category {
		fields = append(fields, apperr.FieldError{Field: "category", Message: "Choose what your worry is about"})
	}
	switch {
	case in.Details == "":
		fields = append(fields, apperr.FieldError{Field: "details", Message: "Tell us what has happened or what worries you"})
	case utf8.RuneCountInString(in.Details) > 4000 || !utf8.ValidString(in.Details) || strings.ContainsRune(in.Details, 0):
		fields = append(fields, apperr.FieldError{Field: "details", Message: "Keep it to 4,000 characters or fewer"})
	}
	if len(fields) > 0 {
		return Reported{}, apperr.InvalidFields(fields...)
	}
	c := Case{ReportedBy: u.ID, Category: in.Category, Details: in.Details, Priority: PriorityNormal}
	if in.MentorshipID != "" {
		ms, err := s.mentorships.Mentorship(ctx, u, in.MentorshipID)
		if err != nil {
			return Reported{}, err
		}
		if !member(u, ms) {
			return Reported{}, errNotWriter
		}
		c.MentorshipID = &ms.ID
	}
	if urgentCategories[in.Category] || s.scanner.Scan(in.Details).Has(detect.Concern) {
		c.Priority = PriorityUrgent
	}
	if err := s.open(ctx, u, &c); err != nil {
		return Reported{}, err
	}
	return Reported{ID: c.ID, Urgent: c.Priority == PriorityUrgent}, nil
}

// open stores a case, records it and tells every lead.
func (s *Service) open(ctx context.Context, u *auth.User, c *Case) error {
	c.CreatedAt = s.now()
	c.DueAt = c.CreatedAt.Add(DueNormal)
	if c.Priority == PriorityUrgent {
		c.DueAt = c.CreatedAt.Add(DueUrgent)
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.InsertCase(ctx, c); err != nil {
			return err
		}
		detail := map[string]any{"category": c.Category, "priority": c.Priority, "due_at": c.DueAt.UTC().Format(time.RFC3339)}
		if c.MentorshipID != nil {
			detail["mentorship_id"] = *c.MentorshipID
		}
		if c.MessageID != nil {
			detail["message_id"] = *c.MessageID
		}
		if err := s.audit.Record(ctx, u.ID, "concern.opened", "concern_case", c.ID, detail); err != nil {
			return err
		}
		leads, err := s.store.Leads(ctx)
		if err != nil {
			return err
		}
		title := "A worry has been reported"
		if c.Priority == PriorityUrgent {
			title = "An urgent worry has been reported"
		}
		for _, lead := range leads {
			if lead == u.ID {
				continue
			}
			if err := s.notifier.Notify(ctx, notify.Notification{UserID: lead, Kind: "safeguarding.concern", Title: title,
				Link: "/safeguarding/cases/" + c.ID, DedupeKey: "concern:" + c.ID}); err != nil {
				return err
			}
		}
		return nil
	})
}

// OpenFromMessage opens a case about a message (held or not) for a lead;
// the message keeps its status. Errors: Forbidden for anyone but a lead,
// NotFound, Invalid without details.
func (s *Service) OpenFromMessage(ctx context.Context, u *auth.User, messageID, details string) (string, error) {
	if !isLead(u) {
		return "", errNotLead
	}
	m, err := s.store.Message(ctx, messageID)
	if errors.Is(err, db.ErrNotFound) {
		return "", errNoMessage
	} else if err != nil {
		return "", err
	}
	details = strings.TrimSpace(details)
	if details == "" || utf8.RuneCountInString(details) > 4000 {
		return "", apperr.InvalidFields(apperr.FieldError{Field: "details", Message: "Say what the concern is, in 4,000 characters or fewer"})
	}
	c := Case{MentorshipID: &m.MentorshipID, MessageID: &m.ID, ReportedBy: u.ID, Category: "message", Details: details,
		Priority: m.Priority}
	if err := s.open(ctx, u, &c); err != nil {
		return "", err
	}
	return c.ID, nil
}

// CaseView is a case with its notes, for a lead.
type CaseView struct {
	Case  Case
	Notes []Note
}

// Cases lists open cases then the 20 most recently closed. Errors:
// Forbidden for anyone but a lead.
func (s *Service) Cases(ctx context.Context, u *auth.User) ([]Case, error) {
	if !isLead(u) {
		return nil, errNotLead
	}
	return s.store.Cases(ctx, 20)
}

// Case returns one case with its notes, and records the look. Errors:
// Forbidden for anyone but a lead, NotFound.
func (s *Service) Case(ctx context.Context, u *auth.User, id string) (CaseView, error) {
	if !isLead(u) {
		return CaseView{}, errNotLead
	}
	c, err := s.store.Case(ctx, id)
	if errors.Is(err, db.ErrNotFound) {
		return CaseView{}, errNoCase
	} else if err != nil {
		return CaseView{}, err
	}
	notes, err := s.store.Notes(ctx, c.ID)
	if err != nil {
		return CaseView{}, err
	}
	return CaseView{Case: c, Notes: notes}, s.audit.Record(ctx, u.ID, "concern.viewed", "concern_case", c.ID, nil)
}

// CaseUpdate is a lead's change to a case: its status, whether they take
// it on, and its outcome (needed to close it).
type CaseUpdate struct {
	Status  string
	TakeOn  bool
	Outcome string
}

// UpdateCase saves a lead's change. Errors: Forbidden for anyone but a
// lead, NotFound, Invalid (status, a close without an outcome).
func (s *Service) UpdateCase(ctx context.Context, u *auth.User, id string, in CaseUpdate) error {
	if !isLead(u) {
		return errNotLead
	}
	in.Outcome = strings.TrimSpace(in.Outcome)
	if mentoring.Label(CaseStatuses, in.Status) == in.Status {
		return apperr.InvalidFields(apperr.FieldError{Field: "status", Message: "Choose the case's status"})
	}
	if in.Status == "closed" && in.Outcome == "" || utf8.RuneCountInString(in.Outcome) > 4000 {
		return apperr.InvalidFields(apperr.FieldError{Field: "outcome", Message: "Record the outcome (4,000 characters or fewer) to close the case"})
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.store.Case(ctx, id)
		if errors.Is(err, db.ErrNotFound) {
			return errNoCase
		} else if err != nil {
			return err
		}
		c.Status, c.UpdatedAt = in.Status, s.now()
		if in.Outcome != "" {
			c.Outcome = in.Outcome
		}
		if in.TakeOn {
			c.AssigneeID = &u.ID
		}
		c.ClosedAt = nil
		if c.Status == "closed" {
			c.ClosedAt = &c.UpdatedAt
		}
		if err := s.store.UpdateCase(ctx, c); err != nil {
			return err
		}
		return s.audit.Record(ctx, u.ID, "concern.updated", "concern_case", c.ID, map[string]any{"status": c.Status,
			"assignee_id": c.AssigneeID, "outcome": c.Outcome})
	})
}

// AddNote adds a lead's note to a case. Errors: Forbidden for anyone but
// a lead, NotFound, Invalid (empty or too long).
func (s *Service) AddNote(ctx context.Context, u *auth.User, id, body string) error {
	if !isLead(u) {
		return errNotLead
	}
	body = strings.TrimSpace(body)
	if body == "" || utf8.RuneCountInString(body) > 4000 {
		return apperr.InvalidFields(apperr.FieldError{Field: "note", Message: "Write a note of 4,000 characters or fewer"})
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.store.Case(ctx, id)
		if errors.Is(err, db.ErrNotFound) {
			return errNoCase
		} else if err != nil {
			return err
		}
		if err := s.store.AddNote(ctx, c.ID, u.ID, body, s.now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, u.ID, "concern.note_added", "concern_case", c.ID, nil)
	})
}

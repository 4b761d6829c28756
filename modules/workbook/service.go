// Package workbook is the learner's workbook: their answers to lessons'
// "Try this", STAR stories for interviews, a placement log, a checklist of
// the documents an employer asks for, and a CV they can download as a
// one-page PDF or plain text. Only the learner writes it; the mentor of
// their active mentorship may read it.
package workbook

import (
	"context"
	"time"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/db"
)

// Mentees says whose mentor someone is; the mentoring module provides it
// (the same answer learning asks for a mentor reading lessons).
type Mentees interface {
	// MenteeOf returns the learner and their first name when mentorID is
	// the mentor of the active mentorship mentorshipID. Errors: NotFound
	// otherwise, an ended mentorship too.
	MenteeOf(ctx context.Context, mentorID, mentorshipID string) (learnerID, firstName string, err error)
}

// Recorder appends to the audit log; the audit module provides it.
type Recorder interface {
	Record(ctx context.Context, actorID, action, subjectType, subjectID string, detail map[string]any) error
}

// Service holds the workbook's rules: what may be written, and who may
// read it.
type Service struct {
	db      *db.DB
	store   *Store
	mentees Mentees
	hide    func(text string) string
	audit   Recorder
	now     func() time.Time
}

// NewService returns the workbook service. now is the clock.
func NewService(d *db.DB, mentees Mentees, audit Recorder, now func() time.Time) *Service {
	return &Service{db: d, store: NewStore(d.Gorm), mentees: mentees, audit: audit, now: now}
}

var (
	errNoStory     = apperr.New(apperr.NotFound, "There is no such story in your workbook")
	errNoPlacement = apperr.New(apperr.NotFound, "There is no such day in your placement log")
	errNoCV        = apperr.New(apperr.NotFound, "You have not saved a CV yet")
)

// notFound turns the store's not-found into e, and passes other errors on.
func notFound(err error, e *apperr.Error) error {
	if isNotFound(err) {
		return e
	}
	return err
}

// Workbook is everything in one learner's workbook.
type Workbook struct {
	Answers    []TryAnswer
	Stories    []Story
	Placements []Placement
	Documents  []DocumentRow
	CV         *CV // nil until they save one
}

// DocumentRow is one item of the checklist and where the learner is with
// it (NotStarted when they have not said).
type DocumentRow struct {
	Item
	Status, Note string
}

// Ready is how many documents the learner has ready.
func (w *Workbook) Ready() int {
	n := 0
	for _, d := range w.Documents {
		if d.Status == Ready {
			n++
		}
	}
	return n
}

// Workbook returns the learner's whole workbook.
func (s *Service) Workbook(ctx context.Context, learnerID string) (*Workbook, error) {
	w := &Workbook{}
	var err error
	if w.Answers, err = s.store.TryAnswers(ctx, learnerID); err != nil {
		return nil, err
	}
	if w.Stories, err = s.store.Stories(ctx, learnerID); err != nil {
		return nil, err
	}
	if w.Placements, err = s.store.Placements(ctx, learnerID); err != nil {
		return nil, err
	}
	if w.Documents, err = s.Documents(ctx, learnerID); err != nil {
		return nil, err
	}
	cv, err := s.store.CV(ctx, learnerID)
	if err == nil {
		w.CV = &cv
	} else if !isNotFound(err) {
		return nil, err
	}
	return w, nil
}

// Mentee is a learner's workbook as their mentor reads it.
type Mentee struct {
	*Workbook
	MentorshipID, FirstName string
}

var errNoMentee = apperr.New(apperr.NotFound, "There is no such mentee")

// MenteeWorkbook returns the workbook of the mentee of the mentor's
// active mentorship, and records in the audit log that the mentor read
// it. The CV comes without the mentee's phone number and email: mentors
// and mentees keep in touch only on Onramp. Errors: NotFound for anyone
// else's mentorship or an ended one.
func (s *Service) MenteeWorkbook(ctx context.Context, mentor *auth.User, mentorshipID string) (*Mentee, error) {
	learnerID, name, err := s.menteeOf(ctx, mentor, mentorshipID, "workbook.viewed")
	if err != nil {
		return nil, err
	}
	w, err := s.Workbook(ctx, learnerID)
	if err != nil {
		return nil, err
	}
	w.hideContacts(s.hideContactDetails)
	return &Mentee{Workbook: w, MentorshipID: mentorshipID, FirstName: name}, nil
}

// SetContactHider sets what finds contact details in text (the messaging
// detector's rules): mentors read their mentee's workbook with any phone
// number, email address, social media handle or home address the learner
// typed hidden, as messages would be held, so the workbook is not a way
// round keeping in touch only on Onramp.
func (s *Service) SetContactHider(hide func(text string) string) { s.hide = hide }

// HiddenContact is what a mentor sees in place of contact details.
const HiddenContact = "[contact details hidden]"

func (s *Service) hideContactDetails(text string) string {
	if s.hide == nil {
		return text
	}
	return s.hide(text)
}

// hideContacts hides the contact details in everything w's learner wrote,
// and leaves the CV without its phone number and email.
func (w *Workbook) hideContacts(hide func(string) string) {
	for i := range w.Answers {
		w.Answers[i].Answer = hide(w.Answers[i].Answer)
	}
	for i := range w.Stories {
		st := &w.Stories[i]
		st.Title, st.Situation, st.Task, st.Action, st.Result = hide(st.Title), hide(st.Situation), hide(st.Task), hide(st.Action), hide(st.Result)
	}
	for i := range w.Placements {
		p := &w.Placements[i]
		p.Place, p.Did, p.Learned = hide(p.Place), hide(p.Did), hide(p.Learned)
	}
	for i := range w.Documents {
		w.Documents[i].Note = hide(w.Documents[i].Note)
	}
	if w.CV != nil {
		w.CV.hideContacts(hide)
	}
}

// hideContacts leaves the CV without its phone number and email, and
// hides any contact details written elsewhere in it.
func (cv *CV) hideContacts(hide func(string) string) {
	cv.Phone, cv.Email = "", ""
	cv.FullName, cv.Town, cv.Statement, cv.Skills = hide(cv.FullName), hide(cv.Town), hide(cv.Statement), hide(cv.Skills)
	for _, entries := range [][]Entry{cv.Experience, cv.Education} {
		for i := range entries {
			e := &entries[i]
			e.Title, e.Place, e.Dates, e.Details = hide(e.Title), hide(e.Place), hide(e.Dates), hide(e.Details)
		}
	}
}

// menteeOf returns the mentee of the mentor's active mentorship and
// records action in the audit log.
func (s *Service) menteeOf(ctx context.Context, mentor *auth.User, mentorshipID, action string) (string, string, error) {
	if s.mentees == nil {
		return "", "", errNoMentee
	}
	learnerID, name, err := s.mentees.MenteeOf(ctx, mentor.ID, mentorshipID)
	if err != nil {
		return "", "", err
	}
	err = s.audit.Record(ctx, mentor.ID, action, "user", learnerID, map[string]any{"mentorship_id": mentorshipID})
	return learnerID, name, err
}

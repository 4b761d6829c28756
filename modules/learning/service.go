// Package learning delivers programmes to learners: lessons, knowledge
// checks with feedback, progress that picks up where they left off, and
// certificates anyone can verify.
package learning

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/db"
	"onramp/modules/content"
)

// Catalogue is the published course content; the content module's
// (cached) Catalogue provides it.
type Catalogue interface {
	Programmes(ctx context.Context, drafts bool) ([]content.ProgrammeSummary, error)
	OutlineBySlug(ctx context.Context, slug string, drafts bool) (*content.Outline, error)
	Lesson(ctx context.Context, id string) (*content.LessonInProgramme, error)
	Check(ctx context.Context, id string) (*content.CheckWithContext, error)
	LessonMedia(ctx context.Context, lessonID string) ([]content.LessonMedia, error)
}

// Enrolment places a learner in a cohort of a programme.
type Enrolment struct {
	ID               string
	CohortID         string
	CohortName       string
	ProgrammeSlug    string
	OrganisationID   string
	Status           string
	StartsOn, EndsOn time.Time
}

// Enrolments answers who is enrolled where; the cohorts module provides it.
type Enrolments interface {
	ForUser(ctx context.Context, userID string) ([]Enrolment, error)
}

var _ Catalogue = (*content.Catalogue)(nil)

// Service holds the learning rules.
type Service struct {
	db         *db.DB
	store      *Store
	catalogue  Catalogue
	enrolments Enrolments
	now        func() time.Time
}

// NewService returns the learning service.
func NewService(d *db.DB, catalogue Catalogue, enrolments Enrolments, now func() time.Time) *Service {
	return &Service{db: d, store: NewStore(d.Gorm), catalogue: catalogue, enrolments: enrolments, now: now}
}

var errNoProgramme = apperr.New(apperr.NotFound, "There is no such programme")

// Progress returns userID's progress in the published programme slug.
func (s *Service) Progress(ctx context.Context, userID, slug string) (*Progress, error) {
	o, err := s.outline(ctx, slug)
	if err != nil {
		return nil, err
	}
	st, err := s.store.Standing(ctx, userID)
	if err != nil {
		return nil, err
	}
	return progressFrom(o, st), nil
}

func (s *Service) outline(ctx context.Context, slug string) (*content.Outline, error) {
	o, err := s.catalogue.OutlineBySlug(ctx, slug, false)
	if errors.Is(err, db.ErrNotFound) {
		return nil, errNoProgramme
	}
	return o, err
}

// progressFrom works out a programme's progress from everything the
// learner has done; pages that show several programmes read the standing
// once and call this for each.
func progressFrom(o *content.Outline, st *Standing) *Progress {
	// Only this programme's lessons count, and the last one done here is
	// where "continue" starts from.
	completed := map[string]time.Time{}
	var last string
	var lastAt time.Time
	for _, id := range o.LessonIDs() {
		if at, ok := st.Completed[id]; ok {
			completed[id] = at
			if at.After(lastAt) {
				last, lastAt = id, at
			}
		}
	}
	return computeProgress(o, completed, st.Checks, last)
}

// Card is a programme on the learner's home page.
type Card struct {
	content.ProgrammeSummary
	Enrolled bool
	Cohort   string
	Progress *Progress
}

// Home lists published programmes for a learner: the ones they are
// enrolled in first, each with their progress.
func (s *Service) Home(ctx context.Context, userID string) ([]Card, error) {
	progs, err := s.catalogue.Programmes(ctx, false)
	if err != nil {
		return nil, err
	}
	ens, err := s.enrolments.ForUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	cohort := map[string]string{}
	for _, e := range ens {
		if e.Status != "withdrawn" {
			cohort[e.ProgrammeSlug] = e.CohortName
		}
	}
	st, err := s.store.Standing(ctx, userID)
	if err != nil {
		return nil, err
	}
	cards := make([]Card, 0, len(progs))
	for _, p := range progs {
		o, err := s.outline(ctx, p.Slug)
		if err != nil {
			return nil, err
		}
		pr := progressFrom(o, st)
		_, enrolled := cohort[p.Slug]
		cards = append(cards, Card{ProgrammeSummary: p, Enrolled: enrolled, Cohort: cohort[p.Slug], Progress: pr})
	}
	sort.SliceStable(cards, func(i, j int) bool { return cards[i].Enrolled && !cards[j].Enrolled })
	return cards, nil
}

// LessonView is what a lesson page shows.
type LessonView struct {
	Lesson   *content.LessonInProgramme
	Media    []content.LessonMedia
	Progress *Progress
	Module   *ModuleProgress
	Done     bool
	Prev     *content.Lesson
	Next     *content.Lesson
}

// Lesson returns a published lesson with the learner's progress around
// it. Drafts are NotFound for learners.
func (s *Service) Lesson(ctx context.Context, userID, lessonID string) (*LessonView, error) {
	l, err := s.visibleLesson(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	p, err := s.Progress(ctx, userID, l.ProgrammeSlug)
	if err != nil {
		return nil, err
	}
	media, err := s.catalogue.LessonMedia(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	v := &LessonView{Lesson: l, Media: media, Progress: p, Module: p.ModuleOf(l.ID)}
	v.Prev, v.Next = p.Neighbours(l.ID)
	if v.Module != nil {
		v.Done = v.Module.Completed[l.ID]
	}
	return v, nil
}

func (s *Service) visibleLesson(ctx context.Context, lessonID string) (*content.LessonInProgramme, error) {
	l, err := s.catalogue.Lesson(ctx, lessonID)
	if errors.Is(err, db.ErrNotFound) || (err == nil && !l.Visible()) {
		return nil, apperr.New(apperr.NotFound, "There is no such lesson")
	}
	return l, err
}

// CompleteLesson marks a published lesson complete for the learner. Doing
// it again, or many times at once, changes nothing: the first completion
// stands. It returns the learner's progress afterwards, with a
// certificate issued if that finished the programme.
func (s *Service) CompleteLesson(ctx context.Context, u *auth.User, lessonID string) (*Progress, error) {
	l, err := s.visibleLesson(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	var p *Progress
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.store.Complete(ctx, u.ID, l.ID, s.now()); err != nil {
			return err
		}
		if p, err = s.Progress(ctx, u.ID, l.ProgrammeSlug); err != nil {
			return err
		}
		return s.certifyIfComplete(ctx, u, p)
	})
	return p, err
}

func (s *Service) certifyIfComplete(ctx context.Context, u *auth.User, p *Progress) error {
	if !p.Complete {
		return nil
	}
	_, err := s.store.IssueCertificate(ctx, Certificate{
		UserID: u.ID, ProgrammeID: p.Outline.Programme.ID, Code: newCode(),
		LearnerName: u.Name, ProgrammeTitle: p.Outline.Programme.Title, IssuedAt: s.now(),
	})
	return err
}

// CheckView is what a check page shows.
type CheckView struct {
	Check    *content.CheckWithContext
	Result   CheckResult
	Progress *Progress
}

// Check returns a published check with the learner's results so far.
func (s *Service) Check(ctx context.Context, userID, checkID string) (*CheckView, error) {
	c, err := s.catalogue.Check(ctx, checkID)
	if errors.Is(err, db.ErrNotFound) || (err == nil && !c.Visible) {
		return nil, apperr.New(apperr.NotFound, "There is no such knowledge check")
	}
	if err != nil {
		return nil, err
	}
	p, err := s.Progress(ctx, userID, c.ProgrammeSlug)
	if err != nil {
		return nil, err
	}
	results, err := s.store.CheckResults(ctx, userID, []string{c.ID})
	return &CheckView{Check: c, Result: results[c.ID], Progress: p}, err
}

// AttemptResult is the marked attempt with feedback for every question.
type AttemptResult struct {
	AttemptID string             `json:"attempt_id"`
	Score     int                `json:"score"`
	Correct   int                `json:"correct"`
	Total     int                `json:"total"`
	PassMark  int                `json:"pass_mark"`
	Passed    bool               `json:"passed"`
	Feedback  []QuestionFeedback `json:"feedback"`
}

// QuestionFeedback says whether one question was right and why.
type QuestionFeedback struct {
	QuestionID string   `json:"question_id"`
	Question   string   `json:"question"`
	Correct    bool     `json:"correct"`
	Chosen     []string `json:"chosen"`
	Messages   []string `json:"messages"`
	Missed     []string `json:"missed,omitempty"` // right options not chosen
}

// SubmitAttempt marks answers (question id -> chosen option ids), records
// the attempt and, if passing it finished the programme, issues the
// certificate. Every question must be answered; single-choice questions
// take exactly one option. Errors: NotFound, Invalid naming each question
// that needs an answer.
func (s *Service) SubmitAttempt(ctx context.Context, u *auth.User, checkID string, answers map[string][]string) (*AttemptResult, error) {
	v, err := s.Check(ctx, u.ID, checkID)
	if err != nil {
		return nil, err
	}
	res, err := mark(v.Check, answers)
	if err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(answers)
	a := &Attempt{UserID: u.ID, CheckID: checkID, Correct: res.Correct, Total: res.Total, Score: res.Score,
		Passed: res.Passed, Answers: raw, CreatedAt: s.now()}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.AddAttempt(ctx, a); err != nil {
			return err
		}
		if !a.Passed {
			return nil
		}
		p, err := s.Progress(ctx, u.ID, v.Check.ProgrammeSlug)
		if err != nil {
			return err
		}
		return s.certifyIfComplete(ctx, u, p)
	})
	res.AttemptID = a.ID
	return res, err
}

// mark grades answers against the check. A question is right when the
// chosen options are exactly its correct ones.
func mark(c *content.CheckWithContext, answers map[string][]string) (*AttemptResult, error) {
	res := &AttemptResult{Total: len(c.Questions), PassMark: c.PassMark}
	var missing []apperr.FieldError
	for i, q := range c.Questions {
		chosen := answers[q.ID]
		valid := map[string]content.Option{}
		for _, o := range q.Options {
			valid[o.ID] = o
		}
		seen := map[string]bool{}
		for _, id := range chosen {
			if _, ok := valid[id]; !ok || seen[id] {
				return nil, apperr.New(apperr.Invalid, fmt.Sprintf("An answer to question %d is not one of its options. Reload the page and try again.", i+1))
			}
			seen[id] = true
		}
		field := "q-" + q.ID
		switch {
		case len(chosen) == 0:
			missing = append(missing, apperr.FieldError{Field: field, Message: fmt.Sprintf("Answer question %d", i+1)})
			continue
		case q.Kind == content.KindSingle && len(chosen) > 1:
			missing = append(missing, apperr.FieldError{Field: field, Message: fmt.Sprintf("Choose only one answer for question %d", i+1)})
			continue
		}
		fb := QuestionFeedback{QuestionID: q.ID, Question: q.Text, Correct: true, Chosen: chosen}
		for _, o := range q.Options {
			if o.Correct != seen[o.ID] {
				fb.Correct = false
			}
			if seen[o.ID] && o.Feedback != "" {
				fb.Messages = append(fb.Messages, o.Feedback)
			}
			if o.Correct && !seen[o.ID] {
				fb.Missed = append(fb.Missed, o.Text)
			}
		}
		if fb.Correct {
			res.Correct++
			fb.Missed = nil
		}
		res.Feedback = append(res.Feedback, fb)
	}
	if len(missing) > 0 {
		e := apperr.InvalidFields(missing...)
		e.Message = "Answer every question before you check your answers"
		return nil, e
	}
	if res.Total > 0 {
		res.Score = res.Correct * 100 / res.Total
	}
	res.Passed = res.Score >= res.PassMark
	return res, nil
}

// Certificate returns the learner's certificate for a programme, or
// NotFound until they have completed it.
func (s *Service) Certificate(ctx context.Context, userID, slug string) (*Certificate, error) {
	p, err := s.Progress(ctx, userID, slug)
	if err != nil {
		return nil, err
	}
	c, err := s.store.Certificate(ctx, userID, p.Outline.Programme.ID)
	if err == nil && c == nil {
		return nil, apperr.New(apperr.NotFound, "You get your certificate when you finish every module of the programme.")
	}
	return c, err
}

// Verify finds a certificate by its code, or NotFound.
func (s *Service) Verify(ctx context.Context, code string) (*Certificate, error) {
	c, err := s.store.CertificateByCode(ctx, normaliseCode(code))
	if err == nil && c == nil {
		return nil, apperr.New(apperr.NotFound, "No certificate has this code. Check it was typed exactly as printed.")
	}
	return c, err
}

// EnrolmentProgress is an enrolment with the learner's progress in it.
type EnrolmentProgress struct {
	Enrolment Enrolment
	Progress  *Progress
}

// Enrolments lists the learner's enrolments with progress.
func (s *Service) Enrolments(ctx context.Context, userID string) ([]EnrolmentProgress, error) {
	ens, err := s.enrolments.ForUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	st, err := s.store.Standing(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]EnrolmentProgress, 0, len(ens))
	for _, e := range ens {
		var p *Progress
		o, err := s.outline(ctx, e.ProgrammeSlug)
		switch {
		case err == nil:
			p = progressFrom(o, st)
		case apperr.As(err).Kind != apperr.NotFound: // an unpublished programme has no progress to show
			return nil, err
		}
		out = append(out, EnrolmentProgress{Enrolment: e, Progress: p})
	}
	return out, nil
}

// LearnerProgress returns a learner's enrolments and progress for a staff
// member, limited by the one organisation-scope rule (auth.ScopeOf):
// admins see every enrolment (an empty list for someone in no cohort),
// managers only enrolments in their own organisation's cohorts. For a
// manager, a learner with no enrolment they may see is NotFound, so the answer does not reveal who exists. Errors: as
// auth.ScopeOf for anyone else.
func (s *Service) LearnerProgress(ctx context.Context, viewer *auth.User, learnerID string) ([]EnrolmentProgress, error) {
	scope, err := auth.ScopeOf(viewer)
	if err != nil {
		return nil, err
	}
	if !db.IsUUID(learnerID) {
		return nil, errNoLearner
	}
	ens, err := s.Enrolments(ctx, learnerID)
	if err != nil || scope.All {
		return ens, err
	}
	var visible []EnrolmentProgress
	for _, e := range ens {
		if scope.Includes(e.Enrolment.OrganisationID) {
			visible = append(visible, e)
		}
	}
	if len(visible) == 0 {
		return nil, errNoLearner
	}
	return visible, nil
}

var errNoLearner = apperr.New(apperr.NotFound, "There is no such learner")

const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789" // no 0/O or 1/I to misread

func newCode() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	out := make([]byte, 0, 14)
	for i, c := range b {
		if i == 4 || i == 8 {
			out = append(out, '-')
		}
		out = append(out, codeAlphabet[int(c)%len(codeAlphabet)])
	}
	return string(out)
}

func normaliseCode(code string) string {
	out := make([]rune, 0, 14)
	for _, r := range code {
		switch {
		case r >= 'a' && r <= 'z':
			out = append(out, r-'a'+'A')
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			out = append(out, r)
		}
		if len(out) == 4 || len(out) == 9 {
			out = append(out, '-')
		}
	}
	return string(out)
}

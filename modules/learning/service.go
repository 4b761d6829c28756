// Package learning delivers programmes to learners: lessons, knowledge
// checks with feedback, progress that picks up where they left off, and
// certificates anyone can verify.
package learning

import (
	"context"
	"crypto/rand"
	"errors"
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
	// LessonNow and CheckNow read past any cache: writes decide on what
	// is published now, whichever replica unpublished it.
	LessonNow(ctx context.Context, id string) (*content.LessonInProgramme, error)
	CheckNow(ctx context.Context, id string) (*content.CheckWithContext, error)
}

// Enrolment places a learner in a cohort of a programme.
type Enrolment struct {
	ID             string
	CohortID       string
	CohortName     string
	ProgrammeSlug  string
	OrganisationID string // "" for a self-enrolment cohort
	// SelfEnrolment is set for the cohort of learners who started an open
	// programme on their own.
	SelfEnrolment    bool
	Status           string // active, withdrawn or completed
	StartsOn, EndsOn time.Time
}

// Enrolments answers who is enrolled where, and enrols a learner who
// starts an open programme on their own; the cohorts module provides it.
type Enrolments interface {
	// ForUser lists a learner's enrolments, withdrawn ones included.
	ForUser(ctx context.Context, userID string) ([]Enrolment, error)
	// SelfEnrol enrols the learner on the open programme with
	// programmeSlug and reports whether that added an enrolment; doing it
	// again adds nothing. Errors: NotFound, Forbidden (not open),
	// Conflict (withdrawn from it).
	SelfEnrol(ctx context.Context, userID, programmeSlug string) (bool, error)
	// ProgrammeManagers lists the programme managers a learner can
	// contact: those of the organisations running the groups they are
	// in (not ones they have left), by organisation and name.
	ProgrammeManagers(ctx context.Context, userID string) ([]Contact, error)
}

// Contact is a member of staff a learner may write to.
type Contact struct {
	Name, Email, Organisation string
}

// Completions hears that someone finished a programme: mentoring records
// a mentor's safeguarding training when they finish their induction. It
// is called once per person and programme, when the certificate is
// issued, inside the transaction that issues it, so an error undoes the
// completion that caused it.
type Completions interface {
	ProgrammeCompleted(ctx context.Context, userID, programmeSlug string, at time.Time) error
}

// Mentors tells the home and help pages about a learner's mentor; the
// mentoring module provides it (it reads learning, so learning declares
// this and app wires it in). Both are "" when the learner has no active
// mentorship.
type Mentors interface {
	MentorOf(ctx context.Context, userID string) (firstName, mentorshipID string, err error)
}

var _ Catalogue = (*content.Catalogue)(nil)

// Service holds the learning rules.
type Service struct {
	db          *db.DB
	store       *Store
	catalogue   Catalogue
	enrolments  Enrolments
	completions Completions
	mentors     Mentors
	mentees     Mentees
	tryThis     TryThis
	now         func() time.Time
}

// NewService returns the learning service.
func NewService(d *db.DB, catalogue Catalogue, enrolments Enrolments, now func() time.Time) *Service {
	return &Service{db: d, store: NewStore(d.Gorm), catalogue: catalogue, enrolments: enrolments, now: now}
}

// SetCompletions sets who hears of finished programmes. It is set after
// NewService because the listener (mentoring) itself reads learning.
func (s *Service) SetCompletions(c Completions) { s.completions = c }

// SetMentors sets who tells a learner's home page about their mentor; it
// is set after NewService for the same reason as SetCompletions.
func (s *Service) SetMentors(m Mentors) { s.mentors = m }

var errNoProgramme = apperr.New(apperr.NotFound, "There is no such programme")

// Progress returns userID's progress in the published programme slug,
// whoever it is for: callers have already applied the audience rule.
func (s *Service) Progress(ctx context.Context, userID, slug string) (*Progress, error) {
	o, err := s.outline(ctx, slug)
	if err != nil {
		return nil, err
	}
	return s.progressIn(ctx, userID, o)
}

func (s *Service) progressIn(ctx context.Context, userID string, o *content.Outline) (*Progress, error) {
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
	Access   Access
	Progress *Progress
}

// HomeView is the learner's (or mentor's) home page.
type HomeView struct {
	// ForMentor is set for a mentor, who sees mentor programmes only and
	// has no group code, news or equality questions to answer.
	ForMentor bool
	Mine      []Card // programmes they are on, or were on
	Open      []Card // open programmes they could start now
	Others    []Card // programmes they join through a programme manager
	// Continue is where "continue where you left off" goes: of the
	// programmes they are on and have not finished, the one they did
	// something in last (or the first, if none).
	Continue *Card
	// Mentoring is set for a learner: whether they have an active
	// mentor, and the mentor's first name.
	Mentoring *MentorCard
	// InGroup is set when they are in a group a programme manager runs
	// (not one they left, nor only programmes started on their own):
	// only then can they tell us their news and be matched with a mentor.
	InGroup bool
	// Certificates are the programmes they finished, newest first.
	Certificates []CertificateCard
	// Next is the programme to suggest once they have finished one and
	// are doing no other: the first they are not on. Nil otherwise.
	Next *Card
}

// OpenElsewhere and OthersElsewhere are the open and the closed
// programmes they are not on, less the one suggested as Next (shown
// apart).
func (v *HomeView) OpenElsewhere() []Card   { return v.without(v.Open) }
func (v *HomeView) OthersElsewhere() []Card { return v.without(v.Others) }

func (v *HomeView) without(cards []Card) []Card {
	var out []Card
	for _, c := range cards {
		if v.Next == nil || c.Slug != v.Next.Slug {
			out = append(out, c)
		}
	}
	return out
}

// CertificateCard is a finished programme on the home page.
type CertificateCard struct {
	Certificate
	Slug string // "" when the programme is no longer published
}

// MentorCard is what a learner's home page says about their mentor.
type MentorCard struct {
	FirstName    string
	Active       bool
	MentorshipID string // while active
}

// Programmes lists the published programmes u may see (see Sees).
func (s *Service) Programmes(ctx context.Context, u *auth.User) ([]content.ProgrammeSummary, error) {
	progs, err := s.catalogue.Programmes(ctx, false)
	if err != nil {
		return nil, err
	}
	out := make([]content.ProgrammeSummary, 0, len(progs))
	for _, p := range progs {
		if Sees(u, p.Programme) {
			out = append(out, p)
		}
	}
	return out, nil
}

// Home sorts the published programmes u may see for their home page,
// each with their progress: the ones they are (or were) on, the open ones
// they could start, and the rest.
func (s *Service) Home(ctx context.Context, u *auth.User) (*HomeView, error) {
	progs, err := s.Programmes(ctx, u)
	if err != nil {
		return nil, err
	}
	ens, err := s.enrolments.ForUser(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	st, err := s.store.Standing(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	v := &HomeView{ForMentor: u.Has(auth.RoleMentor) && !u.Has(auth.RoleLearner)}
	for _, p := range progs {
		o, err := s.outline(ctx, p.Slug)
		if err != nil {
			return nil, err
		}
		c := Card{ProgrammeSummary: p, Access: accessTo(o, ens), Progress: progressFrom(o, st)}
		switch {
		case c.Access.Enrolled || c.Access.Withdrawn:
			v.Mine = append(v.Mine, c)
		case c.Access.CanStart:
			v.Open = append(v.Open, c)
		default:
			v.Others = append(v.Others, c)
		}
	}
	for i, c := range v.Mine {
		if c.Access.Enrolled && c.Progress.Next != nil &&
			(v.Continue == nil || c.Progress.LastActive.After(v.Continue.Progress.LastActive)) {
			v.Continue = &v.Mine[i]
		}
	}
	for _, e := range ens {
		v.InGroup = v.InGroup || (!e.SelfEnrolment && e.Status != "withdrawn")
	}
	certs, err := s.store.CertificatesOf(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	slugs := map[string]string{}
	for _, p := range progs {
		slugs[p.ID] = p.Slug
	}
	for _, c := range certs {
		if slug, ok := slugs[c.ProgrammeID]; ok || !v.ForMentor {
			v.Certificates = append(v.Certificates, CertificateCard{Certificate: c, Slug: slug})
		}
	}
	if len(v.Certificates) > 0 && v.Continue == nil {
		switch {
		case len(v.Open) > 0:
			v.Next = &v.Open[0]
		case len(v.Others) > 0:
			v.Next = &v.Others[0]
		}
	}
	if s.mentors != nil && u.Has(auth.RoleLearner) {
		name, id, err := s.mentors.MentorOf(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		v.Mentoring = &MentorCard{FirstName: name, Active: id != "", MentorshipID: id}
	}
	return v, nil
}

// LessonView is what a lesson page shows.
type LessonView struct {
	Lesson   *content.LessonInProgramme
	Media    []content.LessonMedia
	Progress *Progress
	Module   *ModuleProgress
	Done     bool
	// Revisit is set when the learner is to go over this lesson again
	// before their next try at the module's check.
	Revisit bool
	Prev    *content.Lesson
	Next    *content.Lesson
	// Questions are the quick questions after the lesson, options in the
	// order shown; Answers the learner's latest answers, by question id.
	Questions []content.Question
	Answers   map[string]*LessonAnswer
}

// Lesson returns a published lesson with the learner's progress around
// it. Errors: NotFound (drafts too, and a programme not for them);
// Forbidden, saying why, when the learner is not on the programme (see
// Access).
func (s *Service) Lesson(ctx context.Context, u *auth.User, lessonID string) (*LessonView, error) {
	return s.LessonIn(ctx, u, "", lessonID)
}

// LessonIn is Lesson seen from the programme slug: a lesson of a shared
// module is in several programmes, and shows its progress and neighbours
// in slug's when the learner is on it (else in the first they are on).
func (s *Service) LessonIn(ctx context.Context, u *auth.User, slug, lessonID string) (*LessonView, error) {
	l, err := s.visibleLesson(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	o, err := s.programmeFor(ctx, u, lessonPlace(l), slug)
	if err != nil {
		return nil, err
	}
	p, err := s.progressIn(ctx, u.ID, o)
	if err != nil {
		return nil, err
	}
	media, err := s.catalogue.LessonMedia(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	v := &LessonView{Lesson: l, Media: content.WithoutInline(media, l.BodyMD), Progress: p, Module: p.ModuleOf(l.ID), Questions: shownQuestions(u.ID, l)}
	if v.Answers, err = s.lessonAnswers(ctx, u.ID, l); err != nil {
		return nil, err
	}
	v.Prev, v.Next = p.Neighbours(l.ID)
	if v.Module != nil {
		v.Done = v.Module.Completed[l.ID]
		v.Revisit = v.Module.Revisiting(l.ID)
	}
	return v, nil
}

var errNoLesson = apperr.New(apperr.NotFound, "There is no such lesson")

func (s *Service) visibleLesson(ctx context.Context, lessonID string) (*content.LessonInProgramme, error) {
	l, err := s.catalogue.Lesson(ctx, lessonID)
	if errors.Is(err, db.ErrNotFound) || (err == nil && !l.Visible()) {
		return nil, errNoLesson
	}
	return l, err
}

// visibleNow checks a lesson read with LessonNow inside a write's
// transaction: the cached read before it may be a moment old.
func visibleNow(l *content.LessonInProgramme, err error) error {
	if errors.Is(err, db.ErrNotFound) || (err == nil && !l.Visible()) {
		return errNoLesson
	}
	return err
}

// CompleteLesson marks a published lesson complete for the learner, who
// must be on its programme. Doing it again, or many times at once,
// changes nothing (the first completion stands), except while the
// module's check waits for the learner to go over its lessons again: then
// completing a lesson again records that they did (see revisitList). It
// returns the learner's progress afterwards, with a certificate issued if
// that finished the programme. Errors: NotFound; Forbidden, saying why,
// when the learner is not on the programme.
func (s *Service) CompleteLesson(ctx context.Context, u *auth.User, lessonID string) (*Progress, error) {
	return s.CompleteLessonIn(ctx, u, "", lessonID)
}

// CompleteLessonIn is CompleteLesson from the programme slug, whose
// progress it returns (see LessonIn). Completing a lesson of a shared
// module counts in every programme that includes it, and issues the
// certificate of each one it finishes.
func (s *Service) CompleteLessonIn(ctx context.Context, u *auth.User, slug, lessonID string) (*Progress, error) {
	l, err := s.visibleLesson(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	o, err := s.programmeFor(ctx, u, lessonPlace(l), slug)
	if err != nil {
		return nil, err
	}
	in := o.Programme.Slug
	var p *Progress
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := visibleNow(s.catalogue.LessonNow(ctx, l.ID)); err != nil {
			return err
		}
		added, err := s.store.Complete(ctx, u.ID, l.ID, s.now())
		if err != nil {
			return err
		}
		if p, err = s.Progress(ctx, u.ID, in); err != nil {
			return err
		}
		if m := p.ModuleOf(l.ID); !added && m != nil && m.Revisiting(l.ID) {
			if err := s.store.Revisit(ctx, u.ID, l.ID, s.now()); err != nil {
				return err
			}
			if p, err = s.Progress(ctx, u.ID, in); err != nil {
				return err
			}
		}
		return s.certifyAll(ctx, u, lessonPlace(l), p)
	})
	return p, err
}

// certifyIfComplete issues the certificate when p is complete and, the
// first time, tells the completions listener, in the caller's transaction.
func (s *Service) certifyIfComplete(ctx context.Context, u *auth.User, p *Progress) error {
	if !p.Complete {
		return nil
	}
	cert := Certificate{
		UserID: u.ID, ProgrammeID: p.Outline.Programme.ID, Code: newCode(),
		LearnerName: u.Name, ProgrammeTitle: p.Outline.Programme.Title, IssuedAt: s.now(),
	}
	for _, m := range p.Outline.Modules {
		cert.Modules = append(cert.Modules, m.Title)
		for _, l := range m.Lessons {
			cert.Minutes += l.Minutes
		}
	}
	c, issued, err := s.store.IssueCertificate(ctx, cert)
	if err != nil || !issued || s.completions == nil {
		return err
	}
	return s.completions.ProgrammeCompleted(ctx, u.ID, p.Outline.Programme.Slug, c.IssuedAt)
}

// Certificate returns the learner's certificate for a programme, or
// NotFound until they have completed it (or when it is not for them).
func (s *Service) Certificate(ctx context.Context, u *auth.User, slug string) (*Certificate, error) {
	o, err := s.visibleOutline(ctx, u, slug)
	if err != nil {
		return nil, err
	}
	c, err := s.store.Certificate(ctx, u.ID, o.Programme.ID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, apperr.New(apperr.NotFound, "You get your certificate when you finish every module of the programme.")
	}
	return c, err
}

// Verify finds a certificate by its code, or NotFound.
func (s *Service) Verify(ctx context.Context, code string) (*Certificate, error) {
	c, err := s.store.CertificateByCode(ctx, normaliseCode(code))
	if errors.Is(err, db.ErrNotFound) {
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
	if err != nil {
		return nil, err
	}
	if scope.All {
		if len(ens) == 0 {
			// Admins see everyone, so only nobody at all is not found.
			exists, err := s.store.PersonExists(ctx, learnerID)
			if err != nil {
				return nil, err
			}
			if !exists {
				return nil, errNoLearner
			}
		}
		return ens, nil
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

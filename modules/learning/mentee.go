package learning

import (
	"context"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
)

// Mentees tells learning whose mentor someone is, so a mentor can read
// the lessons their mentee is taking; the mentoring module provides it.
type Mentees interface {
	// MenteeOf returns the learner and their first name when mentorID is
	// the mentor of the active mentorship mentorshipID. Errors: NotFound
	// otherwise (an ended mentorship too), so the answer does not say it
	// exists.
	MenteeOf(ctx context.Context, mentorID, mentorshipID string) (learnerID, firstName string, err error)
}

// SetMentees sets who answers whose mentor someone is; it is set after
// NewService, as SetMentors is.
func (s *Service) SetMentees(m Mentees) { s.mentees = m }

// MenteeLearning is what a mentor may read of their mentee's learning:
// the programmes the mentee is on, their modules and lessons, and how far
// through each module the mentee is (a summary, never their answers).
type MenteeLearning struct {
	MentorshipID string
	FirstName    string
	Programmes   []*Progress
}

var errNoMentee = apperr.New(apperr.NotFound, "There is no such mentee")

// MenteeLearning returns the learning of the mentee of the mentor's
// active mentorship. Errors: NotFound for anyone else's mentorship or an
// ended one.
func (s *Service) MenteeLearning(ctx context.Context, mentor *auth.User, mentorshipID string) (*MenteeLearning, error) {
	if s.mentees == nil {
		return nil, errNoMentee
	}
	learnerID, name, err := s.mentees.MenteeOf(ctx, mentor.ID, mentorshipID)
	if err != nil {
		return nil, err
	}
	ens, err := s.Enrolments(ctx, learnerID)
	if err != nil {
		return nil, err
	}
	v := &MenteeLearning{MentorshipID: mentorshipID, FirstName: name}
	seen := map[string]bool{}
	for _, e := range ens {
		if e.Progress == nil || e.Enrolment.Status == "withdrawn" || seen[e.Enrolment.ProgrammeSlug] {
			continue
		}
		seen[e.Enrolment.ProgrammeSlug] = true
		v.Programmes = append(v.Programmes, e.Progress)
	}
	return v, nil
}

// MenteeLesson is a lesson as the mentee's mentor reads it.
type MenteeLesson struct {
	*MenteeLearning
	Lesson *LessonView
}

// MenteeLesson returns a published lesson of a programme the mentor's
// mentee is on, to read only. Errors: NotFound for a lesson of any other
// programme, or as MenteeLearning.
func (s *Service) MenteeLesson(ctx context.Context, mentor *auth.User, mentorshipID, lessonID string) (*MenteeLesson, error) {
	ml, err := s.MenteeLearning(ctx, mentor, mentorshipID)
	if err != nil {
		return nil, err
	}
	l, err := s.visibleLesson(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	for _, p := range ml.Programmes {
		if p.Outline.Programme.Slug != l.ProgrammeSlug {
			continue
		}
		media, err := s.catalogue.LessonMedia(ctx, l.ID)
		if err != nil {
			return nil, err
		}
		v := &LessonView{Lesson: l, Media: media, Progress: p, Module: p.ModuleOf(l.ID)}
		v.Prev, v.Next = p.Neighbours(l.ID)
		return &MenteeLesson{MenteeLearning: ml, Lesson: v}, nil
	}
	return nil, apperr.New(apperr.NotFound, "There is no such lesson")
}

func (m *Module) menteeLearning(c echo.Context) error {
	v, err := m.svc.MenteeLearning(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return m.pages.HTML(c, http.StatusOK, "learning/mentee", v.FirstName+"'s lessons", v)
}

type menteeLessonPage struct {
	*MenteeLesson
	Body             template.HTML
	MediaUnavailable bool
}

func (m *Module) menteeLesson(c echo.Context) error {
	v, err := m.svc.MenteeLesson(c.Request().Context(), auth.UserOf(c), c.Param("id"), c.Param("lesson"))
	if err != nil {
		return err
	}
	l := v.Lesson.Lesson
	return m.pages.HTML(c, http.StatusOK, "learning/mentee-lesson", l.Title, menteeLessonPage{MenteeLesson: v,
		Body:             m.render.Cached(l.ID, l.UpdatedAt.UnixNano(), l.BodyMD),
		MediaUnavailable: len(v.Lesson.Media) > 0 && !m.mediaHealthy()})
}

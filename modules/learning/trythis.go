package learning

import (
	"context"
	"html/template"
	"net/http"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
)

// TryThis keeps a learner's answers to the "Try this" at the end of
// lessons, in their workbook; the workbook module provides it.
type TryThis interface {
	// TryAnswer returns the learner's answer to the lesson's Try this, or
	// "" when they have not answered.
	TryAnswer(ctx context.Context, learnerID, lessonID string) (string, error)
	// SaveTryAnswer keeps the answer, replacing an earlier one. Errors:
	// Invalid with the field "try-this-answer".
	SaveTryAnswer(ctx context.Context, learnerID, lessonID, programmeSlug, answer string) error
}

// SetTryThis sets where answers to "Try this" are kept; it is set after
// NewService, as SetMentors is.
func (s *Service) SetTryThis(t TryThis) { s.tryThis = t }

// tryThisHeading is a Markdown heading "Try this", as lessons end.
var tryThisHeading = regexp.MustCompile(`(?mi)^#{1,6}[ \t]+try this[ \t#]*$`)

// HasTryThis reports whether a lesson's Markdown has a "Try this"
// heading.
func HasTryThis(md string) bool { return tryThisHeading.MatchString(md) }

// keyPointsHeading is how a lesson's rendered Key points section starts.
const keyPointsHeading = "<h2>Key points</h2>"

// splitAtKeyPoints cuts a rendered lesson before its Key points, which
// follow its Try this, so the answer box sits straight under the task it
// answers. Without Key points the whole lesson comes first.
func splitAtKeyPoints(body template.HTML) (before, keyPoints template.HTML) {
	i := strings.LastIndex(string(body), keyPointsHeading)
	if i < 0 {
		return body, ""
	}
	return body[:i], body[i:]
}

// TryThisForm is the answer box under a lesson that ends with "Try this".
type TryThisForm struct {
	Answer string
	Saved  bool // just saved
}

// TryThisFor returns the answer box for the lesson: nil unless u is a
// learner (only learners keep a workbook) and the lesson has a Try this.
// It holds their saved answer.
func (s *Service) TryThisFor(ctx context.Context, u *auth.User, v *LessonView) (*TryThisForm, error) {
	if s.tryThis == nil || !u.Has(auth.RoleLearner) || !HasTryThis(v.Lesson.BodyMD) {
		return nil, nil
	}
	a, err := s.tryThis.TryAnswer(ctx, u.ID, v.Lesson.ID)
	return &TryThisForm{Answer: a}, err
}

// SaveTryThis keeps the learner's answer to the Try this of a lesson they
// may read in the programme slug. Errors: as LessonIn; NotFound when the
// lesson has no Try this; Invalid as TryThis.SaveTryAnswer.
func (s *Service) SaveTryThis(ctx context.Context, u *auth.User, slug, lessonID, answer string) error {
	v, err := s.LessonIn(ctx, u, slug, lessonID)
	if err != nil {
		return err
	}
	if s.tryThis == nil || !HasTryThis(v.Lesson.BodyMD) {
		return apperr.New(apperr.NotFound, "This lesson has no Try this to answer")
	}
	return s.tryThis.SaveTryAnswer(ctx, u.ID, v.Lesson.ID, v.Progress.Outline.Programme.Slug, answer)
}

// saveTryThis keeps the answer and takes the learner back to where they
// were in the lesson, saying it is saved; a refused answer is shown again
// with what is wrong.
func (m *Module) saveTryThis(c echo.Context) error {
	answer := c.FormValue("answer")
	slug, lessonID := c.Param("slug"), c.Param("id")
	err := m.svc.SaveTryThis(c.Request().Context(), auth.UserOf(c), slug, lessonID, answer)
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		return m.renderLesson(c, http.StatusUnprocessableEntity, lessonPage{Errors: e.Fields, TryThis: &TryThisForm{Answer: answer}})
	} else if err != nil {
		return toProgramme(c, err)
	}
	return c.Redirect(http.StatusSeeOther, lessonURL(slug, lessonID)+"?saved=try-this#try-this")
}

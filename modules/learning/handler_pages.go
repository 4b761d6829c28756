package learning

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/modules/content"
)

func (m *Module) home(c echo.Context) error {
	v, err := m.svc.Home(c.Request().Context(), auth.UserOf(c))
	if err != nil {
		return err
	}
	return m.pages.HTML(c, http.StatusOK, "learning/home", "My learning", v)
}

type programmePage struct {
	*ProgrammeView
	Intro   template.HTML // what the programme is, for someone not on it yet
	Started bool          // they have just pressed "Start this programme"
}

func (m *Module) programme(c echo.Context) error {
	v, err := m.svc.Programme(c.Request().Context(), auth.UserOf(c), c.Param("slug"))
	if err != nil {
		return err
	}
	page := programmePage{ProgrammeView: v, Started: c.QueryParam("started") != "" && v.Access.Enrolled}
	if p := v.Outline.Programme; !v.Access.Enrolled && p.IntroMD != "" {
		page.Intro = m.render.Cached("programme-"+p.ID, p.UpdatedAt.UnixNano(), p.IntroMD)
	}
	return m.pages.HTML(c, http.StatusOK, "learning/programme", v.Outline.Programme.Title, page)
}

// start enrols the learner on an open programme and shows them its page.
func (m *Module) start(c echo.Context) error {
	if _, _, err := m.svc.Start(c.Request().Context(), auth.UserOf(c), c.Param("slug")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/learn/"+url.PathEscape(c.Param("slug"))+"?started=1")
}

// toProgramme sends a learner who opened a lesson or check of a
// programme they are not on to the programme's page, which says how to
// get on it.
func toProgramme(c echo.Context, err error) error {
	if slug, ok := NotOnProgramme(err); ok {
		return c.Redirect(http.StatusSeeOther, "/learn/"+url.PathEscape(slug))
	}
	return err
}

type lessonPage struct {
	*LessonView
	Body             template.HTML
	MediaUnavailable bool
	Position, Count  int
	Errors           []apperr.FieldError // an answer to a question that could not be marked
	Chosen           map[string][]string // what was sent with it, by question id
	TryThis          *TryThisForm        // the answer box under a lesson's "Try this"
	KeyPoints        template.HTML       // with TryThis: the lesson's Key points, shown after the answer box
}

// Picked reports whether option is what the learner chose for question:
// as just sent, when that could not be marked, else their latest answer.
func (p lessonPage) Picked(question, option string) bool {
	if sent, ok := p.Chosen[question]; ok {
		return slices.Contains(sent, option)
	}
	return p.Answers[question].Chose(option)
}

// SelectAllHint is the hint under a multiple-answer question: none when
// its text already says to select all that apply, as written content does.
func (lessonPage) SelectAllHint(text string) string {
	if strings.Contains(strings.ToLower(text), "select all that apply") {
		return ""
	}
	return "Select all that apply."
}

func (m *Module) lesson(c echo.Context) error {
	return m.renderLesson(c, http.StatusOK, lessonPage{})
}

// answerQuestion marks an answer ("option", one or more) to a question
// inside a lesson and shows the lesson again at that question, with the
// feedback. A page script sends the same form and shows the answer
// without a reload.
func (m *Module) answerQuestion(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return apperr.New(apperr.BadRequest, "Your answer could not be read. Try again.")
	}
	slug, lessonID, question := c.Param("slug"), c.Param("id"), c.Param("question")
	_, err = m.svc.AnswerLessonQuestion(c.Request().Context(), auth.UserOf(c), slug, lessonID, question, form["option"])
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		return m.renderLesson(c, http.StatusUnprocessableEntity,
			lessonPage{Errors: e.Fields, Chosen: map[string][]string{question: form["option"]}})
	} else if err != nil {
		return toProgramme(c, err)
	}
	return c.Redirect(http.StatusSeeOther, lessonURL(slug, lessonID)+"#question-"+url.PathEscape(question))
}

func (m *Module) renderLesson(c echo.Context, status int, page lessonPage) error {
	v, err := m.svc.LessonIn(c.Request().Context(), auth.UserOf(c), c.Param("slug"), c.Param("id"))
	if err != nil {
		return toProgramme(c, err)
	}
	if in := v.Progress.Outline.Programme.Slug; in != c.Param("slug") {
		return c.Redirect(http.StatusMovedPermanently, lessonURL(in, v.Lesson.ID))
	}
	page.LessonView = v
	if page.TryThis == nil {
		if page.TryThis, err = m.svc.TryThisFor(c.Request().Context(), auth.UserOf(c), v); err != nil {
			return err
		}
		if page.TryThis != nil {
			page.TryThis.Saved = c.QueryParam("saved") == "try-this"
		}
	}
	page.Body = m.render.Cached(v.Lesson.ID, v.Lesson.UpdatedAt.UnixNano(), v.Lesson.BodyMD)
	if page.TryThis != nil {
		page.Body, page.KeyPoints = splitAtKeyPoints(page.Body)
	}
	page.MediaUnavailable = len(v.Media) > 0 && !m.mediaHealthy()
	if v.Module != nil {
		page.Count = len(v.Module.Lessons)
		for i, l := range v.Module.Lessons {
			if l.ID == v.Lesson.ID {
				page.Position = i + 1
			}
		}
	}
	title := v.Lesson.Title
	if len(page.Errors) > 0 {
		title = "Error: " + title
	}
	return m.pages.HTML(c, status, "learning/lesson", title, page)
}

// completeLesson marks the lesson done and moves the learner on: to the
// next lesson still to go over before the module's check, the next
// lesson, the module's check, or back to the programme.
func (m *Module) completeLesson(c echo.Context) error {
	ctx := c.Request().Context()
	u := auth.UserOf(c)
	p, err := m.svc.CompleteLessonIn(ctx, u, c.Param("slug"), c.Param("id"))
	if err != nil {
		return err
	}
	slug := p.Outline.Programme.Slug
	if mod := p.ModuleOf(c.Param("id")); mod != nil {
		switch {
		case len(mod.Revisit) > 0:
			return c.Redirect(http.StatusSeeOther, lessonURL(slug, mod.Revisit[0].ID))
		case mod.Done == len(mod.Lessons) && mod.OutlineModule.Check != nil && !mod.Check.Passed:
			return c.Redirect(http.StatusSeeOther, checkURL(slug, mod.OutlineModule.Check.ID))
		}
	}
	if _, next := p.Neighbours(c.Param("id")); next != nil {
		return c.Redirect(http.StatusSeeOther, lessonURL(slug, next.ID))
	}
	return c.Redirect(http.StatusSeeOther, "/learn/"+url.PathEscape(slug))
}

type checkPage struct {
	*CheckView
	Answers map[string][]string
	Errors  []apperr.FieldError
	Marked  *AttemptResult // the attempt just submitted
}

// Chosen reports whether option was among the answers to question.
func (p checkPage) Chosen(question, option string) bool {
	for _, o := range p.Answers[question] {
		if o == option {
			return true
		}
	}
	return false
}

// ChosenText names the options the learner chose for a question, as
// they read them.
func (p checkPage) ChosenText(f QuestionFeedback) []string {
	var out []string
	for _, q := range p.Check.Questions {
		if q.ID != f.QuestionID {
			continue
		}
		for _, o := range q.Options {
			if contains(f.Chosen, o.ID) {
				out = append(out, o.Text)
			}
		}
	}
	return out
}

// Multiple reports whether a question takes several answers (tick all
// that apply): only then did a learner who chose some right ones "also
// need" others.
func (p checkPage) Multiple(question string) bool {
	for _, q := range p.Check.Questions {
		if q.ID == question {
			return q.Kind == content.KindMultiple
		}
	}
	return false
}

func (m *Module) check(c echo.Context) error {
	v, err := m.svc.CheckIn(c.Request().Context(), auth.UserOf(c), c.Param("slug"), c.Param("id"))
	if err != nil {
		return toProgramme(c, err)
	}
	return m.pages.HTML(c, http.StatusOK, "learning/check", v.Check.Title, checkPage{CheckView: v})
}

func (m *Module) submitCheck(c echo.Context) error {
	ctx := c.Request().Context()
	u := auth.UserOf(c)
	form, err := c.FormParams()
	if err != nil {
		return apperr.New(apperr.BadRequest, "Your answers could not be read. Try again.")
	}
	answers := map[string][]string{}
	for k, v := range form {
		if q, ok := strings.CutPrefix(k, "q-"); ok {
			answers[q] = v
		}
	}
	round, _ := strconv.Atoi(form.Get("round"))
	res, err := m.svc.SubmitAttempt(ctx, u, c.Param("id"), round, answers)
	v, verr := m.svc.CheckIn(ctx, u, c.Param("slug"), c.Param("id"))
	if verr != nil {
		return verr
	}
	page := checkPage{CheckView: v, Answers: answers, Marked: res}
	switch e := apperr.As(err); {
	case err == nil:
	case e.Kind == apperr.Invalid:
		page.Errors = e.Fields
		if len(page.Errors) == 0 {
			page.Errors = []apperr.FieldError{{Field: "questions", Message: e.Message}}
		}
		return m.pages.HTML(c, http.StatusUnprocessableEntity, "learning/check", "Error: "+v.Check.Title, page)
	case e.Kind == apperr.Conflict: // lessons to go over first: the page says which
		return m.pages.HTML(c, http.StatusConflict, "learning/check", v.Check.Title, checkPage{CheckView: v})
	default:
		return err
	}
	title := "You passed: " + v.Check.Title
	if !res.Passed {
		title = "Not passed yet: " + v.Check.Title
	}
	return m.pages.HTML(c, http.StatusOK, "learning/result", title, page)
}

// certificatePage is a learner's certificate as a page: what it says,
// how an employer checks it, and what to do next.
type certificatePage struct {
	Cert      *Certificate
	Slug      string
	VerifyURL string
	Home      *HomeView
}

func (m *Module) certificate(c echo.Context) error {
	ctx, u := c.Request().Context(), auth.UserOf(c)
	cert, err := m.svc.Certificate(ctx, u, c.Param("slug"))
	if err != nil {
		return err
	}
	home, err := m.svc.Home(ctx, u)
	if err != nil {
		return err
	}
	return m.pages.HTML(c, http.StatusOK, "learning/certificate", "Your certificate: "+cert.ProgrammeTitle,
		certificatePage{Cert: cert, Slug: c.Param("slug"), VerifyURL: m.baseURL + "/verify/" + cert.Code, Home: home})
}

func (m *Module) certificatePDF(c echo.Context) error {
	cert, err := m.svc.Certificate(c.Request().Context(), auth.UserOf(c), c.Param("slug"))
	if err != nil {
		return err
	}
	pdf, err := certificatePDF(cert, m.baseURL+"/verify/"+cert.Code)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("onramp-certificate-%s.pdf", c.Param("slug"))
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

func (m *Module) verifyForm(c echo.Context) error {
	if code := strings.TrimSpace(c.QueryParam("code")); code != "" {
		return c.Redirect(http.StatusSeeOther, "/verify/"+url.PathEscape(code))
	}
	return m.pages.HTML(c, http.StatusOK, "learning/verify", "Check a certificate", nil)
}

func (m *Module) verify(c echo.Context) error {
	cert, err := m.svc.Verify(c.Request().Context(), c.Param("code"))
	if e := apperr.As(err); err != nil && e.Kind == apperr.NotFound {
		return m.pages.HTML(c, http.StatusNotFound, "learning/verify", "Certificate not found",
			map[string]string{"Code": c.Param("code"), "Error": e.Message})
	} else if err != nil {
		return err
	}
	return m.pages.HTML(c, http.StatusOK, "learning/verify", "Certificate checked", cert)
}

func lessonURL(slug, id string) string { return "/learn/" + url.PathEscape(slug) + "/lessons/" + id }
func checkURL(slug, id string) string  { return "/learn/" + url.PathEscape(slug) + "/checks/" + id }

// nextURL is where a Step leads.
func nextURL(slug string, s *Step) string {
	if s == nil {
		return "/learn/" + url.PathEscape(slug)
	}
	if s.CheckID != "" {
		return checkURL(slug, s.CheckID)
	}
	return lessonURL(slug, s.LessonID)
}

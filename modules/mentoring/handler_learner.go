package mentoring

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
)

func itoa(n int) string { return strconv.Itoa(n) }

func joinComma(s []string) string { return strings.Join(s, ", ") }

type preferencesForm struct {
	Interests    []string `form:"interests"`
	Availability []string `form:"availability"`
	Region       string   `form:"region"`
	Languages    string   `form:"languages"`
	MentorGender string   `form:"mentor-gender"`
}

type learnerPage struct {
	*LearnerView
	Form     PreferencesInput
	Errors   []apperr.FieldError
	Done     string
	Families []Option
	Slots    []Option
	Genders  []Option
	Unread   map[string]int
}

func (m *Module) learner(c echo.Context) error {
	return m.renderLearner(c, http.StatusOK, nil, nil)
}

func (m *Module) renderLearner(c echo.Context, status int, form *PreferencesInput, errs []apperr.FieldError) error {
	u := auth.UserOf(c)
	v, err := m.svc.Learner(c.Request().Context(), u)
	if err != nil {
		return err
	}
	unread, err := m.unreadOf(c.Request().Context(), u)
	if err != nil {
		return err
	}
	p := learnerPage{LearnerView: v, Unread: unread, Errors: errs, Done: c.QueryParam("done"), Families: CareerFamilies, Slots: Slots,
		Genders: append([]Option{{"", "No preference"}}, Genders...)}
	if form != nil {
		p.Form = *form
	} else {
		pr := v.Preferences
		p.Form = PreferencesInput{Interests: pr.Interests, Availability: pr.Availability, Region: pr.Region,
			Languages: joinComma(pr.Languages), MentorGender: pr.MentorGender}
	}
	return m.pages.HTML(c, status, "mentoring/learner", "Your mentor", p)
}

func (m *Module) savePreferences(c echo.Context) error {
	var f preferencesForm
	if err := c.Bind(&f); err != nil {
		return errForm
	}
	in := PreferencesInput(f)
	err := m.svc.SavePreferences(c.Request().Context(), auth.UserOf(c).ID, in)
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		return m.renderLearner(c, http.StatusUnprocessableEntity, &in, e.Fields)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/learn/mentor?done=preferences")
}

// back is where a learner or mentor returns after acting on a mentorship.
func back(u *auth.User) string {
	if u.Has(auth.RoleMentor) {
		return "/mentoring"
	}
	if u.Has(auth.RoleLearner) {
		return "/learn/mentor"
	}
	return "/manage/mentoring"
}

type reasonForm struct {
	Reason      string `form:"reason"`
	Title       string `form:"goal-title"`
	Day         string `form:"goal-day"`
	Month       string `form:"goal-month"`
	Year        string `form:"goal-year"`
	Useful      string `form:"useful"`
	HelpedWork  string `form:"helped-work"`
	Comment     string `form:"comment"`
	Mentor      string `form:"mentor"`
	RematchWhy  string `form:"rematch-reason"`
	ReturnToMgr string `form:"manage"`
}

// formError turns an Invalid error on a small form into a bad request
// whose message names the problem, shown on the error page; the form is
// one field, so the message is all there is to fix.
func formError(err error) error {
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid && len(e.Fields) > 0 {
		return &apperr.Error{Kind: apperr.Invalid, Message: e.Fields[0].Message, Fields: e.Fields}
	}
	return err
}

func (m *Module) end(c echo.Context) error {
	var f reasonForm
	if err := c.Bind(&f); err != nil {
		return errForm
	}
	u := auth.UserOf(c)
	if err := m.svc.End(c.Request().Context(), u, c.Param("id"), f.Reason); err != nil {
		return formError(err)
	}
	return c.Redirect(http.StatusSeeOther, back(u)+"?done=ended")
}

func (m *Module) rematch(c echo.Context) error {
	var f reasonForm
	if err := c.Bind(&f); err != nil {
		return errForm
	}
	u := auth.UserOf(c)
	if err := m.svc.Rematch(c.Request().Context(), u, c.Param("id"), f.RematchWhy); err != nil {
		return formError(err)
	}
	return c.Redirect(http.StatusSeeOther, back(u)+"?done=rematch")
}

func (m *Module) addGoal(c echo.Context) error {
	var f reasonForm
	if err := c.Bind(&f); err != nil {
		return errForm
	}
	u := auth.UserOf(c)
	if err := m.svc.AddGoal(c.Request().Context(), u, c.Param("id"), f.Title, f.Day, f.Month, f.Year); err != nil {
		return formError(err)
	}
	return c.Redirect(http.StatusSeeOther, back(u)+"?done=goal#goals-"+c.Param("id"))
}

func (m *Module) goalDone(c echo.Context) error {
	u := auth.UserOf(c)
	if err := m.svc.GoalDone(c.Request().Context(), u, c.Param("id"), c.Param("goal")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, back(u)+"?done=goal#goals-"+c.Param("id"))
}

type surveyPage struct {
	Mentorship Mentorship
	Form       SurveyInput
	Errors     []apperr.FieldError
	Answers    []Option
	Useful     []Option
}

func (m *Module) survey(c echo.Context) error {
	ms, err := m.svc.Mentorship(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return m.renderSurvey(c, http.StatusOK, ms, SurveyInput{}, nil)
}

func (m *Module) renderSurvey(c echo.Context, status int, ms Mentorship, in SurveyInput, errs []apperr.FieldError) error {
	return m.pages.HTML(c, status, "mentoring/survey", "How did the mentoring go?", surveyPage{Mentorship: ms, Form: in, Errors: errs,
		Answers: HelpedWorkAnswers, Useful: []Option{{"5", "Very useful"}, {"4", "Useful"}, {"3", "Somewhat useful"},
			{"2", "Not very useful"}, {"1", "Not useful at all"}}})
}

func (m *Module) submitSurvey(c echo.Context) error {
	var f reasonForm
	if err := c.Bind(&f); err != nil {
		return errForm
	}
	ctx, u := c.Request().Context(), auth.UserOf(c)
	in := SurveyInput{Useful: f.Useful, HelpedWork: f.HelpedWork, Comment: f.Comment}
	err := m.svc.SubmitSurvey(ctx, u, c.Param("id"), in)
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		ms, err := m.svc.Mentorship(ctx, u, c.Param("id"))
		if err != nil {
			return err
		}
		return m.renderSurvey(c, http.StatusUnprocessableEntity, ms, in, e.Fields)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, back(u)+"?done=survey")
}

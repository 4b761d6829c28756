package monitoring

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/render"
)

// answersForm is the "About you" form as posted.
type answersForm struct {
	Sex               string `form:"sex"`
	GenderSameAsBirth string `form:"gender_same_as_birth"`
	Ethnicity         string `form:"ethnicity"`
	Disability        string `form:"disability"`
	CareExperience    string `form:"care_experience"`
	Benefits          string `form:"benefits"`
	NEET              string `form:"neet"`
}

// values keys the answers by Question.Field.
func (f answersForm) values() map[string]string {
	return map[string]string{"sex": f.Sex, "gender_same_as_birth": f.GenderSameAsBirth, "ethnicity": f.Ethnicity,
		"disability": f.Disability, "care_experience": f.CareExperience, "benefits": f.Benefits, "neet": f.NEET}
}

type aboutYouPage struct {
	Questions []Question
	Values    map[string]string // what the radios show as chosen
	Saved     *Answers          // nil when the learner has no answers saved
	Errors    []apperr.FieldError
	Done      string
}

// Choices lays out q's answers for the "radios" partial: each group of
// options (under its heading when the question has several), then "or"
// and Prefer not to say on their own.
func (aboutYouPage) Choices(q Question) []render.OptionGroup {
	groups := make([]render.OptionGroup, 0, len(q.Groups)+1)
	for _, g := range q.Groups {
		group := render.OptionGroup{}
		if q.Grouped() {
			group.Legend = g.Label
		}
		for _, o := range g.Options {
			group.Options = append(group.Options, render.Option{Value: o.Code, Label: o.Label})
		}
		groups = append(groups, group)
	}
	return append(groups, render.OptionGroup{Options: []render.Option{
		{Divider: "or"}, {Value: PreferNotToSay.Code, Label: PreferNotToSay.Label}}})
}

func (m *Module) aboutYou(c echo.Context) error {
	saved, err := m.svc.OwnAnswers(c.Request().Context(), auth.UserOf(c).ID)
	if err != nil {
		return err
	}
	data := aboutYouPage{Saved: saved, Done: c.QueryParam("done")}
	if saved != nil {
		data.Values = saved.Values
	}
	return m.renderAboutYou(c, http.StatusOK, data)
}

func (m *Module) renderAboutYou(c echo.Context, status int, data aboutYouPage) error {
	data.Questions = Questions
	title := "About you"
	if len(data.Errors) > 0 {
		title = "Error: " + title
	}
	return m.pages.HTML(c, status, "monitoring/about-you", title, data)
}

func (m *Module) saveAboutYou(c echo.Context) error {
	var f answersForm
	if err := c.Bind(&f); err != nil {
		return apperr.New(apperr.BadRequest, "Your answers could not be read. Try again.")
	}
	ctx := c.Request().Context()
	u := auth.UserOf(c)
	held, err := m.svc.SaveAnswers(ctx, u.ID, f.values())
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		saved, serr := m.svc.OwnAnswers(ctx, u.ID)
		if serr != nil {
			return serr
		}
		return m.renderAboutYou(c, http.StatusUnprocessableEntity, aboutYouPage{Values: f.values(), Saved: saved, Errors: e.Fields})
	} else if err != nil {
		return err
	}
	if !held {
		return c.Redirect(http.StatusSeeOther, "/learn/about-you?done=empty")
	}
	return c.Redirect(http.StatusSeeOther, "/learn/about-you?done=saved")
}

func (m *Module) removeAboutYou(c echo.Context) error {
	if err := m.svc.RemoveAnswers(c.Request().Context(), auth.UserOf(c).ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/learn/about-you?done=removed")
}

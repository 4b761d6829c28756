package messaging

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
)

type concernForm struct {
	MentorshipID string `form:"mentorship"`
	Category     string `form:"category"`
	Details      string `form:"details"`
}

type concernPage struct {
	Form   concernForm
	Errors []apperr.FieldError
	Back   string
}

func backFor(u *auth.User) string {
	if u.Has(auth.RoleMentor) {
		return "/mentoring"
	}
	return "/learn/mentor"
}

func (m *Module) newConcern(c echo.Context) error {
	f := concernForm{MentorshipID: c.QueryParam("mentorship")}
	return m.pages.HTML(c, http.StatusOK, "messaging/concern", "Report a worry", concernPage{Form: f, Back: backFor(auth.UserOf(c))})
}

func (m *Module) report(c echo.Context) error {
	var f concernForm
	if err := c.Bind(&f); err != nil {
		return errForm
	}
	u := auth.UserOf(c)
	r, err := m.svc.Report(c.Request().Context(), u, Report(f))
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		return m.pages.HTML(c, http.StatusUnprocessableEntity, "messaging/concern", "Report a worry",
			concernPage{Form: f, Errors: e.Fields, Back: backFor(u)})
	} else if err != nil {
		return err
	}
	q := "normal"
	if r.Urgent {
		q = "urgent"
	}
	return c.Redirect(http.StatusSeeOther, "/concerns/sent?priority="+q)
}

func (m *Module) reported(c echo.Context) error {
	return m.pages.HTML(c, http.StatusOK, "messaging/concern_sent", "Thank you for telling us",
		map[string]any{"Urgent": c.QueryParam("priority") == "urgent", "Back": backFor(auth.UserOf(c))})
}

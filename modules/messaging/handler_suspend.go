package messaging

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/db"
)

// suspendForm is the lead's "Suspend this mentor" form on a thread; it
// names the thread to go back to.
type suspendForm struct {
	Reason     string `form:"suspend-reason"`
	Mentorship string `form:"mentorship"`
}

// back is the thread the form came from, or the safeguarding home.
func (f suspendForm) back(done string) string {
	if db.IsUUID(f.Mentorship) {
		return ThreadPath(f.Mentorship) + "?sent=" + done
	}
	return "/safeguarding?done=" + done
}

func (m *Module) suspendMentor(c echo.Context) error {
	var f suspendForm
	if err := c.Bind(&f); err != nil {
		return errForm
	}
	if _, err := m.svc.SuspendMentor(c.Request().Context(), auth.UserOf(c), c.Param("id"), f.Reason); err != nil {
		if e := apperr.As(err); e.Kind == apperr.Invalid && len(e.Fields) > 0 {
			return &apperr.Error{Kind: apperr.Invalid, Message: e.Fields[0].Message, Fields: e.Fields}
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, f.back("suspended"))
}

func (m *Module) reinstateMentor(c echo.Context) error {
	var f suspendForm
	if err := c.Bind(&f); err != nil {
		return errForm
	}
	if err := m.svc.ReinstateMentor(c.Request().Context(), auth.UserOf(c), c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, f.back("reinstated"))
}

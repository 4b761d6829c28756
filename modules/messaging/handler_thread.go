package messaging

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
)

var errForm = apperr.New(apperr.BadRequest, "The form could not be read. Go back and try again")

type threadPage struct {
	Thread
	Body   string
	Errors []apperr.FieldError
	Sent   string
}

func (m *Module) thread(c echo.Context) error {
	return m.renderThread(c, http.StatusOK, "", nil)
}

func (m *Module) renderThread(c echo.Context, status int, body string, errs []apperr.FieldError) error {
	t, err := m.svc.Thread(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return m.pages.HTML(c, status, "messaging/thread", "Messages with "+t.With,
		threadPage{Thread: t, Body: body, Errors: errs, Sent: c.QueryParam("sent")})
}

type sendForm struct {
	Body string `form:"body" json:"body"`
}

func (m *Module) send(c echo.Context) error {
	var f sendForm
	if err := c.Bind(&f); err != nil {
		return errForm
	}
	sent, err := m.svc.Send(c.Request().Context(), auth.UserOf(c), c.Param("id"), f.Body)
	if e := apperr.As(err); err != nil && (e.Kind == apperr.Invalid || e.Kind == apperr.Conflict) {
		errs := e.Fields
		if len(errs) == 0 {
			errs = []apperr.FieldError{{Field: "body", Message: e.Message}}
		}
		return m.renderThread(c, e.Kind.Status(), f.Body, errs)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, ThreadPath(c.Param("id"))+"?sent="+sent.Status+"#latest")
}

func (m *Module) apiThread(c echo.Context) error {
	t, err := m.svc.Thread(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	msgs := t.Messages
	if msgs == nil {
		msgs = []View{}
	}
	return c.JSON(http.StatusOK, map[string]any{"mentorship_id": t.Mentorship.ID, "can_write": t.CanWrite, "messages": msgs})
}

func (m *Module) apiSend(c echo.Context) error {
	var f sendForm
	if err := c.Bind(&f); err != nil {
		return errForm
	}
	sent, err := m.svc.Send(c.Request().Context(), auth.UserOf(c), c.Param("id"), f.Body)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, sent)
}

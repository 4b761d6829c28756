package messaging

import (
	"io"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/page"
)

var errForm = apperr.New(apperr.BadRequest, "The form could not be read. Go back and try again")

type threadPage struct {
	Thread
	Body   string
	Errors []apperr.FieldError
	Sent   string
	MaxMB  int64
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
		threadPage{Thread: t, Body: body, Errors: errs, Sent: c.QueryParam("sent"), MaxMB: m.svc.MaxMB()})
}

type sendForm struct {
	Body string `form:"body" json:"body"`
}

// send takes the thread page's form: a message, and with the form sent as
// multipart, an optional file, which goes through SendFile as the API's
// do. A refusal shows the page again with the typed message kept and the
// reason beside its field.
func (m *Module) send(c echo.Context) error {
	req := c.Request()
	var (
		sent Sent
		err  error
		file bool
	)
	if mt, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType)); mt == echo.MIMEMultipartForm {
		var up Upload
		up, file, err = m.readFile(c)
		body := ""
		if req.MultipartForm != nil {
			body = req.FormValue("body")
		}
		if err != nil {
			return m.refused(c, body, true, err)
		}
		if file {
			defer up.R.(io.Closer).Close()
			sent, _, err = m.svc.SendFile(req.Context(), auth.UserOf(c), c.Param("id"), body, up)
		} else {
			sent, err = m.svc.Send(req.Context(), auth.UserOf(c), c.Param("id"), body)
		}
		if err != nil {
			return m.refused(c, body, file, err)
		}
	} else {
		var f sendForm
		if err := c.Bind(&f); err != nil {
			return errForm
		}
		if sent, err = m.svc.Send(req.Context(), auth.UserOf(c), c.Param("id"), f.Body); err != nil {
			return m.refused(c, f.Body, false, err)
		}
	}
	return c.Redirect(http.StatusSeeOther, ThreadPath(c.Param("id"))+"?sent="+sent.Status+"#latest")
}

// refused shows the thread again for a message that was not sent, when
// the reason belongs beside a field (the message's, or the file's when
// one was sent), and otherwise returns the error.
func (m *Module) refused(c echo.Context, body string, file bool, err error) error {
	e := apperr.As(err)
	switch {
	case e.Kind == apperr.Invalid || e.Kind == apperr.Conflict:
	case file && (e.Kind == apperr.TooLarge || e.Kind == apperr.Unavailable):
	default:
		return err
	}
	errs := e.Fields
	if len(errs) == 0 {
		field := "body"
		if file && e.Kind != apperr.Conflict {
			field = "file"
		}
		errs = []apperr.FieldError{{Field: field, Message: e.Message}}
	}
	return m.renderThread(c, e.Kind.Status(), body, errs)
}

func (m *Module) apiThread(c echo.Context) error {
	p, err := page.Parse(c.QueryParams())
	if err != nil {
		return err
	}
	t, err := m.svc.ThreadPage(c.Request().Context(), auth.UserOf(c), c.Param("id"), p)
	if err != nil {
		return err
	}
	msgs := t.Messages
	if msgs == nil {
		msgs = []View{}
	}
	page.SetNext(c.Response().Header(), c.Request().URL, t.Next)
	return c.JSON(http.StatusOK, map[string]any{"mentorship_id": t.Mentorship.ID, "can_write": t.CanWrite, "messages": msgs,
		"next_cursor": page.NextCursor(t.Next)})
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
	// The message is read in its thread.
	c.Response().Header().Set("Location", "/api/v1/mentorships/"+c.Param("id")+"/messages")
	return c.JSON(http.StatusCreated, sent)
}

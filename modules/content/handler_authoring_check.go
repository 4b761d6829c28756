package content

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
)

type checkPage struct {
	*CheckEdit
	YAML       string
	Preview    *CheckFile // what the text describes, when it could be read
	Previewing bool       // the editor asked for a preview: nothing was saved
	Errors     []apperr.FieldError
	Done       string
}

type checkForm struct {
	YAML   string `form:"yaml"`
	Action string `form:"action"` // "preview" or "save"
}

func (m *Handlers) check(c echo.Context) error {
	v, err := m.svc.CheckForEdit(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	text, err := CheckYAML(v.Check)
	if err != nil {
		return err
	}
	data := checkPage{CheckEdit: v, YAML: text, Done: doneMessage(c)}
	if v.Check != nil {
		data.Preview = v.Check.File()
	}
	return m.pages.HTML(c, http.StatusOK, "content/check", "Knowledge check: "+v.Module.Title, data)
}

// saveCheck saves the check, or with action=preview only shows it. On a
// problem the page comes back with the editor's text as they left it.
func (m *Handlers) saveCheck(c echo.Context) error {
	var f checkForm
	if err := bind(c, &f); err != nil {
		return err
	}
	ctx := c.Request().Context()
	var err error
	if f.Action == "preview" {
		_, err = ParseCheck(f.YAML)
	} else {
		err = m.svc.SaveCheck(ctx, auth.UserOf(c).ID, c.Param("id"), f.YAML)
	}
	fields, status, problem := formProblem(err)
	if err != nil && !problem {
		return err
	}
	if err == nil && f.Action != "preview" {
		return seeOther(c, "/admin/content/modules/"+c.Param("id")+"/check", "check-saved", "")
	}
	v, err := m.svc.CheckForEdit(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	data := checkPage{CheckEdit: v, YAML: f.YAML, Errors: fields, Previewing: f.Action == "preview"}
	data.Preview, _ = ParseCheck(f.YAML)
	if status == 0 {
		status = http.StatusOK
	}
	return m.pages.HTML(c, status, "content/check", "Knowledge check: "+v.Module.Title, data)
}

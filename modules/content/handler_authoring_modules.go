package content

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
)

type modulePage struct {
	*ModuleEdit
	Form   moduleForm
	Lesson newItemForm
	Errors []apperr.FieldError
	Done   string
}

type moduleForm struct {
	Title      string `form:"title"`
	Summary    string `form:"summary"`
	OverviewMD string `form:"overview"`
	Published  bool   `form:"published"`
	Action     string `form:"action"` // "back" from the publish confirmation
}

type moveForm struct {
	Direction string `form:"direction"`
}

func (m *Handlers) module(c echo.Context) error {
	return m.renderModule(c, http.StatusOK, modulePage{Done: doneMessage(c)}, nil)
}

// renderModule shows the module page; with form nil the fields show what
// is stored, otherwise what the editor sent.
func (m *Handlers) renderModule(c echo.Context, status int, data modulePage, form *moduleForm) error {
	v, err := m.svc.ModuleForEdit(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	data.ModuleEdit = v
	if form != nil {
		data.Form = *form
	} else {
		mod := v.Module
		data.Form = moduleForm{Title: mod.Title, Summary: mod.Summary, OverviewMD: mod.OverviewMD, Published: mod.Published}
	}
	return m.pages.HTML(c, status, "content/module", v.Module.Title, data)
}

func (m *Handlers) saveModule(c echo.Context) error {
	var f moduleForm
	if err := bind(c, &f); err != nil {
		return err
	}
	if f.Action == backAction {
		return m.renderModule(c, http.StatusOK, modulePage{}, &f)
	}
	if f.Published {
		if asked, err := m.askToPublish(c, PublishModule, c.Param("id"), f.Title); asked || err != nil {
			return err
		}
	}
	err := m.svc.UpdateModule(c.Request().Context(), auth.UserOf(c).ID, c.Param("id"),
		ModuleFields{Title: f.Title, Summary: f.Summary, OverviewMD: f.OverviewMD, Published: f.Published})
	if fields, status, ok := formProblem(err); ok {
		return m.renderModule(c, status, modulePage{Errors: fields}, &f)
	} else if err != nil {
		return err
	}
	return seeOther(c, "/admin/content/modules/"+c.Param("id"), "saved", "")
}

func (m *Handlers) moveModule(c echo.Context) error {
	var f moveForm
	if err := bind(c, &f); err != nil {
		return err
	}
	mod, ok, err := m.svc.MoveModule(c.Request().Context(), auth.UserOf(c).ID, c.Param("id"), f.Direction)
	if err != nil {
		return err
	}
	return seeOther(c, "/admin/content/programmes/"+mod.ProgrammeID, moved(ok), "modules")
}

func (m *Handlers) addLesson(c echo.Context) error {
	var f newItemForm
	if err := bind(c, &f); err != nil {
		return err
	}
	id, err := m.svc.AddLesson(c.Request().Context(), auth.UserOf(c).ID, c.Param("id"), f.item())
	if fields, status, ok := formProblem(err); ok {
		return m.renderModule(c, status, modulePage{Lesson: f, Errors: prefixed(fields, "lesson-")}, nil)
	} else if err != nil {
		return err
	}
	return seeOther(c, "/admin/content/lessons/"+id, "lesson-added", "")
}

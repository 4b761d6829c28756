package workbook

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
)

type documentsPage struct {
	Rows     []DocumentRow
	Errors   []apperr.FieldError
	Statuses []Value
	Saved    bool
}

func (m *Module) documents(c echo.Context) error {
	rows, err := m.svc.Documents(c.Request().Context(), learnerID(c))
	if err != nil {
		return err
	}
	return m.renderDocuments(c, http.StatusOK, documentsPage{Rows: rows, Saved: c.QueryParam("saved") != ""})
}

func (m *Module) renderDocuments(c echo.Context, status int, p documentsPage) error {
	p.Statuses = Statuses
	return m.pages.HTML(c, status, "workbook/documents", titled("Documents for starting work", p.Errors), p)
}

func (m *Module) saveDocuments(c echo.Context) error {
	in := map[string]DocumentInput{}
	rows := make([]DocumentRow, len(Items))
	for i, it := range Items {
		in[it.Key] = DocumentInput{Status: c.FormValue(it.Key), Note: c.FormValue(it.Key + "-note")}
		rows[i] = DocumentRow{Item: it, Status: in[it.Key].Status, Note: in[it.Key].Note}
	}
	err := m.svc.SaveDocuments(c.Request().Context(), learnerID(c), in)
	if errs, err := invalid(err); errs != nil {
		return m.renderDocuments(c, http.StatusUnprocessableEntity, documentsPage{Rows: rows, Errors: errs})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/workbook/documents?saved=1")
}

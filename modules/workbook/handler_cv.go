package workbook

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
)

type cvPage struct {
	Form   CVInput
	Errors []apperr.FieldError
	Saved  bool // a CV is saved, so it can be downloaded
	Just   bool // it was saved just now
}

func (m *Module) cv(c echo.Context) error {
	cv, err := m.svc.CV(c.Request().Context(), learnerID(c))
	if err != nil && apperr.As(err).Kind != apperr.NotFound {
		return err
	}
	return m.renderCV(c, http.StatusOK, cvPage{Form: cv.Input(), Saved: err == nil, Just: c.QueryParam("saved") != ""})
}

func (m *Module) renderCV(c echo.Context, status int, p cvPage) error {
	return m.pages.HTML(c, status, "workbook/cv", titled("Your CV", p.Errors), p)
}

func (m *Module) saveCV(c echo.Context) error {
	in := CVInput{FullName: c.FormValue("full-name"), Town: c.FormValue("town"), Phone: c.FormValue("phone"),
		Email: c.FormValue("email"), Statement: c.FormValue("statement"), Skills: c.FormValue("skills")}
	entry := func(kind string, i int) Entry {
		f := func(name string) string { return c.FormValue(fmt.Sprintf("%s-%d-%s", kind, i+1, name)) }
		return Entry{Title: f("title"), Place: f("place"), Dates: f("dates"), Details: f("details")}
	}
	for i := range MaxEntries {
		in.Experience[i], in.Education[i] = entry(experience.id, i), entry(education.id, i)
	}
	err := m.svc.SaveCV(c.Request().Context(), learnerID(c), in)
	if errs, err := invalid(err); errs != nil {
		_, had := m.svc.CV(c.Request().Context(), learnerID(c))
		return m.renderCV(c, http.StatusUnprocessableEntity, cvPage{Form: in, Errors: errs, Saved: had == nil})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/workbook/cv?saved=1")
}

// cvPDF sends the CV as a PDF, or, when it does not fit on one page,
// shows the CV form saying what to make shorter.
func (m *Module) cvPDF(c echo.Context) error {
	ctx := c.Request().Context()
	pdf, err := m.svc.CVPDF(ctx, learnerID(c))
	if errs, err := invalid(err); errs != nil {
		cv, err := m.svc.CV(ctx, learnerID(c))
		if err != nil {
			return err
		}
		return m.renderCV(c, http.StatusUnprocessableEntity, cvPage{Form: cv.Input(), Errors: errs, Saved: true})
	} else if err != nil {
		return err
	}
	return attachment(c, "application/pdf", "cv.pdf", pdf)
}

func (m *Module) cvText(c echo.Context) error {
	cv, err := m.svc.CV(c.Request().Context(), learnerID(c))
	if err != nil {
		return err
	}
	return attachment(c, echo.MIMETextPlainCharsetUTF8, "cv.txt", []byte(cv.Text()))
}

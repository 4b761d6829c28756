package cohorts

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
)

type createPage struct {
	Form          NewCohort
	Errors        []apperr.FieldError
	Programmes    []programmeOption
	Organisations []organisationOption
	ChooseOrg     bool
}

func (h *Handlers) newCohort(c echo.Context) error {
	return h.renderCreate(c, http.StatusOK, NewCohort{Capacity: "30"}, nil)
}

func (h *Handlers) renderCreate(c echo.Context, status int, f NewCohort, errs []apperr.FieldError) error {
	ctx := c.Request().Context()
	sc, err := auth.ScopeOf(auth.UserOf(c))
	if err != nil {
		return err
	}
	progs, err := h.svc.store.Programmes(ctx)
	if err != nil {
		return err
	}
	orgs, err := h.svc.store.Organisations(ctx, sc)
	if err != nil {
		return err
	}
	title := "Start a cohort"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	return h.pages.HTML(c, status, "cohorts/create", title,
		createPage{Form: f, Errors: errs, Programmes: progs, Organisations: orgs, ChooseOrg: sc.All})
}

func (h *Handlers) createCohort(c echo.Context) error {
	var f NewCohort
	if err := c.Bind(&f); err != nil {
		return apperr.New(apperr.BadRequest, "The form could not be read. Try again.")
	}
	id, err := h.svc.CreateCohort(c.Request().Context(), auth.UserOf(c), f)
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		return h.renderCreate(c, http.StatusUnprocessableEntity, f, e.Fields)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/manage/cohorts/"+id)
}

package mentoring

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
)

type weightsListPage struct {
	Programmes []ProgrammeWeights
	Fields     []WeightField
	Done       string
}

func (m *Module) weights(c echo.Context) error {
	all, err := m.svc.MatchingWeights(c.Request().Context(), auth.UserOf(c))
	if err != nil {
		return err
	}
	done := map[string]string{"saved": "Weights saved", "reset": "Weights reset"}[c.QueryParam("done")]
	return m.pages.HTML(c, http.StatusOK, "mentoring/weights", "Mentor matching weights",
		weightsListPage{Programmes: all, Fields: WeightFields, Done: done})
}

// weightsForm is the weights form: one decimal per WeightField.
type weightsForm struct {
	CareerFamily   string `form:"career-family"`
	SharedInterest string `form:"shared-interest"`
	SameRegion     string `form:"same-region"`
	SharedLanguage string `form:"shared-language"`
	FirstLanguage  string `form:"first-language"`
	Availability   string `form:"availability"`
	LoadSpread     string `form:"load-spread"`
}

func (f weightsForm) typed() map[string]string {
	return map[string]string{"career-family": f.CareerFamily, "shared-interest": f.SharedInterest, "same-region": f.SameRegion,
		"shared-language": f.SharedLanguage, "first-language": f.FirstLanguage, "availability": f.Availability, "load-spread": f.LoadSpread}
}

type weightsEditPage struct {
	Programme ProgrammeWeights
	Fields    []WeightField
	Values    map[string]string
	Errors    []apperr.FieldError
}

func (m *Module) editWeights(c echo.Context) error {
	pw, err := m.svc.ProgrammeWeightsOf(c.Request().Context(), auth.UserOf(c), c.Param("programme"))
	if err != nil {
		return err
	}
	values := map[string]string{}
	for _, f := range WeightFields {
		values[f.Name] = f.Value(pw.Weights).String()
	}
	return m.renderWeights(c, http.StatusOK, pw, values, nil)
}

func (m *Module) renderWeights(c echo.Context, status int, pw ProgrammeWeights, values map[string]string, errs []apperr.FieldError) error {
	return m.pages.HTML(c, status, "mentoring/weights-edit", "Matching weights: "+pw.Title,
		weightsEditPage{Programme: pw, Fields: WeightFields, Values: values, Errors: errs})
}

func (m *Module) saveWeights(c echo.Context) error {
	var f weightsForm
	if err := c.Bind(&f); err != nil {
		return errForm
	}
	ctx, u := c.Request().Context(), auth.UserOf(c)
	err := m.svc.SaveWeights(ctx, u, c.Param("programme"), f.typed())
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		pw, err := m.svc.ProgrammeWeightsOf(ctx, u, c.Param("programme"))
		if err != nil {
			return err
		}
		return m.renderWeights(c, http.StatusUnprocessableEntity, pw, f.typed(), e.Fields)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/mentoring/weights?done=saved")
}

func (m *Module) resetWeights(c echo.Context) error {
	if err := m.svc.ResetWeights(c.Request().Context(), auth.UserOf(c), c.Param("programme")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/mentoring/weights?done=reset")
}

package workbook

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
)

type placementsPage struct {
	Placements     []Placement
	Saved, Deleted bool
}

func (m *Module) placements(c echo.Context) error {
	w, err := m.svc.Workbook(c.Request().Context(), learnerID(c))
	if err != nil {
		return err
	}
	return m.pages.HTML(c, http.StatusOK, "workbook/placements", "Your placement log", placementsPage{Placements: w.Placements,
		Saved: c.QueryParam("saved") != "", Deleted: c.QueryParam("deleted") != ""})
}

// placementPage is the form for a new log entry (ID empty) or one to
// change.
type placementPage struct {
	ID     string
	Form   PlacementInput
	Errors []apperr.FieldError
	Values []Value
}

func (m *Module) renderPlacement(c echo.Context, status int, p placementPage) error {
	p.Values = Values
	title := "Add a day to your placement log"
	if p.ID != "" {
		title = "Change a day in your placement log"
	}
	return m.pages.HTML(c, status, "workbook/placement", titled(title, p.Errors), p)
}

func (m *Module) newPlacement(c echo.Context) error {
	return m.renderPlacement(c, http.StatusOK, placementPage{})
}

func (m *Module) editPlacement(c echo.Context) error {
	p, err := m.svc.Placement(c.Request().Context(), learnerID(c), c.Param("id"))
	if err != nil {
		return err
	}
	return m.renderPlacement(c, http.StatusOK, placementPage{ID: p.ID, Form: p.Input()})
}

func (m *Module) createPlacement(c echo.Context) error { return m.savePlacement(c, "") }

func (m *Module) updatePlacement(c echo.Context) error { return m.savePlacement(c, c.Param("id")) }

func (m *Module) savePlacement(c echo.Context, id string) error {
	in := PlacementInput{Day: c.FormValue("on-day"), Month: c.FormValue("on-month"), Year: c.FormValue("on-year"),
		Place: c.FormValue("place"), Did: c.FormValue("did"), Learned: c.FormValue("learned"), Value: c.FormValue("value")}
	_, err := m.svc.SavePlacement(c.Request().Context(), learnerID(c), id, in)
	if errs, err := invalid(err); errs != nil {
		return m.renderPlacement(c, http.StatusUnprocessableEntity, placementPage{ID: id, Form: in, Errors: errs})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/workbook/placements?saved=1")
}

func (m *Module) confirmDeletePlacement(c echo.Context) error {
	p, err := m.svc.Placement(c.Request().Context(), learnerID(c), c.Param("id"))
	if err != nil {
		return err
	}
	return m.pages.HTML(c, http.StatusOK, "workbook/delete", "Delete this day from your placement log?", deletePage{
		What: "day from your placement log", Title: p.HappenedOn.Format("2 January 2006"),
		Action: "/workbook/placements/" + p.ID + "/delete", Back: "/workbook/placements"})
}

func (m *Module) deletePlacement(c echo.Context) error {
	if err := m.svc.DeletePlacement(c.Request().Context(), learnerID(c), c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/workbook/placements?deleted=1")
}

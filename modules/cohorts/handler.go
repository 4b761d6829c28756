package cohorts

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"onramp/app/auth"
	"onramp/app/page"
	"onramp/app/render"
	"onramp/app/sheet"
)

// RiskLabels explain each flag in plain words.
var RiskLabels = map[string]string{
	RiskInactive:    "No activity for a week or more",
	RiskFailedCheck: "Failed the same check twice",
	RiskNotStarted:  "Not started yet",
}

type listPage struct {
	Cohorts   []Cohort
	Today     time.Time
	Programme string
	// Unlinked explains, on a manager's home page, why there is nothing
	// to show yet (auth.ErrNoOrganisation).
	Unlinked string
}

func (h *Handlers) list(c echo.Context) error {
	f := Filter{Programme: c.QueryParam("programme")}
	cs, err := h.svc.Cohorts(c.Request().Context(), auth.UserOf(c), f)
	page := listPage{Cohorts: cs, Today: h.svc.Today(), Programme: f.Programme}
	switch {
	case errors.Is(err, auth.ErrNoOrganisation):
		// The manager's home says what every other page answers with a 403.
		page.Unlinked = auth.ErrNoOrganisation.Message
	case err != nil:
		return err
	}
	return h.pages.HTML(c, http.StatusOK, "cohorts/list", "Manage programmes", page)
}

type dashboardPage struct {
	*Dashboard
	Show, Sort string
	Rows       []LearnerRow
	Bars       []bar
	RiskLabels map[string]string
	// After a spreadsheet import (?added=N&already=M).
	Imported       bool
	Added, Already int
	ImportMessage  string
	// After sending nudges (?nudged=N&skipped=M).
	Nudged         bool
	Sent, Unnudged int
}

type bar struct {
	Stage
	Width, Y int
}

// view sorts and filters the learners as asked and lays out the funnel.
func view(d *Dashboard, show, sort string) dashboardPage {
	p := dashboardPage{Dashboard: d, Show: show, Sort: sort, RiskLabels: RiskLabels}
	for _, r := range d.Learners {
		if show == "at-risk" && len(r.Risks) == 0 || show != "withdrawn" && show != "all" && r.Status == "withdrawn" {
			continue
		}
		p.Rows = append(p.Rows, r)
	}
	switch sort {
	case "progress":
		slices.SortStableFunc(p.Rows, func(a, b LearnerRow) int { return a.Percent - b.Percent })
	case "last-active":
		slices.SortStableFunc(p.Rows, func(a, b LearnerRow) int {
			switch {
			case a.LastActive == nil && b.LastActive == nil:
				return 0
			case a.LastActive == nil:
				return -1
			case b.LastActive == nil:
				return 1
			}
			return a.LastActive.Compare(*b.LastActive)
		})
	}
	most := max(d.Funnel[0].Count, 1)
	for i, s := range d.Funnel {
		p.Bars = append(p.Bars, bar{Stage: s, Width: s.Count * 300 / most, Y: i * 36})
	}
	return p
}

func (h *Handlers) dashboard(c echo.Context) error {
	d, err := h.svc.Dashboard(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	p := view(d, c.QueryParam("show"), c.QueryParam("sort"))
	if v := c.QueryParam("added"); v != "" {
		p.Imported, p.ImportMessage = true, ImportResultMessage
		p.Added, _ = strconv.Atoi(v) // numbers only, so a crafted link cannot put text on the page
		p.Already, _ = strconv.Atoi(c.QueryParam("already"))
	}
	if v := c.QueryParam("nudged"); v != "" {
		p.Nudged = true
		p.Sent, _ = strconv.Atoi(v)
		p.Unnudged, _ = strconv.Atoi(c.QueryParam("skipped"))
	}
	return h.pages.HTML(c, http.StatusOK, "cohorts/dashboard", d.Cohort.Name, p)
}

// exportRows is the dashboard as a table: one row per learner.
func exportRows(d *Dashboard) [][]string {
	head := []string{"Name", "Email", "Enrolment", "Completed", "Lessons done", "Lessons in programme", "Percent", "Last active", "Needs a nudge"}
	for _, m := range d.Modules {
		head = append(head, "Module "+strconv.Itoa(m.Position)+": "+m.Title)
	}
	rows := [][]string{head}
	for _, r := range d.Learners {
		last := ""
		if r.LastActive != nil {
			last = r.LastActive.In(render.London).Format("2006-01-02 15:04")
		}
		var risks []string
		for _, k := range r.Risks {
			risks = append(risks, RiskLabels[k])
		}
		done := "No"
		if r.Completed {
			done = "Yes"
		}
		row := []string{r.Name, r.Email, r.Status, done, strconv.Itoa(r.Done), strconv.Itoa(r.Total), strconv.Itoa(r.Percent), last, strings.Join(risks, "; ")}
		for _, m := range r.Modules {
			row = append(row, strings.ReplaceAll(m.State(), "_", " "))
		}
		rows = append(rows, row)
	}
	return rows
}

func (h *Handlers) export(c echo.Context, f sheet.Format) error {
	d, err := h.svc.Dashboard(c.Request().Context(), auth.UserOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	name := "cohort-" + d.Cohort.Name + "-" + h.svc.Today().Format("2006-01-02")
	return sheet.Send(c.Response(), f, name, d.Cohort.Name, exportRows(d))
}

func (h *Handlers) exportCSV(c echo.Context) error { return h.export(c, sheet.CSV) }

func (h *Handlers) exportXLSX(c echo.Context) error { return h.export(c, sheet.XLSX) }

type cohortJSON struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Programme    string `json:"programme"`
	Organisation string `json:"organisation"`
	// OrganisationID is null for the self-enrolment cohorts of open
	// programmes, which no organisation runs.
	OrganisationID *string `json:"organisation_id"`
	StartsOn       string  `json:"starts_on"`
	EndsOn         string  `json:"ends_on"`
	Status         string  `json:"status"`
	Enrolled       int     `json:"enrolled"`
	Completed      int     `json:"completed"`
	Capacity       int     `json:"capacity"`
	Region         string  `json:"region"`
}

func (h *Handlers) cohortJSON(c *Cohort) cohortJSON {
	var org *string
	if c.OrganisationID != "" {
		org = &c.OrganisationID
	}
	return cohortJSON{ID: c.ID, Name: c.Name, Programme: c.ProgrammeSlug, Organisation: c.OrganisationName, OrganisationID: org,
		StartsOn: c.StartsOn.Format(time.DateOnly), EndsOn: c.EndsOn.Format(time.DateOnly),
		Status: c.Status(h.svc.Today()), Enrolled: c.Enrolled, Completed: c.Completed, Capacity: c.Capacity, Region: c.Region}
}

func (h *Handlers) apiCohorts(c echo.Context) error {
	p, err := page.Parse(c.QueryParams())
	if err != nil {
		return err
	}
	cs, next, err := h.svc.CohortPage(c.Request().Context(), auth.UserOf(c), Filter{Programme: c.QueryParam("programme")}, p)
	if err != nil {
		return err
	}
	out := make([]cohortJSON, len(cs))
	for i := range cs {
		out[i] = h.cohortJSON(&cs[i])
	}
	page.SetNext(c.Response().Header(), c.Request().URL, next)
	return c.JSON(http.StatusOK, out)
}

type learnerJSON struct {
	ID               string     `json:"id"`
	Name             string     `json:"name"`
	Status           string     `json:"status"`
	CompletedLessons int        `json:"completed_lessons"`
	TotalLessons     int        `json:"total_lessons"`
	Percent          int        `json:"percent"`
	Completed        bool       `json:"completed"`
	LastActive       *time.Time `json:"last_active"`
	AtRisk           []string   `json:"at_risk"`
	Modules          []string   `json:"modules"`
}

func (h *Handlers) apiProgress(c echo.Context) error {
	p, err := page.Parse(c.QueryParams())
	if err != nil {
		return err
	}
	d, next, err := h.svc.ProgressPage(c.Request().Context(), auth.UserOf(c), c.Param("id"), p)
	if err != nil {
		return err
	}
	rows := make([]learnerJSON, 0, len(d.Learners))
	for _, r := range d.Learners {
		j := learnerJSON{ID: r.UserID, Name: r.Name, Status: r.Status, CompletedLessons: r.Done, TotalLessons: r.Total,
			Percent: r.Percent, Completed: r.Completed, LastActive: r.LastActive, AtRisk: append([]string{}, r.Risks...)}
		for _, m := range r.Modules {
			j.Modules = append(j.Modules, m.State())
		}
		rows = append(rows, j)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	page.SetNext(c.Response().Header(), c.Request().URL, next)
	return c.JSON(http.StatusOK, map[string]any{"cohort": h.cohortJSON(d.Cohort), "at_risk_counts": d.RiskCounts, "learners": rows,
		"next_cursor": page.NextCursor(next)})
}

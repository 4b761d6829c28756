package monitoring

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/sheet"
)

type reportPage struct {
	Report        *Report
	Choices       FilterChoices
	Covering      []string // what the report covers, in words
	CSVURL        string
	Threshold     int
	MaxAdjustment int
}

func bindFilters(c echo.Context) (Filters, error) {
	var f Filters
	if err := c.Bind(&f); err != nil {
		return f, apperr.New(apperr.BadRequest, "The filters could not be read. Choose them again.")
	}
	return f, nil
}

func (m *Module) report(c echo.Context) error {
	f, err := bindFilters(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	u := auth.UserOf(c)
	rep, err := m.svc.Report(ctx, u, f, "html")
	if err != nil {
		return err
	}
	choices, err := m.svc.Choices(ctx, u, rep.Filters)
	if err != nil {
		return err
	}
	data := reportPage{Report: rep, Choices: choices, Threshold: Threshold, MaxAdjustment: MaxAdjustment,
		CSVURL: "/manage/equality.csv" + rep.Filters.query(u.Has(auth.RoleAdmin))}
	data.Covering = []string{
		labelOf(choices.Programmes, rep.Filters.Programme, "All programmes"),
		labelOf(choices.Cohorts, rep.Filters.Cohort, "all cohorts"),
	}
	if u.Has(auth.RoleAdmin) {
		data.Covering = append(data.Covering, labelOf(choices.Organisations, rep.Filters.Organisation, "all organisations"))
	}
	return m.pages.HTML(c, http.StatusOK, "monitoring/report", "Who the programmes reach", data)
}

// query is the report's filters as a query string ("" when none). A
// manager's organisation is implied, so it is left out for them.
func (f Filters) query(withOrganisation bool) string {
	v := url.Values{}
	if f.Programme != "" {
		v.Set("programme", f.Programme)
	}
	if f.Organisation != "" && withOrganisation {
		v.Set("organisation", f.Organisation)
	}
	if f.Cohort != "" {
		v.Set("cohort", f.Cohort)
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

func labelOf(choices []Choice, value, all string) string {
	for _, ch := range choices {
		if value != "" && ch.Value == value {
			return ch.Label
		}
	}
	return all
}

// reportCSV downloads the same suppressed tables as the page: one line
// per category, never one per person. A withheld report is a one-line
// sheet saying why, with no counts.
func (m *Module) reportCSV(c echo.Context) error {
	f, err := bindFilters(c)
	if err != nil {
		return err
	}
	rep, err := m.svc.Report(c.Request().Context(), auth.UserOf(c), f, "csv")
	if err != nil {
		return err
	}
	rows := [][]string{{"Characteristic", "Category", "Enrolled", "Completed", "Completion rate (%)"}}
	if rep.Withheld {
		rows = [][]string{{"Withheld", "Reason"}, {"Yes", rep.WithheldReason}}
	}
	for _, t := range rep.Tables {
		for _, r := range append(append([]Row{}, t.Rows...), t.Total) {
			rows = append(rows, []string{t.Title, r.Label, r.Enrolled.String(), r.Completed.String(), r.Rate.Number()})
		}
	}
	return sheet.Send(c.Response(), sheet.CSV, "equality-report", "Equality report", rows)
}

// reportJSON is the body of GET /api/v1/reports/equality.
type reportJSON struct {
	Filters struct {
		Programme    *string `json:"programme"`
		Organisation *string `json:"organisation"`
		Cohort       *string `json:"cohort"`
	} `json:"filters"`
	Unit                 string      `json:"unit"`
	SuppressionThreshold int         `json:"suppression_threshold"`
	MaxAdjustment        int         `json:"max_adjustment"`
	MinimumPeople        int         `json:"minimum_people"`
	Withheld             bool        `json:"withheld"`
	WithheldReason       *string     `json:"withheld_reason"`
	Characteristics      []tableJSON `json:"characteristics"` // empty when withheld
}

type tableJSON struct {
	Code       string    `json:"code"`
	Title      string    `json:"title"`
	Categories []rowJSON `json:"categories"`
	Total      rowJSON   `json:"total"`
}

type rowJSON struct {
	Code              string `json:"code"`
	Label             string `json:"label"`
	Enrolled          Count  `json:"enrolled"`
	Completed         Count  `json:"completed"`
	CompletionPercent Rate   `json:"completion_percent"`
}

func rowOf(r Row) rowJSON {
	return rowJSON{Code: r.Code, Label: r.Label, Enrolled: r.Enrolled, Completed: r.Completed, CompletionPercent: r.Rate}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (m *Module) apiReport(c echo.Context) error {
	f, err := bindFilters(c)
	if err != nil {
		return err
	}
	rep, err := m.svc.Report(c.Request().Context(), auth.UserOf(c), f, "json")
	if err != nil {
		return err
	}
	out := reportJSON{Unit: "person", SuppressionThreshold: Threshold, MaxAdjustment: MaxAdjustment, MinimumPeople: rep.MinPeople,
		Withheld: rep.Withheld, WithheldReason: optional(rep.WithheldReason), Characteristics: make([]tableJSON, len(rep.Tables))}
	out.Filters.Programme, out.Filters.Organisation, out.Filters.Cohort =
		optional(rep.Filters.Programme), optional(rep.Filters.Organisation), optional(rep.Filters.Cohort)
	for i, t := range rep.Tables {
		tj := tableJSON{Code: t.Code, Title: t.Title, Total: rowOf(t.Total), Categories: make([]rowJSON, len(t.Rows))}
		for j, r := range t.Rows {
			tj.Categories[j] = rowOf(r)
		}
		out.Characteristics[i] = tj
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}

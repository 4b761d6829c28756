package outcomes

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/sheet"
)

// readFilter reads the report's filters from the query string.
func readFilter(c echo.Context) (ReportFilter, error) {
	f := ReportFilter{Programme: c.QueryParam("programme"), Organisation: c.QueryParam("organisation"), Cohort: c.QueryParam("cohort")}
	if m := c.QueryParam("months"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil {
			return f, apperr.InvalidFields(apperr.FieldError{Field: "months", Message: "Choose 3, 6 or 12 months after the cohort ended"})
		}
		f.Months = n
	}
	return f, nil
}

// query is the filter as a query string, for links that keep it.
func (f ReportFilter) query() string {
	v := url.Values{}
	for k, s := range map[string]string{"programme": f.Programme, "organisation": f.Organisation, "cohort": f.Cohort} {
		if s != "" {
			v.Set(k, s)
		}
	}
	v.Set("months", strconv.Itoa(f.Months))
	return v.Encode()
}

type reportPage struct {
	Report  *Report
	Options *ReportOptions
	Chart   trendChart
	IsAdmin bool
	Months  []int
	CSVURL  string
}

func (m *Module) loadReport(c echo.Context) (*Report, error) {
	f, err := readFilter(c)
	if err != nil {
		return nil, err
	}
	return m.svc.Report(c.Request().Context(), auth.UserOf(c), f)
}

func (m *Module) report(c echo.Context) error {
	r, err := m.loadReport(c)
	if err != nil {
		return err
	}
	u := auth.UserOf(c)
	opts, err := m.svc.Options(c.Request().Context(), u)
	if err != nil {
		return err
	}
	return m.pages.HTML(c, http.StatusOK, "outcomes/report", "Outcomes and conversion rates", reportPage{
		Report: r, Options: opts, Chart: newTrendChart(r.Cohorts), IsAdmin: u.Has(auth.RoleAdmin),
		Months: AllowedMonths, CSVURL: "/manage/outcomes.csv?" + r.Filter.query(),
	})
}

func (m *Module) reportCSV(c echo.Context) error {
	r, err := m.loadReport(c)
	if err != nil {
		return err
	}
	return sheet.Send(c.Response(), sheet.CSV, reportFilename(r.Filter, m.svc.today().Format("2006-01-02")), "Outcomes", reportRows(r))
}

// reportJSON is the body of GET /api/v1/reports/outcomes.
type reportJSON struct {
	Definition string          `json:"definition"`
	Months     int             `json:"months"`
	Rows       []reportRowJSON `json:"rows"`
}

type reportRowJSON struct {
	Level     string   `json:"level"`
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Started   int      `json:"started"`
	Converted int      `json:"converted"`
	Rate      *float64 `json:"rate"` // null when nobody started
}

func (m *Module) apiReport(c echo.Context) error {
	r, err := m.loadReport(c)
	if err != nil {
		return err
	}
	out := reportJSON{Definition: r.Definition, Months: r.Filter.Months, Rows: []reportRowJSON{}}
	for _, level := range [][]ReportRow{r.Cohorts, r.Programmes, r.Organisations} {
		for _, row := range level {
			out.Rows = append(out.Rows, reportRowJSON{Level: row.Level, ID: row.ID, Name: row.Name,
				Started: row.Started, Converted: row.Converted, Rate: row.Rate()})
		}
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}

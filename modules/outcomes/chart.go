package outcomes

import (
	"fmt"
	"sort"
	"strings"
)

// maxChartBars is how many cohorts the trend chart shows: the most recent
// by start date. The tables list every cohort.
const maxChartBars = 24

// trendChart is the conversion rate per cohort, in cohort start order,
// laid out for a server-rendered SVG bar chart. Sizes are in pixels; on a
// narrow screen the chart scrolls sideways rather than shrinking its text.
type trendChart struct {
	Width, Height int
	PlotTop       int
	PlotBottom    int
	PlotLeft      int
	Bars          []chartBar
	Ticks         []chartTick
	Rows          []ReportRow // the same cohorts, for the data table
	Omitted       int         // older cohorts left out
	Summary       string
}

type chartBar struct {
	X, Y, W, H     int
	CentreX        int
	ValueY         int
	LabelY         int
	Value, Label   string
	Tooltip        string
	NoneStarted    bool
	LabelTransform string
}

type chartTick struct {
	Y     int
	Label string
}

// newTrendChart lays out bars for cohorts (any order). Cohorts nobody
// started have no bar, only a "—" so a gap is not read as 0%.
func newTrendChart(cohorts []ReportRow) trendChart {
	rows := append([]ReportRow(nil), cohorts...)
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i].StartsOn, rows[j].StartsOn
		if a == nil || b == nil {
			return b != nil
		}
		return a.Before(*b)
	})
	c := trendChart{Height: 330, PlotTop: 24, PlotBottom: 230, PlotLeft: 56}
	if len(rows) > maxChartBars {
		c.Omitted = len(rows) - maxChartBars
		rows = rows[len(rows)-maxChartBars:]
	}
	c.Rows = rows
	const slot = 76
	c.Width = c.PlotLeft + slot*max(len(rows), 6) + 16
	plotH := c.PlotBottom - c.PlotTop
	for _, p := range []int{0, 25, 50, 75, 100} {
		c.Ticks = append(c.Ticks, chartTick{Y: c.PlotBottom - plotH*p/100, Label: fmt.Sprintf("%d%%", p)})
	}
	for i, r := range rows {
		b := chartBar{X: c.PlotLeft + i*slot + 14, W: slot - 28, Value: r.Percent()}
		b.CentreX = b.X + b.W/2
		b.LabelY = c.PlotBottom + 20
		b.Label = r.Name
		if r.StartsOn != nil {
			b.Label = r.StartsOn.Format("2 Jan 2006")
		}
		b.LabelTransform = fmt.Sprintf("rotate(-35 %d %d)", b.CentreX, b.LabelY)
		b.Tooltip = fmt.Sprintf("%s: %s (%d of %d)", r.Name, r.Percent(), r.Converted, r.Started)
		if v := r.Rate(); v != nil {
			b.H = int(float64(plotH)**v + 0.5)
		} else {
			b.NoneStarted = true
		}
		b.Y = c.PlotBottom - b.H
		b.ValueY = b.Y - 6
		c.Bars = append(c.Bars, b)
	}
	c.Summary = fmt.Sprintf("Bar chart of the conversion rate of %d cohort%s, oldest first. The table below gives the same figures.",
		len(rows), plural(len(rows)))
	return c
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// rateTable is one of the report's tables, for the "ratetable" template.
type rateTable struct {
	ID, Heading, Caption, Column string
	Rows                         []ReportRow
	Definition                   string
}

func newRateTable(id, heading, column string, rows []ReportRow, definition string) rateTable {
	return rateTable{ID: id, Heading: heading, Caption: "Conversion rate " + strings.ToLower(heading), Column: column,
		Rows: rows, Definition: definition}
}

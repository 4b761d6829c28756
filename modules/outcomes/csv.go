package outcomes

import (
	"strconv"
	"strings"

	"onramp/app/percent"
)

// reportRows lays the report out for a spreadsheet: one row per cohort,
// programme and organisation, with the definition on every row so a
// figure copied out of the sheet keeps its meaning.
func reportRows(r *Report) [][]string {
	out := [][]string{{"Level", "ID", "Name", "Programme", "Organisation", "Cohort starts on", "Cohort ends on",
		"Started", "Converted", "Conversion rate (%)", "Months after cohort end", "Definition"}}
	months := strconv.Itoa(r.Filter.Months)
	var rows []ReportRow
	rows = append(append(append(rows, r.Organisations...), r.Programmes...), r.Cohorts...)
	for _, row := range rows {
		var starts, ends string
		if row.StartsOn != nil {
			starts = row.StartsOn.Format("2006-01-02")
		}
		if row.EndsOn != nil {
			ends = row.EndsOn.Format("2006-01-02")
		}
		rate := ""
		if row.Started > 0 {
			rate = strconv.Itoa(percent.Of(row.Converted, row.Started))
		}
		out = append(out, []string{row.Level, row.ID, row.Name, row.ProgrammeName, row.OrganisationName, starts, ends,
			strconv.Itoa(row.Started), strconv.Itoa(row.Converted), rate, months, r.Definition})
	}
	return out
}

// reportFilename names the download after what it holds.
func reportFilename(f ReportFilter, today string) string {
	name := "outcomes"
	if f.Programme != "" {
		name += "-" + f.Programme
	}
	return strings.ToLower(name) + "-" + today
}

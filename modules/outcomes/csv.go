package outcomes

import (
	"strconv"
	"strings"
)

// reportRows lays the report out for a spreadsheet: one row per cohort,
// programme and organisation, with the definition on every row so a
// figure copied out of the sheet keeps its meaning.
func reportRows(r *Report) [][]string {
	out := [][]string{{"level", "id", "name", "programme", "organisation", "cohort_starts_on", "cohort_ends_on",
		"started", "converted", "conversion_rate", "months_after_cohort_end", "definition"}}
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
		if v := row.Rate(); v != nil {
			rate = strconv.FormatFloat(*v, 'f', 4, 64)
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

package outcomes

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// csvSafe stops a spreadsheet reading a cell as a formula. Excel, Sheets
// and LibreOffice treat text starting with = + - or @ (and tab or carriage
// return, which some strip first) as a formula, so a learner called
// "=HYPERLINK(...)" could run one on a manager's machine. A leading '
// makes the cell plain text and shows nothing extra.
func csvSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// writeReportCSV writes the report as CSV: one row per cohort, programme
// and organisation, with the definition on every row so a figure copied
// out of the sheet keeps its meaning.
func writeReportCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	header := []string{"level", "id", "name", "programme", "organisation", "cohort_starts_on", "cohort_ends_on",
		"started", "converted", "conversion_rate", "months_after_cohort_end", "definition"}
	if err := cw.Write(header); err != nil {
		return err
	}
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
		rec := []string{row.Level, row.ID, row.Name, row.ProgrammeName, row.OrganisationName, starts, ends,
			strconv.Itoa(row.Started), strconv.Itoa(row.Converted), rate, months, r.Definition}
		for i := range rec {
			rec[i] = csvSafe(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvFilename names the download after what it holds.
func csvFilename(f ReportFilter, today string) string {
	name := "outcomes"
	if f.Programme != "" {
		name += "-" + f.Programme
	}
	return strings.ToLower(name) + "-" + today + ".csv"
}

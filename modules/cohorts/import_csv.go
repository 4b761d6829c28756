package cohorts

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"onramp/app/apperr"
	"onramp/modules/identity"
)

// Limits of one spreadsheet upload.
const (
	MaxImportBytes = 1_000_000 // 1 MB
	MaxImportRows  = 500       // learners, not counting the header
)

// ImportColumns are the columns an upload must have, then the optional one.
var ImportColumns = []string{"name", "email", "date_of_birth"}

// RowError is one problem with one cell of an uploaded row, worded for the
// manager who will fix the spreadsheet.
type RowError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	// Code marks the problems a confirm counts ("already_enrolled": in
	// the cohort or invited to it).
	Code string `json:"code,omitempty"`
}

const codeAlreadyEnrolled = "already_enrolled"

// ImportRow is one learner from an upload, as read and checked.
type ImportRow struct {
	Row         int // as the spreadsheet numbers it: the header is row 1
	Name        string
	Email       string
	DateOfBirth *time.Time
	Phone       string
	Errors      []RowError
}

// Valid reports whether the row can be enrolled.
func (r ImportRow) Valid() bool { return len(r.Errors) == 0 }

// csvRecord is a data row as written in the file.
type csvRecord struct {
	Row                     int
	Name, Email, DOB, Phone string
}

// fileError is a refusal of the whole file, shown beside the file input.
func fileError(msg string) error {
	return apperr.InvalidFields(apperr.FieldError{Field: "file", Message: msg})
}

var (
	errEmptyFile = fileError("The file is empty. Choose a CSV file with a header row and one row for each learner.")
	errNotCSV    = fileError("The file is not a CSV file. In your spreadsheet, choose Save as and pick “CSV UTF-8 (comma delimited)”, then upload that file.")
	errWorkbook  = fileError("The file is an Excel workbook, not a CSV file. In Excel, choose Save as and pick “CSV UTF-8 (comma delimited)”, then upload that file.")
	errNotUTF8   = fileError("The file is not saved as UTF-8, so names with accents could come out wrong. In your spreadsheet, choose Save as and pick “CSV UTF-8 (comma delimited)”, then upload that file.")
	errTooBig    = apperr.New(apperr.TooLarge, "The file is larger than 1 MB. Split it into smaller files of up to 500 learners each.")
	errTooMany   = apperr.New(apperr.TooLarge, fmt.Sprintf("The file has more than %d learners. Split it into files of up to %d learners each.", MaxImportRows, MaxImportRows))
)

// readCSV reads an uploaded spreadsheet: UTF-8 (a byte order mark is
// fine), comma or semicolon separated, with a header row naming at least
// name, email and date_of_birth in any order and case. Other columns are
// ignored, and so are rows with nothing in them. It refuses the whole file
// with a message saying how to fix it.
func readCSV(data []byte) ([]csvRecord, error) {
	switch {
	case len(data) > MaxImportBytes:
		return nil, errTooBig
	case len(bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\ufeff")))) == 0:
		return nil, errEmptyFile
	case bytes.HasPrefix(data, []byte("PK\x03\x04")), bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0")):
		return nil, errWorkbook
	case bytes.HasPrefix(data, []byte("\xff\xfe")), bytes.HasPrefix(data, []byte("\xfe\xff")):
		return nil, errNotUTF8 // UTF-16, as some spreadsheets save "Unicode text"
	case bytes.IndexByte(data, 0) >= 0:
		return nil, errNotCSV
	case !utf8.Valid(data):
		return nil, errNotUTF8
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = separator(text)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true

	head, err := r.Read()
	if err != nil {
		return nil, unreadable(err)
	}
	col := map[string]int{}
	for i, h := range head {
		name := strings.Join(strings.FieldsFunc(strings.ToLower(strings.TrimSpace(h)), func(r rune) bool {
			return r == ' ' || r == '_' || r == '-'
		}), "_")
		if _, dup := col[name]; !dup {
			col[name] = i
		}
	}
	var missing []string
	for _, c := range ImportColumns {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fileError(missingColumns(missing))
	}
	cell := func(rec []string, name string) string {
		i, ok := col[name]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}

	var out []csvRecord
	extra := 0 // line breaks inside quoted cells, which a spreadsheet shows within one row
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, unreadable(err)
		}
		line, _ := r.FieldPos(0)
		row := line - extra
		for _, f := range rec {
			extra += strings.Count(f, "\n")
		}
		cr := csvRecord{Row: row, Name: cell(rec, "name"), Email: cell(rec, "email"),
			DOB: cell(rec, "date_of_birth"), Phone: cell(rec, "phone")}
		if cr.Name == "" && cr.Email == "" && cr.DOB == "" && cr.Phone == "" {
			continue
		}
		if len(out) == MaxImportRows {
			return nil, errTooMany
		}
		out = append(out, cr)
	}
	if len(out) == 0 {
		return nil, fileError("The file has a header row but no learners. Add one row for each learner under the header.")
	}
	return out, nil
}

// separator is a semicolon when the header row uses semicolons (as
// spreadsheets do where the comma is the decimal mark), else a comma.
func separator(text string) rune {
	first, _, _ := strings.Cut(text, "\n")
	if strings.Count(first, ";") > strings.Count(first, ",") {
		return ';'
	}
	return ','
}

func unreadable(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fileError(fmt.Sprintf("The file could not be read as CSV at row %d. Check that row for a stray quote mark, or save the file again as “CSV UTF-8 (comma delimited)”.", pe.StartLine))
	}
	return errNotCSV
}

func missingColumns(missing []string) string {
	quoted := make([]string, len(missing))
	for i, m := range missing {
		quoted[i] = "“" + m + "”"
	}
	list, noun := quoted[0], "column"
	if n := len(quoted); n > 1 {
		list, noun = strings.Join(quoted[:n-1], ", ")+" and "+quoted[n-1], "columns"
	}
	return fmt.Sprintf("The file has no %s %s. The first row must name the columns: %s (phone is optional).",
		list, noun, strings.Join(ImportColumns, ", "))
}

// rowRules are what every row of one upload is checked against.
type rowRules struct {
	ages     AgeRange
	startsOn time.Time
	today    time.Time
}

// check reads and checks one row on its own; duplicates and existing
// enrolments are found across rows afterwards.
func (rr rowRules) check(rec csvRecord) ImportRow {
	row := ImportRow{Row: rec.Row, Name: rec.Name, Email: strings.ToLower(rec.Email),
		Phone: strings.Join(strings.Fields(rec.Phone), " ")}
	add := func(field, msg string) { row.Errors = append(row.Errors, RowError{Field: field, Message: msg}) }

	switch {
	case row.Name == "":
		add("name", "Name is missing")
	case utf8.RuneCountInString(row.Name) > 200:
		add("name", "Name is longer than 200 characters")
	}
	switch {
	case row.Email == "":
		add("email", "Email address is missing")
	case !identity.ValidEmail(row.Email):
		add("email", fmt.Sprintf("“%s” is not a valid email address: it should look like name@example.com", clip(rec.Email)))
	}
	if rec.DOB == "" {
		add("date_of_birth", "Date of birth is missing")
	} else if dob, problem := parseDate(rec.DOB); problem != "" {
		add("date_of_birth", problem)
	} else {
		switch age := ageOn(dob, rr.startsOn); {
		case dob.After(rr.today):
			add("date_of_birth", fmt.Sprintf("Date of birth %s is in the future", clip(rec.DOB)))
		case dob.Year() < 1901:
			add("date_of_birth", fmt.Sprintf("Date of birth %s is too long ago: check the year", clip(rec.DOB)))
		case !rr.ages.Admits(age):
			add("date_of_birth", fmt.Sprintf("Must be %s on the start date, %s, but would be %d",
				rr.ages, rr.startsOn.Format("2 January 2006"), age))
		default:
			row.DateOfBirth = &dob
		}
	}
	if row.Phone != "" && !ukPhone(row.Phone) {
		add("phone", fmt.Sprintf("“%s” is not a UK phone number: use digits and spaces, like 07700 900123 or +44 7700 900123", clip(row.Phone)))
	}
	if utf8.RuneCountInString(row.Phone) > 40 {
		row.Phone = string([]rune(row.Phone)[:40])
	}
	return row
}

// clip shortens a cell quoted back in a message.
func clip(s string) string {
	if utf8.RuneCountInString(s) > 60 {
		return string([]rune(s)[:57]) + "…"
	}
	return s
}

var (
	isoDate = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})$`)
	ukDate  = regexp.MustCompile(`^(\d{1,2})([/-])(\d{1,2})([/-])(\d{4})$`)
)

// parseDate reads 2008-03-14, 14/03/2008 or 14-03-2008. It returns a
// problem to show when the text is not a date or not a real one.
func parseDate(s string) (time.Time, string) {
	var y, m, d int
	if p := isoDate.FindStringSubmatch(s); p != nil {
		y, m, d = atoi(p[1]), atoi(p[2]), atoi(p[3])
	} else if p := ukDate.FindStringSubmatch(s); p != nil && p[2] == p[4] {
		d, m, y = atoi(p[1]), atoi(p[3]), atoi(p[5])
	} else {
		return time.Time{}, fmt.Sprintf("Date of birth “%s” is not a date: write it like 14/03/2008", clip(s))
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if m < 1 || m > 12 || t.Day() != d || t.Month() != time.Month(m) {
		return time.Time{}, fmt.Sprintf("Date of birth %s is not a real date", s)
	}
	return t, ""
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// ukPhone accepts a UK-looking number: digits and spaces, starting 0 or
// +44, 10 to 13 digits in all.
func ukPhone(s string) bool {
	rest, intl := strings.CutPrefix(s, "+44")
	digits := 0
	for _, r := range rest {
		switch {
		case r >= '0' && r <= '9':
			if digits == 0 && !intl && r != '0' {
				return false
			}
			digits++
		case r == ' ':
		default:
			return false
		}
	}
	if intl {
		digits += 2
	}
	return digits >= 10 && digits <= 13
}

// crossCheck flags the second and later rows with an email already in the
// file, and rows of people the cohort already has (added maps email to
// enrolment status, or statusInvited). An invitation reads exactly as an
// enrolment does, so a second upload does not tell the manager which
// people were invited because another organisation knows them.
func crossCheck(rows []ImportRow, added map[string]string) {
	first := map[string]int{}
	for i := range rows {
		r := &rows[i]
		if r.Email == "" || !identity.ValidEmail(r.Email) {
			continue
		}
		if at, dup := first[r.Email]; dup {
			r.Errors = append(r.Errors, RowError{Field: "email",
				Message: fmt.Sprintf("Same email address as row %d: each learner can be in the file only once", at)})
			continue
		}
		first[r.Email] = r.Row
		switch added[r.Email] {
		case "":
		case "withdrawn":
			r.Errors = append(r.Errors, RowError{Field: "email", Code: codeAlreadyEnrolled,
				Message: "Already in this cohort but withdrawn, so not added again"})
		default:
			r.Errors = append(r.Errors, RowError{Field: "email", Code: codeAlreadyEnrolled,
				Message: "Already added to this cohort"})
		}
	}
}

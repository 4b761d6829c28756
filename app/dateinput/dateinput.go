// Package dateinput reads a date typed into the three boxes (day, month,
// year) of the NHS date input, the "dateinput" partial in
// assets/templates/forms.html, with the service manual's error messages.
package dateinput

import (
	"strconv"
	"strings"
	"time"

	"onramp/app/apperr"
)

// Parse reads the boxes name-day, name-month and name-year. label names
// the date in messages, starting with a capital ("Date", "Start date").
// It returns the day at midnight UTC, or a FieldError pointing at the box
// to fix: the date missing or a box left empty, a year without 4 numbers,
// or a day that does not exist (31 2 2026).
func Parse(name, label, day, month, year string) (time.Time, *apperr.FieldError) {
	day, month, year = strings.TrimSpace(day), strings.TrimSpace(month), strings.TrimSpace(year)
	bad := func(box, msg string) (time.Time, *apperr.FieldError) {
		return time.Time{}, &apperr.FieldError{Field: name + "-" + box, Message: msg}
	}
	switch {
	case day == "" && month == "" && year == "":
		return bad("day", "Enter the "+strings.ToLower(label[:1])+label[1:])
	case day == "":
		return bad("day", label+" must include a day")
	case month == "":
		return bad("month", label+" must include a month")
	case year == "":
		return bad("year", label+" must include a year")
	}
	d, derr := strconv.Atoi(day)
	m, merr := strconv.Atoi(month)
	y, yerr := strconv.Atoi(year)
	if yerr == nil && len(year) != 4 {
		return bad("year", "Year must include 4 numbers, like 2026")
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if derr != nil || merr != nil || yerr != nil || t.Day() != d || int(t.Month()) != m {
		return bad("day", label+" must be a real date, like 15 3 2026")
	}
	return t, nil
}

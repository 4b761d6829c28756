// Package dayinput reads the NHS date input: a date typed as three boxes,
// day, month and year, named NAME-day, NAME-month and NAME-year. Every
// form that asks for a date uses it, so dates are typed and checked the
// same way everywhere.
package dayinput

import (
	"strconv"
	"strings"
	"time"

	"onramp/app/apperr"
)

// Input is what the three boxes held.
type Input struct{ Day, Month, Year string }

// Empty reports whether all three boxes were left empty.
func (in Input) Empty() bool {
	return strings.TrimSpace(in.Day) == "" && strings.TrimSpace(in.Month) == "" && strings.TrimSpace(in.Year) == ""
}

// Parse reads the date typed into the boxes of the input name, whose
// question is label ("Start date"), as midnight UTC of that day. The error
// names the box to fix, with the NHS design system's wording: "Start date
// must include a month", "Year must include 4 numbers", "Start date must
// be a real date". Callers that allow no date check Empty first.
func Parse(name, label string, in Input) (time.Time, *apperr.FieldError) {
	day, month, year := strings.TrimSpace(in.Day), strings.TrimSpace(in.Month), strings.TrimSpace(in.Year)
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
		return bad("year", "Year must include 4 numbers")
	}
	if derr != nil || merr != nil || yerr != nil || y < 1900 {
		return bad("day", label+" must be a real date, for example 15 3 2027")
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m {
		return bad("day", label+" must be a real date, for example 15 3 2027")
	}
	return t, nil
}

// Of splits t into the boxes, to show a saved date in the form again.
func Of(t time.Time) Input {
	if t.IsZero() {
		return Input{}
	}
	return Input{Day: strconv.Itoa(t.Day()), Month: strconv.Itoa(int(t.Month())), Year: strconv.Itoa(t.Year())}
}

package dateinput

import (
	"testing"
	"time"
)

func TestParseNamesTheBoxToFixAndWhy(t *testing.T) {
	for _, c := range []struct {
		day, month, year string
		field, message   string
	}{
		{"", "", "", "on-day", "Enter the date you went"},
		{"", "3", "2026", "on-day", "Date you went must include a day"},
		{"4", " ", "2026", "on-month", "Date you went must include a month"},
		{"4", "3", "", "on-year", "Date you went must include a year"},
		{"4", "3", "26", "on-year", "Year must include 4 numbers, like 2026"},
		{"31", "2", "2026", "on-day", "Date you went must be a real date, like 15 3 2026"},
		{"4", "13", "2026", "on-day", "Date you went must be a real date, like 15 3 2026"},
		{"four", "3", "2026", "on-day", "Date you went must be a real date, like 15 3 2026"},
	} {
		_, err := Parse("on", "Date you went", c.day, c.month, c.year)
		if err == nil || err.Field != c.field || err.Message != c.message {
			t.Errorf("%q %q %q: %+v, want %s %q", c.day, c.month, c.year, err, c.field, c.message)
		}
	}
	got, err := Parse("on", "Date", " 29", "2 ", "2028")
	if err != nil || !got.Equal(time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("29 2 2028: %v, %v", got, err)
	}
}

package dayinput

import (
	"testing"
	"time"
)

func TestParseNamesTheBoxToFix(t *testing.T) {
	cases := []struct {
		in        Input
		box, want string
	}{
		{Input{}, "start-day", "Enter the start date"},
		{Input{Month: "3", Year: "2027"}, "start-day", "Start date must include a day"},
		{Input{Day: "1", Year: "2027"}, "start-month", "Start date must include a month"},
		{Input{Day: "1", Month: "3"}, "start-year", "Start date must include a year"},
		{Input{Day: "1", Month: "3", Year: "27"}, "start-year", "Year must include 4 numbers"},
		{Input{Day: "30", Month: "2", Year: "2027"}, "start-day", "Start date must be a real date, for example 15 3 2027"},
		{Input{Day: "one", Month: "3", Year: "2027"}, "start-day", "Start date must be a real date, for example 15 3 2027"},
	}
	for _, c := range cases {
		_, bad := Parse("start", "Start date", c.in)
		if bad == nil || bad.Field != c.box || bad.Message != c.want {
			t.Errorf("%+v: got %+v, want %s %q", c.in, bad, c.box, c.want)
		}
	}
	got, bad := Parse("start", "Start date", Input{Day: " 29 ", Month: "02", Year: "2028"})
	if bad != nil || !got.Equal(time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("a leap day: %v %v", got, bad)
	}
	if Of(got) != (Input{Day: "29", Month: "2", Year: "2028"}) || Of(time.Time{}) != (Input{}) {
		t.Errorf("Of: %+v", Of(got))
	}
}

// Package percent turns counts into the whole percentages people read,
// rounded the same way on every page, export and API.
package percent

import (
	"math"
	"strconv"
)

// Of is part of whole as a whole percentage, rounded to the nearest, but
// never 100 unless the part is the whole nor 0 unless it is nothing: "100%
// completed" always means everyone. 0 when whole is 0.
func Of(part, whole int) int {
	if whole <= 0 {
		return 0
	}
	p := int(math.Round(100 * float64(part) / float64(whole)))
	switch {
	case p >= 100 && part < whole:
		return 99
	case p == 0 && part > 0:
		return 1
	}
	return p
}

// Label is Of written for people, "67%", or "—" when whole is 0 and there
// is no percentage to give.
func Label(part, whole int) string {
	if whole <= 0 {
		return "—"
	}
	return strconv.Itoa(Of(part, whole)) + "%"
}

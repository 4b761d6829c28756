package messaging

import (
	"strings"
	"testing"
)

// TestRedactReplacesOnlyTheSpansAndMergesOverlaps guards what the other
// person sees of a redacted message.
func TestRedactReplacesOnlyTheSpansAndMergesOverlaps(t *testing.T) {
	body := "call me on 07700 900123 or add me on snap"
	for _, c := range []struct {
		spans [][2]int
		want  string
	}{
		{[][2]int{{11, 23}}, "call me on " + Removed + " or add me on snap"},
		{[][2]int{{11, 18}, {15, 23}}, "call me on " + Removed + " or add me on snap"},
		{[][2]int{{27, 41}, {11, 23}}, "call me on " + Removed + " or " + Removed},
		{[][2]int{{-1, 5}, {30, 99}}, body}, // out of range: ignored
	} {
		if got := redact(body, c.spans); got != c.want {
			t.Errorf("redact(%v) = %q, want %q", c.spans, got, c.want)
		}
	}
}

// TestValidateRefusesEmptyOverlongAndUnreadableMessages checks the
// message rules before anything is stored.
func TestValidateRefusesEmptyOverlongAndUnreadableMessages(t *testing.T) {
	for _, c := range []struct {
		body string
		ok   bool
	}{
		{"  hello  ", true},
		{"   ", false},
		{strings.Repeat("é", MaxBody), true},
		{strings.Repeat("a", MaxBody+1), false},
		{"bad \xff byte", false},
		{"nul \x00 byte", false},
	} {
		if _, err := Validate(c.body); (err == nil) != c.ok {
			t.Errorf("Validate(%.20q): %v, want ok=%v", c.body, err, c.ok)
		}
	}
}

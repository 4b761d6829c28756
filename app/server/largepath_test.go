package server

import "testing"

func TestLargePathMatchesPrefixesAndOnePartWildcards(t *testing.T) {
	for _, c := range []struct {
		pattern, path string
		want          bool
	}{
		{"/api/v1/attachments", "/api/v1/attachments", true},
		{"/admin/content/lessons/", "/admin/content/lessons/x/media", true},
		{"/mentoring/mentorships/*/messages", "/mentoring/mentorships/0b6c/messages", true},
		{"/mentoring/mentorships/*/messages", "/mentoring/mentorships/0b6c/end", false},
		{"/mentoring/mentorships/*/messages", "/mentoring/mentorships/a/b/messages", false},
		{"/mentoring/mentorships/*/messages", "/mentoring/mentorships/0b6c/messages/x", false},
	} {
		if got := largePath(c.pattern, c.path); got != c.want {
			t.Errorf("largePath(%q, %q) = %v, want %v", c.pattern, c.path, got, c.want)
		}
	}
}

package content

import (
	"strings"
	"testing"
)

func TestSizesAreWordedSoAnythingOverALimitReadsAsOver(t *testing.T) {
	for n, want := range map[int64]string{0: "0 bytes", 1023: "1,023 bytes", 1024: "1 KB", 200 << 10: "200 KB",
		200<<10 + 1: "200.1 KB", 2100 << 10: "2.1 MB", 50 << 20: "50 MB", 1 << 30: "1 GB", 3<<30 + 1: "3.1 GB"} {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestALimitCountsCharactersForShortTextAndBytesForMarkdown(t *testing.T) {
	if msg := titleLimit.problem(strings.Repeat("é", 120)); msg != "" {
		t.Errorf("120 two-byte characters are over the title limit: %s", msg)
	}
	if msg := titleLimit.problem(strings.Repeat("é", 121)); msg != "the title is 121 characters; it can be at most 120 characters" {
		t.Errorf("121 characters: %q", msg)
	}
	if msg := lessonLimit.problem(strings.Repeat("é", maxLessonBytes/2)); msg != "" {
		t.Errorf("a lesson of exactly the limit in bytes is refused: %s", msg)
	}
	if msg := lessonLimit.problem(strings.Repeat("é", maxLessonBytes/2+1)); msg != "the lesson is 200.1 KB; it can be at most 200 KB" {
		t.Errorf("a lesson two bytes over: %q", msg)
	}
}

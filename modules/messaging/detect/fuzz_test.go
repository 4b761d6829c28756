package detect

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// maxMessage is the longest message the messaging feature accepts; the
// fuzz target holds the detector to it.
const maxMessage = 8000

// FuzzScan checks that Scan never panics, gives the same answer twice,
// keeps every span inside the message and labels consistent with its
// reasons, and stays fast on long messages.
func FuzzScan(f *testing.F) {
	for _, seed := range []string{
		"", "07700 900 123", "oh seven seven", "0️⃣7️⃣", "jo at gmail dot com", "@x", "k i l l myself",
		"W2 1NY", "14 Elm Road", "s3lf h4rm", "double double double", "£££", "\xff\xfe", "a\u0301\u0301\u0301",
		strings.Repeat("0 ", 500), strings.Repeat("oh ", 400), strings.Repeat("a.", 600), strings.Repeat("x@y.", 300),
		strings.Repeat("1st ", 300), strings.Repeat("k ", 600), strings.Repeat("(dot) ", 300),
	} {
		f.Add(seed)
	}
	d := defaultDetector(f)
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > maxMessage {
			text = text[:maxMessage]
		}
		r := d.Scan(text)
		if again := d.Scan(text); !reflect.DeepEqual(r, again) {
			t.Fatalf("two scans differ:\n%+v\n%+v", r, again)
		}
		if r.Labels == nil {
			t.Fatal("nil labels")
		}
		seen := map[string]bool{}
		for _, reason := range r.Reasons {
			if reason.Start < 0 || reason.End > len(text) || reason.Start > reason.End {
				t.Fatalf("span [%d,%d) outside a %d-byte message", reason.Start, reason.End, len(text))
			}
			if reason.Text != text[reason.Start:reason.End] {
				t.Fatalf("reason text %q is not its span", reason.Text)
			}
			if utf8.ValidString(text) && !utf8.ValidString(reason.Text) {
				t.Fatalf("span [%d,%d) cuts a character", reason.Start, reason.End)
			}
			seen[reason.Label] = true
		}
		if len(seen) != len(r.Labels) {
			t.Fatalf("labels %v do not match the reasons' labels %v", r.Labels, seen)
		}
	})
}

// The worst realistic cases, timed here rather than in a test: every
// corpus message in one long message, so that hundreds of rules have their
// words present, and long runs of the units rules try hardest on.
func BenchmarkScanLongMessages(b *testing.B) {
	d := defaultDetector(b)
	var all strings.Builder
	for _, m := range readCorpus(b, "testdata/corpus.jsonl") {
		all.WriteString(m.Text + " ")
	}
	texts := []string{strings.ToValidUTF8(all.String()[:maxMessage], "")}
	for _, unit := range []string{"0 ", "oh ", "a.", "x@y.", "1st ", "k ", "(dot) ", "kill myself ", "07700900123 ", "é😊"} {
		texts = append(texts, strings.Repeat(unit, maxMessage/len(unit)))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Scan(texts[i%len(texts)])
	}
}

// A typical message is about 200 characters; the scan runs on every send.
func BenchmarkScanTypicalMessage(b *testing.B) {
	d := defaultDetector(b)
	msgs := []string{
		"hiya, just finished lesson 4 on infection control! the interview at the royal is on thursday at 10:30, band 3 HCA, 7 till 7 shifts. any tips for the values questions? im so nervous lol 😬",
		"Great work! For values questions, use STAR: situation, task, action, result. Arrive 15 minutes early, bring your passport, and have two examples of compassion ready. You've got this.",
		"honestly feeling a bit rubbish today, applied for 6 jobs on nhs jobs and heard nothing back. my mum says keep going. is it normal to wait this long? the ref was 338-HCA-0917-24",
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Scan(msgs[i%len(msgs)])
	}
}

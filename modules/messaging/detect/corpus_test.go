package detect

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// message is one line of a labelled corpus in testdata.
type message struct {
	ID     string   `json:"id"`
	Text   string   `json:"text"`
	Sender string   `json:"sender"`
	Labels []string `json:"labels"`
}

func readCorpus(t testing.TB, path string) []message {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []message
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		var m message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		out = append(out, m)
	}
	return out
}

// score is how a detector did on a corpus.
type score struct {
	tp, fp, fn      map[string]int
	normal, flagged int // normal messages, and how many of them were flagged
	misses          []string
}

func (s score) precision(label string) float64 {
	return ratio(s.tp[label], s.tp[label]+s.fp[label])
}
func (s score) recall(label string) float64 { return ratio(s.tp[label], s.tp[label]+s.fn[label]) }
func (s score) normalFlagged() float64      { return ratio(s.flagged, s.normal) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func (s score) String() string {
	var b strings.Builder
	for _, l := range []string{ContactDetails, Concern} {
		fmt.Fprintf(&b, "%s: precision %.3f (%d/%d) recall %.3f (%d/%d)\n", l,
			s.precision(l), s.tp[l], s.tp[l]+s.fp[l], s.recall(l), s.tp[l], s.tp[l]+s.fn[l])
	}
	fmt.Fprintf(&b, "normal messages flagged: %.3f (%d/%d)", s.normalFlagged(), s.flagged, s.normal)
	return b.String()
}

func scoreCorpus(d *Detector, msgs []message) score {
	s := score{tp: map[string]int{}, fp: map[string]int{}, fn: map[string]int{}}
	for _, m := range msgs {
		got := d.Scan(m.Text)
		want := map[string]bool{}
		for _, l := range m.Labels {
			want[l] = true
		}
		wrong := false
		for _, l := range []string{ContactDetails, Concern} {
			switch {
			case want[l] && got.Has(l):
				s.tp[l]++
			case want[l]:
				s.fn[l]++
				wrong = true
			case got.Has(l):
				s.fp[l]++
				wrong = true
			}
		}
		if len(m.Labels) == 0 {
			s.normal++
			if got.Flagged() {
				s.flagged++
			}
		}
		if wrong {
			var why []string
			for _, r := range got.Reasons {
				why = append(why, fmt.Sprintf("%s %q", r.Rule, r.Text))
			}
			s.misses = append(s.misses, fmt.Sprintf("%s want %v got %v %q %s", m.ID, m.Labels, got.Labels, m.Text, strings.Join(why, "; ")))
		}
	}
	return s
}

func defaultDetector(t testing.TB) *Detector {
	t.Helper()
	d, err := New("")
	if err != nil {
		t.Fatalf("the embedded lists do not compile: %v", err)
	}
	return d
}

// The goals the detector is held to on the corpus it was tuned on.
const (
	contactRecallGoal = 0.95
	concernRecallGoal = 0.90
	normalFlaggedGoal = 0.05
)

func TestCorpusMeetsRecallAndFalsePositiveGoals(t *testing.T) {
	msgs := readCorpus(t, "testdata/corpus.jsonl")
	if len(msgs) < 450 {
		t.Fatalf("corpus has %d messages, want at least 450", len(msgs))
	}
	s := scoreCorpus(defaultDetector(t), msgs)
	t.Logf("tuning corpus, %d messages:\n%s", len(msgs), s)
	failed := s.recall(ContactDetails) < contactRecallGoal || s.recall(Concern) < concernRecallGoal ||
		s.normalFlagged() > normalFlaggedGoal
	if failed || testing.Verbose() {
		for _, m := range s.misses {
			t.Log(m)
		}
	}
	if failed {
		t.Errorf("below goals: contact recall >= %.2f, concern recall >= %.2f, normal flagged <= %.2f",
			contactRecallGoal, concernRecallGoal, normalFlaggedGoal)
	}
}

// The held-out messages are never tuned against: their figures estimate
// how the detector does on messages it has not seen. heldout.jsonl was
// written before any rule; heldout2, 3 and 4 were each
// split at random (by hash) from a fresh batch written later, whose other
// half then joined the tuning corpus, and were first scored before any rule
// changed. heldout5 was written after the concern cues and the broader
// contact patterns, and scored once. heldout6 was written before the
// word-lookup matcher and the broader cue families, and first scored before
// any change (contact recall 0.938, concern 0.769, normals flagged 1/70);
// its later figures are optimistic, as its misses were read. They are
// reported, not enforced.
func TestHeldOutFigures(t *testing.T) {
	for _, path := range []string{"testdata/heldout.jsonl", "testdata/heldout2.jsonl", "testdata/heldout3.jsonl", "testdata/heldout4.jsonl", "testdata/heldout5.jsonl", "testdata/heldout6.jsonl"} {
		msgs := readCorpus(t, path)
		s := scoreCorpus(defaultDetector(t), msgs)
		t.Logf("%s, %d messages:\n%s", path, len(msgs), s)
		if os.Getenv("DETECT_SHOW_HELDOUT_MISSES") != "" {
			for _, m := range s.misses {
				t.Log(m)
			}
		}
	}
}

// d1-d6 were written for Onramp by six people independently, to the
// corpus brief, and tuned on in four rounds (d1+d2, then d3+d4, then d5,
// then d6), each round's new files scored before their misses were read;
// the commit messages of branch detect-tune give those unseen figures. The
// floors are what the detector reached on them less a message or a few,
// so that a change that loses what was learnt fails here.
func TestIndependentCorporaHoldWhatWasReached(t *testing.T) {
	for _, c := range []struct {
		path                            string
		contact, concern, normalFlagged float64
	}{
		{"testdata/d1.jsonl", 0.96, 0.90, 0.02},
		{"testdata/d2.jsonl", 0.98, 0.89, 0.02},
		{"testdata/d3.jsonl", 0.95, 0.93, 0.02},
		{"testdata/d4.jsonl", 0.96, 0.91, 0.02},
		{"testdata/d5.jsonl", 0.97, 0.96, 0.02},
		{"testdata/d6.jsonl", 0.93, 0.94, 0.02},
	} {
		t.Run(c.path, func(t *testing.T) {
			msgs := readCorpus(t, c.path)
			s := scoreCorpus(defaultDetector(t), msgs)
			t.Logf("%d messages:\n%s", len(msgs), s)
			if s.recall(ContactDetails) < c.contact || s.recall(Concern) < c.concern || s.normalFlagged() > c.normalFlagged {
				for _, m := range s.misses {
					t.Log(m)
				}
				t.Errorf("below what was reached: contact recall >= %.2f, concern recall >= %.2f, normal flagged <= %.2f",
					c.contact, c.concern, c.normalFlagged)
			}
		})
	}
}

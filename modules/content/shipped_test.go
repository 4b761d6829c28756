package content

import (
	"archive/zip"
	"bytes"
	"reflect"
	"testing"

	"onramp/assets"
)

// minimumModules is what each shipped programme must have, at least.
var minimumModules = map[string]int{"get-started": 5, "get-into": 6, "step-into-work": 8, "mentoring-young-people-safely": 1}

func shipped(t *testing.T) map[string]*Package {
	t.Helper()
	out := map[string]*Package{}
	for slug := range minimumModules {
		p, err := ReadPackage(assets.Content, slug)
		if err != nil {
			t.Fatalf("reading %s: %v", slug, err)
		}
		out[slug] = p
	}
	return out
}

func TestShippedProgrammesHaveEnoughModulesLessonsAndQuestions(t *testing.T) {
	for slug, p := range shipped(t) {
		if len(p.Modules) < minimumModules[slug] {
			t.Errorf("%s has %d modules, want at least %d", slug, len(p.Modules), minimumModules[slug])
		}
		for _, m := range p.Modules {
			if n := len(m.Lessons); n < 3 || n > 6 {
				t.Errorf("%s/%s has %d lessons, want 3 to 6", slug, m.Slug, n)
			}
			if m.Check == nil || len(m.Check.Questions) < 5 {
				t.Errorf("%s/%s needs a knowledge check of 5 or more questions", slug, m.Slug)
			}
			for _, l := range m.Lessons {
				if w := WordCount(l.Body); w < 150 || w > 600 {
					t.Errorf("%s/%s/%s has %d words, want 150 to 600", slug, m.Slug, l.Slug, w)
				}
			}
		}
	}
}

func TestShippedLessonsReadabilityIsAtLeast60(t *testing.T) {
	for slug, p := range shipped(t) {
		for _, m := range p.Modules {
			for _, l := range m.Lessons {
				if score := Readability(l.Body); score < 60 {
					t.Errorf("%s/%s/%s: Flesch reading ease %.1f, want 60 or more", slug, m.Slug, l.Slug, score)
				}
			}
		}
	}
}

func TestTheMentorInductionShipsOpenAndForMentors(t *testing.T) {
	p := shipped(t)["mentoring-young-people-safely"]
	if !p.Meta.ForMentors() || !p.Meta.Open {
		t.Errorf("the mentor induction has for %q, open %v; want for mentors and open", p.Meta.For, p.Meta.Open)
	}
	for slug, p := range shipped(t) {
		if slug != "mentoring-young-people-safely" && p.Meta.ForMentors() {
			t.Errorf("%s, a learner programme, is marked for mentors", slug)
		}
	}
}

func TestReadabilityTellsPlainFromDenseText(t *testing.T) {
	plain := "You wash your hands. You do it a lot. It keeps people safe."
	dense := "Comprehensive organisational accountability necessitates multidisciplinary institutional collaboration, notwithstanding considerable administrative complexity."
	if p, d := Readability(plain), Readability(dense); p < 80 || d > 20 {
		t.Errorf("plain scored %.1f (want 80+), dense scored %.1f (want under 20)", p, d)
	}
	for word, want := range map[string]int{"the": 1, "care": 1, "nurse": 1, "hospital": 3, "safeguarding": 4, "values": 2} {
		if got := Syllables(word); got != want {
			t.Errorf("Syllables(%q) = %d, want %d", word, got, want)
		}
	}
}

func TestPackageZipRoundTripIsLossless(t *testing.T) {
	for slug, p := range shipped(t) {
		var first bytes.Buffer
		if err := p.WriteZip(&first); err != nil {
			t.Fatal(err)
		}
		back, err := ReadZip(bytes.NewReader(first.Bytes()), int64(first.Len()))
		if err != nil {
			t.Fatalf("%s: reading the exported zip: %v", slug, err)
		}
		if !reflect.DeepEqual(p, back) {
			t.Errorf("%s: the package read back from its zip differs from the original", slug)
		}
		var second bytes.Buffer
		if err := back.WriteZip(&second); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Errorf("%s: exporting the re-read package gave different bytes", slug)
		}
	}
}

func TestReadZipRefusesUnsafeOrForeignArchives(t *testing.T) {
	if _, err := ReadZip(bytes.NewReader([]byte("not a zip")), 9); err == nil {
		t.Error("a non-zip was accepted")
	}
	for _, names := range [][]string{{"p/../../etc/passwd"}, {"one/programme.md", "two/programme.md"}} {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, n := range names {
			w, _ := zw.Create(n)
			w.Write([]byte("---\ntitle: x\n---\n"))
		}
		zw.Close()
		if _, err := ReadZip(bytes.NewReader(buf.Bytes()), int64(buf.Len())); err == nil {
			t.Errorf("zip with %v was accepted", names)
		}
	}
}

// firstRightShare is the most of a set of single-answer questions that may
// have the right answer as their first option. Options are shuffled for
// every attempt, but the files are read as they are too (by editors, in
// exports, by any API client that shows them in order), so a habit of
// writing the answer first must not creep back.
const firstRightShare = 40

func TestShippedSingleAnswerQuestionsRarelyPutTheRightAnswerFirst(t *testing.T) {
	first, total := 0, 0
	for slug, p := range shipped(t) {
		pf, pt := 0, 0
		for _, m := range p.Modules {
			if m.Check == nil {
				continue
			}
			for _, q := range m.Check.Questions {
				if q.Kind != KindSingle || len(q.Options) == 0 {
					continue
				}
				pt++
				if q.Options[0].Correct {
					pf++
				}
			}
		}
		if pt >= 20 && pf*100 > firstRightShare*pt {
			t.Errorf("%s: %d of %d single-answer questions have the right answer first, want at most %d%%", slug, pf, pt, firstRightShare)
		}
		first, total = first+pf, total+pt
	}
	if total == 0 {
		t.Fatal("no single-answer questions found in the shipped programmes")
	}
	if first*100 > firstRightShare*total {
		t.Errorf("%d of %d single-answer questions have the right answer first, want at most %d%%", first, total, firstRightShare)
	}
	t.Logf("%d of %d single-answer questions have the right answer first", first, total)
}

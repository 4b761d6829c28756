package monitoring

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// shown renders a table as "label E/C/rate" lines, the way a reader sees it.
func shown(t Table) []string {
	var out []string
	for _, r := range append(append([]Row{}, t.Rows...), t.Total) {
		out = append(out, fmt.Sprintf("%s %s/%s/%s", r.Label, r.Enrolled, r.Completed, r.Rate))
	}
	return out
}

// raw is a table of rows. The tests of suppression give every cell the key
// 0, which adjusts every count above 8 down to a multiple of 3 (see
// Perturb): the shown numbers are those, and the rules are about the true
// ones.
func raw(rows ...RawRow) RawTable { return RawTable{Code: "test", Title: "Test", Rows: rows} }

func checkShown(t *testing.T, got Table, want ...string) {
	t.Helper()
	if g := shown(got); !slices.Equal(g, want) {
		t.Errorf("published table:\n  %s\nwant:\n  %s", strings.Join(g, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestEveryCountFromOneToSevenIsSuppressedAndZeroIsShown(t *testing.T) {
	got := Suppress(raw(
		RawRow{"a", "A", 0, 0, 0, 0},
		RawRow{"b", "B", 1, 0, 0, 0},
		RawRow{"c", "C", 7, 7, 0, 0},
		RawRow{"d", "D", 8, 0, 0, 0},
		RawRow{"e", "E", 40, 32, 0, 0},
	))
	checkShown(t, got,
		"A 0/0/",
		"B [c]/[c]/[c]",
		"C [c]/[c]/[c]",
		"D 8/0/0%",
		// B and C's hidden completed numbers would add up to 7 (39 - 32):
		// secondary suppression hides E's too. 40 is shown as 39.
		"E 39/[c]/[c]",
		"Total 54/39/72%")
}

// The table the brief describes: only Male's 5 is small, so without more
// suppression 34 - 20 - 9 would give it away. The next smallest non-zero
// cell (Prefer not to say, 9) is suppressed too; a row whose enrolled
// number is hidden hides its completed number as well.
func TestOneSuppressedCellWouldBeDerivableFromTheTotalSoTheNextSmallestIsSuppressed(t *testing.T) {
	in := raw(
		RawRow{"female", "Female", 20, 12, 0, 0},
		RawRow{"male", "Male", 5, 3, 0, 0},
		RawRow{"prefer_not_to_say", "Prefer not to say", 9, 9, 0, 0},
		RawRow{"not_answered", "Not answered", 0, 0, 0, 0},
	)
	got := Suppress(in)
	checkShown(t, got,
		"Female 18/12/67%",
		"Male [c]/[c]/[c]",
		"Prefer not to say [c]/[c]/[c]",
		"Not answered 0/0/",
		"Total 33/24/73%")
}

func TestTheCompletedColumnIsProtectedOnItsOwn(t *testing.T) {
	got := Suppress(raw(
		RawRow{"a", "A", 30, 20, 0, 0},
		RawRow{"b", "B", 12, 4, 0, 0},
		RawRow{"c", "C", 20, 9, 0, 0},
	))
	// B's 4 completed is small; 33 - 20 would give it, so C's 9 goes too.
	checkShown(t, got,
		"A 30/18/60%",
		"B 12/[c]/[c]",
		"C 18/[c]/[c]",
		"Total 60/33/55%")
}

// Two suppressed cells that add up to 2 must both be 1: suppressed cells
// must add up to more than the threshold.
func TestSuppressedCellsAddingUpToASmallNumberAreProtected(t *testing.T) {
	got := Suppress(raw(
		RawRow{"a", "A", 1, 0, 0, 0},
		RawRow{"b", "B", 1, 0, 0, 0},
		RawRow{"c", "C", 30, 15, 0, 0},
	))
	checkShown(t, got,
		"A [c]/[c]/[c]",
		"B [c]/[c]/[c]",
		"C [c]/[c]/[c]",
		"Total 30/15/50%")
}

// A manager knows who did not finish, so a small number not completing
// (enrolled minus completed) in a group would tell them that person's
// characteristic: the completed number beside it is hidden, and then the
// completed column is protected as usual.
func TestASmallNumberNotCompletingCannotBeWorkedOut(t *testing.T) {
	got := Suppress(raw(
		RawRow{"a", "A", 10, 9, 0, 0},
		RawRow{"b", "B", 20, 12, 0, 0},
		RawRow{"c", "C", 0, 0, 0, 0},
	))
	checkShown(t, got,
		"A 9/[c]/[c]",
		"B 18/[c]/[c]",
		"C 0/0/",
		"Total 30/21/70%")
}

func TestASmallTotalIsSuppressedWithEverythingInIt(t *testing.T) {
	got := Suppress(raw(RawRow{"a", "A", 3, 1, 0, 0}, RawRow{"b", "B", 2, 0, 0, 0}, RawRow{"c", "C", 0, 0, 0, 0}))
	checkShown(t, got, "A [c]/[c]/[c]", "B [c]/[c]/[c]", "C 0/0/", "Total [c]/[c]/[c]")
}

// When nothing else can be suppressed the column total is, and since every
// table of a report counts the same learners it is suppressed in all of
// them: otherwise another table would give it back.
func TestATotalSuppressedInOneTableIsSuppressedInEveryTable(t *testing.T) {
	got := SuppressAll([]RawTable{
		{Code: "one", Rows: []RawRow{{"a", "A", 20, 15, 0, 0}, {"b", "B", 10, 0, 0, 0}}},
		{Code: "two", Rows: []RawRow{{"x", "X", 15, 8, 0, 0}, {"y", "Y", 15, 7, 0, 0}}},
	})
	checkShown(t, got[0], "A 18/[c]/[c]", "B 9/0/0%", "Total 30/[c]/[c]")
	checkShown(t, got[1], "X 15/[c]/[c]", "Y 15/[c]/[c]", "Total 30/[c]/[c]")
}

func TestRates(t *testing.T) {
	for _, c := range []struct {
		part, whole, want int
	}{{8, 8, 100}, {0, 9, 0}, {199, 200, 99}, {1, 200, 1}, {10, 16, 63}, {12, 20, 60}} {
		if got := percent(c.part, c.whole); got != c.want {
			t.Errorf("percent(%d, %d) = %d, want %d", c.part, c.whole, got, c.want)
		}
	}
	got := Suppress(raw(RawRow{"a", "A", 0, 0, 0, 0}, RawRow{"b", "B", 18, 9, 0, 0}))
	if got.Rows[0].Rate.Known() || got.Rows[0].Rate.String() != "" {
		t.Errorf("a rate of nobody: %+v", got.Rows[0].Rate)
	}
	b, _ := json.Marshal(got.Rows[0].Rate)
	if string(b) != `{"value":null,"suppressed":false}` {
		t.Errorf("a rate of nobody as JSON: %s", b)
	}
	b, _ = json.Marshal(got.Rows[1].Rate)
	if string(b) != `{"value":50,"suppressed":false}` {
		t.Errorf("a rate as JSON: %s", b)
	}
}

func TestSuppressedCountsCarryNoValue(t *testing.T) {
	got := Suppress(raw(RawRow{"a", "A", 5, 2, 0, 0}, RawRow{"b", "B", 40, 30, 0, 0}))
	c := got.Rows[0].Enrolled
	if !c.Suppressed() || c.Value() != 0 || c.String() != SuppressedMark {
		t.Errorf("suppressed count: %+v %q", c, c.String())
	}
	b, _ := json.Marshal(c)
	if string(b) != `{"value":null,"suppressed":true}` {
		t.Errorf("suppressed count as JSON: %s", b)
	}
	b, _ = json.Marshal(got.Total.Enrolled)
	if string(b) != `{"value":45,"suppressed":false}` {
		t.Errorf("count as JSON: %s", b)
	}
}

// TestSuppressionRulesHoldForRandomTables checks the rules on many random
// tables shaped like real reports (many small groups, a few large ones).
func TestSuppressionRulesHoldForRandomTables(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 20000 {
		rows := make([]RawRow, 2+rng.IntN(7))
		for i := range rows {
			e := rng.IntN(12)
			if rng.IntN(3) == 0 {
				e = rng.IntN(80)
			}
			c := 0
			if e > 0 {
				c = rng.IntN(e + 1)
			}
			// A cell's key is its people's keys added up: everyone
			// completing makes the two cells the same people, and nobody
			// adds up to 0.
			ek, ck := uint8(rng.IntN(256)), uint8(rng.IntN(256))
			switch c {
			case e:
				ck = ek
			case 0:
				ck = 0
			}
			rows[i] = RawRow{Code: fmt.Sprint(i), Label: fmt.Sprint(i), Enrolled: e, Completed: c, EnrolledKey: ek, CompletedKey: ck}
		}
		in := RawTable{Code: "t", Rows: rows}
		got := Suppress(in)
		if msg := ruleBroken(in, got); msg != "" {
			t.Fatalf("table %d %+v: %s\n  %s", n, rows, msg, strings.Join(shown(got), "\n  "))
		}
	}
}

// ruleBroken returns which publication rule got breaks, or "". The rules
// about what could be worked out are about the true counts; the shown ones
// are adjusted.
func ruleBroken(in RawTable, got Table) string {
	rows := append(append([]Row{}, got.Rows...), got.Total)
	truth := append([]RawRow{}, in.Rows...)
	var total RawRow
	for _, r := range in.Rows {
		total.Enrolled += r.Enrolled
		total.Completed += r.Completed
	}
	truth = append(truth, total)
	for i, r := range rows {
		for j, c := range []Count{r.Enrolled, r.Completed} {
			if c.Suppressed() {
				continue
			}
			v := []int{truth[i].Enrolled, truth[i].Completed}[j]
			switch {
			case small(c.Value()):
				return "a count from 1 to 7 is shown"
			case c.Value() < v-MaxAdjustment || c.Value() > v+MaxAdjustment:
				return "a count is adjusted by more than MaxAdjustment"
			case (v == 0) != (c.Value() == 0):
				return "a zero is adjusted, or a count is adjusted to zero"
			}
		}
		if r.Enrolled.Suppressed() && !r.Completed.Suppressed() {
			return "completed is shown beside a suppressed enrolled"
		}
		// The total row is about nobody's characteristics (and cohort
		// dashboards show it anyway), so its number not completing may be small.
		if r.Code != "total" && !r.Enrolled.Suppressed() && !r.Completed.Suppressed() && small(truth[i].Enrolled-truth[i].Completed) {
			return "a small number not completing can be worked out"
		}
		if rt := r.Rate; rt.Known() && !rt.Suppressed() {
			everyone, nobody := truth[i].Completed == truth[i].Enrolled, truth[i].Completed == 0
			if rt.percent < 0 || rt.percent > 100 || (rt.percent == 100) != everyone || (rt.percent == 0) != nobody {
				return "a rate says everyone or nobody completed when that is not so, or is out of range"
			}
		}
		if r.Rate.Suppressed() != (r.Enrolled.Suppressed() || r.Completed.Suppressed()) {
			return "a rate is shown beside a suppressed count, or suppressed for nothing"
		}
	}
	type column struct {
		name     string
		count    func(Row) (int, bool) // visible value, suppressed
		truth    func(RawRow) int
		minSum   int
		totalVis bool
		total    int
	}
	e := func(r Row) (int, bool) { return r.Enrolled.Value(), r.Enrolled.Suppressed() }
	c := func(r Row) (int, bool) { return r.Completed.Value(), r.Completed.Suppressed() }
	n := func(r Row) (int, bool) {
		return r.Enrolled.Value() - r.Completed.Value(), r.Enrolled.Suppressed() || r.Completed.Suppressed()
	}
	totalE, totalC := got.Total.Enrolled, got.Total.Completed
	cols := []column{
		{"enrolled", e, func(r RawRow) int { return r.Enrolled }, Threshold + 1, !totalE.Suppressed(), totalE.Value()},
		{"completed", c, func(r RawRow) int { return r.Completed }, Threshold + 1, !totalC.Suppressed(), totalC.Value()},
		{"not completed", n, func(r RawRow) int { return r.Enrolled - r.Completed }, 0,
			!totalE.Suppressed() && !totalC.Suppressed(), totalE.Value() - totalC.Value()},
	}
	for _, col := range cols {
		if !col.totalVis || col.total == 0 {
			continue // nothing can be subtracted from an unknown total; a zero total hides nothing
		}
		hidden, sum := 0, 0
		for i, r := range got.Rows {
			if _, sup := col.count(r); sup {
				hidden++
				sum += col.truth(in.Rows[i])
			}
		}
		switch {
		case hidden == 1:
			return "one suppressed " + col.name + " cell equals the total minus the rest"
		case hidden > 1 && sum < col.minSum:
			return "the suppressed " + col.name + " cells add up to a small number"
		}
	}
	return ""
}

func TestQuestionsOfferEveryCategoryOnceAndPreferNotToSayEverywhere(t *testing.T) {
	form := answersForm{}.values()
	for _, q := range Questions {
		if _, ok := form[q.Field]; !ok {
			t.Errorf("the form does not bind %s", q.Field)
		}
		if !q.Valid(PreferNotToSay.Code) || q.Valid("") || q.Valid("something else") {
			t.Errorf("%s: wrong answers accepted", q.Field)
		}
		seen := map[string]bool{}
		for _, o := range q.Categories() {
			if seen[o.Code] {
				t.Errorf("%s: category %s twice", q.Field, o.Code)
			}
			seen[o.Code] = true
		}
	}
	if len(form) != len(Questions) {
		t.Errorf("the form binds %d answers for %d questions", len(form), len(Questions))
	}
	eth := Questions[2]
	options := 0
	for _, g := range eth.Groups {
		options += len(g.Options)
		for _, o := range g.Options {
			if !strings.HasPrefix(o.Code, g.Code+"_") {
				t.Errorf("ethnicity %s is not reported in group %s", o.Code, g.Code)
			}
		}
	}
	if eth.Field != "ethnicity" || len(eth.Groups) != 5 || options != 19 {
		t.Errorf("ethnicity has %d groups and %d options, want the 5 and 19 of the 2021 Census", len(eth.Groups), options)
	}
	if got := len(eth.Categories()); got != 7 {
		t.Errorf("ethnicity is reported in %d categories, want 5 groups, prefer not to say and not answered", got)
	}
}

package monitoring

import (
	"encoding/json"
	"strconv"

	pct "onramp/app/percent"
)

// Threshold is the largest count that is never shown: any count from 1 to
// Threshold is suppressed. Zero is shown.
const Threshold = 7

// SuppressedMark stands in for a suppressed number in HTML and CSV.
const SuppressedMark = "[c]"

// Count is a number in a published table, or a suppressed one. A
// suppressed count no longer holds its value, so nothing downstream (a
// template, the JSON encoder, the CSV writer) can leak it by mistake.
type Count struct {
	n          int
	suppressed bool
}

// Suppressed reports whether the count is withheld.
func (c Count) Suppressed() bool { return c.suppressed }

// Value is the count, or 0 when it is suppressed.
func (c Count) Value() int { return c.n }

// String is the count, or SuppressedMark.
func (c Count) String() string {
	if c.suppressed {
		return SuppressedMark
	}
	return strconv.Itoa(c.n)
}

// MarshalJSON writes {"value": n, "suppressed": false}, or
// {"value": null, "suppressed": true}.
func (c Count) MarshalJSON() ([]byte, error) {
	var v *int
	if !c.suppressed {
		v = &c.n
	}
	return json.Marshal(struct {
		Value      *int `json:"value"`
		Suppressed bool `json:"suppressed"`
	}{v, c.suppressed})
}

// Rate is a completion rate in whole percent, worked out from the
// published (adjusted) counts. It is suppressed when either of its counts
// is, and unknown when nobody is enrolled.
type Rate struct {
	percent           int
	known, suppressed bool
}

// Suppressed reports whether the rate is withheld.
func (r Rate) Suppressed() bool { return r.suppressed }

// Known reports whether there is a rate to show.
func (r Rate) Known() bool { return r.known }

// String is "62%", SuppressedMark, or "" when there is no rate.
func (r Rate) String() string {
	switch {
	case r.suppressed:
		return SuppressedMark
	case !r.known:
		return ""
	}
	return strconv.Itoa(r.percent) + "%"
}

// Number is the rate for a spreadsheet: "62", SuppressedMark, or "" when
// there is no rate.
func (r Rate) Number() string {
	if r.known && !r.suppressed {
		return strconv.Itoa(r.percent)
	}
	return r.String()
}

// MarshalJSON writes {"value": 62, "suppressed": false}; the value is null
// when the rate is suppressed or there is nobody to take a rate of.
func (r Rate) MarshalJSON() ([]byte, error) {
	var v *int
	if r.known && !r.suppressed {
		v = &r.percent
	}
	return json.Marshal(struct {
		Value      *int `json:"value"`
		Suppressed bool `json:"suppressed"`
	}{v, r.suppressed})
}

// RawRow is one category's true counts of people, before suppression,
// with their cell keys (their people's report keys added up, modulo 256;
// see Perturb).
type RawRow struct {
	Code, Label               string
	Enrolled, Completed       int
	EnrolledKey, CompletedKey uint8
}

// RawTable is one characteristic's categories before suppression. Its rows
// partition the people: every person in the report is in exactly one row,
// so the rows (and their keys) add up to the total.
type RawTable struct {
	Code, Title string
	Rows        []RawRow
}

// Row is one category of a published table.
type Row struct {
	Code, Label         string
	Enrolled, Completed Count
	Rate                Rate
}

// Table is one characteristic's published breakdown with its total.
type Table struct {
	Code, Title string
	Rows        []Row
	Total       Row
}

// Suppress makes one table safe to publish (see SuppressAll).
func Suppress(t RawTable) Table { return SuppressAll([]RawTable{t})[0] }

// SuppressAll makes a report's tables safe to publish, so that no count
// from 1 to Threshold is shown or can be worked out from what is shown.
// Each table shows, per category, the number enrolled (E), the number who
// completed (C) and the completion rate, plus a total row. The number who
// did not complete (N = E - C) is not shown but anyone can subtract.
//
// Which cells to suppress is decided on the true counts, by the rules
// below, so the guarantees hold before any adjustment. Every count still
// shown is then published adjusted by its cell key (Perturb), the total
// by its own key too, so the rows need not add up to it exactly; rates
// are worked out from the adjusted counts. The adjustment only ever adds
// uncertainty to what subtraction could otherwise give back.
//
// Primary suppression: every E and C from 1 to Threshold, in the rows and
// the totals; and C wherever N is from 1 to Threshold, because the
// programme manager knows who did not finish and must not learn their
// characteristics from a small N. (Not in the total row: it is about
// nobody's characteristics, and the cohort dashboards show it anyway.)
//
// A row (the total row too) whose E is suppressed has its C suppressed
// too, so that a small group's outcome ("0 of [c] completed") is not given
// away.
//
// Secondary suppression, column by column, because a shown total minus the
// shown cells gives the sum of the suppressed ones:
//   - in the E and C columns, the suppressed cells must be at least two and
//     add up to more than Threshold; otherwise the smallest non-zero shown
//     cell is suppressed too, and so on. (One suppressed cell would equal
//     the difference; two that add up to a small number give away a small
//     combined count, and two that add up to 2 must both be 1.)
//   - in the hidden N column, at least two cells must be unknown; the C
//     beside the smallest non-zero shown N is suppressed until they are.
//
// When a column has nothing left to suppress, its total is suppressed. All
// tables of one report count the same learners, so a total suppressed in
// any table is suppressed in every table. A rate is suppressed when its
// E or C is.
func SuppressAll(raw []RawTable) []Table {
	works := make([]*work, len(raw))
	var hideE, hideC bool
	for i, t := range raw {
		works[i] = protect(t)
		hideE = hideE || works[i].totalE.hidden
		hideC = hideC || works[i].totalC.hidden
	}
	out := make([]Table, len(raw))
	for i, t := range raw {
		w := works[i]
		w.totalE.hidden = w.totalE.hidden || hideE
		w.totalC.hidden = w.totalC.hidden || hideC
		tab := Table{Code: t.Code, Title: t.Title, Rows: make([]Row, len(t.Rows))}
		for j, r := range t.Rows {
			tab.Rows[j] = publish(r.Code, r.Label, w.e[j], w.c[j])
		}
		tab.Total = publish("total", "Total", w.totalE, w.totalC)
		out[i] = tab
	}
	return out
}

type cell struct {
	v      int
	key    uint8
	hidden bool
}

// work is a table being protected: E and C per row and their totals.
type work struct {
	e, c           []cell
	totalE, totalC cell
}

func small(v int) bool { return v >= 1 && v <= Threshold }

func protect(t RawTable) *work {
	w := &work{e: make([]cell, len(t.Rows)), c: make([]cell, len(t.Rows))}
	keyE, keyC := 0, 0
	for i, r := range t.Rows {
		w.e[i] = cell{v: r.Enrolled, key: r.EnrolledKey, hidden: small(r.Enrolled)}
		w.c[i] = cell{v: r.Completed, key: r.CompletedKey, hidden: small(r.Completed) || small(r.Enrolled-r.Completed)}
		w.totalE.v += r.Enrolled
		w.totalC.v += r.Completed
		keyE += int(r.EnrolledKey)
		keyC += int(r.CompletedKey)
	}
	w.totalE.key, w.totalC.key = cellKey(keyE), cellKey(keyC)
	w.totalE.hidden = small(w.totalE.v)
	w.totalC.hidden = small(w.totalC.v)

	// Every step only ever suppresses more, so this settles.
	for changed := true; changed; {
		changed = false
		for i := range w.e {
			if w.e[i].hidden && !w.c[i].hidden {
				w.c[i].hidden, changed = true, true
			}
		}
		if w.totalE.hidden && !w.totalC.hidden {
			w.totalC.hidden, changed = true, true
		}
		if protectColumn(w.e, &w.totalE, Threshold+1) {
			changed = true
		}
		if protectColumn(w.c, &w.totalC, Threshold+1) {
			changed = true
		}
		if !w.totalE.hidden {
			// N is unknown exactly where C is (a hidden E hides its C), and
			// its total is unknown once C's is; suppressing an N means
			// suppressing the C beside it.
			n := make([]cell, len(w.c))
			for i := range n {
				n[i] = cell{v: w.e[i].v - w.c[i].v, hidden: w.c[i].hidden}
			}
			totalN := cell{v: w.totalE.v - w.totalC.v, hidden: w.totalC.hidden}
			if protectColumn(n, &totalN, 0) {
				changed = true
				for i := range n {
					w.c[i].hidden = w.c[i].hidden || n[i].hidden
				}
				w.totalC.hidden = w.totalC.hidden || totalN.hidden
			}
		}
	}
	return w
}

// protectColumn suppresses more cells of a column until its suppressed
// cells are at least two and add up to at least minSum, or until the
// total is suppressed (a column with an unknown total gives nothing away
// by subtraction; nor does one whose total is 0). It reports a change.
func protectColumn(cells []cell, total *cell, minSum int) bool {
	changed := false
	for !total.hidden && total.v != 0 {
		n, sum := 0, 0
		for _, c := range cells {
			if c.hidden {
				n++
				sum += c.v
			}
		}
		if n == 0 || (n >= 2 && sum >= minSum) {
			return changed
		}
		next := -1
		for i, c := range cells {
			if !c.hidden && c.v > 0 && (next < 0 || c.v < cells[next].v) {
				next = i
			}
		}
		if next < 0 {
			total.hidden = true
			return true
		}
		cells[next].hidden = true
		changed = true
	}
	return changed
}

// publish adjusts the cells still shown and works out the rate from the
// adjusted counts.
func publish(code, label string, e, c cell) Row {
	r := Row{Code: code, Label: label, Enrolled: count(e), Completed: count(c)}
	switch {
	case e.hidden || c.hidden:
		r.Rate = Rate{suppressed: true}
	case e.v > 0:
		r.Rate = Rate{percent: rate(r.Completed.n, r.Enrolled.n, c.v == e.v, c.v == 0), known: true}
	}
	return r
}

func count(c cell) Count {
	if c.hidden {
		return Count{suppressed: true}
	}
	return Count{n: Perturb(c.v, c.key)}
}

// rate is part of whole in whole percent, from adjusted counts, but says
// 100% exactly when everyone completed and 0% exactly when nobody did.
// (Everyone completing makes the two cells the same people, so their
// adjusted counts are equal anyway; only a total row can have an adjusted
// part above its whole.)
func rate(part, whole int, everyone, nobody bool) int {
	switch {
	case everyone:
		return 100
	case nobody:
		return 0
	}
	return min(max(percent(part, whole), 1), 99)
}

// percent is the one rounding rule every page uses (app/percent).
func percent(part, whole int) int { return pct.Of(part, whole) }

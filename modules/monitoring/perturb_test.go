package monitoring

import "testing"

// The lookup's promises, for every count a report could hold and every
// cell key.
func TestTheAdjustmentIsSmallUnbiasedAndNeverRevealsASmallCount(t *testing.T) {
	for n := 0; n <= 5000; n++ {
		sum, values := 0, map[int]bool{}
		for k := range keys {
			got := Perturb(n, uint8(k))
			if again := Perturb(n, uint8(k)); again != got {
				t.Fatalf("Perturb(%d, %d) gave %d then %d", n, k, got, again)
			}
			adj := got - n
			switch {
			case adj < -MaxAdjustment || adj > MaxAdjustment:
				t.Fatalf("Perturb(%d, %d) = %d: adjusted by more than %d", n, k, got, MaxAdjustment)
			case n == 0 && got != 0, n > 0 && got == 0:
				t.Fatalf("Perturb(%d, %d) = %d: a zero must stay zero and nothing else become it", n, k, got)
			case n > Threshold && small(got):
				t.Fatalf("Perturb(%d, %d) = %d: shows a count from 1 to %d", n, k, got, Threshold)
			case n <= Threshold && got != n:
				t.Fatalf("Perturb(%d, %d) = %d: counts that are suppressed anyway need no adjustment", n, k, got)
			}
			sum += adj
			values[got] = true
		}
		if sum != 0 {
			t.Errorf("count %d: the adjustments add up to %d over the %d keys, want 0", n, sum, keys)
		}
		// Above the threshold the key must matter, or one person more would
		// always show: every count not a multiple of 3 has more than one
		// published value.
		if n > Threshold+1 && n%3 != 0 && len(values) < 2 {
			t.Errorf("count %d is always published as the same number", n)
		}
	}
}

// One person more in a cell gives it a key nobody can predict. How often
// does the published number stay the same? Often, is the point of
// rounding: a comparison of two reports then mostly shows nothing.
func TestOnePersonMoreUsuallyPublishesTheSameNumber(t *testing.T) {
	total, counts := 0.0, 0
	for n := 9; n < 3000; n++ {
		same := 0
		for a := range keys {
			for b := range keys {
				if Perturb(n, uint8(a)) == Perturb(n+1, uint8(b)) {
					same++
				}
			}
		}
		p := float64(same) / (keys * keys)
		if p < 0.4 {
			t.Errorf("counts %d and %d publish the same number only %.0f%% of the time", n, n+1, 100*p)
		}
		total += p
		counts++
	}
	if avg := total / float64(counts); avg < 0.58 || avg > 0.6 {
		t.Errorf("on average %.1f%% of one-person changes are hidden; Perturb's comment says 59%%", 100*avg)
	}
}

// Each shown count is adjusted by its own cell key, the total row by the
// key of everyone in the table, and two cells of the same people (a group
// where everyone completed) are adjusted alike.
func TestShownCountsAreAdjustedByTheirCellKeys(t *testing.T) {
	in := raw(
		RawRow{"a", "A", 40, 22, 10, 200},
		RawRow{"b", "B", 20, 20, 100, 100},
		RawRow{"c", "C", 11, 0, 50, 0},
	)
	got := Suppress(in)
	checkShown(t, got,
		"A 39/24/62%", // 40 with key 10 goes down to 39; 22 with key 200 up to 24
		"B 21/21/100%",
		"C 9/0/0%",
		"Total 72/42/58%") // 71 people whose keys add up to 160: up to 72; 42 completed stays 42
	if got.Total.Enrolled.Value() == got.Rows[0].Enrolled.Value()+got.Rows[1].Enrolled.Value()+got.Rows[2].Enrolled.Value() {
		t.Error("the example should show that rows need not add up to the total")
	}
}

package monitoring

// The cell-key method (as the Australian Bureau of Statistics publishes
// census tables): every person has a random report key from 0 to 255
// (users.report_key, set once, never shown). A table cell's key is the sum
// of its people's report keys, modulo 256, added up by the report query.
// The number published for the cell is its true count adjusted by a fixed
// lookup of (count, cell key), Perturb below. So:
//
//   - the same people always give the same number: viewing a report again,
//     or enrolling the same person in more cohorts, cannot average the
//     adjustment away or move anything;
//   - one person more or less gives the cell a key that nobody can predict,
//     because nobody sees report keys, so comparing two reports shows at
//     most a blurred difference, and often none at all.

// MaxAdjustment is the most Perturb ever moves a count, either way.
const MaxAdjustment = 2

// keys is how many cell keys there are: report keys are added modulo this.
const keys = 256

// Perturb returns the number to publish for a table cell of n people whose
// report keys add up to key (modulo 256). It is the method's whole lookup
// table, written as a rule:
//
//   - 0 stays 0, and counts up to Threshold+1 are unchanged (1 to
//     Threshold are suppressed anyway, from the true count; for
//     Threshold+1, the only adjustment that averages to zero and never
//     shows a number from 1 to Threshold is none);
//   - above that, a multiple of 3 is unchanged, and any other count is
//     rounded to the multiple of 3 below or above it, as the key says. A
//     count one above a multiple of 3 goes down for 170 of the 256 keys
//     and up (by 2) for 85; one below, down (by 2) for 85 and up for 170;
//     the last key (255) leaves it unchanged. So the adjustment averages
//     to exactly zero over the keys for every count, is never more than
//     MaxAdjustment, and never turns a count above Threshold into 0 or a
//     number from 1 to Threshold.
//
// Rounding, rather than adding ±2 at random, is chosen because counts n
// and n+1 mostly publish the same number (59% of the time, averaged over
// the counts), so the cell that gained one person between two reports
// usually does not show it.
func Perturb(n int, key uint8) int {
	if n <= Threshold+1 {
		return n
	}
	k := int(key)
	switch n % 3 {
	case 1:
		switch {
		case k < 170:
			return n - 1
		case k < keys-1:
			return n + 2
		}
	case 2:
		switch {
		case k < 85:
			return n - 2
		case k < keys-1:
			return n + 1
		}
	}
	return n
}

// cellKey adds report keys (or cell keys) modulo 256.
func cellKey(sum int) uint8 { return uint8(((sum % keys) + keys) % keys) }

package match

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Score is a match score as an exact decimal: a whole number of
// millionths. Scores are added up and compared as integers, so a total
// never carries floating-point noise and the solver is exact.
//
// A score has at most ScoreDecimals decimal places and lies within
// ±MaxScore. Scores may be negative: a pair with a negative score is still
// eligible, and because the solver matches as many learners as it can
// before it looks at scores, it will use such a pair when that lets one
// more learner have a mentor.
type Score int64

// ScoreDecimals is how many decimal places a Score keeps.
const ScoreDecimals = 6

// ScoreUnit is the Score worth 1.
const ScoreUnit Score = 1_000_000

// MaxScore is the largest score accepted (and -MaxScore the smallest):
// a million, so that even a million learners' scores add up well inside
// an int64.
const MaxScore = 1_000_000 * ScoreUnit

// ErrNotANumber, ErrTooPrecise and ErrTooLarge say why ParseScore refused.
var (
	ErrNotANumber = errors.New("is not a number")
	ErrTooPrecise = fmt.Errorf("has more than %d decimal places", ScoreDecimals)
	ErrTooLarge   = errors.New("is outside -1000000 to 1000000")
)

// ParseScore reads a plain decimal such as "3", "-1.5" or "0.75". It
// refuses exponents, NaN and infinities (ErrNotANumber), more than six
// significant decimal places (ErrTooPrecise; trailing zeros are fine) and
// values beyond ±MaxScore (ErrTooLarge).
func ParseScore(s string) (Score, error) {
	t := strings.TrimSpace(s)
	neg := false
	if t != "" && (t[0] == '-' || t[0] == '+') {
		neg = t[0] == '-'
		t = t[1:]
	}
	whole, frac, _ := strings.Cut(t, ".")
	if whole == "" && frac == "" || !digits(whole) || !digits(frac) {
		return 0, ErrNotANumber
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > ScoreDecimals {
		return 0, ErrTooPrecise
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 7 { // more than 9,999,999: clearly too large, and safe from overflow below
		return 0, ErrTooLarge
	}
	var v int64
	if whole != "" {
		w, err := strconv.ParseInt(whole, 10, 64)
		if err != nil {
			return 0, ErrNotANumber
		}
		v = w * int64(ScoreUnit)
	}
	if frac != "" {
		f, err := strconv.ParseInt(frac+strings.Repeat("0", ScoreDecimals-len(frac)), 10, 64)
		if err != nil {
			return 0, ErrNotANumber
		}
		v += f
	}
	if neg {
		v = -v
	}
	if v > int64(MaxScore) || v < -int64(MaxScore) {
		return 0, ErrTooLarge
	}
	return Score(v), nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String writes the score as its shortest exact decimal: "3", "0.75", "-1.5".
func (s Score) String() string {
	v := int64(s)
	sign := ""
	if v < 0 {
		sign = "-"
	}
	u := uint64(v)
	if v < 0 {
		u = uint64(-v)
	}
	whole, frac := u/uint64(ScoreUnit), u%uint64(ScoreUnit)
	if frac == 0 {
		return sign + strconv.FormatUint(whole, 10)
	}
	f := strings.TrimRight(fmt.Sprintf("%06d", frac), "0")
	return sign + strconv.FormatUint(whole, 10) + "." + f
}

// MarshalJSON writes the score as a JSON number with its exact decimal
// value, e.g. 0.75.
func (s Score) MarshalJSON() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalJSON reads a JSON number (or a string holding one) with
// ParseScore's rules.
func (s *Score) UnmarshalJSON(b []byte) error {
	t := strings.Trim(string(b), `"`)
	v, err := ParseScore(t)
	if err != nil {
		return fmt.Errorf("score %s %w", b, err)
	}
	*s = v
	return nil
}

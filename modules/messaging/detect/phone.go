package detect

import (
	"bytes"
	"sort"
	"strings"
)

// phones finds runs of digits long enough to be a phone number, allowing
// the separators people use to hide one ("0 7 7", "07.700", "07x52x61"),
// and skipping numbers of public services, references, times and money.
func (d *Detector) phones(v *view, taken []span) []Reason {
	s := v.s
	blocked := make([]bool, len(s))
	// Most messages have no run of digits long enough: find out cheaply
	// before masking times, dates and money.
	long, total := false, 0
	for _, run := range digitRuns(s, blocked) {
		long = long || len(run.digits) >= 8
		total += len(run.digits)
	}
	if !long && total < 10 {
		return nil
	}
	for _, w := range digitWindows(s) {
		for _, loc := range d.shapes.masks.FindAllStringIndex(s[w.start:w.end], -1) {
			for k := w.start + loc[0]; k < w.start+loc[1]; k++ {
				blocked[k] = true
			}
		}
	}
	if len(taken) > 0 {
		for k := range s {
			if !blocked[k] && isDigit(s[k]) && inAny(taken, int(v.start[k])) {
				blocked[k] = true
			}
		}
	}
	var refEnds []int
	for _, m := range d.reference.find(s, indexView(s)) {
		refEnds = append(refEnds, m.end)
	}
	var out []Reason
	runs := digitRuns(s, blocked)
	phone := make([]bool, len(runs))
	for i, run := range runs {
		if run.commas > 3 && run.commas*2 >= run.groups {
			continue // a list of small numbers, "1, 2, 3, 4, 5"
		}
		if d.isPhone(s, run.start, run.digits, refEnds) {
			phone[i] = true
			start := run.start
			if start > 0 && s[start-1] == '+' {
				start--
			}
			os, oe := v.orig(start, run.end)
			out = append(out, Reason{Label: ContactDetails, Rule: "phone_number", Start: os, End: oe})
		}
	}
	return append(out, d.splitMobiles(v, runs, phone, refEnds)...)
}

// digitWindows are the parts of s around its digits, each starting and
// ending at a word boundary, so that the masks for times, dates and money
// (which all include a digit) can be run on them alone and match as they
// would on the whole of s.
func digitWindows(s string) []span {
	var out []span
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			continue
		}
		lo := max(0, i-8)
		for lo > 0 && isWordByte(s[lo-1]) {
			lo--
		}
		hi := min(len(s), i+20)
		for hi < len(s) && isWordByte(s[hi]) {
			hi++
		}
		if n := len(out); n > 0 && lo <= out[n-1].end {
			out[n-1].end = hi
		} else {
			out = append(out, span{lo, hi})
		}
		i = hi - 1 // s[hi] ends a word, so no digit run crosses it
	}
	return out
}

// splitMobiles finds a mobile number given in pieces with words between
// them ("07912 and the rest is 334 871", "07 seven 00 then 900 then 456"):
// short runs of digits, a few words apart, that together are exactly a UK
// mobile. Pieces of other numbers rarely add up to 07 and nine digits more.
func (d *Detector) splitMobiles(v *view, runs []digitRun, phone []bool, refEnds []int) []Reason {
	s := v.s
	var out []Reason
	for i := 0; i < len(runs); i++ {
		first := runs[i]
		if phone[i] || !(bytes.HasPrefix(first.digits, []byte("07")) || bytes.HasPrefix(first.digits, []byte("447"))) {
			continue
		}
		want := 11
		if first.digits[0] == '4' {
			want = 12
		}
		digits := append([]byte(nil), first.digits...)
		j := i
		for len(digits) < want && j+1 < len(runs) && !phone[j+1] && len(runs[j+1].digits) <= 6 {
			gap := s[runs[j].end:runs[j+1].start]
			if len(gap) > 30 || len(strings.Fields(gap)) > 5 {
				break
			}
			j++
			digits = append(digits, runs[j].digits...)
		}
		if j == i || len(digits) != want || !d.isPhone(s, first.start, digits, refEnds) {
			continue
		}
		os, oe := v.orig(first.start, runs[j].end)
		out = append(out, Reason{Label: ContactDetails, Rule: "phone_number", Start: os, End: oe})
		i = j
	}
	return out
}

// digitRun is a run of digits with the separators people put in a phone
// number to hide it.
type digitRun struct {
	start, end     int
	digits         []byte
	groups, commas int
}

// digitRuns finds the runs of digits in s, skipping blocked bytes.
func digitRuns(s string, blocked []bool) []digitRun {
	var out []digitRun
	for i := 0; i < len(s); {
		if !isDigit(s[i]) || blocked[i] {
			i++
			continue
		}
		run := digitRun{start: i, end: i, groups: 1}
		j := i
		for j < len(s) {
			if isDigit(s[j]) && !blocked[j] {
				run.digits = append(run.digits, s[j])
				run.end = j + 1
				j++
				continue
			}
			k, letters := j, 0
			for k < len(s) && !isDigit(s[k]) && k-j <= 4 {
				if isLetter(s[k]) {
					letters++
				}
				k++
			}
			gap := s[j:k]
			if k >= len(s) || !isDigit(s[k]) || blocked[k] || k-j > 4 || letters > 1 ||
				strings.ContainsAny(gap, "£$€%") || (letters == 1 && !isolatedLetter(gap)) {
				break
			}
			if strings.Contains(gap, ",") {
				run.commas++
			}
			run.groups++
			j = k
		}
		i = max(run.end, i+1)
		out = append(out, run)
	}
	return out
}

// orgNumbers drops the phone numbers said in the same sentence as an
// organisation ("the job advert says call 0113 ..."), unless the sentence
// also makes it personal ("my", "call me", "mobile").
func (d *Detector) orgNumbers(words *view, ws *wordIndex, phones []Reason) []Reason {
	if len(phones) == 0 {
		return nil
	}
	orgs := d.orgNumber.find(words.s, ws)
	if len(orgs) == 0 {
		return phones
	}
	personal := d.personalNumber.find(words.s, ws)
	var out []Reason
	for _, p := range phones {
		i := sort.Search(len(words.s), func(k int) bool { return int(words.start[k]) >= p.Start })
		sStart, sEnd := sentence(words.s, min(i, len(words.s)), min(i, len(words.s)))
		in := func(ms []match) bool {
			for _, m := range ms {
				if m.start < sEnd && m.end > sStart {
					return true
				}
			}
			return false
		}
		if in(orgs) && !in(personal) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// isolatedLetter reports whether a gap's one letter stands alone
// ("07x52"), rather than ending or starting a word.
func isolatedLetter(gap string) bool {
	for i := 0; i < len(gap); i++ {
		if isLetter(gap[i]) {
			return (i == 0 || !isLetter(gap[i-1])) && (i+1 == len(gap) || !isLetter(gap[i+1]))
		}
	}
	return true
}

// notLocalPart are words before " at " that make "X at example.com" a
// place, not an email address written with "at".
var notLocalPart = map[string]bool{"look": true, "me": true, "us": true, "it": true, "them": true,
	"here": true, "there": true, "apply": true, "online": true, "find": true, "search": true,
	"visit": true, "him": true, "her": true, "you": true, "u": true, "go": true, "check": true,
	"available": true, "advertised": true, "posted": true, "listed": true, "jobs": true, "vacancies": true,
	"out": true, "up": true, "info": true, "more": true, "details": true, "on": true, "is": true, "are": true}

// gluedWords may be written straight before a number ("tel07700...").
var gluedWords = map[string]bool{"tel": true, "mob": true, "m": true, "t": true, "ph": true, "phone": true,
	"call": true, "ring": true, "text": true, "no": true, "num": true, "number": true, "whatsapp": true, "wa": true}

func (d *Detector) isPhone(s string, start int, digits []byte, refEnds []int) bool {
	n := len(digits)
	if n < 8 {
		return false
	}
	ds := string(digits)
	plus := start > 0 && s[start-1] == '+' || start > 1 && s[start-2] == '+' && s[start-1] == ' '
	if start > 0 && isLetter(s[start-1]) {
		k := start
		for k > 0 && isLetter(s[k-1]) {
			k--
		}
		if !gluedWords[s[k:start]] {
			return false // a code such as a job reference, "C9215-24-0534"
		}
	}
	for _, e := range refEnds {
		// A reference word counts only in the number's own sentence: "I'd
		// rather phone. Mine's 07700..." has no ID in it.
		if e <= start && start-e <= 30 && !newSentence(s[e:start]) {
			return false
		}
	}
	uk := ds
	switch {
	case strings.HasPrefix(ds, "0044"):
		uk = "0" + ds[4:]
	case strings.HasPrefix(ds, "44") && n >= 12:
		uk = "0" + ds[2:]
	}
	if d.publicNumbers[uk] || d.publicNumbers[ds] {
		return false
	}
	for _, p := range d.publicPrefixes {
		if strings.HasPrefix(uk, p) && len(uk) <= 11 {
			return false
		}
	}
	switch {
	case n >= 10 && n <= 15:
		return true
	case n > 15:
		return strings.Contains(ds, "07") || strings.HasPrefix(ds, "44")
	default: // 8 or 9 digits: a mobile with a digit missing, or abroad
		return plus || strings.HasPrefix(uk, "07")
	}
}

// newSentence reports whether gap ends a sentence and starts another, so
// that "ref no. 1234..." keeps its reference but "I'd rather phone. Mine's
// 07700..." does not.
func newSentence(gap string) bool {
	i := strings.IndexAny(gap, ".!?\n")
	return i >= 0 && strings.IndexFunc(gap[i:], func(r rune) bool { return r >= 'a' && r <= 'z' }) >= 0
}

package detect

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Rules never look at the raw message: they look at views of it in which
// the usual disguises are undone. Every byte of a view remembers the span
// of the original message it came from, so a reason's span always points
// at what the sender actually typed.

// view is a normalised text and, for each of its bytes, the original span.
type view struct {
	s          string
	start, end []int32
}

// orig maps the view's bytes [i, j) to a span of the original message.
func (v *view) orig(i, j int) (int, int) {
	if len(v.s) == 0 {
		return 0, 0
	}
	if j <= i {
		j = i + 1
	}
	i = min(max(i, 0), len(v.s)-1)
	j = min(max(j, 1), len(v.s))
	return int(v.start[i]), int(v.end[j-1])
}

type builder struct {
	b          []byte
	start, end []int32
}

func newBuilder(n int) builder {
	return builder{b: make([]byte, 0, n), start: make([]int32, 0, n), end: make([]int32, 0, n)}
}

// emit appends s, every byte of it standing for the original span [os, oe).
func (b *builder) emit(s string, os, oe int) {
	for i := 0; i < len(s); i++ {
		b.b = append(b.b, s[i])
		b.start = append(b.start, int32(os))
		b.end = append(b.end, int32(oe))
	}
}

// copy appends v's bytes [i, j) with their original spans.
func (b *builder) copy(v *view, i, j int) {
	b.b = append(b.b, v.s[i:j]...)
	b.start = append(b.start, v.start[i:j]...)
	b.end = append(b.end, v.end[i:j]...)
}

func (b *builder) lastByte() byte {
	if len(b.b) == 0 {
		return 0
	}
	return b.b[len(b.b)-1]
}

func (b *builder) view() view {
	return view{s: string(b.b), start: b.start, end: b.end}
}

// normalise is the base view every rule starts from: Unicode compatibility
// forms folded (full-width, mathematical and circled letters and digits),
// accents, zero-width characters, variation selectors and keycap marks
// dropped (so 7️⃣ is 7), digits of every script made ASCII, look-alike
// Cyrillic and Greek letters made Latin, lower case, apostrophes removed
// ("what's" is "whats") and runs of white space made one space.
func normalise(text string) view {
	b := newBuilder(len(text))
	for i := 0; i < len(text); {
		r, w := utf8.DecodeRuneInString(text[i:])
		f := foldRune(r)
		switch {
		case f == "":
		case f == " ":
			if last := b.lastByte(); last != ' ' && last != 0 {
				b.emit(f, i, i+w)
			}
		default:
			b.emit(f, i, i+w)
		}
		i += w
	}
	return b.view()
}

// foldRune is what one rune of a message becomes in the base view.
func foldRune(r rune) string {
	if r < utf8.RuneSelf {
		switch {
		case r >= 'A' && r <= 'Z':
			return string(r + 'a' - 'A')
		case r == '\'' || r == '`':
			return ""
		case r == '\n' || r == '\r' || r == '\t' || r == '\v' || r == '\f' || r == ' ':
			return " "
		case r < ' ' || r == 0x7f:
			return " "
		}
		return string(r)
	}
	switch {
	case r == utf8.RuneError:
		return " "
	case isApostrophe(r):
		return ""
	case r == 0x1F51F: // 🔟
		return "10"
	case unicode.IsSpace(r):
		return " "
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Variation_Selector) ||
		r >= 0xE0000 && r <= 0xE007F: // tags
		return ""
	case r == 0x2044 || r == 0x2215: // fraction and division slashes
		return "/"
	}
	if d, ok := digitValue(r); ok {
		return string(rune('0' + d))
	}
	if l, ok := confusables[r]; ok {
		return l
	}
	var out strings.Builder
	for _, c := range norm.NFKD.String(string(r)) {
		if unicode.In(c, unicode.Mn, unicode.Me) {
			continue
		}
		if d, ok := digitValue(c); ok {
			out.WriteByte(byte('0' + d))
			continue
		}
		if l, ok := confusables[c]; ok {
			out.WriteString(l)
			continue
		}
		out.WriteRune(unicode.ToLower(c))
	}
	return out.String()
}

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '`', '\u2018', '\u2019', '\u201B', '\u02BC', '\u00B4', '\u2032', '\uFF07':
		return true
	}
	return false
}

// digitValue is the value of a decimal digit of any script. Unicode keeps
// each script's digits together, zero first, so the value is the offset
// from the start of the run of ten.
func digitValue(r rune) (int, bool) {
	if r >= '0' && r <= '9' {
		return int(r - '0'), true
	}
	if !unicode.Is(unicode.Nd, r) {
		return 0, false
	}
	for _, rg := range unicode.Nd.R16 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10, true
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10, true
		}
	}
	return 0, false
}

// confusables are letters from other alphabets that look like Latin ones
// and are used to slip a word ("snаpchat" with a Cyrillic а) past a list.
var confusables = map[rune]string{
	'а': "a", 'в': "b", 'е': "e", 'ё': "e", 'к': "k", 'м': "m", 'н': "h", 'о': "o",
	'р': "p", 'с': "c", 'т': "t", 'у': "y", 'х': "x", 'і': "i", 'ј': "j", 'ѕ': "s",
	'ԁ': "d", 'ԛ': "q", 'ԝ': "w", 'ɡ': "g", 'ɑ': "a", 'ο': "o", 'α': "a",
	'ε': "e", 'ι': "i", 'κ': "k", 'ν': "v", 'ρ': "p", 'τ': "t", 'υ': "u", 'χ': "x",
	'А': "a", 'В': "b", 'Е': "e", 'К': "k", 'М': "m", 'Н': "h", 'О': "o", 'Р': "p",
	'С': "c", 'Т': "t", 'Х': "x", 'І': "i", 'Ο': "o", 'Α': "a", 'Β': "b", 'Ε': "e",
	'Η': "h", 'Ι': "i", 'Κ': "k", 'Μ': "m", 'Ν': "n", 'Ρ': "p", 'Τ': "t", 'Χ': "x",
	'Υ': "y", 'Ζ': "z", 'ı': "i", 'ł': "l", 'ø': "o", 'đ': "d", 'ß': "ss",
	'＠': "@", '﹫': "@",
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' }
func isDigit(b byte) bool  { return b >= '0' && b <= '9' }

// leet maps the digits and symbols used inside words in place of letters.
var leet = map[byte]byte{'0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', '$': 's', '!': 'i'}

// wordsView is the view phrases are matched in: a digit or symbol between
// two letters reads as the letter it stands for ("s3lf h4rm", "k!ll"),
// letters spelt out one at a time are joined ("k m s", "s.n.a.p"), filler
// words are blanked and a repeated letter is written once ("kil").
func wordsView(v view) view {
	b := newBuilder(len(v.s) + 1)
	b.emit(" ", 0, 0) // so <start> has a separator after it
	s := v.s
	for i := 0; i < len(s); i++ {
		c := s[i]
		if l, ok := leet[c]; ok && i > 0 && i+1 < len(s) && isLetter(s[i-1]) && isLetter(s[i+1]) {
			b.emit(string(l), int(v.start[i]), int(v.end[i]))
			continue
		}
		// A run of three or more single letters, one separator apart.
		if isLetter(c) && (i == 0 || !isLetter(s[i-1]) && !isDigit(s[i-1])) && (i+1 == len(s) || !isLetter(s[i+1])) {
			if j, n := singleLetterRun(s, i); n >= 3 {
				for k := i; k < j; k++ {
					if isLetter(s[k]) {
						b.copy(&v, k, k+1)
					}
				}
				i = j - 1
				continue
			}
		}
		b.copy(&v, i, i+1)
	}
	return dedupeLetters(respell(dropFillers(b.view())))
}

// dedupeLetters drops a letter that repeats the one before it, so
// "killll", "kill" and "kil" read alike; phrases are compiled the same
// way, which keeps their regular expressions small and fast.
func dedupeLetters(v view) view {
	b := newBuilder(len(v.s))
	for i := 0; i < len(v.s); i++ {
		if i > 0 && isLetter(v.s[i]) && v.s[i] == v.s[i-1] {
			b.end[len(b.end)-1] = v.end[i]
			continue
		}
		b.copy(&v, i, i+1)
	}
	return b.view()
}

// fillers are words people put anywhere without changing what a sentence
// says ("i honestly want to die"); phrases match as if they were not there.
var fillers = map[string]bool{
	"literally": true, "honestly": true, "lowkey": true, "highkey": true, "kinda": true, "sorta": true,
	"genuinely": true, "seriously": true, "deadass": true, "fr": true, "frfr": true, "tbh": true,
	"ngl": true, "tho": true, "basically": true, "legit": true, "um": true, "umm": true, "erm": true,
	"uh": true, "ok": true, "okay": true, "like": false, "actually": false, "lol": false,
}

// dropFillers blanks the filler words of a view.
func dropFillers(v view) view {
	s := []byte(v.s)
	changed := false
	for i := 0; i < len(s); {
		if !isWordByte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isWordByte(s[j]) {
			j++
		}
		if fillers[string(s[i:j])] {
			for k := i; k < j; k++ {
				s[k] = ' '
			}
			changed = true
		}
		i = j
	}
	if changed {
		v.s = string(s)
	}
	return v
}

// singleLetterRun returns where a run of single letters starting at i ends
// and how many letters it has.
func singleLetterRun(s string, i int) (int, int) {
	n, j := 0, i
	for j < len(s) && isLetter(s[j]) && (j+1 == len(s) || !isLetter(s[j+1]) && !isDigit(s[j+1])) {
		n++
		end := j + 1
		if end+1 < len(s) && strings.IndexByte(" .-_*,/|", s[end]) >= 0 && isLetter(s[end+1]) &&
			(end+2 == len(s) || !isLetter(s[end+2]) && !isDigit(s[end+2])) {
			j = end + 1
			continue
		}
		j = end
		break
	}
	return j, n
}

// numberWords are the words people spell digits with; "hundred" stands
// for "00" as in "nine hundred".
var numberWords = map[string]string{
	"zero": "0", "oh": "0", "o": "0", "nought": "0", "nil": "0",
	"one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
	"six": "6", "seven": "7", "eight": "8", "nine": "9",
	"hundred": "00",
}

var repeaters = map[string]int{"double": 2, "triple": 3, "treble": 3}

// digitsView is the view numbers are found in: digits spelt as words ("oh
// seven seven"), run together ("sevenseven") or mixed with digits
// ("07seven5") become digits, and "double" or "triple" repeat the next.
func digitsView(v view) view {
	b := newBuilder(len(v.s))
	s := v.s
	repeat := 0
	for i := 0; i < len(s); {
		if !isLetter(s[i]) {
			if isDigit(s[i]) && repeat > 0 {
				for range repeat - 1 {
					b.copy(&v, i, i+1)
				}
				repeat = 0
			}
			b.copy(&v, i, i+1)
			i++
			continue
		}
		j := i
		for j < len(s) && isLetter(s[j]) {
			j++
		}
		run := s[i:j]
		if n, ok := repeaters[run]; ok {
			repeat = n
			os, oe := v.orig(i, j)
			b.emit(" ", os, oe)
			i = j
			continue
		}
		if digits, ok := spellDigits(run); ok {
			os, oe := v.orig(i, j)
			if repeat > 0 {
				digits = strings.Repeat(digits[:1], repeat-1) + digits
				repeat = 0
			}
			b.emit(digits, os, oe)
		} else {
			repeat = 0
			b.copy(&v, i, j)
		}
		i = j
	}
	return b.view()
}

// spellDigits reads a run of letters made only of number words.
func spellDigits(run string) (string, bool) {
	if len(run) > 60 || strings.IndexByte("zontfseh", run[0]) < 0 {
		return "", false
	}
	// from[i] is the length of the number word ending at i on a way of
	// reading run[:i] as number words, or 0 when there is none.
	var from [61]int8
	from[0] = -1
	for i := 0; i < len(run); i++ {
		if from[i] == 0 {
			continue
		}
		for l := 1; l <= 7 && i+l <= len(run); l++ {
			if _, found := numberWords[run[i:i+l]]; found && from[i+l] == 0 {
				from[i+l] = int8(l)
			}
		}
	}
	if from[len(run)] == 0 {
		return "", false
	}
	var words []string
	for i := len(run); i > 0; i -= int(from[i]) {
		words = append(words, numberWords[run[i-int(from[i]):i]])
	}
	var b strings.Builder
	for k := len(words) - 1; k >= 0; k-- {
		b.WriteString(words[k])
	}
	return b.String(), true
}

// respellings are text-speak and phonetic spellings of words the lists use
// ("i fink about ending it", "carnt sleep", "sum1 wrote"): a phrase written
// once matches them all. Only spellings that are never another word.
var respellings = map[string]string{
	"fink": "think", "finking": "thinking", "finkin": "thinking", "thinkin": "thinking",
	"carnt": "cant", "cnt": "cant", "kant": "cant", "dnt": "dont", "dont": "dont",
	"evry": "every", "evryday": "everyday", "evry1": "everyone", "every1": "everyone", "evryone": "everyone",
	"sum1": "someone", "some1": "someone", "any1": "anyone", "ne1": "anyone",
	"wen": "when", "wiv": "with", "wid": "with", "latley": "lately", "lately": "lately", "alot": "a lot",
	"colij": "college", "colledge": "college", "collge": "college", "skool": "school", "skl": "school",
	"munths": "months", "mnths": "months", "teef": "teeth", "aford": "afford", "fone": "phone",
	"wot": "what", "wat": "what", "wots": "whats", "wats": "whats", "luv": "love", "gud": "good",
	"nuffin": "nothing", "nothin": "nothing", "nuthin": "nothing", "nuthing": "nothing",
	"sumthin": "something", "sumthing": "something", "somethin": "something", "smth": "something",
	"becos": "because", "becuz": "because", "cuz": "because", "bcoz": "because", "thru": "through",
	"abt": "about", "meself": "myself", "myslf": "myself", "killin": "killing", "goin": "going",
	"doin": "doing", "sayin": "saying", "ded": "dead", "ther": "there", "lyk": "like", "rly": "really",
	"rlly": "really", "peeple": "people", "ppl": "people", "hav": "have", "nite": "night", "nites": "nights",
	"tonite": "tonight", "2nite": "tonight", "wk": "week", "spk": "speak", "tlk": "talk", "hurtin": "hurting",
	"cuttin": "cutting", "livin": "living", "dyin": "dying", "tryin": "trying", "feelin": "feeling",
}

// respell writes the respellings of a view's words.
func respell(v view) view {
	s := v.s
	changed := false
	for i := 0; i < len(s) && !changed; {
		if !isWordByte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isWordByte(s[j]) {
			j++
		}
		_, changed = respellings[s[i:j]]
		i = j
	}
	if !changed {
		return v
	}
	b := newBuilder(len(s) + 16)
	for i := 0; i < len(s); {
		if !isWordByte(s[i]) {
			b.copy(&v, i, i+1)
			i++
			continue
		}
		j := i
		for j < len(s) && isWordByte(s[j]) {
			j++
		}
		if w, ok := respellings[s[i:j]]; ok && w != s[i:j] {
			b.emit(w, int(v.start[i]), int(v.end[j-1]))
		} else {
			b.copy(&v, i, j)
		}
		i = j
	}
	return b.view()
}

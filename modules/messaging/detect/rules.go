package detect

import (
	"regexp"
	"sort"
	"strings"
)

// rule is one compiled phrase: it finds spans in a normalised view.
type rule struct {
	section string // "contact request", "concern self_harm", "allow", ...
	src     string
	pattern string
	re      *regexp.Regexp
	sets    []anchorSet
}

// ruleSet finds every rule's matches in a text. Each rule names the words
// (anchors) one of which any match must contain, so only the few rules
// whose anchors occur in a message run their regular expression.
type ruleSet struct {
	rules    []*rule
	exact    map[string][]int // deduplicated word -> rule indexes
	prefixes []prefixAnchor
	always   []int // rules without anchors
	words    wordRules
}

type prefixAnchor struct {
	prefix string
	rule   int
}

type match struct {
	rule       *rule
	start, end int // in the view's text
}

// find returns the matches of every rule in s, whose words are words, in
// the order of the rules.
func (rs *ruleSet) find(s string, words *wordIndex) []match {
	if len(rs.rules) == 0 {
		return nil
	}
	byWords := rs.words.find(words)
	var cand []int
	seen := make(map[int]bool)
	add := func(i int) {
		if !seen[i] {
			seen[i] = true
			cand = append(cand, i)
		}
	}
	for _, m := range byWords {
		add(m.rule)
	}
	if len(rs.exact) > 0 || len(rs.prefixes) > 0 {
		for _, w := range words.list {
			for _, i := range rs.exact[w] {
				add(i)
			}
			for _, p := range rs.prefixes {
				if strings.HasPrefix(w, p.prefix) {
					add(p.rule)
				}
			}
		}
	}
	for _, i := range rs.always {
		add(i)
	}
	sort.Ints(cand)
	var out []match
	for _, i := range cand {
		r := rs.rules[i]
		if r.re == nil {
			k := sort.Search(len(byWords), func(k int) bool { return byWords[k].rule >= i })
			for ; k < len(byWords) && byWords[k].rule == i; k++ {
				out = append(out, match{rule: r, start: byWords[k].m.start, end: byWords[k].m.end})
			}
			continue
		}
		if !r.needsMet(words) {
			continue
		}
		// A match that starts or ends inside a word ("d kill" in "shed
		// kill", for an optional leading "d") is no match, but a later one
		// may be: search again from the next word, not after the match. A rule
		// anchored at the start of the text (<start>) cannot be searched
		// from the middle of it, so it keeps the plain search.
		if startAnchored(r.re.String()) {
			for _, loc := range r.re.FindAllStringSubmatchIndex(s, -1) {
				if loc[3] > loc[2] && wholeWords(s, loc[2], loc[3]) {
					out = append(out, match{rule: r, start: loc[2], end: loc[3]})
				}
			}
			continue
		}
		for pos := 0; pos <= len(s); {
			loc := r.re.FindStringSubmatchIndex(s[pos:])
			if loc == nil {
				break
			}
			for k := range loc {
				if loc[k] >= 0 {
					loc[k] += pos
				}
			}
			if loc[3] > loc[2] && wholeWords(s, loc[2], loc[3]) {
				out = append(out, match{rule: r, start: loc[2], end: loc[3]})
				pos = max(loc[1], loc[0]+1)
				continue
			}
			// Go on from the next word: a match must start at one.
			pos = loc[2] + 1
			for pos < len(s) && isWordByte(s[pos]) && isWordByte(s[pos-1]) {
				pos++
			}
		}
	}
	return out
}

// needsMet reports whether the message has a word of each of the rule's
// anchor sets, without which the rule cannot match.
func (r *rule) needsMet(w *wordIndex) bool {
	for _, a := range r.sets {
		if !a.in(w) {
			return false
		}
	}
	return true
}

// wholeWords reports whether s[i:j] neither starts nor ends inside a
// word, so "kill" does not match inside "skill".
func wholeWords(s string, i, j int) bool {
	if i > 0 && isWordByte(s[i-1]) && isWordByte(s[i]) {
		return false
	}
	if j < len(s) && isWordByte(s[j]) && isWordByte(s[j-1]) {
		return false
	}
	return true
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9'
}

// anchorSet is a choice of words, one of which a match contains.
type anchorSet struct {
	exact, prefix []string
}

// in reports whether one of the set's words is in the message.
func (a anchorSet) in(w *wordIndex) bool {
	for _, e := range a.exact {
		if w.set[e] {
			return true
		}
	}
	for _, p := range a.prefix {
		for _, word := range w.list {
			if strings.HasPrefix(word, p) {
				return true
			}
		}
	}
	return false
}

// wordIndex is a view's words (repeated letters dropped), built once per
// view for every rule set.
type wordIndex struct {
	set  map[string]bool
	list []string
	toks []tok
}

// indexView indexes the words of a view's text.
func indexView(s string) *wordIndex {
	toks := tokens(s)
	w := &wordIndex{set: make(map[string]bool, len(toks)), list: make([]string, len(toks)), toks: toks}
	for i, t := range toks {
		w.list[i] = t.w
		w.set[t.w] = true
	}
	return w
}

// startAnchored reports whether a regular expression has a ^ outside a
// character class: it matches at the start of the text, which a search
// from the middle would misread.
func startAnchored(re string) bool {
	for i := 0; i < len(re); i++ {
		if re[i] == '\\' {
			i++
			continue
		}
		if re[i] == '^' && (i == 0 || re[i-1] != '[') {
			return true
		}
	}
	return false
}

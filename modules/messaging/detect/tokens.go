package detect

import (
	"sort"
	"strings"
)

// Most phrases in the lists are only words: choices, optional words,
// macros, word* endings and ~ gaps. Those are compiled to the sequences of
// words they stand for and found by looking up each word of the message in
// a map of first words, which costs the same however many phrases there
// are. Only phrases that need a regular expression (<end>, <start>, <num>,
// <handle>, symbols, re: lines) run one.

// maxSeqs bounds how many word sequences a phrase may expand to before it
// is left to its regular expression.
const maxSeqs = 512

// tword is one element of a word sequence: a word, a word prefix (word*),
// or a gap of up to three words (~).
type tword struct {
	text        string
	prefix, gap bool
}

type tseq []tword

// tok is one word of a view: its text with repeated letters dropped, and
// its bytes in the view.
type tok struct {
	w          string
	start, end int
}

// tokens splits a view's text into its words.
func tokens(s string) []tok {
	var out []tok
	i := 0
	for i < len(s) {
		for i < len(s) && !isWordByte(s[i]) {
			i++
		}
		j := i
		for j < len(s) && isWordByte(s[j]) {
			j++
		}
		if j > i {
			out = append(out, tok{w: dedupe(s[i:j]), start: i, end: j})
		}
		i = j
	}
	return out
}

// expand turns a phrase into the word sequences it matches, or reports
// that it needs its regular expression.
func (c *compiler) expand(s string) ([]tseq, bool) {
	p := &seqParser{s: s, c: c}
	seqs, ok := p.alternatives()
	if !ok || p.i < len(p.s) {
		return nil, false
	}
	for k, q := range seqs {
		for len(q) > 0 && q[0].gap {
			q = q[1:] // a gap before anything is nothing, as in the regex
		}
		if len(q) == 0 {
			return nil, false
		}
		seqs[k] = q
	}
	return seqs, true
}

type seqParser struct {
	s string
	i int
	c *compiler
}

func (p *seqParser) alternatives() ([]tseq, bool) {
	var all []tseq
	for {
		seqs, ok := p.sequence()
		if !ok {
			return nil, false
		}
		all = append(all, seqs...)
		if len(all) > maxSeqs {
			return nil, false
		}
		if p.i < len(p.s) && p.s[p.i] == '|' {
			p.i++
			continue
		}
		return all, true
	}
}

func (p *seqParser) sequence() ([]tseq, bool) {
	acc := []tseq{{}}
	for {
		for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '-') {
			p.i++
		}
		if p.i >= len(p.s) || p.s[p.i] == '|' || p.s[p.i] == ')' {
			return acc, true
		}
		alts, ok := p.item()
		if !ok {
			return nil, false
		}
		if alts == nil {
			continue
		}
		if len(acc)*len(alts) > maxSeqs {
			return nil, false
		}
		next := make([]tseq, 0, len(acc)*len(alts))
		for _, a := range acc {
			for _, b := range alts {
				next = append(next, append(append(tseq(nil), a...), b...))
			}
		}
		acc = next
	}
}

func (p *seqParser) item() ([]tseq, bool) {
	var alts []tseq
	switch {
	case p.s[p.i] == '(':
		p.i++
		a, ok := p.alternatives()
		if !ok || p.i >= len(p.s) || p.s[p.i] != ')' {
			return nil, false
		}
		p.i++
		alts = a
	case p.s[p.i] == '{':
		j := strings.IndexByte(p.s[p.i:], '}')
		if j < 0 {
			return nil, false
		}
		a, ok := p.c.expandMacro(p.s[p.i+1 : p.i+j])
		if !ok {
			return nil, false
		}
		p.i += j + 1
		alts = a
	case p.s[p.i] == '~':
		p.i++
		return []tseq{{{gap: true}}}, true
	default:
		j := p.i
		for j < len(p.s) && !strings.ContainsRune(stopChars, rune(p.s[j])) {
			j++
		}
		if j == p.i {
			return nil, false
		}
		w := p.s[p.i:j]
		p.i = j
		prefix := strings.HasSuffix(w, "*")
		w = strings.Map(func(r rune) rune {
			if isApostrophe(r) {
				return -1
			}
			return r
		}, strings.ToLower(strings.TrimSuffix(w, "*")))
		if w == "" {
			if p.i < len(p.s) && p.s[p.i] == '?' {
				p.i++
			}
			return nil, true
		}
		if !isAlnum(w) {
			return nil, false
		}
		alts = []tseq{{{text: dedupe(w), prefix: prefix}}}
	}
	if p.i < len(p.s) && p.s[p.i] == '?' {
		p.i++
		// Present first: the regular expression's ? is greedy.
		alts = append(alts[:len(alts):len(alts)], tseq{})
	}
	return alts, true
}

// expandMacro is the word sequences of a [macro name] section.
func (c *compiler) expandMacro(name string) ([]tseq, bool) {
	if c.seqCache == nil {
		c.seqCache = map[string][]tseq{}
	}
	if m, ok := c.seqCache[name]; ok {
		return m, m != nil
	}
	entries, ok := c.macros[name]
	if !ok || c.expanding["seq "+name] {
		return nil, false
	}
	c.expanding["seq "+name] = true
	defer delete(c.expanding, "seq "+name)
	var all []tseq
	for _, e := range entries {
		p := &seqParser{s: e.text, c: c}
		seqs, ok := p.alternatives()
		if !ok || p.i < len(p.s) || len(all)+len(seqs) > maxSeqs {
			c.seqCache[name] = nil
			return nil, false
		}
		all = append(all, seqs...)
	}
	c.seqCache[name] = all
	return all, true
}

// seqRef is one word sequence of one rule.
type seqRef struct {
	rule, seq int
}

// wordRules indexes the word sequences of a rule set by their first word.
type wordRules struct {
	seqs [][]tseq // by rule index; nil for regex rules
	// lasts are, by rule index, the last words of its sequences (nil when
	// one ends in a word* or a gap): a message without any of them cannot
	// match the rule, which saves trying its sequences one by one.
	lasts  [][]string
	first  map[string][]seqRef
	prefix map[string][]seqRef
	maxPre int
}

func (wr *wordRules) add(rule int, seqs []tseq) {
	if wr.first == nil {
		wr.first, wr.prefix = map[string][]seqRef{}, map[string][]seqRef{}
	}
	for len(wr.seqs) <= rule {
		wr.seqs = append(wr.seqs, nil)
	}
	wr.seqs[rule] = seqs
	for len(wr.lasts) <= rule {
		wr.lasts = append(wr.lasts, nil)
	}
	seen := map[string]bool{}
	var lasts []string
	for _, q := range seqs {
		w := q[len(q)-1]
		if w.gap || w.prefix {
			lasts = nil
			break
		}
		if !seen[w.text] {
			seen[w.text] = true
			lasts = append(lasts, w.text)
		}
	}
	wr.lasts[rule] = lasts
	for k, q := range seqs {
		ref := seqRef{rule: rule, seq: k}
		if q[0].prefix {
			wr.prefix[q[0].text] = append(wr.prefix[q[0].text], ref)
			wr.maxPre = max(wr.maxPre, len(q[0].text))
		} else {
			wr.first[q[0].text] = append(wr.first[q[0].text], ref)
		}
	}
}

// find returns the word-sequence matches in toks, in the order of their
// rules and then of the message, each rule's matches not overlapping (as a
// regular expression's do not).
func (wr *wordRules) find(words *wordIndex) []ruleMatch {
	toks := words.toks
	if len(wr.first) == 0 && len(wr.prefix) == 0 {
		return nil
	}
	var out []ruleMatch
	// next[r] is the first word rule r may match from again.
	var next []int32
	// can[r] is 1 when rule r may match this message, 2 when it cannot.
	var can []int8
	possible := func(r int) bool {
		if can == nil {
			can = make([]int8, len(wr.seqs))
		}
		if can[r] == 0 {
			can[r] = 2
			if wr.lasts[r] == nil || words.hasAny(wr.lasts[r]) {
				can[r] = 1
			}
		}
		return can[r] == 1
	}
	try := func(refs []seqRef, i int) {
		for _, r := range refs {
			if next == nil {
				next = make([]int32, len(wr.seqs))
			}
			if int32(i) < next[r.rule] || !possible(r.rule) {
				continue
			}
			if end, ok := matchSeq(toks, i, wr.seqs[r.rule][r.seq]); ok {
				out = append(out, ruleMatch{r.rule, match0{toks[i].start, toks[end-1].end}})
				next[r.rule] = int32(end)
			}
		}
	}
	for i, t := range toks {
		try(wr.first[t.w], i)
		for k := 1; k <= len(t.w) && k <= wr.maxPre; k++ {
			try(wr.prefix[t.w[:k]], i)
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].rule < out[b].rule })
	return out
}

// ruleMatch is a match of the rule with that index.
type ruleMatch struct {
	rule int
	m    match0
}

// match0 is a match's bytes in the view.
type match0 struct{ start, end int }

// matchSeq matches q against toks from word i and returns the index after
// the last word matched. Gaps are greedy, as in the regular expressions.
func matchSeq(toks []tok, i int, q tseq) (int, bool) {
	if len(q) == 0 {
		return i, true
	}
	e := q[0]
	if e.gap {
		for n := min(3, len(toks)-i); n >= 0; n-- {
			if end, ok := matchSeq(toks, i+n, q[1:]); ok {
				return end, true
			}
		}
		return 0, false
	}
	if i >= len(toks) {
		return 0, false
	}
	w := toks[i].w
	if e.prefix && strings.HasPrefix(w, e.text) || !e.prefix && w == e.text {
		return matchSeq(toks, i+1, q[1:])
	}
	return 0, false
}

// hasAny reports whether one of ws is a word of the message.
func (w *wordIndex) hasAny(ws []string) bool {
	for _, x := range ws {
		if w.set[x] {
			return true
		}
	}
	return false
}

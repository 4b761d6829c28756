package detect

import (
	"fmt"
	"regexp"
	"strings"
)

// item is one element of a phrase sequence.
type item struct {
	comp     compiled
	optional bool
	gap      bool // ~: up to three words
	end      bool // <end>: no separator before it
}

// phrase parses and compiles the phrase syntax described at the top of
// this file.
func (c *compiler) phrase(s string) (compiled, error) {
	p := &phraseParser{s: s, c: c}
	comp, err := p.alternatives()
	if err != nil {
		return compiled{}, err
	}
	if p.i < len(p.s) {
		return compiled{}, fmt.Errorf("unexpected %q at column %d", p.s[p.i], p.i+1)
	}
	return comp, nil
}

type phraseParser struct {
	s string
	i int
	c *compiler
}

func (p *phraseParser) alternatives() (compiled, error) {
	var alts []compiled
	for {
		seq, err := p.sequence()
		if err != nil {
			return compiled{}, err
		}
		alts = append(alts, seq)
		if p.i < len(p.s) && p.s[p.i] == '|' {
			p.i++
			continue
		}
		break
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return choice(alts), nil
}

func (p *phraseParser) sequence() (compiled, error) {
	var items []item
	for {
		for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '-') {
			p.i++
		}
		if p.i >= len(p.s) || p.s[p.i] == '|' || p.s[p.i] == ')' {
			break
		}
		it, err := p.item()
		if err != nil {
			return compiled{}, err
		}
		if it.comp.re == "" && !it.gap {
			continue // a word that was only apostrophes
		}
		items = append(items, it)
	}
	if len(items) == 0 {
		return compiled{}, fmt.Errorf("empty phrase")
	}
	return joinItems(items), nil
}

// joinItems puts separators between items and picks the anchors of the
// mandatory item whose words are longest (the rarest, usually).
func joinItems(items []item) compiled {
	var b strings.Builder
	needSep := false
	pendingOpt := ""
	for _, it := range items {
		switch {
		case it.gap:
			if needSep {
				b.WriteString(gapRE)
			}
		case it.comp.ownSep && it.optional:
			b.WriteString("(?:" + it.comp.re + ")?")
		case it.comp.ownSep:
			b.WriteString(it.comp.re)
			needSep = true
		case it.optional && !needSep:
			pendingOpt += "(?:" + it.comp.re + sepRE + ")?"
		case it.optional:
			b.WriteString("(?:" + sepRE + it.comp.re + ")?")
		default:
			if needSep {
				b.WriteString(sepRE)
			} else {
				b.WriteString(pendingOpt)
				pendingOpt = ""
			}
			b.WriteString(it.comp.re)
			needSep = true
		}
	}
	re := b.String()
	if pendingOpt != "" {
		// Every item was optional: the phrase matches what any of them does.
		re = strings.TrimSuffix(strings.TrimPrefix(pendingOpt, "(?:"), sepRE+")?")
	}
	out := compiled{re: re, ownSep: len(items) > 0 && items[0].comp.ownSep && !items[0].optional}
	best := -1
	for _, it := range items {
		if it.optional || it.gap || it.end || !it.comp.anchors {
			continue
		}
		out.sets = append(out.sets, it.comp.sets...)
		score := 1 << 20
		for _, w := range it.comp.exact {
			score = min(score, len(w)*2)
		}
		for _, w := range it.comp.prefix {
			score = min(score, len(w)*2-1)
		}
		if score > best {
			best = score
			out.anchors, out.exact, out.prefix = true, it.comp.exact, it.comp.prefix
		}
	}
	return out
}

func (p *phraseParser) item() (item, error) {
	var it item
	switch {
	case p.s[p.i] == '(':
		p.i++
		comp, err := p.alternatives()
		if err != nil {
			return it, err
		}
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			return it, fmt.Errorf("( without )")
		}
		p.i++
		it.comp = comp
	case p.s[p.i] == '{':
		j := strings.IndexByte(p.s[p.i:], '}')
		if j < 0 {
			return it, fmt.Errorf("{ without }")
		}
		comp, err := p.c.macro(p.s[p.i+1 : p.i+j])
		if err != nil {
			return it, err
		}
		p.i += j + 1
		it.comp = comp
	case p.s[p.i] == '~':
		p.i++
		it.gap = true
		return it, nil
	default:
		j := p.i
		for j < len(p.s) && !strings.ContainsRune(stopChars, rune(p.s[j])) {
			j++
		}
		if j == p.i {
			return it, fmt.Errorf("unexpected %q at column %d", p.s[p.i], p.i+1)
		}
		tok := p.s[p.i:j]
		p.i = j
		if tok == "<start>" {
			it.comp = compiled{re: startRE}
			break
		}
		if tok == "<end>" {
			it.end = true
			it.comp = compiled{re: endRE, ownSep: true}
			return it, nil
		}
		comp, err := token(tok)
		if err != nil {
			return it, err
		}
		it.comp = comp
	}
	if p.i < len(p.s) && p.s[p.i] == '?' {
		p.i++
		it.optional = true
	}
	return it, nil
}

const stopChars = " \t-()|{}?~"

var placeholder = regexp.MustCompile(`<[a-z]+>`)

// token compiles a word that may mix literal parts and placeholders, as
// in "£<num>"; its anchors are those of its longest literal part.
func token(tok string) (compiled, error) {
	var parts []string
	last := 0
	for _, loc := range placeholder.FindAllStringIndex(tok, -1) {
		if loc[0] > last {
			parts = append(parts, tok[last:loc[0]])
		}
		parts = append(parts, tok[loc[0]:loc[1]])
		last = loc[1]
	}
	if last < len(tok) {
		parts = append(parts, tok[last:])
	}
	var out compiled
	for _, part := range parts {
		comp, err := word(part)
		if err != nil {
			return compiled{}, err
		}
		out.re += comp.re
		if comp.anchors && (!out.anchors || anchorLen(comp) > anchorLen(out)) {
			out.anchors, out.exact, out.prefix = true, comp.exact, comp.prefix
			out.sets = comp.sets
		}
	}
	return out, nil
}

func anchorLen(c compiled) int {
	n := 0
	for _, w := range c.exact {
		n = max(n, len(w))
	}
	for _, w := range c.prefix {
		n = max(n, len(w))
	}
	return n
}

// word compiles one literal word: a repeated letter is written once, and
// apostrophes vanish, as in the words view ("killll" and "kill" are "kil").
func word(w string) (compiled, error) {
	switch w {
	case "<num>":
		return compiled{re: numRE}, nil
	case "<handle>":
		return compiled{re: handleRE}, nil
	}
	if strings.HasPrefix(w, "<") {
		return compiled{}, fmt.Errorf("unknown token %s (use <num>, <handle>, <start> or <end>)", w)
	}
	prefix := strings.HasSuffix(w, "*")
	w = strings.TrimSuffix(w, "*")
	w = strings.Map(func(r rune) rune {
		if isApostrophe(r) {
			return -1
		}
		return r
	}, strings.ToLower(w))
	if w == "" {
		return compiled{}, nil
	}
	var b strings.Builder
	var last rune
	letters := true
	for _, ch := range w {
		if ch >= 'a' && ch <= 'z' {
			if ch != last {
				b.WriteRune(ch)
			}
		} else {
			letters = false
			b.WriteString(regexp.QuoteMeta(string(ch)))
		}
		last = ch
	}
	out := compiled{re: b.String()}
	if prefix {
		out.re += `[a-z0-9]*`
	}
	if letters || isAlnum(w) {
		out.anchors = true
		if prefix {
			out.prefix = []string{dedupe(w)}
		} else {
			out.exact = []string{dedupe(w)}
		}
		out.sets = []anchorSet{{exact: out.exact, prefix: out.prefix}}
	}
	return out, nil
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !(s[i] >= 'a' && s[i] <= 'z' || s[i] >= '0' && s[i] <= '9') {
			return false
		}
	}
	return s != ""
}

// dedupe drops repeated letters, the key words are indexed by: "kill",
// "killll" and "kil" are one word to the anchor index.
func dedupe(w string) string {
	b := make([]byte, 0, len(w))
	for i := 0; i < len(w); i++ {
		if i > 0 && w[i] == w[i-1] && w[i] >= 'a' && w[i] <= 'z' {
			continue
		}
		b = append(b, w[i])
	}
	return string(b)
}

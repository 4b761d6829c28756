package detect

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
)

// compiler turns phrase entries into rules, expanding macros.
type compiler struct {
	macros    map[string][]entry
	expanding map[string]bool
	cache     map[string]compiled
	seqCache  map[string][]tseq
}

// compiled is a phrase's regular expression and its anchors: nil anchors
// means "cannot tell which word a match contains".
type compiled struct {
	re      string
	exact   []string
	prefix  []string
	anchors bool
	// sets are the anchors of every item a match needs: a message must
	// have a word of each set before the expression is worth running.
	sets []anchorSet
	// ownSep is set when the regular expression brings its own separator
	// (<end>, or a choice with <end> in it), so none goes before it.
	ownSep bool
}

const (
	sepRE    = `[^a-z0-9]+`
	numRE    = `\d+(?:[.,]\d+)*`
	handleRE = `[a-z0-9._]*(?:[a-z][a-z0-9._]*[0-9_.]|[0-9_.][a-z0-9._]*[a-z])[a-z0-9._]*`
	endRE    = `(?:[^a-z0-9]*$|[^a-z0-9]*[.!?,;]|[^a-z0-9]+x+\b)`
	gapRE    = `(?:[^a-z0-9]+[a-z0-9]+){0,3}`
	// startRE is the start of the message or of a sentence; the words
	// view starts with a space so the separator after it always matches.
	startRE = `(?:^|[.!?;,:)\n])`
)

// compileSet compiles the entries of one or more sections into a ruleSet.
func (c *compiler) compileSet(section string, entries []entry) (*ruleSet, error) {
	rs := &ruleSet{exact: map[string][]int{}}
	if err := c.addTo(rs, section, entries); err != nil {
		return nil, err
	}
	return rs, nil
}

func (c *compiler) addTo(rs *ruleSet, section string, entries []entry) error {
	for _, e := range entries {
		if !strings.HasPrefix(e.text, "re:") && !strings.HasPrefix(e.text, "re(") {
			if seqs, ok := c.expand(e.text); ok {
				i := len(rs.rules)
				rs.rules = append(rs.rules, &rule{section: section, src: e.src, pattern: e.text})
				rs.words.add(i, seqs)
				continue
			}
		}
		var comp compiled
		var err error
		if strings.HasPrefix(e.text, "re:") || strings.HasPrefix(e.text, "re(") {
			comp, err = c.rawLine(e.text)
			comp.re = "(" + comp.re + ")"
		} else {
			comp, err = c.phrase(e.text)
			// The match must end at the end of a word: requiring it here,
			// rather than checking afterwards, lets "snap" give way to
			// "snapchat" when both are choices.
			comp.re = "(" + comp.re + ")(?:[^a-z0-9]|$)"
		}
		if err != nil {
			return fmt.Errorf("%s: %q: %w", e.src, e.text, err)
		}
		re, err := regexp.Compile(comp.re)
		if err != nil {
			return fmt.Errorf("%s: %q: %w", e.src, e.text, err)
		}
		i := len(rs.rules)
		rs.rules = append(rs.rules, &rule{section: section, src: e.src, pattern: e.text, re: re, sets: comp.sets})
		if !comp.anchors {
			rs.always = append(rs.always, i)
			continue
		}
		for _, w := range comp.exact {
			rs.exact[w] = append(rs.exact[w], i)
		}
		for _, p := range comp.prefix {
			rs.prefixes = append(rs.prefixes, prefixAnchor{prefix: p, rule: i})
		}
	}
	return nil
}

// rawLine compiles "re: REGEX" or "re(word {macro} ...): REGEX", where
// the words in brackets are anchors: a match contains one of them, so the
// expression runs only on messages that have one.
func (c *compiler) rawLine(line string) (compiled, error) {
	rest := strings.TrimPrefix(line, "re")
	var anchors []string
	if strings.HasPrefix(rest, "(") {
		end := strings.Index(rest, "):")
		if end < 0 {
			return compiled{}, fmt.Errorf("re( without ):")
		}
		anchors = strings.Fields(rest[1:end])
		rest = rest[end+1:]
	}
	comp, err := c.raw(strings.TrimSpace(strings.TrimPrefix(rest, ":")))
	if err != nil || len(anchors) == 0 {
		return comp, err
	}
	var set anchorSet
	for _, a := range anchors {
		var a2 compiled
		if strings.HasPrefix(a, "{") && strings.HasSuffix(a, "}") {
			a2, err = c.macro(a[1 : len(a)-1])
		} else {
			a2, err = word(a)
		}
		if err != nil {
			return compiled{}, err
		}
		if !a2.anchors {
			return compiled{}, fmt.Errorf("anchor %s cannot be an anchor", a)
		}
		set.exact = append(set.exact, a2.exact...)
		set.prefix = append(set.prefix, a2.prefix...)
	}
	comp.anchors, comp.exact, comp.prefix = true, set.exact, set.prefix
	comp.sets = []anchorSet{set}
	return comp, nil
}

// raw compiles a raw regular expression, expanding {macro}s.
func (c *compiler) raw(s string) (compiled, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "{")
		if i < 0 {
			b.WriteString(s)
			break
		}
		j := strings.Index(s[i:], "}")
		name := ""
		if j > 0 {
			name = s[i+1 : i+j]
		}
		if _, ok := c.macros[name]; j < 0 || !ok || !isName(name) {
			// Not a macro: a regular-expression repeat such as {2,3}.
			b.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		m, err := c.macro(name)
		if err != nil {
			return compiled{}, err
		}
		b.WriteString(s[:i])
		b.WriteString(m.re)
		s = s[i+j+1:]
	}
	re, err := dedupeRegexp(b.String())
	return compiled{re: re}, err
}

// dedupeRegexp writes the literal letters of a raw regular expression
// once each ("still" as "stil"), as the words view has them.
func dedupeRegexp(s string) (string, error) {
	re, err := syntax.Parse(s, syntax.Perl)
	if err != nil {
		return "", err
	}
	var walk func(r *syntax.Regexp)
	walk = func(r *syntax.Regexp) {
		if r.Op == syntax.OpLiteral {
			out := r.Rune[:0:0]
			for i, c := range r.Rune {
				if i > 0 && c == r.Rune[i-1] && c >= 'a' && c <= 'z' {
					continue
				}
				out = append(out, c)
			}
			r.Rune = out
		}
		for _, sub := range r.Sub {
			walk(sub)
		}
	}
	walk(re)
	return re.String(), nil
}

func isName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r == '_' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// macro compiles a [macro name] section as a choice between its lines.
func (c *compiler) macro(name string) (compiled, error) {
	if m, ok := c.cache["macro "+name]; ok {
		return m, nil
	}
	entries, ok := c.macros[name]
	if !ok {
		return compiled{}, fmt.Errorf("no [macro %s] section", name)
	}
	if c.expanding[name] {
		return compiled{}, fmt.Errorf("macro {%s} uses itself", name)
	}
	c.expanding[name] = true
	defer delete(c.expanding, name)
	var alts []compiled
	for _, e := range entries {
		comp, err := c.phrase(e.text)
		if err != nil {
			return compiled{}, fmt.Errorf("in macro {%s} at %s: %w", name, e.src, err)
		}
		alts = append(alts, comp)
	}
	m := choice(alts)
	c.cache["macro "+name] = m
	return m, nil
}

// choice is one of several alternatives; its anchors are all of theirs.
func choice(alts []compiled) compiled {
	out := compiled{anchors: true}
	for _, a := range alts {
		out.ownSep = out.ownSep || a.ownSep
	}
	res := make([]string, len(alts))
	for i, a := range alts {
		res[i] = a.re
		if out.ownSep && !a.ownSep {
			res[i] = sepRE + a.re
		}
		if !a.anchors {
			out.anchors = false
		}
		out.exact = append(out.exact, a.exact...)
		out.prefix = append(out.prefix, a.prefix...)
	}
	out.re = "(?:" + strings.Join(res, "|") + ")"
	if !out.anchors {
		out.exact, out.prefix = nil, nil
	} else {
		out.sets = []anchorSet{{exact: out.exact, prefix: out.prefix}}
	}
	return out
}

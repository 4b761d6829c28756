package detect

import (
	_ "embed"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

// The word and phrase lists live in a plain text file so a safeguarding
// lead can read and extend them without a release. The format is described
// at the top of lists.txt; in short:
//
//	# a comment (only at the start of a line)
//	[section argument]
//	one entry per line
//
// Phrase entries are compiled to regular expressions over the normalised
// message (lower case, apostrophes removed, evasions folded). A space
// between words matches any run of spaces and punctuation; a word ending
// in * matches any ending; (a|b c) is a choice; ? after a word or group
// makes it optional; ~ allows up to three words in between; {name} is a
// [macro name] list; <num> is a number; <end> is the end of a sentence;
// <handle> is a username-like word (letters with digits, _ or .);
// <start> is the start of the message or a sentence.
// A line starting "re:" is a raw Go regular expression ({name} expands).

//go:embed lists.txt
var defaultLists string

// DefaultListsName is how loading errors name the embedded default lists.
const DefaultListsName = "lists.txt (embedded)"

// ListsEnv names the environment variable holding the path of an extra
// lists file merged into the embedded defaults at start.
const ListsEnv = "ONRAMP_SAFEGUARDING_LISTS"

// entry is one line of a lists file, remembered with where it came from so
// a reason can name the rule and an error can name the line.
type entry struct {
	text string
	src  string // "file:line"
}

// sectionKinds are the sections a lists file may hold; the value says
// whether the section needs an argument (a rule or category name).
var sectionKinds = map[string]bool{
	"macro":                true,
	"contact":              true,
	"concern":              true,
	"concern-topic":        true,
	"allow":                false,
	"topic-context":        false,
	"negation":             false,
	"venue":                false,
	"home":                 false,
	"reference":            false,
	"org-number":           false,
	"personal-number":      false,
	"public-number":        false,
	"public-number-prefix": false,
	"allow-domain":         false,
	"role-mailbox":         false,
	"email-provider":       false,
	"tld":                  false,
	"handle-stop":          false,
	"street":               false,
}

// rawLists is every section's entries, keyed "kind" or "kind argument",
// before the phrases are compiled.
type rawLists struct {
	sections map[string][]entry
	order    []string
}

// parseLists reads one lists file. Errors name the file and the line.
func parseLists(name, body string, into *rawLists) error {
	if into.sections == nil {
		into.sections = map[string][]entry{}
	}
	current := ""
	for i, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		where := fmt.Sprintf("%s:%d", name, i+1)
		if strings.HasPrefix(line, "[") {
			if !strings.HasSuffix(line, "]") {
				return fmt.Errorf("%s: section header %q has no closing ]", where, line)
			}
			fields := strings.Fields(line[1 : len(line)-1])
			if len(fields) == 0 {
				return fmt.Errorf("%s: empty section header", where)
			}
			needsArg, ok := sectionKinds[fields[0]]
			if !ok {
				return fmt.Errorf("%s: unknown section [%s]", where, fields[0])
			}
			if needsArg && len(fields) != 2 {
				return fmt.Errorf("%s: section [%s] needs one name, as in [%s name]", where, fields[0], fields[0])
			}
			if !needsArg && len(fields) != 1 {
				return fmt.Errorf("%s: section [%s] takes no name", where, fields[0])
			}
			current = strings.Join(fields, " ")
			if _, seen := into.sections[current]; !seen {
				into.order = append(into.order, current)
				into.sections[current] = nil
			}
			continue
		}
		if current == "" {
			return fmt.Errorf("%s: %q comes before any [section]", where, line)
		}
		into.sections[current] = append(into.sections[current], entry{text: line, src: where})
	}
	return nil
}

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
}

type prefixAnchor struct {
	prefix string
	rule   int
}

type match struct {
	rule       *rule
	start, end int // in the view's text
}

// find returns the matches of every rule in s, whose words are words.
func (rs *ruleSet) find(s string, words *wordIndex) []match {
	if len(rs.rules) == 0 {
		return nil
	}
	var cand []int
	seen := make(map[int]bool)
	add := func(i int) {
		if !seen[i] {
			seen[i] = true
			cand = append(cand, i)
		}
	}
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
	for _, i := range rs.always {
		add(i)
	}
	sort.Ints(cand)
	var out []match
	for _, i := range cand {
		r := rs.rules[i]
		if !r.needsMet(words) {
			continue
		}
		for _, loc := range r.re.FindAllStringSubmatchIndex(s, -1) {
			if loc[3] > loc[2] && wholeWords(s, loc[2], loc[3]) {
				out = append(out, match{rule: r, start: loc[2], end: loc[3]})
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

// compiler turns phrase entries into rules, expanding macros.
type compiler struct {
	macros    map[string][]entry
	expanding map[string]bool
	cache     map[string]compiled
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
	return compiled{re: b.String()}, nil
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

// wordIndex is a message's words (repeated letters dropped), built once
// per scan for every rule set.
type wordIndex struct {
	set  map[string]bool
	list []string
}

func indexWords(words []string) *wordIndex {
	w := &wordIndex{set: make(map[string]bool, len(words)), list: words}
	for _, x := range words {
		w.set[x] = true
	}
	return w
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

// word compiles one literal word: letters repeat freely ("killll" is
// "kill"), apostrophes vanish as they do in the normalised text.
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
				b.WriteByte('+')
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

// loadRaw reads the embedded lists and, when path is not empty, the extra
// file, merged section by section.
func loadRaw(path string) (*rawLists, error) {
	raw := &rawLists{}
	if err := parseLists(DefaultListsName, defaultLists, raw); err != nil {
		return nil, err
	}
	if path == "" {
		return raw, nil
	}
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("safeguarding lists %s: %w", path, err)
	}
	if err := parseLists(path, string(body), raw); err != nil {
		return nil, err
	}
	return raw, nil
}

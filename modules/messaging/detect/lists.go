package detect

import (
	_ "embed"
	"fmt"
	"os"
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
	"cue":                  true,
	"strong-cue":           true,
	"framing":              false,
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

// compile builds the rule sets and shapes from the merged lists.
func compile(raw *rawLists) (*Detector, error) {
	c := &compiler{macros: map[string][]entry{}, expanding: map[string]bool{}, cache: map[string]compiled{}}
	for _, key := range raw.order {
		if name, ok := strings.CutPrefix(key, "macro "); ok {
			c.macros[name] = raw.sections[key]
		}
	}
	d := &Detector{}
	var err error
	sets := map[string]**ruleSet{"allow": &d.allow, "topic-context": &d.topicContext,
		"venue": &d.venue, "home": &d.home, "reference": &d.reference,
		"org-number": &d.orgNumber, "personal-number": &d.personalNumber}
	for key, target := range sets {
		if *target, err = c.compileSet(key, raw.sections[key]); err != nil {
			return nil, err
		}
	}
	d.contact = &ruleSet{exact: map[string][]int{}}
	d.concern = &ruleSet{exact: map[string][]int{}}
	d.topics = &ruleSet{exact: map[string][]int{}}
	d.cues = &ruleSet{exact: map[string][]int{}}
	for _, key := range raw.order {
		kind, _, _ := strings.Cut(key, " ")
		var target *ruleSet
		switch kind {
		case "contact":
			target = d.contact
		case "concern":
			target = d.concern
		case "concern-topic":
			target = d.topics
		case "cue", "strong-cue":
			target = d.cues
		default:
			continue
		}
		if err := c.addTo(target, key, raw.sections[key]); err != nil {
			return nil, err
		}
	}
	set := func(key string) map[string]bool {
		m := map[string]bool{}
		for _, e := range raw.sections[key] {
			m[strings.ToLower(e.text)] = true
		}
		return m
	}
	// Negations are looked up in the words view, where repeated letters
	// are written once.
	dedupedSet := func(key string) map[string]bool {
		m := map[string]bool{}
		for _, e := range raw.sections[key] {
			m[dedupe(strings.ToLower(e.text))] = true
		}
		return m
	}
	list := func(key string, digitsOnly bool) ([]string, error) {
		var out []string
		for _, e := range raw.sections[key] {
			t := strings.ToLower(e.text)
			if digitsOnly {
				t = strings.Map(func(r rune) rune {
					if r == ' ' || r == '-' {
						return -1
					}
					return r
				}, t)
				for _, r := range t {
					if r < '0' || r > '9' {
						return nil, fmt.Errorf("%s: %q is not a number", e.src, e.text)
					}
				}
			}
			out = append(out, t)
		}
		return out, nil
	}
	d.negation = dedupedSet("negation")
	d.framing = dedupedSet("framing")
	d.roleMailboxes = set("role-mailbox")
	d.handleStop = set("handle-stop")
	numbers, err := list("public-number", true)
	if err != nil {
		return nil, err
	}
	d.publicNumbers = map[string]bool{}
	for _, n := range numbers {
		d.publicNumbers[n] = true
	}
	if d.publicPrefixes, err = list("public-number-prefix", true); err != nil {
		return nil, err
	}
	if d.allowDomains, err = list("allow-domain", false); err != nil {
		return nil, err
	}
	tlds, _ := list("tld", false)
	providers, _ := list("email-provider", false)
	streets, _ := list("street", false)
	for name, l := range map[string][]string{"tld": tlds, "email-provider": providers, "street": streets} {
		if len(l) == 0 {
			return nil, fmt.Errorf("safeguarding lists: [%s] is empty", name)
		}
	}
	if d.shapes, err = buildShapes(tlds, providers, streets); err != nil {
		return nil, fmt.Errorf("safeguarding lists: %w", err)
	}
	return d, nil
}

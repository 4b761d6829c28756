package detect

import (
	"regexp"
	"sort"
	"strings"
)

// Contact details are found two ways: shapes (phone numbers, emails, web
// addresses, @handles, postcodes and street addresses) found by scanning
// the normalised views, and phrases from the lists (requests such as
// "what's your number" and invitations such as "add me on snap").

// span is a half-open range of the original message.
type span struct{ start, end int }

func (s span) overlaps(o span) bool { return s.start < o.end && o.start < s.end }

func inAny(spans []span, pos int) bool {
	for _, s := range spans {
		if s.start <= pos && pos < s.end {
			return true
		}
	}
	return false
}

// shapes holds the regular expressions built from the lists at start.
type shapes struct {
	emailAt    *regexp.Regexp // name@domain, name [at] domain, name(at)domain
	emailWords *regexp.Regexp // name at domain dot com
	url        *regexp.Regexp // http://..., www....
	bareDomain *regexp.Regexp // example.co.uk/path
	spelt      *regexp.Regexp // example dot com
	handle     *regexp.Regexp // @name
	tag        *regexp.Regexp // name#1234 (Discord)
	postcode   *regexp.Regexp
	street     *regexp.Regexp
	masks      *regexp.Regexp
	// tlds and providers, as words, decide cheaply whether the link and
	// spelt-out email expressions are worth running at all.
	tlds, providers map[string]bool
	// streets, as words with repeated letters dropped, do the same for
	// the street address expression.
	streets map[string]bool
}

const dotRE = `(?:\s?(?:\.|[\(\[\{<]\s?dot\s?[\)\]\}>])\s?|\s+dot\s+)`

func alternation(words []string) string {
	sorted := append([]string(nil), words...)
	sort.Slice(sorted, func(i, j int) bool { return len(sorted[i]) > len(sorted[j]) })
	for i, w := range sorted {
		sorted[i] = regexp.QuoteMeta(w)
	}
	return "(?:" + strings.Join(sorted, "|") + ")"
}

func buildShapes(tlds, providers, streets []string) (*shapes, error) {
	tld := alternation(tlds)
	prov := alternation(providers)
	street := alternation(streets)
	label := `[a-z0-9](?:[a-z0-9-]*[a-z0-9])?`
	local := `[a-z0-9][a-z0-9._%+-]*`
	spec := map[string]string{
		"emailAt":    local + `\s?(?:@|[\(\[\{<]\s?at\s?[\)\]\}>])\s?(?:(?:` + label + dotRE + `)+[a-z]{2,}|` + prov + `)\b`,
		"emailWords": `\b` + local + `(?:` + dotRE + `[a-z0-9_+-]+)*\s+at\s+(?:(?:` + label + dotRE + `)+` + tld + `|` + prov + `)\b`,
		"url":        `(?:https?://|www\.)[^\s<>"']+`,
		"bareDomain": `\b` + label + `(?:\.` + label + `)*\.` + tld + `\b(?:/[^\s<>"']*)?`,
		"spelt":      `\b` + label + `(?:[\(\[\{<]\s?dot\s?[\)\]\}>]|\s+dot\s+)\s?` + tld + `\b`,
		"handle":     `(?:^|[^a-z0-9_.@])@( ?)([a-z_][a-z0-9_.]{1,29})`,
		"tag":        `\b[a-z0-9_.]{2,32}#\d{4}\b`,
		"postcode":   `\b[a-z]{1,2}\d[a-z\d]?\s?\d[abd-hjlnp-uw-z]{2}\b`,
		"street":     `\b(?:flat\s?\d{1,4}[a-z]?[\s,]+)?\d{1,4}[a-z]?[\s,]+((?:[a-z]+[\s,]+){0,3})` + street + `\b`,
	}
	out := &shapes{tlds: map[string]bool{}, providers: map[string]bool{}, streets: map[string]bool{}}
	for _, t := range tlds {
		out.tlds[t] = true
	}
	for _, p := range providers {
		out.providers[p] = true
	}
	for _, st := range streets {
		out.streets[dedupe(st)] = true
	}
	targets := map[string]**regexp.Regexp{
		"emailAt": &out.emailAt, "emailWords": &out.emailWords, "url": &out.url,
		"bareDomain": &out.bareDomain, "spelt": &out.spelt, "handle": &out.handle,
		"tag": &out.tag, "postcode": &out.postcode, "street": &out.street,
	}
	for name, re := range spec {
		c, err := regexp.Compile(re)
		if err != nil {
			return nil, err
		}
		*targets[name] = c
	}
	// Numbers that are not phone numbers however many digits they run to:
	// times, dates, money, percentages, ordinals, scores and year ranges.
	var masks []string
	for _, m := range []string{
		`\b\d{1,2}[:.]\d{2}(?:\s?[ap]\.?m\b)?\b`,
		`\b\d{1,2}\s?[ap]\.?m\b`,
		`\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b`,
		`\b\d{4}-\d{2}-\d{2}\b`,
		`[£$€]\s?\d[\d,]*(?:\.\d+)?k?`,
		`\b\d[\d,]*(?:\.\d+)?\s?(?:k|quid|pounds?|grand|p|ph|pph|ph)\b`,
		`\b\d+(?:\.\d+)?\s?%`,
		`\b\d+(?:st|nd|rd|th)\b`,
		`\b\d{1,3}\s?/\s?(?:5|10|20|50|100)\b`,
		`\b(?:19|20)\d{2}\s?(?:-|–|to|till|until)\s?(?:19|20)?\d{2}\b`,
	} {
		masks = append(masks, "(?:"+m+")")
	}
	out.masks = regexp.MustCompile(strings.Join(masks, "|"))
	return out, nil
}

// contactShapes finds the contact details recognised by their shape.
func (d *Detector) contactShapes(base, digits, words *view, ws *wordIndex) []Reason {
	var out []Reason
	var taken []span // emails and links, whose digits are not phone numbers
	add := func(v *view, i, j int, rule string) {
		s, e := v.orig(i, j)
		out = append(out, Reason{Label: ContactDetails, Rule: rule, Start: s, End: e})
		taken = append(taken, span{s, e})
	}
	for _, loc := range around(d.shapes.emailAt, base.s, "@", "at)", "at]", "at}", "at>", "at )", "at ]") {
		if !d.allowedEmail(base.s[loc[0]:loc[1]]) {
			add(base, loc[0], loc[1], "email")
		} else {
			s, e := base.orig(loc[0], loc[1])
			taken = append(taken, span{s, e})
		}
	}
	var atWords [][]int
	if d.shapes.atDomain(base.s) {
		atWords = around(d.shapes.emailWords, base.s, " at ")
	}
	for _, loc := range atWords {
		email := base.s[loc[0]:loc[1]]
		local, domain, _ := strings.Cut(email, " at ")
		// "apply at jobs.nhs.uk" is a link, judged as one; "m.hughes at nhs
		// dot net" is someone's own mailbox there.
		if notLocalPart[strings.TrimSpace(local)] || d.allowedLink(strings.TrimSpace(domain)) && !strings.ContainsAny(local, "._0123456789") {
			continue // "have a look at jobs.nhs.uk" is a link, judged as one
		}
		if !overlapsAny(base, loc, taken) && !d.allowedEmail(email) {
			add(base, loc[0], loc[1], "email")
		}
	}
	for _, re := range []*regexp.Regexp{d.shapes.url, d.shapes.bareDomain, d.shapes.spelt} {
		if re == d.shapes.url && !strings.Contains(base.s, "www.") && !strings.Contains(base.s, "http") ||
			re == d.shapes.spelt && !strings.Contains(base.s, "dot") || re == d.shapes.bareDomain && !d.shapes.dotTLD(base.s) {
			continue
		}
		for _, loc := range re.FindAllStringIndex(base.s, -1) {
			if overlapsAny(base, loc, taken) {
				continue
			}
			end := loc[1]
			for end > loc[0] && strings.IndexByte(".,!?;:)]}'\"", base.s[end-1]) >= 0 {
				end--
			}
			if d.allowedLink(base.s[loc[0]:end]) {
				s, e := base.orig(loc[0], end)
				taken = append(taken, span{s, e})
				continue
			}
			add(base, loc[0], end, "link")
		}
	}
	if strings.Contains(base.s, "@") {
		for _, m := range d.shapes.handle.FindAllStringSubmatchIndex(base.s, -1) {
			name := strings.TrimRight(base.s[m[4]:m[5]], ".")
			if d.handleStop[name] || overlapsAny(base, m[4:6], taken) {
				continue
			}
			// "@ jade.w.99" is a handle; "@ lunch" is a place.
			if m[3] > m[2] && !strings.ContainsAny(name, "0123456789_.") {
				continue
			}
			add(base, m[2]-1, m[4]+len(name), "handle")
		}
	}
	if strings.Contains(base.s, "#") {
		for _, loc := range d.shapes.tag.FindAllStringIndex(base.s, -1) {
			add(base, loc[0], loc[1], "handle")
		}
	}
	out = append(out, d.orgNumbers(words, ws, d.phones(digits, taken))...)
	out = append(out, d.addresses(base, digits, words, ws)...)
	return out
}

// dotTLD reports whether s has a dot followed by a top-level domain, as
// every bare domain does.
func (sh *shapes) dotTLD(s string) bool {
	for i := strings.IndexByte(s, '.'); i >= 0 && i+1 < len(s); {
		j := i + 1
		for j < len(s) && isLetter(s[j]) {
			j++
		}
		if sh.tlds[s[i+1:j]] {
			return true
		}
		k := strings.IndexByte(s[i+1:], '.')
		if k < 0 {
			break
		}
		i += 1 + k
	}
	return false
}

// atDomain reports whether some " at " is followed by a domain or a mail
// service, as every email spelt with "at" is.
func (sh *shapes) atDomain(s string) bool {
	for from := 0; ; {
		i := strings.Index(s[from:], " at ")
		if i < 0 {
			return false
		}
		j := from + i + len(" at ")
		from = j - 1
		for j < len(s) && s[j] == ' ' {
			j++
		}
		k := j
		for k < len(s) && (isWordByte(s[k]) || s[k] == '-') {
			k++
		}
		if k == j {
			continue
		}
		if sh.providers[s[j:k]] {
			return true
		}
		rest := strings.TrimLeft(s[k:], " ")
		if strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, "dot") || rest != "" && strings.IndexByte("([{<", rest[0]) >= 0 {
			return true
		}
	}
}

// postcodeStart reports whether s has one or two letters starting a word
// and followed by a digit, as every postcode does.
func postcodeStart(s string) bool {
	for i := 1; i < len(s); i++ {
		if !isDigit(s[i]) || !isLetter(s[i-1]) {
			continue
		}
		if i == 1 || !isWordByte(s[i-2]) || isLetter(s[i-2]) && (i == 2 || !isWordByte(s[i-3])) {
			return true
		}
	}
	return false
}

// around runs re only near the places a match must include (an "@", an
// " at "), which is much cheaper than running it over the whole message.
// It returns the matches that include one of those places, in order.
func around(re *regexp.Regexp, s string, marks ...string) [][]int {
	var out [][]int
	for _, mark := range marks {
		for from := 0; from < len(s); {
			i := strings.Index(s[from:], mark)
			if i < 0 {
				break
			}
			i += from
			from = i + len(mark)
			lo, hi := max(0, i-80), min(len(s), i+len(mark)+120)
			for _, loc := range re.FindAllStringIndex(s[lo:hi], -1) {
				a, b := loc[0]+lo, loc[1]+lo
				if a <= i && i < b {
					out = append(out, []int{a, b})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] || out[i][0] == out[j][0] && out[i][1] > out[j][1] })
	kept := out[:0]
	for _, loc := range out {
		if len(kept) == 0 || loc[0] >= kept[len(kept)-1][1] {
			kept = append(kept, loc)
		}
	}
	return kept
}

func overlapsAny(v *view, loc []int, spans []span) bool {
	s, e := v.orig(loc[0], loc[1])
	for _, t := range spans {
		if t.overlaps(span{s, e}) {
			return true
		}
	}
	return false
}

// host is the domain of a link or email written in any of the ways the
// shapes accept ("x dot com", "x(dot)co.uk").
func host(s string) string {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	for _, dot := range []string{"(dot)", "[dot]", "{dot}", "<dot>", " dot "} {
		s = strings.ReplaceAll(s, dot, ".")
	}
	s = strings.ReplaceAll(s, " ", "")
	return strings.TrimPrefix(s, "www.")
}

// allowedLink reports whether a link is to a public service on the
// allow-list (nhs.uk, gov.uk, NHS Jobs...), which a mentor may share.
func (d *Detector) allowedLink(link string) bool {
	h := host(link)
	for _, a := range d.allowDomains {
		if h == a || strings.HasSuffix(h, "."+a) {
			return true
		}
	}
	return false
}

// allowedEmail reports whether an email is a team mailbox (recruitment,
// careers...) at an allowed public domain: a person's address never is.
func (d *Detector) allowedEmail(email string) bool {
	for _, at := range []string{"@", "(at)", "[at]", "{at}", "<at>", " at "} {
		if i := strings.Index(email, at); i >= 0 {
			local := strings.TrimSpace(email[:i])
			return d.roleMailboxes[local] && d.allowedLink(strings.TrimSpace(email[i+len(at):]))
		}
	}
	return false
}

// streetStop are words that, after a number, say it is not a house number
// ("3 long days close together", "12 hours way too long").
var streetStop = map[string]bool{
	"of": true, "the": true, "a": true, "an": true, "in": true, "on": true, "at": true, "for": true,
	"and": true, "to": true, "is": true, "my": true, "your": true, "i": true, "it": true, "was": true,
	"are": true, "be": true, "too": true, "so": true, "more": true, "very": true, "or": true, "but": true,
	"hour": true, "hours": true, "hr": true, "hrs": true, "min": true, "mins": true, "minute": true,
	"minutes": true, "day": true, "days": true, "week": true, "weeks": true, "month": true, "months": true,
	"year": true, "years": true, "mile": true, "miles": true, "time": true, "times": true, "job": true,
	"jobs": true, "shift": true, "shifts": true, "people": true, "patient": true, "patients": true,
	"long": true, "short": true, "bus": true, "buses": true, "stop": true, "stops": true, "minute's": true,
	"each": true, "every": true, "per": true, "we": true, "you": true, "they": true, "me": true, "then": true, "from": true, "with": true,
}

// hasLetterDigit reports whether s has a digit after a letter or a space
// after a digit: every postcode and house number has one or the other.
func hasLetterDigit(s string) bool {
	for i := 1; i < len(s); i++ {
		if isDigit(s[i]) && isLetter(s[i-1]) || isDigit(s[i-1]) && (s[i] == ' ' || s[i] == ',' || isLetter(s[i])) {
			return true
		}
	}
	return false
}

// addresses finds postcodes and street addresses. An address said to be a
// venue (a hospital, clinic, college...) is allowed, unless the message
// also says it is someone's home.
func (d *Detector) addresses(base, digits, words *view, ws *wordIndex) []Reason {
	var found []Reason
	if !hasLetterDigit(base.s) {
		return nil // no postcode or house number without a digit
	}
	if postcodeStart(base.s) {
		for _, loc := range d.shapes.postcode.FindAllStringIndex(base.s, -1) {
			s, e := base.orig(loc[0], loc[1])
			found = append(found, Reason{Label: ContactDetails, Rule: "postcode", Start: s, End: e})
		}
	}
	var streets [][]int
	for _, w := range ws.list {
		if d.shapes.streets[w] {
			streets = d.shapes.street.FindAllStringSubmatchIndex(digits.s, -1)
			break
		}
	}
	for _, m := range streets {
		if m[0] > 0 && strings.IndexByte(".,£$€:/-", digits.s[m[0]-1]) >= 0 {
			continue // "£3.50 each way" is money, not a house number
		}
		between := strings.FieldsFunc(digits.s[m[2]:m[3]], func(r rune) bool { return r == ' ' || r == ',' })
		stop := false
		for _, w := range between {
			if streetStop[w] {
				stop = true
			}
		}
		if stop {
			continue
		}
		s, e := digits.orig(m[0], m[1])
		found = append(found, Reason{Label: ContactDetails, Rule: "street_address", Start: s, End: e})
	}
	if len(found) == 0 {
		return nil
	}
	if len(d.home.find(words.s, ws)) > 0 {
		return found
	}
	if len(d.venue.find(words.s, ws)) > 0 {
		return nil
	}
	return found
}

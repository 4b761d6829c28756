// Package detect scans a message before the other person sees it and says
// whether a safeguarding lead should hold it: for contact details (phone
// numbers, emails, links, handles, addresses, and asking for them or to
// move elsewhere) and for concerns (self-harm, abuse, neglect,
// homelessness, grooming, money, sexual content, threats, bullying, drugs,
// exploitation). It is pure Go: no database, no HTTP.
//
// A Result lists the labels and, for the lead, the reasons: which rule
// matched and the span of the message it matched, so the lead can see why
// a message was held and redact exactly that part.
//
// The words and phrases live in lists.txt (embedded) plus an optional file
// named by ONRAMP_SAFEGUARDING_LISTS, merged at start; see lists.go.
package detect

import (
	"os"
	"sort"
	"strings"
	"sync"
)

// The labels a message can carry.
const (
	ContactDetails = "contact_details"
	Concern        = "concern"
)

// Result is the verdict on one message.
type Result struct {
	// Labels are ContactDetails and/or Concern, in that order; empty (not
	// nil) for a normal message.
	Labels []string `json:"labels"`
	// Reasons say which rule matched where, in the order they appear.
	Reasons []Reason `json:"reasons,omitempty"`
}

// Reason is one match, for the safeguarding lead.
type Reason struct {
	Label string `json:"label"`
	// Rule names what matched: a shape (phone_number, email, link, handle,
	// postcode, street_address) or a lists section (request, off_platform,
	// self_harm, grooming...).
	Rule string `json:"rule"`
	// Source is the lists file and line of a phrase rule.
	Source string `json:"source,omitempty"`
	// Start and End are byte offsets of the original message (UTF-8).
	Start int `json:"start"`
	End   int `json:"end"`
	// Text is the original text of the span.
	Text string `json:"text"`
}

// Flagged reports whether the message must be held for review.
func (r Result) Flagged() bool { return len(r.Labels) > 0 }

// Has reports whether the result carries label.
func (r Result) Has(label string) bool {
	for _, l := range r.Labels {
		if l == label {
			return true
		}
	}
	return false
}

// Detector holds the compiled lists. It is safe for concurrent use.
type Detector struct {
	contact, concern, topics     *ruleSet
	cues                         *ruleSet
	framing                      map[string]bool
	allow, topicContext          *ruleSet
	venue, home, reference       *ruleSet
	orgNumber, personalNumber    *ruleSet
	negation, roleMailboxes      map[string]bool
	handleStop, publicNumbers    map[string]bool
	publicPrefixes, allowDomains []string
	shapes                       *shapes

	// models are the learned layer after the rules (model.go); none when
	// switched off.
	models []*textModel
}

// New builds a detector from the embedded lists merged with the file at
// extraPath (none when empty). Errors name the file and line at fault.
func New(extraPath string) (*Detector, error) {
	raw, err := loadRaw(extraPath)
	if err != nil {
		return nil, err
	}
	d, err := compile(raw)
	if err != nil {
		return nil, err
	}
	if d.models, err = loadModels(); err != nil {
		return nil, err
	}
	return d, nil
}

// FromEnv builds a detector from the embedded lists merged with the file
// named by ONRAMP_SAFEGUARDING_LISTS, if set, with the concern model unless
// ONRAMP_SAFEGUARDING_MODEL is off (or at the threshold it gives).
func FromEnv() (*Detector, error) {
	on, threshold, err := modelSetting()
	if err != nil {
		return nil, err
	}
	d, err := New(os.Getenv(ListsEnv))
	if err != nil {
		return nil, err
	}
	if !on {
		d.models = nil
	}
	if threshold > 0 {
		models := make([]*textModel, len(d.models))
		for i, m := range d.models {
			if m.label == Concern {
				copied := *m
				copied.threshold = threshold
				m = &copied
			}
			models[i] = m
		}
		d.models = models
	}
	return d, nil
}

var (
	defaultOnce sync.Once
	defaultDet  *Detector
	defaultErr  error
	builtIn     *Detector
)

// Default is the detector Scan uses, built once from FromEnv. Call it at
// start and refuse to start on error: a lead's extra lists that fail to
// load would otherwise be left out.
func Default() (*Detector, error) {
	defaultOnce.Do(func() {
		defaultDet, defaultErr = FromEnv()
		if defaultErr != nil {
			// Scan still needs a detector: the embedded lists, which the
			// package's tests prove compile.
			builtIn, _ = New("")
		}
	})
	return defaultDet, defaultErr
}

// Scan scans text with the Default detector (or, if the extra lists failed
// to load, with the embedded lists alone).
func Scan(text string) Result {
	d, err := Default()
	if err != nil {
		d = builtIn
	}
	return d.Scan(text)
}

// Scan scans one message. It never fails: a message it cannot read is
// scanned as best it can be.
func (d *Detector) Scan(text string) Result {
	base := normalise(text)
	words := wordsView(base)
	digits := digitsView(base)
	ws := indexView(words.s)

	reasons := d.contactShapes(&base, &digits, &words, ws)
	var phrases []match
	phrases = append(phrases, d.contact.find(words.s, ws)...)
	phrases = append(phrases, d.concern.find(words.s, ws)...)
	topics := d.topics.find(words.s, ws)
	cues := d.cues.find(words.s, ws)
	if len(phrases) > 0 || len(topics) > 0 || len(cues) > 0 {
		// Allow phrases matter only when something matched.
		var allowed []span
		for _, m := range d.allow.find(words.s, ws) {
			s, e := words.orig(m.start, m.end)
			allowed = append(allowed, span{s, e})
		}
		reasons = append(reasons, d.phraseReasons(&words, phrases, allowed)...)
		reasons = append(reasons, d.topicReasons(&words, ws, topics, allowed)...)
		reasons = append(reasons, d.cueReasons(&words, ws, cues, allowed)...)
	}
	// The learned layer, for what the rules did not see (model.go).
	reasons = append(reasons, d.modelReasons(&words, ws, reasons)...)
	return result(text, reasons)
}

// result orders the reasons, drops repeats of one rule over one span and
// fills in the labels and texts.
func result(text string, reasons []Reason) Result {
	sort.SliceStable(reasons, func(i, j int) bool {
		a, b := reasons[i], reasons[j]
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		if a.End != b.End {
			return a.End > b.End
		}
		return a.Label+a.Rule < b.Label+b.Rule
	})
	out := Result{Labels: []string{}}
	var contact, concern bool
	for i, r := range reasons {
		if i > 0 && reasons[i-1].Rule == r.Rule && reasons[i-1].Start <= r.Start && r.End <= reasons[i-1].End {
			continue
		}
		r.Start = min(max(r.Start, 0), len(text))
		r.End = min(max(r.End, r.Start), len(text))
		r.Text = text[r.Start:r.End]
		out.Reasons = append(out.Reasons, r)
		contact = contact || r.Label == ContactDetails
		concern = concern || r.Label == Concern
	}
	if contact {
		out.Labels = append(out.Labels, ContactDetails)
	}
	if concern {
		out.Labels = append(out.Labels, Concern)
	}
	return out
}

// HideContacts returns text with every contact detail recognised by its
// shape (phone number, email address, link, social media handle, postcode,
// street address) replaced by mark. Helplines and other public numbers are
// left, as Scan leaves them. Places that show one person's writing to
// another outside a message thread use it, so they are no way round the
// rule that mentors and mentees keep in touch only on Onramp.
func (d *Detector) HideContacts(text, mark string) string {
	base := normalise(text)
	words := wordsView(base)
	digits := digitsView(base)
	found := d.contactShapes(&base, &digits, &words, indexView(words.s))
	if len(found) == 0 {
		return text
	}
	sort.Slice(found, func(i, j int) bool { return found[i].Start < found[j].Start })
	var b strings.Builder
	at := 0
	for _, r := range found {
		if r.End <= at {
			continue // inside a span already hidden
		}
		if r.Start > at {
			b.WriteString(text[at:r.Start])
		}
		if r.Start >= at {
			b.WriteString(mark)
		}
		at = r.End
	}
	b.WriteString(text[at:])
	return b.String()
}

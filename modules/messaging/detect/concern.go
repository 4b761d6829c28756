package detect

import "strings"

// Concerns are phrases from the lists, in two strengths:
//
//   - [concern CATEGORY] phrases say something worrying about the sender
//     or the reader ("I want to kill myself", "our secret"). They count
//     wherever they appear, unless an [allow] phrase covers them ("dying
//     to start", "kill germs").
//   - [concern-topic CATEGORY] words name a worrying subject ("self-harm",
//     "county lines") that course and work talk mention all the time. They
//     count only when the same sentence has no [topic-context] phrase
//     ("safeguarding training covered self-harm") and no [negation] word
//     just before them ("I've never been homeless").

// alwaysCounts are the concern categories whose phrases count even after
// a negation: "I'm not going to kill myself" still goes to a lead.
var alwaysCounts = map[string]bool{"self_harm": true}

// phraseReasons turns list matches into reasons, dropping those an allow
// phrase covers and concerns negated just before ("I never did drugs").
// The rule is the section's name ("request", "self_harm").
func (d *Detector) phraseReasons(v *view, matches []match, allowed []span) []Reason {
	var out []Reason
	for _, m := range matches {
		s, e := v.orig(m.start, m.end)
		if coveredBy(span{s, e}, allowed) {
			continue
		}
		kind, name, _ := strings.Cut(m.rule.section, " ")
		if kind == "concern" && !alwaysCounts[name] && d.negated(v.s, m.start) {
			continue
		}
		label := Concern
		if kind == "contact" {
			label = ContactDetails
		}
		out = append(out, Reason{Label: label, Rule: name, Source: m.rule.src, Start: s, End: e})
	}
	return out
}

// coveredBy reports whether an allow phrase overlaps the match: "kill" in
// "kill germs", "dying" in "dying to start".
func coveredBy(s span, allowed []span) bool {
	for _, a := range allowed {
		if a.overlaps(s) {
			return true
		}
	}
	return false
}

// topicReasons keeps the topic matches said outside course or work talk
// and not negated.
func (d *Detector) topicReasons(v *view, words *wordIndex, matches []match, allowed []span) []Reason {
	if len(matches) == 0 {
		return nil
	}
	contexts := d.topicContext.find(v.s, words)
	var kept []match
	for _, m := range matches {
		sStart, sEnd := sentence(v.s, m.start, m.end)
		educational := false
		for _, c := range contexts {
			if c.start < sEnd && c.end > sStart {
				educational = true
				break
			}
		}
		if educational || d.negated(v.s, m.start) {
			continue
		}
		kept = append(kept, m)
	}
	return d.phraseReasons(v, kept, allowed)
}

// sentence returns the bounds of the sentence around s[i:j].
func sentence(s string, i, j int) (int, int) {
	start := strings.LastIndexAny(s[:i], ".!?;\n") + 1
	end := len(s)
	if k := strings.IndexAny(s[j:], ".!?;\n"); k >= 0 {
		end = j + k
	}
	return start, end
}

// negated reports whether one of the three words before position i is a
// negation ("not", "never", "no").
func (d *Detector) negated(s string, i int) bool {
	fields := strings.FieldsFunc(s[max(0, i-40):i], func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
	for k := len(fields) - 1; k >= 0 && k >= len(fields)-3; k-- {
		// "why don't you come over" is an invitation, not a negation.
		if d.negation[fields[k]] && (k == 0 || fields[k-1] != "why") {
			return true
		}
	}
	return false
}

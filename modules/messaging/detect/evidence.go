package detect

import (
	"sort"
	"strings"
)

// Concern phrases say a whole worrying thing in one breath, so they miss
// the many other ways of saying it. Cues are the broader evidence: word
// families and short patterns ("smacked me", "nowhere to go", "in case i
// go", "keep this to ourselves") that are each weak on their own and are
// added up:
//
//   - a [cue CATEGORY] match is worth 1 point;
//   - a [strong-cue CATEGORY] match is worth 2 points;
//   - a message speaking in the first or second person (a [framing] word,
//     "I", "me", "my", "you", "we", in a sentence with a cue) adds 1.
//
// A [cue disclosure] match (how people frame a disclosure: "idk what to do",
// "is that normal", "please dont tell anyone", "im 15") is no category of
// its own: it adds 1 point, once, to every category whose cues already
// score 2 or more, so a disclosure marker tips a strong cue said
// impersonally, or two weak ones, over the threshold.
//
// A category scoring cueThreshold or more in a message is a concern. So a strong cue
// said about oneself or the reader is enough, two weak cues need each
// other, and news or course talk ("a man was stabbed in town") with one
// strong cue and no one in it is not. A cue is not counted when an [allow]
// phrase overlaps it, when its sentence is course or work talk
// ([topic-context]), or, except for self_harm, when a [negation] word comes
// just before it ("he never hits me").
const cueThreshold = 3

// contextMatters are the categories whose cues do not count in course or
// work talk; bullying happens on courses and placements, so "the girls on
// my course" is no excuse.
var contextMatters = map[string]bool{"self_harm": true, "abuse": true, "neglect": true,
	"homelessness": true, "grooming": true, "exploitation": true, "threat": true, "drugs": true, "extremism": true}

// anyCategory is the cue category that adds to the others: [cue disclosure].
const anyCategory = "disclosure"

// cueWeight is the points of a match from a cue section.
func cueWeight(section string) int {
	if strings.HasPrefix(section, "strong-cue ") {
		return 2
	}
	return 1
}

// cueReasons adds up the cues of a message and, when they reach the
// threshold, returns one concern reason per cue counted.
func (d *Detector) cueReasons(v *view, words *wordIndex, cues []match, allowed []span) []Reason {
	if len(cues) == 0 {
		return nil
	}
	var contexts []match
	var kept []match
	for _, m := range cues {
		s, e := v.orig(m.start, m.end)
		if coveredBy(span{s, e}, allowed) {
			continue
		}
		_, category, _ := strings.Cut(m.rule.section, " ")
		if !alwaysCounts[category] && d.negated(v.s, m.start) {
			continue
		}
		if contexts == nil {
			contexts = d.topicContext.find(v.s, words)
			if contexts == nil {
				contexts = []match{}
			}
		}
		sStart, sEnd := sentence(v.s, m.start, m.end)
		educational := false
		for _, c := range contexts {
			if c.start < sEnd && c.end > sStart {
				educational = true
				break
			}
		}
		if !educational || !contextMatters[category] {
			kept = append(kept, m)
		}
	}
	// Overlapping cues ("cut" inside "cut my arms") count once, at the
	// weight of the strongest; a rule counts once however often it matches.
	// Each category is scored on its own: a fear of blood and "blood" do
	// not add up to self-harm.
	sort.SliceStable(kept, func(i, j int) bool {
		return cueWeight(kept[i].rule.section) > cueWeight(kept[j].rule.section)
	})
	type tally struct {
		score  int
		framed bool
		cues   []match
	}
	byCategory := map[string]*tally{}
	var counted, general []match
	seen := map[*rule]bool{}
	for _, m := range kept {
		if seen[m.rule] {
			continue
		}
		_, category, _ := strings.Cut(m.rule.section, " ")
		if category == anyCategory {
			if len(general) == 0 {
				general = append(general, m)
			}
			continue
		}
		t := byCategory[category]
		if t == nil {
			t = &tally{}
			byCategory[category] = t
		}
		overlaps := false
		for _, c := range t.cues {
			if m.start < c.end && c.start < m.end {
				overlaps = true
				break
			}
		}
		if overlaps {
			continue
		}
		seen[m.rule] = true
		t.cues = append(t.cues, m)
		t.score += cueWeight(m.rule.section)
		t.framed = t.framed || d.framed(v.s, m.start, m.end)
	}
	for _, t := range byCategory {
		score := t.score
		if t.framed {
			score++
		}
		if len(general) > 0 && t.score >= 2 && score < cueThreshold {
			score++
			t.cues = append(t.cues, general...)
		}
		if score >= cueThreshold {
			counted = append(counted, t.cues...)
		}
	}
	if len(counted) == 0 {
		return nil
	}
	out := make([]Reason, 0, len(counted))
	for _, m := range counted {
		s, e := v.orig(m.start, m.end)
		_, category, _ := strings.Cut(m.rule.section, " ")
		out = append(out, Reason{Label: Concern, Rule: category, Source: m.rule.src, Start: s, End: e})
	}
	return out
}

// framed reports whether the sentence around s[i:j] has a [framing] word:
// it is about the sender or the reader, not the news or a course.
func (d *Detector) framed(s string, i, j int) bool {
	start, end := sentence(s, i, j)
	for k, w := range strings.FieldsFunc(s[start:end], func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }) {
		if d.framing[w] || k == 0 && proDrop[w] {
			return true
		}
	}
	return false
}

// proDrop are the words a text-speak sentence about oneself starts with
// when it leaves out the "I": "been kipping on night buses", "feel like
// imma do something stupid", "cant stop thinking about it". They are
// looked up in the words view, where repeated letters are written once.
var proDrop = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`been feel feeling felt cant got gotta gonna wanna imma ima kipping
		sleeping staying stayed slept tried thinking keep kept havent aint dont didnt wish hate need
		lost still just`) {
		m[dedupe(w)] = true
	}
	return m
}()

package match

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"
)

// Weights say how much each thing a learner and mentor share adds to their
// score. Admins may edit them per programme (see Model); a weight of zero
// switches a part off, and only parts with a positive weight are named in
// a match's reasons.
type Weights struct {
	// CareerFamily: the mentor works in a career family the learner is
	// interested in.
	CareerFamily Score `json:"career_family"`
	// SharedInterest: for each career family both list as an interest,
	// counting at most MaxSharedInterests.
	SharedInterest Score `json:"shared_interest"`
	// SameRegion: both in the same region.
	SameRegion Score `json:"same_region"`
	// SharedLanguage: they share a language.
	SharedLanguage Score `json:"shared_language"`
	// FirstLanguage: added to SharedLanguage when the mentor speaks the
	// learner's first listed language and it is not English.
	FirstLanguage Score `json:"first_language"`
	// Availability: for each slot (weekday daytime, weekday evening,
	// weekend) both are free.
	Availability Score `json:"availability"`
	// LoadSpread: in full for a mentor with no current mentees, a fifth
	// less for each one they have, nothing from five up; it spreads
	// mentees across mentors.
	LoadSpread Score `json:"load_spread"`
}

// MaxSharedInterests is the most shared interests that count.
const MaxSharedInterests = 3

// maxWeight bounds each weight so that no pair's score can leave ±MaxScore.
const maxWeight = 10_000 * ScoreUnit

// DefaultWeights put the career family first, then region and a shared
// first language, then the rest.
var DefaultWeights = Weights{
	CareerFamily:   4 * ScoreUnit,
	SharedInterest: 1 * ScoreUnit,
	SameRegion:     2 * ScoreUnit,
	SharedLanguage: 1 * ScoreUnit,
	FirstLanguage:  2 * ScoreUnit,
	Availability:   1 * ScoreUnit,
	LoadSpread:     1 * ScoreUnit,
}

// Model is the scoring model: hard filters, then a weighted score with
// plain-English reasons. Programmes maps a programme slug to the weights
// its learners' pairs are scored with; other learners use Default.
type Model struct {
	Default    Weights            `json:"default"`
	Programmes map[string]Weights `json:"programmes,omitempty"`
}

// DefaultModel scores every programme with DefaultWeights.
func DefaultModel() Model { return Model{Default: DefaultWeights} }

// Weights returns the weights for a programme.
func (m Model) Weights(programme string) Weights {
	if w, ok := m.Programmes[programme]; ok {
		return w
	}
	return m.Default
}

// Validate refuses weights beyond ±10000, which keep every score in range.
func (m Model) Validate() error {
	check := func(name string, w Weights) error {
		for _, v := range []Score{w.CareerFamily, w.SharedInterest, w.SameRegion, w.SharedLanguage, w.FirstLanguage, w.Availability, w.LoadSpread} {
			if v > maxWeight || v < -maxWeight {
				return fmt.Errorf("weights for %s: %s is outside -10000 to 10000", name, v)
			}
		}
		return nil
	}
	if err := check("every programme", m.Default); err != nil {
		return err
	}
	for slug, w := range m.Programmes {
		if err := check(slug, w); err != nil {
			return err
		}
	}
	return nil
}

// Refusal says why a learner and mentor may not be matched, or "" when
// they may. The hard filters: the mentor is eligible (vetted, DBS valid,
// trained) and not paused; a learner under 18, or of unknown age, only
// with a mentor approved for under-18s; no declared conflict on either
// side (which also keeps a previous pair apart); and a learner's stated
// mentor gender is honoured.
func (m Model) Refusal(l Learner, mn Mentor) string {
	return refusal(newLearnerProfile(l), newMentorProfile(mn))
}

// Score is the pair's weighted score; it assumes Refusal is "".
func (m Model) Score(l Learner, mn Mentor) Score {
	return m.Weights(l.Programme).score(newLearnerProfile(l), newMentorProfile(mn))
}

// Reasons explains the pair's score in plain English, e.g. "both in
// Estates and Facilities; both speak Polish; both free on weekday
// evenings".
func (m Model) Reasons(l Learner, mn Mentor) string {
	return m.Weights(l.Programme).reasons(newLearnerProfile(l), newMentorProfile(mn))
}

// Pairs lists every pair that passes the hard filters, with its score.
// Its length is at most learners × mentors; the solver's memory grows
// with it (about 70 bytes a pair).
func (m Model) Pairs(p Problem) []Pair {
	ls := make([]learnerProfile, len(p.Learners))
	for i, l := range p.Learners {
		ls[i] = newLearnerProfile(l)
	}
	ms := make([]mentorProfile, 0, len(p.Mentors))
	open := make([]int32, 0, len(p.Mentors))
	for j, mn := range p.Mentors {
		mp := newMentorProfile(mn)
		if mp.eligible && mp.capacity > 0 {
			ms = append(ms, mp)
			open = append(open, int32(j))
		}
	}
	var pairs []Pair
	for i := range ls {
		w := m.Weights(ls[i].programme)
		for k := range ms {
			if refusal(ls[i], ms[k]) != "" {
				continue
			}
			pairs = append(pairs, Pair{Learner: int32(i), Mentor: open[k], Score: w.score(ls[i], ms[k])})
		}
	}
	return pairs
}

// learnerProfile and mentorProfile hold a person's fields ready to
// compare: text folded to lower case, codes as bit sets.
type learnerProfile struct {
	id, region, gender, programme string
	regionName                    string
	age                           int
	languages, languageNames      []string
	interests, availability       uint16
	exclude                       []string
}

type mentorProfile struct {
	id, region, gender      string
	eligible, under18       bool
	capacity, load          int
	family                  uint16
	languages               []string
	interests, availability uint16
	exclude                 []string
}

func newLearnerProfile(l Learner) learnerProfile {
	return learnerProfile{
		id: l.ID, region: fold(l.Region), regionName: strings.TrimSpace(l.Region), gender: fold(l.MentorGender), programme: l.Programme,
		age: l.Age, languages: foldAll(l.Languages), languageNames: l.Languages,
		interests: bitsOf(l.Interests, familyBit), availability: bitsOf(l.Availability, slotBit),
		exclude: l.ExcludeMentors,
	}
}

func newMentorProfile(m Mentor) mentorProfile {
	return mentorProfile{
		id: m.ID, region: fold(m.Region), gender: fold(m.Gender),
		eligible: m.Eligible, under18: m.ApprovedUnder18, capacity: m.Capacity, load: m.CurrentLoad,
		family: bitsOf([]string{m.CareerFamily}, familyBit), languages: foldAll(m.Languages),
		interests: bitsOf(m.Interests, familyBit), availability: bitsOf(m.Availability, slotBit),
		exclude: m.ExcludeLearners,
	}
}

func refusal(l learnerProfile, m mentorProfile) string {
	switch {
	case !m.eligible:
		return "the mentor is not cleared to mentor yet (vetting, DBS check or training)"
	case m.capacity <= 0:
		return "the mentor is paused"
	case l.age < 18 && !m.under18:
		if l.age == 0 {
			return "the learner's age is not known, so they are treated as under 18, and the mentor is not approved for under-18s"
		}
		return "the learner is under 18 and the mentor is not approved for under-18s"
	case slices.Contains(l.exclude, m.id) || slices.Contains(m.exclude, l.id):
		return "a conflict is declared between them, or they have been matched before"
	case l.gender != "" && l.gender != m.gender:
		return "the learner asked for a " + l.gender + " mentor"
	}
	return ""
}

func (w Weights) score(l learnerProfile, m mentorProfile) Score {
	var s Score
	if l.interests&m.family != 0 {
		s += w.CareerFamily
	}
	s += w.SharedInterest * Score(min(bits.OnesCount16(l.interests&m.interests), MaxSharedInterests))
	if l.region != "" && l.region == m.region {
		s += w.SameRegion
	}
	if shared, first := sharedLanguage(l, m); shared >= 0 {
		s += w.SharedLanguage
		if first {
			s += w.FirstLanguage
		}
	}
	s += w.Availability * Score(bits.OnesCount16(l.availability&m.availability))
	s += w.LoadSpread * Score(max(0, 5-m.load)) / 5
	return s
}

// NoCommonGround is the reason given when a pair shares nothing that
// scores: the mentor was chosen only because they have room.
const NoCommonGround = "No shared career, region, language or free time: matched because the mentor has room; consider swapping"

// reasons names what the pair share, the factor adding most to their
// score first. Room to take a mentee (load spread) is not a reason they
// suit each other, so it is never named; a pair with nothing else in
// common is told plainly (NoCommonGround).
func (w Weights) reasons(l learnerProfile, m mentorProfile) string {
	type reason struct {
		weight Score
		text   string
	}
	var out []reason
	if fam := l.interests & m.family; w.CareerFamily > 0 && fam != 0 {
		out = append(out, reason{w.CareerFamily, "both in " + names(fam, familyCodes, CareerFamilies)})
	}
	if shared := l.interests & m.interests &^ m.family; w.SharedInterest > 0 && shared != 0 {
		n := Score(min(bits.OnesCount16(shared), MaxSharedInterests))
		out = append(out, reason{w.SharedInterest * n, "both interested in " + names(shared, familyCodes, CareerFamilies)})
	}
	if w.SameRegion > 0 && l.region != "" && l.region == m.region {
		out = append(out, reason{w.SameRegion, "both in " + l.regionName})
	}
	if shared, first := sharedLanguage(l, m); shared >= 0 && (w.SharedLanguage > 0 || first && w.FirstLanguage > 0) {
		weight := w.SharedLanguage
		if first {
			weight += w.FirstLanguage
		}
		out = append(out, reason{weight, "both speak " + strings.TrimSpace(l.languageNames[shared])})
	}
	if both := l.availability & m.availability; w.Availability > 0 && both != 0 {
		out = append(out, reason{w.Availability * Score(bits.OnesCount16(both)), "both free on " + names(both, slotCodes, Slots)})
	}
	if len(out) == 0 {
		return NoCommonGround
	}
	slices.SortStableFunc(out, func(a, b reason) int {
		switch {
		case a.weight > b.weight:
			return -1
		case a.weight < b.weight:
			return 1
		}
		return 0
	})
	texts := make([]string, len(out))
	for i, r := range out {
		texts[i] = r.text
	}
	return strings.Join(texts, "; ")
}

// sharedLanguage returns the index in the learner's list of the language
// to name (their first language if the mentor speaks it, else the first
// one they share, or -1), and whether it is a first language other than
// English.
func sharedLanguage(l learnerProfile, m mentorProfile) (int, bool) {
	for i, lang := range l.languages {
		if lang != "" && slices.Contains(m.languages, lang) {
			return i, i == 0 && lang != "english"
		}
	}
	return -1, false
}

var (
	familyCodes = sortedKeys(CareerFamilies)
	slotCodes   = []string{"weekday_daytime", "weekday_evening", "weekend"}
)

func familyBit(code string) uint16 { return bitFor(code, familyCodes) }
func slotBit(code string) uint16   { return bitFor(code, slotCodes) }

func bitFor(code string, codes []string) uint16 {
	if i := slices.Index(codes, code); i >= 0 {
		return 1 << i
	}
	return 0
}

func bitsOf(codes []string, bit func(string) uint16) uint16 {
	var b uint16
	for _, c := range codes {
		b |= bit(c)
	}
	return b
}

// names writes a bit set as words joined naturally: "A", "A and B",
// "A, B and C".
func names(set uint16, codes []string, words map[string]string) string {
	var ws []string
	for i, c := range codes {
		if set&(1<<i) != 0 {
			ws = append(ws, words[c])
		}
	}
	if len(ws) == 1 {
		return ws[0]
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " and " + ws[len(ws)-1]
}

func fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func foldAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fold(s)
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

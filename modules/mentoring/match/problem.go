package match

import (
	"fmt"
	"strings"
)

// Problem is one whole-pool matching run: every learner waiting for a
// mentor and every mentor who might take one. Learner ids are unique
// among learners and mentor ids among mentors.
type Problem struct {
	Learners []Learner `json:"learners"`
	Mentors  []Mentor  `json:"mentors"`
}

// Learner is what the matcher knows about a learner waiting for a mentor.
// Only ID is required; an empty field neither filters nor scores.
type Learner struct {
	// ID names the learner in the output and in a scores CSV.
	ID string `json:"id"`
	// Age in years. 0 means not known, and is treated as under 18: the
	// learner is only matched with mentors approved for under-18s.
	Age int `json:"age,omitempty"`
	// Region, e.g. "North West"; compared without regard to case.
	Region string `json:"region,omitempty"`
	// Languages the learner speaks, the one they are most at ease in
	// first, e.g. ["Polish", "English"].
	Languages []string `json:"languages,omitempty"`
	// Interests are career family codes (see CareerFamilies).
	Interests []string `json:"interests,omitempty"`
	// Availability is when they can meet online (see Slots).
	Availability []string `json:"availability,omitempty"`
	// MentorGender is the mentor gender the learner asked for, e.g.
	// "female"; empty for no preference. A stated preference is honoured
	// as a hard filter.
	MentorGender string `json:"mentor_gender,omitempty"`
	// ExcludeMentors are mentor ids the learner must not be matched with:
	// declared conflicts (family, their line manager) and previous
	// mentors after a rematch, so a pair is never made twice.
	ExcludeMentors []string `json:"exclude_mentors,omitempty"`
	// Programme is the programme slug, which picks the weights used to
	// score the learner's pairs (see Model).
	Programme string `json:"programme,omitempty"`
}

// Mentor is what the matcher knows about a mentor.
type Mentor struct {
	// ID names the mentor in the output and in a scores CSV.
	ID string `json:"id"`
	// Capacity is how many learners this run may give the mentor, 0 to 5;
	// 0 means paused.
	Capacity int `json:"capacity"`
	// Eligible says the mentor may be matched at all: vetted, DBS check
	// valid and safeguarding training done. The mentoring module computes
	// it; in a problem file an absent "eligible" means true, so offline
	// problems need not repeat it.
	Eligible bool `json:"eligible"`
	// ApprovedUnder18 allows learners under 18 (and of unknown age).
	ApprovedUnder18 bool `json:"approved_under_18,omitempty"`
	// CareerFamily is the mentor's own career family (see CareerFamilies).
	CareerFamily string `json:"career_family,omitempty"`
	// Region, Languages, Interests and Availability mean what they mean
	// for a Learner.
	Region       string   `json:"region,omitempty"`
	Languages    []string `json:"languages,omitempty"`
	Interests    []string `json:"interests,omitempty"`
	Availability []string `json:"availability,omitempty"`
	// Gender is matched against a learner's MentorGender.
	Gender string `json:"gender,omitempty"`
	// ExcludeLearners are learner ids the mentor must not be matched with.
	ExcludeLearners []string `json:"exclude_learners,omitempty"`
	// CurrentLoad is how many mentees the mentor has now; fewer scores
	// higher, to spread the load.
	CurrentLoad int `json:"current_load,omitempty"`
}

// MaxCapacity is the most learners one mentor can take in a run.
const MaxCapacity = 5

// CareerFamilies are the codes for career families, with the words used
// in reasons.
var CareerFamilies = map[string]string{
	"nursing_midwifery":  "Nursing and Midwifery",
	"allied_health":      "Allied Health",
	"healthcare_science": "Healthcare Science",
	"estates_facilities": "Estates and Facilities",
	"administration":     "Administration",
	"social_care":        "Social Care",
	"ambulance":          "Ambulance",
	"medicine_dentistry": "Medicine and Dentistry",
	"other":              "other careers",
}

// Slots are the availability codes, with the words used in reasons.
var Slots = map[string]string{
	"weekday_daytime": "weekday daytimes",
	"weekday_evening": "weekday evenings",
	"weekend":         "weekends",
}

// InputError says which field of which learner or mentor is wrong. The
// problem reader turns it into a file line.
type InputError struct {
	Side    string // "learner" or "mentor"
	Index   int    // position in Problem.Learners or Problem.Mentors
	ID      string
	Field   string // JSON name, e.g. "capacity"
	Message string
}

func (e *InputError) Error() string {
	return who(e.Side, e.Index, e.ID) + ": " + e.Message
}

// who names a learner or mentor by id, or by position when it has none.
func who(side string, index int, id string) string {
	if id != "" {
		return fmt.Sprintf("%s %q", side, id)
	}
	return fmt.Sprintf("%s %d", side, index+1)
}

// Validate checks ids and values, returning the first *InputError: a
// missing or repeated id, a capacity outside 0-5, a negative age or load,
// an unknown career family or availability slot.
func (p Problem) Validate() error {
	seen := make(map[string]int, len(p.Learners))
	for i, l := range p.Learners {
		bad := func(field, format string, a ...any) error {
			return &InputError{Side: "learner", Index: i, ID: l.ID, Field: field, Message: fmt.Sprintf(format, a...)}
		}
		if strings.TrimSpace(l.ID) == "" {
			return bad("id", "has no id")
		}
		if j, dup := seen[l.ID]; dup {
			return bad("id", "id is already used by learner %d", j+1)
		}
		seen[l.ID] = i
		if l.Age < 0 || l.Age > 120 {
			return bad("age", "age %d is not an age", l.Age)
		}
		if err := codes(l.Interests, CareerFamilies, "interests", "a career family", bad); err != nil {
			return err
		}
		if err := codes(l.Availability, Slots, "availability", "an availability slot", bad); err != nil {
			return err
		}
	}
	clear(seen)
	for i, m := range p.Mentors {
		bad := func(field, format string, a ...any) error {
			return &InputError{Side: "mentor", Index: i, ID: m.ID, Field: field, Message: fmt.Sprintf(format, a...)}
		}
		if strings.TrimSpace(m.ID) == "" {
			return bad("id", "has no id")
		}
		if j, dup := seen[m.ID]; dup {
			return bad("id", "id is already used by mentor %d", j+1)
		}
		seen[m.ID] = i
		if m.Capacity < 0 || m.Capacity > MaxCapacity {
			return bad("capacity", "capacity %d is not between 0 (paused) and %d", m.Capacity, MaxCapacity)
		}
		if m.CurrentLoad < 0 {
			return bad("current_load", "current_load %d is negative", m.CurrentLoad)
		}
		if _, ok := CareerFamilies[m.CareerFamily]; m.CareerFamily != "" && !ok {
			return bad("career_family", "career_family %q is not one of %s", m.CareerFamily, codeList(CareerFamilies))
		}
		if err := codes(m.Interests, CareerFamilies, "interests", "a career family", bad); err != nil {
			return err
		}
		if err := codes(m.Availability, Slots, "availability", "an availability slot", bad); err != nil {
			return err
		}
	}
	return nil
}

func codes(values []string, known map[string]string, field, what string, bad func(string, string, ...any) error) error {
	for _, v := range values {
		if _, ok := known[v]; !ok {
			return bad(field, "%s %q is not %s: use one of %s", field, v, what, codeList(known))
		}
	}
	return nil
}

func codeList(known map[string]string) string {
	return strings.Join(sortedKeys(known), ", ")
}

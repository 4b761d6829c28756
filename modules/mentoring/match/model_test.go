package match

import (
	"strings"
	"testing"
)

func adult(id string) Learner { return Learner{ID: id, Age: 20} }

func cleared(id string) Mentor { return Mentor{ID: id, Capacity: 2, Eligible: true} }

func TestHardFilters(t *testing.T) {
	model := DefaultModel()
	tests := []struct {
		name    string
		learner func(*Learner)
		mentor  func(*Mentor)
		refused string // part of the refusal, or "" for allowed
	}{
		{"an adult and a cleared mentor may be matched", nil, nil, ""},
		{"a mentor not yet cleared may not", nil, func(m *Mentor) { m.Eligible = false }, "not cleared"},
		{"a paused mentor may not", nil, func(m *Mentor) { m.Capacity = 0 }, "paused"},
		{"a 16-year-old needs a mentor approved for under-18s", func(l *Learner) { l.Age = 16 }, nil, "under 18"},
		{"a 16-year-old may have an approved mentor", func(l *Learner) { l.Age = 16 }, func(m *Mentor) { m.ApprovedUnder18 = true }, ""},
		{"an 18-year-old does not need one", func(l *Learner) { l.Age = 18 }, nil, ""},
		{"a learner of unknown age is treated as under 18", func(l *Learner) { l.Age = 0 }, nil, "age is not known"},
		{"a learner's declared conflict keeps them apart", func(l *Learner) { l.ExcludeMentors = []string{"X", "M1"} }, nil, "conflict"},
		{"a mentor's declared conflict keeps them apart", nil, func(m *Mentor) { m.ExcludeLearners = []string{"L1"} }, "conflict"},
		{"a previous mentor, excluded after a rematch, is not matched again", func(l *Learner) { l.ExcludeMentors = []string{"M1"} }, func(m *Mentor) { m.ApprovedUnder18 = true }, "matched before"},
		{"a conflict with someone else does not matter", func(l *Learner) { l.ExcludeMentors = []string{"M2"} }, func(m *Mentor) { m.ExcludeLearners = []string{"L2"} }, ""},
		{"a stated mentor gender is honoured", func(l *Learner) { l.MentorGender = "female" }, func(m *Mentor) { m.Gender = "male" }, "asked for a female mentor"},
		{"a mentor of unknown gender does not meet a stated preference", func(l *Learner) { l.MentorGender = "female" }, nil, "female"},
		{"gender is compared without regard to case", func(l *Learner) { l.MentorGender = "Female" }, func(m *Mentor) { m.Gender = "female " }, ""},
		{"no preference means any mentor", nil, func(m *Mentor) { m.Gender = "male" }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, m := adult("L1"), cleared("M1")
			if tt.learner != nil {
				tt.learner(&l)
			}
			if tt.mentor != nil {
				tt.mentor(&m)
			}
			got := model.Refusal(l, m)
			if tt.refused == "" && got != "" {
				t.Fatalf("refused: %q", got)
			}
			if tt.refused != "" && !strings.Contains(got, tt.refused) {
				t.Fatalf("refusal %q, want one mentioning %q", got, tt.refused)
			}
			// Pairs applies the same filters.
			pairs := model.Pairs(Problem{Learners: []Learner{l}, Mentors: []Mentor{m}})
			if (len(pairs) == 1) != (tt.refused == "") {
				t.Fatalf("Pairs gave %v, Refusal %q", pairs, got)
			}
		})
	}
}

func TestScoreAndReasons(t *testing.T) {
	model := DefaultModel()
	tests := []struct {
		name    string
		learner Learner
		mentor  Mentor
		score   string
		reasons string
	}{
		{
			name:    "nothing in common but a busy mentor",
			learner: Learner{ID: "L1", Age: 20},
			mentor:  Mentor{ID: "M1", Capacity: 1, Eligible: true, CurrentLoad: 5},
			score:   "0",
			reasons: NoCommonGround,
		},
		{
			name: "the example from the issue",
			learner: Learner{ID: "L1", Age: 19, Languages: []string{"Polish", "English"},
				Interests: []string{"estates_facilities"}, Availability: []string{"weekday_evening", "weekend"}},
			mentor: Mentor{ID: "M1", Capacity: 1, Eligible: true, CareerFamily: "estates_facilities",
				Languages: []string{"english", "polish"}, Availability: []string{"weekday_evening"}, CurrentLoad: 2},
			// 4 career family + 1 language + 2 first language + 1 evening + 1*(5-2)/5 load
			score:   "8.6",
			reasons: "both in Estates and Facilities; both speak Polish; both free on weekday evenings",
		},
		{
			name: "shared interests, region and all the slots",
			learner: Learner{ID: "L1", Age: 25, Region: "North West", Languages: []string{"English"},
				Interests:    []string{"allied_health", "social_care", "nursing_midwifery", "ambulance"},
				Availability: []string{"weekend", "weekday_daytime", "weekday_evening"}},
			mentor: Mentor{ID: "M1", Capacity: 1, Eligible: true, CareerFamily: "nursing_midwifery", Region: "north west",
				Languages: []string{"English"}, Interests: []string{"social_care", "allied_health", "nursing_midwifery", "ambulance"},
				Availability: []string{"weekday_daytime", "weekday_evening", "weekend"}},
			// 4 family + 3 interests (capped) + 2 region + 1 English + 3 slots + 1 load
			score:   "14",
			reasons: "both in Nursing and Midwifery; both interested in Allied Health, Ambulance and Social Care; both free on weekday daytimes, weekday evenings and weekends; both in North West; both speak English",
		},
		{
			name:    "English as a first language earns no extra",
			learner: Learner{ID: "L1", Age: 25, Languages: []string{"English", "Urdu"}},
			mentor:  Mentor{ID: "M1", Capacity: 1, Eligible: true, Languages: []string{"Urdu", "English"}, CurrentLoad: 9},
			score:   "1",
			reasons: "both speak English",
		},
		{
			name:    "a shared second language counts once, without the extra",
			learner: Learner{ID: "L1", Age: 25, Languages: []string{"Somali", "Arabic"}},
			mentor:  Mentor{ID: "M1", Capacity: 1, Eligible: true, Languages: []string{"Arabic"}, CurrentLoad: 4},
			score:   "1.2",
			reasons: "both speak Arabic",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := model.Refusal(tt.learner, tt.mentor); r != "" {
				t.Fatalf("refused: %s", r)
			}
			if got := model.Score(tt.learner, tt.mentor).String(); got != tt.score {
				t.Errorf("score %s, want %s", got, tt.score)
			}
			if got := model.Reasons(tt.learner, tt.mentor); got != tt.reasons {
				t.Errorf("reasons\n got %q\nwant %q", got, tt.reasons)
			}
		})
	}
}

func TestAProgrammesOwnWeightsAreUsedForItsLearners(t *testing.T) {
	model := DefaultModel()
	w := DefaultWeights
	w.SameRegion = 10 * ScoreUnit
	w.LoadSpread = 0
	model.Programmes = map[string]Weights{"step-into-work": w}
	l := Learner{ID: "L1", Age: 30, Region: "London", Programme: "step-into-work"}
	m := Mentor{ID: "M1", Capacity: 1, Eligible: true, Region: "London"}
	if got := model.Score(l, m); got != 10*ScoreUnit {
		t.Errorf("Step into Work learner scored %s, want 10", got)
	}
	if got := model.Reasons(l, m); got != "both in London" {
		t.Errorf("reasons %q name a part whose weight is zero", got)
	}
	l.Programme = "get-started"
	if got := model.Score(l, m); got != 3*ScoreUnit {
		t.Errorf("Get Started learner scored %s, want the default 2 + 1", got)
	}
}

func TestWeightsOutOfRangeAreRefused(t *testing.T) {
	model := DefaultModel()
	model.Programmes = map[string]Weights{"get-into": {SameRegion: 20000 * ScoreUnit}}
	if err := model.Validate(); err == nil || !strings.Contains(err.Error(), "get-into") {
		t.Fatalf("Validate = %v, want an error naming get-into", err)
	}
	if err := DefaultModel().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestScoreParsingAndPrinting(t *testing.T) {
	good := map[string]string{"3": "3", "0.75": "0.75", "-1.5": "-1.5", "+2": "2", ".5": "0.5", "0.000001": "0.000001",
		"1.2500000": "1.25", "1000000": "1000000", "-1000000": "-1000000", "007": "7", " 4 ": "4", "-0": "0"}
	for in, want := range good {
		s, err := ParseScore(in)
		if err != nil || s.String() != want {
			t.Errorf("ParseScore(%q) = %s, %v; want %s", in, s, err, want)
		}
	}
	bad := map[string]error{"abc": ErrNotANumber, "": ErrNotANumber, "NaN": ErrNotANumber, "Inf": ErrNotANumber,
		"-inf": ErrNotANumber, "1e3": ErrNotANumber, "1.2.3": ErrNotANumber, ".": ErrNotANumber, "--1": ErrNotANumber,
		"0x10": ErrNotANumber, "0.1234567": ErrTooPrecise, "1000000.5": ErrTooLarge, "99999999999999999999": ErrTooLarge}
	for in, want := range bad {
		if _, err := ParseScore(in); err != want {
			t.Errorf("ParseScore(%q) error %v, want %v", in, err, want)
		}
	}
}

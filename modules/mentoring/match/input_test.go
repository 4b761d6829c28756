package match

import (
	"strings"
	"testing"
)

const goodProblem = `{
  "learners": [
    {"id": "L1", "age": 17, "languages": ["Polish", "English"], "interests": ["estates_facilities"]},
    {"id": "L2", "age": 24, "mentor_gender": "female", "programme": "get-into"}
  ],
  "mentors": [
    {"id": "M1", "capacity": 2, "approved_under_18": true, "career_family": "estates_facilities", "gender": "female"},
    {"id": "M2", "capacity": 0, "eligible": false}
  ]
}`

func TestReadProblemReadsEveryField(t *testing.T) {
	p, err := ReadProblem("problem.json", strings.NewReader(goodProblem))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Learners) != 2 || len(p.Mentors) != 2 {
		t.Fatalf("read %d learners and %d mentors", len(p.Learners), len(p.Mentors))
	}
	l, m := p.Learners[0], p.Mentors[0]
	if l.ID != "L1" || l.Age != 17 || l.Languages[0] != "Polish" || l.Interests[0] != "estates_facilities" {
		t.Errorf("learner read as %+v", l)
	}
	if p.Learners[1].MentorGender != "female" || p.Learners[1].Programme != "get-into" {
		t.Errorf("learner 2 read as %+v", p.Learners[1])
	}
	if !m.Eligible || m.Capacity != 2 || !m.ApprovedUnder18 || m.CareerFamily != "estates_facilities" || m.Gender != "female" {
		t.Errorf("mentor read as %+v; an absent eligible should be true", m)
	}
	if p.Mentors[1].Eligible {
		t.Error(`"eligible": false was read as true`)
	}
}

func TestReadProblemNamesTheLineOfAMistake(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"a syntax error", "{\n \"learners\": [\n  {\"id\": \"L1\",}\n ]}", `problem.json line 3, column 15: invalid character '}'`},
		{"a truncated file", "{\"learners\": [\n", "problem.json line 2, column 1: the file ends too soon"},
		{"not an object", "[1, 2]", "problem.json line 1, column 1: the problem must be a JSON object"},
		{"an unknown key", "{\"learners\": [],\n \"mentor\": []}", `line 2, column 2: unknown key "mentor"`},
		{"a missing list", `{"learners": []}`, `line 1, column 1: the problem needs both "learners" and "mentors"`},
		{"text after the end", "{\"learners\": [], \"mentors\": []}\n{}", "line 2, column 1: unexpected text"},
		{"learners not a list", `{"learners": {}, "mentors": []}`, "line 1, column 14: learners must be a list"},
		{"a duplicate learner id", "{\"learners\": [{\"id\": \"L1\"},\n {\"id\": \"L1\"}], \"mentors\": []}", `line 2, column 9: learner "L1": id is already used by learner 1`},
		{"a duplicate mentor id", "{\"learners\": [], \"mentors\": [\n{\"id\": \"M1\", \"capacity\": 1},\n{\"capacity\": 1,\n \"id\": \"M1\"}]}", `line 4, column 8: mentor "M1": id is already used by mentor 1`},
		{"a missing id", "{\"learners\": [\n {\"age\": 20}], \"mentors\": []}", "line 2, column 2: learner 1: has no id"},
		{"a capacity over 5", "{\"learners\": [], \"mentors\": [\n {\"id\": \"M1\",\n  \"capacity\": 7}]}", `line 3, column 15: mentor "M1": capacity 7 is not between 0 (paused) and 5`},
		{"a negative capacity", `{"learners": [], "mentors": [{"id": "M1", "capacity": -1}]}`, `column 55: mentor "M1": capacity -1 is not between`},
		{"a fractional capacity", "{\"learners\": [], \"mentors\": [\n {\"id\": \"M1\", \"capacity\": 2.5}]}", `line 2, column 27: mentor "M1": capacity: want a whole number, not number 2.5`},
		{"a capacity in quotes", `{"learners": [], "mentors": [{"id": "M1", "capacity": "3"}]}`, `mentor "M1": capacity: want a whole number, not string`},
		{"a misspelt field", "{\"learners\": [], \"mentors\": [\n {\"id\": \"M1\", \"capcity\": 2}]}", `line 2, column 26: mentor "M1": unknown field "capcity"`},
		{"an unknown career family", `{"learners": [], "mentors": [{"id": "M1", "capacity": 1, "career_family": "nurse"}]}`, `mentor "M1": career_family "nurse" is not one of administration, allied_health`},
		{"an empty file", " \n", "problem.json line 1: the file is empty"},
		{"a learner that is not an object", `{"learners": ["L1"], "mentors": []}`, "line 1, column 15: learner 1: want an object {...}, not string"},
		{"a language that is not text", `{"learners": [{"id": "L1", "languages": [1]}], "mentors": []}`, `column 41: learner "L1": languages: want text in quotes, not number`},
		{"an unknown slot", `{"learners": [{"id": "L1", "availability": ["weekday_mornings"]}], "mentors": []}`, `learner "L1": availability "weekday_mornings" is not an availability slot`},
		{"languages not a list", `{"learners": [{"id": "L1", "languages": "Polish"}], "mentors": []}`, `learner "L1": languages: want a list of text in quotes, not string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadProblem("problem.json", strings.NewReader(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v\nwant one containing %q", err, tt.want)
			}
		})
	}
}

func TestReadPairs(t *testing.T) {
	p, err := ReadProblem("problem.json", strings.NewReader(goodProblem))
	if err != nil {
		t.Fatal(err)
	}
	pairs, err := ReadPairs("pairs.csv", strings.NewReader("\uFEFFlearner_id, mentor_id, score\nL1,M1,0.75\n\nL2,M1,-2\r\nL2,M2,3\n"), p)
	if err != nil {
		t.Fatal(err)
	}
	want := []Pair{{0, 0, 750_000}, {1, 0, -2 * ScoreUnit}, {1, 1, 3 * ScoreUnit}}
	if len(pairs) != len(want) {
		t.Fatalf("read %v, want %v", pairs, want)
	}
	for i := range want {
		if pairs[i] != want[i] {
			t.Fatalf("read %v, want %v", pairs, want)
		}
	}
}

func TestReadPairsNamesTheLineOfAMistake(t *testing.T) {
	const head = "learner_id,mentor_id,score\n"
	tests := []struct {
		name, csv, want string
	}{
		{"an empty file", "", "pairs.csv line 1: the file is empty"},
		{"a missing header", "L1,M1,3\n", `pairs.csv line 1: the first line must be the header learner_id,mentor_id,score, not "L1,M1,3"`},
		{"a score that is not a number", head + "L1,M1,3\nL2,M1,1\nL1,M2,2\nL2,M2,1\n\nL2,M1,abc\n", `pairs.csv line 7: score "abc" is not a number`},
		{"NaN", head + "L1,M1,NaN\n", `pairs.csv line 2: score "NaN" is not a number`},
		{"infinity", head + "L1,M1,+Inf\n", `pairs.csv line 2: score "+Inf" is not a number`},
		{"too many decimals", head + "L1,M1,0.1234567\n", `pairs.csv line 2: score "0.1234567" has more than 6 decimal places`},
		{"too large", head + "L1,M1,1e9\n", `pairs.csv line 2: score "1e9" is not a number`},
		{"out of range", head + "L1,M1,2000000\n", `pairs.csv line 2: score "2000000" is outside -1000000 to 1000000`},
		{"an unknown learner", head + "L1,M1,1\nL9,M1,1\n", `pairs.csv line 3: learner "L9" is not in the problem`},
		{"an unknown mentor", head + "L1,M7,1\n", `pairs.csv line 2: mentor "M7" is not in the problem`},
		{"a missing field", head + "L1,M1\n", "pairs.csv line 2: want 3 fields"},
		{"a duplicate pair", head + "L1,M1,1\nL2,M1,1\nL2,M2,1\nL1,M1,2\nL2,M1,5\n", "pairs.csv line 5: the pair L1,M1 was already listed on line 2"},
		{"a broken quote", head + "L1,\"M1,1\n", "pairs.csv line 2, column"},
	}
	p, err := ReadProblem("problem.json", strings.NewReader(goodProblem))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadPairs("pairs.csv", strings.NewReader(tt.csv), p)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v\nwant one containing %q", err, tt.want)
			}
		})
	}
}

func TestRunOnTheExampleProblem(t *testing.T) {
	p, err := ReadProblem("problem.json", strings.NewReader(goodProblem))
	if err != nil {
		t.Fatal(err)
	}
	r, err := DefaultModel().Run(p)
	if err != nil {
		t.Fatal(err)
	}
	// L1 (17) may have M1, approved for under-18s; L2 asked for a female
	// mentor, and M1 is one, but M1 scores higher with L1. Capacity 2
	// lets M1 take both; M2 is paused and not cleared.
	if len(r.Matches) != 2 || len(r.Unmatched) != 0 {
		t.Fatalf("got %+v", r)
	}
	if m := r.Matches[0]; m.LearnerID != "L1" || m.MentorID != "M1" || m.Reasons != "both in Estates and Facilities" || m.Score != 5*ScoreUnit {
		t.Errorf("first match %+v", m)
	}
	if r.TotalScore != 6*ScoreUnit {
		t.Errorf("total %s, want 6", r.TotalScore)
	}
}

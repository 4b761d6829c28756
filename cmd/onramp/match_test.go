package main

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

// inDir writes files into a fresh directory and makes it the working
// directory, so commands name them as a user would.
func inDir(t *testing.T, files map[string]string) {
	t.Helper()
	t.Chdir(t.TempDir())
	for name, body := range files {
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const matchProblem = `{
  "learners": [
    {"id": "L1", "age": 19, "interests": ["estates_facilities"], "languages": ["Polish"]},
    {"id": "L2", "age": 22, "interests": ["administration"]},
    {"id": "L3", "age": 16}
  ],
  "mentors": [
    {"id": "M1", "capacity": 1, "career_family": "estates_facilities", "languages": ["Polish", "English"]},
    {"id": "M2", "capacity": 1, "career_family": "administration", "current_load": 5},
    {"id": "M3", "capacity": 3, "eligible": false}
  ]
}`

type matchOutput struct {
	Matches []struct {
		LearnerID string          `json:"learner_id"`
		MentorID  string          `json:"mentor_id"`
		Score     json.RawMessage `json:"score"`
		Reasons   string          `json:"reasons"`
	} `json:"matches"`
	Unmatched  []string        `json:"unmatched"`
	TotalScore json.RawMessage `json:"total_score"`
}

func TestMatchWithTheScoringModelPrintsMatchesAndReasons(t *testing.T) {
	inDir(t, map[string]string{"problem.json": matchProblem})
	out, err := run(t, "match", "--problem", "problem.json")
	if err != nil {
		t.Fatal(err)
	}
	var got matchOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not the result JSON: %v\n%s", err, out)
	}
	// L3 is 16 and no cleared mentor is approved for under-18s.
	if len(got.Matches) != 2 || got.Matches[0].MentorID != "M1" || got.Matches[1].MentorID != "M2" ||
		len(got.Unmatched) != 1 || got.Unmatched[0] != "L3" {
		t.Fatalf("got %s", out)
	}
	if r := got.Matches[0].Reasons; r != "both in Estates and Facilities; both speak Polish" {
		t.Errorf("reasons %q", r)
	}
	// 4 + 1 + 2 + 1 for L1 and M1; 4 for L2 and M2, who is full already.
	if string(got.Matches[0].Score) != "8" || string(got.TotalScore) != "12" {
		t.Errorf("scores %s, total %s; want 8 and 12", got.Matches[0].Score, got.TotalScore)
	}
}

func TestMatchWithScoresWritesTheResultToOutWithExactDecimals(t *testing.T) {
	inDir(t, map[string]string{
		"problem.json": matchProblem,
		// Only these pairs are eligible, whatever the profiles say; a
		// greedy pass would give L1 to M1 (0.75) and leave L2 out.
		"pairs.csv": "learner_id,mentor_id,score\nL1,M1,0.75\nL1,M2,0.1\nL2,M1,0.2\n",
	})
	out, err := run(t, "match", "--problem", "problem.json", "--scores", "pairs.csv", "--out", "result.json")
	if err != nil {
		t.Fatal(err)
	}
	if out != "" {
		t.Errorf("printed %q with --out", out)
	}
	b, err := os.ReadFile("result.json")
	if err != nil {
		t.Fatal(err)
	}
	var got matchOutput
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("result.json is not the result JSON: %v\n%s", err, b)
	}
	if len(got.Matches) != 2 || got.Matches[0].LearnerID != "L1" || got.Matches[0].MentorID != "M2" ||
		got.Matches[1].LearnerID != "L2" || got.Matches[1].MentorID != "M1" {
		t.Fatalf("got %s", b)
	}
	// 0.1 + 0.2 in floating point is 0.30000000000000004.
	if string(got.Matches[0].Score) != "0.1" || string(got.TotalScore) != "0.3" {
		t.Errorf("score %s, total %s; want 0.1 and exactly 0.3", got.Matches[0].Score, got.TotalScore)
	}
	if got.Matches[0].Reasons != "" || len(got.Unmatched) != 1 || got.Unmatched[0] != "L3" {
		t.Errorf("got %s", b)
	}
}

func TestMatchRefusesBadInputNamingTheFileAndLine(t *testing.T) {
	tests := []struct {
		name, problem, pairs, want string
	}{
		{"a score that is not a number", matchProblem, "learner_id,mentor_id,score\nL1,M1,1\nL1,M2,2\nL2,M1,1\nL2,M2,1\nL3,M1,1\nL3,M2,abc\n",
			`pairs.csv line 7: score "abc" is not a number`},
		{"a missing header", matchProblem, "L1,M1,1\n", "pairs.csv line 1: the first line must be the header learner_id,mentor_id,score"},
		{"an unknown learner", matchProblem, "learner_id,mentor_id,score\nL4,M1,1\n", `pairs.csv line 2: learner "L4" is not in the problem`},
		{"a duplicate pair", matchProblem, "learner_id,mentor_id,score\nL1,M1,1\nL1,M1,2\n", "pairs.csv line 3: the pair L1,M1 was already listed on line 2"},
		{"NaN", matchProblem, "learner_id,mentor_id,score\nL1,M1,NaN\n", `pairs.csv line 2: score "NaN" is not a number`},
		{"broken JSON", "{\"learners\": [\n  {\"id\": \"L1\" \"age\": 3}]}", "", "problem.json line 2, column 15: invalid character '\"' after object key:value pair"},
		{"a duplicate id", "{\"learners\": [{\"id\": \"L1\"}],\n\"mentors\": [{\"id\": \"M1\", \"capacity\": 1},\n  {\"id\": \"M1\", \"capacity\": 1}]}", "", `problem.json line 3, column 10: mentor "M1": id is already used by mentor 1`},
		{"a capacity over 5", "{\"learners\": [],\n\"mentors\": [{\"id\": \"M1\", \"capacity\": 6}]}", "", `problem.json line 2, column 38: mentor "M1": capacity 6 is not between 0 (paused) and 5`},
		{"a fractional capacity", "{\"learners\": [],\n\"mentors\": [{\"id\": \"M1\", \"capacity\": 1.5}]}", "", `problem.json line 2, column 38: mentor "M1": capacity: want a whole number, not number 1.5`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"problem.json": tt.problem}
			args := []string{"match", "--problem", "problem.json"}
			if tt.pairs != "" {
				files["pairs.csv"] = tt.pairs
				args = append(args, "--scores", "pairs.csv")
			}
			inDir(t, files)
			out, err := run(t, append(args, "--out", "result.json")...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v\nwant one containing %q", err, tt.want)
			}
			if _, statErr := os.Stat("result.json"); out != "" || statErr == nil {
				t.Errorf("wrote a result despite the error")
			}
		})
	}
}

func TestMatchWithoutAProblemIsAUsageError(t *testing.T) {
	for _, args := range [][]string{{"match"}, {"match", "--scores", "pairs.csv"}, {"match", "--problem"}, {"match", "--problem", "p.json", "extra"}} {
		_, err := run(t, args...)
		var u usageError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), "onramp match --problem problem.json [--scores pairs.csv] [--out result.json]") {
			t.Errorf("onramp %q returned %v, want the match usage", args, err)
		}
	}
}

func TestMatchNamesAMissingFile(t *testing.T) {
	inDir(t, nil)
	_, err := run(t, "match", "--problem", "nowhere.json")
	if err == nil || !strings.Contains(err.Error(), "nowhere.json") {
		t.Fatalf("error %v does not name the missing file", err)
	}
}

package learning

import (
	"testing"
	"time"

	"onramp/modules/content"
)

// outline builds a programme of two modules: m1 with lessons a, b and a
// check c1; m2 with lesson c and no check.
func outline() *content.Outline {
	return &content.Outline{Modules: []content.OutlineModule{
		{Module: content.Module{ID: "m1", Title: "One"}, Lessons: []content.Lesson{{ID: "a"}, {ID: "b"}},
			Check: &content.CheckSummary{ID: "c1", Title: "Check"}},
		{Module: content.Module{ID: "m2", Title: "Two"}, Lessons: []content.Lesson{{ID: "c"}}},
	}}
}

func TestCompletionRules(t *testing.T) {
	now := time.Now()
	done := func(ids ...string) map[string]time.Time {
		m := map[string]time.Time{}
		for i, id := range ids {
			m[id] = now.Add(time.Duration(i) * time.Minute)
		}
		return m
	}
	passed := map[string]CheckResult{"c1": {CheckID: "c1", Attempts: 2, Passed: true, Best: 80}}
	failed := map[string]CheckResult{"c1": {CheckID: "c1", Attempts: 2, Passed: false, Best: 40}}
	cases := []struct {
		name       string
		completed  map[string]time.Time
		checks     map[string]CheckResult
		last       string
		m1, m2     string
		complete   bool
		percent    int
		nextLesson string
		nextCheck  string
	}{
		{"nothing done", done(), nil, "", StatusNotStarted, StatusNotStarted, false, 0, "a", ""},
		{"one lesson", done("a"), nil, "a", StatusInProgress, StatusNotStarted, false, 33, "b", ""},
		{"lessons done but check not taken", done("a", "b"), nil, "b", StatusInProgress, StatusNotStarted, false, 67, "", "c1"},
		{"check failed keeps the module open", done("a", "b", "c"), failed, "c", StatusInProgress, StatusCompleted, false, 100, "", "c1"},
		{"check passed but a lesson missing", done("a", "c"), passed, "c", StatusInProgress, StatusCompleted, false, 67, "b", ""},
		{"everything done and passed", done("a", "b", "c"), passed, "c", StatusCompleted, StatusCompleted, true, 100, "", ""},
		{"continue after the last one done", done("c"), nil, "c", StatusNotStarted, StatusCompleted, false, 33, "a", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := computeProgress(outline(), tc.completed, tc.checks, tc.last)
			if p.Modules[0].Status != tc.m1 || p.Modules[1].Status != tc.m2 {
				t.Errorf("statuses %q, %q; want %q, %q", p.Modules[0].Status, p.Modules[1].Status, tc.m1, tc.m2)
			}
			if p.Complete != tc.complete || p.Percent != tc.percent {
				t.Errorf("complete %v, %d%%; want %v, %d%%", p.Complete, p.Percent, tc.complete, tc.percent)
			}
			var gotLesson, gotCheck string
			if p.Next != nil {
				gotLesson, gotCheck = p.Next.LessonID, p.Next.CheckID
			}
			if gotLesson != tc.nextLesson || gotCheck != tc.nextCheck {
				t.Errorf("next is lesson %q check %q; want lesson %q check %q", gotLesson, gotCheck, tc.nextLesson, tc.nextCheck)
			}
		})
	}
}

func TestMarkingNeedsExactlyTheRightOptions(t *testing.T) {
	c := &content.CheckWithContext{Check: content.Check{ID: "c", PassMark: 50, Questions: []content.Question{
		{ID: "q1", Kind: content.KindSingle, Options: []content.Option{{ID: "a", Correct: true, Feedback: "Yes"}, {ID: "b", Feedback: "No"}}},
		{ID: "q2", Kind: content.KindMultiple, Options: []content.Option{{ID: "x", Correct: true}, {ID: "y", Correct: true, Text: "Y"}, {ID: "z"}}},
	}}}
	res, err := mark(c, map[string][]string{"q1": {"a"}, "q2": {"x"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Correct != 1 || res.Score != 50 || !res.Passed || res.Feedback[0].Messages[0] != "Yes" || res.Feedback[1].Missed[0] != "Y" {
		t.Errorf("half right: %+v", res)
	}
	res, _ = mark(c, map[string][]string{"q1": {"b"}, "q2": {"x", "y", "z"}})
	if res.Correct != 0 || res.Passed {
		t.Errorf("all wrong: %+v", res)
	}
	if _, err := mark(c, map[string][]string{"q1": {"a"}}); err == nil {
		t.Error("an unanswered question was accepted")
	}
	if _, err := mark(c, map[string][]string{"q1": {"a", "b"}, "q2": {"x"}}); err == nil {
		t.Error("two answers to a single-choice question were accepted")
	}
	if _, err := mark(c, map[string][]string{"q1": {"x"}, "q2": {"x"}}); err == nil {
		t.Error("another question's option was accepted")
	}
}

func TestVerificationCodesAreWellFormedAndForgiving(t *testing.T) {
	code := newCode()
	if len(code) != 14 || code[4] != '-' || code[9] != '-' {
		t.Fatalf("code %q is not XXXX-XXXX-XXXX", code)
	}
	for _, typed := range []string{code, " " + code + " ", "abcd efgh jklm"} {
		if got := normaliseCode(typed); len(got) != 14 {
			t.Errorf("normaliseCode(%q) = %q", typed, got)
		}
	}
}

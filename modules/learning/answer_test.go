package learning

import (
	"testing"

	"onramp/app/apperr"
	"onramp/modules/content"
)

func TestPracticeAnswersAreMarkedWithTheFeedbackOfEachChoice(t *testing.T) {
	single := content.Question{ID: "q1", Kind: content.KindSingle, Options: []content.Option{
		{ID: "a", Text: "Gloves", Feedback: "Not quite."}, {ID: "b", Text: "Wash", Correct: true, Feedback: "Yes."}}}
	multi := content.Question{ID: "q2", Kind: content.KindMultiple, Options: []content.Option{
		{ID: "a", Correct: true, Feedback: "Before, yes."}, {ID: "b", Correct: true, Feedback: "After, yes."}, {ID: "c", Feedback: "No."}}}
	for _, c := range []struct {
		name            string
		q               content.Question
		chosen          []string
		correct, missed bool
		messages        int
	}{
		{"single right", single, []string{"b"}, true, false, 1},
		{"single wrong", single, []string{"a"}, false, false, 1},
		{"multiple exact", multi, []string{"b", "a"}, true, false, 2},
		{"multiple half", multi, []string{"a"}, false, true, 1},
		{"multiple with a wrong one", multi, []string{"a", "c"}, false, false, 2},
	} {
		a, err := markPractice(c.q, c.chosen)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if a.Correct != c.correct || a.MissedSome != c.missed || len(a.Messages) != c.messages {
			t.Errorf("%s: correct %v, missed some %v, %d messages; want %v, %v, %d", c.name, a.Correct, a.MissedSome, len(a.Messages), c.correct, c.missed, c.messages)
		}
	}
	for name, chosen := range map[string][]string{"nothing": nil, "two for a single": {"a", "b"}, "not an option": {"zz"}} {
		if _, err := markPractice(single, chosen); apperr.As(err).Kind != apperr.Invalid {
			t.Errorf("%s: %v, want Invalid", name, err)
		}
	}
}

package learning

import (
	"fmt"
	"slices"
	"testing"

	"onramp/modules/content"
)

// fiveOptions is a question whose five options are written a to e.
func fiveOptions(id string) content.Question {
	q := content.Question{ID: id, Kind: content.KindSingle}
	for _, o := range []string{"a", "b", "c", "d", "e"} {
		q.Options = append(q.Options, content.Option{ID: id + o, Text: o})
	}
	return q
}

func optionIDs(q content.Question) []string {
	ids := make([]string, len(q.Options))
	for i, o := range q.Options {
		ids[i] = o.ID
	}
	return ids
}

func TestACheckWithShuffleOffShowsAndRecordsTheWrittenOrderOnEveryAttempt(t *testing.T) {
	c := &content.CheckWithContext{Check: content.Check{ID: "check-1", Shuffle: false,
		Questions: []content.Question{fiveOptions("q1"), fiveOptions("q2")}}}
	for round := 1; round <= 3; round++ {
		out, shown := shuffled(c, "learner-1", round)
		for i, q := range out.Questions {
			written := optionIDs(c.Questions[i])
			if got := optionIDs(q); !slices.Equal(got, written) {
				t.Errorf("round %d shows question %s as %v, want the order written %v", round, q.ID, got, written)
			}
			if !slices.Equal(shown[q.ID], written) {
				t.Errorf("round %d records question %s as %v, want %v", round, q.ID, shown[q.ID], written)
			}
		}
	}
}

func TestACheckWithShuffleOnKeepsOneOrderInAnAttemptAndChangesItForTheNext(t *testing.T) {
	c := &content.CheckWithContext{Check: content.Check{ID: "check-1", Shuffle: true,
		Questions: []content.Question{fiveOptions("q1"), fiveOptions("q2")}}}
	first, shown := shuffled(c, "learner-1", 1)
	again, _ := shuffled(c, "learner-1", 1)
	next, _ := shuffled(c, "learner-1", 2)
	for i, q := range first.Questions {
		if !slices.Equal(optionIDs(q), optionIDs(again.Questions[i])) {
			t.Errorf("question %s changed order within attempt 1: %v, then %v", q.ID, optionIDs(q), optionIDs(again.Questions[i]))
		}
		if !slices.Equal(shown[q.ID], optionIDs(q)) {
			t.Errorf("question %s recorded %v but showed %v", q.ID, shown[q.ID], optionIDs(q))
		}
		if slices.Equal(optionIDs(q), optionIDs(next.Questions[i])) {
			t.Errorf("question %s has the same order on attempts 1 and 2: %v", q.ID, optionIDs(q))
		}
	}
	if got := optionIDs(c.Questions[0]); !slices.Equal(got, []string{"q1a", "q1b", "q1c", "q1d", "q1e"}) {
		t.Errorf("shuffling changed the cached check itself: %v", got)
	}
}

func TestALessonsQuestionsShowEachLearnerTheirOwnOrderOnEveryVisit(t *testing.T) {
	l := &content.LessonInProgramme{Lesson: content.Lesson{ID: "lesson-1", Shuffle: true},
		Questions: []content.Question{fiveOptions("q1")}}
	written := optionIDs(l.Questions[0])
	orders := map[string]bool{}
	for i := range 20 {
		user := fmt.Sprintf("learner-%d", i)
		first := optionIDs(shownQuestions(user, l)[0])
		if again := optionIDs(shownQuestions(user, l)[0]); !slices.Equal(first, again) {
			t.Errorf("%s saw %v, then %v on coming back", user, first, again)
		}
		orders[fmt.Sprint(first)] = true
	}
	if len(orders) < 2 || (len(orders) == 1 && orders[fmt.Sprint(written)]) {
		t.Errorf("20 learners all saw the answers in one order: %v", orders)
	}
	if !slices.Equal(optionIDs(l.Questions[0]), written) {
		t.Errorf("shuffling changed the cached lesson itself: %v", optionIDs(l.Questions[0]))
	}

	l.Shuffle = false
	for i := range 5 {
		if got := optionIDs(shownQuestions(fmt.Sprintf("learner-%d", i), l)[0]); !slices.Equal(got, written) {
			t.Errorf("with shuffle off a learner saw %v, want the order written %v", got, written)
		}
	}
}

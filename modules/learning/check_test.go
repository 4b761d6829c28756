package learning

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"onramp/assets"
	"onramp/modules/content"
)

func TestAChecksLessonsMustBeGoneOverAfterTwoFailuresInARow(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	at := func(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }
	// m1 has lessons a and b and check c1 (see outline).
	cases := []struct {
		name      string
		completed map[string]time.Time
		check     CheckResult
		revisit   []string // lessons still to go over
		next      string   // the lesson Continue leads to, or "c1"
	}{
		{"one failure: try again at once",
			map[string]time.Time{"a": at(0), "b": at(1)}, CheckResult{Attempts: 1, LastAt: at(5)}, nil, "c1"},
		{"two failures in a row: every lesson again",
			map[string]time.Time{"a": at(0), "b": at(1)}, CheckResult{Attempts: 2, FailedTwiceAt: at(5), LastAt: at(6)},
			[]string{"a", "b"}, "a"},
		{"one lesson gone over: the other still to do",
			map[string]time.Time{"a": at(7), "b": at(1)}, CheckResult{Attempts: 2, FailedTwiceAt: at(5), LastAt: at(6)},
			[]string{"b"}, "b"},
		{"both gone over: the check is open again",
			map[string]time.Time{"a": at(7), "b": at(8)}, CheckResult{Attempts: 2, FailedTwiceAt: at(5), LastAt: at(6)}, nil, "c1"},
		{"gone over between the two failures: only one since, so open",
			map[string]time.Time{"a": at(5), "b": at(6)}, CheckResult{Attempts: 3, FailedTwiceAt: at(4), LastAt: at(7)}, nil, "c1"},
		{"a lesson never done counts as not gone over",
			map[string]time.Time{"a": at(0)}, CheckResult{Attempts: 2, FailedTwiceAt: at(5), LastAt: at(6)},
			[]string{"a", "b"}, "b"},
		{"passed after failing twice: nothing to go over",
			map[string]time.Time{"a": at(0), "b": at(1)}, CheckResult{Attempts: 3, Passed: true, LastAt: at(7)}, nil, "c"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.check.CheckID = "c1"
			p := computeProgress(outline(), tc.completed, map[string]CheckResult{"c1": tc.check}, "")
			var got []string
			for _, l := range p.Modules[0].Revisit {
				got = append(got, l.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.revisit) {
				t.Errorf("to go over %v, want %v", got, tc.revisit)
			}
			next := ""
			if p.Next != nil {
				next = p.Next.LessonID + p.Next.CheckID
			}
			if next != tc.next {
				t.Errorf("continue leads to %q, want %q", next, tc.next)
			}
		})
	}
}

func TestAccessFollowsTheLearnersEnrolments(t *testing.T) {
	open := &content.Outline{Programme: content.Programme{Slug: "p", Title: "P", OpenEnrolment: true}}
	closed := &content.Outline{Programme: content.Programme{Slug: "p", Title: "P"}}
	group := Enrolment{ProgrammeSlug: "p", CohortName: "Spring", Status: enrolmentActive}
	self := Enrolment{ProgrammeSlug: "p", CohortName: "P (open)", SelfEnrolment: true, Status: enrolmentActive}
	withdrawn := func(e Enrolment) Enrolment { e.Status = enrolmentWithdrawn; return e }
	finished := group
	finished.Status = enrolmentCompleted
	other := Enrolment{ProgrammeSlug: "q", Status: enrolmentActive}
	cases := []struct {
		name     string
		o        *content.Outline
		ens      []Enrolment
		want     Access
		refusing string // part of the refusal's message
	}{
		{"not enrolled on a closed programme", closed, []Enrolment{other}, Access{}, "/join"},
		{"not enrolled on an open programme", open, nil, Access{Open: true, CanStart: true}, "Start this programme"},
		{"in a group", closed, []Enrolment{group}, Access{Enrolled: true, Cohort: "Spring"}, ""},
		{"finished with a group", closed, []Enrolment{finished}, Access{Enrolled: true, Cohort: "Spring"}, ""},
		{"started on their own", open, []Enrolment{self}, Access{Enrolled: true, SelfEnrolled: true, Open: true}, ""},
		{"a group beats starting on their own", open, []Enrolment{self, group},
			Access{Enrolled: true, Cohort: "Spring", Open: true}, ""},
		{"withdrawn", closed, []Enrolment{withdrawn(group)}, Access{Withdrawn: true}, "progress so far is kept"},
		{"withdrawn from a group of an open programme", open, []Enrolment{withdrawn(group)},
			Access{Withdrawn: true, Open: true, CanStart: true}, "start it again on your own"},
		{"taken off an open programme they started", open, []Enrolment{withdrawn(self)},
			Access{Withdrawn: true, Open: true}, "progress so far is kept"},
		{"withdrawn, then moved to another group", closed, []Enrolment{group, withdrawn(group)},
			Access{Enrolled: true, Cohort: "Spring"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := accessTo(tc.o, tc.ens)
			if got != tc.want {
				t.Errorf("access %+v, want %+v", got, tc.want)
			}
			if tc.refusing == "" {
				return
			}
			err := got.refusal(tc.o)
			if slug, ok := NotOnProgramme(err); !ok || slug != "p" || !strings.Contains(err.Error(), tc.refusing) {
				t.Errorf("refusal %q (programme %q), want one saying %q", err, slug, tc.refusing)
			}
		})
	}
}

// testCheck has a single-choice question whose wrong option's feedback
// names the right answer, and a multiple-choice one.
func testCheck() *content.CheckWithContext {
	return &content.CheckWithContext{Check: content.Check{ID: "c", PassMark: 100, Questions: []content.Question{
		{ID: "q1", Kind: content.KindSingle, Text: "How is the NHS paid for?", Options: []content.Option{
			{ID: "right", Text: "Through taxes", Correct: true, Feedback: "Right. Taxes pay for it."},
			{ID: "fees", Text: "Fees", Feedback: "No. You do not pay to see a GP. The NHS is paid for through taxes."},
			{ID: "bare", Text: "Insurance", Feedback: "No. It is through taxes."}}},
		{ID: "q2", Kind: content.KindMultiple, Text: "Which are NHS values?", Options: []content.Option{
			{ID: "x", Text: "Compassion", Correct: true, Feedback: "Yes. Compassion is a value."},
			{ID: "y", Text: "Everyone counts", Correct: true, Feedback: "Yes. Everyone counts is a value."},
			{ID: "z", Text: "Speed", Feedback: "No. Speed is not a value, but doing things well is."}}},
	}}}
}

func TestFailedFeedbackExplainsTheChoiceWithoutGivingTheAnswer(t *testing.T) {
	cases := []struct {
		name    string
		answers map[string][]string
		q1, q2  []string // messages
	}{
		{"a sentence naming the right answer is left out",
			map[string][]string{"q1": {"fees"}, "q2": {"x", "y"}},
			[]string{"No. You do not pay to see a GP."}, []string{"Yes. Compassion is a value.", "Yes. Everyone counts is a value."}},
		{"nothing left but \"No.\": a plain message instead",
			map[string][]string{"q1": {"bare"}, "q2": {"x", "y"}},
			[]string{feedbackWrong}, []string{"Yes. Compassion is a value.", "Yes. Everyone counts is a value."}},
		{"a wrong tick is explained; right ticks are not confirmed",
			map[string][]string{"q1": {"right"}, "q2": {"x", "z"}},
			[]string{"Right. Taxes pay for it."}, []string{"No. Speed is not a value, but doing things well is.", feedbackTickedAll}},
		{"only right ticks, one missing: says one is missing, not which",
			map[string][]string{"q1": {"right"}, "q2": {"x"}},
			[]string{"Right. Taxes pay for it."}, []string{feedbackTickedAll}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := mark(testCheck(), tc.answers)
			if err != nil {
				t.Fatal(err)
			}
			if res.Passed {
				t.Fatal("passed; every case here should fail")
			}
			if got := res.Feedback[0].Messages; fmt.Sprint(got) != fmt.Sprint(tc.q1) {
				t.Errorf("question 1 says %q, want %q", got, tc.q1)
			}
			if got := res.Feedback[1].Messages; fmt.Sprint(got) != fmt.Sprint(tc.q2) {
				t.Errorf("question 2 says %q, want %q", got, tc.q2)
			}
			for _, f := range res.Feedback {
				if len(f.Missed) > 0 {
					t.Errorf("a failed attempt names the right answers missed: %q", f.Missed)
				}
			}
		})
	}
}

func TestAPassExplainsEverythingIncludingTheAnswersMissed(t *testing.T) {
	c := testCheck()
	c.PassMark = 50
	res, err := mark(c, map[string][]string{"q1": {"right"}, "q2": {"x"}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Passed || fmt.Sprint(res.Feedback[1].Missed) != "[Everyone counts]" ||
		fmt.Sprint(res.Feedback[1].Messages) != "[Yes. Compassion is a value.]" {
		t.Errorf("passed with question 2 half right: %+v", res)
	}
	res, _ = mark(c, map[string][]string{"q1": {"fees"}, "q2": {"x", "y"}})
	if !res.Passed || !strings.Contains(res.Feedback[0].Messages[0], "through taxes") || res.Feedback[0].Missed[0] != "Through taxes" {
		t.Errorf("passed with question 1 wrong: the full feedback and the right answer should show: %+v", res.Feedback[0])
	}
}

// TestNoShippedWrongAnswerFeedbackGivesTheAnswerAway fails one attempt
// for every wrong option of every single-answer question in the shipped
// content, and looks for the right option's text or id in what comes
// back for that question.
func TestNoShippedWrongAnswerFeedbackGivesTheAnswerAway(t *testing.T) {
	pkgs, err := content.ReadShipped(assets.Content)
	if err != nil {
		t.Fatal(err)
	}
	tried := 0
	for _, pkg := range pkgs {
		for _, m := range append(pkg.Modules, pkg.Shared...) { // a shared module is tried once per programme: no matter
			if m.Check == nil {
				continue
			}
			c := checkFromFile(m.Check)
			for qi, q := range c.Questions {
				if q.Kind != content.KindSingle {
					continue
				}
				for _, wrong := range q.Options {
					if wrong.Correct {
						continue
					}
					answers := map[string][]string{}
					for _, other := range c.Questions {
						answers[other.ID] = []string{other.Options[0].ID}
					}
					answers[q.ID] = []string{wrong.ID}
					c.PassMark = 101 // always a fail
					res, err := mark(c, answers)
					if err != nil {
						t.Fatal(err)
					}
					tried++
					said := strings.ToLower(fmt.Sprint(res.Feedback[qi].Messages, res.Feedback[qi].Missed))
					for _, right := range q.Options {
						if right.Correct && (strings.Contains(said, strings.ToLower(right.Text)) || strings.Contains(said, right.ID)) {
							t.Errorf("%s/%s, %q: choosing %q gives away %q: %s", pkg.Slug, m.Slug, q.Text, wrong.Text, right.Text, said)
						}
					}
				}
			}
		}
	}
	if tried < 100 {
		t.Errorf("only %d wrong answers tried; is the shipped content there?", tried)
	}
}

// checkFromFile turns a package's check.yaml into a check with made-up
// ids.
func checkFromFile(f *content.CheckFile) *content.CheckWithContext {
	c := &content.CheckWithContext{Check: content.Check{ID: "check", PassMark: f.PassMark}}
	for i, qf := range f.Questions {
		q := content.Question{ID: fmt.Sprintf("q%d", i), Text: qf.Text, Kind: qf.Kind}
		for j, of := range qf.Options {
			q.Options = append(q.Options, content.Option{ID: fmt.Sprintf("q%d-o%d", i, j), Text: of.Text,
				Correct: of.Correct, Feedback: of.Feedback})
		}
		c.Questions = append(c.Questions, q)
	}
	return c
}

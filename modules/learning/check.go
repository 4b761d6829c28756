package learning

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/db"
	"onramp/modules/content"
)

// CheckView is what a check page shows.
type CheckView struct {
	Check    *content.CheckWithContext
	Result   CheckResult
	Progress *Progress
	// Module is the check's module: while its Revisit list is not empty,
	// the check takes no attempt.
	Module *ModuleProgress
}

// Check returns a published check with the learner's results so far.
// Errors: NotFound (also for a programme not for them); Forbidden (saying
// why) when the learner is not on the programme.
func (s *Service) Check(ctx context.Context, u *auth.User, checkID string) (*CheckView, error) {
	c, err := s.visibleCheck(ctx, checkID)
	if err != nil {
		return nil, err
	}
	o, err := s.enrolledOutline(ctx, u, c.ProgrammeSlug)
	if err != nil {
		return nil, err
	}
	p, err := s.progressIn(ctx, u.ID, o)
	if err != nil {
		return nil, err
	}
	v := &CheckView{Check: c, Progress: p, Module: p.ModuleOfCheck(c.ID)}
	if v.Module != nil {
		v.Result = v.Module.Check
	}
	return v, nil
}

var errNoCheck = apperr.New(apperr.NotFound, "There is no such knowledge check")

func (s *Service) visibleCheck(ctx context.Context, checkID string) (*content.CheckWithContext, error) {
	c, err := s.catalogue.Check(ctx, checkID)
	if errors.Is(err, db.ErrNotFound) || (err == nil && !c.Visible) {
		return nil, errNoCheck
	}
	return c, err
}

// AttemptResult is the marked attempt with feedback for every question.
type AttemptResult struct {
	AttemptID string             `json:"attempt_id"`
	Score     int                `json:"score"`
	Correct   int                `json:"correct"`
	Total     int                `json:"total"`
	PassMark  int                `json:"pass_mark"`
	Passed    bool               `json:"passed"`
	Feedback  []QuestionFeedback `json:"feedback"`
}

// QuestionFeedback says whether one question was right and why. Until
// the check is passed it never gives away a right answer the learner
// missed: Messages explain why what they chose is wrong, and Missed is
// empty.
type QuestionFeedback struct {
	QuestionID string   `json:"question_id"`
	Question   string   `json:"question"`
	Correct    bool     `json:"correct"`
	Chosen     []string `json:"chosen"`
	Messages   []string `json:"messages"`
	Missed     []string `json:"missed,omitempty"` // right options not chosen, once passed
}

// Feedback said on a failed attempt when the content has nothing to say
// that would not give the answer away.
const (
	feedbackWrong     = "That is not the right answer. The lessons in this module explain why."
	feedbackTickedAll = "At least one right answer is not ticked yet."
)

// SubmitAttempt marks answers (question id -> chosen option ids), records
// the attempt and, if passing it finished the programme, issues the
// certificate. Every question must be answered; single-choice questions
// take exactly one option. After two failed tries in a row the learner
// must go over the module's lessons again first (see revisitList).
// Errors: NotFound; Forbidden when not on the programme; Conflict while
// lessons are waiting to be gone over again; Invalid naming each question
// that needs an answer.
func (s *Service) SubmitAttempt(ctx context.Context, u *auth.User, checkID string, answers map[string][]string) (*AttemptResult, error) {
	c, err := s.visibleCheck(ctx, checkID)
	if err != nil {
		return nil, err
	}
	if _, err := s.enrolledOutline(ctx, u, c.ProgrammeSlug); err != nil {
		return nil, err
	}
	var res *AttemptResult
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		// Past the cache: a check unpublished on another replica a moment
		// ago takes no more attempts.
		if now, err := s.catalogue.CheckNow(ctx, c.ID); errors.Is(err, db.ErrNotFound) || (err == nil && !now.Visible) {
			return errNoCheck
		} else if err != nil {
			return err
		}
		if err := s.store.LockAttempts(ctx, u.ID, c.ID); err != nil {
			return err
		}
		p, err := s.Progress(ctx, u.ID, c.ProgrammeSlug)
		if err != nil {
			return err
		}
		if m := p.ModuleOfCheck(c.ID); m != nil && len(m.Revisit) > 0 {
			return errRevisitFirst(m.Title)
		}
		if res, err = mark(c, answers); err != nil {
			return err
		}
		raw, _ := json.Marshal(answers)
		at := &Attempt{UserID: u.ID, CheckID: c.ID, Correct: res.Correct, Total: res.Total, Score: res.Score,
			Passed: res.Passed, Answers: raw, CreatedAt: s.now()}
		if err := s.store.AddAttempt(ctx, at); err != nil {
			return err
		}
		res.AttemptID = at.ID
		if !at.Passed {
			return nil
		}
		if p, err = s.Progress(ctx, u.ID, c.ProgrammeSlug); err != nil {
			return err
		}
		return s.certifyIfComplete(ctx, u, p)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// errRevisitFirst refuses a try at a check whose lessons are waiting to
// be gone over again.
func errRevisitFirst(module string) error {
	return apperr.New(apperr.Conflict, fmt.Sprintf("You have not passed this check two times in a row. "+
		"Go back over the lessons of \u201c%s\u201d first, and mark each one as done again. Then you can try again.", module))
}

// mark grades answers against the check. A question is right when the
// chosen options are exactly its correct ones. The feedback depends on
// the result: a pass explains every question in full; otherwise it only
// explains why the options chosen were wrong (see withoutAnswer).
func mark(c *content.CheckWithContext, answers map[string][]string) (*AttemptResult, error) {
	res := &AttemptResult{Total: len(c.Questions), PassMark: c.PassMark}
	var missing []apperr.FieldError
	chosenSets := make([]map[string]bool, len(c.Questions))
	for i, q := range c.Questions {
		chosen := answers[q.ID]
		valid := map[string]bool{}
		for _, o := range q.Options {
			valid[o.ID] = true
		}
		seen := map[string]bool{}
		for _, id := range chosen {
			if !valid[id] || seen[id] {
				return nil, apperr.New(apperr.Invalid, fmt.Sprintf("An answer to question %d is not one of its options. Reload the page and try again.", i+1))
			}
			seen[id] = true
		}
		chosenSets[i] = seen
		field := "q-" + q.ID
		switch {
		case len(chosen) == 0:
			missing = append(missing, apperr.FieldError{Field: field, Message: fmt.Sprintf("Answer question %d", i+1)})
			continue
		case q.Kind == content.KindSingle && len(chosen) > 1:
			missing = append(missing, apperr.FieldError{Field: field, Message: fmt.Sprintf("Choose only one answer for question %d", i+1)})
			continue
		}
		fb := QuestionFeedback{QuestionID: q.ID, Question: q.Text, Correct: true, Chosen: chosen, Messages: []string{}}
		for _, o := range q.Options {
			if o.Correct != seen[o.ID] {
				fb.Correct = false
			}
		}
		if fb.Correct {
			res.Correct++
		}
		res.Feedback = append(res.Feedback, fb)
	}
	if len(missing) > 0 {
		e := apperr.InvalidFields(missing...)
		e.Message = "Answer every question before you check your answers"
		return nil, e
	}
	if res.Total > 0 {
		res.Score = res.Correct * 100 / res.Total
	}
	res.Passed = res.Score >= res.PassMark
	for i := range res.Feedback {
		explain(&res.Feedback[i], c.Questions[i], chosenSets[i], res.Passed)
	}
	return res, nil
}

// explain fills in one question's feedback. Passed, or answered right, it
// gives the feedback of each option chosen and (passed) names the right
// options missed. Answered wrong on a failed attempt, it gives only why
// each wrong option chosen is wrong, with anything naming a right option
// taken out, and whether a right option is still to be ticked.
func explain(fb *QuestionFeedback, q content.Question, chosen map[string]bool, passed bool) {
	if passed || fb.Correct {
		for _, o := range q.Options {
			if chosen[o.ID] && o.Feedback != "" {
				fb.Messages = append(fb.Messages, o.Feedback)
			}
			if passed && o.Correct && !chosen[o.ID] {
				fb.Missed = append(fb.Missed, o.Text)
			}
		}
		return
	}
	missedOne := false
	for _, o := range q.Options {
		switch {
		case chosen[o.ID] && !o.Correct:
			msg := withoutAnswer(o.Feedback, q)
			if msg == "" {
				msg = feedbackWrong
			}
			if !contains(fb.Messages, msg) {
				fb.Messages = append(fb.Messages, msg)
			}
		case o.Correct && !chosen[o.ID]:
			missedOne = true
		}
	}
	if missedOne && q.Kind == content.KindMultiple {
		fb.Messages = append(fb.Messages, feedbackTickedAll)
	}
	if len(fb.Messages) == 0 {
		fb.Messages = append(fb.Messages, feedbackWrong)
	}
}

var sentencePattern = regexp.MustCompile(`[^.!?]+[.!?]*`)

// withoutAnswer returns an option's feedback without the sentences that
// name a right option of q, so feedback on a wrong choice cannot give the
// answer away. What is left must still say something besides an opening
// "No." or "Not quite.", or it returns "". Editors are asked to write
// wrong options' feedback that explains without naming the answer
// (assets/content/README.md); this catches the rest.
func withoutAnswer(feedback string, q content.Question) string {
	var rights []string
	for _, o := range q.Options {
		if o.Correct {
			if t := normalise(o.Text); t != "" {
				rights = append(rights, " "+t+" ")
			}
		}
	}
	var kept []string
	words := 0 // after an opening "No." or "Not quite."
	for i, s := range sentencePattern.FindAllString(feedback, -1) {
		s = strings.TrimSpace(s)
		n := " " + normalise(s) + " "
		if strings.TrimSpace(n) == "" {
			continue
		}
		names := false
		for _, r := range rights {
			names = names || strings.Contains(n, r)
		}
		if names {
			continue
		}
		kept = append(kept, s)
		if w := len(strings.Fields(n)); i > 0 || w > 4 {
			words += w
		}
	}
	if words < 2 {
		return ""
	}
	return strings.Join(kept, " ")
}

var nonWord = regexp.MustCompile(`[^\p{L}\p{N}]+`)

// normalise lower-cases text and turns punctuation and runs of spaces
// into single spaces, so "Through taxes." matches "through taxes".
func normalise(text string) string {
	return strings.TrimSpace(nonWord.ReplaceAllString(strings.ToLower(text), " "))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

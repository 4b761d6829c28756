package learning

import (
	"context"
	"slices"
	"time"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/modules/content"
)

// Questions inside lessons are practice: a learner answers, gets
// feedback at once and may answer again. Answers never hold anyone back
// (completing the lesson does not need them), but each learner's latest
// answer to each question is kept for reports.

// LessonAnswer is a learner's latest answer to a question inside a
// lesson, marked.
type LessonAnswer struct {
	QuestionID string    `json:"question_id"`
	Chosen     []string  `json:"option_ids"`
	Correct    bool      `json:"correct"`
	Messages   []string  `json:"feedback"`    // the feedback of each option chosen, in the question's order
	MissedSome bool      `json:"missed_some"` // only right options chosen, but not all of them
	AnsweredAt time.Time `json:"answered_at"`
}

// shownQuestions are a lesson's questions with their options in the
// order userID sees them: an order of their own, the same on every visit
// (the first round of a check's shuffle, with the lesson in the check's
// place), or the order written when the lesson does not shuffle. Answers
// are kept by option id, so the order never touches how answers are
// marked or stored.
func shownQuestions(userID string, l *content.LessonInProgramme) []content.Question {
	if !l.Shuffle {
		return l.Questions
	}
	qs, _ := inOrder(l.Questions, func(q content.Question) []string { return optionOrder(userID, l.ID, 1, q) })
	return qs
}

// Chose reports whether the answer chose optionID.
func (a *LessonAnswer) Chose(optionID string) bool {
	return a != nil && slices.Contains(a.Chosen, optionID)
}

// markPractice marks chosen options of a question inside a lesson: right
// when exactly the right options are chosen. Unlike a check, feedback is
// given for every option chosen, right or wrong: this is practice, and
// the learner can answer again. Errors: Invalid, on the field
// "question-ID", when nothing is chosen, an option is not the question's,
// or a single-answer question has more than one.
func markPractice(q content.Question, chosen []string) (*LessonAnswer, error) {
	field := "question-" + q.ID
	if len(chosen) == 0 {
		msg := "Choose an answer."
		if q.Kind == content.KindMultiple {
			msg = "Choose at least one answer."
		}
		return nil, apperr.InvalidFields(apperr.FieldError{Field: field, Message: msg})
	}
	if q.Kind == content.KindSingle && len(chosen) > 1 {
		return nil, apperr.InvalidFields(apperr.FieldError{Field: field, Message: "Choose one answer only."})
	}
	a := &LessonAnswer{QuestionID: q.ID}
	for _, id := range chosen {
		if !slices.ContainsFunc(q.Options, func(o content.Option) bool { return o.ID == id }) {
			return nil, apperr.InvalidFields(apperr.FieldError{Field: field, Message: "Choose one of the answers shown."})
		}
	}
	wrong, missed := false, false
	for _, o := range q.Options {
		picked := slices.Contains(chosen, o.ID)
		if picked {
			a.Chosen = append(a.Chosen, o.ID)
			if o.Feedback != "" {
				a.Messages = append(a.Messages, o.Feedback)
			}
		}
		wrong = wrong || (picked && !o.Correct)
		missed = missed || (!picked && o.Correct)
	}
	a.Correct = !wrong && !missed
	a.MissedSome = q.Kind == content.KindMultiple && missed && !wrong
	return a, nil
}

// AnswerLessonQuestion marks and records the learner's answer to a
// question inside a lesson (replacing any earlier answer) and returns it
// with its feedback. slug is the programme the lesson is read in (see
// LessonIn). Errors: NotFound (lesson or question); Forbidden, saying
// why, when the learner is not on the programme; Invalid (see
// markPractice).
func (s *Service) AnswerLessonQuestion(ctx context.Context, u *auth.User, slug, lessonID, questionID string, chosen []string) (*LessonAnswer, error) {
	l, err := s.visibleLesson(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	if _, err := s.programmeFor(ctx, u, lessonPlace(l), slug); err != nil {
		return nil, err
	}
	i := slices.IndexFunc(l.Questions, func(q content.Question) bool { return q.ID == questionID })
	if i < 0 {
		return nil, apperr.New(apperr.NotFound, "This lesson has no such question")
	}
	a, err := markPractice(l.Questions[i], chosen)
	if err != nil {
		return nil, err
	}
	a.AnsweredAt = s.now()
	return a, s.store.SaveLessonAnswer(ctx, u.ID, a)
}

// lessonAnswers returns the learner's latest answers to the lesson's
// questions, marked against the questions as they are now, by question
// id.
func (s *Service) lessonAnswers(ctx context.Context, userID string, l *content.LessonInProgramme) (map[string]*LessonAnswer, error) {
	out := map[string]*LessonAnswer{}
	if len(l.Questions) == 0 {
		return out, nil
	}
	ids := make([]string, len(l.Questions))
	for i, q := range l.Questions {
		ids[i] = q.ID
	}
	saved, err := s.store.LessonAnswers(ctx, userID, ids)
	if err != nil {
		return nil, err
	}
	for _, q := range l.Questions {
		sa, ok := saved[q.ID]
		if !ok {
			continue
		}
		a, err := markPractice(q, sa.Chosen)
		if err != nil {
			continue // the question changed since: an option gone, or now single-answer
		}
		a.AnsweredAt = sa.AnsweredAt
		out[q.ID] = a
	}
	return out, nil
}

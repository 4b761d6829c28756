package workbook

import "context"

// MaxAnswer is the longest "Try this" answer, in characters.
const MaxAnswer = 2000

// TryAnswer returns the learner's answer to the "Try this" of the lesson,
// or "" when they have not answered it.
func (s *Service) TryAnswer(ctx context.Context, learnerID, lessonID string) (string, error) {
	a, err := s.store.TryAnswer(ctx, learnerID, lessonID)
	if isNotFound(err) {
		return "", nil
	}
	return a.Answer, err
}

// SaveTryAnswer keeps the learner's answer to the "Try this" of a lesson
// they read in the programme with programmeSlug, replacing an earlier
// one. The caller has checked they may read the lesson. Errors: Invalid
// (field "try-this-answer") for an empty or too long answer.
func (s *Service) SaveTryAnswer(ctx context.Context, learnerID, lessonID, programmeSlug, answer string) error {
	var c checker
	answer = c.text("try-this-answer", answer, "Write your answer before you save it",
		"Your answer", MaxAnswer)
	if err := c.err(); err != nil {
		return err
	}
	return s.store.SaveTryAnswer(ctx, TryAnswer{UserID: learnerID, LessonID: lessonID, ProgrammeSlug: programmeSlug,
		Answer: answer, UpdatedAt: s.now()})
}

// TryAnswerTo returns the learner's answer to the lesson's Try this.
// Errors: NotFound when they have none.
func (s *Service) TryAnswerTo(ctx context.Context, learnerID, lessonID string) (TryAnswer, error) {
	a, err := s.store.TryAnswer(ctx, learnerID, lessonID)
	return a, notFound(err, errNoAnswer)
}

// DeleteTryAnswer deletes the learner's answer to the lesson's Try this.
// Errors: NotFound when they have none.
func (s *Service) DeleteTryAnswer(ctx context.Context, learnerID, lessonID string) error {
	return notFound(s.store.DeleteTryAnswer(ctx, learnerID, lessonID), errNoAnswer)
}

// FromAnswer is a new story started from a "Try this" answer: its
// Situation is the answer, for the learner to rework. Errors: NotFound
// when they have no answer to that lesson.
func (s *Service) FromAnswer(ctx context.Context, learnerID, lessonID string) (StoryInput, error) {
	a, err := s.store.TryAnswer(ctx, learnerID, lessonID)
	if err != nil {
		return StoryInput{}, notFound(err, errNoAnswer)
	}
	return StoryInput{Situation: a.Answer}, nil
}

package learning

import (
	"context"
	"fmt"
	"strings"
	"time"

	"onramp/app/db"
)

// savedAnswer is a learner's latest answer to a question inside a lesson,
// as stored.
type savedAnswer struct {
	Chosen     []string
	AnsweredAt time.Time
}

// SaveLessonAnswer records a learner's answer to a question inside a
// lesson, replacing their earlier one. The option ids must be the
// question's (markPractice checks them), so they are uuids.
func (s *Store) SaveLessonAnswer(ctx context.Context, userID string, a *LessonAnswer) error {
	err := db.Conn(ctx, s.g).Exec(`INSERT INTO lesson_answers (user_id, question_id, option_ids, correct, answered_at)
		VALUES (?, ?, ?::uuid[], ?, ?)
		ON CONFLICT (user_id, question_id) DO UPDATE
		SET option_ids = EXCLUDED.option_ids, correct = EXCLUDED.correct, answered_at = EXCLUDED.answered_at`,
		userID, a.QuestionID, "{"+strings.Join(a.Chosen, ",")+"}", a.Correct, a.AnsweredAt).Error
	if err != nil {
		return fmt.Errorf("store: unable to record an answer to question %s: %w", a.QuestionID, err)
	}
	return nil
}

// LessonAnswers returns a learner's latest answers to questions, by
// question id.
func (s *Store) LessonAnswers(ctx context.Context, userID string, questionIDs []string) (map[string]savedAnswer, error) {
	var rows []struct {
		QuestionID string
		Options    string
		AnsweredAt time.Time
	}
	err := db.Conn(ctx, s.g).Raw(`SELECT question_id, array_to_string(option_ids, ',') AS options, answered_at
		FROM lesson_answers WHERE user_id = ? AND question_id IN ?`, userID, questionIDs).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the answers of %s: %w", userID, err)
	}
	out := make(map[string]savedAnswer, len(rows))
	for _, r := range rows {
		out[r.QuestionID] = savedAnswer{Chosen: strings.Split(r.Options, ","), AnsweredAt: r.AnsweredAt}
	}
	return out, nil
}

package workbook

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"onramp/app/db"
)

// Store reads and writes the workbook tables. Every method takes the
// learner whose workbook it is and touches only their rows, so an id of
// someone else's story is db.ErrNotFound, as is an id that is not a
// UUID. Other errors say what was being done.
type Store struct{ g *gorm.DB }

// NewStore returns a store over g.
func NewStore(g *gorm.DB) *Store { return &Store{g: g} }

func isNotFound(err error) bool { return errors.Is(err, db.ErrNotFound) }

// TryAnswer returns the learner's answer to the lesson's "Try this".
func (s *Store) TryAnswer(ctx context.Context, userID, lessonID string) (TryAnswer, error) {
	var a TryAnswer
	if !db.IsUUID(lessonID) {
		return a, db.ErrNotFound
	}
	res := db.Conn(ctx, s.g).Where("user_id = ? AND lesson_id = ?", userID, lessonID).Limit(1).Find(&a)
	return a, db.One(res, "try this answer to lesson", lessonID)
}

// DeleteTryAnswer deletes the learner's answer to the lesson's Try this.
func (s *Store) DeleteTryAnswer(ctx context.Context, userID, lessonID string) error {
	if !db.IsUUID(lessonID) {
		return db.ErrNotFound
	}
	res := db.Conn(ctx, s.g).Where("user_id = ? AND lesson_id = ?", userID, lessonID).Delete(&TryAnswer{})
	if res.Error != nil {
		return fmt.Errorf("store: unable to delete the try this answer to lesson %s: %w", lessonID, res.Error)
	}
	if res.RowsAffected == 0 {
		return db.ErrNotFound
	}
	return nil
}

// TryAnswers lists the learner's answers with their lessons' titles,
// latest first.
func (s *Store) TryAnswers(ctx context.Context, userID string) ([]TryAnswer, error) {
	var out []TryAnswer
	err := db.Conn(ctx, s.g).Raw(`SELECT a.*, l.title AS lesson_title FROM workbook_try_answers a JOIN lessons l ON l.id = a.lesson_id
		WHERE a.user_id = ? ORDER BY a.updated_at DESC`, userID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the try this answers of %s: %w", userID, err)
	}
	return out, nil
}

// SaveTryAnswer adds the answer, or replaces the learner's earlier answer
// to the same lesson.
func (s *Store) SaveTryAnswer(ctx context.Context, a TryAnswer) error {
	err := db.Conn(ctx, s.g).Clauses(clause.OnConflict{UpdateAll: true}).Create(&a).Error
	if err != nil {
		return fmt.Errorf("store: unable to save the try this answer to lesson %s: %w", a.LessonID, err)
	}
	return nil
}

// Stories lists the learner's stories, latest changed first.
func (s *Store) Stories(ctx context.Context, userID string) ([]Story, error) {
	var out []Story
	if err := db.Conn(ctx, s.g).Where("user_id = ?", userID).Order("updated_at DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list the stories of %s: %w", userID, err)
	}
	return out, nil
}

// Story returns one of the learner's stories.
func (s *Store) Story(ctx context.Context, userID, id string) (Story, error) {
	return own[Story](ctx, s.g, userID, id, "story")
}

// own returns the learner's row of T with the id; db.ErrNotFound when it
// is someone else's or there is none.
func own[T any](ctx context.Context, g *gorm.DB, userID, id, what string) (T, error) {
	var row T
	if !db.IsUUID(id) {
		return row, db.ErrNotFound
	}
	res := db.Conn(ctx, g).Where("id = ? AND user_id = ?", id, userID).Limit(1).Find(&row)
	return row, db.One(res, what, id)
}

// SaveStory adds a story without an id and returns its id, or changes the
// learner's story with st's id.
func (s *Store) SaveStory(ctx context.Context, st Story) (string, error) {
	return save(ctx, s.g, &st, &st.ID, st.UserID, "story",
		"title", "situation", "task", "action", "result", "nhs_values", "updated_at")
}

// DeleteStory deletes one of the learner's stories.
func (s *Store) DeleteStory(ctx context.Context, userID, id string) error {
	return remove(ctx, s.g, &Story{}, userID, id, "story")
}

// Placements lists the learner's placement log, latest day first.
func (s *Store) Placements(ctx context.Context, userID string) ([]Placement, error) {
	var out []Placement
	if err := db.Conn(ctx, s.g).Where("user_id = ?", userID).Order("happened_on DESC, created_at DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list the placement log of %s: %w", userID, err)
	}
	return out, nil
}

// Placement returns one entry of the learner's placement log.
func (s *Store) Placement(ctx context.Context, userID, id string) (Placement, error) {
	return own[Placement](ctx, s.g, userID, id, "placement log entry")
}

// SavePlacement adds an entry without an id and returns its id, or
// changes the learner's entry with p's id.
func (s *Store) SavePlacement(ctx context.Context, p Placement) (string, error) {
	return save(ctx, s.g, &p, &p.ID, p.UserID, "placement log entry", "happened_on", "place", "did", "learned", "nhs_value")
}

// DeletePlacement deletes one entry of the learner's placement log.
func (s *Store) DeletePlacement(ctx context.Context, userID, id string) error {
	return remove(ctx, s.g, &Placement{}, userID, id, "placement log entry")
}

// Documents lists the checklist items the learner has saved.
func (s *Store) Documents(ctx context.Context, userID string) ([]Document, error) {
	var out []Document
	if err := db.Conn(ctx, s.g).Where("user_id = ?", userID).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: unable to load the document checklist of %s: %w", userID, err)
	}
	return out, nil
}

// SaveDocuments adds or replaces each item of the learner's checklist.
func (s *Store) SaveDocuments(ctx context.Context, docs []Document) error {
	if len(docs) == 0 {
		return nil
	}
	err := db.Conn(ctx, s.g).Clauses(clause.OnConflict{UpdateAll: true}).Create(&docs).Error
	if err != nil {
		return fmt.Errorf("store: unable to save the document checklist of %s: %w", docs[0].UserID, err)
	}
	return nil
}

// CV returns the learner's CV.
func (s *Store) CV(ctx context.Context, userID string) (CV, error) {
	var cv CV
	res := db.Conn(ctx, s.g).Where("user_id = ?", userID).Limit(1).Find(&cv)
	return cv, db.One(res, "CV of", userID)
}

// SaveCV adds or replaces the learner's CV.
func (s *Store) SaveCV(ctx context.Context, cv CV) error {
	if err := db.Conn(ctx, s.g).Clauses(clause.OnConflict{UpdateAll: true}).Create(&cv).Error; err != nil {
		return fmt.Errorf("store: unable to save the CV of %s: %w", cv.UserID, err)
	}
	return nil
}

// save inserts row when *id is empty, setting *id, or else updates the
// columns of the learner's row with that id.
func save(ctx context.Context, g *gorm.DB, row any, id *string, userID, what string, columns ...string) (string, error) {
	conn := db.Conn(ctx, g)
	if *id == "" {
		if err := conn.Create(row).Error; err != nil {
			return "", fmt.Errorf("store: unable to add a %s for %s: %w", what, userID, err)
		}
		return *id, nil
	}
	if !db.IsUUID(*id) {
		return "", db.ErrNotFound
	}
	res := conn.Model(row).Where("id = ? AND user_id = ?", *id, userID).Select(columns).Updates(row)
	if res.Error != nil {
		return "", fmt.Errorf("store: unable to change %s %s: %w", what, *id, res.Error)
	}
	if res.RowsAffected == 0 {
		return "", db.ErrNotFound
	}
	return *id, nil
}

// remove deletes the learner's row of model's table with the id.
func remove(ctx context.Context, g *gorm.DB, model any, userID, id, what string) error {
	if !db.IsUUID(id) {
		return db.ErrNotFound
	}
	res := db.Conn(ctx, g).Where("id = ? AND user_id = ?", id, userID).Delete(model)
	if res.Error != nil {
		return fmt.Errorf("store: unable to delete %s %s: %w", what, id, res.Error)
	}
	if res.RowsAffected == 0 {
		return db.ErrNotFound
	}
	return nil
}

package content

import (
	"context"
	"fmt"

	"onramp/app/db"
)

// SharedModuleID returns the id of the shared module with slug, or
// db.ErrNotFound.
func (s *Store) SharedModuleID(ctx context.Context, slug string) (string, error) {
	var id string
	if err := db.Conn(ctx, s.g).Raw("SELECT id FROM modules WHERE shared AND slug = ?", slug).Scan(&id).Error; err != nil {
		return "", fmt.Errorf("store: unable to find shared module %s: %w", slug, err)
	}
	if id == "" {
		return "", db.ErrNotFound
	}
	return id, nil
}

// IncludeShared includes a shared module in a programme after the
// programme's own module at position after (0: first), or moves it there
// when it is already included.
func (s *Store) IncludeShared(ctx context.Context, programmeID, moduleID string, after int) error {
	err := db.Conn(ctx, s.g).Exec(`INSERT INTO programme_shared_modules (programme_id, module_id, after_position) VALUES (?, ?, ?)
		ON CONFLICT (programme_id, module_id) DO UPDATE SET after_position = EXCLUDED.after_position`,
		programmeID, moduleID, after).Error
	if err != nil {
		return fmt.Errorf("store: unable to include shared module %s in programme %s: %w", moduleID, programmeID, err)
	}
	return nil
}

// SharedUse is a programme that includes a shared module.
type SharedUse struct {
	ID        string
	Slug      string
	Title     string
	Published bool
	After     int
}

// SharedUses lists the programmes that include a shared module.
func (s *Store) SharedUses(ctx context.Context, moduleID string) ([]SharedUse, error) {
	var out []SharedUse
	err := db.Conn(ctx, s.g).Raw(`
		SELECT p.id, p.slug, p.title, p.published, ps.after_position AS after
		FROM programme_shared_modules ps JOIN programmes p ON p.id = ps.programme_id
		WHERE ps.module_id = ?
		ORDER BY CASE p.slug WHEN 'get-started' THEN 1 WHEN 'get-into' THEN 2 WHEN 'step-into-work' THEN 3 ELSE 4 END, p.title`,
		moduleID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list where shared module %s is used: %w", moduleID, err)
	}
	return out, nil
}

// SetLessonAudio sets (or with mediaID nil, removes) a lesson's
// recording and its transcript.
func (s *Store) SetLessonAudio(ctx context.Context, lessonID string, mediaID *string, transcript string) error {
	if mediaID == nil {
		transcript = ""
	}
	err := db.Conn(ctx, s.g).Exec("UPDATE lessons SET audio_id = ?, audio_transcript = ? WHERE id = ?", mediaID, transcript, lessonID).Error
	if err != nil {
		return fmt.Errorf("store: unable to set the audio of lesson %s: %w", lessonID, err)
	}
	return nil
}

// ReplaceLessonQuestions sets a lesson's questions and whether their
// options are shuffled (see Lesson.Shuffle). Questions and options
// are changed in place, position by position, so their ids (and the
// answers learners gave) outlive an edit of their words; questions and
// options past the new ones are deleted, with the answers given to them.
func (s *Store) ReplaceLessonQuestions(ctx context.Context, lessonID string, qs []QuestionFile, shuffle bool) error {
	if err := s.replaceLessonQuestions(ctx, lessonID, qs, shuffle); err != nil {
		return fmt.Errorf("store: unable to save the questions of lesson %s: %w", lessonID, err)
	}
	return nil
}

func (s *Store) replaceLessonQuestions(ctx context.Context, lessonID string, qs []QuestionFile, shuffle bool) error {
	g := db.Conn(ctx, s.g)
	if err := g.Exec("UPDATE lessons SET shuffle = ? WHERE id = ?", shuffle, lessonID).Error; err != nil {
		return err
	}
	if err := g.Exec("DELETE FROM questions WHERE lesson_id = ? AND position > ?", lessonID, len(qs)).Error; err != nil {
		return err
	}
	for i, q := range qs {
		var qid string
		if err := g.Raw(`INSERT INTO questions (lesson_id, position, text, kind) VALUES (?, ?, ?, ?)
			ON CONFLICT (lesson_id, position) DO UPDATE SET text = EXCLUDED.text, kind = EXCLUDED.kind RETURNING id`,
			lessonID, i+1, q.Text, q.Kind).Scan(&qid).Error; err != nil {
			return err
		}
		if err := g.Exec("DELETE FROM options WHERE question_id = ? AND position > ?", qid, len(q.Options)).Error; err != nil {
			return err
		}
		for j, o := range q.Options {
			res := g.Exec("UPDATE options SET text = ?, correct = ?, feedback = ? WHERE question_id = ? AND position = ?",
				o.Text, o.Correct, o.Feedback, qid, j+1)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				if err := g.Exec("INSERT INTO options (question_id, position, text, correct, feedback) VALUES (?, ?, ?, ?, ?)",
					qid, j+1, o.Text, o.Correct, o.Feedback).Error; err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// ModuleOutline returns one module with its lessons (without bodies) and
// check summary, drafts included.
func (s *Store) ModuleOutline(ctx context.Context, m Module) (*OutlineModule, error) {
	om := &OutlineModule{Module: m}
	g := db.Conn(ctx, s.g)
	if err := g.Raw(`SELECT id, module_id, slug, title, minutes, position, published, updated_at
		FROM lessons WHERE module_id = ? ORDER BY position`, m.ID).Scan(&om.Lessons).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list the lessons of module %s: %w", m.ID, err)
	}
	var c CheckSummary
	res := g.Raw(`SELECT c.id, c.title, c.pass_mark, (SELECT count(*) FROM questions q WHERE q.check_id = c.id) AS questions
		FROM checks c WHERE c.module_id = ?`, m.ID).Scan(&c)
	if res.Error != nil {
		return nil, fmt.Errorf("store: unable to read the check of module %s: %w", m.ID, res.Error)
	}
	if res.RowsAffected > 0 {
		om.Check = &c
	}
	return om, nil
}

// SharedModules lists every shared module, drafts included, with its
// number of lessons.
func (s *Store) SharedModules(ctx context.Context) ([]SharedModuleSummary, error) {
	var out []SharedModuleSummary
	err := db.Conn(ctx, s.g).Raw(`SELECT m.*, (SELECT count(*) FROM lessons l WHERE l.module_id = m.id) AS lessons
		FROM modules m WHERE m.shared ORDER BY m.title`).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the shared modules: %w", err)
	}
	return out, nil
}

// CreateSharedModule inserts a draft shared module and returns its id.
func (s *Store) CreateSharedModule(ctx context.Context, slug, title string) (string, error) {
	var id string
	err := db.Conn(ctx, s.g).Raw("INSERT INTO modules (shared, slug, title, position) VALUES (true, ?, ?, 1) RETURNING id",
		slug, title).Scan(&id).Error
	if err != nil {
		return "", fmt.Errorf("store: unable to create shared module %s: %w", slug, err)
	}
	return id, nil
}

// OwnModulePositions lists the positions of a programme's own modules,
// in order.
func (s *Store) OwnModulePositions(ctx context.Context, programmeID string) ([]int, error) {
	var out []int
	err := db.Conn(ctx, s.g).Raw("SELECT position FROM modules WHERE programme_id = ? ORDER BY position", programmeID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the modules of programme %s: %w", programmeID, err)
	}
	return out, nil
}

// ExcludeShared takes a shared module out of a programme; it reports
// false when the programme did not include it.
func (s *Store) ExcludeShared(ctx context.Context, programmeID, moduleID string) (bool, error) {
	if !db.IsUUID(moduleID) {
		return false, nil
	}
	res := db.Conn(ctx, s.g).Exec("DELETE FROM programme_shared_modules WHERE programme_id = ? AND module_id = ?", programmeID, moduleID)
	if res.Error != nil {
		return false, fmt.Errorf("store: unable to take shared module %s out of programme %s: %w", moduleID, programmeID, res.Error)
	}
	return res.RowsAffected > 0, nil
}

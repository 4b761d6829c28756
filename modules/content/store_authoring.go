package content

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"onramp/app/db"
)

// ProgrammeByID returns one programme, drafts included, or db.ErrNotFound.
func (s *Store) ProgrammeByID(ctx context.Context, id string) (*Programme, error) {
	if !db.IsUUID(id) {
		return nil, db.ErrNotFound
	}
	var p Programme
	res := db.Conn(ctx, s.g).Raw("SELECT * FROM programmes WHERE id = ?", id).Scan(&p)
	if err := db.One(res, "programme", id); err != nil {
		return nil, err
	}
	return &p, nil
}

// ModuleByID returns one module, drafts included, or db.ErrNotFound.
func (s *Store) ModuleByID(ctx context.Context, id string) (*Module, error) {
	if !db.IsUUID(id) {
		return nil, db.ErrNotFound
	}
	var m Module
	res := db.Conn(ctx, s.g).Raw("SELECT * FROM modules WHERE id = ?", id).Scan(&m)
	if err := db.One(res, "module", id); err != nil {
		return nil, err
	}
	return &m, nil
}

// CheckByModule returns a module's check with its questions, or nil when
// the module has none yet.
func (s *Store) CheckByModule(ctx context.Context, moduleID string) (*Check, error) {
	var id string
	if err := db.Conn(ctx, s.g).Raw("SELECT id FROM checks WHERE module_id = ?", moduleID).Scan(&id).Error; err != nil {
		return nil, fmt.Errorf("store: unable to find the check of module %s: %w", moduleID, err)
	}
	if id == "" {
		return nil, nil
	}
	c, err := s.Check(ctx, id)
	if err != nil {
		return nil, err
	}
	return &c.Check, nil
}

// lockRow takes a row lock on a parent (a programme or module) for the
// rest of the transaction, so two editors adding or moving children at
// once queue instead of picking the same position. Errors: db.ErrNotFound.
func (s *Store) lockRow(ctx context.Context, table, id string) error {
	if !db.IsUUID(id) {
		return db.ErrNotFound
	}
	res := db.Conn(ctx, s.g).Exec(fmt.Sprintf("SELECT 1 FROM %s WHERE id = ? FOR UPDATE", table), id)
	switch {
	case res.Error != nil:
		return fmt.Errorf("store: unable to lock %s %s: %w", table, id, res.Error)
	case res.RowsAffected == 0:
		return db.ErrNotFound
	}
	return nil
}

// exists reports whether a query for one row finds it.
func (s *Store) exists(ctx context.Context, query string, args ...any) (bool, error) {
	var ok bool
	if err := db.Conn(ctx, s.g).Raw("SELECT EXISTS ("+query+")", args...).Scan(&ok).Error; err != nil {
		return false, fmt.Errorf("store: unable to check for a row (%s): %w", query, err)
	}
	return ok, nil
}

// CreateProgramme inserts a draft programme and returns its id.
func (s *Store) CreateProgramme(ctx context.Context, slug, title string) (string, error) {
	var id string
	err := db.Conn(ctx, s.g).Raw("INSERT INTO programmes (slug, title) VALUES (?, ?) RETURNING id", slug, title).Scan(&id).Error
	if err != nil {
		return "", fmt.Errorf("store: unable to create programme %s: %w", slug, err)
	}
	return id, nil
}

// UpdateProgramme writes p's editable fields and sets updated_at to at (or
// just after the previous value, so the version always moves on).
func (s *Store) UpdateProgramme(ctx context.Context, p *Programme, at time.Time) error {
	err := db.Conn(ctx, s.g).Exec(`UPDATE programmes SET title = ?, summary = ?, audience = ?, length_text = ?, intro_md = ?,
		published = ?, open_enrolment = ?, for_mentors = ?, updated_at = greatest(?, updated_at + interval '1 microsecond') WHERE id = ?`,
		p.Title, p.Summary, p.Audience, p.LengthText, p.IntroMD, p.Published, p.OpenEnrolment, p.ForMentors, at, p.ID).Error
	if err != nil {
		return fmt.Errorf("store: unable to update programme %s: %w", p.ID, err)
	}
	return nil
}

// CreateModule appends a draft module to a programme and returns its id.
func (s *Store) CreateModule(ctx context.Context, programmeID, slug, title string) (string, error) {
	var id string
	err := db.Conn(ctx, s.g).Raw(`INSERT INTO modules (programme_id, slug, title, position)
		VALUES (?, ?, ?, (SELECT coalesce(max(position), 0) + 1 FROM modules WHERE programme_id = ?)) RETURNING id`,
		programmeID, slug, title, programmeID).Scan(&id).Error
	if err != nil {
		return "", fmt.Errorf("store: unable to create module %s in programme %s: %w", slug, programmeID, err)
	}
	return id, nil
}

// UpdateModule writes m's editable fields and moves updated_at on.
func (s *Store) UpdateModule(ctx context.Context, m *Module, at time.Time) error {
	err := db.Conn(ctx, s.g).Exec(`UPDATE modules SET title = ?, summary = ?, overview_md = ?, published = ?,
		updated_at = greatest(?, updated_at + interval '1 microsecond') WHERE id = ?`,
		m.Title, m.Summary, m.OverviewMD, m.Published, at, m.ID).Error
	if err != nil {
		return fmt.Errorf("store: unable to update module %s: %w", m.ID, err)
	}
	return nil
}

// CreateLesson appends a draft lesson to a module and returns its id.
func (s *Store) CreateLesson(ctx context.Context, moduleID, slug, title string, minutes int) (string, error) {
	var id string
	err := db.Conn(ctx, s.g).Raw(`INSERT INTO lessons (module_id, slug, title, minutes, position)
		VALUES (?, ?, ?, ?, (SELECT coalesce(max(position), 0) + 1 FROM lessons WHERE module_id = ?)) RETURNING id`,
		moduleID, slug, title, minutes, moduleID).Scan(&id).Error
	if err != nil {
		return "", fmt.Errorf("store: unable to create lesson %s in module %s: %w", slug, moduleID, err)
	}
	return id, nil
}

// UpdateLesson writes l's editable fields and moves updated_at on, which
// is the version learners' cached pages are keyed by.
func (s *Store) UpdateLesson(ctx context.Context, l *Lesson, at time.Time) error {
	err := db.Conn(ctx, s.g).Exec(`UPDATE lessons SET title = ?, minutes = ?, body_md = ?, published = ?,
		updated_at = greatest(?, updated_at + interval '1 microsecond') WHERE id = ?`,
		l.Title, l.Minutes, l.BodyMD, l.Published, at, l.ID).Error
	if err != nil {
		return fmt.Errorf("store: unable to update lesson %s: %w", l.ID, err)
	}
	return nil
}

// TouchLesson moves a lesson's updated_at on after a change to what it
// shows (its media).
func (s *Store) TouchLesson(ctx context.Context, id string, at time.Time) error {
	return s.touch(ctx, "lessons", id, at)
}

// TouchModule moves a module's updated_at on after a change to its check.
func (s *Store) TouchModule(ctx context.Context, id string, at time.Time) error {
	return s.touch(ctx, "modules", id, at)
}

func (s *Store) touch(ctx context.Context, table, id string, at time.Time) error {
	err := db.Conn(ctx, s.g).Exec(fmt.Sprintf(
		"UPDATE %s SET updated_at = greatest(?, updated_at + interval '1 microsecond') WHERE id = ?", table), at, id).Error
	if err != nil {
		return fmt.Errorf("store: unable to touch %s %s: %w", table, id, err)
	}
	return nil
}

// swap exchanges the position of a row with its neighbour before (up) or
// after it among the rows sharing its parent. The position constraints are
// deferred, so the swap is valid at commit. It reports false when the row
// is already first (or last).
func (s *Store) swap(ctx context.Context, table, parent, id string, up bool, at time.Time) (bool, error) {
	cmp, order := ">", "ASC"
	if up {
		cmp, order = "<", "DESC"
	}
	res := db.Conn(ctx, s.g).Exec(fmt.Sprintf(`
		WITH cur AS (SELECT id, %[2]s AS parent, position FROM %[1]s WHERE id = ?),
		     nb AS (SELECT t.id, t.position FROM %[1]s t, cur
		            WHERE t.%[2]s = cur.parent AND t.position %[3]s cur.position ORDER BY t.position %[4]s LIMIT 1)
		UPDATE %[1]s SET position = CASE WHEN %[1]s.id = cur.id THEN nb.position ELSE cur.position END,
		       updated_at = greatest(?, %[1]s.updated_at + interval '1 microsecond')
		FROM cur, nb WHERE %[1]s.id IN (cur.id, nb.id)`, table, parent, cmp, order), id, at)
	if res.Error != nil {
		return false, fmt.Errorf("store: unable to move %s %s: %w", table, id, res.Error)
	}
	return res.RowsAffected > 0, nil
}

// MoveModule swaps a module with the one before (up) or after it.
func (s *Store) MoveModule(ctx context.Context, id string, up bool, at time.Time) (bool, error) {
	return s.swap(ctx, "modules", "programme_id", id, up, at)
}

// MoveLesson swaps a lesson with the one before (up) or after it.
func (s *Store) MoveLesson(ctx context.Context, id string, up bool, at time.Time) (bool, error) {
	return s.swap(ctx, "lessons", "module_id", id, up, at)
}

// LessonCompleted reports whether any learner has completed the lesson.
func (s *Store) LessonCompleted(ctx context.Context, id string) (bool, error) {
	return s.exists(ctx, "SELECT 1 FROM lesson_progress WHERE lesson_id = ?", id)
}

// errCompleted is DeleteLesson's refusal: a learner completed the lesson.
var errCompleted = errors.New("store: the lesson has been completed")

// DeleteLesson removes a lesson and its media links (the media stay in the
// library). The database refuses when a learner completed it: errCompleted.
func (s *Store) DeleteLesson(ctx context.Context, id string) error {
	err := db.Conn(ctx, s.g).Exec("DELETE FROM lessons WHERE id = ?", id).Error
	switch {
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return errCompleted
	case err != nil:
		return fmt.Errorf("store: unable to delete lesson %s: %w", id, err)
	}
	return nil
}

// LibraryItem is a media file with how many lessons show it.
type LibraryItem struct {
	Media
	Lessons int
}

// MediaLibrary lists every uploaded file, newest first.
func (s *Store) MediaLibrary(ctx context.Context) ([]LibraryItem, error) {
	var out []LibraryItem
	err := db.Conn(ctx, s.g).Raw(`
		SELECT md.*, (SELECT count(*) FROM lesson_media lm WHERE lm.media_id = md.id OR lm.captions_id = md.id) AS lessons
		FROM media md ORDER BY md.created_at DESC, md.filename`).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the media library: %w", err)
	}
	return out, nil
}

// AttachMedia adds media (with captions for a video) at the end of a
// lesson's media. It reports false when the lesson already shows it.
func (s *Store) AttachMedia(ctx context.Context, lessonID, mediaID string, captionsID *string) (bool, error) {
	res := db.Conn(ctx, s.g).Exec(`INSERT INTO lesson_media (lesson_id, media_id, position, captions_id)
		VALUES (?, ?, (SELECT coalesce(max(position), 0) + 1 FROM lesson_media WHERE lesson_id = ?), ?)
		ON CONFLICT (lesson_id, media_id) DO NOTHING`, lessonID, mediaID, lessonID, captionsID)
	if res.Error != nil {
		return false, fmt.Errorf("store: unable to add media %s to lesson %s: %w", mediaID, lessonID, res.Error)
	}
	return res.RowsAffected > 0, nil
}

// DetachMedia removes media from a lesson; the file stays in the library.
// It reports false when the lesson did not show it.
func (s *Store) DetachMedia(ctx context.Context, lessonID, mediaID string) (bool, error) {
	if !db.IsUUID(mediaID) {
		return false, nil
	}
	res := db.Conn(ctx, s.g).Exec("DELETE FROM lesson_media WHERE lesson_id = ? AND media_id = ?", lessonID, mediaID)
	if res.Error != nil {
		return false, fmt.Errorf("store: unable to remove media %s from lesson %s: %w", mediaID, lessonID, res.Error)
	}
	return res.RowsAffected > 0, nil
}

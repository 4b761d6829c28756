package content

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"onramp/app/db"
)

// Store reads and writes content tables. Lookups of one row return
// db.ErrNotFound when there is none; other errors say what was being done.
type Store struct{ g *gorm.DB }

// NewStore returns a store over g.
func NewStore(g *gorm.DB) *Store { return &Store{g: g} }

// Outline is a programme with its modules, lessons (without bodies) and
// checks: everything a contents page or a lesson's navigation needs.
type Outline struct {
	Programme Programme
	Modules   []OutlineModule
}

// OutlineModule is a module in an outline. A shared module (Shared) comes
// right after the programme's own module at position After.
type OutlineModule struct {
	Module
	After   int
	Lessons []Lesson
	Check   *CheckSummary
}

// CheckSummary names a module's check without its questions.
type CheckSummary struct {
	ID        string
	Title     string
	PassMark  int
	Questions int
}

// LessonIDs lists the outline's lessons in reading order.
func (o *Outline) LessonIDs() []string {
	var ids []string
	for _, m := range o.Modules {
		for _, l := range m.Lessons {
			ids = append(ids, l.ID)
		}
	}
	return ids
}

// ProgrammeSummary is a programme with counts, for lists.
type ProgrammeSummary struct {
	Programme
	Modules   int
	Lessons   int
	Checks    int
	Questions int
}

// Programmes lists programmes with counts of their (published, unless
// drafts is true) modules, lessons and checks.
func (s *Store) Programmes(ctx context.Context, drafts bool) ([]ProgrammeSummary, error) {
	var out []ProgrammeSummary
	err := db.Conn(ctx, s.g).Raw(`
		SELECT p.id, p.slug, p.title, p.summary, p.audience, p.length_text, p.published, p.open_enrolment, p.for_mentors, p.updated_at,
		  (SELECT count(*) FROM programme_modules pm JOIN modules m ON m.id = pm.module_id
		     WHERE pm.programme_id = p.id AND (? OR m.published)) AS modules,
		  (SELECT count(*) FROM lessons l JOIN programme_modules pm ON pm.module_id = l.module_id JOIN modules m ON m.id = l.module_id
		     WHERE pm.programme_id = p.id AND (? OR (m.published AND l.published))) AS lessons,
		  (SELECT count(*) FROM checks c JOIN programme_modules pm ON pm.module_id = c.module_id JOIN modules m ON m.id = c.module_id
		     WHERE pm.programme_id = p.id AND (? OR m.published)) AS checks,
		  (SELECT count(*) FROM questions q JOIN checks c ON c.id = q.check_id
		     JOIN programme_modules pm ON pm.module_id = c.module_id JOIN modules m ON m.id = c.module_id
		     WHERE pm.programme_id = p.id AND (? OR m.published)) AS questions
		FROM programmes p WHERE ? OR p.published
		ORDER BY CASE p.slug WHEN 'get-started' THEN 1 WHEN 'get-into' THEN 2 WHEN 'step-into-work' THEN 3 ELSE 4 END, p.title, p.slug`,
		drafts, drafts, drafts, drafts, drafts).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list programmes: %w", err)
	}
	return out, nil
}

// OutlineBySlug returns the outline of the programme with slug; with drafts
// false, unpublished programmes, modules and lessons are left out (and an
// unpublished programme is db.ErrNotFound).
func (s *Store) OutlineBySlug(ctx context.Context, slug string, drafts bool) (*Outline, error) {
	var p Programme
	res := db.Conn(ctx, s.g).Raw("SELECT * FROM programmes WHERE slug = ? AND (? OR published)", slug, drafts).Scan(&p)
	if err := db.One(res, "programme", slug); err != nil {
		return nil, err
	}
	return s.outline(ctx, p, drafts)
}

// OutlineByID is OutlineBySlug for an id, drafts included (for editors),
// or db.ErrNotFound.
func (s *Store) OutlineByID(ctx context.Context, id string) (*Outline, error) {
	if !db.IsUUID(id) {
		return nil, db.ErrNotFound
	}
	var p Programme
	res := db.Conn(ctx, s.g).Raw("SELECT * FROM programmes WHERE id = ?", id).Scan(&p)
	if err := db.One(res, "programme", id); err != nil {
		return nil, err
	}
	return s.outline(ctx, p, true)
}

func (s *Store) outline(ctx context.Context, p Programme, drafts bool) (*Outline, error) {
	o, err := s.outlineOf(ctx, p, drafts)
	if err != nil {
		return nil, fmt.Errorf("store: unable to load the outline of programme %s: %w", p.Slug, err)
	}
	return o, nil
}

func (s *Store) outlineOf(ctx context.Context, p Programme, drafts bool) (*Outline, error) {
	o := &Outline{Programme: p}
	var mods []struct {
		Module
		Place int
	}
	// programme_modules is the one rule for which modules a programme
	// has, its own and the shared ones it includes, and their order.
	if err := db.Conn(ctx, s.g).Raw(`
		SELECT m.*, pm.place FROM programme_modules pm JOIN modules m ON m.id = pm.module_id
		WHERE pm.programme_id = ? AND (? OR m.published) ORDER BY pm.place, pm.shared, pm.slug`, p.ID, drafts).Scan(&mods).Error; err != nil {
		return nil, err
	}
	var lessons []Lesson
	if err := db.Conn(ctx, s.g).Raw(`
		SELECT l.id, l.module_id, l.slug, l.title, l.minutes, l.position, l.published, l.updated_at
		FROM lessons l JOIN programme_modules pm ON pm.module_id = l.module_id
		WHERE pm.programme_id = ? AND (? OR l.published) ORDER BY l.position`, p.ID, drafts).Scan(&lessons).Error; err != nil {
		return nil, err
	}
	var checks []struct {
		ModuleID string
		CheckSummary
	}
	if err := db.Conn(ctx, s.g).Raw(`
		SELECT c.module_id, c.id, c.title, c.pass_mark, (SELECT count(*) FROM questions q WHERE q.check_id = c.id) AS questions
		FROM checks c JOIN programme_modules pm ON pm.module_id = c.module_id WHERE pm.programme_id = ?`, p.ID).Scan(&checks).Error; err != nil {
		return nil, err
	}
	byModule := map[string]int{}
	for i, m := range mods {
		byModule[m.ID] = i
		om := OutlineModule{Module: m.Module}
		if m.Shared {
			om.After = m.Place
		}
		o.Modules = append(o.Modules, om)
	}
	for _, l := range lessons {
		if i, ok := byModule[l.ModuleID]; ok {
			o.Modules[i].Lessons = append(o.Modules[i].Lessons, l)
		}
	}
	for _, c := range checks {
		if i, ok := byModule[c.ModuleID]; ok {
			cs := c.CheckSummary
			o.Modules[i].Check = &cs
		}
	}
	return o, nil
}

// LessonInProgramme is a lesson with where it sits and its questions. A
// lesson of a shared module (Shared) has no ProgrammeSlug of its own:
// SharedIn lists the published programmes that include it.
type LessonInProgramme struct {
	Lesson
	ProgrammeSlug      string
	ModuleTitle        string
	ProgrammePublished bool
	ModulePublished    bool
	Shared             bool
	SharedIn           []string `gorm:"-"`
	// Questions are the quick questions shown after the lesson.
	Questions []Question `gorm:"-"`
}

// Lesson returns one lesson with where it sits and its questions, or
// db.ErrNotFound.
func (s *Store) Lesson(ctx context.Context, id string) (*LessonInProgramme, error) {
	if !db.IsUUID(id) {
		return nil, db.ErrNotFound
	}
	var l LessonInProgramme
	res := db.Conn(ctx, s.g).Raw(`
		SELECT l.*, coalesce(p.slug, '') AS programme_slug, m.title AS module_title, m.shared,
		       coalesce(p.published, true) AS programme_published, m.published AS module_published
		FROM lessons l JOIN modules m ON m.id = l.module_id LEFT JOIN programmes p ON p.id = m.programme_id
		WHERE l.id = ?`, id).Scan(&l)
	if err := db.One(res, "lesson", id); err != nil {
		return nil, err
	}
	var err error
	if l.Shared {
		if l.SharedIn, err = s.sharedIn(ctx, l.ModuleID); err != nil {
			return nil, fmt.Errorf("store: unable to find the programmes of lesson %s: %w", id, err)
		}
	}
	qs, err := s.questionsOf(ctx, "lesson_id", []string{id})
	if err != nil {
		return nil, fmt.Errorf("store: unable to load the questions of lesson %s: %w", id, err)
	}
	l.Questions = qs[id]
	return &l, nil
}

// sharedIn lists the slugs of the published programmes that include a
// shared module, in the order programmes are listed.
func (s *Store) sharedIn(ctx context.Context, moduleID string) ([]string, error) {
	var slugs []string
	err := db.Conn(ctx, s.g).Raw(`
		SELECT p.slug FROM programme_shared_modules ps JOIN programmes p ON p.id = ps.programme_id
		WHERE ps.module_id = ? AND p.published
		ORDER BY CASE p.slug WHEN 'get-started' THEN 1 WHEN 'get-into' THEN 2 WHEN 'step-into-work' THEN 3 ELSE 4 END, p.title`,
		moduleID).Scan(&slugs).Error
	return slugs, err
}

// Visible reports whether learners may see the lesson: it, its module and
// its programme are published (for a shared module: some published
// programme includes it).
func (l *LessonInProgramme) Visible() bool {
	return l.Published && l.ModulePublished && l.ProgrammePublished && (!l.Shared || len(l.SharedIn) > 0)
}

// CheckWithContext is a check with its questions and where it sits. The
// check of a shared module (Shared) has no programme of its own: SharedIn
// lists the published programmes that include it.
type CheckWithContext struct {
	Check
	ModuleID           string
	ModuleTitle        string
	ProgrammeSlug      string
	ProgrammeID        string
	Visible            bool
	ModuleLessonsCount int
	Shared             bool
	SharedIn           []string `gorm:"-"`
}

// Check returns a check with its questions and options in order, or
// db.ErrNotFound.
func (s *Store) Check(ctx context.Context, id string) (*CheckWithContext, error) {
	if !db.IsUUID(id) {
		return nil, db.ErrNotFound
	}
	var c CheckWithContext
	res := db.Conn(ctx, s.g).Raw(`
		SELECT c.id, c.module_id, c.title, c.pass_mark, c.shuffle, m.title AS module_title, coalesce(p.slug, '') AS programme_slug,
		       coalesce(p.id::text, '') AS programme_id, (m.published AND coalesce(p.published, true)) AS visible, m.shared
		FROM checks c JOIN modules m ON m.id = c.module_id LEFT JOIN programmes p ON p.id = m.programme_id
		WHERE c.id = ?`, id).Scan(&c)
	if err := db.One(res, "check", id); err != nil {
		return nil, err
	}
	c.Check.ModuleID = c.ModuleID
	if c.Shared {
		var err error
		if c.SharedIn, err = s.sharedIn(ctx, c.ModuleID); err != nil {
			return nil, fmt.Errorf("store: unable to find the programmes of check %s: %w", id, err)
		}
		c.Visible = c.Visible && len(c.SharedIn) > 0
	}
	qs, err := s.questionsOf(ctx, "check_id", []string{c.ID})
	if err != nil {
		return nil, fmt.Errorf("store: unable to load the questions of check %s: %w", id, err)
	}
	c.Questions = qs[c.ID]
	return &c, nil
}

// questionsOf loads the questions and options of checks (parent
// "check_id") or lessons ("lesson_id"), keyed by the parent's id.
func (s *Store) questionsOf(ctx context.Context, parent string, ids []string) (map[string][]Question, error) {
	var qs []Question
	if err := db.Conn(ctx, s.g).Raw(`SELECT id, coalesce(check_id::text, '') AS check_id, coalesce(lesson_id::text, '') AS lesson_id,
		position, text, kind FROM questions WHERE `+parent+` IN ? ORDER BY `+parent+`, position`, ids).Scan(&qs).Error; err != nil {
		return nil, err
	}
	qids := make([]string, len(qs))
	for i, q := range qs {
		qids[i] = q.ID
	}
	var opts []Option
	if len(qids) > 0 {
		if err := db.Conn(ctx, s.g).Raw("SELECT * FROM options WHERE question_id IN ? ORDER BY question_id, position", qids).Scan(&opts).Error; err != nil {
			return nil, err
		}
	}
	byQuestion := map[string][]Option{}
	for _, o := range opts {
		byQuestion[o.QuestionID] = append(byQuestion[o.QuestionID], o)
	}
	out := map[string][]Question{}
	for _, q := range qs {
		q.Options = byQuestion[q.ID]
		key := q.CheckID
		if parent == "lesson_id" {
			key = q.LessonID
		}
		out[key] = append(out[key], q)
	}
	return out, nil
}

// LessonMedia lists the media shown in a lesson, in order.
func (s *Store) LessonMedia(ctx context.Context, lessonID string) ([]LessonMedia, error) {
	var out []LessonMedia
	err := db.Conn(ctx, s.g).Raw(`
		SELECT md.*, lm.position, lm.captions_id FROM lesson_media lm JOIN media md ON md.id = lm.media_id
		WHERE lm.lesson_id = ? ORDER BY lm.position`, lessonID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the media of lesson %s: %w", lessonID, err)
	}
	return out, nil
}

// MediaByID returns one media record, or db.ErrNotFound.
func (s *Store) MediaByID(ctx context.Context, id string) (*Media, error) {
	if !db.IsUUID(id) {
		return nil, db.ErrNotFound
	}
	var m Media
	res := db.Conn(ctx, s.g).Raw("SELECT * FROM media WHERE id = ?", id).Scan(&m)
	if err := db.One(res, "media", id); err != nil {
		return nil, err
	}
	return &m, nil
}

// MediaVisibleToLearners reports whether media is shown (itself or as
// captions) in a lesson learners can see.
func (s *Store) MediaVisibleToLearners(ctx context.Context, mediaID string) (bool, error) {
	var ok bool
	err := db.Conn(ctx, s.g).Raw(`
		SELECT EXISTS (SELECT 1 FROM lessons l JOIN modules m ON m.id = l.module_id
		  JOIN programme_modules pm ON pm.module_id = m.id JOIN programmes p ON p.id = pm.programme_id
		  WHERE l.published AND m.published AND p.published
		    AND (l.audio_id = ? OR EXISTS (SELECT 1 FROM lesson_media lm
		         WHERE lm.lesson_id = l.id AND (lm.media_id = ? OR lm.captions_id = ?))))`, mediaID, mediaID, mediaID).Scan(&ok).Error
	if err != nil {
		return false, fmt.Errorf("store: unable to check where media %s is shown: %w", mediaID, err)
	}
	return ok, nil
}

func isNotFound(err error) bool { return errors.Is(err, db.ErrNotFound) }

// ReplaceCheck sets a module's check from its package form, replacing any
// questions it had. Attempts already made keep their recorded answers.
func (s *Store) ReplaceCheck(ctx context.Context, moduleID string, c *CheckFile) error {
	if err := s.replaceCheck(ctx, moduleID, c); err != nil {
		return fmt.Errorf("store: unable to save the check of module %s: %w", moduleID, err)
	}
	return nil
}

func (s *Store) replaceCheck(ctx context.Context, moduleID string, c *CheckFile) error {
	g := db.Conn(ctx, s.g)
	var checkID string
	if err := g.Raw(`INSERT INTO checks (module_id, title, pass_mark, shuffle) VALUES (?, ?, ?, ?)
		ON CONFLICT (module_id) DO UPDATE SET title = EXCLUDED.title, pass_mark = EXCLUDED.pass_mark, shuffle = EXCLUDED.shuffle
		RETURNING id`, moduleID, c.Title, c.PassMark, c.Shuffled()).Scan(&checkID).Error; err != nil {
		return err
	}
	if err := g.Exec("DELETE FROM questions WHERE check_id = ?", checkID).Error; err != nil {
		return err
	}
	for i, q := range c.Questions {
		var qid string
		if err := g.Raw("INSERT INTO questions (check_id, position, text, kind) VALUES (?, ?, ?, ?) RETURNING id",
			checkID, i+1, q.Text, q.Kind).Scan(&qid).Error; err != nil {
			return err
		}
		for j, o := range q.Options {
			if err := g.Exec("INSERT INTO options (question_id, position, text, correct, feedback) VALUES (?, ?, ?, ?, ?)",
				qid, j+1, o.Text, o.Correct, o.Feedback).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

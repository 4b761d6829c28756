package content

import (
	"context"
	"fmt"

	"onramp/app/db"
)

// Reach is who would see a draft programme, module or lesson the moment
// it is published: the learners (counted once each) on the published
// programmes that would show it, by title.
type Reach struct {
	Learners   int
	Programmes []string
}

// What can be published, for PublishReach.
const (
	PublishProgramme = "programme"
	PublishModule    = "module"
	PublishLesson    = "lesson"
)

// reachProgrammes selects, by what is published, the programmes that
// would show it once published: none when it is published already, or
// when something around it is still a draft. A shared module is shown by
// every published programme including it.
var reachProgrammes = map[string]string{
	PublishProgramme: `SELECT p.id, p.title FROM programmes p WHERE p.id = ? AND NOT p.published`,
	PublishModule: `SELECT p.id, p.title FROM modules m JOIN programme_modules pm ON pm.module_id = m.id
		JOIN programmes p ON p.id = pm.programme_id WHERE m.id = ? AND NOT m.published AND p.published`,
	PublishLesson: `SELECT p.id, p.title FROM lessons l JOIN modules m ON m.id = l.module_id
		JOIN programme_modules pm ON pm.module_id = m.id JOIN programmes p ON p.id = pm.programme_id
		WHERE l.id = ? AND NOT l.published AND m.published AND p.published`,
}

// PublishReach returns who would see the draft programme, module or
// lesson id (what is PublishProgramme, PublishModule or PublishLesson)
// straight away if it were published now: learners enrolled and not
// withdrawn. It is empty when the item is published already or nobody
// would see it.
func (s *Store) PublishReach(ctx context.Context, what, id string) (*Reach, error) {
	r := &Reach{}
	if !db.IsUUID(id) {
		return r, nil
	}
	seen := `WITH progs AS (` + reachProgrammes[what] + `),
		seen AS (SELECT p.title, e.user_id FROM progs p JOIN cohorts c ON c.programme_id = p.id
		         JOIN enrolments e ON e.cohort_id = c.id WHERE e.status <> 'withdrawn') `
	g := db.Conn(ctx, s.g)
	if err := g.Raw(seen+`SELECT count(DISTINCT user_id) FROM seen`, id).Scan(&r.Learners).Error; err != nil {
		return nil, fmt.Errorf("store: unable to count who would see %s %s: %w", what, id, err)
	}
	if err := g.Raw(seen+`SELECT DISTINCT title FROM seen ORDER BY title`, id).Scan(&r.Programmes).Error; err != nil {
		return nil, fmt.Errorf("store: unable to find the programmes that would show %s %s: %w", what, id, err)
	}
	return r, nil
}

// PublishReach returns who would see a draft programme, module or lesson
// straight away if it were published now (see Store.PublishReach), so an
// editor can be asked first.
func (s *Service) PublishReach(ctx context.Context, what, id string) (*Reach, error) {
	return s.store.PublishReach(ctx, what, id)
}

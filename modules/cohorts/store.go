package cohorts

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"onramp/app/auth"
	"onramp/app/db"
	"onramp/app/page"
)

// Store reads cohorts and enrolments, always within a viewer's scope: the
// organisation filter is part of every query, not a check afterwards.
type Store struct{ g *gorm.DB }

const cohortColumns = `c.id, c.programme_id, p.slug AS programme_slug, p.title AS programme_title,
	c.organisation_id, o.name AS organisation_name, c.name, c.starts_on, c.ends_on, c.capacity, c.region,
	(SELECT count(*) FROM enrolments e WHERE e.cohort_id = c.id AND e.status <> 'withdrawn') AS enrolled,
	(SELECT count(*) FROM programme_completions(c.programme_id,
	   ARRAY(SELECT e.user_id FROM enrolments e WHERE e.cohort_id = c.id AND e.status <> 'withdrawn'))) AS completed`

const cohortFrom = ` FROM cohorts c JOIN programmes p ON p.id = c.programme_id JOIN organisations o ON o.id = c.organisation_id
	WHERE `

// Filter narrows a cohort list.
type Filter struct {
	Programme string // slug
}

// Cohorts lists the cohorts in scope, newest first.
func (s *Store) Cohorts(ctx context.Context, sc auth.Scope, f Filter) ([]Cohort, error) {
	return s.cohorts(ctx, sc, f, "TRUE", nil, "ALL")
}

// CohortPage lists a page of the cohorts in scope, newest first (then by
// name and id), and the next page's cursor ("" on the last). Errors:
// page.ErrCursor.
func (s *Store) CohortPage(ctx context.Context, sc auth.Scope, f Filter, p page.Request) ([]Cohort, string, error) {
	cond, args := "TRUE", []any(nil)
	if !p.IsFirst() {
		var starts, name, id string
		if err := p.After(&starts, &name, &id); err != nil || !db.IsUUID(id) {
			return nil, "", page.ErrCursor
		}
		if _, err := time.Parse(time.DateOnly, starts); err != nil {
			return nil, "", page.ErrCursor
		}
		cond, args = "(c.starts_on < ?::date OR (c.starts_on = ?::date AND (c.name, c.id) > (?, ?)))", []any{starts, starts, name, id}
	}
	out, err := s.cohorts(ctx, sc, f, cond, args, strconv.Itoa(p.Fetch()))
	if err != nil {
		return nil, "", err
	}
	out, next := page.Cut(p, out, func(c Cohort) []any { return []any{c.StartsOn.Format(time.DateOnly), c.Name, c.ID} })
	return out, next, nil
}

func (s *Store) cohorts(ctx context.Context, sc auth.Scope, f Filter, after string, afterArgs []any, limit string) ([]Cohort, error) {
	var out []Cohort
	cond, args := sc.Where("c.organisation_id")
	q := "SELECT " + cohortColumns + cohortFrom + cond + " AND " + after
	args = append(args, afterArgs...)
	if f.Programme != "" {
		q += " AND p.slug = ?"
		args = append(args, f.Programme)
	}
	err := db.Conn(ctx, s.g).Raw(q+" ORDER BY c.starts_on DESC, c.name, c.id LIMIT "+limit, args...).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list cohorts: %w", err)
	}
	return out, nil
}

// Cohort returns one cohort in scope, or db.ErrNotFound, so a cohort
// outside the scope is indistinguishable from one that does not exist.
func (s *Store) Cohort(ctx context.Context, sc auth.Scope, id string) (*Cohort, error) {
	if !db.IsUUID(id) {
		return nil, db.ErrNotFound
	}
	var c Cohort
	cond, args := sc.Where("c.organisation_id")
	res := db.Conn(ctx, s.g).Raw("SELECT "+cohortColumns+cohortFrom+cond+" AND c.id = ?", append(args, id)...).Scan(&c)
	if err := db.One(res, "cohort", id); err != nil {
		return nil, err
	}
	return &c, nil
}

// Modules lists the published modules of a programme, its own and the
// shared ones it includes (content's programme_modules), in order and
// numbered from 1, with their lesson counts and whether they have a check.
func (s *Store) Modules(ctx context.Context, programmeID string) ([]moduleInfo, error) {
	var out []moduleInfo
	err := db.Conn(ctx, s.g).Raw(`
		SELECT m.id, m.title, row_number() OVER (ORDER BY pm.place, pm.shared, pm.slug) AS position,
		  (SELECT count(*) FROM lessons l WHERE l.module_id = m.id AND l.published) AS lessons,
		  EXISTS (SELECT 1 FROM checks c WHERE c.module_id = m.id) AS has_check
		FROM programme_modules pm JOIN modules m ON m.id = pm.module_id
		WHERE pm.programme_id = ? AND m.published ORDER BY pm.place, pm.shared, pm.slug`, programmeID).Scan(&out).Error
	return out, err
}

type moduleInfo struct {
	ID       string
	Title    string
	Position int
	Lessons  int
	HasCheck bool
}

type learnerInfo struct {
	UserID     string
	Name       string
	Email      string
	Status     string
	EnrolledAt time.Time
	Completed  bool
}

// Mentored counts the cohort's learners (not withdrawn) who have or had
// a mentor: an active or ended mentorship. It reads the mentoring
// module's table for this one aggregate.
func (s *Store) Mentored(ctx context.Context, cohortID string) (int, error) {
	var n int
	err := db.Conn(ctx, s.g).Raw(`SELECT count(DISTINCT e.user_id) FROM enrolments e
		WHERE e.cohort_id = ? AND e.status <> 'withdrawn'
		  AND EXISTS (SELECT 1 FROM mentorships m WHERE m.learner_id = e.user_id AND m.status IN ('active', 'ended'))`,
		cohortID).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("store: unable to count the mentored learners of cohort %s: %w", cohortID, err)
	}
	return n, nil
}

// Learners lists a cohort's enrolled learners, each with whether they
// completed the programme (programme_completions, the one definition), by
// the time they withdrew if they did.
func (s *Store) Learners(ctx context.Context, cohortID string) ([]learnerInfo, error) {
	var out []learnerInfo
	err := db.Conn(ctx, s.g).Raw(`SELECT e.user_id, u.name, u.email, e.status, e.enrolled_at,
		  pc.user_id IS NOT NULL AND (e.withdrawn_at IS NULL OR pc.completed_at <= e.withdrawn_at) AS completed
		FROM enrolments e JOIN users u ON u.id = e.user_id
		LEFT JOIN programme_completions((SELECT programme_id FROM cohorts WHERE id = ?),
		  ARRAY(SELECT user_id FROM enrolments WHERE cohort_id = ?)) pc ON pc.user_id = e.user_id
		WHERE e.cohort_id = ? ORDER BY lower(u.name), u.email`,
		cohortID, cohortID, cohortID).Scan(&out).Error
	return out, err
}

// LearnerPage lists the ids of a page of a cohort's learners by name
// (then id), and the next page's cursor ("" on the last). Errors:
// page.ErrCursor.
func (s *Store) LearnerPage(ctx context.Context, cohortID string, p page.Request) ([]string, string, error) {
	cond, args := "TRUE", []any(nil)
	if !p.IsFirst() {
		var name, id string
		if err := p.After(&name, &id); err != nil || !db.IsUUID(id) {
			return nil, "", page.ErrCursor
		}
		cond, args = "(lower(u.name), u.id) > (lower(?), ?)", []any{name, id}
	}
	var rows []struct{ ID, Name string }
	err := db.Conn(ctx, s.g).Raw(`SELECT u.id, u.name FROM enrolments e JOIN users u ON u.id = e.user_id
		WHERE e.cohort_id = ? AND `+cond+` ORDER BY lower(u.name), u.id LIMIT ?`,
		append(append([]any{cohortID}, args...), p.Fetch())...).Scan(&rows).Error
	if err != nil {
		return nil, "", fmt.Errorf("store: unable to list a page of the learners of cohort %s: %w", cohortID, err)
	}
	rows, next := page.Cut(p, rows, func(r struct{ ID, Name string }) []any { return []any{r.Name, r.ID} })
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids, next, nil
}

// cellRow is one learner's activity in one module.
type cellRow struct {
	UserID   string
	ModuleID string
	Done     int
	Passed   bool
	Failed   int
	Best     int
	LastAt   *time.Time
}

// Cells aggregates, for every learner of a cohort and every module of its
// programme, lessons completed and check attempts: two grouped queries,
// whatever the cohort's size. For a learner withdrawn from the cohort only
// what they did before leaving counts: what they do afterwards, perhaps
// with another organisation, is not this cohort's to see.
func (s *Store) Cells(ctx context.Context, cohortID, programmeID string) ([]cellRow, error) {
	var out []cellRow
	err := db.Conn(ctx, s.g).Raw(`
		WITH members AS (SELECT user_id, withdrawn_at FROM enrolments WHERE cohort_id = ?),
		done AS (
		  SELECT lp.user_id, l.module_id, count(*) AS done, max(lp.completed_at) AS last_at
		  FROM members mb JOIN lesson_progress lp ON lp.user_id = mb.user_id
		  JOIN lessons l ON l.id = lp.lesson_id JOIN programme_modules pm ON pm.module_id = l.module_id
		  WHERE pm.programme_id = ? AND l.published AND (mb.withdrawn_at IS NULL OR lp.completed_at <= mb.withdrawn_at)
		  GROUP BY lp.user_id, l.module_id),
		tried AS (
		  SELECT a.user_id, c.module_id, bool_or(a.passed) AS passed,
		         count(*) FILTER (WHERE NOT a.passed) AS failed, max(a.score) AS best, max(a.created_at) AS last_at
		  FROM members mb JOIN check_attempts a ON a.user_id = mb.user_id
		  JOIN checks c ON c.id = a.check_id JOIN programme_modules pm ON pm.module_id = c.module_id
		  WHERE pm.programme_id = ? AND (mb.withdrawn_at IS NULL OR a.created_at <= mb.withdrawn_at)
		  GROUP BY a.user_id, c.module_id)
		SELECT COALESCE(d.user_id, t.user_id) AS user_id, COALESCE(d.module_id, t.module_id) AS module_id,
		       COALESCE(d.done, 0) AS done, COALESCE(t.passed, false) AS passed, COALESCE(t.failed, 0) AS failed,
		       COALESCE(t.best, 0) AS best, GREATEST(d.last_at, t.last_at) AS last_at
		FROM done d FULL JOIN tried t ON t.user_id = d.user_id AND t.module_id = d.module_id`,
		cohortID, programmeID, programmeID).Scan(&out).Error
	return out, err
}

// CreateCohort inserts a cohort and returns its id.
func (s *Store) CreateCohort(ctx context.Context, c *Cohort) (string, error) {
	var id string
	err := db.Conn(ctx, s.g).Raw(`INSERT INTO cohorts (programme_id, organisation_id, name, starts_on, ends_on, capacity, region)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.ProgrammeID, c.OrganisationID, c.Name, c.StartsOn, c.EndsOn, c.Capacity, c.Region).
		Scan(&id).Error
	return id, err
}

// programmeOption is a published programme a cohort can run.
type programmeOption struct {
	ID, Slug, Title string
}

// Programmes lists the published programmes.
func (s *Store) Programmes(ctx context.Context) ([]programmeOption, error) {
	var out []programmeOption
	err := db.Conn(ctx, s.g).Raw("SELECT id, slug, title FROM programmes WHERE published ORDER BY title").Scan(&out).Error
	return out, err
}

type organisationOption struct {
	ID, Name string
}

// Organisations lists the organisations in scope.
func (s *Store) Organisations(ctx context.Context, sc auth.Scope) ([]organisationOption, error) {
	var out []organisationOption
	cond, args := sc.Where("id")
	err := db.Conn(ctx, s.g).Raw("SELECT id, name FROM organisations WHERE "+cond+" ORDER BY lower(name)", args...).Scan(&out).Error
	return out, err
}

// ProgrammeExists reports whether a programme has slug (content's table,
// read only).
func (s *Store) ProgrammeExists(ctx context.Context, slug string) (bool, error) {
	var ok bool
	if err := db.Conn(ctx, s.g).Raw("SELECT EXISTS (SELECT 1 FROM programmes WHERE slug = ?)", slug).Scan(&ok).Error; err != nil {
		return false, fmt.Errorf("store: unable to look for programme %s: %w", slug, err)
	}
	return ok, nil
}

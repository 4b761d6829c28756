package outcomes

import (
	"context"
	"fmt"
	"strings"
	"time"

	"onramp/app/auth"
	"onramp/app/db"
)

// Report levels.
const (
	LevelCohort       = "cohort"
	LevelProgramme    = "programme"
	LevelOrganisation = "organisation"
)

// ReportRow is the conversion rate of one cohort, programme or
// organisation.
type ReportRow struct {
	Level     string
	ID        string
	Name      string
	Started   int
	Converted int
	// Cohort rows only.
	ProgrammeName    string
	OrganisationName string
	StartsOn         *time.Time
	EndsOn           *time.Time
}

// conversionQuery computes every level in one pass over the cohorts in
// scope. Per enrolment it works out two flags:
//
//   - started: the learner completed at least one lesson of the cohort's
//     programme, before withdrawing if they withdrew (programme_starts
//     holds each learner's first completion per programme);
//   - converted: started, and a verified positive destination following
//     this cohort starts between the cohort's start and its end plus the
//     window (a job a learner already had before is not a conversion).
//
// GROUPING SETS then counts distinct learners per cohort, per programme
// and per organisation, so a learner on two cohorts of one programme is
// one learner at programme level.
const conversionQuery = `
WITH enr AS (
  SELECT e.user_id, c.id AS cohort_id, c.name AS cohort_name, c.starts_on, c.ends_on,
         p.id AS programme_id, p.title AS programme_name, o.id AS organisation_id, o.name AS organisation_name,
         ps.user_id IS NOT NULL AND (e.withdrawn_at IS NULL OR ps.first_completed_at <= e.withdrawn_at) AS started
  FROM cohorts c
  JOIN programmes p ON p.id = c.programme_id
  JOIN organisations o ON o.id = c.organisation_id
  LEFT JOIN enrolments e ON e.cohort_id = c.id
  LEFT JOIN programme_starts ps ON ps.user_id = e.user_id AND ps.programme_id = c.programme_id
  WHERE %s
), flagged AS (
  SELECT enr.*, enr.started AND EXISTS (
           SELECT 1 FROM destinations d
           WHERE d.cohort_id = enr.cohort_id AND d.user_id = enr.user_id
             AND d.verified_at IS NOT NULL AND d.kind <> 'other'
             AND d.start_date >= enr.starts_on
             AND d.start_date <= enr.ends_on + make_interval(months => ?)) AS converted
  FROM enr
)
SELECT CASE WHEN GROUPING(cohort_id) = 0 THEN 'cohort'
            WHEN GROUPING(programme_id) = 0 THEN 'programme'
            ELSE 'organisation' END AS level,
       COALESCE(cohort_id, programme_id, organisation_id) AS id,
       CASE WHEN GROUPING(cohort_id) = 0 THEN cohort_name
            WHEN GROUPING(programme_id) = 0 THEN programme_name
            ELSE organisation_name END AS name,
       count(DISTINCT user_id) FILTER (WHERE started) AS started,
       count(DISTINCT user_id) FILTER (WHERE converted) AS converted,
       CASE WHEN GROUPING(cohort_id) = 0 THEN programme_name ELSE '' END AS programme_name,
       CASE WHEN GROUPING(cohort_id) = 0 THEN organisation_name ELSE '' END AS organisation_name,
       starts_on, ends_on
FROM flagged
GROUP BY GROUPING SETS (
  (organisation_id, organisation_name),
  (programme_id, programme_name),
  (cohort_id, cohort_name, starts_on, ends_on, programme_id, programme_name, organisation_id, organisation_name))
ORDER BY level, starts_on, name`

// Conversion returns conversion rows for every cohort, programme and
// organisation the scope may see that match the filter (whose Months must
// already be valid).
func (s *Store) Conversion(ctx context.Context, scope auth.Scope, f ReportFilter) ([]ReportRow, error) {
	cond, args := scope.Where("c.organisation_id")
	where := []string{cond}
	if f.Programme != "" {
		where, args = append(where, "p.slug = ?"), append(args, f.Programme)
	}
	if f.Organisation != "" {
		where, args = append(where, "c.organisation_id = ?"), append(args, f.Organisation)
	}
	if f.Cohort != "" {
		where, args = append(where, "c.id = ?"), append(args, f.Cohort)
	}
	args = append(args, f.Months)
	var rows []ReportRow
	q := strings.Replace(conversionQuery, "%s", strings.Join(where, " AND "), 1)
	if err := db.Conn(ctx, s.g).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to compute conversion rates: %w", err)
	}
	return rows, nil
}

// Option is one choice in a report filter.
type Option struct{ Value, Label string }

// ProgrammeOptions lists programmes that have cohorts in scope.
func (s *Store) ProgrammeOptions(ctx context.Context, scope auth.Scope) ([]Option, error) {
	cond, args := scope.Where("c.organisation_id")
	var out []Option
	err := db.Conn(ctx, s.g).Raw(`SELECT p.slug AS value, p.title AS label FROM programmes p
		WHERE EXISTS (SELECT 1 FROM cohorts c WHERE c.programme_id = p.id AND `+cond+`) ORDER BY p.title`, args...).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list programmes to filter by: %w", err)
	}
	return out, nil
}

// OrganisationOptions lists organisations that have cohorts in scope.
func (s *Store) OrganisationOptions(ctx context.Context, scope auth.Scope) ([]Option, error) {
	cond, args := scope.Where("c.organisation_id")
	var out []Option
	err := db.Conn(ctx, s.g).Raw(`SELECT o.id AS value, o.name AS label FROM organisations o
		WHERE EXISTS (SELECT 1 FROM cohorts c WHERE c.organisation_id = o.id AND `+cond+`) ORDER BY lower(o.name)`, args...).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list organisations to filter by: %w", err)
	}
	return out, nil
}

// CohortOptions lists cohorts in scope, newest first.
func (s *Store) CohortOptions(ctx context.Context, scope auth.Scope) ([]Option, error) {
	cond, args := scope.Where("c.organisation_id")
	var out []Option
	err := db.Conn(ctx, s.g).Raw(`SELECT c.id AS value, c.name || ' (' || o.name || ')' AS label
		FROM cohorts c JOIN organisations o ON o.id = c.organisation_id
		WHERE `+cond+` ORDER BY c.starts_on DESC, c.name`, args...).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list cohorts to filter by: %w", err)
	}
	return out, nil
}

// CohortVisible reports whether the scope may see cohort id.
func (s *Store) CohortVisible(ctx context.Context, scope auth.Scope, id string) (bool, error) {
	if !db.IsUUID(id) {
		return false, nil
	}
	cond, args := scope.Where("c.organisation_id")
	var n int64
	err := db.Conn(ctx, s.g).Raw(`SELECT count(*) FROM cohorts c WHERE c.id = ? AND `+cond, append([]any{id}, args...)...).Scan(&n).Error
	if err != nil {
		return false, fmt.Errorf("store: unable to look for cohort %s: %w", id, err)
	}
	return n == 1, nil
}

// OrganisationExists reports whether there is an organisation id.
func (s *Store) OrganisationExists(ctx context.Context, id string) (bool, error) {
	if !db.IsUUID(id) {
		return false, nil
	}
	var n int64
	err := db.Conn(ctx, s.g).Raw(`SELECT count(*) FROM organisations WHERE id = ?`, id).Scan(&n).Error
	if err != nil {
		return false, fmt.Errorf("store: unable to look for organisation %s: %w", id, err)
	}
	return n == 1, nil
}

// ProgrammeExists reports whether there is a programme with slug.
func (s *Store) ProgrammeExists(ctx context.Context, slug string) (bool, error) {
	var n int64
	err := db.Conn(ctx, s.g).Raw(`SELECT count(*) FROM programmes WHERE slug = ?`, slug).Scan(&n).Error
	if err != nil {
		return false, fmt.Errorf("store: unable to look for programme %s: %w", slug, err)
	}
	return n == 1, nil
}

package monitoring

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"onramp/app/db"
)

// Store reads and writes equality answers. Apart from a learner's own row
// (read only for that learner's form), equality_answers is read only by
// the aggregate report query: no method returns anyone else's answers.
type Store struct{ g *gorm.DB }

// NewStore returns a store over g.
func NewStore(g *gorm.DB) *Store { return &Store{g: g} }

// answerColumns are the question columns, in Questions order.
func answerColumns() []string {
	cols := make([]string, len(Questions))
	for i, q := range Questions {
		cols[i] = q.Field
	}
	return cols
}

// OwnAnswers returns the answers of userID, or nil when they have none.
func (s *Store) OwnAnswers(ctx context.Context, userID string) (*Answers, error) {
	cols := answerColumns()
	rows, err := db.Query(ctx, s.g, "SELECT "+strings.Join(cols, ", ")+", answered_at, updated_at FROM equality_answers WHERE user_id = $1", userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, rows.Err()
	}
	vals := make([]*string, len(cols))
	dest := make([]any, 0, len(cols)+2)
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	a := &Answers{Values: map[string]string{}}
	dest = append(dest, &a.AnsweredAt, &a.UpdatedAt)
	if err := rows.Scan(dest...); err != nil {
		return nil, err
	}
	for i, c := range cols {
		if vals[i] != nil {
			a.Values[c] = *vals[i]
		}
	}
	return a, rows.Err()
}

// SaveAnswers creates or replaces userID's answers. A question missing
// from values is stored as not answered (NULL); values must hold at least
// one answer. The database checks each code.
func (s *Store) SaveAnswers(ctx context.Context, userID string, values map[string]string, now time.Time) error {
	cols := answerColumns()
	args := []any{userID}
	sets := make([]string, len(cols))
	for i, c := range cols {
		if v, ok := values[c]; ok {
			args = append(args, v)
		} else {
			args = append(args, nil)
		}
		sets[i] = c + " = EXCLUDED." + c
	}
	args = append(args, now, now)
	return db.Conn(ctx, s.g).Exec(`
		INSERT INTO equality_answers (user_id, `+strings.Join(cols, ", ")+`, answered_at, updated_at)
		VALUES (?, `+strings.Repeat("?, ", len(cols))+`?, ?)
		ON CONFLICT (user_id) DO UPDATE SET `+strings.Join(sets, ", ")+`, updated_at = EXCLUDED.updated_at`,
		args...).Error
}

// RemoveAnswers deletes userID's answers; it reports whether there were any.
func (s *Store) RemoveAnswers(ctx context.Context, userID string) (bool, error) {
	res := db.Conn(ctx, s.g).Exec("DELETE FROM equality_answers WHERE user_id = ?", userID)
	return res.RowsAffected > 0, res.Error
}

// scope is a report's WHERE clause over enrolments e and cohorts c: the
// enrolments a report is about. organisationID is set for every manager,
// so a manager's report can only ever count their own organisation's
// cohorts (and never a self-enrolment cohort, which has no organisation).
type scope struct {
	organisationID string
	programmeSlug  string
	cohortID       string
}

func (sc scope) where() (string, []any) {
	conds := []string{"e.status <> 'withdrawn'"}
	var args []any
	if sc.organisationID != "" {
		conds = append(conds, "c.organisation_id = ?")
		args = append(args, sc.organisationID)
	}
	if sc.programmeSlug != "" {
		conds = append(conds, "c.programme_id = (SELECT id FROM programmes WHERE slug = ?)")
		args = append(args, sc.programmeSlug)
	}
	if sc.cohortID != "" {
		conds = append(conds, "c.id = ?")
		args = append(args, sc.cohortID)
	}
	return strings.Join(conds, " AND "), args
}

// categoryRow is one line of the aggregate query: how many people are in
// one category of one characteristic and how many of them completed, each
// with its cell key (their report keys added up, modulo 256).
type categoryRow struct {
	Characteristic string
	Category       string
	People         int
	PeopleKey      int
	Completed      int
	CompletedKey   int
}

// reportSQL counts people, never enrolments, so enrolling one person
// again, transferring or withdrawing them cannot move any count by more
// than that one person. First it makes one row per person in scope (a
// person is in scope with at least one enrolment the scope's WHERE clause
// keeps; %s is that clause):
//
//   - their age band on the start date of their earliest cohort in scope;
//   - completed: they completed (programme_completions, the one definition)
//     the programme of any of their cohorts in scope, by the time they
//     left it if they withdrew;
//   - their answers (or "not answered") and their report key.
//
// Then it counts those rows, and adds up their report keys, for every
// characteristic at once (GROUPING SETS). Each person lands in exactly one
// category per characteristic, so every characteristic's rows add up to
// the same total. It returns only counts and key sums: no row is about
// one person, and no person's row leaves the database.
var reportSQL = func() string {
	// A learner is 16 on the day the cohort starts if they were born on or
	// before that day 16 years earlier: comparing dates is cheaper than
	// age() and gives the same birthday rule.
	cols := []string{`CASE WHEN u.date_of_birth IS NULL OR u.date_of_birth > p.starts_on - interval '16 years' THEN 'not_known'
		WHEN u.date_of_birth > p.starts_on - interval '18 years' THEN '16_17'
		WHEN u.date_of_birth > p.starts_on - interval '20 years' THEN '18_19'
		WHEN u.date_of_birth > p.starts_on - interval '25 years' THEN '20_24'
		WHEN u.date_of_birth > p.starts_on - interval '31 years' THEN '25_30'
		ELSE '31_plus' END AS age_band`}
	names := []string{"age_band"}
	for _, q := range Questions {
		expr := "a." + q.Field
		if q.ByGroup {
			var b strings.Builder
			b.WriteString("CASE a." + q.Field)
			for _, g := range q.Groups {
				for _, o := range g.Options {
					fmt.Fprintf(&b, " WHEN '%s' THEN '%s'", o.Code, g.Code)
				}
			}
			b.WriteString(" ELSE a." + q.Field + " END")
			expr = b.String()
		}
		cols = append(cols, fmt.Sprintf("COALESCE(%s, '%s') AS %s", expr, NotAnswered.Code, q.Field))
		names = append(names, q.Field)
	}
	which := make([]string, len(names))
	sets := make([]string, len(names))
	for i, n := range names {
		which[i] = fmt.Sprintf("WHEN GROUPING(%s) = 0 THEN '%s'", n, n)
		sets[i] = "(" + n + ")"
	}
	return `
		WITH enr AS (
		  SELECT e.user_id, e.withdrawn_at, c.programme_id, c.starts_on
		  FROM enrolments e
		  JOIN cohorts c ON c.id = e.cohort_id
		  WHERE %s
		), done AS (
		  SELECT g.programme_id, pc.user_id, pc.completed_at
		  FROM (SELECT programme_id, array_agg(DISTINCT user_id) AS users FROM enr GROUP BY programme_id) g,
		       LATERAL programme_completions(g.programme_id, g.users) pc
		), people AS (
		  SELECT enr.user_id, min(enr.starts_on) AS starts_on,
		         bool_or(d.user_id IS NOT NULL AND (enr.withdrawn_at IS NULL OR d.completed_at <= enr.withdrawn_at)) AS completed
		  FROM enr LEFT JOIN done d ON d.user_id = enr.user_id AND d.programme_id = enr.programme_id
		  GROUP BY enr.user_id
		), learners AS (
		  SELECT ` + strings.Join(cols, ",\n\t\t         ") + `,
		         p.completed, u.report_key
		  FROM people p
		  JOIN users u ON u.id = p.user_id
		  LEFT JOIN equality_answers a ON a.user_id = p.user_id)
		SELECT CASE ` + strings.Join(which, " ") + ` END AS characteristic,
		       COALESCE(` + strings.Join(names, ", ") + `) AS category,
		       count(*) AS people, sum(report_key) %% 256 AS people_key,
		       count(*) FILTER (WHERE completed) AS completed,
		       COALESCE(sum(report_key) FILTER (WHERE completed), 0) %% 256 AS completed_key
		FROM learners
		GROUP BY GROUPING SETS (` + strings.Join(sets, ", ") + `)`
}()

// Counts runs the aggregate report query for sc. Call it in a
// transaction: it turns JIT compilation off for that transaction, as
// compiling this query takes longer than running it.
func (s *Store) Counts(ctx context.Context, sc scope) ([]categoryRow, error) {
	conn := db.Conn(ctx, s.g)
	if err := conn.Exec("SET LOCAL jit = off").Error; err != nil {
		return nil, err
	}
	where, args := sc.where()
	var rows []categoryRow
	err := conn.Raw(fmt.Sprintf(reportSQL, where), args...).Scan(&rows).Error
	return rows, err
}

// CohortInScope reports whether cohort id exists within the organisation
// (any organisation when organisationID is empty).
func (s *Store) CohortInScope(ctx context.Context, id, organisationID string) (bool, error) {
	if !db.IsUUID(id) {
		return false, nil
	}
	q := db.Conn(ctx, s.g).Table("cohorts").Where("id = ?", id)
	if organisationID != "" {
		q = q.Where("organisation_id = ?", organisationID)
	}
	return exists(q)
}

// OrganisationExists reports whether organisation id exists.
func (s *Store) OrganisationExists(ctx context.Context, id string) (bool, error) {
	if !db.IsUUID(id) {
		return false, nil
	}
	return exists(db.Conn(ctx, s.g).Table("organisations").Where("id = ?", id))
}

// ProgrammeExists reports whether a programme has slug.
func (s *Store) ProgrammeExists(ctx context.Context, slug string) (bool, error) {
	return exists(db.Conn(ctx, s.g).Table("programmes").Where("slug = ?", slug))
}

func exists(q *gorm.DB) (bool, error) {
	var n int64
	if err := q.Limit(1).Count(&n).Error; err != nil {
		return false, err
	}
	return n > 0, nil
}

// Programmes lists every programme for the filter, by title.
func (s *Store) Programmes(ctx context.Context) ([]Choice, error) {
	var out []Choice
	err := db.Conn(ctx, s.g).Raw("SELECT slug AS value, title AS label FROM programmes ORDER BY lower(title)").Scan(&out).Error
	return out, err
}

// Organisations lists every organisation for the filter, by name.
func (s *Store) Organisations(ctx context.Context) ([]Choice, error) {
	var out []Choice
	err := db.Conn(ctx, s.g).Raw("SELECT id AS value, name AS label FROM organisations ORDER BY lower(name)").Scan(&out).Error
	return out, err
}

// Cohorts lists the cohorts of an organisation (all when empty), newest
// first, labelled with their organisation.
func (s *Store) Cohorts(ctx context.Context, organisationID string) ([]Choice, error) {
	q := db.Conn(ctx, s.g).Table("cohorts c").Select("c.id AS value, c.name || ' (' || o.name || ')' AS label").
		Joins("JOIN organisations o ON o.id = c.organisation_id").Order("c.starts_on DESC, c.name")
	if organisationID != "" {
		q = q.Where("c.organisation_id = ?", organisationID)
	}
	var out []Choice
	err := q.Scan(&out).Error
	return out, err
}

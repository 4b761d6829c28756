package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// pgResult is pgbench's throughput for one request's statements.
type pgResult struct {
	name string
	tps  float64
}

// The statements one request runs once the content cache is warm, copied
// from the code that issues them. Keep them in step with:
//   - scs pgxstore Find (every request with a session cookie)
//   - identity.Store.SessionUser (every signed-in request)
//   - cohorts.Service.ForUser (may they read and add to it? every lesson
//     page and completion)
//   - learning.Store.Standing (progress, every lesson page and completion)
//   - learning.Store.Complete (completion, in a transaction)
const (
	sqlSession = `SELECT data FROM sessions WHERE token = '%[1]s' AND current_timestamp < expiry;`
	sqlUser    = `SELECT u.id, u.name, u.email, u.organisation_id, array_to_string(u.claim_roles, ',') AS claim_roles,
  (SELECT COALESCE(string_agg(g.role, ','), '') FROM role_grants g WHERE g.user_id = u.id) AS granted_roles
  FROM auth_sessions s JOIN users u ON u.id = s.user_id WHERE s.id = '%[2]s' AND s.ended_at IS NULL;`
	sqlEnrolments = `SELECT e.id, e.cohort_id, c.name AS cohort_name, p.slug AS programme_slug,
  COALESCE(c.organisation_id::text, '') AS organisation_id, c.self_enrolment, e.status, c.starts_on, c.ends_on
  FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id JOIN programmes p ON p.id = c.programme_id
  WHERE e.user_id = '%[3]s' ORDER BY c.starts_on DESC;`
	sqlStanding = `SELECT true, lesson_id, completed_at, 0, false, 0, NULL::timestamptz FROM lesson_progress WHERE user_id = '%[3]s'
  UNION ALL SELECT false, check_id, max(created_at), count(*), bool_or(passed), max(score),
  CASE WHEN count(*) FILTER (WHERE latest <= 2 AND NOT passed) = 2 THEN min(created_at) FILTER (WHERE latest <= 2) END
  FROM (SELECT check_id, created_at, passed, score, row_number() OVER (PARTITION BY check_id ORDER BY created_at DESC, id) AS latest
  FROM check_attempts WHERE user_id = '%[3]s') a GROUP BY check_id;`
	sqlComplete = `INSERT INTO lesson_progress (user_id, lesson_id, completed_at) VALUES ('%[3]s', (ARRAY[%[4]s])[:l], now()) ON CONFLICT DO NOTHING;`
)

var pageScript = strings.Join([]string{sqlSession, sqlUser, sqlStanding, sqlEnrolments}, "\n")

var completeScript = strings.Join([]string{`\set l random(1, %[6]d)`, sqlSession, sqlUser, sqlEnrolments, "BEGIN;", sqlComplete,
	sqlStanding, "COMMIT;"}, "\n")

// runPgbench writes one pgbench script per signed-in learner (their real
// session token, sign-in and user ids) for each kind of request and runs
// them with the same number of connections as the load phases.
func runPgbench(ctx context.Context, dbURL string, o options, learners []*learner) ([]pgResult, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	type who struct{ token, session, user string }
	var people []who
	for _, l := range learners[:min(len(learners), 100)] { // pgbench takes at most 128 scripts
		w := who{token: l.token, user: l.userID}
		if err := conn.QueryRow(ctx, `SELECT id FROM auth_sessions WHERE user_id = $1 AND ended_at IS NULL
			ORDER BY created_at DESC LIMIT 1`, l.userID).Scan(&w.session); err != nil {
			return nil, fmt.Errorf("finding %s's sign-in: %w", l.userID, err)
		}
		people = append(people, w)
	}
	lessons, err := quotedIDs(ctx, conn, `SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id
		JOIN programme_modules pm ON pm.module_id = m.id JOIN programmes p ON p.id = pm.programme_id
		WHERE p.slug = $1 AND l.published AND m.published ORDER BY pm.place, pm.shared, pm.slug, l.position`,
		loadProgramme)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "onramp-pgbench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	var out []pgResult
	for _, kind := range []struct{ name, script string }{
		{"lesson page statements", pageScript}, {"lesson completion statements", completeScript},
	} {
		var args []string
		for i, p := range people {
			f := filepath.Join(dir, fmt.Sprintf("%s-%d.sql", strings.Fields(kind.name)[1], i))
			body := fmt.Sprintf(kind.script, p.token, p.session, p.user, lessons, "", strings.Count(lessons, ",")+1)
			if err := os.WriteFile(f, []byte(body+"\n"), 0o600); err != nil {
				return nil, err
			}
			args = append(args, "-f", f)
		}
		tps, err := pgbench(ctx, dbURL, o, args)
		if err != nil {
			return nil, err
		}
		fmt.Printf("  pgbench, %-33s %7.0f transactions/s\n", kind.name, tps)
		out = append(out, pgResult{kind.name, tps})
	}
	return out, nil
}

func quotedIDs(ctx context.Context, conn *pgx.Conn, query string, args ...any) (string, error) {
	rows, err := conn.Query(ctx, query, args...)
	if err != nil {
		return "", err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	for i := range ids {
		ids[i] = "'" + ids[i] + "'::uuid"
	}
	return strings.Join(ids, ", "), err
}

var tpsLine = regexp.MustCompile(`tps = ([0-9.]+)`)

func pgbench(ctx context.Context, dbURL string, o options, scripts []string) (float64, error) {
	// As many connections as the app's pool: the app never has more.
	args := append([]string{"-n", "-M", "prepared", "-c", strconv.Itoa(o.dbConns), "-j", "2",
		"-T", strconv.Itoa(int(o.duration.Seconds()))}, scripts...)
	args = append(args, dbURL)
	cmd := exec.CommandContext(ctx, "pgbench", args...)
	b, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench: %v\n%s", err, b)
	}
	m := tpsLine.FindSubmatch(b)
	if m == nil {
		return 0, fmt.Errorf("pgbench printed no tps:\n%s", b)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

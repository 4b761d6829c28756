package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5"
)

// dashboards measures what a manager waits for on a large database: the
// 500-learner cohort's dashboard page and its progress API (one and four
// managers at once) and the programme-wide outcomes and equality reports,
// and prints the plan of the dashboard query that does the work.
func dashboards(ctx context.Context, o options, dbURL string) error {
	app, err := start(ctx, o, dbURL)
	if err != nil {
		return err
	}
	defer app.stop()
	base := "http://" + o.addr
	managers, err := signInAs(ctx, base, "manager@example.org", 4)
	if err != nil {
		return err
	}
	resp, err := client.Do(managers[0].request(http.MethodGet, base+"/api/v1/cohorts"))
	if err != nil {
		return err
	}
	var cohorts []struct{ ID, Name string }
	err = json.NewDecoder(resp.Body).Decode(&cohorts)
	resp.Body.Close()
	if err != nil {
		return err
	}
	var id string
	for _, c := range cohorts {
		if c.Name == "Scale cohort of 500" {
			id = c.ID
		}
	}
	if id == "" {
		return fmt.Errorf("no 'Scale cohort of 500' on %s: run `onramp seed --scale 100000` on it first", o.dbName)
	}
	var rs []result
	for _, conns := range []int{1, 4} {
		for _, path := range []string{"/api/v1/cohorts/" + id + "/progress", "/manage/cohorts/" + id} {
			next := func(i int) *http.Request { return managers[i%len(managers)].request(http.MethodGet, base+path) }
			name := fmt.Sprintf("GET %s, %d at once", strings.Replace(path, id, "{id}", 1), conns)
			rs = append(rs, closedLoop(ctx, name, conns, o.duration, next, nil))
		}
	}
	// The programme-wide reports, as an admin sees them (every organisation).
	admins, err := signInAs(ctx, base, "admin@example.org", 4)
	if err != nil {
		return err
	}
	for _, path := range []string{"/api/v1/reports/outcomes?programme=get-into", "/api/v1/reports/equality?programme=get-into"} {
		next := func(i int) *http.Request { return admins[i%len(admins)].request(http.MethodGet, base+path) }
		rs = append(rs, closedLoop(ctx, "GET "+path+", 1 at once", 1, o.duration, next, nil))
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var learners, progress int
	conn.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&learners)
	conn.QueryRow(ctx, "SELECT count(*) FROM lesson_progress").Scan(&progress)
	fmt.Printf("\n## 500-learner cohort dashboard on %d people and %d lesson progress records (%s a phase)\n\n", learners, progress, o.duration)
	fmt.Println("| request | requests | p50 | p95 | p99 |")
	fmt.Println("|---|---|---|---|---|")
	for _, r := range rs {
		fmt.Printf("| %s | %d | %s | %s | %s |\n", r.name, r.requests, ms(r.pct(.5)), ms(r.pct(.95)), ms(r.pct(.99)))
	}
	return explainCells(ctx, conn, id)
}

// signInAs signs the same person in n times (n browsers).
func signInAs(ctx context.Context, base, email string, n int) ([]*learner, error) {
	out := make([]*learner, 0, n)
	for range n {
		ls, err := signInEmails(ctx, base, []string{email})
		if err != nil {
			return nil, err
		}
		out = append(out, ls...)
	}
	return out, nil
}

// explainCells prints the plan of the dashboard's heaviest query
// (cohorts.Store.Cells) for the cohort.
func explainCells(ctx context.Context, conn *pgx.Conn, cohortID string) error {
	var programmeID string
	if err := conn.QueryRow(ctx, "SELECT programme_id FROM cohorts WHERE id = $1", cohortID).Scan(&programmeID); err != nil {
		return err
	}
	rows, err := conn.Query(ctx, `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
		WITH members AS (SELECT user_id FROM enrolments WHERE cohort_id = $1),
		done AS (
		  SELECT lp.user_id, l.module_id, count(*) AS done, max(lp.completed_at) AS last_at
		  FROM members mb JOIN lesson_progress lp ON lp.user_id = mb.user_id
		  JOIN lessons l ON l.id = lp.lesson_id JOIN programme_modules pm ON pm.module_id = l.module_id
		  WHERE pm.programme_id = $2 AND l.published
		  GROUP BY lp.user_id, l.module_id),
		tried AS (
		  SELECT a.user_id, c.module_id, bool_or(a.passed) AS passed,
		         count(*) FILTER (WHERE NOT a.passed) AS failed, max(a.score) AS best, max(a.created_at) AS last_at
		  FROM members mb JOIN check_attempts a ON a.user_id = mb.user_id
		  JOIN checks c ON c.id = a.check_id JOIN programme_modules pm ON pm.module_id = c.module_id
		  WHERE pm.programme_id = $2
		  GROUP BY a.user_id, c.module_id)
		SELECT COALESCE(d.user_id, t.user_id), COALESCE(d.module_id, t.module_id)
		FROM done d FULL JOIN tried t ON t.user_id = d.user_id AND t.module_id = d.module_id`, cohortID, programmeID)
	if err != nil {
		return err
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	fmt.Println("\nPlan of the dashboard's grid query (cohorts.Store.Cells):\n\n```")
	fmt.Println(strings.Join(lines, "\n"))
	fmt.Println("```")
	return nil
}

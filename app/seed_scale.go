package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"onramp/app/db"
	"onramp/modules/identity"
)

// SeedScale adds n synthetic learners for benchmarks, on top of the demo
// data: spread over 20 extra organisations and cohorts of 20 to 60, plus
// one cohort of exactly 500 in the demo trust (so manager@example.org can
// open it), each with progress that mostly runs to the end, check
// attempts, and a second programme for one in ten. It is set-based SQL
// (generate_series), so 100,000 learners and over three million progress
// records take minutes, not hours. Run it once on an empty database.
func (a *App) SeedScale(ctx context.Context, n int) error {
	if err := a.SeedDemo(ctx); err != nil {
		return err
	}
	trust, err := a.Identity.OrganisationID(ctx, identity.DemoTrust)
	if err != nil {
		return err
	}
	g := a.DB.Gorm.WithContext(ctx)
	var existing int
	g.Raw("SELECT count(*) FROM users WHERE email LIKE 'scale.%@example.org'").Scan(&existing)
	if existing > 0 {
		return fmt.Errorf("this database already has %d scale learners; seed --scale runs once on a fresh database", existing)
	}
	steps := []struct{ name, sql string }{
		{"organisations", `INSERT INTO organisations (name, kind)
			SELECT 'Scale organisation ' || i, (ARRAY['trust','charity','region'])[1 + i % 3] FROM generate_series(1, 20) i`},
		{"cohorts", `INSERT INTO cohorts (programme_id, organisation_id, name, starts_on, ends_on, capacity, region)
			SELECT p.id, o.id, 'Scale cohort ' || c.i, d.starts, d.starts + (CASE p.slug WHEN 'get-started' THEN 3 WHEN 'get-into' THEN 42 ELSE 84 END),
			       60, 'Region ' || (c.i % 9)
			FROM generate_series(1, GREATEST(@n / 40, 1)) c(i)
			JOIN LATERAL (SELECT id FROM organisations WHERE name = 'Scale organisation ' || (1 + c.i % 20)) o ON true
			JOIN LATERAL (SELECT id, slug FROM programmes WHERE slug = (ARRAY['get-started','get-into','step-into-work'])[1 + c.i % 3]) p ON true
			CROSS JOIN LATERAL (SELECT (current_date - (c.i % 400))::date AS starts) d`},
		{"the 500-learner cohort", `INSERT INTO cohorts (programme_id, organisation_id, name, starts_on, ends_on, capacity, region)
			SELECT p.id, @trust, 'Scale cohort of 500', current_date - 20, current_date + 22, 500, 'North East'
			FROM programmes p WHERE p.slug = 'get-into'`},
		{"learners", `INSERT INTO users (email, name, date_of_birth)
			SELECT 'scale.' || i || '@example.org', 'Scale Learner ' || i, (current_date - (16 * 365 + (i * 37) % (14 * 365)))::date
			FROM generate_series(1, @n) i`},
		// Statistics after each bulk insert, or the planner, still
		// believing the tables are tiny, picks nested loops over 100,000 rows.
		{"statistics for people", `ANALYZE users, cohorts`},
		{"enrolments", `WITH sc AS (
			  SELECT id, substring(name from 'Scale cohort (\d+)')::int AS k FROM cohorts WHERE name ~ '^Scale cohort \d+$'),
			big AS (SELECT id FROM cohorts WHERE name = 'Scale cohort of 500'),
			su AS (SELECT id, substring(email from 'scale\.(\d+)@')::int AS i FROM users WHERE email LIKE 'scale.%@example.org')
			INSERT INTO enrolments (cohort_id, user_id, enrolled_at)
			SELECT CASE WHEN su.i <= 500 THEN (SELECT id FROM big) ELSE sc.id END, su.id, now() - interval '30 days'
			FROM su JOIN sc ON sc.k = 1 + su.i % GREATEST(@n / 40, 1)`},
		{"second programmes", `WITH sc AS (
			  SELECT id, programme_id, substring(name from 'Scale cohort (\d+)')::int AS k FROM cohorts WHERE name ~ '^Scale cohort \d+$'),
			su AS (SELECT id, substring(email from 'scale\.(\d+)@')::int AS i FROM users WHERE email LIKE 'scale.%@example.org')
			INSERT INTO enrolments (cohort_id, user_id, enrolled_at)
			SELECT other.id, su.id, now() - interval '20 days'
			FROM su JOIN enrolments e ON e.user_id = su.id JOIN cohorts c ON c.id = e.cohort_id
			JOIN sc other ON other.k = 1 + (su.i + 1) % GREATEST(@n / 40, 1) AND other.programme_id <> c.programme_id
			WHERE su.i % 10 = 0 ON CONFLICT DO NOTHING`},
		{"statistics for enrolments", `ANALYZE enrolments`},
		{"lesson progress", `WITH ordered AS (
			  SELECT l.id, pm.programme_id,
			         row_number() OVER (PARTITION BY pm.programme_id ORDER BY pm.place, pm.shared, pm.slug, l.position) AS n,
			         count(*) OVER (PARTITION BY pm.programme_id) AS total
			  FROM lessons l JOIN modules m ON m.id = l.module_id JOIN programme_modules pm ON pm.module_id = m.id
			  WHERE l.published AND m.published),
			learner AS (
			  SELECT e.user_id, c.programme_id, c.starts_on,
			         (abs(hashtext(e.user_id::text || c.id::text)) % 100) AS r
			  FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id JOIN users u ON u.id = e.user_id
			  WHERE u.email LIKE 'scale.%@example.org')
			INSERT INTO lesson_progress (user_id, lesson_id, completed_at)
			SELECT le.user_id, o.id, le.starts_on + (o.n * interval '9 hours') + (le.r * interval '1 minute')
			FROM learner le JOIN ordered o ON o.programme_id = le.programme_id
			WHERE o.n <= CASE WHEN le.r < 62 THEN o.total WHEN le.r < 88 THEN o.total * (60 + le.r % 40) / 100 ELSE o.total * (le.r % 30) / 100 END
			ON CONFLICT DO NOTHING`},
		{"statistics for progress", `ANALYZE lesson_progress`},
		{"check attempts", `INSERT INTO check_attempts (user_id, check_id, correct, total, score, passed, answers, created_at)
			SELECT x.user_id, x.check_id, x.q, x.q, 100, true, '{}', x.last_at + interval '20 minutes'
			FROM (SELECT lp.user_id, c.id AS check_id, max(lp.completed_at) AS last_at, count(*) AS done,
			             (SELECT count(*) FROM lessons l2 WHERE l2.module_id = m.id AND l2.published) AS lessons,
			             GREATEST((SELECT count(*) FROM questions q WHERE q.check_id = c.id), 1) AS q
			      FROM lesson_progress lp JOIN users u ON u.id = lp.user_id AND u.email LIKE 'scale.%@example.org'
			      JOIN lessons l ON l.id = lp.lesson_id JOIN modules m ON m.id = l.module_id JOIN checks c ON c.module_id = m.id
			      GROUP BY lp.user_id, c.id, m.id) x
			WHERE x.done = x.lessons`},
		{"certificates", `INSERT INTO certificates (user_id, programme_id, code, learner_name, programme_title, issued_at)
			SELECT x.user_id, x.programme_id,
			       upper(substr(md5(x.user_id::text || x.programme_id::text), 1, 4) || '-' || substr(md5(x.user_id::text || x.programme_id::text), 5, 4)
			             || '-' || substr(md5(x.user_id::text || x.programme_id::text), 9, 4)),
			       u.name, p.title, x.last_at
			FROM (SELECT lp.user_id, pm.programme_id, count(*) AS done, max(lp.completed_at) AS last_at
			      FROM lesson_progress lp JOIN users u ON u.id = lp.user_id AND u.email LIKE 'scale.%@example.org'
			      JOIN lessons l ON l.id = lp.lesson_id JOIN programme_modules pm ON pm.module_id = l.module_id
			      GROUP BY lp.user_id, pm.programme_id) x
			JOIN users u ON u.id = x.user_id JOIN programmes p ON p.id = x.programme_id
			WHERE x.done = (SELECT count(*) FROM lessons l JOIN modules m ON m.id = l.module_id
			                JOIN programme_modules pm ON pm.module_id = m.id
			                WHERE pm.programme_id = x.programme_id AND l.published AND m.published)
			ON CONFLICT DO NOTHING`},
		{"destinations", `INSERT INTO destinations (user_id, cohort_id, kind, employer, role, start_date, source, recorded_by, verified_at, verified_by)
			SELECT e.user_id, e.cohort_id, (ARRAY['employment','apprenticeship','volunteering','education','other'])[1 + h % 5],
			       'Scale employer ' || (h % 50), 'Support worker', c.ends_on + (h % 200),
			       'manager', CAST(@admin AS uuid), CASE WHEN h % 10 < 8 THEN now() END, CASE WHEN h % 10 < 8 THEN CAST(@admin AS uuid) END
			FROM (SELECT e.*, abs(hashtext(e.user_id::text || 'dest')) AS h FROM enrolments e) e
			JOIN cohorts c ON c.id = e.cohort_id JOIN users u ON u.id = e.user_id
			WHERE u.email LIKE 'scale.%@example.org' AND e.h % 100 < 40 AND c.ends_on < current_date`},
		{"equality answers", `INSERT INTO equality_answers (user_id, sex, gender_same_as_birth, ethnicity, disability, care_experience, benefits, neet)
			SELECT u.id, (ARRAY['female','male','female','male','prefer_not_to_say'])[1 + h % 5],
			       (ARRAY['yes','yes','yes','yes','yes','yes','yes','no','prefer_not_to_say'])[1 + h % 9],
			       (ARRAY['white_english_welsh_scottish_ni_british','white_english_welsh_scottish_ni_british','white_english_welsh_scottish_ni_british',
			              'asian_pakistani','asian_indian','black_african','black_caribbean','mixed_white_black_caribbean','white_other','asian_bangladeshi',
			              'other_arab','white_irish','prefer_not_to_say'])[1 + h % 13],
			       (ARRAY['no','no','no','yes','prefer_not_to_say'])[1 + (h / 7) % 5],
			       (ARRAY['no','no','no','no','no','yes','prefer_not_to_say'])[1 + (h / 11) % 7],
			       (ARRAY['no','yes','yes','prefer_not_to_say'])[1 + (h / 13) % 4],
			       (ARRAY['no','yes','yes','prefer_not_to_say'])[1 + (h / 17) % 4]
			FROM (SELECT id, abs(hashtext(id::text || 'eq')) AS h FROM users WHERE email LIKE 'scale.%@example.org') u
			WHERE u.h % 10 < 7 ON CONFLICT DO NOTHING`},
		{"statistics", `ANALYZE`},
	}
	var admin string
	g.Raw("SELECT id FROM users WHERE email = 'admin@example.org'").Scan(&admin)
	params := map[string]any{"n": n, "trust": trust, "admin": admin}
	return a.DB.WithTx(ctx, func(ctx context.Context) error {
		for _, st := range steps {
			start := time.Now()
			var args []any
			if strings.Contains(st.sql, "@") { // gorm binds a map only to named parameters
				args = append(args, params)
			}
			res := db.Conn(ctx, a.DB.Gorm).Exec(st.sql, args...)
			if res.Error != nil {
				return fmt.Errorf("scale seed, %s: %w", st.name, res.Error)
			}
			slog.Info("scale seed", "step", st.name, "rows", res.RowsAffected, "took", time.Since(start).Round(time.Millisecond).String())
		}
		return nil
	})
}

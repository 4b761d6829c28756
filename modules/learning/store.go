package learning

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"onramp/app/db"
)

// Store reads and writes learners' progress, attempts and certificates.
type Store struct{ g *gorm.DB }

// NewStore returns a store over g.
func NewStore(g *gorm.DB) *Store { return &Store{g: g} }

// Standing is everything a learner has done: completed lessons and their
// results on each check they have tried, across all programmes.
type Standing struct {
	Completed map[string]time.Time   // lesson id -> completed at
	Checks    map[string]CheckResult // check id -> result
}

// Standing reads a learner's completions and check results in one round
// trip, because every lesson page needs both. For each check it also
// finds whether the last two attempts both failed, and when the earlier
// of them was made: the retry rule (computeProgress) needs it.
func (s *Store) Standing(ctx context.Context, userID string) (*Standing, error) {
	rows, err := db.Query(ctx, s.g, `
		SELECT true, lesson_id, completed_at, 0, false, 0, NULL::timestamptz FROM lesson_progress WHERE user_id = $1
		UNION ALL
		SELECT false, check_id, max(created_at), count(*), bool_or(passed), max(score),
		       CASE WHEN count(*) FILTER (WHERE latest <= 2 AND NOT passed) = 2
		            THEN min(created_at) FILTER (WHERE latest <= 2) END
		FROM (SELECT check_id, created_at, passed, score,
		             row_number() OVER (PARTITION BY check_id ORDER BY created_at DESC, id) AS latest
		      FROM check_attempts WHERE user_id = $1) a
		GROUP BY check_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the standing of %s: %w", userID, err)
	}
	defer rows.Close()
	st := &Standing{Completed: map[string]time.Time{}, Checks: map[string]CheckResult{}}
	for rows.Next() {
		var lesson bool
		var id string
		var at time.Time
		var failedTwice *time.Time
		var r CheckResult
		if err := rows.Scan(&lesson, &id, &at, &r.Attempts, &r.Passed, &r.Best, &failedTwice); err != nil {
			return nil, fmt.Errorf("store: unable to read the standing of %s: %w", userID, err)
		}
		if lesson {
			st.Completed[id] = at
			continue
		}
		r.CheckID, r.LastAt = id, at
		if failedTwice != nil {
			r.FailedTwiceAt = *failedTwice
		}
		st.Checks[id] = r
	}
	return st, rows.Err()
}

// Completed returns when the user completed each of lessonIDs they have
// completed.
func (s *Store) Completed(ctx context.Context, userID string, lessonIDs []string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	if len(lessonIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		LessonID    string
		CompletedAt time.Time
	}
	err := db.Conn(ctx, s.g).Raw("SELECT lesson_id, completed_at FROM lesson_progress WHERE user_id = ? AND lesson_id IN ?",
		userID, lessonIDs).Scan(&rows).Error
	for _, r := range rows {
		out[r.LessonID] = r.CompletedAt
	}
	return out, err
}

// Complete records a completed lesson once; it reports whether this call
// recorded it (false when it was already complete).
func (s *Store) Complete(ctx context.Context, userID, lessonID string, at time.Time) (bool, error) {
	res := db.Conn(ctx, s.g).Exec(
		"INSERT INTO lesson_progress (user_id, lesson_id, completed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
		userID, lessonID, at)
	if res.Error != nil {
		return false, fmt.Errorf("store: unable to complete lesson %s: %w", lessonID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// Revisit records that the learner went over a lesson they had completed
// again, at at: its completion time moves on, never back.
func (s *Store) Revisit(ctx context.Context, userID, lessonID string, at time.Time) error {
	err := db.Conn(ctx, s.g).Exec(
		"UPDATE lesson_progress SET completed_at = greatest(completed_at, ?) WHERE user_id = ? AND lesson_id = ?",
		at, userID, lessonID).Error
	if err != nil {
		return fmt.Errorf("store: unable to record going over lesson %s again: %w", lessonID, err)
	}
	return nil
}

// LockAttempts makes attempts by userID at checkID take turns until the
// transaction ends, so two sent at once cannot both get past the retry
// rule.
func (s *Store) LockAttempts(ctx context.Context, userID, checkID string) error {
	err := db.Conn(ctx, s.g).Exec("SELECT pg_advisory_xact_lock(hashtextextended(?::text || '/' || ?::text, 0))", userID, checkID).Error
	if err != nil {
		return fmt.Errorf("store: unable to lock attempts at check %s: %w", checkID, err)
	}
	return nil
}

// CheckResult is a learner's standing on one check.
type CheckResult struct {
	CheckID  string
	Attempts int
	Passed   bool // ever
	Best     int  // best score
	LastAt   time.Time
	// FailedTwiceAt is when the earlier of the last two attempts was
	// made, when both failed; zero otherwise.
	FailedTwiceAt time.Time
}

// Attempt is one recorded try at a check.
type Attempt struct {
	ID      string
	UserID  string
	CheckID string
	Correct int
	Total   int
	Score   int
	Passed  bool
	Answers json.RawMessage
	// OptionsShown is the order each question's options were shown in
	// (question id -> option ids); nil when not known.
	OptionsShown json.RawMessage
	CreatedAt    time.Time
}

// AddAttempt records an attempt and returns its id.
func (s *Store) AddAttempt(ctx context.Context, a *Attempt) error {
	var shown *string
	if a.OptionsShown != nil {
		s := string(a.OptionsShown)
		shown = &s
	}
	return db.Conn(ctx, s.g).Raw(`INSERT INTO check_attempts (user_id, check_id, correct, total, score, passed, answers, options_shown, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, a.UserID, a.CheckID, a.Correct, a.Total, a.Score, a.Passed,
		string(a.Answers), shown, a.CreatedAt).Scan(&a.ID).Error
}

// Certificate proves a learner completed a programme.
type Certificate struct {
	ID             string
	UserID         string
	ProgrammeID    string
	Code           string
	LearnerName    string
	ProgrammeTitle string
	IssuedAt       time.Time
	// Modules are the titles of the programme's modules and Minutes the
	// length of its lessons, as they were when it was issued.
	Modules []string `gorm:"-"`
	Minutes int
}

// IssueCertificate creates the user's certificate for a programme unless
// one exists, and returns whichever is stored; issued says whether this
// call created it.
func (s *Store) IssueCertificate(ctx context.Context, c Certificate) (cert *Certificate, issued bool, err error) {
	modules, _ := json.Marshal(append([]string{}, c.Modules...))
	res := db.Conn(ctx, s.g).Exec(`INSERT INTO certificates (user_id, programme_id, code, learner_name, programme_title, issued_at, modules, minutes)
		VALUES (?, ?, ?, ?, ?, ?, ARRAY(SELECT jsonb_array_elements_text(?::jsonb)), ?) ON CONFLICT (user_id, programme_id) DO NOTHING`,
		c.UserID, c.ProgrammeID, c.Code, c.LearnerName, c.ProgrammeTitle, c.IssuedAt, string(modules), c.Minutes)
	if res.Error != nil {
		return nil, false, fmt.Errorf("store: unable to issue the certificate of %s: %w", c.UserID, res.Error)
	}
	cert, err = s.Certificate(ctx, c.UserID, c.ProgrammeID)
	return cert, res.RowsAffected > 0, err
}

// Certificate returns the user's certificate for a programme, or
// db.ErrNotFound.
func (s *Store) Certificate(ctx context.Context, userID, programmeID string) (*Certificate, error) {
	return s.certificate(ctx, "user_id = ? AND programme_id = ?", userID, programmeID)
}

// CertificateByCode finds a certificate by its verification code, or
// db.ErrNotFound.
func (s *Store) CertificateByCode(ctx context.Context, code string) (*Certificate, error) {
	return s.certificate(ctx, "code = ?", code)
}

func (s *Store) certificate(ctx context.Context, where string, args ...any) (*Certificate, error) {
	all, err := s.certificates(ctx, where, args...)
	switch {
	case err != nil:
		return nil, err
	case len(all) == 0:
		return nil, db.ErrNotFound
	}
	return &all[0], nil
}

// CertificatesOf lists the user's certificates, newest first.
func (s *Store) CertificatesOf(ctx context.Context, userID string) ([]Certificate, error) {
	return s.certificates(ctx, "user_id = ? ORDER BY issued_at DESC", userID)
}

func (s *Store) certificates(ctx context.Context, where string, args ...any) ([]Certificate, error) {
	var rows []struct {
		Certificate
		ModulesJSON string
	}
	err := db.Conn(ctx, s.g).Raw(`SELECT id, user_id, programme_id, code, learner_name, programme_title, issued_at, minutes,
		array_to_json(modules)::text AS modules_json FROM certificates WHERE `+where, args...).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to load certificates (%v): %w", args, err)
	}
	out := make([]Certificate, len(rows))
	for i, r := range rows {
		out[i] = r.Certificate
		if err := json.Unmarshal([]byte(r.ModulesJSON), &out[i].Modules); err != nil {
			return nil, fmt.Errorf("store: unable to read the modules of certificate %s: %w", r.ID, err)
		}
	}
	return out, nil
}

// PersonExists reports whether anyone has id (identity's table, read only).
func (s *Store) PersonExists(ctx context.Context, id string) (bool, error) {
	var ok bool
	if err := db.Conn(ctx, s.g).Raw("SELECT EXISTS (SELECT 1 FROM users WHERE id = ?)", id).Scan(&ok).Error; err != nil {
		return false, fmt.Errorf("store: unable to look for person %s: %w", id, err)
	}
	return ok, nil
}

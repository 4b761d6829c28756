package mentoring

import (
	"context"
	"fmt"
	"time"

	"onramp/app/auth"
	"onramp/app/db"
	"onramp/app/page"
)

const mentorshipColumns = `SELECT m.id, m.learner_id, m.mentor_id, m.organisation_id, m.status, m.score::float8 AS score,
	m.reasons, m.proposed_at, m.approved_at, m.starts_on, m.ends_on, m.ended_at, m.end_reason, m.rejected_reason,
	lu.name AS learner_name, mu.name AS mentor_name, COALESCE(mp.job_role, '') AS mentor_job_role,
	COALESCE(mp.career_family, '') AS mentor_career_family, COALESCE(mp.bio, '') AS mentor_bio
	FROM mentorships m JOIN users lu ON lu.id = m.learner_id JOIN users mu ON mu.id = m.mentor_id
	LEFT JOIN mentor_profiles mp ON mp.user_id = m.mentor_id`

// Mentorship returns one mentorship, or db.ErrNotFound.
func (s *Store) Mentorship(ctx context.Context, id string) (Mentorship, error) {
	var m Mentorship
	if !db.IsUUID(id) {
		return m, db.ErrNotFound
	}
	res := db.Conn(ctx, s.g).Raw(mentorshipColumns+` WHERE m.id = ?`, id).Scan(&m)
	return m, db.One(res, "mentorship", id)
}

// LockMentorship returns one mentorship, locking its row until the
// transaction ends, or db.ErrNotFound.
func (s *Store) LockMentorship(ctx context.Context, id string) (Mentorship, error) {
	var m Mentorship
	if !db.IsUUID(id) {
		return m, db.ErrNotFound
	}
	res := db.Conn(ctx, s.g).Raw(mentorshipColumns+` WHERE m.id = ? FOR UPDATE OF m`, id).Scan(&m)
	return m, db.One(res, "mentorship", id)
}

// MentorshipsOf lists a person's mentorships as learner or mentor, newest
// first, leaving out rejected proposals and (for mentors) proposals.
func (s *Store) MentorshipsOf(ctx context.Context, userID string) ([]Mentorship, error) {
	var out []Mentorship
	err := db.Conn(ctx, s.g).Raw(mentorshipColumns+`
		WHERE (m.learner_id = ? OR m.mentor_id = ?) AND m.status <> 'rejected'
		ORDER BY m.proposed_at DESC`, userID, userID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the mentorships of %s: %w", userID, err)
	}
	return out, nil
}

// MentorshipPage lists a page of a person's mentorships as learner or
// mentor, newest first (then by id, highest first), leaving out rejected
// proposals and (for mentors) proposals, and the next page's cursor (""
// on the last). Errors: page.ErrCursor.
func (s *Store) MentorshipPage(ctx context.Context, userID string, p page.Request) ([]Mentorship, string, error) {
	cond, args := "TRUE", []any(nil)
	if !p.IsFirst() {
		var at time.Time
		var id string
		if err := p.After(&at, &id); err != nil || !db.IsUUID(id) {
			return nil, "", page.ErrCursor
		}
		cond, args = "(m.proposed_at, m.id) < (?, ?)", []any{at, id}
	}
	var out []Mentorship
	err := db.Conn(ctx, s.g).Raw(mentorshipColumns+`
		WHERE ((m.learner_id = ? AND m.status <> 'rejected') OR (m.mentor_id = ? AND m.status IN ('active', 'ended')))
		AND `+cond+` ORDER BY m.proposed_at DESC, m.id DESC LIMIT ?`,
		append(append([]any{userID, userID}, args...), p.Fetch())...).Scan(&out).Error
	if err != nil {
		return nil, "", fmt.Errorf("store: unable to list the mentorships of %s: %w", userID, err)
	}
	out, next := page.Cut(p, out, func(m Mentorship) []any { return []any{m.ProposedAt, m.ID} })
	return out, next, nil
}

// ScopePage lists a page of the mentorships of organisations the scope
// covers with status, oldest first (then by id), and the next page's
// cursor ("" on the last). Errors: page.ErrCursor.
func (s *Store) ScopePage(ctx context.Context, scope auth.Scope, status string, p page.Request) ([]Mentorship, string, error) {
	cond, args := scope.Where("m.organisation_id")
	if !p.IsFirst() {
		var at time.Time
		var id string
		if err := p.After(&at, &id); err != nil || !db.IsUUID(id) {
			return nil, "", page.ErrCursor
		}
		cond += " AND (m.proposed_at, m.id) > (?, ?)"
		args = append(args, at, id)
	}
	var out []Mentorship
	err := db.Conn(ctx, s.g).Raw(mentorshipColumns+` WHERE m.status = ? AND `+cond+` ORDER BY m.proposed_at, m.id LIMIT ?`,
		append(append([]any{status}, args...), p.Fetch())...).Scan(&out).Error
	if err != nil {
		return nil, "", fmt.Errorf("store: unable to list mentorships: %w", err)
	}
	out, next := page.Cut(p, out, func(m Mentorship) []any { return []any{m.ProposedAt, m.ID} })
	return out, next, nil
}

// InScope lists the mentorships of organisations the scope covers with
// one of statuses, oldest first.
func (s *Store) InScope(ctx context.Context, scope auth.Scope, statuses ...string) ([]Mentorship, error) {
	cond, args := scope.Where("m.organisation_id")
	var out []Mentorship
	err := db.Conn(ctx, s.g).Raw(mentorshipColumns+` WHERE m.status IN ? AND `+cond+` ORDER BY m.proposed_at, lu.name`,
		append([]any{statuses}, args...)...).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list mentorships: %w", err)
	}
	return out, nil
}

// Active lists every active mentorship, for the sweep.
func (s *Store) Active(ctx context.Context) ([]Mentorship, error) {
	var out []Mentorship
	err := db.Conn(ctx, s.g).Raw(mentorshipColumns + ` WHERE m.status = 'active' ORDER BY m.id`).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list active mentorships: %w", err)
	}
	return out, nil
}

// waitingLearner is a learner who may be matched, with what the matcher
// needs to know.
type waitingLearner struct {
	ID             string  `gorm:"column:id"`
	Name           string  `gorm:"column:name"`
	Programme      string  `gorm:"column:programme"`
	OrganisationID string  `gorm:"column:organisation_id"`
	Age            int     `gorm:"column:age"`
	Interests      Strings `gorm:"column:interests"`
	Region         string  `gorm:"column:region"`
	Languages      Strings `gorm:"column:languages"`
	Availability   Strings `gorm:"column:availability"`
	MentorGender   string  `gorm:"column:mentor_gender"`
}

// Waiting lists the learners of organisations the scope covers who are on
// or have finished one of programmes and have neither an active
// mentorship nor an open proposal (or, given learnerID, just that
// learner). Age is worked out on day today; 0
// means not known.
func (s *Store) Waiting(ctx context.Context, scope auth.Scope, programmes []string, today time.Time, learnerID string) ([]waitingLearner, error) {
	cond, args := scope.Where("c.organisation_id")
	// One learner's record (for checking a proposal) or everyone waiting.
	who := `NOT EXISTS (SELECT 1 FROM mentorships m WHERE m.learner_id = u.id AND m.status IN ('proposed', 'active'))`
	if learnerID != "" {
		who, args = "u.id = ?", append(args, learnerID)
	}
	var out []waitingLearner
	err := db.Conn(ctx, s.g).Raw(`
		SELECT * FROM (
		SELECT DISTINCT ON (u.id) u.id, u.name, p.slug AS programme, c.organisation_id,
			CASE WHEN u.date_of_birth IS NULL THEN 0 ELSE date_part('year', age(?::date, u.date_of_birth))::int END AS age,
			COALESCE(pr.interests, '{}') AS interests,
			-- Without a stated region, the learner is where their group runs.
			COALESCE(NULLIF(pr.region, ''), c.region, '') AS region,
			COALESCE(pr.languages, '{}') AS languages, COALESCE(pr.availability, '{}') AS availability,
			COALESCE(pr.mentor_gender, '') AS mentor_gender
		FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id JOIN programmes p ON p.id = c.programme_id
		JOIN users u ON u.id = e.user_id LEFT JOIN mentoring_preferences pr ON pr.user_id = u.id
		WHERE e.status IN ('active', 'completed') AND p.slug IN ? AND c.organisation_id IS NOT NULL AND `+cond+`
		  AND `+who+`
		ORDER BY u.id, c.starts_on DESC) w ORDER BY w.name, w.id`,
		append([]any{today, programmes}, args...)...).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list learners waiting for a mentor: %w", err)
	}
	return out, nil
}

// Exclusions maps each of learnerIDs to the mentors they must not be
// matched with: declared conflicts and every earlier pairing, ended or
// rejected.
func (s *Store) Exclusions(ctx context.Context, learnerIDs []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(learnerIDs) == 0 {
		return out, nil
	}
	var rows []struct{ LearnerID, MentorID string }
	err := db.Conn(ctx, s.g).Raw(`
		SELECT learner_id, mentor_id FROM mentorships WHERE learner_id IN ? AND status IN ('ended', 'rejected')
		UNION SELECT learner_id, mentor_id FROM mentoring_conflicts WHERE learner_id IN ?`, learnerIDs, learnerIDs).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list excluded pairs: %w", err)
	}
	for _, r := range rows {
		out[r.LearnerID] = append(out[r.LearnerID], r.MentorID)
	}
	return out, nil
}

// Excluded reports whether a learner and mentor must not be matched.
func (s *Store) Excluded(ctx context.Context, learnerID, mentorID string) (bool, error) {
	var n int64
	err := db.Conn(ctx, s.g).Raw(`SELECT
		(SELECT count(*) FROM mentorships WHERE learner_id = ? AND mentor_id = ? AND status IN ('ended', 'rejected')) +
		(SELECT count(*) FROM mentoring_conflicts WHERE learner_id = ? AND mentor_id = ?)`,
		learnerID, mentorID, learnerID, mentorID).Scan(&n).Error
	if err != nil {
		return false, fmt.Errorf("store: unable to check the pair %s/%s: %w", learnerID, mentorID, err)
	}
	return n > 0, nil
}

// Propose inserts a proposal and returns its id. A learner who already
// has an open mentorship is refused by the database (a unique violation).
func (s *Store) Propose(ctx context.Context, m Mentorship, score, by string) (string, error) {
	var id string
	err := db.Conn(ctx, s.g).Raw(`INSERT INTO mentorships (learner_id, mentor_id, organisation_id, status, score, reasons, proposed_at, proposed_by)
		VALUES (?, ?, ?, 'proposed', ?::numeric, ?, ?, NULLIF(?, '')::uuid) RETURNING id`,
		m.LearnerID, m.MentorID, m.OrganisationID, score, m.Reasons, m.ProposedAt, by).Scan(&id).Error
	if err != nil {
		return "", fmt.Errorf("store: unable to propose a mentor for %s: %w", m.LearnerID, err)
	}
	return id, nil
}

// Approve makes a proposal active from day starts; it ends six months
// later (the database works out the date, the same way its check does).
func (s *Store) Approve(ctx context.Context, id, by string, at, starts time.Time) error {
	err := db.Conn(ctx, s.g).Exec(`UPDATE mentorships SET status = 'active', approved_by = ?, approved_at = ?,
		starts_on = ?::date, ends_on = (?::date + interval '6 months')::date WHERE id = ? AND status = 'proposed'`,
		by, at, starts, starts, id).Error
	if err != nil {
		return fmt.Errorf("store: unable to approve mentorship %s: %w", id, err)
	}
	return nil
}

// Reject turns a proposal down with a reason.
func (s *Store) Reject(ctx context.Context, id, by, reason string, at time.Time) error {
	err := db.Conn(ctx, s.g).Exec(`UPDATE mentorships SET status = 'rejected', rejected_by = ?, rejected_at = ?,
		rejected_reason = ? WHERE id = ? AND status = 'proposed'`, by, at, reason, id).Error
	if err != nil {
		return fmt.Errorf("store: unable to reject mentorship %s: %w", id, err)
	}
	return nil
}

// Swap gives a proposal another mentor.
func (s *Store) Swap(ctx context.Context, id, mentorID, reasons, score string) error {
	err := db.Conn(ctx, s.g).Exec(`UPDATE mentorships SET mentor_id = ?, reasons = ?, score = ?::numeric
		WHERE id = ? AND status = 'proposed'`, mentorID, reasons, score, id).Error
	if err != nil {
		return fmt.Errorf("store: unable to swap the mentor of %s: %w", id, err)
	}
	return nil
}

// End ends an active mentorship. by is "" when the six months ran out.
func (s *Store) End(ctx context.Context, id, by, reason string, at time.Time) error {
	err := db.Conn(ctx, s.g).Exec(`UPDATE mentorships SET status = 'ended', ended_at = ?, ended_by = NULLIF(?, '')::uuid,
		end_reason = ? WHERE id = ? AND status = 'active'`, at, by, reason, id).Error
	if err != nil {
		return fmt.Errorf("store: unable to end mentorship %s: %w", id, err)
	}
	return nil
}

// RequestRematch records why someone asked for a different match.
func (s *Store) RequestRematch(ctx context.Context, mentorshipID, by, reason string, at time.Time) error {
	err := db.Conn(ctx, s.g).Exec(`INSERT INTO mentorship_rematch_requests (mentorship_id, requested_by, reason, created_at)
		VALUES (?, ?, ?, ?)`, mentorshipID, by, reason, at).Error
	if err != nil {
		return fmt.Errorf("store: unable to record a rematch request for %s: %w", mentorshipID, err)
	}
	return nil
}

// Prompt records that a prompt was sent about a mentorship and reports
// whether it is the first time.
func (s *Store) Prompt(ctx context.Context, mentorshipID, kind string, at time.Time) (bool, error) {
	res := db.Conn(ctx, s.g).Exec(`INSERT INTO mentorship_prompts (mentorship_id, kind, sent_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, mentorshipID, kind, at)
	if res.Error != nil {
		return false, fmt.Errorf("store: unable to record prompt %s of %s: %w", kind, mentorshipID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// MentorPrompt records that a prompt was sent about a mentor and reports
// whether it is the first time.
func (s *Store) MentorPrompt(ctx context.Context, mentorID, kind string, at time.Time) (bool, error) {
	res := db.Conn(ctx, s.g).Exec(`INSERT INTO mentor_prompts (mentor_id, kind, sent_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, mentorID, kind, at)
	if res.Error != nil {
		return false, fmt.Errorf("store: unable to record prompt %s of mentor %s: %w", kind, mentorID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// Prompts lists the kinds of prompt sent about a mentorship.
func (s *Store) Prompts(ctx context.Context, mentorshipID string) ([]string, error) {
	var out []string
	err := db.Conn(ctx, s.g).Raw(`SELECT kind FROM mentorship_prompts WHERE mentorship_id = ? ORDER BY sent_at, kind`,
		mentorshipID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the prompts of %s: %w", mentorshipID, err)
	}
	return out, nil
}

// Goals lists a mentorship's goals, open ones first.
func (s *Store) Goals(ctx context.Context, mentorshipID string) ([]Goal, error) {
	var out []Goal
	err := db.Conn(ctx, s.g).Raw(`SELECT * FROM mentorship_goals WHERE mentorship_id = ?
		ORDER BY done_at IS NOT NULL, target_on NULLS LAST, created_at`, mentorshipID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the goals of %s: %w", mentorshipID, err)
	}
	return out, nil
}

// AddGoal adds a goal to a mentorship.
func (s *Store) AddGoal(ctx context.Context, g Goal) error {
	err := db.Conn(ctx, s.g).Exec(`INSERT INTO mentorship_goals (mentorship_id, title, target_on, created_by, created_at)
		VALUES (?, ?, ?, ?, ?)`, g.MentorshipID, g.Title, g.TargetOn, g.CreatedBy, g.CreatedAt).Error
	if err != nil {
		return fmt.Errorf("store: unable to add a goal to %s: %w", g.MentorshipID, err)
	}
	return nil
}

// GoalDone marks a goal of a mentorship done, or db.ErrNotFound.
func (s *Store) GoalDone(ctx context.Context, mentorshipID, goalID string, at time.Time) error {
	if !db.IsUUID(goalID) {
		return db.ErrNotFound
	}
	res := db.Conn(ctx, s.g).Exec(`UPDATE mentorship_goals SET done_at = COALESCE(done_at, ?)
		WHERE id = ? AND mentorship_id = ?`, at, goalID, mentorshipID)
	return db.One(res, "goal", goalID)
}

// Survey returns one side's survey answers, or db.ErrNotFound.
func (s *Store) Survey(ctx context.Context, mentorshipID, side string) (Survey, error) {
	var v Survey
	res := db.Conn(ctx, s.g).Raw(`SELECT * FROM mentorship_surveys WHERE mentorship_id = ? AND side = ?`, mentorshipID, side).Scan(&v)
	return v, db.One(res, "survey", mentorshipID)
}

// SaveSurvey stores one side's answers; answering again replaces them.
func (s *Store) SaveSurvey(ctx context.Context, v Survey) error {
	err := db.Conn(ctx, s.g).Exec(`INSERT INTO mentorship_surveys (mentorship_id, side, respondent_id, useful, helped_work, comment, submitted_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (mentorship_id, side) DO UPDATE SET useful = EXCLUDED.useful,
		helped_work = EXCLUDED.helped_work, comment = EXCLUDED.comment, submitted_at = EXCLUDED.submitted_at`,
		v.MentorshipID, v.Side, v.RespondentID, v.Useful, v.HelpedWork, v.Comment, v.SubmittedAt).Error
	if err != nil {
		return fmt.Errorf("store: unable to save the survey of %s: %w", v.MentorshipID, err)
	}
	return nil
}

// HelpedWork counts learners' answers to "did mentoring help you get
// work" for ended mentorships of organisations in scope.
func (s *Store) HelpedWork(ctx context.Context, scope auth.Scope) (map[string]int, error) {
	cond, args := scope.Where("m.organisation_id")
	var rows []struct {
		HelpedWork string
		N          int
	}
	err := db.Conn(ctx, s.g).Raw(`SELECT v.helped_work, count(*) AS n FROM mentorship_surveys v
		JOIN mentorships m ON m.id = v.mentorship_id WHERE v.side = 'learner' AND `+cond+` GROUP BY v.helped_work`,
		args...).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to count survey answers: %w", err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.HelpedWork] = r.N
	}
	return out, nil
}

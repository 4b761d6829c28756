package mentoring

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"onramp/app/auth"
	"onramp/app/db"
	"onramp/modules/identity"
)

// Store reads and writes the mentoring tables. It reads users, enrolments
// and cohorts (other modules' tables) only to list and name people.
// One-row lookups return db.ErrNotFound; other errors say what was being
// done.
type Store struct{ g *gorm.DB }

// NewStore returns a store over g.
func NewStore(g *gorm.DB) *Store { return &Store{g: g} }

func isNotFound(err error) bool { return errors.Is(err, db.ErrNotFound) }

// Lock serialises matching and approvals, so two managers cannot give one
// mentor more mentees than their capacity.
func (s *Store) Lock(ctx context.Context) error {
	if err := db.Conn(ctx, s.g).Exec("SELECT pg_advisory_xact_lock(hashtextextended('mentoring.match', 0))").Error; err != nil {
		return fmt.Errorf("store: unable to lock matching: %w", err)
	}
	return nil
}

// Person returns a user's name, or db.ErrNotFound.
func (s *Store) Person(ctx context.Context, id string) (string, error) {
	var row struct{ Name string }
	if !db.IsUUID(id) {
		return "", db.ErrNotFound
	}
	res := db.Conn(ctx, s.g).Raw(`SELECT name FROM users WHERE id = ?`, id).Scan(&row)
	return row.Name, db.One(res, "person", id)
}

// UserByEmail returns the id of the person with email, or db.ErrNotFound.
func (s *Store) UserByEmail(ctx context.Context, email string) (string, error) {
	var row struct{ ID string }
	res := db.Conn(ctx, s.g).Raw(`SELECT id FROM users WHERE email = lower(?) ORDER BY created_at LIMIT 1`, email).Scan(&row)
	return row.ID, db.One(res, "person", email)
}

// Profile returns a mentor's profile, or db.ErrNotFound.
func (s *Store) Profile(ctx context.Context, userID string) (Profile, error) {
	var p Profile
	if !db.IsUUID(userID) {
		return p, db.ErrNotFound
	}
	res := db.Conn(ctx, s.g).Raw(`SELECT mp.*, u.name FROM mentor_profiles mp JOIN users u ON u.id = mp.user_id
		WHERE mp.user_id = ?`, userID).Scan(&p)
	return p, db.One(res, "mentor profile", userID)
}

// SaveProfile creates or replaces a mentor's profile.
func (s *Store) SaveProfile(ctx context.Context, p Profile) error {
	err := db.Conn(ctx, s.g).Exec(`
		INSERT INTO mentor_profiles (user_id, job_role, career_family, employer, region, languages, interests,
			availability, capacity, lived_experience, bio, gender, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET job_role = EXCLUDED.job_role, career_family = EXCLUDED.career_family,
			employer = EXCLUDED.employer, region = EXCLUDED.region, languages = EXCLUDED.languages,
			interests = EXCLUDED.interests, availability = EXCLUDED.availability, capacity = EXCLUDED.capacity,
			lived_experience = EXCLUDED.lived_experience, bio = EXCLUDED.bio, gender = EXCLUDED.gender,
			updated_at = EXCLUDED.updated_at`,
		p.UserID, p.JobRole, p.CareerFamily, p.Employer, p.Region, p.Languages, p.Interests, p.Availability,
		p.Capacity, p.LivedExperience, p.Bio, p.Gender, p.CreatedAt, p.UpdatedAt).Error
	if err != nil {
		return fmt.Errorf("store: unable to save the mentor profile of %s: %w", p.UserID, err)
	}
	return nil
}

// Vetting returns what was recorded of a mentor's checks, or
// db.ErrNotFound.
func (s *Store) Vetting(ctx context.Context, userID string) (Vetting, error) {
	var v Vetting
	if !db.IsUUID(userID) {
		return v, db.ErrNotFound
	}
	res := db.Conn(ctx, s.g).Raw(`SELECT * FROM mentor_vetting WHERE user_id = ?`, userID).Scan(&v)
	return v, db.One(res, "mentor vetting", userID)
}

// SaveVetting creates or replaces a mentor's vetting record.
func (s *Store) SaveVetting(ctx context.Context, v Vetting) error {
	err := db.Conn(ctx, s.g).Exec(`
		INSERT INTO mentor_vetting (user_id, dbs_enhanced_barred, dbs_certificate_on, dbs_update_service,
			safeguarding_training_on, references_ok, approved_under_18, recorded_by, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET dbs_enhanced_barred = EXCLUDED.dbs_enhanced_barred,
			dbs_certificate_on = EXCLUDED.dbs_certificate_on, dbs_update_service = EXCLUDED.dbs_update_service,
			safeguarding_training_on = EXCLUDED.safeguarding_training_on, references_ok = EXCLUDED.references_ok,
			approved_under_18 = EXCLUDED.approved_under_18, recorded_by = EXCLUDED.recorded_by,
			recorded_at = EXCLUDED.recorded_at`,
		v.UserID, v.DBSEnhancedBarred, v.DBSCertificateOn, v.DBSUpdateService, v.SafeguardingTrainingOn,
		v.ReferencesOK, v.ApprovedUnder18, v.RecordedBy, v.RecordedAt).Error
	if err != nil {
		return fmt.Errorf("store: unable to save the vetting of %s: %w", v.UserID, err)
	}
	return nil
}

// SetTrainingDate records the day a mentor finished safeguarding
// training, keeping a later date already recorded. A mentor with no
// vetting record yet gets one with only that date, recorded by themselves
// at at; a lead's record later replaces it, and their form shows the date.
func (s *Store) SetTrainingDate(ctx context.Context, userID string, on, at time.Time) (bool, error) {
	res := db.Conn(ctx, s.g).Exec(`INSERT INTO mentor_vetting (user_id, dbs_enhanced_barred, safeguarding_training_on, recorded_by, recorded_at)
		VALUES (?, false, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET safeguarding_training_on = EXCLUDED.safeguarding_training_on
		WHERE mentor_vetting.safeguarding_training_on IS NULL OR mentor_vetting.safeguarding_training_on < EXCLUDED.safeguarding_training_on`,
		userID, on, userID, at)
	if res.Error != nil {
		return false, fmt.Errorf("store: unable to record the training of %s: %w", userID, res.Error)
	}
	return res.RowsAffected > 0, nil
}

// mentorRow is a mentor with their profile, vetting and load, flat.
type mentorRow struct {
	Profile
	HasProfile bool `gorm:"column:has_profile"`
	// vetting, prefixed v_
	VUserID                 *string    `gorm:"column:v_user_id"`
	VDBSEnhancedBarred      bool       `gorm:"column:v_dbs_enhanced_barred"`
	VDBSCertificateOn       *time.Time `gorm:"column:v_dbs_certificate_on"`
	VDBSUpdateService       bool       `gorm:"column:v_dbs_update_service"`
	VSafeguardingTrainingOn *time.Time `gorm:"column:v_safeguarding_training_on"`
	VReferencesOK           bool       `gorm:"column:v_references_ok"`
	VApprovedUnder18        bool       `gorm:"column:v_approved_under_18"`
	VRecordedAt             *time.Time `gorm:"column:v_recorded_at"`
	VSuspendedAt            *time.Time `gorm:"column:v_suspended_at"`
	Active                  int        `gorm:"column:active"`
	Proposed                int        `gorm:"column:proposed"`
}

func (r mentorRow) vetting() *Vetting {
	if r.VUserID == nil {
		return nil
	}
	v := &Vetting{UserID: *r.VUserID, DBSEnhancedBarred: r.VDBSEnhancedBarred, DBSCertificateOn: r.VDBSCertificateOn,
		DBSUpdateService: r.VDBSUpdateService, SafeguardingTrainingOn: r.VSafeguardingTrainingOn,
		ReferencesOK: r.VReferencesOK, ApprovedUnder18: r.VApprovedUnder18, SuspendedAt: r.VSuspendedAt}
	if r.VRecordedAt != nil {
		v.RecordedAt = *r.VRecordedAt
	}
	return v
}

const mentorColumns = `u.id AS user_id, u.name, mp.user_id IS NOT NULL AS has_profile,
	COALESCE(mp.job_role, '') AS job_role, COALESCE(mp.career_family, '') AS career_family,
	COALESCE(mp.employer, '') AS employer, COALESCE(mp.region, '') AS region,
	COALESCE(mp.languages, '{}') AS languages, COALESCE(mp.interests, '{}') AS interests,
	COALESCE(mp.availability, '{}') AS availability, COALESCE(mp.capacity, 0) AS capacity,
	COALESCE(mp.bio, '') AS bio, COALESCE(mp.gender, '') AS gender,
	v.user_id AS v_user_id, COALESCE(v.dbs_enhanced_barred, false) AS v_dbs_enhanced_barred,
	v.dbs_certificate_on AS v_dbs_certificate_on, COALESCE(v.dbs_update_service, false) AS v_dbs_update_service,
	v.safeguarding_training_on AS v_safeguarding_training_on, COALESCE(v.references_ok, false) AS v_references_ok,
	COALESCE(v.approved_under_18, false) AS v_approved_under_18, v.recorded_at AS v_recorded_at,
	v.suspended_at AS v_suspended_at,
	(SELECT count(*) FROM mentorships m WHERE m.mentor_id = u.id AND m.status = 'active') AS active,
	(SELECT count(*) FROM mentorships m WHERE m.mentor_id = u.id AND m.status = 'proposed') AS proposed`

// Mentors lists everyone who holds the mentor role or has a mentor
// profile, by name.
func (s *Store) Mentors(ctx context.Context) ([]mentorRow, error) {
	var out []mentorRow
	err := db.Conn(ctx, s.g).Raw(`SELECT `+mentorColumns+` FROM users u
		LEFT JOIN mentor_profiles mp ON mp.user_id = u.id LEFT JOIN mentor_vetting v ON v.user_id = u.id
		WHERE mp.user_id IS NOT NULL OR `+identity.HoldsRole+` ORDER BY u.name, u.id`, auth.RoleMentor, auth.RoleMentor).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list mentors: %w", err)
	}
	return out, nil
}

// Mentor returns one person as a mentor row, or db.ErrNotFound when they
// neither hold the role nor have a profile.
func (s *Store) Mentor(ctx context.Context, id string) (mentorRow, error) {
	var r mentorRow
	if !db.IsUUID(id) {
		return r, db.ErrNotFound
	}
	res := db.Conn(ctx, s.g).Raw(`SELECT `+mentorColumns+` FROM users u
		LEFT JOIN mentor_profiles mp ON mp.user_id = u.id LEFT JOIN mentor_vetting v ON v.user_id = u.id
		WHERE u.id = ? AND (mp.user_id IS NOT NULL OR `+identity.HoldsRole+`)`, id, auth.RoleMentor, auth.RoleMentor).Scan(&r)
	return r, db.One(res, "mentor", id)
}

// Pool lists every mentor with a profile: the matcher's mentors.
func (s *Store) Pool(ctx context.Context) ([]mentorRow, error) {
	var out []mentorRow
	err := db.Conn(ctx, s.g).Raw(`SELECT ` + mentorColumns + ` FROM mentor_profiles mp
		JOIN users u ON u.id = mp.user_id LEFT JOIN mentor_vetting v ON v.user_id = u.id ORDER BY u.id`).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the mentor pool: %w", err)
	}
	return out, nil
}

// Leads lists the ids of safeguarding leads.
func (s *Store) Leads(ctx context.Context) ([]string, error) {
	var out []string
	err := db.Conn(ctx, s.g).Raw(`SELECT u.id FROM users u WHERE `+identity.HoldsRole+` ORDER BY u.id`,
		auth.RoleSafeguardingLead, auth.RoleSafeguardingLead).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list safeguarding leads: %w", err)
	}
	return out, nil
}

// LearnerOrganisations lists the organisations whose cohorts a learner
// is or was in, or db.ErrNotFound for someone in none.
func (s *Store) LearnerOrganisations(ctx context.Context, learnerID string) ([]string, error) {
	var out []string
	if !db.IsUUID(learnerID) {
		return nil, db.ErrNotFound
	}
	err := db.Conn(ctx, s.g).Raw(`SELECT DISTINCT c.organisation_id FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id
		WHERE e.user_id = ? AND c.organisation_id IS NOT NULL`, learnerID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the organisations of %s: %w", learnerID, err)
	}
	if len(out) == 0 {
		return nil, db.ErrNotFound
	}
	return out, nil
}

// Conflict is a declared conflict as the mentor's page lists it.
type Conflict struct {
	LearnerID   string     `gorm:"column:learner_id"`
	LearnerName string     `gorm:"column:learner_name"`
	Kind        string     `gorm:"column:kind"`
	Reason      string     `gorm:"column:reason"`
	DeclaredAt  *time.Time `gorm:"column:declared_at"`
}

// ConflictsOf lists a mentor's declared conflicts with learners of
// organisations the scope covers, newest first.
func (s *Store) ConflictsOf(ctx context.Context, mentorID string, scope auth.Scope) ([]Conflict, error) {
	cond, args := scope.Where("c.organisation_id")
	var out []Conflict
	err := db.Conn(ctx, s.g).Raw(`SELECT k.learner_id, u.name AS learner_name, k.kind, k.reason, k.declared_at
		FROM mentoring_conflicts k JOIN users u ON u.id = k.learner_id
		WHERE k.mentor_id = ? AND (? OR EXISTS (SELECT 1 FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id
			WHERE e.user_id = k.learner_id AND `+cond+`))
		ORDER BY k.declared_at DESC`, append([]any{mentorID, scope.All}, args...)...).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the conflicts of %s: %w", mentorID, err)
	}
	return out, nil
}

// Preferences returns a learner's preferences, or db.ErrNotFound.
func (s *Store) Preferences(ctx context.Context, userID string) (Preferences, error) {
	var p Preferences
	res := db.Conn(ctx, s.g).Raw(`SELECT * FROM mentoring_preferences WHERE user_id = ?`, userID).Scan(&p)
	return p, db.One(res, "mentoring preferences", userID)
}

// SavePreferences creates or replaces a learner's preferences.
func (s *Store) SavePreferences(ctx context.Context, p Preferences) error {
	err := db.Conn(ctx, s.g).Exec(`
		INSERT INTO mentoring_preferences (user_id, interests, region, languages, availability, mentor_gender, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET interests = EXCLUDED.interests, region = EXCLUDED.region,
			languages = EXCLUDED.languages, availability = EXCLUDED.availability,
			mentor_gender = EXCLUDED.mentor_gender, updated_at = EXCLUDED.updated_at`,
		p.UserID, p.Interests, p.Region, p.Languages, p.Availability, p.MentorGender, p.UpdatedAt).Error
	if err != nil {
		return fmt.Errorf("store: unable to save the preferences of %s: %w", p.UserID, err)
	}
	return nil
}

// DeclareConflict records that a learner and mentor must never be matched.
func (s *Store) DeclareConflict(ctx context.Context, learnerID, mentorID, kind, reason, by string, at time.Time) error {
	err := db.Conn(ctx, s.g).Exec(`INSERT INTO mentoring_conflicts (learner_id, mentor_id, kind, reason, declared_by, declared_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (learner_id, mentor_id) DO UPDATE SET kind = EXCLUDED.kind, reason = EXCLUDED.reason,
		declared_by = EXCLUDED.declared_by, declared_at = EXCLUDED.declared_at`,
		learnerID, mentorID, kind, reason, by, at).Error
	if err != nil {
		return fmt.Errorf("store: unable to declare a conflict for %s: %w", learnerID, err)
	}
	return nil
}

package cohorts

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"onramp/app/db"
)

// importHead is an upload's record without its rows.
type importHead struct {
	ID          string
	CohortID    string
	Filename    string
	FileSHA256  string
	Status      string
	ValidRows   int
	ErrorRows   int
	Enrolled    int // people added: enrolled or invited
	CreatedAt   time.Time
	ConfirmedAt *time.Time
	// AlreadyFlagged counts rows refused only because the person was
	// already in the cohort or invited to it.
	AlreadyFlagged int
}

const importColumns = `i.id, i.cohort_id, i.filename, i.file_sha256, i.status, i.valid_rows, i.error_rows, i.enrolled,
	i.created_at, i.confirmed_at,
	(SELECT count(*) FROM enrolment_import_rows r WHERE r.import_id = i.id
	   AND jsonb_array_length(r.errors) = 1 AND r.errors->0->>'code' = 'already_enrolled') AS already_flagged`

// statusInvited marks, in addedEmails, an email the cohort has invited.
const statusInvited = "invited"

// addedEmails maps the email of everyone the cohort has added to how: the
// status of their enrolment, or statusInvited for an invitation (in any
// state) to someone not enrolled. Only people the cohort's own imports,
// codes and transfers added are in it, so it tells the manager nothing
// about anyone else.
func (s *Store) addedEmails(ctx context.Context, cohortID string) (map[string]string, error) {
	var rows []struct{ Email, Status string }
	err := db.Conn(ctx, s.g).Raw(`SELECT u.email, e.status FROM enrolments e JOIN users u ON u.id = e.user_id
		WHERE e.cohort_id = ?`, cohortID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the learners of cohort %s: %w", cohortID, err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		if out[r.Email] == "" || r.Status != "withdrawn" {
			out[r.Email] = r.Status
		}
	}
	invited, err := s.invitedEmails(ctx, cohortID)
	for _, e := range invited {
		if out[e] == "" {
			out[e] = statusInvited
		}
	}
	return out, err
}

// rowJSON is an import row as jsonb_to_recordset reads it.
type rowJSON struct {
	Row    int        `json:"row"`
	Name   string     `json:"name"`
	Email  string     `json:"email"`
	DOB    *string    `json:"dob"`
	Phone  string     `json:"phone"`
	Errors []RowError `json:"errors"`
}

// createImport stores an upload and all its rows, returning the upload's id.
func (s *Store) createImport(ctx context.Context, cohortID, userID, filename, sum string, rows []ImportRow, at time.Time) (string, error) {
	valid := 0
	recs := make([]rowJSON, len(rows))
	for i, r := range rows {
		if r.Valid() {
			valid++
		}
		recs[i] = rowJSON{Row: r.Row, Name: r.Name, Email: r.Email, Phone: r.Phone, Errors: r.Errors}
		if recs[i].Errors == nil {
			recs[i].Errors = []RowError{}
		}
		if r.DateOfBirth != nil {
			d := r.DateOfBirth.Format(time.DateOnly)
			recs[i].DOB = &d
		}
	}
	b, err := json.Marshal(recs)
	if err != nil {
		return "", err
	}
	var id string
	err = db.Conn(ctx, s.g).Raw(`INSERT INTO enrolment_imports (cohort_id, uploaded_by, filename, file_sha256, valid_rows, error_rows, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, cohortID, userID, filename, sum, valid, len(rows)-valid, at).Scan(&id).Error
	if err != nil {
		return "", err
	}
	return id, db.Conn(ctx, s.g).Exec(`INSERT INTO enrolment_import_rows (import_id, row_number, name, email, date_of_birth, phone, errors)
		SELECT ?, r.row, r.name, r.email, r.dob, r.phone, r.errors
		FROM jsonb_to_recordset(?::jsonb) AS r(row int, name text, email text, dob date, phone text, errors jsonb)`,
		id, string(b)).Error
}

// importHead returns a cohort's upload, locked for update when lock is
// set, or db.ErrNotFound.
func (s *Store) importHead(ctx context.Context, cohortID, importID string, lock bool) (*importHead, error) {
	if !db.IsUUID(importID) {
		return nil, db.ErrNotFound
	}
	q := "SELECT " + importColumns + " FROM enrolment_imports i WHERE i.id = ? AND i.cohort_id = ?"
	if lock {
		q += " FOR UPDATE OF i"
	}
	var h importHead
	res := db.Conn(ctx, s.g).Raw(q, importID, cohortID).Scan(&h)
	if err := db.One(res, "upload", importID); err != nil {
		return nil, err
	}
	return &h, nil
}

// importRows lists an upload's rows in file order; onlyValid leaves out
// those with errors.
func (s *Store) importRows(ctx context.Context, importID string, onlyValid bool) ([]ImportRow, error) {
	q := `SELECT row_number, name, email, date_of_birth, phone, errors::text AS errors
		FROM enrolment_import_rows WHERE import_id = ?`
	if onlyValid {
		q += " AND errors = '[]'::jsonb"
	}
	var raw []struct {
		RowNumber   int
		Name, Email string
		DateOfBirth *time.Time
		Phone       string
		Errors      string
	}
	if err := db.Conn(ctx, s.g).Raw(q+" ORDER BY row_number", importID).Scan(&raw).Error; err != nil {
		return nil, err
	}
	out := make([]ImportRow, len(raw))
	for i, r := range raw {
		out[i] = ImportRow{Row: r.RowNumber, Name: r.Name, Email: r.Email, DateOfBirth: r.DateOfBirth, Phone: r.Phone}
		if err := json.Unmarshal([]byte(r.Errors), &out[i].Errors); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sameFileConfirmed returns when the same file (by hash) was last
// confirmed for the cohort, other than as upload importID.
func (s *Store) sameFileConfirmed(ctx context.Context, cohortID, sum, importID string) (*time.Time, error) {
	var last struct{ At *time.Time }
	err := db.Conn(ctx, s.g).Raw(`SELECT max(confirmed_at) AS at FROM enrolment_imports
		WHERE cohort_id = ? AND file_sha256 = ? AND id <> ? AND status = 'confirmed'`, cohortID, sum, importID).Scan(&last).Error
	return last.At, err
}

// markConfirmed records that an upload was enrolled.
func (s *Store) markConfirmed(ctx context.Context, importID string, enrolled int, at time.Time) error {
	return db.Conn(ctx, s.g).Exec(`UPDATE enrolment_imports SET status = 'confirmed', confirmed_at = ?, enrolled = ?
		WHERE id = ?`, at, enrolled, importID).Error
}

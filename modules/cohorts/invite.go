package cohorts

import (
	"context"
	"crypto/rand"
	"errors"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/db"
)

// Invite is a code learners type (or a link they follow) to join a cohort.
type Invite struct {
	Code      string
	CohortID  string
	ExpiresAt time.Time
	MaxUses   int
	Uses      int
	RevokedAt *time.Time
	CreatedAt time.Time
	CreatedBy string // name
	State     string // as stateAt says, when listed
}

// Invite states, as State names them.
const (
	InviteActive   = "active"
	InviteExpired  = "expired"
	InviteRevoked  = "revoked"
	InviteUsedUp   = "used_up"
	InviteFinished = "finished" // the cohort has finished
)

// stateAt says whether the code can still be used at now.
func (i *Invite) stateAt(now time.Time) string {
	switch {
	case i.RevokedAt != nil:
		return InviteRevoked
	case !now.Before(i.ExpiresAt):
		return InviteExpired
	case i.Uses >= i.MaxUses:
		return InviteUsedUp
	}
	return InviteActive
}

// inviteRefusals are the messages a learner sees for a code they cannot use.
var inviteRefusals = map[string]string{
	InviteRevoked:  "This code has been cancelled. Ask your programme manager for a new one.",
	InviteExpired:  "This code has expired. Ask your programme manager for a new one.",
	InviteUsedUp:   "This code has been used as many times as it allows. Ask your programme manager for a new one.",
	InviteFinished: "This cohort has finished, so nobody can join it now. Ask your programme manager about the next one.",
}

// codeAlphabet leaves out letters and digits people mix up (0 and O, 1, I
// and L), so a code read out over the phone is typed right.
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

var codePattern = regexp.MustCompile(`^[A-Z0-9]{8}$`)

// NormaliseCode upper-cases a typed code and drops spaces and dashes; it
// returns "" when what is left cannot be a code.
func NormaliseCode(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(s)))
	if !codePattern.MatchString(s) {
		return ""
	}
	return s
}

func newCode() (string, error) {
	b := make([]byte, 8)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(codeAlphabet))))
		if err != nil {
			return "", err
		}
		b[i] = codeAlphabet[n.Int64()]
	}
	return string(b), nil
}

// InviteInput is a new code as typed in the form.
type InviteInput struct {
	Days    string // days valid, 1 to 60
	MaxUses string // 1 to 100
}

var errNoInvite = apperr.New(apperr.NotFound, "There is no such invite code for this cohort")

// Invites lists a cohort's codes, newest first; NotFound outside scope.
func (s *Service) Invites(ctx context.Context, viewer *auth.User, cohortID string) (*Cohort, []Invite, error) {
	c, err := s.Cohort(ctx, viewer, cohortID)
	if err != nil {
		return nil, nil, err
	}
	var out []Invite
	err = db.Conn(ctx, s.g).Raw(`SELECT i.code, i.cohort_id, i.expires_at, i.max_uses, i.uses, i.revoked_at, i.created_at,
		COALESCE(NULLIF(u.name, ''), u.email) AS created_by
		FROM invite_codes i JOIN users u ON u.id = i.created_by WHERE i.cohort_id = ? ORDER BY i.created_at DESC, i.code`,
		c.ID).Scan(&out).Error
	for i := range out {
		out[i].State = out[i].stateAt(s.now())
	}
	return c, out, err
}

// CreateInvite makes a new code for a cohort that has not finished. It
// returns Invalid with a message per field when the days or uses are out
// of range, and NotFound outside the viewer's scope.
func (s *Service) CreateInvite(ctx context.Context, viewer *auth.User, cohortID string, in InviteInput) (*Invite, error) {
	c, err := s.Cohort(ctx, viewer, cohortID)
	if err != nil {
		return nil, err
	}
	var fields []apperr.FieldError
	days, err := strconv.Atoi(strings.TrimSpace(in.Days))
	if err != nil || days < 1 || days > 60 {
		fields = append(fields, apperr.FieldError{Field: "days", Message: "Enter how many days the code works for, from 1 to 60"})
	}
	uses, err := strconv.Atoi(strings.TrimSpace(in.MaxUses))
	if err != nil || uses < 1 || uses > 100 {
		fields = append(fields, apperr.FieldError{Field: "max_uses", Message: "Enter how many learners can use the code, from 1 to 100"})
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields...)
	}
	if c.Status(s.Today()) == StatusFinished {
		return nil, apperr.InvalidFields(apperr.FieldError{Field: "days", Message: "This cohort has finished, so nobody can join it now"})
	}
	now := s.now()
	inv := &Invite{CohortID: c.ID, ExpiresAt: now.Add(time.Duration(days) * 24 * time.Hour), MaxUses: uses, CreatedAt: now, CreatedBy: viewer.Name}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		for range 5 { // a clash among 31^8 codes is rare; try again when it happens
			code, err := newCode()
			if err != nil {
				return err
			}
			res := db.Conn(ctx, s.g).Exec(`INSERT INTO invite_codes (code, cohort_id, created_by, expires_at, max_uses, created_at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING`, code, c.ID, viewer.ID, inv.ExpiresAt, uses, now)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 {
				inv.Code = code
				return s.record(ctx, viewer.ID, "invite.created", "cohort", c.ID, map[string]any{
					"code": code, "days": days, "max_uses": uses})
			}
		}
		return errors.New("cohorts: no free invite code after 5 tries")
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// RevokeInvite stops a code working. Revoking it again changes nothing;
// NotFound for a code not of this cohort or a cohort outside scope.
func (s *Service) RevokeInvite(ctx context.Context, viewer *auth.User, cohortID, code string) error {
	c, err := s.Cohort(ctx, viewer, cohortID)
	if err != nil {
		return err
	}
	code = NormaliseCode(code)
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		var found struct{ Code string }
		res := db.Conn(ctx, s.g).Raw("SELECT code FROM invite_codes WHERE code = ? AND cohort_id = ? FOR UPDATE", code, c.ID).Scan(&found)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errNoInvite
		}
		res = db.Conn(ctx, s.g).Exec("UPDATE invite_codes SET revoked_at = ? WHERE code = ? AND revoked_at IS NULL", s.now(), code)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return s.record(ctx, viewer.ID, "invite.revoked", "cohort", c.ID, map[string]any{"code": code})
	})
}

// Invitation is what a code's page shows: where it leads, and whether the
// person looking can use it.
type Invitation struct {
	Code             string
	CohortID         string
	ProgrammeSlug    string
	ProgrammeTitle   string
	OrganisationName string
	StartsOn         time.Time
	// Started is true once the course's start date has passed: the page
	// says it is under way rather than upcoming.
	Started bool
	// Problem is why the code cannot be used, or "".
	Problem string
	// Enrolled is true when the viewer is already in the cohort.
	Enrolled bool
}

var errNoCode = apperr.New(apperr.NotFound, "We do not recognise that code. Check it with your programme manager: it has 8 letters and numbers.")

// Invitation looks up a code for its public page; viewer may be nil.
// NotFound when there is no such code.
func (s *Service) Invitation(ctx context.Context, viewer *auth.User, code string) (*Invitation, error) {
	code = NormaliseCode(code)
	if code == "" {
		return nil, errNoCode
	}
	var row struct {
		Invite
		ProgrammeSlug    string
		ProgrammeTitle   string
		OrganisationName string
		StartsOn         time.Time
		EndsOn           time.Time
	}
	res := db.Conn(ctx, s.g).Raw(`SELECT i.code, i.cohort_id, i.expires_at, i.max_uses, i.uses, i.revoked_at,
		p.slug AS programme_slug, p.title AS programme_title, o.name AS organisation_name, c.starts_on, c.ends_on
		FROM invite_codes i JOIN cohorts c ON c.id = i.cohort_id JOIN programmes p ON p.id = c.programme_id
		JOIN organisations o ON o.id = c.organisation_id WHERE i.code = ?`, code).Scan(&row)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 {
		return nil, errNoCode
	}
	inv := &Invitation{Code: row.Code, CohortID: row.CohortID, ProgrammeSlug: row.ProgrammeSlug, ProgrammeTitle: row.ProgrammeTitle,
		OrganisationName: row.OrganisationName, StartsOn: row.StartsOn, Started: row.StartsOn.Before(s.Today())}
	state := row.Invite.stateAt(s.now())
	if state == InviteActive && s.Today().After(row.EndsOn) {
		state = InviteFinished
	}
	inv.Problem = inviteRefusals[state]
	if viewer != nil {
		var status string
		if err := db.Conn(ctx, s.g).Raw("SELECT status FROM enrolments WHERE cohort_id = ? AND user_id = ?",
			row.CohortID, viewer.ID).Scan(&status).Error; err != nil {
			return nil, err
		}
		inv.Enrolled = status != "" && status != "withdrawn"
	}
	return inv, nil
}

// Join enrols a learner in the cohort a code leads to, counting one use.
// Joining again with any code of the same cohort changes nothing and
// counts nothing. A code that is cancelled, expired or used up, or whose
// cohort has finished, is refused (Conflict, with the reason); a learner
// withdrawn from the cohort is refused too. NotFound for an unknown code.
func (s *Service) Join(ctx context.Context, learner *auth.User, code string) (*Invitation, error) {
	inv, err := s.Invitation(ctx, learner, code)
	if err != nil {
		return nil, err
	}
	if inv.Enrolled {
		return inv, nil
	}
	if inv.Problem != "" {
		return nil, apperr.New(apperr.Conflict, inv.Problem)
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		added, err := s.store.enrolOnce(ctx, inv.CohortID, learner.ID, s.now(), nil)
		if err != nil {
			return err
		}
		if !added {
			var status string
			if err := db.Conn(ctx, s.g).Raw("SELECT status FROM enrolments WHERE cohort_id = ? AND user_id = ?",
				inv.CohortID, learner.ID).Scan(&status).Error; err != nil {
				return err
			}
			if status == "withdrawn" {
				return apperr.New(apperr.Conflict, "You were withdrawn from this cohort, so the code cannot put you back. Ask your programme manager.")
			}
			return nil // joined meanwhile, from another tab
		}
		// Counting the use is one statement, so two learners racing for
		// the last place cannot both get it.
		var used struct{ Uses int }
		res := db.Conn(ctx, s.g).Raw(`UPDATE invite_codes i SET uses = uses + 1
			WHERE i.code = ? AND i.revoked_at IS NULL AND i.expires_at > ? AND i.uses < i.max_uses
			  AND EXISTS (SELECT 1 FROM cohorts c WHERE c.id = i.cohort_id AND c.ends_on >= ?)
			RETURNING i.uses`, inv.Code, s.now(), s.Today()).Scan(&used)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return s.refusal(ctx, inv.Code)
		}
		return s.record(ctx, learner.ID, "cohort.joined_with_code", "cohort", inv.CohortID, map[string]any{"code": inv.Code, "uses": used.Uses})
	})
	if err != nil {
		return nil, err
	}
	inv.Enrolled, inv.Problem = true, ""
	return inv, nil
}

// refusal explains why a code could not be used just now.
func (s *Service) refusal(ctx context.Context, code string) error {
	var row struct {
		Invite
		EndsOn time.Time
	}
	res := db.Conn(ctx, s.g).Raw(`SELECT i.code, i.expires_at, i.max_uses, i.uses, i.revoked_at, c.ends_on
		FROM invite_codes i JOIN cohorts c ON c.id = i.cohort_id WHERE i.code = ?`, code).Scan(&row)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return errNoCode
	}
	state := row.Invite.stateAt(s.now())
	if state == InviteActive {
		state = InviteFinished
	}
	return apperr.New(apperr.Conflict, inviteRefusals[state])
}

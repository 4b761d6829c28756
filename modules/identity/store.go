package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"onramp/app/auth"
	"onramp/app/db"
	"onramp/app/page"
)

// Store reads and writes users, organisations, grants and sign-ins.
// Lookups of one row return db.ErrNotFound when there is none; other
// errors say what was being done.
type Store struct{ g *gorm.DB }

// NewStore returns a store over g.
func NewStore(g *gorm.DB) *Store { return &Store{g: g} }

// SessionUser loads the user of an active sign-in in one query, because
// every signed-in request runs it.
func (s *Store) SessionUser(ctx context.Context, sessionID string) (*auth.User, error) {
	if !db.IsUUID(sessionID) {
		return nil, auth.ErrSessionEnded
	}
	rows, err := db.Query(ctx, s.g, `
		SELECT u.id, u.name, u.email, COALESCE(u.organisation_id::text, ''),
		       array_to_string(u.claim_roles, ','),
		       (SELECT COALESCE(string_agg(g.role, ','), '') FROM role_grants g WHERE g.user_id = u.id)
		FROM auth_sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id = $1 AND s.ended_at IS NULL`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to load the user of sign-in %s: %w", sessionID, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: unable to load the user of sign-in %s: %w", sessionID, err)
		}
		return nil, auth.ErrSessionEnded
	}
	var u auth.User
	var claim, granted string
	if err := rows.Scan(&u.ID, &u.Name, &u.Email, &u.OrganisationID, &claim, &granted); err != nil {
		return nil, fmt.Errorf("store: unable to read the user of sign-in %s: %w", sessionID, err)
	}
	u.Roles = effectiveRoles(splitRoles(claim), splitRoles(granted))
	return &u, nil
}

// UserBySubject returns the id of the user signed in as subject at
// issuer, or db.ErrNotFound before their first sign-in.
func (s *Store) UserBySubject(ctx context.Context, issuer, subject string) (string, error) {
	var id string
	res := db.Conn(ctx, s.g).Raw("SELECT id FROM users WHERE issuer = ? AND subject = ?", issuer, subject).Scan(&id)
	if err := db.One(res, "the user signed in as", subject); err != nil {
		return "", err
	}
	return id, nil
}

// LinkPending attaches issuer and subject to the not-yet-signed-in user
// provisioned for email and returns its id, or db.ErrNotFound when there
// is none.
func (s *Store) LinkPending(ctx context.Context, email, issuer, subject string) (string, error) {
	var id string
	res := db.Conn(ctx, s.g).Raw(
		"UPDATE users SET issuer = ?, subject = ? WHERE issuer IS NULL AND email = ? RETURNING id",
		issuer, subject, email).Scan(&id)
	if err := db.One(res, "the user waiting to sign in as", email); err != nil {
		return "", err
	}
	return id, nil
}

// UpsertSignedIn creates the user for issuer+subject, or updates the
// details the provider is the source of, and returns its id.
func (s *Store) UpsertSignedIn(ctx context.Context, id auth.Identity, now time.Time) (string, error) {
	var userID string
	res := db.Conn(ctx, s.g).Raw(`
		INSERT INTO users (issuer, subject, email, name, claim_roles, last_sign_in_at, email_verified_at)
		VALUES (?, ?, ?, ?, ?, ?, CASE WHEN ? THEN ?::timestamptz END)
		ON CONFLICT (issuer, subject) WHERE issuer IS NOT NULL DO UPDATE
		SET email = EXCLUDED.email, name = EXCLUDED.name, claim_roles = EXCLUDED.claim_roles,
		    last_sign_in_at = EXCLUDED.last_sign_in_at, email_verified_at = EXCLUDED.email_verified_at
		RETURNING id`,
		id.Issuer, id.Subject, id.Email, id.Name, rolesParam(id.Roles), now, id.EmailVerified, now).Scan(&userID)
	if res.Error != nil {
		return "", fmt.Errorf("store: unable to record the sign-in of %s: %w", id.Subject, res.Error)
	}
	return userID, nil
}

// CreateSession records a sign-in and returns its id.
func (s *Store) CreateSession(ctx context.Context, userID, providerSID, idToken string) (string, error) {
	var id string
	res := db.Conn(ctx, s.g).Raw(
		"INSERT INTO auth_sessions (user_id, provider_sid, id_token) VALUES (?, ?, ?) RETURNING id",
		userID, providerSID, idToken).Scan(&id)
	if res.Error != nil {
		return "", fmt.Errorf("store: unable to start a sign-in for user %s: %w", userID, res.Error)
	}
	return id, nil
}

// EndSession ends one sign-in and returns its ID token, or "" when the
// sign-in had already ended (ending it twice is not an error: a person may
// sign out in two tabs).
func (s *Store) EndSession(ctx context.Context, sessionID string, now time.Time) (string, error) {
	var token string
	res := db.Conn(ctx, s.g).Raw(
		"UPDATE auth_sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL RETURNING id_token",
		now, sessionID).Scan(&token)
	if res.Error != nil {
		return "", fmt.Errorf("store: unable to end sign-in %s: %w", sessionID, res.Error)
	}
	return token, nil
}

// EndProviderSessions ends the active sign-ins of subject at issuer (any
// subject when empty), limited to provider session sid when given.
func (s *Store) EndProviderSessions(ctx context.Context, issuer, subject, sid string, now time.Time) (int, error) {
	res := db.Conn(ctx, s.g).Exec(`
		UPDATE auth_sessions s SET ended_at = ?
		FROM users u
		WHERE s.user_id = u.id AND s.ended_at IS NULL AND u.issuer = ?
		  AND (? = '' OR u.subject = ?) AND (? = '' OR s.provider_sid = ?)`,
		now, issuer, subject, subject, sid, sid)
	if res.Error != nil {
		return 0, fmt.Errorf("store: unable to end the sign-ins of %s at %s: %w", subject, issuer, res.Error)
	}
	return int(res.RowsAffected), nil
}

// People lists users matching query (name or email, case-insensitive),
// ordered by name, one page at a time.
func (s *Store) People(ctx context.Context, query string, limit, offset int) ([]Person, int64, error) {
	q := db.Conn(ctx, s.g).Table("users u")
	if query = strings.TrimSpace(query); query != "" {
		like := "%" + escapeLike(strings.ToLower(query)) + "%"
		q = q.Where("lower(u.name) LIKE ? OR u.email LIKE ?", like, like)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: unable to count people matching %q: %w", query, err)
	}
	var rows []personRow
	err := q.Select(personColumns).Joins("LEFT JOIN organisations o ON o.id = u.organisation_id").
		Order("lower(u.name), u.email").Limit(limit).Offset(offset).Scan(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("store: unable to list people matching %q: %w", query, err)
	}
	people := make([]Person, len(rows))
	for i, r := range rows {
		people[i] = r.person()
	}
	return people, total, nil
}

// Person returns one user, or db.ErrNotFound (also for an id that is not a
// UUID, such as a mistyped address).
func (s *Store) Person(ctx context.Context, id string) (Person, error) {
	if !db.IsUUID(id) {
		return Person{}, db.ErrNotFound
	}
	var row personRow
	res := db.Conn(ctx, s.g).Table("users u").Select(personColumns).
		Joins("LEFT JOIN organisations o ON o.id = u.organisation_id").
		Where("u.id = ?", id).Scan(&row)
	if err := db.One(res, "user", id); err != nil {
		return Person{}, err
	}
	return row.person(), nil
}

const personColumns = `u.id, u.email, u.name, u.organisation_id, COALESCE(o.name, '') AS organisation_name,
	array_to_string(u.claim_roles, ',') AS claim_roles,
	(SELECT COALESCE(string_agg(g.role, ',' ORDER BY g.role), '') FROM role_grants g WHERE g.user_id = u.id) AS granted_roles,
	u.issuer IS NOT NULL AS linked, u.last_sign_in_at`

type personRow struct {
	ID               string
	Email            string
	Name             string
	OrganisationID   *string
	OrganisationName string
	ClaimRoles       string
	GrantedRoles     string
	Linked           bool
	LastSignInAt     *time.Time
}

func (r personRow) person() Person {
	return Person{ID: r.ID, Email: r.Email, Name: r.Name, OrganisationID: r.OrganisationID,
		OrganisationName: r.OrganisationName, ClaimRoles: splitRoles(r.ClaimRoles),
		GrantedRoles: splitRoles(r.GrantedRoles), Linked: r.Linked, LastSignInAt: r.LastSignInAt}
}

// Grant adds a local role; it reports false when the user already had it.
// grantedBy is "" for a grant made by the system (the demo seed).
func (s *Store) Grant(ctx context.Context, userID, role, grantedBy string) (bool, error) {
	var by *string
	if grantedBy != "" {
		by = &grantedBy
	}
	res := db.Conn(ctx, s.g).Exec(
		"INSERT INTO role_grants (user_id, role, granted_by) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
		userID, role, by)
	if res.Error != nil {
		return false, fmt.Errorf("store: unable to grant %s to user %s: %w", role, userID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// Revoke removes a local role; it reports false when there was none.
func (s *Store) Revoke(ctx context.Context, userID, role string) (bool, error) {
	res := db.Conn(ctx, s.g).Exec("DELETE FROM role_grants WHERE user_id = ? AND role = ?", userID, role)
	if res.Error != nil {
		return false, fmt.Errorf("store: unable to revoke %s from user %s: %w", role, userID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// CountLocalAdmins counts users holding admin by local grant.
func (s *Store) CountLocalAdmins(ctx context.Context) (int64, error) {
	var n int64
	if err := db.Conn(ctx, s.g).Raw("SELECT count(*) FROM role_grants WHERE role = 'admin'").Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("store: unable to count administrators: %w", err)
	}
	return n, nil
}

// Organisations lists every organisation by name.
func (s *Store) Organisations(ctx context.Context) ([]Organisation, error) {
	var orgs []Organisation
	if err := db.Conn(ctx, s.g).Raw("SELECT id, name, kind, created_at FROM organisations ORDER BY lower(name)").Scan(&orgs).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list organisations: %w", err)
	}
	return orgs, nil
}

// OrganisationPage lists a page of the organisations in scope by name
// (then id), and the cursor of the next page ("" on the last). Errors:
// page.ErrCursor.
func (s *Store) OrganisationPage(ctx context.Context, sc auth.Scope, p page.Request) ([]Organisation, string, error) {
	cond, args := sc.Where("id")
	if !p.IsFirst() {
		var name, id string
		if err := p.After(&name, &id); err != nil || !db.IsUUID(id) {
			return nil, "", page.ErrCursor
		}
		cond += " AND (lower(name), id) > (lower(?), ?)"
		args = append(args, name, id)
	}
	var orgs []Organisation
	err := db.Conn(ctx, s.g).Raw("SELECT id, name, kind, created_at FROM organisations WHERE "+cond+" ORDER BY lower(name), id LIMIT ?",
		append(args, p.Fetch())...).Scan(&orgs).Error
	if err != nil {
		return nil, "", fmt.Errorf("store: unable to list organisations: %w", err)
	}
	orgs, next := page.Cut(p, orgs, func(o Organisation) []any { return []any{o.Name, o.ID} })
	return orgs, next, nil
}

// EnsureOrganisation returns the id of the organisation named name,
// creating it with kind when missing.
func (s *Store) EnsureOrganisation(ctx context.Context, name, kind string) (string, error) {
	var id string
	err := db.Conn(ctx, s.g).Raw(`
		WITH ins AS (INSERT INTO organisations (name, kind) VALUES (?, ?) ON CONFLICT ((lower(name))) DO NOTHING RETURNING id)
		SELECT id FROM ins UNION ALL SELECT id FROM organisations WHERE lower(name) = lower(?) LIMIT 1`,
		name, kind, name).Scan(&id).Error
	if err != nil {
		return "", fmt.Errorf("store: unable to find or create organisation %q: %w", name, err)
	}
	return id, nil
}

// SetOrganisation moves a user into an organisation (nil for none).
// Errors: db.ErrNotFound when there is no such user.
func (s *Store) SetOrganisation(ctx context.Context, userID string, orgID *string) error {
	if !db.IsUUID(userID) {
		return db.ErrNotFound
	}
	res := db.Conn(ctx, s.g).Exec("UPDATE users SET organisation_id = ? WHERE id = ?", orgID, userID)
	switch {
	case res.Error != nil:
		return fmt.Errorf("store: unable to set the organisation of user %s: %w", userID, res.Error)
	case res.RowsAffected == 0:
		return db.ErrNotFound
	}
	return nil
}

// Provision creates a not-yet-signed-in user for email, or updates the
// name and organisation of the existing record with that email. It
// returns the user's id.
func (s *Store) Provision(ctx context.Context, email, name string, orgID *string) (string, error) {
	id, err := s.provision(ctx, email, name, orgID)
	if err != nil {
		return "", fmt.Errorf("store: unable to provision %s: %w", email, err)
	}
	return id, nil
}

func (s *Store) provision(ctx context.Context, email, name string, orgID *string) (string, error) {
	var id string
	err := db.Conn(ctx, s.g).Raw("SELECT id FROM users WHERE email = ? ORDER BY issuer NULLS FIRST LIMIT 1", email).Scan(&id).Error
	if err != nil {
		return "", err
	}
	if id != "" {
		return id, db.Conn(ctx, s.g).Exec("UPDATE users SET name = ?, organisation_id = ? WHERE id = ?", name, orgID, id).Error
	}
	err = db.Conn(ctx, s.g).Raw("INSERT INTO users (email, name, organisation_id) VALUES (?, ?, ?) RETURNING id", email, name, orgID).Scan(&id).Error
	return id, err
}

// ProvisionPerson returns the id of the person with email, creating a
// not-yet-signed-in person with name, phone and date of birth when nobody
// has that email (created is then true). It never changes an existing
// person. When several records share the email (the same address at two
// providers), the one signed in most recently wins. Two callers racing to
// provision the same new email get the same person: the insert yields to
// the unique index on pending emails, and the next statement sees the
// winner's row.
func (s *Store) ProvisionPerson(ctx context.Context, email, name, phone string, dateOfBirth *time.Time) (string, bool, error) {
	for range 3 {
		var row struct {
			ID      string
			Created bool
		}
		err := db.Conn(ctx, s.g).Raw(`
			WITH found AS (
			  SELECT id FROM users WHERE email = ?
			  ORDER BY issuer IS NULL, last_sign_in_at DESC NULLS LAST, created_at LIMIT 1),
			ins AS (
			  INSERT INTO users (email, name, phone, date_of_birth)
			  SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM found)
			  ON CONFLICT (email) WHERE issuer IS NULL DO NOTHING RETURNING id)
			SELECT id, true AS created FROM ins UNION ALL SELECT id, false AS created FROM found`,
			email, email, name, phone, dateOfBirth).Scan(&row).Error
		if err != nil {
			return "", false, fmt.Errorf("store: unable to provision a person: %w", err)
		}
		if row.ID != "" {
			return row.ID, row.Created, nil
		}
		// Someone else provisioned this email meanwhile; try again to read theirs.
	}
	return "", false, errors.New("store: unable to provision a person: the email kept changing hands")
}

// VerifiedEmail returns userID's email when the provider vouched for it
// at their latest sign-in, "" otherwise, or db.ErrNotFound for nobody.
func (s *Store) VerifiedEmail(ctx context.Context, userID string) (string, error) {
	if !db.IsUUID(userID) {
		return "", db.ErrNotFound
	}
	var row struct{ Email string }
	res := db.Conn(ctx, s.g).Raw(`SELECT CASE WHEN email_verified_at IS NOT NULL THEN email ELSE '' END AS email
		FROM users WHERE id = ?`, userID).Scan(&row)
	switch {
	case res.Error != nil:
		return "", fmt.Errorf("store: unable to load the email of %s: %w", userID, res.Error)
	case res.RowsAffected == 0:
		return "", db.ErrNotFound
	}
	return row.Email, nil
}

// rolesParam passes roles as a PostgreSQL text[] literal.
func rolesParam(roles []string) string {
	return "{" + strings.Join(roles, ",") + "}"
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func isNotFound(err error) bool { return errors.Is(err, db.ErrNotFound) }

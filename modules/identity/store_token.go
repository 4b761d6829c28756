package identity

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"onramp/app/auth"
	"onramp/app/db"
	"onramp/app/page"
)

// User loads one account as a request sees it, or db.ErrNotFound. A
// person with no role is a learner; a service identity holds only the
// roles its provider and admins gave it.
func (s *Store) User(ctx context.Context, userID string) (*auth.User, error) {
	var row struct {
		ID, Name, Email, OrganisationID, ClaimRoles, GrantedRoles string
		Service                                                   bool
	}
	res := db.Conn(ctx, s.g).Raw(`
		SELECT u.id, u.name, u.email, COALESCE(u.organisation_id::text, '') AS organisation_id,
		       array_to_string(u.claim_roles, ',') AS claim_roles, u.service,
		       (SELECT COALESCE(string_agg(g.role, ','), '') FROM role_grants g WHERE g.user_id = u.id) AS granted_roles
		FROM users u WHERE u.id = ?`, userID).Scan(&row)
	if err := db.One(res, "user", userID); err != nil {
		return nil, err
	}
	u := &auth.User{ID: row.ID, Name: row.Name, Email: row.Email, OrganisationID: row.OrganisationID, Service: row.Service}
	if row.Service {
		for _, r := range auth.AllRoles {
			if strings.Contains(","+row.ClaimRoles+","+row.GrantedRoles+",", ","+r+",") {
				u.Roles = append(u.Roles, r)
			}
		}
		if u.Roles == nil {
			u.Roles = []string{}
		}
	} else {
		u.Roles = effectiveRoles(splitRoles(row.ClaimRoles), splitRoles(row.GrantedRoles))
	}
	return u, nil
}

// RefreshClaimRoles records the roles the provider now gives userID.
func (s *Store) RefreshClaimRoles(ctx context.Context, userID string, roles []string) error {
	err := db.Conn(ctx, s.g).Exec("UPDATE users SET claim_roles = ?::text[] WHERE id = ? AND claim_roles <> ?::text[]",
		rolesParam(roles), userID, rolesParam(roles)).Error
	if err != nil {
		return fmt.Errorf("store: unable to refresh the roles of %s: %w", userID, err)
	}
	return nil
}

// UpsertService creates the service identity of a provider's client, or
// refreshes its roles and last use, and returns its id and whether it was
// created now.
func (s *Store) UpsertService(ctx context.Context, id auth.BearerIdentity, email, name string, now time.Time) (string, bool, error) {
	var row struct {
		ID       string
		Inserted bool
	}
	err := db.Conn(ctx, s.g).Raw(`
		INSERT INTO users (issuer, subject, email, name, claim_roles, service, last_sign_in_at)
		VALUES (?, ?, ?, ?, ?, true, ?)
		ON CONFLICT (issuer, subject) WHERE issuer IS NOT NULL DO UPDATE
		SET claim_roles = EXCLUDED.claim_roles, last_sign_in_at = EXCLUDED.last_sign_in_at
		RETURNING id, (xmax = 0) AS inserted`,
		id.Issuer, id.Subject, email, name, rolesParam(id.Roles), now).Scan(&row).Error
	if err != nil {
		return "", false, fmt.Errorf("store: unable to record the service identity of %s: %w", id.Subject, err)
	}
	return row.ID, row.Inserted, nil
}

// serviceTokenColumns are read by every listing of service tokens.
const serviceTokenColumns = `t.id, t.name, array_to_string(t.scopes, ',') AS scopes, t.organisation_id,
	COALESCE(o.name, '') AS organisation_name, t.created_by, COALESCE(c.name, '') AS created_by_name,
	t.created_at, t.expires_at, t.revoked_at, t.last_used_at`

type serviceTokenRow struct {
	ID               string
	Name             string
	Scopes           string
	OrganisationID   *string
	OrganisationName string
	CreatedBy        string
	CreatedByName    string
	CreatedAt        time.Time
	ExpiresAt        time.Time
	RevokedAt        *time.Time
	LastUsedAt       *time.Time
}

func (r serviceTokenRow) token() ServiceToken {
	return ServiceToken{ID: r.ID, Name: r.Name, Scopes: splitRoles(r.Scopes), OrganisationID: r.OrganisationID,
		OrganisationName: r.OrganisationName, CreatedBy: r.CreatedBy, CreatedByName: r.CreatedByName,
		CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, RevokedAt: r.RevokedAt, LastUsedAt: r.LastUsedAt}
}

// ServiceTokens lists service tokens, newest first.
func (s *Store) ServiceTokens(ctx context.Context) ([]ServiceToken, error) {
	return s.serviceTokens(ctx, "TRUE", nil, "ALL")
}

// ServiceTokenPage lists a page of service tokens, newest first (then by
// id, newest first too), and the cursor of the next page ("" on the last).
// Errors: page.ErrCursor.
func (s *Store) ServiceTokenPage(ctx context.Context, p page.Request) ([]ServiceToken, string, error) {
	cond, args := "TRUE", []any(nil)
	if !p.IsFirst() {
		var at time.Time
		var id string
		if err := p.After(&at, &id); err != nil || !db.IsUUID(id) {
			return nil, "", page.ErrCursor
		}
		cond, args = "(t.created_at, t.id) < (?, ?)", []any{at, id}
	}
	out, err := s.serviceTokens(ctx, cond, args, strconv.Itoa(p.Fetch()))
	if err != nil {
		return nil, "", err
	}
	out, next := page.Cut(p, out, func(t ServiceToken) []any { return []any{t.CreatedAt, t.ID} })
	return out, next, nil
}

func (s *Store) serviceTokens(ctx context.Context, cond string, args []any, limit string) ([]ServiceToken, error) {
	var rows []serviceTokenRow
	err := db.Conn(ctx, s.g).Raw(`SELECT `+serviceTokenColumns+` FROM service_tokens t
		LEFT JOIN organisations o ON o.id = t.organisation_id LEFT JOIN users c ON c.id = t.created_by
		WHERE `+cond+` ORDER BY t.created_at DESC, t.id DESC LIMIT `+limit, args...).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list service tokens: %w", err)
	}
	out := make([]ServiceToken, len(rows))
	for i, r := range rows {
		out[i] = r.token()
	}
	return out, nil
}

// ServiceToken returns one service token, or db.ErrNotFound.
func (s *Store) ServiceToken(ctx context.Context, id string) (ServiceToken, error) {
	if !db.IsUUID(id) {
		return ServiceToken{}, db.ErrNotFound
	}
	var row serviceTokenRow
	res := db.Conn(ctx, s.g).Raw(`SELECT `+serviceTokenColumns+` FROM service_tokens t
		LEFT JOIN organisations o ON o.id = t.organisation_id LEFT JOIN users c ON c.id = t.created_by
		WHERE t.id = ?`, id).Scan(&row)
	if err := db.One(res, "service token", id); err != nil {
		return ServiceToken{}, err
	}
	return row.token(), nil
}

// CreateServiceToken stores a new token by its hash and returns its id.
func (s *Store) CreateServiceToken(ctx context.Context, name string, hash []byte, scopes []string, orgID *string,
	createdBy string, now, expires time.Time) (string, error) {
	var id string
	err := db.Conn(ctx, s.g).Raw(`INSERT INTO service_tokens (name, token_hash, scopes, organisation_id, created_by, created_at, expires_at)
		VALUES (?, ?, ?::text[], ?, ?, ?, ?) RETURNING id`,
		name, hash, rolesParam(scopes), orgID, createdBy, now, expires).Scan(&id).Error
	if err != nil {
		return "", fmt.Errorf("store: unable to create service token %q: %w", name, err)
	}
	return id, nil
}

// RevokeServiceToken revokes an active token; it reports false when the
// token was already revoked. Errors: db.ErrNotFound for no such token.
func (s *Store) RevokeServiceToken(ctx context.Context, id, by string, now time.Time) (bool, error) {
	if !db.IsUUID(id) {
		return false, db.ErrNotFound
	}
	var row struct{ Revoked bool }
	res := db.Conn(ctx, s.g).Raw(`
		WITH upd AS (UPDATE service_tokens SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL RETURNING id)
		SELECT EXISTS (SELECT 1 FROM upd) AS revoked FROM service_tokens WHERE id = ?`, now, by, id, id).Scan(&row)
	if err := db.One(res, "service token", id); err != nil {
		return false, err
	}
	return row.Revoked, nil
}

// UseServiceToken records a use of the active token with hash and
// returns it, or db.ErrNotFound for an unknown, expired or revoked one.
func (s *Store) UseServiceToken(ctx context.Context, hash []byte, now time.Time) (ServiceToken, error) {
	var row struct {
		ID             string
		Name           string
		Scopes         string
		OrganisationID *string
	}
	res := db.Conn(ctx, s.g).Raw(`UPDATE service_tokens SET last_used_at = ?
		WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?
		RETURNING id, name, array_to_string(scopes, ',') AS scopes, organisation_id`, now, hash, now).Scan(&row)
	if err := db.One(res, "service token", "(secret)"); err != nil {
		return ServiceToken{}, err
	}
	return ServiceToken{ID: row.ID, Name: row.Name, Scopes: splitRoles(row.Scopes), OrganisationID: row.OrganisationID}, nil
}

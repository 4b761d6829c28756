package mentoring

import (
	"context"
	"fmt"
	"time"

	"onramp/app/db"
	"onramp/modules/mentoring/match"
)

// weightsRow is one programme's stored weights; numbers come back as text
// so they are read exactly (match.ParseScore).
type weightsRow struct {
	Programme      string    `gorm:"column:programme"`
	CareerFamily   string    `gorm:"column:career_family"`
	SharedInterest string    `gorm:"column:shared_interest"`
	SameRegion     string    `gorm:"column:same_region"`
	SharedLanguage string    `gorm:"column:shared_language"`
	FirstLanguage  string    `gorm:"column:first_language"`
	Availability   string    `gorm:"column:availability"`
	LoadSpread     string    `gorm:"column:load_spread"`
	UpdatedBy      string    `gorm:"column:updated_by"`
	UpdatedName    string    `gorm:"column:updated_name"`
	UpdatedAt      time.Time `gorm:"column:updated_at"`
}

func (r weightsRow) weights() (match.Weights, error) {
	var w match.Weights
	for _, f := range []struct {
		to  *match.Score
		txt string
	}{{&w.CareerFamily, r.CareerFamily}, {&w.SharedInterest, r.SharedInterest}, {&w.SameRegion, r.SameRegion},
		{&w.SharedLanguage, r.SharedLanguage}, {&w.FirstLanguage, r.FirstLanguage}, {&w.Availability, r.Availability},
		{&w.LoadSpread, r.LoadSpread}} {
		v, err := match.ParseScore(f.txt)
		if err != nil {
			return w, fmt.Errorf("store: the weights of %s hold %q, which %w", r.Programme, f.txt, err)
		}
		*f.to = v
	}
	return w, nil
}

// Weights lists every programme's stored weights, by programme.
func (s *Store) Weights(ctx context.Context) ([]weightsRow, error) {
	var out []weightsRow
	err := db.Conn(ctx, s.g).Raw(`SELECT w.programme, w.career_family::text AS career_family,
		w.shared_interest::text AS shared_interest, w.same_region::text AS same_region,
		w.shared_language::text AS shared_language, w.first_language::text AS first_language,
		w.availability::text AS availability, w.load_spread::text AS load_spread, w.updated_by,
		u.name AS updated_name, w.updated_at
		FROM mentoring_weights w JOIN users u ON u.id = w.updated_by ORDER BY w.programme`).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the matching weights: %w", err)
	}
	return out, nil
}

// SaveWeights creates or replaces a programme's weights.
func (s *Store) SaveWeights(ctx context.Context, programme string, w match.Weights, by string, at time.Time) error {
	err := db.Conn(ctx, s.g).Exec(`INSERT INTO mentoring_weights (programme, career_family, shared_interest, same_region,
			shared_language, first_language, availability, load_spread, updated_by, updated_at)
		VALUES (?, ?::numeric, ?::numeric, ?::numeric, ?::numeric, ?::numeric, ?::numeric, ?::numeric, ?, ?)
		ON CONFLICT (programme) DO UPDATE SET career_family = EXCLUDED.career_family,
			shared_interest = EXCLUDED.shared_interest, same_region = EXCLUDED.same_region,
			shared_language = EXCLUDED.shared_language, first_language = EXCLUDED.first_language,
			availability = EXCLUDED.availability, load_spread = EXCLUDED.load_spread,
			updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
		programme, w.CareerFamily.String(), w.SharedInterest.String(), w.SameRegion.String(), w.SharedLanguage.String(),
		w.FirstLanguage.String(), w.Availability.String(), w.LoadSpread.String(), by, at).Error
	if err != nil {
		return fmt.Errorf("store: unable to save the matching weights of %s: %w", programme, err)
	}
	return nil
}

// DeleteWeights removes a programme's weights, so it uses the default
// again; it reports whether there were any.
func (s *Store) DeleteWeights(ctx context.Context, programme string) (bool, error) {
	res := db.Conn(ctx, s.g).Exec(`DELETE FROM mentoring_weights WHERE programme = ?`, programme)
	if res.Error != nil {
		return false, fmt.Errorf("store: unable to remove the matching weights of %s: %w", programme, res.Error)
	}
	return res.RowsAffected > 0, nil
}

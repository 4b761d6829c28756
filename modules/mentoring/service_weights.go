package mentoring

import (
	"context"
	"errors"
	"strings"
	"time"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/modules/mentoring/match"
)

// Auditor records who changed what; the audit module provides it.
type Auditor interface {
	Record(ctx context.Context, actorID, action, subjectType, subjectID string, detail map[string]any) error
}

// DefaultWeightsKey is the programme key of the weights every programme
// without its own uses.
const DefaultWeightsKey = "default"

// WeightField is one weight as the admin form shows it.
type WeightField struct {
	Name, Label, Hint string
	get               func(*match.Weights) *match.Score
}

// WeightFields are the weights in the order the admin pages list them.
var WeightFields = []WeightField{
	{"career-family", "Works in a career the learner is interested in", "", func(w *match.Weights) *match.Score { return &w.CareerFamily }},
	{"shared-interest", "Each career interest they share", "Counted for up to 3 shared interests", func(w *match.Weights) *match.Score { return &w.SharedInterest }},
	{"same-region", "In the same region", "", func(w *match.Weights) *match.Score { return &w.SameRegion }},
	{"shared-language", "Speak a language in common", "", func(w *match.Weights) *match.Score { return &w.SharedLanguage }},
	{"first-language", "Mentor speaks the learner's first language", "Added to the shared language when it is the learner's first language and not English", func(w *match.Weights) *match.Score { return &w.FirstLanguage }},
	{"availability", "Each time both are free", "Weekday daytimes, weekday evenings and weekends each count once", func(w *match.Weights) *match.Score { return &w.Availability }},
	{"load-spread", "Mentor has no mentees yet", "A fifth less for each mentee they have, so mentees are spread across mentors", func(w *match.Weights) *match.Score { return &w.LoadSpread }},
}

// Value is the field's weight in w.
func (f WeightField) Value(w match.Weights) match.Score { return *f.get(&w) }

// ProgrammeWeights is one programme's weights as admins see them.
type ProgrammeWeights struct {
	Programme string // DefaultWeightsKey or a programme slug
	Title     string
	Weights   match.Weights
	Own       bool // the programme has its own weights (else it uses the default)
	UpdatedBy string
	UpdatedAt *time.Time
}

// weightTitles names the programmes that have weights: the default and
// each programme after which learners are matched.
var weightTitles = map[string]string{DefaultWeightsKey: "Every programme (default)", "get-started": "Get Started", "get-into": "Get Into"}

var errNoWeights = apperr.New(apperr.NotFound, "There are no matching weights for that programme")

// matchModel is the scoring model with the stored weights: the stored
// default (or the built-in one) and each programme's own.
func (s *Service) matchModel(ctx context.Context) (match.Model, error) {
	rows, err := s.store.Weights(ctx)
	if err != nil {
		return match.Model{}, err
	}
	m := match.Model{Default: s.model.Default, Programmes: map[string]match.Weights{}}
	for _, r := range rows {
		w, err := r.weights()
		if err != nil {
			return match.Model{}, err
		}
		if r.Programme == DefaultWeightsKey {
			m.Default = w
		} else {
			m.Programmes[r.Programme] = w
		}
	}
	return m, nil
}

// MatchingWeights lists the default weights and each matched programme's,
// for admins. Errors: Forbidden for anyone else.
func (s *Service) MatchingWeights(ctx context.Context, viewer *auth.User) ([]ProgrammeWeights, error) {
	if !viewer.Has(auth.RoleAdmin) {
		return nil, auth.ErrNoScope
	}
	rows, err := s.store.Weights(ctx)
	if err != nil {
		return nil, err
	}
	byKey := map[string]weightsRow{}
	for _, r := range rows {
		byKey[r.Programme] = r
	}
	var out []ProgrammeWeights
	def := s.model.Default
	for _, key := range append([]string{DefaultWeightsKey}, MatchedProgrammes...) {
		pw := ProgrammeWeights{Programme: key, Title: weightTitles[key], Weights: def}
		if r, ok := byKey[key]; ok {
			if pw.Weights, err = r.weights(); err != nil {
				return nil, err
			}
			at := r.UpdatedAt
			pw.Own, pw.UpdatedBy, pw.UpdatedAt = true, r.UpdatedName, &at
		}
		if key == DefaultWeightsKey {
			def = pw.Weights
		}
		out = append(out, pw)
	}
	return out, nil
}

// ProgrammeWeightsOf is one programme's weights, for the admin form.
// Errors: Forbidden; NotFound for a programme that has none.
func (s *Service) ProgrammeWeightsOf(ctx context.Context, viewer *auth.User, programme string) (ProgrammeWeights, error) {
	all, err := s.MatchingWeights(ctx, viewer)
	if err != nil {
		return ProgrammeWeights{}, err
	}
	for _, pw := range all {
		if pw.Programme == programme {
			return pw, nil
		}
	}
	return ProgrammeWeights{}, errNoWeights
}

// SaveWeights validates and saves a programme's weights (or the default),
// typed as decimals keyed by WeightField names, and audits the change.
// Errors: Forbidden; NotFound for an unknown programme; Invalid naming
// each field.
func (s *Service) SaveWeights(ctx context.Context, viewer *auth.User, programme string, typed map[string]string) error {
	if !viewer.Has(auth.RoleAdmin) {
		return auth.ErrNoScope
	}
	if _, ok := weightTitles[programme]; !ok {
		return errNoWeights
	}
	var w match.Weights
	var errs []apperr.FieldError
	for _, f := range WeightFields {
		v, err := match.ParseScore(typed[f.Name])
		switch {
		case strings.TrimSpace(typed[f.Name]) == "":
			errs = append(errs, apperr.FieldError{Field: f.Name, Message: "Enter a weight, or 0 to leave this out of matching"})
		case errors.Is(err, match.ErrTooPrecise):
			errs = append(errs, apperr.FieldError{Field: f.Name, Message: "Use at most 6 decimal places"})
		case err != nil && !errors.Is(err, match.ErrTooLarge):
			errs = append(errs, apperr.FieldError{Field: f.Name, Message: "Enter a number, for example 2 or 0.5"})
		case err != nil || v > 10_000*match.ScoreUnit || v < -10_000*match.ScoreUnit:
			errs = append(errs, apperr.FieldError{Field: f.Name, Message: "Enter a weight from -10000 to 10000"})
		default:
			*f.get(&w) = v
		}
	}
	if len(errs) > 0 {
		return apperr.InvalidFields(errs...)
	}
	if err := (match.Model{Default: w}).Validate(); err != nil { // the matcher's own bound, checked again
		return apperr.New(apperr.Invalid, "Enter weights from -10000 to 10000")
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.SaveWeights(ctx, programme, w, viewer.ID, s.now()); err != nil {
			return err
		}
		return s.audited(ctx, viewer.ID, "mentoring.weights_changed", programme, weightsDetail(w))
	})
}

// ResetWeights makes a programme use the default weights again (for the
// default itself, the built-in weights), audited. Errors: Forbidden;
// NotFound for an unknown programme.
func (s *Service) ResetWeights(ctx context.Context, viewer *auth.User, programme string) error {
	if !viewer.Has(auth.RoleAdmin) {
		return auth.ErrNoScope
	}
	if _, ok := weightTitles[programme]; !ok {
		return errNoWeights
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		had, err := s.store.DeleteWeights(ctx, programme)
		if err != nil || !had {
			return err
		}
		return s.audited(ctx, viewer.ID, "mentoring.weights_reset", programme, nil)
	})
}

func weightsDetail(w match.Weights) map[string]any {
	d := map[string]any{}
	for _, f := range WeightFields {
		d[f.Name] = f.Value(w).String()
	}
	return d
}

func (s *Service) audited(ctx context.Context, actor, action, subject string, detail map[string]any) error {
	if s.audit == nil {
		return nil
	}
	return s.audit.Record(ctx, actor, action, "mentoring_weights", subject, detail)
}

package outcomes

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/percent"
)

// ReportFilter narrows the outcomes report. Empty fields mean "all".
type ReportFilter struct {
	Programme    string // programme slug
	Organisation string // organisation id; managers are held to their own
	Cohort       string // cohort id
	Months       int    // window after cohort end; 0 means DefaultMonths
}

// Report is the conversion rate by cohort, programme and organisation.
type Report struct {
	Filter        ReportFilter
	Definition    string
	Cohorts       []ReportRow // by cohort start date
	Programmes    []ReportRow
	Organisations []ReportRow
}

// Definition is the sentence shown next to every conversion rate.
func Definition(months int) string {
	return fmt.Sprintf("Conversion rate = learners with a verified positive destination "+
		"(employment, an apprenticeship, volunteering, or education or training; not \"other\") "+
		"starting no later than %d months after their cohort ended, divided by learners who started. "+
		"A learner started if they were enrolled on the cohort and completed at least one lesson of its programme "+
		"(before withdrawing, if they withdrew).", months)
}

// Rate is converted / started as a fraction, or nil when nobody started.
func (r ReportRow) Rate() *float64 {
	if r.Started == 0 {
		return nil
	}
	v := float64(r.Converted) / float64(r.Started)
	return &v
}

// Percent is the rate for people, rounded as every page rounds
// (app/percent): "40%", "33%", or "—" when nobody started.
func (r ReportRow) Percent() string { return percent.Label(r.Converted, r.Started) }

// Report works out conversion rates for what the viewer may see. Errors:
// Invalid for a window other than 3, 6 or 12 months; NotFound for a
// programme, organisation or cohort that does not exist or is not the
// viewer's to see.
func (s *Service) Report(ctx context.Context, viewer *auth.User, f ReportFilter) (*Report, error) {
	f, err := s.checkFilter(ctx, viewer, f)
	if err != nil {
		return nil, err
	}
	scope, err := auth.ScopeOf(viewer)
	if err != nil {
		return nil, err
	}
	rows, err := s.store.Conversion(ctx, scope, f)
	if err != nil {
		return nil, err
	}
	r := &Report{Filter: f, Definition: Definition(f.Months)}
	for _, row := range rows {
		switch row.Level {
		case LevelCohort:
			r.Cohorts = append(r.Cohorts, row)
		case LevelProgramme:
			r.Programmes = append(r.Programmes, row)
		case LevelOrganisation:
			r.Organisations = append(r.Organisations, row)
		}
	}
	return r, nil
}

func (s *Service) checkFilter(ctx context.Context, viewer *auth.User, f ReportFilter) (ReportFilter, error) {
	if f.Months == 0 {
		f.Months = DefaultMonths
	}
	if !slices.Contains(AllowedMonths, f.Months) {
		return f, apperr.InvalidFields(apperr.FieldError{Field: "months", Message: "Choose 3, 6 or 12 months after the cohort ended"})
	}
	f.Programme, f.Organisation, f.Cohort = strings.TrimSpace(f.Programme), strings.TrimSpace(f.Organisation), strings.TrimSpace(f.Cohort)
	scope, err := auth.ScopeOf(viewer)
	if err != nil {
		return f, err
	}
	if f.Organisation != "" && !scope.Includes(f.Organisation) {
		return f, apperr.New(apperr.NotFound, "There is no such organisation")
	}
	if f.Organisation != "" {
		ok, err := s.store.OrganisationExists(ctx, f.Organisation)
		if err != nil {
			return f, err
		}
		if !ok {
			return f, apperr.New(apperr.NotFound, "There is no such organisation")
		}
	}
	if f.Cohort != "" {
		ok, err := s.store.CohortVisible(ctx, scope, f.Cohort)
		if err != nil {
			return f, err
		}
		if !ok {
			return f, apperr.New(apperr.NotFound, "There is no such cohort")
		}
	}
	if f.Programme != "" {
		ok, err := s.store.ProgrammeExists(ctx, f.Programme)
		if err != nil {
			return f, err
		}
		if !ok {
			return f, apperr.New(apperr.NotFound, "There is no such programme")
		}
	}
	return f, nil
}

// ReportOptions are the choices in the report's filters.
type ReportOptions struct {
	Programmes    []Option
	Organisations []Option // admins only
	Cohorts       []Option
}

// Options lists what the viewer may filter the report by.
func (s *Service) Options(ctx context.Context, viewer *auth.User) (*ReportOptions, error) {
	scope, err := auth.ScopeOf(viewer)
	if err != nil {
		return nil, err
	}
	var o ReportOptions
	if o.Programmes, err = s.store.ProgrammeOptions(ctx, scope); err != nil {
		return nil, err
	}
	if scope.All {
		if o.Organisations, err = s.store.OrganisationOptions(ctx, scope); err != nil {
			return nil, err
		}
	}
	o.Cohorts, err = s.store.CohortOptions(ctx, scope)
	return &o, err
}

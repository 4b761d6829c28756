package cohorts

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/dayinput"
	"onramp/app/db"
)

// NewCohort is what a manager fills in to start a cohort.
type NewCohort struct {
	Programme    string `form:"programme"`    // programme id
	Organisation string `form:"organisation"` // admins choose; managers get their own
	Name         string `form:"name"`
	StartDay     string `form:"start-day"`
	StartMonth   string `form:"start-month"`
	StartYear    string `form:"start-year"`
	EndDay       string `form:"end-day"`
	EndMonth     string `form:"end-month"`
	EndYear      string `form:"end-year"`
	Capacity     string `form:"capacity"`
	Region       string `form:"region"`
}

// CreateCohort starts a cohort in the viewer's organisation (an admin
// names the organisation). Errors: Invalid, with a message for each field.
func (s *Service) CreateCohort(ctx context.Context, viewer *auth.User, in NewCohort) (string, error) {
	sc, err := auth.ScopeOf(viewer)
	if err != nil {
		return "", err
	}
	c := Cohort{Name: strings.TrimSpace(in.Name), Region: strings.TrimSpace(in.Region), ProgrammeID: in.Programme}
	var problems []apperr.FieldError
	bad := func(field, msg string) { problems = append(problems, apperr.FieldError{Field: field, Message: msg}) }

	progs, err := s.store.Programmes(ctx)
	if err != nil {
		return "", err
	}
	known := false
	for _, p := range progs {
		known = known || p.ID == in.Programme
	}
	if !known {
		bad("programme", "Choose the programme this cohort will run")
	}
	if sc.All {
		c.OrganisationID = in.Organisation
		orgs, err := s.store.Organisations(ctx, sc)
		if err != nil {
			return "", err
		}
		ok := false
		for _, o := range orgs {
			ok = ok || o.ID == in.Organisation
		}
		if !ok {
			bad("organisation", "Choose the organisation running this cohort")
		}
	} else {
		c.OrganisationID = sc.OrganisationID
	}
	switch n := utf8.RuneCountInString(c.Name); {
	case n == 0:
		bad("name", "Enter a name for the cohort, for example Get Into, spring 2027")
	case n > 120:
		bad("name", "The name must be 120 characters or fewer")
	}
	starts, badStart := dayinput.Parse("start", "Start date", dayinput.Input{Day: in.StartDay, Month: in.StartMonth, Year: in.StartYear})
	ends, badEnd := dayinput.Parse("end", "End date", dayinput.Input{Day: in.EndDay, Month: in.EndMonth, Year: in.EndYear})
	switch {
	case badStart != nil || badEnd != nil:
		for _, e := range []*apperr.FieldError{badStart, badEnd} {
			if e != nil {
				problems = append(problems, *e)
			}
		}
	case ends.Before(starts):
		bad("end-day", "The end date must be on or after the start date")
	case starts.Before(s.Today().AddDate(-1, 0, 0)):
		bad("start-day", "The start date must be within the last year")
	}
	c.StartsOn, c.EndsOn = starts, ends
	c.Capacity, err = strconv.Atoi(strings.TrimSpace(in.Capacity))
	if err != nil || c.Capacity < 1 || c.Capacity > 500 {
		bad("capacity", "Enter the number of places as a whole number from 1 to 500")
	}
	if utf8.RuneCountInString(c.Region) > 80 {
		bad("region", "The region must be 80 characters or fewer")
	}
	if len(problems) > 0 {
		return "", apperr.InvalidFields(problems...)
	}
	var id string
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if id, err = s.store.CreateCohort(ctx, &c); err != nil {
			if db.IsUniqueViolation(err) {
				return apperr.InvalidFields(apperr.FieldError{Field: "name", Message: "Your organisation already has a cohort with this name. Choose another name."})
			}
			return err
		}
		return s.record(ctx, viewer.ID, "cohort.created", "cohort", id, map[string]any{"name": c.Name, "programme_id": c.ProgrammeID})
	})
	return id, err
}

package outcomes

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"onramp/app/apperr"
	"onramp/app/dayinput"
)

// DestinationInput is a destination as typed into a form: by a manager,
// or by a learner telling us their news (who has no evidence box).
type DestinationInput struct {
	CohortID     string
	Kind         string
	Employer     string
	Role         string
	StartDay     string
	StartMonth   string
	StartYear    string
	Hours        string
	Contract     string
	EvidenceNote string
	EvidenceSeen bool
}

// validateDestination checks every field and returns the destination to
// store, or a plain-English message for each problem. self words the
// messages for a learner writing about themselves. ens are the cohorts
// the destination may follow.
func validateDestination(in DestinationInput, ens []Enrolment, today time.Time, self bool) (newDestination, []apperr.FieldError) {
	var errs []apperr.FieldError
	add := func(field, staff, learner string) {
		msg := staff
		if self {
			msg = learner
		}
		errs = append(errs, apperr.FieldError{Field: field, Message: msg})
	}
	n := newDestination{
		Kind: strings.TrimSpace(in.Kind), Employer: strings.TrimSpace(in.Employer), Role: strings.TrimSpace(in.Role),
		EvidenceNote: strings.TrimSpace(in.EvidenceNote),
	}

	// Which cohort it follows: the only one, or the one chosen.
	var cohort *Enrolment
	cohortID := strings.TrimSpace(in.CohortID)
	if cohortID == "" && len(ens) == 1 {
		cohortID = ens[0].CohortID
	}
	for i := range ens {
		if ens[i].CohortID == cohortID {
			cohort = &ens[i]
		}
	}
	switch {
	case len(ens) == 0:
		add("cohort", "This learner is not on a programme yet, so there is nothing to record a destination against",
			"You are not on a programme yet. Ask your programme manager to add you, then tell us your news.")
	case cohort == nil:
		add("cohort", "Select the programme this destination follows", "Select the programme you were on")
	default:
		n.CohortID = cohort.CohortID
	}

	if KindLabel(n.Kind) == "" {
		add("kind", "Select what the learner is doing now", "Select what you are doing now")
	}
	if n.Employer == "" {
		switch n.Kind {
		case KindEmployment:
			add("employer", "Enter the employer's name", "Enter who you work for")
		case KindApprenticeship:
			add("employer", "Enter the employer's name", "Enter who your apprenticeship is with")
		case KindVolunteering:
			add("employer", "Enter where they volunteer", "Enter where you volunteer")
		}
	} else if utf8.RuneCountInString(n.Employer) > 200 {
		add("employer", "Employer or provider must be 200 characters or fewer", "This must be 200 characters or fewer")
	}
	if utf8.RuneCountInString(n.Role) > 200 {
		add("role", "Job, role or course must be 200 characters or fewer", "This must be 200 characters or fewer")
	}

	if start, bad := dayinput.Parse("start", "Start date", dayinput.Input{Day: in.StartDay, Month: in.StartMonth, Year: in.StartYear}); bad != nil {
		errs = append(errs, *bad)
	} else if latest := today.AddDate(0, 1, 0); start.After(latest) {
		add("start-day", "Start date must be no more than 1 month from today",
			"The start date must be within the next month. If it is later, tell us nearer the time.")
	} else if cohort != nil && start.Before(cohort.StartsOn) && !self {
		// A learner may already have had the job before the programme;
		// it is recorded, but never counts towards the conversion rate.
		when := cohort.StartsOn.Format("2 January 2006")
		add("start-day", "Start date must be on or after the programme started ("+when+")",
			"The start date must be on or after your programme started ("+when+")")
	} else {
		n.StartDate = start
	}

	if h := strings.TrimSpace(in.Hours); h != "" {
		v, err := strconv.ParseFloat(h, 64)
		switch {
		case err != nil || math.IsNaN(v) || math.IsInf(v, 0):
			add("hours", "Hours per week must be a number, like 37.5", "Hours a week must be a number, like 16")
		case v < 0 || v > 80:
			add("hours", "Hours per week must be between 0 and 80", "Hours a week must be between 0 and 80")
		default:
			n.HoursPerWeek = &v
		}
	}
	if c := strings.TrimSpace(in.Contract); c != "" {
		if !slices.Contains(Contracts, c) {
			add("contract", "Select a contract type from the list", "Select a type of contract from the list")
		} else {
			n.Contract = &c
		}
	}
	if utf8.RuneCountInString(n.EvidenceNote) > 2000 {
		add("evidence", "Evidence note must be 2000 characters or fewer", "This must be 2000 characters or fewer")
	}
	return n, errs
}

// validateFollowUp checks what a follow-up found, and that it is not
// recorded more than 14 days before it is due.
func validateFollowUp(in FollowUpInput, f FollowUp, today time.Time) (string, string, []apperr.FieldError) {
	var errs []apperr.FieldError
	outcome, note := strings.TrimSpace(in.Outcome), strings.TrimSpace(in.Note)
	if !f.OpenOn(today) {
		errs = append(errs, apperr.FieldError{Field: "outcome", Message: fmt.Sprintf(
			"This follow-up is not due until %s. You can record it from %s.",
			f.DueOn.Format("2 January 2006"), f.OpensOn().Format("2 January 2006"))})
	} else if !slices.Contains(FollowUpOutcomes, outcome) {
		errs = append(errs, apperr.FieldError{Field: "outcome", Message: "Select what you found out"})
	}
	if utf8.RuneCountInString(note) > 1000 {
		errs = append(errs, apperr.FieldError{Field: "note", Message: "Note must be 1000 characters or fewer"})
	}
	return outcome, note, errs
}

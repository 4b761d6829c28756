package mentoring

import (
	"strings"
	"time"

	"onramp/modules/notify"
)

// Renewal periods and warning time for a mentor's checks. A DBS
// certificate carries no expiry date: Onramp asks for a new one every
// three years unless the mentor is on the DBS Update Service.
const (
	dbsRenewalYears      = 3
	trainingRenewalYears = 3
	dueSoonDays          = 30
)

// Eligibility is whether a mentor may be matched today, and why not.
type Eligibility struct {
	Eligible bool
	// Reasons say what stops them, in plain English; empty when eligible.
	Reasons []string
	// DueSoon say which check falls due within 30 days, and when.
	DueSoon []string
	// DBSDue and TrainingDue are when a check next falls due (zero when
	// it has none, e.g. on the Update Service or never done).
	DBSDue, TrainingDue time.Time
	ApprovedUnder18     bool
}

// State is eligible, due_soon or not_eligible, for lists and prompts.
func (e Eligibility) State() string {
	switch {
	case e.Eligible && len(e.DueSoon) > 0:
		return "due_soon"
	case e.Eligible:
		return "eligible"
	}
	return "not_eligible"
}

// Summary joins the reasons, or says the mentor is cleared.
func (e Eligibility) Summary() string {
	if e.Eligible {
		return "Cleared to mentor"
	}
	return strings.Join(e.Reasons, "; ")
}

// Eligible is the one rule for whether a mentor may be matched on day
// today: vetting recorded with an enhanced DBS check including the
// children's barred list and references confirmed; the DBS certificate
// under three years old or the mentor on the Update Service; safeguarding
// training done within three years; and not suspended by a safeguarding
// lead. v is nil when nothing is recorded.
func Eligible(v *Vetting, today time.Time) Eligibility {
	today = dayOf(today)
	if v == nil {
		return Eligibility{Reasons: []string{"vetting has not been recorded"}}
	}
	e := Eligibility{ApprovedUnder18: v.ApprovedUnder18}
	if v.SuspendedAt != nil {
		e.Reasons = append(e.Reasons, "suspended by a safeguarding lead")
	}
	soon := today.AddDate(0, 0, dueSoonDays)
	if !v.DBSEnhancedBarred || v.DBSCertificateOn == nil {
		e.Reasons = append(e.Reasons, "no enhanced DBS check with the children's barred list")
	} else if !v.DBSUpdateService {
		e.DBSDue = dayOf(*v.DBSCertificateOn).AddDate(dbsRenewalYears, 0, 0)
		switch {
		case !today.Before(e.DBSDue):
			e.Reasons = append(e.Reasons, "the DBS certificate is over three years old and they are not on the Update Service")
		case !soon.Before(e.DBSDue):
			e.DueSoon = append(e.DueSoon, "DBS check renewal due on "+e.DBSDue.Format("2 January 2006"))
		}
	}
	if !v.ReferencesOK {
		e.Reasons = append(e.Reasons, "references have not been confirmed")
	}
	if v.SafeguardingTrainingOn == nil {
		e.Reasons = append(e.Reasons, "safeguarding training has not been done")
	} else {
		e.TrainingDue = dayOf(*v.SafeguardingTrainingOn).AddDate(trainingRenewalYears, 0, 0)
		switch {
		case !today.Before(e.TrainingDue):
			e.Reasons = append(e.Reasons, "safeguarding training is over three years old")
		case !soon.Before(e.TrainingDue):
			e.DueSoon = append(e.DueSoon, "safeguarding training renewal due on "+e.TrainingDue.Format("2 January 2006"))
		}
	}
	e.Eligible = len(e.Reasons) == 0
	return e
}

// dayOf is t's date in UTC, at midnight.
func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// FirstName is the first word of a name: all one side of a mentorship
// is told of the other in a notice, and all a mentor or learner sees.
func FirstName(name string) string { return notify.FirstNameOr(name, "your match") }

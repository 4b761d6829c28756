package outcomes

import (
	"fmt"
	"strconv"
	"time"
)

// Destination kinds. All but KindOther are positive destinations: they
// count towards the conversion rate once verified.
const (
	KindEmployment     = "employment"
	KindApprenticeship = "apprenticeship"
	KindVolunteering   = "volunteering"
	KindEducation      = "education"
	KindOther          = "other"
)

// Kinds lists destination kinds in the order forms show them.
var Kinds = []string{KindEmployment, KindApprenticeship, KindVolunteering, KindEducation, KindOther}

// Contracts lists the contract types a destination may have.
var Contracts = []string{"permanent", "fixed_term", "zero_hours", "bank", "apprenticeship", "course", "other"}

// Follow-up kinds: 3 and 6 months after a destination starts.
const (
	FollowUp3Months = "3_months"
	FollowUp6Months = "6_months"
)

// FollowUpOutcomes lists what a follow-up can find.
var FollowUpOutcomes = []string{"still_there", "left", "no_answer"}

// Sources say who recorded a destination.
const (
	SourceManager = "manager"
	SourceLearner = "learner"
)

// AllowedMonths are the windows after cohort end a manager may choose for
// the conversion rate; DefaultMonths is used when none is chosen.
var AllowedMonths = []int{3, 6, 12}

// DefaultMonths is the conversion window when none is chosen.
const DefaultMonths = 6

// followUpWindow is how far ahead the reminder list looks, and how early a
// follow-up may be recorded.
const followUpWindow = 14

// Destination is where a learner went after (or during) a programme.
type Destination struct {
	ID             string
	UserID         string
	LearnerName    string
	CohortID       string
	CohortName     string
	ProgrammeTitle string
	Kind           string
	Employer       string
	Role           string
	StartDate      time.Time
	HoursPerWeek   *float64
	Contract       *string
	EvidenceNote   string
	Source         string
	RecordedBy     string
	RecordedByName string
	VerifiedAt     *time.Time
	VerifiedByName string
	CreatedAt      time.Time
	FollowUps      []FollowUp `gorm:"-"`
}

// Verified reports whether someone has seen evidence of the destination.
func (d Destination) Verified() bool { return d.VerifiedAt != nil }

// Hours is the hours per week for display, "" when not known.
func (d Destination) Hours() string {
	if d.HoursPerWeek == nil {
		return ""
	}
	return strconv.FormatFloat(*d.HoursPerWeek, 'f', -1, 64)
}

// FollowUp is one "still there?" check on a destination.
type FollowUp struct {
	DestinationID  string
	Kind           string
	DueOn          time.Time
	Outcome        *string
	RecordedAt     *time.Time
	RecordedByName string
	Note           string
}

// Recorded reports whether the follow-up has been done.
func (f FollowUp) Recorded() bool { return f.Outcome != nil }

// OpensOn is the first day the follow-up may be recorded: when it joins
// the managers' reminder list, 14 days before it is due.
func (f FollowUp) OpensOn() time.Time { return f.DueOn.AddDate(0, 0, -followUpWindow) }

// OpenOn reports whether the follow-up may be recorded on day today.
func (f FollowUp) OpenOn(today time.Time) bool { return !today.Before(f.OpensOn()) }

// DueFollowUp is a follow-up on the managers' reminder list.
type DueFollowUp struct {
	DestinationID   string
	FollowUpKind    string
	DueOn           time.Time
	LearnerID       string
	LearnerName     string
	DestinationKind string
	Employer        string
	Role            string
	CohortName      string
	StartDate       time.Time
	DaysLeft        int `gorm:"-"` // negative when overdue
}

// Enrolment is a learner's place on a cohort, as the outcomes pages need
// it: what a destination can follow.
type Enrolment struct {
	CohortID       string
	CohortName     string
	ProgrammeTitle string
	OrganisationID string
	Status         string
	StartsOn       time.Time
	EndsOn         time.Time
}

// Label names the enrolment in a form's list.
func (e Enrolment) Label() string {
	return fmt.Sprintf("%s (%s, started %s)", e.CohortName, e.ProgrammeTitle, e.StartsOn.Format("2 January 2006"))
}

// Learner is the person a manager's destinations page is about.
type Learner struct {
	ID    string
	Name  string
	Email string
}

// KindLabel is the staff-facing name of a destination kind ("" when
// unknown).
func KindLabel(kind string) string {
	switch kind {
	case KindEmployment:
		return "Employment"
	case KindApprenticeship:
		return "Apprenticeship"
	case KindVolunteering:
		return "Volunteering"
	case KindEducation:
		return "Education or training"
	case KindOther:
		return "Other"
	}
	return ""
}

// NewsKindLabel is how a learner's form names a destination kind.
func NewsKindLabel(kind string) string {
	switch kind {
	case KindEmployment:
		return "I have a job"
	case KindApprenticeship:
		return "I have an apprenticeship"
	case KindVolunteering:
		return "I am volunteering"
	case KindEducation:
		return "I am at college, university or on a training course"
	case KindOther:
		return "Something else"
	}
	return ""
}

// ContractLabel names a contract type.
func ContractLabel(c string) string {
	switch c {
	case "permanent":
		return "Permanent"
	case "fixed_term":
		return "Fixed term (for a set time)"
	case "zero_hours":
		return "Zero hours"
	case "bank":
		return "Bank (shifts when needed)"
	case "apprenticeship":
		return "Apprenticeship agreement"
	case "course":
		return "Course or training place"
	case "other":
		return "Other or not sure"
	}
	return ""
}

// FollowUpLabel names a follow-up.
func FollowUpLabel(kind string) string {
	switch kind {
	case FollowUp3Months:
		return "3-month follow-up"
	case FollowUp6Months:
		return "6-month follow-up"
	}
	return ""
}

// OutcomeLabel names what a follow-up found.
func OutcomeLabel(o string) string {
	switch o {
	case "still_there":
		return "Still there"
	case "left":
		return "Left"
	case "no_answer":
		return "Could not reach them"
	}
	return ""
}

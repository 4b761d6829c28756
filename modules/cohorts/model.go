package cohorts

import (
	"time"
)

// Cohort statuses, from the dates.
const (
	StatusPlanned  = "planned"
	StatusRunning  = "running"
	StatusFinished = "finished"
)

// Cohort is a programme run by an organisation for a group of learners.
type Cohort struct {
	ID               string
	ProgrammeID      string
	ProgrammeSlug    string
	ProgrammeTitle   string
	OrganisationID   string
	OrganisationName string
	Name             string
	StartsOn         time.Time
	EndsOn           time.Time
	Capacity         int
	Region           string
	Enrolled         int // not withdrawn
	Completed        int // of those, completed the programme (programme_completions)
}

// Status says whether the cohort has started or finished on day today.
func (c *Cohort) Status(today time.Time) string {
	switch {
	case today.Before(c.StartsOn):
		return StatusPlanned
	case today.After(c.EndsOn):
		return StatusFinished
	}
	return StatusRunning
}

// RiskRules are the thresholds that flag a learner as needing a nudge.
type RiskRules struct {
	InactiveDays   int // no activity for this many days
	FailedChecks   int // failed the same check this many times without passing
	NotStartedDays int // nothing done this many days after the cohort started
}

// Risk flags, as the API names them.
const (
	RiskInactive    = "inactive"
	RiskFailedCheck = "failed_check"
	RiskNotStarted  = "not_started"
)

// LearnerRow is one learner's line on a cohort dashboard.
type LearnerRow struct {
	UserID     string
	Name       string
	Email      string
	Status     string // enrolment status
	Done       int    // lessons completed
	Total      int
	Percent    int
	LastActive *time.Time
	Modules    []ModuleCell
	Risks      []string
	// Completed: every module of the programme finished, by the one
	// definition (the programme_completions SQL function), which is also
	// when every cell of the row shows completed.
	Completed bool
}

// ModuleCell is one learner's standing in one module.
type ModuleCell struct {
	Mark        string // what the grid shows: ✓, ◐ or nothing
	Label       string // the same for screen readers
	Done        int
	Total       int
	CheckPassed bool
	Failed      int // failed check attempts
	BestScore   int
	HasCheck    bool
}

// State names the cell for the grid: not started, in progress, completed.
func (m ModuleCell) State() string {
	switch {
	case m.Done == m.Total && (!m.HasCheck || m.CheckPassed):
		return "completed"
	case m.Done > 0 || m.Failed > 0:
		return "in_progress"
	}
	return "not_started"
}

// Dashboard is a cohort's live picture.
type Dashboard struct {
	Cohort     *Cohort
	Modules    []ModuleHead
	Learners   []LearnerRow
	RiskCounts map[string]int
	Funnel     []Stage
	Today      time.Time
}

// ModuleHead names a grid column.
type ModuleHead struct {
	ID, Title string
	Position  int
}

// Stage is a step of the funnel from enrolled to a positive destination.
type Stage struct {
	Label string
	Count int
	Known bool // false while the feature that counts it is not built
}

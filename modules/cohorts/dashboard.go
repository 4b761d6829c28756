package cohorts

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/db"
	"onramp/app/page"
	"onramp/app/percent"
)

var errNoCohort = apperr.New(apperr.NotFound, "There is no such cohort, or it belongs to another organisation")

// Cohorts lists the cohorts the viewer may see. Errors: as auth.ScopeOf;
// NotFound for an unknown programme filter.
func (s *Service) Cohorts(ctx context.Context, viewer *auth.User, f Filter) ([]Cohort, error) {
	sc, err := s.cohortScope(ctx, viewer, f)
	if err != nil {
		return nil, err
	}
	return s.store.Cohorts(ctx, sc, f)
}

// CohortPage lists a page of the cohorts the viewer may see, newest first,
// and the next page's cursor. Errors: as Cohorts; page.ErrCursor.
func (s *Service) CohortPage(ctx context.Context, viewer *auth.User, f Filter, p page.Request) ([]Cohort, string, error) {
	sc, err := s.cohortScope(ctx, viewer, f)
	if err != nil {
		return nil, "", err
	}
	return s.store.CohortPage(ctx, sc, f, p)
}

func (s *Service) cohortScope(ctx context.Context, viewer *auth.User, f Filter) (auth.Scope, error) {
	sc, err := auth.ScopeOf(viewer)
	if err != nil {
		return sc, err
	}
	if f.Programme != "" {
		// An unknown filter is not found, as on the reports.
		ok, err := s.store.ProgrammeExists(ctx, f.Programme)
		if err != nil {
			return sc, err
		}
		if !ok {
			return sc, apperr.New(apperr.NotFound, "There is no such programme")
		}
	}
	return sc, nil
}

// Cohort returns a cohort the viewer may see, or NotFound.
func (s *Service) Cohort(ctx context.Context, viewer *auth.User, id string) (*Cohort, error) {
	sc, err := auth.ScopeOf(viewer)
	if err != nil {
		return nil, err
	}
	c, err := s.store.Cohort(ctx, sc, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, errNoCohort
	}
	return c, err
}

// Today is the service's date, at midnight UTC.
func (s *Service) Today() time.Time { return s.now().UTC().Truncate(24 * time.Hour) }

// Dashboard assembles a cohort's live picture from the current data: every
// learner's progress through each module, who needs a nudge and why, and
// the funnel. Nothing is precomputed, so a completed lesson shows on the
// next load.
func (s *Service) Dashboard(ctx context.Context, viewer *auth.User, cohortID string) (*Dashboard, error) {
	c, err := s.Cohort(ctx, viewer, cohortID)
	if err != nil {
		return nil, err
	}
	mods, err := s.store.Modules(ctx, c.ProgrammeID)
	if err != nil {
		return nil, err
	}
	learners, err := s.store.Learners(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	cells, err := s.store.Cells(ctx, c.ID, c.ProgrammeID)
	if err != nil {
		return nil, err
	}
	d := &Dashboard{Cohort: c, Today: s.Today(), RiskCounts: map[string]int{}}
	col := map[string]int{}
	total := 0
	for i, m := range mods {
		col[m.ID] = i
		total += m.Lessons
		d.Modules = append(d.Modules, ModuleHead{ID: m.ID, Title: m.Title, Position: m.Position})
	}
	row := map[string]int{}
	for i, l := range learners {
		row[l.UserID] = i
		r := LearnerRow{UserID: l.UserID, Name: l.Name, Email: l.Email, Status: l.Status, Total: total, Completed: l.Completed}
		for _, m := range mods {
			r.Modules = append(r.Modules, ModuleCell{Total: m.Lessons, HasCheck: m.HasCheck})
		}
		d.Learners = append(d.Learners, r)
	}
	for _, cell := range cells {
		ri, ok1 := row[cell.UserID]
		ci, ok2 := col[cell.ModuleID]
		if !ok1 || !ok2 {
			continue
		}
		r := &d.Learners[ri]
		m := &r.Modules[ci]
		m.Done, m.CheckPassed, m.Failed, m.BestScore = cell.Done, cell.Passed, cell.Failed, cell.Best
		r.Done += cell.Done
		if cell.LastAt != nil && (r.LastActive == nil || cell.LastAt.After(*r.LastActive)) {
			t := *cell.LastAt
			r.LastActive = &t
		}
	}
	var started, completed int
	for i := range d.Learners {
		r := &d.Learners[i]
		for j := range r.Modules {
			r.Modules[j].label()
		}
		r.Percent = percent.Of(r.Done, r.Total)
		if r.Status == "withdrawn" {
			continue
		}
		r.Risks = s.risks(c, r)
		for _, k := range r.Risks {
			d.RiskCounts[k]++
		}
		if r.Done > 0 {
			started++
		}
		if finished(r) {
			completed++
		}
	}
	positive, err := s.dest.PositiveDestinations(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	mentored, err := s.store.Mentored(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	d.Funnel = []Stage{
		{Label: "Enrolled", Count: c.Enrolled, Known: true},
		{Label: "Started", Count: started, Known: true},
		{Label: "Completed", Count: completed, Known: true},
		{Label: "Matched with a mentor", Count: mentored, Known: true},
		{Label: "Positive destination (verified)", Count: positive, Known: true},
	}
	return d, nil
}

// ProgressPage is a cohort's dashboard with a page of its learners, by
// name, and the next page's cursor: the counts and funnel still cover
// the whole cohort. Errors: as Dashboard; page.ErrCursor.
func (s *Service) ProgressPage(ctx context.Context, viewer *auth.User, cohortID string, p page.Request) (*Dashboard, string, error) {
	d, err := s.Dashboard(ctx, viewer, cohortID)
	if err != nil {
		return nil, "", err
	}
	ids, next, err := s.store.LearnerPage(ctx, d.Cohort.ID, p)
	if err != nil {
		return nil, "", err
	}
	byID := make(map[string]LearnerRow, len(d.Learners))
	for _, r := range d.Learners {
		byID[r.UserID] = r
	}
	d.Learners = make([]LearnerRow, 0, len(ids))
	for _, id := range ids {
		// A learner enrolled since Dashboard read the cohort is left for
		// the next load rather than shown half-computed.
		if r, ok := byID[id]; ok {
			d.Learners = append(d.Learners, r)
		}
	}
	return d, next, nil
}

// finished is the one definition of completed, as the database worked it
// out (programme_completions).
func finished(r *LearnerRow) bool { return r.Completed }

// risks applies the at-risk rules to one learner: not started some days
// after the cohort began, inactive for a week, or stuck on a check they
// have failed twice. Finished learners are never at risk.
func (s *Service) risks(c *Cohort, r *LearnerRow) []string {
	if finished(r) {
		return nil
	}
	now := s.now()
	var out []string
	startedAgo := now.Sub(c.StartsOn)
	if r.Done == 0 && r.LastActive == nil {
		if startedAgo >= days(s.risk.NotStartedDays) {
			out = append(out, RiskNotStarted)
		}
	} else if r.LastActive != nil && now.Sub(*r.LastActive) >= days(s.risk.InactiveDays) && !now.After(c.EndsOn.AddDate(0, 0, 1)) {
		out = append(out, RiskInactive)
	}
	if slices.ContainsFunc(r.Modules, func(m ModuleCell) bool { return !m.CheckPassed && m.Failed >= s.risk.FailedChecks }) {
		out = append(out, RiskFailedCheck)
	}
	return out
}

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// label sets what the grid shows for the cell, so the template only
// prints: a 500-learner grid has thousands of cells.
func (m *ModuleCell) label() {
	switch m.State() {
	case "completed":
		m.Mark, m.Label = "✓", "completed"
	case "in_progress":
		m.Mark, m.Label = "◐", "in progress"
		if m.Failed > 0 {
			m.Label += ", check failed " + strconv.Itoa(m.Failed) + " times"
		}
	default:
		m.Label = "not started"
	}
}

package app

import (
	"context"
	"fmt"
	"time"

	"onramp/assets"
	"onramp/modules/identity"
	"onramp/modules/mentoring"
	"onramp/modules/monitoring"
)

// demoCohort is a cohort the demo seed creates, with learners at varied
// stages so every dashboard has something real to show.
type demoCohort struct {
	org, programme, name, region string
	startDays, weeks, learners   int // start relative to today; length; synthetic learners
}

var demoCohorts = []demoCohort{
	{identity.DemoTrust, "get-started", "Get Started, September 2026", "North East", -80, 1, 12},
	{identity.DemoTrust, "get-into", "Get Into, autumn 2026", "North East", -28, 6, 14},
	{identity.DemoTrust, "step-into-work", "Step into Work, November 2026", "North East", -14, 10, 10},
	{identity.DemoCharity, "get-started", "Get Started, November 2026", "Yorkshire and the Humber", -10, 1, 9},
	{identity.DemoCharity, "get-into", "Get Into, spring 2027", "Yorkshire and the Humber", 60, 6, 0},
}

// demoPlacements puts the demo learners who can sign in into cohorts.
var demoPlacements = map[string]struct {
	cohort int
	share  float64
}{
	"learner@example.org":  {1, 0.35},
	"learner2@example.org": {3, 0.7},
	"learner3@example.org": {2, 0.1},
}

// SeedDemo adds demo data: people and organisations, the shipped
// programmes, cohorts with enrolled learners and their progress. It is
// safe to run again: nothing already there is duplicated or changed.
func (a *App) SeedDemo(ctx context.Context) error {
	if err := a.Identity.SeedDemo(ctx); err != nil {
		return fmt.Errorf("demo people: %w", err)
	}
	if err := a.Content.SeedShipped(ctx, assets.Content); err != nil {
		return fmt.Errorf("shipped content: %w", err)
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	var cohortIDs []string
	for i, c := range demoCohorts {
		orgID, err := a.Identity.OrganisationID(ctx, c.org)
		if err != nil {
			return err
		}
		starts := today.AddDate(0, 0, c.startDays)
		id, err := a.Cohorts.EnsureCohort(ctx, orgID, c.programme, c.name, c.region, starts, starts.AddDate(0, 0, 7*c.weeks), 30)
		if err != nil {
			return fmt.Errorf("demo cohort %s: %w", c.name, err)
		}
		cohortIDs = append(cohortIDs, id)
		for j := range c.learners {
			email := fmt.Sprintf("demo.learner.%d.%d@example.org", i+1, j+1)
			name := identity.DemoLearnerName(i*31 + j)
			if err := a.enrolDemo(ctx, id, c, email, name, demoShare(c, j), j); err != nil {
				return err
			}
		}
	}
	for email, p := range demoPlacements {
		c := demoCohorts[p.cohort]
		if err := a.enrolDemo(ctx, cohortIDs[p.cohort], c, email, "", p.share, 0); err != nil {
			return err
		}
	}
	if err := a.Outcomes.SeedDemo(ctx); err != nil {
		return fmt.Errorf("demo outcomes: %w", err)
	}
	if err := monitoring.SeedDemo(ctx, a.DB); err != nil {
		return fmt.Errorf("demo equality answers: %w", err)
	}
	for _, m := range mentoring.DemoMentors {
		if _, _, err := a.Identity.Provision(ctx, m.Email, m.Name, "", nil); err != nil {
			return fmt.Errorf("demo mentor %s: %w", m.Email, err)
		}
	}
	if err := a.Mentoring.SeedDemo(ctx); err != nil {
		return fmt.Errorf("demo mentoring: %w", err)
	}
	return nil
}

func (a *App) enrolDemo(ctx context.Context, cohortID string, c demoCohort, email, name string, share float64, j int) error {
	userID, err := a.Identity.ProvisionLearner(ctx, email, name)
	if err != nil {
		return err
	}
	starts := time.Now().UTC().AddDate(0, 0, c.startDays)
	if err := a.Cohorts.Enrol(ctx, cohortID, userID, starts.AddDate(0, 0, -3)); err != nil {
		return err
	}
	if share == 0 {
		return nil
	}
	// Most were active in the last few days; every fifth has gone quiet.
	lastActive := time.Now().Add(-time.Duration(j%4) * 24 * time.Hour)
	if j%5 == 4 {
		lastActive = time.Now().AddDate(0, 0, -9-j%5)
	}
	return a.Learning.SeedProgress(ctx, userID, c.programme, share, lastActive, j%3 == 1)
}

// demoShare spreads learners from not started to finished; cohorts that
// have not begun have no progress.
func demoShare(c demoCohort, j int) float64 {
	if c.startDays > 0 {
		return 0
	}
	shares := []float64{1, 0.85, 0.6, 0.45, 0.3, 0.15, 0, 1, 0.7, 0.5, 0.25, 0.9}
	if c.startDays < -60 { // the finished cohort: most completed
		shares = []float64{1, 1, 1, 0.9, 1, 0.6, 1, 1, 0.4, 1, 1, 0.8}
	}
	return shares[j%len(shares)]
}

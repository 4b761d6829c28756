package mentoring_test

import (
	"context"
	"testing"
	"time"

	"onramp/app/apperr"
	"onramp/modules/mentoring"
)

func TestASuspendedMentorIsNeverProposedUntilReinstated(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	suspended := w.mentor("Sue Spended", "5", w.cleared(1, false))
	learner := w.learner("Lee Learner", 25)
	lead := w.manager.ID // any user can stand as the lead here; messaging holds the role rule

	if err := w.svc.SuspendMentor(ctx, lead, suspended, "  "); apperr.As(err).Kind != apperr.Invalid {
		t.Errorf("suspending without a reason: %v, want Invalid", err)
	}
	if err := w.svc.SuspendMentor(ctx, lead, "00000000-0000-0000-0000-000000000000", "why"); apperr.As(err).Kind != apperr.NotFound {
		t.Errorf("suspending nobody: %v, want NotFound", err)
	}
	if err := w.svc.SuspendMentor(ctx, lead, suspended, "A report from another trust"); err != nil {
		t.Fatal(err)
	}
	// Re-recording their checks does not lift the suspension.
	v := w.cleared(1, false)
	v.UserID, v.RecordedBy = suspended, w.manager.ID
	if err := w.svc.RecordVettingFor(ctx, *v); err != nil {
		t.Fatal(err)
	}
	if on, err := w.svc.MentorSuspended(ctx, suspended); err != nil || !on {
		t.Fatalf("suspended after re-vetting: %v, %v; want true", on, err)
	}
	if _, err := w.svc.RunMatching(ctx, w.manager); err != nil {
		t.Fatal(err)
	}
	if p, ok := w.proposals()[learner]; ok && p.MentorID == suspended {
		t.Fatal("a suspended mentor was proposed")
	}

	if err := w.svc.ReinstateMentor(ctx, lead, suspended); err != nil {
		t.Fatal(err)
	}
	if on, _ := w.svc.MentorSuspended(ctx, suspended); on {
		t.Error("still suspended after reinstatement")
	}
}

func TestEligibilityRefusesASuspendedMentor(t *testing.T) {
	today := time.Date(2027, 6, 15, 0, 0, 0, 0, time.UTC)
	d := func(y, m, day int) *time.Time { t := time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC); return &t }
	v := mentoring.Vetting{DBSEnhancedBarred: true, DBSCertificateOn: d(2025, 1, 1), SafeguardingTrainingOn: d(2026, 1, 1),
		ReferencesOK: true, SuspendedAt: d(2027, 6, 1)}
	if e := mentoring.Eligible(&v, today); e.Eligible || e.Summary() != "suspended by a safeguarding lead" {
		t.Errorf("a suspended, otherwise cleared mentor: eligible %v (%s)", e.Eligible, e.Summary())
	}
}

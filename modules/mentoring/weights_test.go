package mentoring_test

import (
	"context"
	"strings"
	"testing"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/modules/mentoring"
)

// mentorIn makes a cleared mentor with room for two who speaks the test's
// language first (so only this test's learners favour them) and works in
// family, in region.
func (w *world) mentorIn(name, family, region string) string {
	w.t.Helper()
	id := w.mentor(name, "2", w.cleared(1, true))
	if err := w.svc.SaveProfileFor(context.Background(), id, mentoring.ProfileInput{JobRole: "Porter", CareerFamily: family,
		Region: region, Languages: w.lang, Availability: []string{"weekday_evening"}, Capacity: "2", Bio: "I help."}); err != nil {
		w.t.Fatal(err)
	}
	return id
}

func weightsOf(career, region string) map[string]string {
	// The test's own language outweighs everyone else's mentors; career
	// family and region then decide between this test's two mentors.
	return map[string]string{"career-family": career, "shared-interest": "0", "same-region": region, "shared-language": "0",
		"first-language": "1000", "availability": "0", "load-spread": "0"}
}

func TestChangingAProgrammesWeightsChangesWhichMentorIsProposed(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	admin := &auth.User{ID: w.manager.ID, Roles: []string{auth.RoleAdmin}}
	t.Cleanup(func() { _ = w.svc.ResetWeights(ctx, admin, "get-into") })
	nurse := w.mentorIn("Nadia Nurse", "nursing_midwifery", "London")
	local := w.mentorIn("Luke Local", "estates_facilities", "North East")

	if err := w.svc.SaveWeights(ctx, admin, "get-into", weightsOf("10", "1")); err != nil {
		t.Fatal(err)
	}
	first := w.learner("Fern First", 19)
	if _, err := w.svc.RunMatching(ctx, w.manager); err != nil {
		t.Fatal(err)
	}
	if got := w.proposals()[first]; got.MentorID != nurse {
		t.Fatalf("with career family weighted, %s was proposed %s, want the nurse", "Fern", got.MentorName)
	}

	if err := w.svc.SaveWeights(ctx, admin, "get-into", weightsOf("1", "10")); err != nil {
		t.Fatal(err)
	}
	second := w.learner("Sid Second", 19)
	if _, err := w.svc.RunMatching(ctx, w.manager); err != nil {
		t.Fatal(err)
	}
	got := w.proposals()
	if got[second].MentorID != local {
		t.Errorf("with region weighted, Sid was proposed %s, want the mentor in the learner's region", got[second].MentorName)
	}
	if !strings.Contains(got[second].Reasons, "North East") || strings.Contains(got[second].Reasons, "Estates") {
		t.Errorf("reasons %q should name the shared region", got[second].Reasons)
	}
	if got[first].MentorID != nurse {
		t.Errorf("a proposal already made changed with the weights")
	}

	list, err := w.svc.MatchingWeights(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0].Programme != "default" || list[0].Own || list[2].Programme != "get-into" || !list[2].Own {
		t.Errorf("weights listed as %+v, want the built-in default then Get Started then Get Into with its own", list)
	}
	if _, err := w.svc.MatchingWeights(ctx, w.manager); err == nil {
		t.Error("a manager may read the matching weights; only admins may")
	}
	if err := w.svc.SaveWeights(ctx, w.manager, "get-into", weightsOf("1", "1")); err == nil {
		t.Error("a manager may change the matching weights")
	}
}

func TestWeightsOutsideTheMatchersBoundsAreRefusedWithPlainMessages(t *testing.T) {
	w := newWorld(t)
	admin := &auth.User{ID: w.manager.ID, Roles: []string{auth.RoleAdmin}}
	bad := weightsOf("10001", "lots")
	bad["availability"] = "0.1234567"
	bad["load-spread"] = ""
	err := w.svc.SaveWeights(context.Background(), admin, "get-started", bad)
	e := apperr.As(err)
	if err == nil || e.Kind != apperr.Invalid {
		t.Fatalf("bad weights: %v, want Invalid", err)
	}
	want := map[string]string{"career-family": "Enter a weight from -10000 to 10000", "same-region": "Enter a number, for example 2 or 0.5",
		"availability": "Use at most 6 decimal places", "load-spread": "Enter a weight, or 0 to leave this out of matching"}
	for _, f := range e.Fields {
		if want[f.Field] != f.Message {
			t.Errorf("%s: %q, want %q", f.Field, f.Message, want[f.Field])
		}
		delete(want, f.Field)
	}
	if len(want) > 0 {
		t.Errorf("no message for %v", want)
	}
}

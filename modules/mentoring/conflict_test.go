package mentoring_test

import (
	"context"
	"testing"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/modules/mentoring"
)

func TestDeclaredConflictsAreNeverProposedAndOnlyTheLearnersOrganisationMayDeclare(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	uncle := w.mentor("Uncle Ude", "3", w.cleared(1, true))
	boss := w.mentor("Boss Bola", "3", w.cleared(1, true))
	learner := w.learner("Nell Niece", 19)
	other := newWorld(t)

	in := mentoring.ConflictInput{LearnerID: learner, Kind: "same_family", Reason: "Her uncle"}
	err := other.svc.DeclareConflict(ctx, other.manager, uncle, in)
	if e := apperr.As(err); err == nil || e.Kind != apperr.Invalid {
		t.Errorf("another organisation's manager declaring a conflict for the learner: %v, want refused", err)
	}
	if err := w.svc.DeclareConflict(ctx, w.manager, uncle, in); err != nil {
		t.Fatal(err)
	}
	lead := &auth.User{ID: other.manager.ID, Roles: []string{auth.RoleSafeguardingLead}}
	if err := w.svc.DeclareConflict(ctx, lead, boss, mentoring.ConflictInput{LearnerID: learner, Kind: "line_manager", Reason: "Her manager at work"}); err != nil {
		t.Fatalf("a safeguarding lead declaring a conflict: %v", err)
	}
	err = w.svc.DeclareConflict(ctx, w.manager, boss, mentoring.ConflictInput{LearnerID: learner, Kind: "cousin", Reason: " "})
	if e := apperr.As(err); err == nil || len(e.Fields) != 2 {
		t.Errorf("a conflict with no kind or reason: %v, want both fields named", err)
	}

	if _, err := w.svc.RunMatching(ctx, w.manager); err != nil {
		t.Fatal(err)
	}
	p, ok := w.proposals()[learner]
	if ok && (p.MentorID == uncle || p.MentorID == boss) {
		t.Fatalf("a declared conflict was proposed: %s", p.MentorName)
	}
	st, err := w.svc.Mentor(ctx, w.manager, uncle)
	if err != nil || len(st.Conflicts) != 1 || st.Conflicts[0].Kind != "same_family" {
		t.Errorf("the uncle's page lists conflicts %+v (%v), want the niece", st.Conflicts, err)
	}
	if st, _ := other.svc.Mentor(ctx, other.manager, uncle); len(st.Conflicts) != 0 {
		t.Errorf("another organisation's manager sees the conflict of a learner not theirs")
	}
}

func TestDeclaringAConflictOnAProposalRejectsItAndKeepsThemApart(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	mentor := w.mentor("Kim Known", "3", w.cleared(1, true))
	learner := w.learner("Lee Learner", 19)
	if _, err := w.svc.RunMatching(ctx, w.manager); err != nil {
		t.Fatal(err)
	}
	p, ok := w.proposals()[learner]
	if !ok || p.MentorID != mentor {
		t.Fatalf("the ideal mentor was not proposed: %+v", p)
	}
	if err := w.svc.DeclareProposalConflict(ctx, w.manager, p.ID, "knows_them", "Neighbours"); err != nil {
		t.Fatal(err)
	}
	if _, still := w.proposals()[learner]; still {
		t.Error("the proposal is still open after a conflict was declared on it")
	}
	if _, err := w.svc.RunMatching(ctx, w.manager); err != nil {
		t.Fatal(err)
	}
	if again := w.proposals()[learner]; again.MentorID == mentor {
		t.Error("the pair was proposed again after a conflict was declared")
	}
}

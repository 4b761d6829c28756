package mentoring

import (
	"context"
	"strings"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/db"
	"onramp/app/page"
	"onramp/modules/mentoring/match"
	"onramp/modules/notify"
)

// MatchingView is a manager's mentoring page: proposals waiting for a
// decision, active mentorships, how many learners are waiting, and what
// learners said mentoring did for them (in aggregate only).
type MatchingView struct {
	Proposals  []Mentorship
	Active     []Mentorship
	Waiting    int
	HelpedWork map[string]int
}

// Matching returns the manager's mentoring page for their organisation
// (every organisation for admins). Errors: as auth.ScopeOf.
func (s *Service) Matching(ctx context.Context, viewer *auth.User) (*MatchingView, error) {
	scope, err := auth.ScopeOf(viewer)
	if err != nil {
		return nil, err
	}
	v := &MatchingView{}
	if v.Proposals, err = s.store.InScope(ctx, scope, StatusProposed); err != nil {
		return nil, err
	}
	if v.Active, err = s.store.InScope(ctx, scope, StatusActive); err != nil {
		return nil, err
	}
	waiting, err := s.store.Waiting(ctx, scope, MatchedProgrammes, s.today(), "")
	if err != nil {
		return nil, err
	}
	v.Waiting = len(waiting)
	v.HelpedWork, err = s.store.HelpedWork(ctx, scope)
	return v, err
}

// poolMentor is a mentor as the matcher sees them, with their state.
type poolMentor struct {
	row         mentorRow
	eligibility Eligibility
	left        int // capacity not yet taken by mentees or proposals
}

func (s *Service) pool(ctx context.Context) ([]poolMentor, error) {
	rows, err := s.store.Pool(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]poolMentor, len(rows))
	for i, r := range rows {
		out[i] = poolMentor{row: r, eligibility: Eligible(r.vetting(), s.today()), left: max(0, r.Capacity-r.Active-r.Proposed)}
	}
	return out, nil
}

func (p poolMentor) matcher() match.Mentor {
	r := p.row
	return match.Mentor{ID: r.UserID, Capacity: min(p.left, match.MaxCapacity), Eligible: p.eligibility.Eligible,
		ApprovedUnder18: p.eligibility.ApprovedUnder18, CareerFamily: r.CareerFamily, Region: r.Region,
		Languages: r.Languages, Interests: r.Interests, Availability: r.Availability, Gender: r.Gender, CurrentLoad: r.Active}
}

func learnerFor(w waitingLearner, exclude []string) match.Learner {
	return match.Learner{ID: w.ID, Age: w.Age, Region: w.Region, Languages: w.Languages, Interests: w.Interests,
		Availability: w.Availability, MentorGender: w.MentorGender, ExcludeMentors: exclude, Programme: w.Programme}
}

// RunMatching matches every learner of the viewer's organisation who is
// waiting for a mentor against every eligible mentor with room, and
// records the matches as proposals for a manager to approve. It returns
// the new proposals. Ineligible mentors are passed to the matcher as
// such and also dropped from its answer, so one is never proposed.
// Errors: as auth.ScopeOf.
func (s *Service) RunMatching(ctx context.Context, viewer *auth.User) ([]Mentorship, error) {
	scope, err := auth.ScopeOf(viewer)
	if err != nil {
		return nil, err
	}
	var proposed []Mentorship
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.Lock(ctx); err != nil {
			return err
		}
		waiting, err := s.store.Waiting(ctx, scope, MatchedProgrammes, s.today(), "")
		if err != nil || len(waiting) == 0 {
			return err
		}
		ids := make([]string, len(waiting))
		for i, w := range waiting {
			ids[i] = w.ID
		}
		excl, err := s.store.Exclusions(ctx, ids)
		if err != nil {
			return err
		}
		mentors, err := s.pool(ctx)
		if err != nil {
			return err
		}
		p := match.Problem{Learners: make([]match.Learner, len(waiting))}
		byLearner := map[string]waitingLearner{}
		for i, w := range waiting {
			p.Learners[i] = learnerFor(w, excl[w.ID])
			byLearner[w.ID] = w
		}
		eligible := map[string]bool{}
		for _, m := range mentors {
			p.Mentors = append(p.Mentors, m.matcher())
			eligible[m.row.UserID] = m.eligibility.Eligible && m.left > 0
		}
		model, err := s.matchModel(ctx)
		if err != nil {
			return err
		}
		res, err := model.Run(p)
		if err != nil {
			return apperr.Wrap(apperr.Internal, "Matching could not be run", err)
		}
		now := s.now()
		for _, mt := range res.Matches {
			if !eligible[mt.MentorID] {
				continue
			}
			w := byLearner[mt.LearnerID]
			id, err := s.store.Propose(ctx, Mentorship{LearnerID: w.ID, MentorID: mt.MentorID, OrganisationID: w.OrganisationID,
				Reasons: mt.Reasons, ProposedAt: now}, mt.Score.String(), viewer.ID)
			if err != nil {
				return err
			}
			m, err := s.store.Mentorship(ctx, id)
			if err != nil {
				return err
			}
			proposed = append(proposed, m)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return proposed, nil
}

// Proposals lists a page of the proposals in the viewer's scope, oldest
// first, and the next page's cursor. Errors: as auth.ScopeOf;
// page.ErrCursor.
func (s *Service) Proposals(ctx context.Context, viewer *auth.User, p page.Request) ([]Mentorship, string, error) {
	scope, err := auth.ScopeOf(viewer)
	if err != nil {
		return nil, "", err
	}
	return s.store.ScopePage(ctx, scope, StatusProposed, p)
}

// ProposalView is one proposal with the other mentors it could go to.
type ProposalView struct {
	Mentorship Mentorship
	Options    []SwapOption
	Kinds      []Option // the reasons a conflict may be declared
}

// SwapOption is a mentor a proposal could be swapped to.
type SwapOption struct {
	MentorID, Name, JobRole, Reasons string
}

// proposalInScope loads a proposal (or any mentorship) the viewer may
// manage. Errors: as auth.ScopeOf; NotFound.
func (s *Service) inScope(ctx context.Context, viewer *auth.User, id string, lock bool) (Mentorship, error) {
	scope, err := auth.ScopeOf(viewer)
	if err != nil {
		return Mentorship{}, err
	}
	load := s.store.Mentorship
	if lock {
		load = s.store.LockMentorship
	}
	m, err := load(ctx, id)
	if isNotFound(err) || err == nil && !scope.Includes(m.OrganisationID) {
		return Mentorship{}, errNoMentorship
	}
	return m, err
}

// matchLearner is the matcher's view of a proposal's learner.
func (s *Service) matchLearner(ctx context.Context, m Mentorship) (match.Learner, error) {
	ws, err := s.store.Waiting(ctx, auth.Scope{OrganisationID: m.OrganisationID}, MatchedProgrammes, s.today(), m.LearnerID)
	if err != nil {
		return match.Learner{}, err
	}
	if len(ws) == 0 { // no longer on a programme: still filter by age as unknown
		return match.Learner{ID: m.LearnerID}, nil
	}
	excl, err := s.store.Exclusions(ctx, []string{m.LearnerID})
	if err != nil {
		return match.Learner{}, err
	}
	return learnerFor(ws[0], excl[m.LearnerID]), nil
}

// Proposal returns a proposal and the mentors it could be swapped to.
// Errors: as auth.ScopeOf; NotFound.
func (s *Service) Proposal(ctx context.Context, viewer *auth.User, id string) (*ProposalView, error) {
	m, err := s.inScope(ctx, viewer, id, false)
	if err != nil {
		return nil, err
	}
	v := &ProposalView{Mentorship: m, Kinds: ConflictKinds}
	if m.Status != StatusProposed {
		return v, nil
	}
	l, err := s.matchLearner(ctx, m)
	if err != nil {
		return nil, err
	}
	mentors, err := s.pool(ctx)
	if err != nil {
		return nil, err
	}
	model, err := s.matchModel(ctx)
	if err != nil {
		return nil, err
	}
	for _, pm := range mentors {
		mm := pm.matcher()
		if pm.row.UserID == m.MentorID || !pm.eligibility.Eligible || pm.left <= 0 || s.model.Refusal(l, mm) != "" {
			continue
		}
		v.Options = append(v.Options, SwapOption{MentorID: pm.row.UserID, Name: pm.row.Name, JobRole: pm.row.JobRole,
			Reasons: model.Reasons(l, mm)})
	}
	return v, nil
}

var errDecided = apperr.New(apperr.Conflict, "This proposal has already been approved or rejected")

// refusal says why mentorID may not take learner l now, or "".
func (s *Service) refusal(ctx context.Context, l match.Learner, mentorID string, countProposal bool) (string, match.Mentor, error) {
	r, err := s.store.Mentor(ctx, mentorID)
	if isNotFound(err) || err == nil && !r.HasProfile {
		return "That mentor has not completed a mentor profile", match.Mentor{}, nil
	}
	if err != nil {
		return "", match.Mentor{}, err
	}
	pm := poolMentor{row: r, eligibility: Eligible(r.vetting(), s.today())}
	taken := r.Active
	if countProposal {
		taken += r.Proposed
	}
	pm.left = max(0, r.Capacity-taken)
	first := FirstName(r.Name)
	switch {
	case !pm.eligibility.Eligible:
		return first + " is not cleared to mentor: " + pm.eligibility.Summary(), match.Mentor{}, nil
	case r.Capacity == 0:
		return first + " has paused new matches", match.Mentor{}, nil
	case pm.left <= 0:
		return first + " has no room for another mentee", match.Mentor{}, nil
	}
	mm := pm.matcher()
	if why := s.model.Refusal(l, mm); why != "" {
		return first + " cannot be matched: " + why, mm, nil
	}
	return "", mm, nil
}

// Swap gives a proposal another mentor, who must be eligible, have room
// and pass every hard filter for the learner. Errors: as auth.ScopeOf;
// NotFound; Invalid without a mentor; Conflict when decided already or
// the mentor is refused (the message says why). It returns the proposal as it now stands.
func (s *Service) Swap(ctx context.Context, viewer *auth.User, id, mentorID string) (Mentorship, error) {
	var out Mentorship
	if strings.TrimSpace(mentorID) == "" {
		return out, apperr.InvalidFields(apperr.FieldError{Field: "mentor", Message: "Choose the mentor to swap to"})
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.Lock(ctx); err != nil {
			return err
		}
		m, err := s.inScope(ctx, viewer, id, true)
		if err != nil {
			return err
		}
		if m.Status != StatusProposed {
			return errDecided
		}
		if mentorID == m.MentorID {
			out = m
			return nil
		}
		l, err := s.matchLearner(ctx, m)
		if err != nil {
			return err
		}
		why, mm, err := s.refusal(ctx, l, mentorID, true)
		if err != nil {
			return err
		}
		if why != "" {
			return apperr.New(apperr.Conflict, why)
		}
		model, err := s.matchModel(ctx)
		if err != nil {
			return err
		}
		if err := s.store.Swap(ctx, m.ID, mentorID, model.Reasons(l, mm), model.Score(l, mm).String()); err != nil {
			return err
		}
		out, err = s.store.Mentorship(ctx, m.ID)
		return err
	})
	return out, err
}

// Approve makes a proposal an active six-month mentorship starting today
// and tells both people. The mentor is checked again (still eligible,
// room, hard filters). Errors: as auth.ScopeOf; NotFound; Conflict when
// decided already, the mentor is refused, or the learner has an active
// mentorship already (the database refuses a second). It returns the
// mentorship as approved.
func (s *Service) Approve(ctx context.Context, viewer *auth.User, id string) (Mentorship, error) {
	var out Mentorship
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.Lock(ctx); err != nil {
			return err
		}
		m, err := s.inScope(ctx, viewer, id, true)
		if err != nil {
			return err
		}
		if m.Status != StatusProposed {
			return errDecided
		}
		l, err := s.matchLearner(ctx, m)
		if err != nil {
			return err
		}
		why, _, err := s.refusal(ctx, l, m.MentorID, false)
		if err != nil {
			return err
		}
		if why != "" {
			return apperr.New(apperr.Conflict, why+". Swap to another mentor or reject the proposal.")
		}
		if err := s.store.Approve(ctx, m.ID, viewer.ID, s.now(), s.today()); err != nil {
			if db.IsUniqueViolation(err) {
				return apperr.New(apperr.Conflict, "This learner already has a mentor")
			}
			return err
		}
		if err := s.notify(ctx, notify.Notification{UserID: m.LearnerID, Kind: "mentorship_started", Title: "You have been matched with a mentor",
			Body: "Meet " + m.MentorFirstName() + ", your mentor for the next six months.", Link: "/learn/mentor",
			DedupeKey: "mentorship:" + m.ID + ":started:learner"}); err != nil {
			return err
		}
		if err := s.notify(ctx, notify.Notification{UserID: m.MentorID, Kind: "mentorship_started", Title: "You have been matched with a mentee",
			Body: "Say hello to " + m.LearnerFirstName() + ", your new mentee.", Link: "/mentoring",
			DedupeKey: "mentorship:" + m.ID + ":started:mentor"}); err != nil {
			return err
		}
		out, err = s.store.Mentorship(ctx, m.ID)
		return err
	})
	return out, err
}

// Reject turns a proposal down with a reason; the pair is not proposed
// again. Errors: as auth.ScopeOf; NotFound; Invalid without a reason;
// Conflict when decided already. It returns the proposal as rejected.
func (s *Service) Reject(ctx context.Context, viewer *auth.User, id, reason string) (Mentorship, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Mentorship{}, apperr.InvalidFields(apperr.FieldError{Field: "reason", Message: "Say why you are rejecting this match"})
	}
	var out Mentorship
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		m, err := s.inScope(ctx, viewer, id, true)
		if err != nil {
			return err
		}
		if m.Status != StatusProposed {
			return errDecided
		}
		if err := s.store.Reject(ctx, m.ID, viewer.ID, reason, s.now()); err != nil {
			return err
		}
		out, err = s.store.Mentorship(ctx, m.ID)
		return err
	})
	return out, err
}

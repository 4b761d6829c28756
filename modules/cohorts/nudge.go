package cohorts

import (
	"context"
	"fmt"
	"time"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/db"
	"onramp/modules/notify"
)

// Notifier tells a person something in the app and, when they want it,
// by email; the notify module provides it.
type Notifier interface {
	Notify(ctx context.Context, n notify.Notification) error
}

// NudgeGap is how long a learner is left in peace after a nudge, whoever
// sent it.
const NudgeGap = 24 * time.Hour

// Nudge is one kind message to one learner, as the manager previews it
// and the learner reads it.
type Nudge struct {
	UserID, Name string
	Risks        []string
	Title, Body  string
	Link         string
	// LastNudged is when they were last nudged, if within NudgeGap: they
	// are then skipped.
	LastNudged *time.Time
}

// NudgePlan is who a nudge would reach and who it would skip.
type NudgePlan struct {
	Cohort  *Cohort
	One     bool // one learner was asked for, not everyone at risk
	Send    []Nudge
	Skipped []Nudge
}

var errNotNudgeable = apperr.New(apperr.NotFound, "This learner is not in this cohort, or has left it")

// PlanNudges works out, without sending anything, the nudges for one
// learner of the cohort (learnerID) or, when learnerID is empty, for every
// learner the dashboard flags as needing one. Learners nudged within
// NudgeGap are skipped. NotFound for a cohort outside the viewer's scope
// or a learner not (or no longer) in it.
func (s *Service) PlanNudges(ctx context.Context, viewer *auth.User, cohortID, learnerID string) (*NudgePlan, error) {
	d, err := s.Dashboard(ctx, viewer, cohortID)
	if err != nil {
		return nil, err
	}
	p := &NudgePlan{Cohort: d.Cohort, One: learnerID != ""}
	var rows []LearnerRow
	for _, r := range d.Learners {
		switch {
		case r.Status == "withdrawn":
		case learnerID != "" && r.UserID == learnerID:
			rows = append(rows, r)
		case learnerID == "" && len(r.Risks) > 0:
			rows = append(rows, r)
		}
	}
	if learnerID != "" && len(rows) == 0 {
		return nil, errNotNudgeable
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.UserID
	}
	last, err := s.store.lastNudges(ctx, ids, s.now().Add(-NudgeGap))
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		n := nudgeFor(d.Cohort, r)
		if at, ok := last[r.UserID]; ok {
			n.LastNudged = &at
			p.Skipped = append(p.Skipped, n)
			continue
		}
		p.Send = append(p.Send, n)
	}
	return p, nil
}

// SendNudges sends what PlanNudges would, worked out again inside one
// transaction: each learner's nudge is recorded, put in their
// notifications (with an email if they want one) and written to the audit
// log, together. Two managers pressing send at once nudge a learner once:
// a lock per learner holds the second until the first commits, which it
// then sees. It returns how many were sent and skipped.
func (s *Service) SendNudges(ctx context.Context, viewer *auth.User, cohortID, learnerID string) (sent, skipped int, err error) {
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		sent, skipped = 0, 0
		p, err := s.PlanNudges(ctx, viewer, cohortID, learnerID)
		if err != nil {
			return err
		}
		skipped = len(p.Skipped)
		for _, n := range p.Send {
			id, err := s.store.nudgeOnce(ctx, p.Cohort.ID, n.UserID, viewer.ID, s.now(), NudgeGap)
			if err != nil {
				return err
			}
			if id == "" {
				skipped++
				continue
			}
			if s.notes != nil {
				if err := s.notes.Notify(ctx, notify.Notification{UserID: n.UserID, Kind: "cohort.nudge",
					Title: n.Title, Body: n.Body, Link: n.Link, DedupeKey: "nudge:" + id}); err != nil {
					return err
				}
			}
			if err := s.record(ctx, viewer.ID, "learner.nudged", "user", n.UserID, map[string]any{
				"cohort_id": p.Cohort.ID, "nudge_id": id, "reasons": n.Risks}); err != nil {
				return err
			}
			sent++
		}
		return nil
	})
	return sent, skipped, err
}

// nudgeFor writes the message: warm, short, no blame, and no personal
// detail beyond a first name, as every notification must be.
func nudgeFor(c *Cohort, r LearnerRow) Nudge {
	hello := "Hello"
	if first := notify.FirstName(r.Name); first != "" {
		hello += " " + first
	}
	n := Nudge{UserID: r.UserID, Name: r.Name, Risks: r.Risks, Link: "/learn/" + c.ProgrammeSlug}
	if n.Name == "" {
		n.Name = r.Email
	}
	has := func(k string) bool {
		for _, x := range r.Risks {
			if x == k {
				return true
			}
		}
		return false
	}
	switch {
	case has(RiskFailedCheck):
		n.Title = "You are nearly there with " + c.ProgrammeTitle
		n.Body = hello + ". Checks can be tricky, and lots of people need more than one go. Going back over the lessons helps, and you can try again whenever you are ready. If something is getting in the way, tell your programme team: we are here to help."
	case has(RiskNotStarted) || r.Done == 0:
		n.Title = "Your place on " + c.ProgrammeTitle + " is ready"
		n.Body = hello + ". Your first lesson is waiting for you and takes about 10 minutes, on your phone or a computer. If something is getting in the way, tell your programme team: we are here to help."
	default:
		n.Title = "We have missed you on " + c.ProgrammeTitle
		n.Body = hello + ". Your progress is saved, so you can pick up where you left off. A few minutes today is a great step. If something is getting in the way, tell your programme team: we are here to help."
	}
	return n
}

// lastNudges returns, for each of the learners nudged since since, when
// they last were.
func (s *Store) lastNudges(ctx context.Context, userIDs []string, since time.Time) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	if len(userIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		UserID string
		At     time.Time
	}
	err := db.Conn(ctx, s.g).Raw(`SELECT user_id, max(sent_at) AS at FROM nudges
		WHERE user_id IN ? AND sent_at > ? GROUP BY user_id`, userIDs, since).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to look up recent nudges: %w", err)
	}
	for _, r := range rows {
		out[r.UserID] = r.At
	}
	return out, nil
}

// nudgeOnce records a nudge unless the learner had one within gap of at,
// and returns its id, or "" when they had. A transaction-scoped lock on
// the learner makes the check and the insert one step.
func (s *Store) nudgeOnce(ctx context.Context, cohortID, userID, by string, at time.Time, gap time.Duration) (string, error) {
	conn := db.Conn(ctx, s.g)
	if err := conn.Exec("SELECT pg_advisory_xact_lock(hashtextextended('nudge:' || ?, 0))", userID).Error; err != nil {
		return "", fmt.Errorf("store: unable to lock learner %s for a nudge: %w", userID, err)
	}
	var id string
	err := conn.Raw(`INSERT INTO nudges (cohort_id, user_id, sent_by, sent_at)
		SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM nudges WHERE user_id = ? AND sent_at > ?)
		RETURNING id`, cohortID, userID, by, at, userID, at.Add(-gap)).Scan(&id).Error
	if err != nil {
		return "", fmt.Errorf("store: unable to record a nudge for learner %s: %w", userID, err)
	}
	return id, nil
}

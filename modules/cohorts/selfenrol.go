package cohorts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"onramp/app/apperr"
	"onramp/app/db"
)

// Self-enrolment: a programme an editor has opened (open_enrolment) may
// be started by any signed-in learner on their own. Starting it is an
// enrolment like any other, in the programme's one standing
// self-enrolment cohort. No organisation runs that cohort, so no manager
// sees it: dashboards, exports and reports all join organisations. An
// admin sees the learner's enrolment in it.

// The self-enrolment cohort has no real end and no real limit: it stays
// open as long as the programme does.
var (
	selfEnrolmentEnds     = time.Date(2099, time.December, 31, 0, 0, 0, 0, time.UTC)
	selfEnrolmentCapacity = 1_000_000
)

var (
	errNoOpenProgramme = apperr.New(apperr.NotFound, "There is no such programme")
	errNotOpen         = apperr.New(apperr.Forbidden,
		"You cannot start this programme on your own. Ask your programme manager for a group code, then enter it at /join.")
	errWithdrawnSelf = apperr.New(apperr.Conflict,
		"You were taken off this programme, so you cannot start it again on your own. Ask your programme manager.")
)

// SelfEnrol enrols a learner, at their own request, on the open programme
// with programmeSlug: into the programme's self-enrolment cohort, which
// is made on first use (named "<title> (open)", starting today). It
// reports whether it added an enrolment; starting again, or twice at
// once, adds nothing. The enrolment, and the cohort when made, are
// audited with the learner as the actor. Errors: NotFound for no such
// published programme, Forbidden when it is not open to self-enrolment,
// Conflict when the learner was withdrawn from its self-enrolment cohort.
func (s *Service) SelfEnrol(ctx context.Context, userID, programmeSlug string) (bool, error) {
	var added bool
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.store.programmeBySlug(ctx, programmeSlug)
		switch {
		case errors.Is(err, db.ErrNotFound):
			return errNoOpenProgramme
		case err != nil:
			return err
		case !p.OpenEnrolment:
			return errNotOpen
		}
		cohortID, made, err := s.store.selfEnrolmentCohort(ctx, p, s.Today())
		if err != nil {
			return err
		}
		if made {
			if err := s.record(ctx, userID, "cohort.created", "cohort", cohortID, map[string]any{
				"name": selfEnrolmentName(p.Title), "programme_id": p.ID, "self_enrolment": true}); err != nil {
				return err
			}
		}
		if added, err = s.store.enrolOnce(ctx, cohortID, userID, s.now(), nil); err != nil || added {
			if err != nil {
				return err
			}
			return s.record(ctx, userID, "cohort.self_enrolled", "cohort", cohortID, map[string]any{"programme": p.Slug})
		}
		e, err := s.store.enrolment(ctx, cohortID, userID, false)
		if err != nil {
			return err
		}
		if e != nil && e.Status == "withdrawn" {
			return errWithdrawnSelf
		}
		return nil // already on it, perhaps from another tab a moment ago
	})
	return added, err
}

// programmeRow is what self-enrolment needs to know about a programme.
type programmeRow struct {
	ID, Slug, Title string
	OpenEnrolment   bool
}

// programmeBySlug returns a published programme, or db.ErrNotFound.
func (s *Store) programmeBySlug(ctx context.Context, slug string) (*programmeRow, error) {
	var p programmeRow
	res := db.Conn(ctx, s.g).Raw("SELECT id, slug, title, open_enrolment FROM programmes WHERE slug = ? AND published", slug).Scan(&p)
	if err := db.One(res, "programme", slug); err != nil {
		return nil, err
	}
	return &p, nil
}

// selfEnrolmentCohort returns the id of the programme's self-enrolment
// cohort, making it (starting on today) when there is none; made says
// whether this call made it. Two calls at once make one: the second
// insert waits for the first and does nothing, and the select after it,
// a statement of its own, sees the committed row.
func (s *Store) selfEnrolmentCohort(ctx context.Context, p *programmeRow, today time.Time) (id string, made bool, err error) {
	g := db.Conn(ctx, s.g)
	res := g.Raw(`INSERT INTO cohorts (programme_id, organisation_id, self_enrolment, name, starts_on, ends_on, capacity)
		VALUES (?, NULL, true, ?, ?, ?, ?) ON CONFLICT (programme_id) WHERE self_enrolment DO NOTHING RETURNING id`,
		p.ID, selfEnrolmentName(p.Title), today, selfEnrolmentEnds, selfEnrolmentCapacity).Scan(&id)
	if res.Error != nil {
		return "", false, fmt.Errorf("store: unable to make the self-enrolment cohort of %s: %w", p.Slug, res.Error)
	}
	if id != "" {
		return id, true, nil
	}
	res = g.Raw("SELECT id FROM cohorts WHERE programme_id = ? AND self_enrolment", p.ID).Scan(&id)
	switch {
	case res.Error != nil:
		return "", false, fmt.Errorf("store: unable to find the self-enrolment cohort of %s: %w", p.Slug, res.Error)
	case id == "":
		return "", false, fmt.Errorf("store: the self-enrolment cohort of %s was neither made nor found", p.Slug)
	}
	return id, false, nil
}

// selfEnrolmentName names a programme's self-enrolment cohort, within
// the 120 characters a cohort name may have.
func selfEnrolmentName(title string) string {
	const suffix = " (open)"
	if r := []rune(title); len(r)+len(suffix) > 120 {
		title = string(r[:120-len(suffix)])
	}
	return title + suffix
}

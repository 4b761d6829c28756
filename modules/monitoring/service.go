package monitoring

import (
	"context"
	"fmt"
	"strings"
	"time"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/db"
)

// Recorder appends to the audit log; the audit module provides it.
type Recorder interface {
	Record(ctx context.Context, actorID, action, subjectType, subjectID string, detail map[string]any) error
}

// ActionReportViewed is the audit action recorded for every view or
// download of an equality report.
const ActionReportViewed = "equality.report_viewed"

// Service holds the rules of equality monitoring: what a learner may
// answer, and who may see which aggregate report.
type Service struct {
	db        *db.DB
	store     *Store
	audit     Recorder
	minPeople int
	now       func() time.Time
}

// NewService returns the monitoring service. A report is withheld whole
// when fewer than minPeople people in it have answered the questions
// (configuration checks it is sensible: ONRAMP_REPORT_MIN_PEOPLE). now is
// the clock.
func NewService(d *db.DB, audit Recorder, minPeople int, now func() time.Time) *Service {
	return &Service{db: d, store: NewStore(d.Gorm), audit: audit, minPeople: minPeople, now: now}
}

// OwnAnswers returns a learner's own answers, or nil when they have none.
// It is for that learner's form only: nothing else reads one person's
// answers.
func (s *Service) OwnAnswers(ctx context.Context, userID string) (*Answers, error) {
	return s.store.OwnAnswers(ctx, userID)
}

// SaveAnswers creates or replaces a learner's answers. Every question is
// optional: a question left blank is stored as not answered (and counts
// as "Not answered" in reports, apart from "Prefer not to say", which is
// an answer), and leaving every question blank holds nothing, as
// RemoveAnswers does. It reports whether any answer is now held. Errors:
// Invalid, naming the question of each answer that is not one of its
// own.
//
// Saving is not written to the audit log: the log is readable by admins
// and would otherwise say, per person, who filled in the form.
func (s *Service) SaveAnswers(ctx context.Context, userID string, values map[string]string) (bool, error) {
	var errs []apperr.FieldError
	clean := map[string]string{}
	for _, q := range Questions {
		v := strings.TrimSpace(values[q.Field])
		switch {
		case v == "":
			continue
		case !q.Valid(v):
			errs = append(errs, apperr.FieldError{Field: q.Field, Message: "For \u201c" + q.Legend + "\u201d choose one of the answers in the list"})
		}
		clean[q.Field] = v
	}
	if len(errs) > 0 {
		return false, apperr.InvalidFields(errs...)
	}
	if len(clean) == 0 {
		_, err := s.store.RemoveAnswers(ctx, userID)
		return false, err
	}
	return true, s.store.SaveAnswers(ctx, userID, clean, s.now().UTC())
}

// RemoveAnswers deletes a learner's answers. Removing answers that are
// not there is not an error.
func (s *Service) RemoveAnswers(ctx context.Context, userID string) error {
	_, err := s.store.RemoveAnswers(ctx, userID)
	return err
}

// scopeFor turns a viewer's filters into the report's scope, using the
// one organisation-scope rule (auth.ScopeOf): admins may report on any
// organisation; a manager's scope is always their own organisation,
// whatever they ask for. Errors: as auth.ScopeOf; NotFound for a
// programme, organisation or cohort that does not exist or is not the
// viewer's to know about (another organisation's cohort is "not found",
// not "forbidden", so the answer does not confirm that it exists).
func (s *Service) scopeFor(ctx context.Context, viewer *auth.User, f Filters) (scope, error) {
	sc := scope{programmeSlug: strings.TrimSpace(f.Programme), cohortID: strings.TrimSpace(f.Cohort)}
	org := strings.TrimSpace(f.Organisation)
	allowed, err := auth.ScopeOf(viewer)
	switch {
	case err != nil:
		return sc, err
	case org != "" && !allowed.Includes(org):
		return sc, apperr.New(apperr.NotFound, "There is no such organisation")
	case org != "":
		ok, err := s.store.OrganisationExists(ctx, org)
		if err != nil {
			return sc, err
		}
		if !ok {
			return sc, apperr.New(apperr.NotFound, "There is no such organisation")
		}
		sc.organisationID = org
	case !allowed.All:
		sc.organisationID = allowed.OrganisationID
	}
	if sc.programmeSlug != "" {
		ok, err := s.store.ProgrammeExists(ctx, sc.programmeSlug)
		if err != nil {
			return sc, err
		}
		if !ok {
			return sc, apperr.New(apperr.NotFound, "There is no such programme")
		}
	}
	if sc.cohortID != "" {
		ok, err := s.store.CohortInScope(ctx, sc.cohortID, sc.organisationID)
		if err != nil {
			return sc, err
		}
		if !ok {
			return sc, apperr.New(apperr.NotFound, "There is no such cohort")
		}
	}
	return sc, nil
}

// Report builds the equality report for the viewer's filters and records
// the view in the audit log (format says how it was viewed: html, csv or
// json). It counts people, each once however many enrolments they have;
// it is withheld whole when fewer than the minimum number of people in it
// have answered the questions; otherwise it is suppressed so that no count
// from 1 to 7 is shown or can be worked out, and every count shown is
// adjusted by its cell key. The report's Filters are the ones applied: a
// manager's organisation is filled in. Errors: as scopeFor.
func (s *Service) Report(ctx context.Context, viewer *auth.User, f Filters, format string) (*Report, error) {
	sc, err := s.scopeFor(ctx, viewer, f)
	if err != nil {
		return nil, err
	}
	var counts []categoryRow
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if counts, err = s.store.Counts(ctx, sc); err != nil {
			return err
		}
		subject := "all"
		switch {
		case sc.cohortID != "":
			subject = "cohort:" + sc.cohortID
		case sc.organisationID != "":
			subject = "organisation:" + sc.organisationID
		}
		return s.audit.Record(ctx, viewer.ID, ActionReportViewed, "equality_report", subject, map[string]any{
			"programme": sc.programmeSlug, "organisation": sc.organisationID, "cohort": sc.cohortID, "format": format})
	})
	if err != nil {
		return nil, err
	}
	raw, err := rawTables(counts)
	if err != nil {
		return nil, err
	}
	rep := &Report{
		Filters:   Filters{Programme: sc.programmeSlug, Organisation: sc.organisationID, Cohort: sc.cohortID},
		MinPeople: s.minPeople,
	}
	if answered(raw) < s.minPeople {
		rep.Withheld, rep.WithheldReason = true, s.withheldReason(viewer, f)
		return rep, nil
	}
	rep.Tables = SuppressAll(raw)
	return rep, nil
}

// answered is how many people in the report have answered the question
// the fewest people answered ("Prefer not to say" is an answer). Every
// question is optional, so each is counted apart, and the minimum is of
// them, not of everyone enrolled, because people who never answered
// cannot hide anyone's answers: a report of one person who answered a
// question and nineteen who did not would show that person's answer as
// the only one.
func answered(raw []RawTable) int {
	fewest := -1
	for _, q := range Questions {
		for _, t := range raw {
			if t.Code != q.Field {
				continue
			}
			n := 0
			for _, r := range t.Rows {
				if r.Code != NotAnswered.Code {
					n += r.Enrolled
				}
			}
			if fewest < 0 || n < fewest {
				fewest = n
			}
		}
	}
	return max(fewest, 0)
}

// withheldReason says why a report is not shown and, when the viewer
// narrowed it, how to get one that is. It never gives the number of
// people, only that it is below the minimum.
func (s *Service) withheldReason(viewer *auth.User, f Filters) string {
	why := fmt.Sprintf("This report covers fewer than %d people who have answered the \"About you\" questions, "+
		"so we do not show it: with so few people, someone could work out answers about one person.", s.minPeople)
	switch {
	case strings.TrimSpace(f.Cohort) != "":
		return why + " Choose a wider filter, such as the whole programme."
	case strings.TrimSpace(f.Programme) != "":
		return why + " Choose a wider filter, such as all programmes."
	case strings.TrimSpace(f.Organisation) != "" && viewer.Has(auth.RoleAdmin):
		return why + " Choose a wider filter, such as all organisations."
	}
	return why
}

// rawTables lays the query's counts out as one table per characteristic,
// with a row for every category (zero when nobody is in it). A category
// the definitions do not know is an error, never dropped: dropping it
// would make the rows no longer add up to the total.
func rawTables(counts []categoryRow) ([]RawTable, error) {
	type key struct{ characteristic, category string }
	byKey := map[key]categoryRow{}
	for _, c := range counts {
		byKey[key{c.Characteristic, c.Category}] = c
	}
	used := 0
	table := func(code, title string, cats []Option) RawTable {
		t := RawTable{Code: code, Title: title}
		for _, o := range cats {
			c, ok := byKey[key{code, o.Code}]
			if ok {
				used++
			}
			t.Rows = append(t.Rows, RawRow{Code: o.Code, Label: o.Label, Enrolled: c.People, Completed: c.Completed,
				EnrolledKey: cellKey(c.PeopleKey), CompletedKey: cellKey(c.CompletedKey)})
		}
		return t
	}
	tables := []RawTable{table("age_band", "Age when their first cohort started", AgeBands)}
	for _, q := range Questions {
		tables = append(tables, table(q.Field, q.Title, q.Categories()))
	}
	if used != len(counts) {
		return nil, fmt.Errorf("monitoring: the report query returned %d categories the definitions do not know", len(counts)-used)
	}
	return tables, nil
}

// Choices returns what the report's filters offer the viewer: managers
// choose among their own organisation's cohorts only.
func (s *Service) Choices(ctx context.Context, viewer *auth.User, applied Filters) (FilterChoices, error) {
	var ch FilterChoices
	var err error
	if ch.Programmes, err = s.store.Programmes(ctx); err != nil {
		return ch, err
	}
	org := applied.Organisation
	if viewer.Has(auth.RoleAdmin) {
		if ch.Organisations, err = s.store.Organisations(ctx); err != nil {
			return ch, err
		}
	} else {
		org = viewer.OrganisationID
	}
	if org == "" && !viewer.Has(auth.RoleAdmin) {
		return ch, nil
	}
	ch.Cohorts, err = s.store.Cohorts(ctx, org)
	return ch, err
}

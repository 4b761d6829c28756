package cohorts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/modules/notify"
)

// Import statuses.
const (
	ImportPreview   = "preview"
	ImportConfirmed = "confirmed"
)

// Import is an uploaded spreadsheet of learners for one cohort, checked
// row by row. Nobody is enrolled until a manager confirms it.
type Import struct {
	ID          string
	Cohort      *Cohort
	Filename    string
	SHA256      string
	Status      string
	ValidRows   int
	ErrorRows   int
	CreatedAt   time.Time
	ConfirmedAt *time.Time
	Rows        []ImportRow
	Result      ImportResult // once confirmed
	// SameFileConfirmedAt is when this same file was last confirmed for
	// the cohort in an earlier upload, if it was.
	SameFileConfirmedAt *time.Time
}

// Problems are the rows that will not be added.
func (i *Import) Problems() []ImportRow { return i.rows(false) }

// Ready are the rows that will be added on confirming.
func (i *Import) Ready() []ImportRow { return i.rows(true) }

func (i *Import) rows(valid bool) []ImportRow {
	var out []ImportRow
	for _, r := range i.Rows {
		if r.Valid() == valid {
			out = append(out, r)
		}
	}
	return out
}

// ResultMessage is what a confirmed upload says besides its numbers.
func (i *Import) ResultMessage() string { return ImportResultMessage }

// OverCapacity reports whether confirming would put more learners in the
// cohort than it has places.
func (i *Import) OverCapacity() bool {
	return i.Status == ImportPreview && i.Cohort.Enrolled+i.ValidRows > i.Cohort.Capacity
}

// ImportResult is what confirming an upload did, as the manager is told
// it. Added counts people enrolled and people invited together, on
// purpose: telling them apart would tell the manager who already uses
// Onramp with another organisation.
type ImportResult struct {
	Added        int // newly enrolled or invited
	AlreadyAdded int // in the file but already in the cohort or invited to it
}

// ImportResultMessage is what every confirmed import says, whoever was in
// the file.
const ImportResultMessage = "Everyone added gets an email asking them to sign in. " +
	"Anyone who already uses Onramp with another organisation is asked to accept first; " +
	"they appear on your dashboard when they do. Everyone else is linked to their account when they first sign in."

var errNoImport = apperr.New(apperr.NotFound, "There is no such upload for this cohort")

// PreviewImport reads and checks an uploaded spreadsheet and stores it
// with every row and its problems, enrolling nobody. The whole file is
// refused (Invalid, or TooLarge over 1 MB or 500 learners) when it is
// empty, not a UTF-8 CSV file, or lacks a required column; a cohort
// outside the viewer's scope is NotFound.
func (s *Service) PreviewImport(ctx context.Context, viewer *auth.User, cohortID, filename string, data []byte) (*Import, error) {
	c, err := s.Cohort(ctx, viewer, cohortID)
	if err != nil {
		return nil, err
	}
	recs, err := readCSV(data)
	if err != nil {
		return nil, err
	}
	rules := rowRules{ages: AgesFor(c.ProgrammeSlug), startsOn: c.StartsOn, today: s.Today()}
	rows := make([]ImportRow, len(recs))
	for i, rec := range recs {
		rows[i] = rules.check(rec)
	}
	sum := sha256.Sum256(data)
	name := cleanFilename(filename)
	var id string
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		added, err := s.store.addedEmails(ctx, c.ID)
		if err != nil {
			return err
		}
		crossCheck(rows, added)
		if id, err = s.store.createImport(ctx, c.ID, viewer.ID, name, hex.EncodeToString(sum[:]), rows, s.now()); err != nil {
			return err
		}
		valid := 0
		for _, r := range rows {
			if r.Valid() {
				valid++
			}
		}
		return s.record(ctx, viewer.ID, "cohort.import_uploaded", "cohort", c.ID, map[string]any{
			"import_id": id, "file_sha256": hex.EncodeToString(sum[:]), "rows": len(rows), "valid_rows": valid})
	})
	if err != nil {
		return nil, err
	}
	return s.Import(ctx, viewer, c.ID, id)
}

// Import returns an upload of a cohort the viewer may see, with its rows,
// or NotFound.
func (s *Service) Import(ctx context.Context, viewer *auth.User, cohortID, importID string) (*Import, error) {
	c, err := s.Cohort(ctx, viewer, cohortID)
	if err != nil {
		return nil, err
	}
	h, err := s.store.importHead(ctx, c.ID, importID, false)
	if err != nil {
		return nil, notFound(err, errNoImport)
	}
	rows, err := s.store.importRows(ctx, h.ID, false)
	if err != nil {
		return nil, err
	}
	same, err := s.store.sameFileConfirmed(ctx, c.ID, h.FileSHA256, h.ID)
	if err != nil {
		return nil, err
	}
	return &Import{ID: h.ID, Cohort: c, Filename: h.Filename, SHA256: h.FileSHA256, Status: h.Status,
		ValidRows: h.ValidRows, ErrorRows: h.ErrorRows, CreatedAt: h.CreatedAt, ConfirmedAt: h.ConfirmedAt,
		Rows: rows, Result: resultOf(h), SameFileConfirmedAt: same}, nil
}

// ConfirmImport adds the valid rows of an upload to the cohort, in one
// transaction. Identity provisions each person by email: someone new is
// created with the details in the file and enrolled (linked to their
// account at their first sign-in); someone who already exists is never
// changed, and is enrolled only when no other organisation knows them
// (knownElsewhere), else sent a personal invitation that enrols them when
// they accept. The answer counts both as added, so it reads the same
// whoever was in the file. Confirming an upload again changes nothing and
// returns the first answer, so a double click or a retried request is
// safe. NotFound for an upload or cohort the viewer may not see.
func (s *Service) ConfirmImport(ctx context.Context, viewer *auth.User, cohortID, importID string) (ImportResult, error) {
	c, err := s.Cohort(ctx, viewer, cohortID)
	if err != nil {
		return ImportResult{}, err
	}
	var res ImportResult
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		h, err := s.store.importHead(ctx, c.ID, importID, true)
		if err != nil {
			return notFound(err, errNoImport)
		}
		if h.Status == ImportConfirmed {
			res = resultOf(h)
			return nil
		}
		rows, err := s.store.importRows(ctx, h.ID, true)
		if err != nil {
			return err
		}
		emails := make([]string, len(rows))
		for i, r := range rows {
			emails[i] = r.Email
		}
		if err := s.store.lockPeople(ctx, emails); err != nil {
			return err
		}
		at := s.now()
		var enrolled, invited int
		for _, r := range rows {
			how, err := s.addRow(ctx, viewer, c, h.ID, r, at)
			if err != nil {
				return err
			}
			switch how {
			case addedEnrolled:
				enrolled++
			case addedInvited:
				invited++
			}
		}
		if err := s.store.markConfirmed(ctx, h.ID, enrolled+invited, at); err != nil {
			return err
		}
		h.Status, h.Enrolled = ImportConfirmed, enrolled+invited
		res = resultOf(h)
		return s.record(ctx, viewer.ID, "cohort.import_confirmed", "cohort", c.ID, map[string]any{
			"import_id": h.ID, "added": res.Added, "enrolled": enrolled, "invited": invited,
			"already_added": res.AlreadyAdded, "refused": h.ErrorRows - h.AlreadyFlagged})
	})
	return res, err
}

// How addRow added a row's person, if it did.
const (
	addedNone = iota
	addedEnrolled
	addedInvited
)

// addRow provisions one row's person and enrols or invites them, as
// ConfirmImport says.
func (s *Service) addRow(ctx context.Context, viewer *auth.User, c *Cohort, importID string, r ImportRow, at time.Time) (int, error) {
	userID, created, err := s.people.Provision(ctx, r.Email, r.Name, r.Phone, r.DateOfBirth)
	if err != nil {
		return addedNone, err
	}
	direct := created
	if !created {
		elsewhere, err := s.store.knownElsewhere(ctx, r.Email, c.OrganisationID)
		if err != nil {
			return addedNone, err
		}
		direct = !elsewhere
	}
	if direct {
		added, err := s.store.enrolOnce(ctx, c.ID, userID, at, nil)
		if err != nil || !added {
			return addedNone, err
		}
		return addedEnrolled, s.tell(ctx, welcome(c, s.Today(), userID, r.Name, false))
	}
	// In the cohort already (joined with a code since the preview, say):
	// nothing to invite them to.
	if e, err := s.store.enrolment(ctx, c.ID, userID, false); err != nil || e != nil {
		return addedNone, err
	}
	added, err := s.store.invite(ctx, c.ID, r.Email, r.Name, importID, viewer.ID, at, at.Add(InvitationLifetime))
	if err != nil || !added {
		return addedNone, err
	}
	return addedInvited, s.tell(ctx, welcome(c, s.Today(), userID, r.Name, true))
}

// welcome is the message a person added by an import gets: in their
// notifications, and by email (which says only that there is something
// to read) unless they turned email off. invited: they must accept first.
func welcome(c *Cohort, today time.Time, userID, name string, invited bool) notify.Notification {
	when := ", starting on " + c.StartsOn.Format("2 January 2006")
	if c.StartsOn.Before(today) {
		when = ", which started on " + c.StartsOn.Format("2 January 2006") + " and is running now"
	}
	hello := "Hello"
	if first := notify.FirstName(name); first != "" {
		hello += " " + first
	}
	n := notify.Notification{UserID: userID, Kind: "cohort.enrolled", Link: "/learn/" + c.ProgrammeSlug,
		DedupeKey: "cohort.enrolled:" + c.ID,
		Title:     "You have a place on " + c.ProgrammeTitle,
		Body: hello + ". " + c.OrganisationName + " has given you a place on " + c.ProgrammeTitle + when +
			". Sign in to Onramp to start your first lesson. It takes about 10 minutes."}
	if invited {
		n.Kind, n.Link, n.DedupeKey = "cohort.invited", "/join", "cohort.invited:"+c.ID
		n.Title = "You are invited to join " + c.ProgrammeTitle
		n.Body = hello + ". " + c.OrganisationName + " has invited you to join " + c.ProgrammeTitle + when +
			". Sign in to Onramp to accept or say no thanks."
	}
	return n
}

// tell sends n in the caller's transaction, when there is a notifier.
func (s *Service) tell(ctx context.Context, n notify.Notification) error {
	if s.notes == nil {
		return nil
	}
	return s.notes.Notify(ctx, n)
}

// resultOf is a confirmed upload's answer, worked out from what is stored
// so that asking again gives the same numbers.
func resultOf(h *importHead) ImportResult {
	if h.Status != ImportConfirmed {
		return ImportResult{}
	}
	return ImportResult{Added: h.Enrolled, AlreadyAdded: h.ValidRows - h.Enrolled + h.AlreadyFlagged}
}

// cleanFilename keeps the base name of an upload, for showing back.
func cleanFilename(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "." || name == "/" {
		return ""
	}
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	return strings.ToValidUTF8(name, "")
}

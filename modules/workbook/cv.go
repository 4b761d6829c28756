package workbook

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"unicode"
)

// CVInput is a CV as typed into its form: up to MaxEntries jobs and
// courses, of which those left empty are dropped.
type CVInput struct {
	FullName, Town, Phone, Email string
	Statement                    string
	Experience, Education        [MaxEntries]Entry
	Skills                       string
}

// Limits of a CV, in characters.
const (
	MaxName      = 80
	MaxTown      = 60
	MaxPhone     = 20
	MaxEmail     = 120
	MaxStatement = 800
	MaxTitle     = 80
	MaxDates     = 40
	MaxDetails   = 400
	MaxSkills    = 400
)

// Input is the CV as its form shows it.
func (cv CV) Input() CVInput {
	in := CVInput{FullName: cv.FullName, Town: cv.Town, Phone: cv.Phone, Email: cv.Email, Statement: cv.Statement, Skills: cv.Skills}
	copy(in.Experience[:], cv.Experience)
	copy(in.Education[:], cv.Education)
	return in
}

func (in CVInput) validate() (CV, error) {
	var c checker
	cv := CV{
		FullName:  c.text("full-name", in.FullName, "Enter your full name", "Your name", MaxName),
		Town:      c.text("town", in.Town, "", "Your town", MaxTown),
		Phone:     c.text("phone", in.Phone, "", "Your phone number", MaxPhone),
		Email:     c.text("email", in.Email, "", "Your email address", MaxEmail),
		Statement: c.text("statement", in.Statement, "Enter a few sentences about you and the job you want", "Your personal statement", MaxStatement),
		Skills:    c.text("skills", in.Skills, "", "Your skills", MaxSkills),
	}
	digits := 0
	for _, r := range cv.Phone {
		switch {
		case unicode.IsDigit(r):
			digits++
		case !strings.ContainsRune(" +()-", r):
			digits = -100
		}
	}
	switch {
	case cv.Phone == "" && cv.Email == "":
		c.add("phone", "Enter a phone number or an email address, so an employer can contact you")
	case cv.Phone != "" && (digits < 10 || digits > 15):
		c.add("phone", "Enter a phone number, like 07700 900 982")
	}
	if a, err := mail.ParseAddress(cv.Email); cv.Email != "" && (err != nil || a.Address != cv.Email) {
		c.add("email", "Enter an email address in the right format, like name@example.com")
	}
	cv.Experience = c.entries(experience, in.Experience)
	cv.Education = c.entries(education, in.Education)
	return cv, c.err()
}

// entryKind names the fields of a CV's jobs or courses, for messages.
type entryKind struct{ id, name, title, details string }

var (
	experience = entryKind{"experience", "job", "job or role", "What you did"}
	education  = entryKind{"education", "course", "course or qualification", "What you learned"}
)

// entries returns the entries that are not empty, checking each.
func (c *checker) entries(k entryKind, in [MaxEntries]Entry) []Entry {
	out := []Entry{}
	for i, e := range in {
		if strings.TrimSpace(e.Title+e.Place+e.Dates+e.Details) == "" {
			continue
		}
		id := fmt.Sprintf("%s-%d-", k.id, i+1)
		which := fmt.Sprintf(" for %s %d", k.name, i+1)
		out = append(out, Entry{
			Title:   c.text(id+"title", e.Title, "Enter the "+k.title+which, "The "+k.title+which, MaxTitle),
			Place:   c.text(id+"place", e.Place, "Enter where"+which, "Where"+which, MaxTitle),
			Dates:   c.text(id+"dates", e.Dates, "", "When"+which, MaxDates),
			Details: c.text(id+"details", e.Details, "", k.details+which, MaxDetails),
		})
	}
	return out
}

// CV returns the learner's saved CV. Errors: NotFound when they have not
// saved one.
func (s *Service) CV(ctx context.Context, learnerID string) (CV, error) {
	cv, err := s.store.CV(ctx, learnerID)
	return cv, notFound(err, errNoCV)
}

// SaveCV saves the learner's CV. Errors: Invalid naming each field.
func (s *Service) SaveCV(ctx context.Context, learnerID string, in CVInput) error {
	cv, err := in.validate()
	if err != nil {
		return err
	}
	cv.UserID, cv.UpdatedAt = learnerID, s.now()
	return s.store.SaveCV(ctx, cv)
}

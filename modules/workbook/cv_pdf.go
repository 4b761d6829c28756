package workbook

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/go-pdf/fpdf"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/app/pdffont"
)

// References is what every CV says about references: a learner gives
// their referees' names to an employer who asks, not to everyone.
const References = "References available on request."

// contact is the CV's contact line: town, phone and email, those given.
func (cv CV) contact() string {
	return strings.Join(slices.DeleteFunc([]string{cv.Town, cv.Phone, cv.Email}, func(s string) bool { return s == "" }), "  |  ")
}

// section is one headed part of a CV, in order: its entries or its text.
type section struct {
	heading string
	text    string
	entries []Entry
}

func (cv CV) sections() []section {
	all := []section{
		{heading: "Personal statement", text: cv.Statement},
		{heading: "Experience", entries: cv.Experience},
		{heading: "Education and training", entries: cv.Education},
		{heading: "Skills", text: cv.Skills},
		{heading: "References", text: References},
	}
	return slices.DeleteFunc(all, func(s section) bool { return s.text == "" && len(s.entries) == 0 })
}

// entryLine is an entry's first line: what, where and when.
func (e Entry) line() string {
	s := e.Title + ", " + e.Place
	if e.Dates != "" {
		s += " (" + e.Dates + ")"
	}
	return s
}

// Text is the CV as plain text, for pasting into an application form.
func (cv CV) Text() string {
	var b strings.Builder
	b.WriteString(cv.FullName + "\n")
	if c := cv.contact(); c != "" {
		b.WriteString(c + "\n")
	}
	for _, s := range cv.sections() {
		b.WriteString("\n" + strings.ToUpper(s.heading) + "\n\n")
		if s.text != "" {
			b.WriteString(s.text + "\n")
		}
		for i, e := range s.entries {
			if i > 0 {
				b.WriteString("\n")
			}
			b.WriteString(e.line() + "\n")
			if e.Details != "" {
				b.WriteString(e.Details + "\n")
			}
		}
	}
	return b.String()
}

// PDF draws the CV on one A4 page: the name large, the contact line, then
// headed sections. Errors: Invalid naming the longest parts to make
// shorter when it does not fit; nothing is ever cut.
func (cv CV) PDF() ([]byte, error) {
	const margin, line = 18.0, 5.0
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle("CV: "+cv.FullName, true)
	pdf.SetAuthor(cv.FullName, true)
	pdf.SetCreator("Onramp", true)
	pdf.SetCreationDate(cv.UpdatedAt)
	pdf.SetModificationDate(cv.UpdatedAt)
	pdffont.Add(pdf)
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, margin)
	pdf.AddPage()
	pageWidth, _ := pdf.GetPageSize()
	width := pageWidth - 2*margin
	ink := func() { pdf.SetTextColor(33, 43, 50) } // NHS near-black
	text := func(style string, size float64, s string) {
		pdf.SetFont(pdffont.Family, style, size)
		pdf.MultiCell(width, size*0.5, s, "", "L", false)
	}

	ink()
	text("B", 22, cv.FullName)
	if c := cv.contact(); c != "" {
		pdf.Ln(1)
		pdf.SetTextColor(75, 90, 100)
		text("", 10, c)
	}
	for _, s := range cv.sections() {
		pdf.Ln(line)
		pdf.SetTextColor(0, 94, 184) // NHS blue
		text("B", 12, s.heading)
		y := pdf.GetY() + 0.5
		pdf.SetDrawColor(0, 94, 184)
		pdf.SetLineWidth(0.3)
		pdf.Line(margin, y, margin+width, y)
		pdf.Ln(2.5)
		ink()
		if s.text != "" {
			text("", 10, s.text)
		}
		for i, e := range s.entries {
			if i > 0 {
				pdf.Ln(2)
			}
			text("B", 10, e.line())
			if e.Details != "" {
				text("", 10, e.Details)
			}
		}
	}
	if pdf.PageNo() > 1 {
		return nil, cv.tooLong()
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("workbook: unable to draw the CV: %w", err)
	}
	return buf.Bytes(), nil
}

// tooLong names the three longest parts of the CV a learner can shorten,
// each pointing at its field.
func (cv CV) tooLong() error {
	type part struct {
		field, name string
		words       int
	}
	parts := []part{{"statement", "your personal statement", len(strings.Fields(cv.Statement))},
		{"skills", "your skills", len(strings.Fields(cv.Skills))}}
	for i, e := range cv.Experience {
		parts = append(parts, part{fmt.Sprintf("experience-%d-details", i+1), fmt.Sprintf("what you did for job %d", i+1), len(strings.Fields(e.Details))})
	}
	for i, e := range cv.Education {
		parts = append(parts, part{fmt.Sprintf("education-%d-details", i+1), fmt.Sprintf("what you learned for course %d", i+1), len(strings.Fields(e.Details))})
	}
	slices.SortStableFunc(parts, func(a, b part) int { return b.words - a.words })
	var c checker
	for i, p := range parts[:3] {
		switch {
		case p.words == 0:
		case i == 0:
			c.add(p.field, fmt.Sprintf("Your CV is too long for one page. Make %s shorter (it has %d words).", p.name, p.words))
		default:
			c.add(p.field, fmt.Sprintf("Or make %s shorter (it has %d words).", p.name, p.words))
		}
	}
	if len(c.errs) == 0 {
		c.add("statement", "Your CV is too long for one page. Make it shorter.")
	}
	return c.err()
}

// CVPDF is the learner's CV as a one-page PDF. Errors: NotFound when they
// have not saved one, Invalid as CV.PDF.
func (s *Service) CVPDF(ctx context.Context, learnerID string) ([]byte, error) {
	cv, err := s.CV(ctx, learnerID)
	if err != nil {
		return nil, err
	}
	return cv.PDF()
}

// MenteeCVPDF is the CV of the mentee of the mentor's active mentorship,
// as a PDF without their phone number and email (see MenteeWorkbook),
// and records in the audit log that the mentor downloaded it. Errors:
// NotFound for anyone else's mentorship, an ended one, or no CV;
// Conflict when it does not fit on one page.
func (s *Service) MenteeCVPDF(ctx context.Context, mentor *auth.User, mentorshipID string) ([]byte, error) {
	learnerID, name, err := s.menteeOf(ctx, mentor, mentorshipID, "workbook.cv_downloaded")
	if err != nil {
		return nil, err
	}
	cv, err := s.store.CV(ctx, learnerID)
	if err != nil {
		return nil, notFound(err, apperr.New(apperr.NotFound, name+" has not saved a CV yet"))
	}
	cv.hideContacts(s.hideContactDetails)
	pdf, err := cv.PDF()
	if err != nil && apperr.As(err).Kind == apperr.Invalid {
		return nil, apperr.New(apperr.Conflict, name+"’s CV does not fit on one page yet, so it cannot be downloaded. "+name+" can make it shorter.")
	}
	return pdf, err
}

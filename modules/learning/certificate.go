package learning

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"

	"onramp/app/pdffont"
)

// Length says how long a certificate's lessons take, the way an employer
// reads it: "about 3 hours", "about 2.5 hours", "about 40 minutes".
// Empty for a certificate issued before lengths were recorded.
func (c Certificate) Length() string {
	switch {
	case c.Minutes <= 0:
		return ""
	case c.Minutes < 60:
		return fmt.Sprintf("about %d minutes", c.Minutes)
	}
	halves := (c.Minutes + 15) / 30
	h := fmt.Sprintf("%d", halves/2)
	if halves%2 == 1 {
		h += ".5"
	}
	if h == "1" {
		return "about 1 hour"
	}
	return "about " + h + " hours"
}

// certificatePDF draws a one-page landscape certificate: the learner's
// name, the programme, the date and the code anyone can check at verify.
func certificatePDF(c *Certificate, verify string) ([]byte, error) {
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetTitle("Certificate: "+c.ProgrammeTitle, true)
	pdf.SetAuthor("Onramp", true)
	pdf.SetCreationDate(c.IssuedAt)
	pdf.SetModificationDate(c.IssuedAt)
	pdffont.Add(pdf)
	pdf.SetMargins(25, 25, 25)
	pdf.SetAutoPageBreak(false, 0)
	pdf.AddPage()

	w, h := pdf.GetPageSize()
	pdf.SetDrawColor(0, 94, 184) // NHS blue
	pdf.SetLineWidth(2)
	pdf.Rect(12, 12, w-24, h-24, "D")

	line := func(y float64, style string, size float64, text string) {
		pdf.SetFont(pdffont.Family, style, size)
		pdf.SetXY(25, y)
		pdf.CellFormat(w-50, size*0.6, text, "", 0, "C", false, 0, "")
	}
	pdf.SetTextColor(0, 94, 184)
	line(28, "B", 16, "Onramp")
	line(36, "", 10, "Courses and mentoring for careers in the NHS and social care")
	pdf.SetTextColor(33, 43, 50)
	line(48, "", 16, "This certifies that")
	line(62, "B", 30, c.LearnerName)
	line(84, "", 16, "has completed the programme")
	line(98, "B", 24, c.ProgrammeTitle)
	done := "Completed on " + c.IssuedAt.UTC().Format("2 January 2006")
	if l := c.Length(); l != "" {
		done = l + " of online lessons. " + done
		done = strings.ToUpper(done[:1]) + done[1:]
	}
	line(116, "", 13, done)
	if len(c.Modules) > 0 {
		pdf.SetFont(pdffont.Family, "", 11)
		pdf.SetXY(40, 128)
		pdf.MultiCell(w-80, 6, "It covered: "+strings.Join(c.Modules, "; ")+".", "", "C", false)
	}
	pdf.SetTextColor(75, 90, 100)
	line(168, "", 11, "Verification code: "+c.Code)
	line(176, "", 11, "Check this certificate at "+verify)

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

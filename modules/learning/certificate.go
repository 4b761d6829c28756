package learning

import (
	"bytes"
	_ "embed"

	"github.com/go-pdf/fpdf"
)

// DejaVu Sans covers the letters of learners' names in every European and
// many other scripts, which the PDF core fonts do not. Licence beside it.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

// certificatePDF draws a one-page landscape certificate: the learner's
// name, the programme, the date and the code anyone can check at verify.
func certificatePDF(c *Certificate, verify string) ([]byte, error) {
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetTitle("Certificate: "+c.ProgrammeTitle, true)
	pdf.SetAuthor("Onramp", true)
	pdf.SetCreationDate(c.IssuedAt)
	pdf.SetModificationDate(c.IssuedAt)
	pdf.AddUTF8FontFromBytes("DejaVu", "", fontRegular)
	pdf.AddUTF8FontFromBytes("DejaVu", "B", fontBold)
	pdf.SetMargins(25, 25, 25)
	pdf.SetAutoPageBreak(false, 0)
	pdf.AddPage()

	w, h := pdf.GetPageSize()
	pdf.SetDrawColor(0, 94, 184) // NHS blue
	pdf.SetLineWidth(2)
	pdf.Rect(12, 12, w-24, h-24, "D")

	line := func(y float64, style string, size float64, text string) {
		pdf.SetFont("DejaVu", style, size)
		pdf.SetXY(25, y)
		pdf.CellFormat(w-50, size*0.6, text, "", 0, "C", false, 0, "")
	}
	pdf.SetTextColor(0, 94, 184)
	line(35, "B", 16, "Onramp")
	pdf.SetTextColor(33, 43, 50)
	line(58, "", 18, "This certifies that")
	line(78, "B", 32, c.LearnerName)
	line(104, "", 18, "has completed the programme")
	line(122, "B", 26, c.ProgrammeTitle)
	line(146, "", 14, "Completed on "+c.IssuedAt.UTC().Format("2 January 2006"))
	pdf.SetTextColor(75, 90, 100)
	line(170, "", 11, "Verification code: "+c.Code)
	line(178, "", 11, "Check this certificate at "+verify)

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

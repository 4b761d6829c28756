// Package pdffont gives PDFs drawn with fpdf a font that has the letters
// of learners' names in every European and many other scripts, which the
// PDF core fonts do not: DejaVu Sans, regular and bold (licence in fonts/).
package pdffont

import (
	_ "embed"

	"github.com/go-pdf/fpdf"
)

// Family is the font family name to pass to SetFont after Add.
const Family = "DejaVu"

var (
	//go:embed fonts/DejaVuSans.ttf
	regular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	bold []byte
)

// Add registers Family, styles "" and "B", with pdf.
func Add(pdf *fpdf.Fpdf) {
	pdf.AddUTF8FontFromBytes(Family, "", regular)
	pdf.AddUTF8FontFromBytes(Family, "B", bold)
}

// Package sheet writes tables for people to open in a spreadsheet, as CSV
// or an Excel workbook, and sends them as downloads. It holds the one rule
// for making a cell safe to open (SafeCell) and the one set of download
// headers, so every export in Onramp behaves the same.
//
// Every export also writes its cells one way: headers in words a manager
// reads ("Conversion rate (%)"), counts and rates as plain numbers (rates
// in whole percent, rounded by app/percent, the unit in the header), dates
// as 2027-03-01 and times as 2027-03-01 14:05 in UK time, so a column can
// be summed or sorted without cleaning it first.
package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"html"
	"io"
	"net/http"
	"strings"
)

// SafeCell makes a value safe to open in a spreadsheet. Excel, Sheets and
// LibreOffice read text starting with = + - or @ as a formula (and some
// strip a leading tab or carriage return first), so a learner called
// "=HYPERLINK(...)" could run one on a manager's machine. Such a value
// gets a leading apostrophe, which spreadsheets show as plain text.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// bom is the UTF-8 byte-order mark: without it Excel reads a CSV file as
// the machine's legacy code page and garbles names like Zoë.
const bom = "\ufeff"

// WriteCSV writes rows as CSV, starting with a UTF-8 byte-order mark, with
// every cell made safe (SafeCell). The first row is the header.
func WriteCSV(w io.Writer, rows [][]string) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	for _, r := range rows {
		safe := make([]string, len(r))
		for i, c := range r {
			safe[i] = SafeCell(c)
		}
		if err := cw.Write(safe); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes rows as a one-sheet Excel workbook whose sheet is named
// after title. Every cell is an inline string (never a formula), and made
// safe as in SafeCell too, so a copy-paste into another sheet stays
// harmless.
func WriteXLSX(w io.Writer, title string, rows [][]string) error {
	zw := zip.NewWriter(w)
	files := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="` + html.EscapeString(sheetName(title)) + `" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
	}
	for _, f := range files {
		fw, err := zw.Create(f.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(fw, f.body); err != nil {
			return err
		}
	}
	fw, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for i, r := range rows {
		fmt.Fprintf(&b, `<row r="%d">`, i+1)
		for j, c := range r {
			fmt.Fprintf(&b, `<c r="%s%d" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>`, column(j), i+1, xmlText(SafeCell(c)))
		}
		b.WriteString(`</row>`)
	}
	b.WriteString(`</sheetData></worksheet>`)
	if _, err := io.WriteString(fw, b.String()); err != nil {
		return err
	}
	return zw.Close()
}

// Format is a kind of spreadsheet file to send.
type Format struct {
	ext         string
	contentType string
	write       func(w io.Writer, title string, rows [][]string) error
}

// The formats Send can write.
var (
	CSV  = Format{"csv", "text/csv; charset=utf-8", func(w io.Writer, _ string, rows [][]string) error { return WriteCSV(w, rows) }}
	XLSX = Format{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", WriteXLSX}
)

// Send writes rows to w as a file to download in format f, named name
// (made safe for a header, with the format's extension added); title
// names a workbook's sheet. The file is written in full before anything
// is sent, so a failure is a clean error rather than half a file. It is
// never cached: exports hold personal data.
func Send(w http.ResponseWriter, f Format, name, title string, rows [][]string) error {
	var buf bytes.Buffer
	if err := f.write(&buf, title, rows); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Content-Disposition", `attachment; filename="`+Filename(name)+"."+f.ext+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(buf.Bytes())
	return err
}

// Filename makes name safe to put in a Content-Disposition header and on
// anyone's disk: letters, digits, dots, hyphens and underscores are kept,
// anything else becomes a hyphen, and it is cut to 100 characters.
func Filename(name string) string {
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, name)
	name = strings.TrimLeft(name, ".") // never a hidden file
	if len(name) > 100 {
		name = name[:100]
	}
	if name == "" {
		name = "download"
	}
	return name
}

// column is a spreadsheet column letter: 0 -> A, 25 -> Z, 26 -> AA.
func column(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// xmlText escapes s for XML and drops characters XML cannot hold.
func xmlText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r != 0xFFFE && r != 0xFFFF {
			return r
		}
		return -1
	}, s)
	return html.EscapeString(s)
}

// sheetName fits Excel's rules: at most 31 characters, none of []:*?/\.
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return ' '
		}
		return r
	}, s)
	if len([]rune(s)) > 31 {
		s = string([]rune(s)[:31])
	}
	if strings.TrimSpace(s) == "" {
		s = "Sheet1"
	}
	return s
}

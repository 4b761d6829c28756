package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestSafeCellNeutralisesEveryFormulaStart(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://evil.example","click")`: `'=HYPERLINK("http://evil.example","click")`,
		"+44 7700 900123": "'+44 7700 900123",
		"-1+2":            "'-1+2",
		"@SUM(A1:A2)":     "'@SUM(A1:A2)",
		"\t=1":            "'\t=1",
		"\r=1":            "'\r=1",
		"Amira":           "Amira",
		"a=b":             "a=b",
		"0.4000":          "0.4000",
		"[c]":             "[c]",
		"":                "",
	} {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

var rows = [][]string{{"Name", "Note"}, {`=HYPERLINK("http://evil.example","click")`, "Zoë"}, {"@cohort", "-2"}}

func TestCSVStartsWithAByteOrderMarkAndHasNoLiveFormula(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	body, ok := strings.CutPrefix(b.String(), "\ufeff")
	if !ok {
		t.Fatal("the CSV does not start with a UTF-8 byte-order mark")
	}
	got, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"Name", "Note"}, {`'=HYPERLINK("http://evil.example","click")`, "Zoë"}, {"'@cohort", "'-2"}}
	if len(got) != len(want) {
		t.Fatalf("read back %q", got)
	}
	for i := range want {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestXLSXHoldsOnlyInlineTextAndNoLiveFormula(t *testing.T) {
	var b bytes.Buffer
	if err := WriteXLSX(&b, "Cohort: one/two", rows); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatalf("the workbook is not a zip: %v", err)
	}
	parts := map[string]string{}
	for _, f := range zr.File {
		r, _ := f.Open()
		body, _ := io.ReadAll(r)
		parts[f.Name] = string(body)
	}
	sheet := parts["xl/worksheets/sheet1.xml"]
	if strings.Contains(sheet, "<f>") || strings.Count(sheet, `t="inlineStr"`) != 6 {
		t.Errorf("the sheet has formulas or cells that are not inline text:\n%s", sheet)
	}
	for _, want := range []string{`<t xml:space="preserve">&#39;=HYPERLINK(`, `<t xml:space="preserve">&#39;@cohort</t>`, `r="B3"`} {
		if !strings.Contains(sheet, want) {
			t.Errorf("the sheet has no %q:\n%s", want, sheet)
		}
	}
	if !strings.Contains(parts["xl/workbook.xml"], `name="Cohort  one two"`) {
		t.Errorf("the sheet name keeps characters Excel refuses: %s", parts["xl/workbook.xml"])
	}
	if got := column(0) + column(25) + column(26) + column(701); got != "AZAAZZ" {
		t.Errorf("columns = %q", got)
	}
}

func TestSendSetsTheSameDownloadHeadersForEveryExport(t *testing.T) {
	for _, tc := range []struct {
		format   Format
		ctype    string
		filename string
		start    string
	}{
		{CSV, "text/csv; charset=utf-8", `attachment; filename="cohort-Spring--2027---A-B.csv"`, "\ufeffName,Note"},
		{XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", `attachment; filename="cohort-Spring--2027---A-B.xlsx"`, "PK"},
	} {
		rec := httptest.NewRecorder()
		if err := Send(rec, tc.format, "cohort-Spring \"2027\"\r\nA/B", "Spring", rows); err != nil {
			t.Fatal(err)
		}
		h := rec.Header()
		if rec.Code != http.StatusOK || h.Get("Content-Type") != tc.ctype || h.Get("Content-Disposition") != tc.filename ||
			h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d %v", tc.ctype, rec.Code, h)
		}
		if !strings.HasPrefix(rec.Body.String(), tc.start) {
			t.Errorf("%s: body starts %.20q", tc.ctype, rec.Body.String())
		}
	}
	for in, want := range map[string]string{"": "download", "../../etc/passwd": "-..-etc-passwd", "équipe": "-quipe",
		strings.Repeat("a", 300): strings.Repeat("a", 100)} {
		if got := Filename(in); got != want {
			t.Errorf("Filename(%q) = %q, want %q", in, got, want)
		}
	}
}

package cohorts_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"onramp/app/testenv"
)

func TestEachSpreadsheetRowProblemIsReportedInPlainEnglish(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	manager := srv.SignIn(t, "manager@example.org")
	today := time.Now().UTC().Truncate(24 * time.Hour)
	getInto, _ := MustCreateCohort(t, trust, "get-into", 30, 72)
	stepInto, _ := MustCreateCohort(t, trust, "step-into-work", 30, 100)
	start := today.AddDate(0, 0, 30)
	enrolledID, enrolledEmail := MustCreateLearner(t, "Already Here")
	MustEnrol(t, getInto, enrolledID)
	ok := dob(start, 20, "02/01/2006")

	type want struct {
		row          int
		field, words string // words: part of the message, any case
	}
	cases := []struct {
		name   string
		cohort string
		csv    string
		want   []want // every error expected; none means the rows are all valid
	}{
		{"name missing", getInto, "name,email,date_of_birth\n,amy@example.org," + ok, []want{{2, "name", "name is missing"}}},
		{"email not an address", getInto, "name,email,date_of_birth\nAmy Lee,amy.example.org," + ok,
			[]want{{2, "email", "is not a valid email address"}}},
		{"email missing", getInto, "name,email,date_of_birth\nAmy Lee,," + ok, []want{{2, "email", "email address is missing"}}},
		{"date not a date", getInto, "name,email,date_of_birth\nAmy Lee,amy@example.org,14th March 2008",
			[]want{{2, "date_of_birth", "is not a date"}}},
		{"date impossible", getInto, "name,email,date_of_birth\nAmy Lee,amy@example.org,31/02/2008",
			[]want{{2, "date_of_birth", "31/02/2008 is not a real date"}}},
		{"date in the future", getInto, "name,email,date_of_birth\nAmy Lee,amy@example.org," + today.AddDate(0, 0, 3).Format("02/01/2006"),
			[]want{{2, "date_of_birth", "is in the future"}}},
		{"date missing", getInto, "name,email,date_of_birth\nAmy Lee,amy@example.org,", []want{{2, "date_of_birth", "date of birth is missing"}}},
		{"too young for Get Into", getInto, "name,email,date_of_birth\nAmy Lee,amy@example.org," + dob(start, 15, "2006-01-02"),
			[]want{{2, "date_of_birth", "must be 16 to 30 on the start date"}}},
		{"too old for Get Into", getInto, "name,email,date_of_birth\nAmy Lee,amy@example.org," + dob(start, 31, "02-01-2006"),
			[]want{{2, "date_of_birth", "must be 16 to 30 on the start date"}}},
		{"too young for Step into Work", stepInto, "name,email,date_of_birth\nAmy Lee,amy@example.org," + dob(start, 18, "02/01/2006"),
			[]want{{2, "date_of_birth", "must be 19 or over on the start date"}}},
		{"phone too short", getInto, "name,email,date_of_birth,phone\nAmy Lee,amy@example.org," + ok + ",07700 900",
			[]want{{2, "phone", "is not a uk phone number"}}},
		{"phone not UK", getInto, "name,email,date_of_birth,phone\nAmy Lee,amy@example.org," + ok + ",+1 202 555 0100",
			[]want{{2, "phone", "is not a uk phone number"}}},
		{"phone with letters", getInto, "name,email,date_of_birth,phone\nAmy Lee,amy@example.org," + ok + ",call me",
			[]want{{2, "phone", "is not a uk phone number"}}},
		{"same email twice", getInto, "name,email,date_of_birth\nAmy Lee,amy@example.org," + ok + "\nAmy L,AMY@example.org," + ok,
			[]want{{3, "email", "same email address as row 2"}}},
		{"already enrolled", getInto, "name,email,date_of_birth\nAlready Here," + enrolledEmail + "," + ok,
			[]want{{2, "email", "already added to this cohort"}}},
		{"several problems on several rows", getInto,
			"name,email,date_of_birth,phone\nAmy Lee,amy@example.org," + ok + ",\n,bad," + ok + ",123\n\nBo Yu,bo@example.org,30/02/2009,",
			[]want{{3, "name", "name is missing"}, {3, "email", "not a valid email"}, {3, "phone", "not a uk phone"},
				{5, "date_of_birth", "not a real date"}}},
		{"every accepted date form, phone form, BOM, odd header case and extra columns", getInto,
			"\ufeffEmail,Name,Date of Birth,Notes,PHONE\r\n" +
				"a1@example.org,Ann One," + dob(start, 17, "2006-01-02") + ",hi,07700 900123\r\n" +
				"a2@example.org,Ann Two," + dob(start, 22, "02/01/2006") + ",,+44 7700 900123\r\n" +
				"a3@example.org,Ann Three," + dob(start, 30, "02-01-2006") + ",,\r\n", nil},
		{"semicolons", getInto, "name;email;date_of_birth\n\"Lee, Amy\";amy@example.org;" + ok + "\n", nil},
		{"a cell over two lines keeps spreadsheet row numbers", getInto,
			"name,email,date_of_birth\n\"Amy\nLee\",amy@example.org," + ok + "\nBo,bad," + ok, []want{{3, "email", "not a valid email"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var a importAnswer
			if status := apiUpload(t, manager, tc.cohort, []byte(tc.csv), &a); status != http.StatusCreated {
				t.Fatalf("upload: %d %+v", status, a)
			}
			if len(a.Errors) != len(tc.want) {
				t.Errorf("got %d errors, want %d: %+v", len(a.Errors), len(tc.want), a.Errors)
			}
			for _, w := range tc.want {
				found := false
				for _, e := range a.Errors {
					if e.Row == w.row && e.Field == w.field && strings.Contains(strings.ToLower(e.Message), w.words) {
						found = true
					}
				}
				if !found {
					t.Errorf("no error on row %d, %s, saying %q: %+v", w.row, w.field, w.words, a.Errors)
				}
			}
			if tc.want == nil && a.ValidRows != a.Rows {
				t.Errorf("%d of %d rows valid", a.ValidRows, a.Rows)
			}
		})
	}
	if n := enrolledCount(t, g, getInto); n != 1 {
		t.Errorf("uploads enrolled %d learners before any confirm, want only the 1 already there", n-1)
	}
}

func TestFilesThatAreNotUsableSpreadsheetsAreRefused(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	manager := srv.SignIn(t, "manager@example.org")
	cohortID, _ := MustCreateCohort(t, trust, "get-into", 10, 52)
	row := func(i int) string { return fmt.Sprintf("Learner %d,l%d@example.org,01/01/2004\n", i, i) }
	var many strings.Builder
	many.WriteString("name,email,date_of_birth\n")
	for i := range 501 {
		many.WriteString(row(i))
	}
	justOverOneMB := "name,email,date_of_birth\n" + strings.Repeat("x", 1_000_001)
	cases := []struct {
		name   string
		body   []byte
		status int
		words  string
	}{
		{"empty", nil, 422, "the file is empty"},
		{"only a byte order mark and spaces", []byte("\ufeff  \n"), 422, "the file is empty"},
		{"header but no learners", []byte("name,email,date_of_birth\n"), 422, "no learners"},
		{"no date_of_birth column", []byte("name,email,dob\nAmy,amy@example.org,01/01/2004\n"), 422, "no “date_of_birth” column"},
		{"no email or date_of_birth", []byte("name,mail\nAmy,amy@example.org\n"), 422, "no “email” and “date_of_birth” columns"},
		{"binary", []byte("name,email\x00\x01\x02,date_of_birth\n"), 422, "not a csv file"},
		{"an Excel workbook", []byte("PK\x03\x04\x14\x00\x06\x00rest of a zip"), 422, "excel workbook"},
		{"Latin-1, not UTF-8", []byte("name,email,date_of_birth\nZo\xeb Smith,zoe@example.org,01/01/2004\n"), 422, "not saved as utf-8"},
		{"UTF-16", append([]byte{0xff, 0xfe}, []byte("n\x00a\x00m\x00e\x00")...), 422, "not saved as utf-8"},
		{"more than 500 learners", []byte(many.String()), 413, "more than 500 learners"},
		// The server's body limit (1 MB) refuses these before the import
		// reads them, in its own words.
		{"just over 1 MB", []byte(justOverOneMB), 413, "too large"},
		{"far over 1 MB", bytes.Repeat([]byte("a,b,c\n"), 400_000), 413, "too large"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p problem
			status := apiUpload(t, manager, cohortID, tc.body, &p)
			if status != tc.status {
				t.Errorf("status %d, want %d (%+v)", status, tc.status, p)
			}
			msg := p.Detail
			for _, e := range p.Errors {
				msg += " " + e.Field + ": " + e.Message
			}
			if !strings.Contains(strings.ToLower(msg), tc.words) {
				t.Errorf("refusal %q does not say %q", msg, tc.words)
			}
		})
	}
	var stored int
	g.Raw("SELECT count(*) FROM enrolment_imports WHERE cohort_id = ?", cohortID).Scan(&stored)
	if stored != 0 || enrolledCount(t, g, cohortID) != 0 {
		t.Errorf("refused files left %d uploads and %d enrolments", stored, enrolledCount(t, g, cohortID))
	}

	// The same refusal through the page: the message beside the file input.
	resp := upload(t, manager, "/manage/cohorts/"+cohortID+"/import", "learners.xlsx", []byte("PK\x03\x04zip"),
		map[string]string{"_csrf": manager.CSRF})
	body := testenv.Body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "nhsuk-error-summary") ||
		!strings.Contains(body, `id="file-error"`) || !strings.Contains(body, "Excel workbook") {
		t.Errorf("the upload page does not show the refusal: %d\n%.2000s", resp.StatusCode, body)
	}
}

func TestNobodyIsEnrolledUntilConfirmAndAReuploadEnrolsNobodyTwice(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	manager := srv.SignIn(t, "manager@example.org")
	srv.SignIn(t, "learner3@example.org") // signed in, so their name is theirs
	cohortID, _ := MustCreateCohort(t, trust, "get-into", 5, 47)
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 5)
	file := []byte("name,email,date_of_birth,phone\n" +
		"Nadia Hussain,Nadia.Hussain@example.net," + dob(start, 18, "02/01/2006") + ",07700 900456\n" +
		"Owen Price,owen.price@example.net," + dob(start, 24, "2006-01-02") + ",\n" +
		"Kasia N,learner3@example.org," + dob(start, 19, "02/01/2006") + ",\n" +
		"Bad Row,not-an-email," + dob(start, 20, "02/01/2006") + ",\n")

	var first importAnswer
	if status := apiUpload(t, manager, cohortID, file, &first); status != http.StatusCreated {
		t.Fatalf("upload: %d", status)
	}
	if first.ValidRows != 3 || first.ErrorRows != 1 || len(first.Errors) != 1 || first.Errors[0].Row != 5 {
		t.Fatalf("preview %+v, want 3 valid and row 5 refused", first)
	}
	if n := enrolledCount(t, g, cohortID); n != 0 {
		t.Fatalf("%d enrolled before confirming", n)
	}
	var pending int
	g.Raw("SELECT count(*) FROM users WHERE email IN ('nadia.hussain@example.net', 'owen.price@example.net')").Scan(&pending)
	if pending != 0 {
		t.Fatalf("the preview already created %d users", pending)
	}

	status, got := apiConfirm(t, manager, cohortID, first.ID)
	if status != http.StatusOK || got.Added != 3 || got.AlreadyAdded != 0 {
		t.Fatalf("confirm: %d %+v, want 3 added", status, got)
	}
	if n := enrolledCount(t, g, cohortID); n != 3 {
		t.Errorf("%d enrolled, want exactly the 3 valid rows", n)
	}
	var nadia struct {
		Name, Phone string
		DateOfBirth time.Time
		Pending     bool
	}
	g.Raw(`SELECT name, phone, date_of_birth, issuer IS NULL AS pending FROM users WHERE email = 'nadia.hussain@example.net'`).Scan(&nadia)
	if nadia.Name != "Nadia Hussain" || nadia.Phone != "07700 900456" || nadia.DateOfBirth.IsZero() || !nadia.Pending {
		t.Errorf("provisioned learner %+v, want name, phone, date of birth, linked at first sign-in", nadia)
	}
	var kasia string
	g.Raw("SELECT name FROM users WHERE email = 'learner3@example.org' AND issuer IS NOT NULL").Scan(&kasia)
	if kasia != "Kasia Nowak" {
		t.Errorf("the import renamed a signed-in learner to %q", kasia)
	}

	if status, again := apiConfirm(t, manager, cohortID, first.ID); status != http.StatusOK || again != got {
		t.Errorf("confirming twice: %d %+v, want the first answer %+v", status, again, got)
	}

	var second importAnswer
	apiUpload(t, manager, cohortID, file, &second)
	if second.ValidRows != 0 {
		t.Errorf("the same file again has %d rows to enrol, want 0", second.ValidRows)
	}
	already := 0
	for _, e := range second.Errors {
		if e.Message == "Already added to this cohort" {
			already++
		}
	}
	if already != 3 {
		t.Errorf("re-upload marks %d rows as already added, want 3: %+v", already, second.Errors)
	}
	status, got = apiConfirm(t, manager, cohortID, second.ID)
	if status != http.StatusOK || got.Added != 0 || got.AlreadyAdded != 3 {
		t.Errorf("confirming the re-upload: %d %+v, want nobody enrolled and 3 already there", status, got)
	}
	if n := enrolledCount(t, g, cohortID); n != 3 {
		t.Errorf("%d enrolled after the re-upload, want still 3", n)
	}
	var audited int
	g.Raw(`SELECT count(*) FROM audit_events WHERE action = 'cohort.import_confirmed' AND subject_id = ?`, cohortID).Scan(&audited)
	if audited != 2 {
		t.Errorf("%d confirmations audited, want 2 (a repeated confirm is not a change)", audited)
	}
}

func TestManagerUploadsPreviewsAndConfirmsThroughThePages(t *testing.T) {
	srv := testenv.NewServer(t)
	manager := srv.SignIn(t, "manager@example.org").NoRedirects()
	cohortID, _ := MustCreateCohort(t, trust, "step-into-work", 7, 77)
	base := "/manage/cohorts/" + cohortID

	form := testenv.Body(t, manager.Get(base+"/import"))
	for _, want := range []string{"date_of_birth", "19 or over", base + "/import/example.csv", `type="file"`} {
		if !strings.Contains(form, want) {
			t.Errorf("the upload page lacks %q", want)
		}
	}
	resp := manager.Get(base + "/import/example.csv")
	example := testenv.Body(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("example: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// The example is a file the cohort accepts as it is.
	var a importAnswer
	apiUpload(t, manager, cohortID, []byte(example), &a)
	if a.Rows != 2 || a.ValidRows != 2 {
		t.Errorf("the example CSV is not accepted: %+v", a)
	}

	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 7)
	csv := "name,email,date_of_birth\nZara Ahmed,zara.ahmed@example.net," + dob(start, 25, "02/01/2006") +
		"\nYusuf Ali,yusuf.ali@example.net,31/02/2001\n"
	resp = upload(t, manager, base+"/import", "my learners.csv", []byte(csv), map[string]string{"_csrf": manager.CSRF})
	resp.Body.Close()
	preview := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(preview, base+"/imports/") {
		t.Fatalf("upload: %d to %q", resp.StatusCode, preview)
	}
	page := testenv.Body(t, manager.Get(preview))
	for _, want := range []string{"my learners.csv", "Date of birth 31/02/2001 is not a real date", "Zara Ahmed", "Confirm and add 1 learner<"} {
		if !strings.Contains(page, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	resp = manager.PostForm(preview+"/confirm", nil)
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || loc.Path != base || loc.Query().Get("added") != "1" {
		t.Fatalf("confirm: %d to %q", resp.StatusCode, loc)
	}
	if dash := testenv.Body(t, manager.Get(loc.String())); !strings.Contains(dash, "Zara Ahmed") || strings.Contains(dash, "Yusuf Ali") {
		t.Errorf("the dashboard does not show exactly the enrolled learner")
	}
	if page := testenv.Body(t, manager.Get(preview)); !strings.Contains(page, "This file was confirmed") || strings.Contains(page, "Confirm and add") {
		t.Errorf("a confirmed upload still offers to enrol")
	}
}

// Everyone an import adds hears about it: a notification saying where to
// start, and an email job asking them to sign in.
func TestAnImportTellsEachNewLearnerTheyHaveAPlace(t *testing.T) {
	srv := testenv.NewServer(t)
	g := testenv.DB(t).Gorm
	manager := srv.SignIn(t, "manager@example.org")
	cohortID, _ := MustCreateCohort(t, trust, "get-into", 5, 47)
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 5)
	email := testenv.Unique("welcome")
	email = strings.ReplaceAll(strings.ReplaceAll(email, " ", "."), "-", ".") + "@example.net"
	file := []byte("name,email,date_of_birth,phone\nWren Welcome," + email + "," + dob(start, 18, "2006-01-02") + ",\n")
	var preview importAnswer
	if status := apiUpload(t, manager, cohortID, file, &preview); status != http.StatusCreated || preview.ValidRows != 1 {
		t.Fatalf("upload: %d %+v", status, preview)
	}
	for range 2 { // confirming twice tells them once
		if status, _ := apiConfirm(t, manager, cohortID, preview.ID); status != http.StatusOK {
			t.Fatalf("confirm: %d", status)
		}
	}
	var notes []struct{ Title, Body, Link, ID string }
	g.Raw(`SELECT n.title, n.body, n.link, n.id FROM notifications n JOIN users u ON u.id = n.user_id
		WHERE u.email = ? AND n.kind = 'cohort.enrolled'`, email).Scan(&notes)
	if len(notes) != 1 || !strings.HasPrefix(notes[0].Body, "Hello Wren.") || notes[0].Link != "/learn/get-into" {
		t.Fatalf("notifications after the import: %+v", notes)
	}
	var jobs int
	g.Raw(`SELECT count(*) FROM river_job WHERE kind = 'notify.email' AND args->>'notification_id' = ?`, notes[0].ID).Scan(&jobs)
	if jobs != 1 {
		t.Errorf("%d email jobs for the welcome, want 1", jobs)
	}
}

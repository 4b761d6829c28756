package cohorts_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"gorm.io/gorm"

	"onramp/app/testenv"
)

// MustCreateCohort adds a cohort of the programme (slug) to the demo
// organisation named org, starting and ending the given days from today,
// and returns its id and name.
func MustCreateCohort(t *testing.T, org, programme string, startDays, endDays int) (string, string) {
	t.Helper()
	f := testenv.NewFixtures(t)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	return f.Cohort(testenv.Cohort{Organisation: f.DemoOrganisation(org), Programme: programme,
		Starts: today.AddDate(0, 0, startDays), Ends: today.AddDate(0, 0, endDays)})
}

// MustCreateLearner provisions, through identity (which owns people), a
// learner who has not signed in yet and returns their id and email.
func MustCreateLearner(t *testing.T, name string) (string, string) {
	t.Helper()
	return testenv.NewFixtures(t).Learner(testenv.Learner{Name: name})
}

// MustEnrol puts a learner in a cohort.
func MustEnrol(t *testing.T, cohortID, userID string) {
	t.Helper()
	testenv.NewFixtures(t).Enrol(cohortID, userID, time.Time{})
}

// upload posts content as the multipart field "file"; extra form fields
// go first, as a browser sends them.
func upload(t *testing.T, c *testenv.Client, path, filename string, content []byte, fields map[string]string) *http.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := w.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	w.Close()
	req := c.Request(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	return c.Do(req)
}

// importAnswer is the body of POST /api/v1/cohorts/:id/imports.
type importAnswer struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	Rows      int    `json:"rows"`
	ValidRows int    `json:"valid_rows"`
	ErrorRows int    `json:"error_rows"`
	Errors    []struct {
		Row     int    `json:"row"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// problem is an RFC 9457 error body.
type problem struct {
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// apiUpload uploads a CSV through the API and decodes the answer into v,
// returning the status.
func apiUpload(t *testing.T, c *testenv.Client, cohortID string, content []byte, v any) int {
	t.Helper()
	resp := upload(t, c, "/api/v1/cohorts/"+cohortID+"/imports", "learners.csv", content, nil)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("upload answered %d with %q: %v", resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

// confirmAnswer is the body of POST .../imports/:import/confirm.
type confirmAnswer struct {
	Added        int    `json:"added"`
	AlreadyAdded int    `json:"already_added"`
	Message      string `json:"message"`
}

func apiConfirm(t *testing.T, c *testenv.Client, cohortID, importID string) (int, confirmAnswer) {
	t.Helper()
	resp := c.Do(c.Request(http.MethodPost, "/api/v1/cohorts/"+cohortID+"/imports/"+importID+"/confirm", nil))
	defer resp.Body.Close()
	var a confirmAnswer
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, &a); err != nil {
			t.Fatalf("confirm answered %q: %v", b, err)
		}
	}
	return resp.StatusCode, a
}

// enrolledCount counts a cohort's enrolments.
func enrolledCount(t *testing.T, g *gorm.DB, cohortID string) int {
	t.Helper()
	var n int
	if err := g.Raw("SELECT count(*) FROM enrolments WHERE cohort_id = ?", cohortID).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// dob is a date of birth that makes someone age on day, written as layout.
func dob(day time.Time, age int, layout string) string {
	return day.AddDate(-age, -1, 0).Format(layout)
}

const trust = "Northfield NHS Foundation Trust"

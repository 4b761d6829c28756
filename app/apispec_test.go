package app_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"onramp/app/testenv"
	"onramp/modules/identity"
)

// loadSpec reads app/openapi.json as served and checks it is a valid
// OpenAPI 3.1 document.
func loadSpec(t *testing.T) (*openapi3.T, routers.Router) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testenv.ModuleRoot(t), "app", "openapi.json"))
	if err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		t.Fatalf("openapi.json does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI document: %v", err)
	}
	openapi3.DefineStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC4122))
	// The router matches whole URLs against the servers; serve the
	// relative /api/v1 from any host.
	doc.Servers = openapi3.Servers{{URL: "http://127.0.0.1/api/v1"}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return doc, router
}

// caller is one of the identities every operation is called as.
type caller struct {
	name   string
	client *testenv.Client // cookie session; nil for bearer callers
	token  string          // bearer token
}

// specCall is a concrete request for one operation.
type specCall struct {
	path        string
	contentType string
	body        func() []byte
	// outOfSpec marks a request that breaks the spec on purpose (to see
	// it refused): only the answer is checked.
	outOfSpec bool
}

func jsonBody(s string) func() []byte { return func() []byte { return []byte(s) } }

func specMultipart(fields map[string]string, fileField, fileName, fileType string, file []byte) (string, func() []byte) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		_ = w.WriteField(k, fields[k])
	}
	h := make(map[string][]string)
	h["Content-Disposition"] = []string{`form-data; name="` + fileField + `"; filename="` + fileName + `"`}
	h["Content-Type"] = []string{fileType}
	part, _ := w.CreatePart(h)
	_, _ = part.Write(file)
	_ = w.Close()
	b := buf.Bytes()
	return w.FormDataContentType(), func() []byte { return b }
}

// onePixelPNG is the smallest image the media store accepts.
var onePixelPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
	"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

// TestEveryOperationAnswersAsItsSpecSaysForEveryCaller calls every
// operation in openapi.json as nine identities (anonymous, each demo
// role, a second organisation's manager, and a reporting tool's service
// token) with real ids from the demo data, and validates each status,
// header and body against the spec with kin-openapi. A field the spec
// marks required but a response leaves out, a status it does not list,
// or a value outside an enum fails here.
func TestEveryOperationAnswersAsItsSpecSaysForEveryCaller(t *testing.T) {
	doc, router := loadSpec(t)
	srv := testenv.NewServer(t)
	id := loadIDs(t)
	fx := testenv.NewFixtures(t)
	trust := fx.DemoOrganisation(identity.DemoTrust)
	g := testenv.DB(t).Gorm
	var learnerID, heldMessage string
	g.Raw("SELECT id FROM users WHERE email = 'learner@example.org'").Scan(&learnerID)
	// An answer (the first option) to every question of the check.
	var answers []string
	g.Raw(`SELECT '"' || q.id || '":["' || (SELECT o.id FROM options o WHERE o.question_id = q.id ORDER BY o.position LIMIT 1) || '"]'
		FROM questions q WHERE q.check_id = ? ORDER BY q.position`, id.intoCheck).Scan(&answers)
	// The first question inside the lesson, and its first option.
	var lessonQuestion struct{ Question, Option string }
	g.Raw(`SELECT q.id AS question, (SELECT o.id FROM options o WHERE o.question_id = q.id ORDER BY o.position LIMIT 1) AS option
		FROM questions q WHERE q.lesson_id = ? ORDER BY q.position LIMIT 1`, id.intoLesson).Scan(&lessonQuestion)
	if lessonQuestion.Question == "" {
		t.Fatal("the demo lesson has no question inside it")
	}
	// A message held for review: the learner shares a phone number.
	learner := srv.SignIn(t, "learner@example.org")
	resp, body := sendJSON(t, learner, http.MethodPost, "/api/v1/mentorships/"+id.mentorship+"/messages", `{"body":"Text me on 07700 900123"}`)
	var held struct{ ID, Status string }
	mustJSON(t, body, &held)
	if resp.StatusCode != http.StatusCreated || held.Status != "held" {
		t.Fatalf("sending a message to hold: %d %s", resp.StatusCode, body)
	}
	heldMessage = held.ID

	admin := srv.SignIn(t, "admin@example.org")
	resp, body = sendJSON(t, admin, http.MethodPost, "/api/v1/service-tokens",
		`{"name":"Spec check","scopes":["reports:read","cohorts:read"],"organisation_id":"`+trust+`","expires_in_days":1}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("making a service token: %d %s", resp.StatusCode, body)
	}
	var tok createdToken
	mustJSON(t, body, &tok)
	var revokable createdToken
	_, body = sendJSON(t, admin, http.MethodPost, "/api/v1/service-tokens",
		`{"name":"To revoke","scopes":["reports:read"],"expires_in_days":1}`)
	mustJSON(t, body, &revokable)

	callers := []caller{{name: "anonymous", client: srv.NewClient(t)}}
	for _, w := range []struct{ name, email string }{{"learner", "learner@example.org"}, {"mentor", "mentor@example.org"},
		{"manager", "manager@example.org"}, {"manager2", "manager2@example.org"}, {"safeguarding_lead", "safeguarding@example.org"},
		{"admin", "admin@example.org"}, {"content_editor", "editor@example.org"}} {
		callers = append(callers, caller{name: w.name, client: srv.SignIn(t, w.email)})
	}
	callers = append(callers, caller{name: "service_token", token: tok.Token})

	csvType, csvBody := specMultipart(nil, "file", "learners.csv", "text/csv",
		[]byte("name,email,date_of_birth\nSpec Learner,spec.learner@example.org,2007-05-04\n"))
	pngType, pngBody := specMultipart(map[string]string{"alt": "A dot"}, "file", "dot.png", "image/png", onePixelPNG)
	attType, attBody := specMultipart(map[string]string{"mentorship": id.mentorship, "body": "A picture"}, "file", "dot.png", "image/png", onePixelPNG)
	calls := map[string]specCall{
		"getMe":            {path: "/me"},
		"getOpenAPI":       {path: "/openapi.json"},
		"listProgrammes":   {path: "/programmes"},
		"getProgramme":     {path: "/programmes/get-into"},
		"startProgramme":   {path: "/programmes/get-started/enrolment"},
		"listMyEnrolments": {path: "/me/enrolments"},
		"completeLesson":   {path: "/lessons/" + id.intoLesson + "/complete"},
		"answerLessonQuestion": {path: "/lessons/" + id.intoLesson + "/questions/" + lessonQuestion.Question + "/answers",
			body: jsonBody(`{"option_ids":["` + lessonQuestion.Option + `"]}`)},
		"attemptQuiz":              {path: "/quizzes/" + id.intoCheck + "/attempts", body: jsonBody(`{"answers":{` + strings.Join(answers, ",") + `}}`)},
		"getLearnerProgress":       {path: "/learners/" + learnerID + "/progress"},
		"uploadMedia":              {path: "/media", contentType: pngType, body: pngBody},
		"listCohorts":              {path: "/cohorts"},
		"listOrganisations":        {path: "/organisations"},
		"getCohortProgress":        {path: "/cohorts/" + id.cohort + "/progress"},
		"uploadEnrolmentImport":    {path: "/cohorts/" + id.cohort + "/imports", contentType: csvType, body: csvBody},
		"confirmEnrolmentImport":   {path: "/cohorts/" + id.cohort + "/imports/" + zeroID + "/confirm"},
		"getEqualityReport":        {path: "/reports/equality"},
		"getOutcomesReport":        {path: "/reports/outcomes"},
		"listNotifications":        {path: "/notifications"},
		"listMentorships":          {path: "/mentorships"},
		"getMentorship":            {path: "/mentorships/" + id.mentorship},
		"listMessages":             {path: "/mentorships/" + id.mentorship + "/messages"},
		"sendMessage":              {path: "/mentorships/" + id.mentorship + "/messages", body: jsonBody(`{"body":"See you on Thursday."}`)},
		"sendAttachment":           {path: "/attachments", contentType: attType, body: attBody},
		"messageEvents":            {path: "/mentorships/" + id.mentorship + "/events"},
		"moderationQueue":          {path: "/moderation/queue"},
		"releaseMessage":           {path: "/moderation/messages/" + heldMessage + "/release", body: jsonBody(`{"reason":"Fine"}`)},
		"redactMessage":            {path: "/moderation/messages/" + zeroID + "/redact", body: jsonBody(`{"reason":"Number"}`)},
		"blockMessage":             {path: "/moderation/messages/" + zeroID + "/block", body: jsonBody(`{"reason":"Unsafe"}`)},
		"listMentoringProposals":   {path: "/mentoring/proposals"},
		"approveMentoringProposal": {path: "/mentoring/proposals/" + zeroID + "/approve"},
		"rejectMentoringProposal":  {path: "/mentoring/proposals/" + zeroID + "/reject", body: jsonBody(`{"reason":"Too far apart"}`)},
		"swapMentoringProposal":    {path: "/mentoring/proposals/" + zeroID + "/swap", body: jsonBody(`{"mentor_id":"` + id.mentor + `"}`)},
		"runMentorMatching":        {path: "/mentoring/matches", body: jsonBody(`{}`)},
		"listServiceTokens":        {path: "/service-tokens"},
		"createServiceToken":       {path: "/service-tokens", body: jsonBody(`{"name":"Spec tool","scopes":["reports:read"],"organisation_id":"` + trust + `","expires_in_days":30}`)},
		"getServiceToken":          {path: "/service-tokens/" + tok.ID},
		"revokeServiceToken":       {path: "/service-tokens/" + revokable.ID},
	}

	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
		AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc,
		SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.EnableJSONSchema2020()}}
	called, succeeded, seen := map[string]bool{}, map[string]bool{}, map[string][]int{}
	pagedOn := map[string][]string{} // who saw a second page of each list
	total := 0
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			call, ok := calls[op.OperationID]
			if !ok {
				t.Errorf("%s %s (%s) has no call in this test: add one", method, path, op.OperationID)
				continue
			}
			called[op.OperationID] = true
			paged := op.Parameters.GetByInAndName("query", "cursor") != nil
			if !paged && method == http.MethodGet && listsItems(op) {
				t.Errorf("%s lists things but takes no cursor: give it the Limit and Cursor parameters", op.OperationID)
			}
			for _, who := range callers {
				status, _ := callAndValidate(t, srv, router, opts, who, method, call)
				total++
				seen[op.OperationID] = append(seen[op.OperationID], status)
				if status >= 200 && status < 300 {
					succeeded[op.OperationID] = true
				}
				if paged {
					n, followed := checkPaging(t, srv, router, opts, who, call, status)
					total += n
					if followed {
						pagedOn[op.OperationID] = append(pagedOn[op.OperationID], who.name)
					}
				}
			}
		}
	}
	for opID := range calls {
		if !called[opID] {
			t.Errorf("the test calls %s, which openapi.json no longer describes", opID)
		}
		if !succeeded[opID] && !slices_Contains(notSucceeding, opID) {
			t.Errorf("%s never succeeded for any caller (%v): its success response went unchecked", opID, seen[opID])
		}
	}
	for _, opID := range pagedInDemo {
		if len(pagedOn[opID]) == 0 {
			t.Errorf("%s: nobody got a next page one item at a time, though the demo data holds two or more", opID)
		}
	}
	t.Logf("second pages followed: %v", pagedOn)
	t.Logf("%d calls validated against openapi.json", total)
}

// listsItems reports whether an operation's success is a list: a JSON
// array, or an object with an array of the list's items.
func listsItems(op *openapi3.Operation) bool {
	r := op.Responses.Status(http.StatusOK)
	if r == nil || r.Value == nil || r.Value.Content.Get("application/json") == nil {
		return false
	}
	s := r.Value.Content.Get("application/json").Schema.Value
	return s.Type.Is("array") || s.Properties["items"] != nil
}

// checkPaging calls a paged list as who with one item a page, following
// the next link for a second page, and with a limit and a cursor the
// list never gave out, validating every answer against the spec. A
// caller who may read the list must get a 422 naming the field for each
// bad value. It returns how many calls it made.
func checkPaging(t *testing.T, srv *testenv.Server, router routers.Router, opts *openapi3filter.Options,
	who caller, call specCall, plain int) (calls int, followed bool) {
	t.Helper()
	n := 0
	status, header := callAndValidate(t, srv, router, opts, who, http.MethodGet, specCall{path: call.path + "?limit=1"})
	n++
	if status != plain {
		t.Errorf("GET %s?limit=1 as %s: %d, but %d without it", call.path, who.name, status, plain)
	}
	if link := header.Get("Link"); link != "" {
		next, ok := strings.CutPrefix(link, "</api/v1")
		next, ok2 := strings.CutSuffix(next, `>; rel="next"`)
		if !ok || !ok2 || !strings.Contains(next, "cursor=") {
			t.Errorf("GET %s?limit=1 as %s: Link %q is not <ADDRESS>; rel=\"next\"", call.path, who.name, link)
		} else {
			status, _ = callAndValidate(t, srv, router, opts, who, http.MethodGet, specCall{path: next})
			n, followed = n+1, true
			if status != http.StatusOK {
				t.Errorf("GET %s as %s, following next: %d", next, who.name, status)
			}
		}
	}
	for _, bad := range []struct{ query, field string }{{"limit=0", "limit"}, {"limit=201", "limit"}, {"cursor=bm90LWEtY3Vyc29y", "cursor"}} {
		path := call.path + "?" + bad.query
		status, body := getBody(t, who, srv.URL+"/api/v1"+path)
		callAndValidate(t, srv, router, opts, who, http.MethodGet, specCall{path: path, outOfSpec: bad.field == "limit"})
		n += 2
		if plain == http.StatusOK && (status != http.StatusUnprocessableEntity || !strings.Contains(body, `"field":"`+bad.field+`"`)) {
			t.Errorf("GET %s as %s: %d %s, want 422 naming %s", path, who.name, status, body, bad.field)
		}
	}
	return n, followed
}

// getBody reads path as who.
func getBody(t *testing.T, who caller, u string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	c := http.DefaultClient
	if who.client != nil {
		c = who.client.Client
	} else {
		req.Header.Set("Authorization", "Bearer "+who.token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// pagedInDemo are the lists some caller sees two or more items of in the
// demo data, so one item a page must give them a next page.
var pagedInDemo = []string{"listProgrammes", "listCohorts", "getCohortProgress", "listOrganisations", "listServiceTokens", "listMessages"}

// notSucceeding are operations called here only on ids that are nobody's
// (proposals and imports need a flow of their own to exist), so their
// refusals are what is checked.
var notSucceeding = []string{"confirmEnrolmentImport", "approveMentoringProposal", "rejectMentoringProposal",
	"swapMentoringProposal", "redactMessage", "blockMessage"}

func slices_Contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

const zeroID = "00000000-0000-0000-0000-000000000000"

func callAndValidate(t *testing.T, srv *testenv.Server, router routers.Router, opts *openapi3filter.Options,
	who caller, method string, call specCall) (int, http.Header) {
	t.Helper()
	var body []byte
	if call.body != nil {
		body = call.body()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, srv.URL+"/api/v1"+call.path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if call.body != nil {
		ct := call.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	var httpClient *http.Client
	if who.client != nil {
		httpClient = who.client.Client
		if who.client.CSRF != "" {
			req.Header.Set("X-CSRF-Token", who.client.CSRF)
		}
	} else {
		httpClient = http.DefaultClient
		req.Header.Set("Authorization", "Bearer "+who.token)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s as %s: %v", method, call.path, who.name, err)
	}
	defer resp.Body.Close()
	var respBody []byte
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		cancel() // a stream never ends; its status and type are what is checked
	} else if respBody, err = io.ReadAll(resp.Body); err != nil {
		t.Fatalf("%s %s as %s: reading: %v", method, call.path, who.name, err)
	}

	// Validate against the spec, as a client generated from it would read it.
	specURL, _ := url.Parse("http://127.0.0.1/api/v1" + call.path)
	specReq, _ := http.NewRequest(method, specURL.String(), bytes.NewReader(body))
	specReq.Header = req.Header.Clone()
	route, params, err := router.FindRoute(specReq)
	if err != nil {
		t.Errorf("%s %s: not in the spec: %v", method, call.path, err)
		return resp.StatusCode, resp.Header
	}
	in := &openapi3filter.RequestValidationInput{Request: specReq, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil && !call.outOfSpec {
		t.Errorf("%s %s as %s: the test's request does not match the spec: %v", method, call.path, who.name, err)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode,
		Header: resp.Header, Options: opts}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		out.Options = &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: true}
	}
	out.SetBodyBytes(respBody)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s %s as %s: %d does not match the spec: %v\nbody: %.600s", method, call.path, who.name, resp.StatusCode, err, respBody)
	}
	return resp.StatusCode, resp.Header
}

// nodeTool returns the path of an npm tool pinned in assets/package.json,
// failing the test with the command that installs it when it is missing.
func nodeTool(t *testing.T, name string) string {
	t.Helper()
	bin := filepath.Join(testenv.ModuleRoot(t), "assets", "node_modules", ".bin", name)
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s is not installed in assets/node_modules: run `make npm`", name)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is not on PATH: install Node.js 20 or later, then run `make npm`")
	}
	return bin
}

// TestSpecLintsWithoutErrorsOrWarnings runs Redocly's recommended rules
// (app/redocly.yaml) over openapi.json.
func TestSpecLintsWithoutErrorsOrWarnings(t *testing.T) {
	root := testenv.ModuleRoot(t)
	cmd := exec.Command(nodeTool(t, "redocly"), "lint", "--config", filepath.Join("app", "redocly.yaml"),
		"--format", "stylish", filepath.Join("app", "openapi.json"))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), "warning") {
		t.Fatalf("redocly lint: %v\n%s", err, out)
	}
}

// TestEveryResponseObjectSaysWhichFieldsAreAlwaysThere keeps generated
// clients from making every field optional: each object schema a
// response uses lists its always-present fields as required.
func TestEveryResponseObjectSaysWhichFieldsAreAlwaysThere(t *testing.T) {
	doc, _ := loadSpec(t)
	requestOnly := map[string]bool{"NewServiceToken": true}
	for name, ref := range doc.Components.Schemas {
		if requestOnly[name] {
			continue
		}
		checkRequired(t, name, ref.Value)
	}
}

func checkRequired(t *testing.T, where string, s *openapi3.Schema) {
	t.Helper()
	if s == nil {
		return
	}
	if len(s.Properties) > 0 && len(s.Required) == 0 {
		t.Errorf("%s has properties but none is required", where)
	}
	for name, p := range s.Properties {
		if p.Ref == "" {
			checkRequired(t, where+"."+name, p.Value)
		}
	}
	if s.Items != nil && s.Items.Ref == "" {
		checkRequired(t, where+"[]", s.Items.Value)
	}
}

// clientCheck is TypeScript that uses a client generated from the spec
// the way an app would; under --strict it compiles only when required
// fields are not optional and the enums hold what the API sends.
const clientCheck = `import type { components, paths } from "./schema";

type Schemas = components["schemas"];
type Json<P extends keyof paths, M extends keyof paths[P]> =
  paths[P][M] extends { responses: { 200: { content: { "application/json": infer B } } } } ? B : never;

export const cohort = (c: Schemas["Cohort"]): string[] => [c.name, c.id];
export const editor: Schemas["Role"] = "content_editor";
export const scope: Schemas["Scope"] = "reports:read";
export const rates = (r: Json<"/reports/outcomes", "get">): Array<number | null> => r.rows.map((row) => row.rate);
export const equality = (r: Json<"/reports/equality", "get">): string[] => r.characteristics.map((c) => c.title);
export const me = (m: Json<"/me", "get">): string[] => [m.id, m.email, ...m.roles];
export const tokenSecret = (t: Schemas["CreatedServiceToken"]): string[] => [t.token, t.id, t.status];
export const problem = (p: Schemas["Problem"]): Array<string | number> => [p.type, p.title, p.status];
export const lessons = (p: Schemas["Programme"]): string[] => p.modules.flatMap((m) => m.lessons.flatMap((l) => [l.id, l.status]));
`

// TestAStrictTypeScriptClientCompilesFromTheSpec generates a client with
// openapi-typescript and compiles code using it with tsc --strict.
func TestAStrictTypeScriptClientCompilesFromTheSpec(t *testing.T) {
	root := testenv.ModuleRoot(t)
	dir := t.TempDir()
	gen := exec.Command(nodeTool(t, "openapi-typescript"), filepath.Join(root, "app", "openapi.json"), "-o", filepath.Join(dir, "schema.d.ts"))
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("openapi-typescript: %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "client.ts"), []byte(clientCheck), 0o600); err != nil {
		t.Fatal(err)
	}
	tsc := exec.Command(nodeTool(t, "tsc"), "--strict", "--noEmit", "--target", "es2022", "--module", "esnext",
		"--moduleResolution", "bundler", "--exactOptionalPropertyTypes", "client.ts")
	tsc.Dir = dir
	if out, err := tsc.CombinedOutput(); err != nil {
		t.Fatalf("tsc --strict on a client generated from openapi.json: %v\n%s", err, out)
	}
}

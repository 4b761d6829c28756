package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"onramp/app/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// who is a column of the route table: anonymous, or signed in as a demo
// user holding one role.
var who = []struct{ name, email string }{
	{"anonymous", ""},
	{"learner", "learner@example.org"},
	{"mentor", "mentor@example.org"},
	{"manager", "manager@example.org"},
	{"safeguarding_lead", "safeguarding@example.org"},
	{"admin", "admin@example.org"},
	{"content_editor", "editor@example.org"},
}

// routeRow is one registered route: a concrete path to call and the status
// each caller must get, in the order of who. The role rule comes before
// CSRF, so anonymous writes get 401 like anonymous API calls; anonymous
// page visits are sent to sign in (303).
type routeRow struct {
	path   string
	status [7]int
}

// ids are real rows the table's paths point at. intoLesson and intoCheck
// are of Get Into, the programme the demo learner is on.
type ids struct {
	user, lesson, check, programme, module, cohort, intoLesson, intoCheck string
	mentor, mentorship                                                    string
}

func routeTable(id ids) map[string]routeRow {
	userID := id.user
	const zero = "00000000-0000-0000-0000-000000000000"
	all := func(s int) [7]int { return [7]int{s, s, s, s, s, s, s} }
	// Editors' pages and forms: only admins (and content editors, not a
	// column here) get past the rule; empty forms are refused with status.
	page := [7]int{303, 403, 403, 403, 403, 200, 200}
	// Managers' pages and API (the cohort is in the demo manager's organisation).
	staffPage := [7]int{303, 403, 403, 200, 403, 200, 403}
	staffAPI := [7]int{401, 403, 403, 200, 403, 200, 403}
	write := func(admin int) [7]int { return [7]int{401, 403, 403, 403, 403, admin, admin} }
	// Learners' own pages and forms (the workbook): nobody else gets past the rule.
	learnerRead := func(learner int) [7]int { return [7]int{303, learner, 403, 403, 403, 403, 403} }
	learnerWrite := func(learner int) [7]int { return [7]int{401, learner, 403, 403, 403, 403, 403} }
	learnerPage := learnerRead(200)
	return map[string]routeRow{
		"GET /healthz":                  {"/healthz", all(200)},
		"GET /readyz":                   {"/readyz", all(200)},
		"GET /favicon.ico":              {"/favicon.ico", all(301)},
		"GET /static/*":                 {"/static/any/app.css", all(200)},
		"GET /auth/login":               {"/auth/login", all(302)},
		"GET /auth/callback":            {"/auth/callback", all(400)},
		"POST /auth/logout":             {"/auth/logout", [7]int{403, 303, 303, 303, 303, 303, 303}},
		"POST /auth/backchannel-logout": {"/auth/backchannel-logout", all(400)},
		"GET /auth/signed-out":          {"/auth/signed-out", all(200)},
		"POST /auth/signed-out":         {"/auth/signed-out", all(200)},
		"GET /":                         {"/", [7]int{200, 303, 303, 303, 303, 303, 303}},
		"GET /accessibility":            {"/accessibility", all(200)},
		"GET /privacy":                  {"/privacy", all(200)},
		"GET /cookies":                  {"/cookies", all(200)},
		"GET /contact":                  {"/contact", all(200)},
		"GET /learn/help":               {"/learn/help", [7]int{303, 200, 403, 403, 403, 403, 403}},
		// Mentors take mentor programmes on the learner pages; a learners'
		// programme is not for them, so every one of its pages is 404.
		"GET /learn":                  {"/learn", [7]int{303, 200, 200, 403, 403, 403, 403}},
		"GET /mentoring":              {"/mentoring", [7]int{303, 403, 200, 403, 403, 403, 403}},
		"GET /safeguarding":           {"/safeguarding", [7]int{303, 403, 403, 403, 200, 403, 403}},
		"GET /manage":                 {"/manage", [7]int{303, 403, 403, 200, 403, 200, 403}},
		"GET /admin":                  {"/admin", [7]int{303, 403, 403, 403, 403, 200, 403}},
		"GET /admin/users":            {"/admin/users", [7]int{303, 403, 403, 403, 403, 200, 403}},
		"GET /admin/users/:id":        {"/admin/users/" + userID, [7]int{303, 403, 403, 403, 403, 200, 403}},
		"POST /admin/users/:id/roles": {"/admin/users/" + userID + "/roles", [7]int{401, 403, 403, 403, 403, 422, 403}},
		"POST /admin/users/:id/roles/revoke": {"/admin/users/" + userID + "/roles/revoke",
			[7]int{401, 403, 403, 403, 403, 422, 403}},
		"POST /admin/users/:id/organisation": {"/admin/users/" + userID + "/organisation",
			[7]int{401, 403, 403, 403, 403, 303, 403}},
		"GET /admin/audit": {"/admin/audit", [7]int{303, 403, 403, 403, 403, 200, 403}},
		// Service tokens: admins only; an empty form is refused, a zero id is no token.
		"GET /admin/service-tokens":             {"/admin/service-tokens", [7]int{303, 403, 403, 403, 403, 200, 403}},
		"POST /admin/service-tokens":            {"/admin/service-tokens", [7]int{401, 403, 403, 403, 403, 422, 403}},
		"POST /admin/service-tokens/:id/revoke": {"/admin/service-tokens/" + zero + "/revoke", [7]int{401, 403, 403, 403, 403, 404, 403}},
		"GET /api/v1/organisations":             {"/api/v1/organisations", [7]int{401, 403, 403, 200, 403, 200, 403}},
		"GET /api/v1/service-tokens":            {"/api/v1/service-tokens", [7]int{401, 403, 403, 403, 403, 200, 403}},
		"POST /api/v1/service-tokens":           {"/api/v1/service-tokens", [7]int{401, 403, 403, 403, 403, 422, 403}},
		"GET /api/v1/service-tokens/:id":        {"/api/v1/service-tokens/" + zero, [7]int{401, 403, 403, 403, 403, 404, 403}},
		"DELETE /api/v1/service-tokens/:id":     {"/api/v1/service-tokens/" + zero, [7]int{401, 403, 403, 403, 403, 404, 403}},
		"GET /api/v1/me":                        {"/api/v1/me", [7]int{401, 200, 200, 200, 200, 200, 200}},
		"GET /api/v1/openapi.json":              {"/api/v1/openapi.json", all(200)},
		"GET /dev/idp/*":                        {"/dev/idp/.well-known/openid-configuration", all(200)},
		"POST /dev/idp/*":                       {"/dev/idp/token", all(400)},

		"GET /learn/:slug": {"/learn/get-started", [7]int{303, 200, 404, 403, 403, 403, 403}},
		// Starting a programme the learner is on already changes nothing.
		"POST /learn/:slug/start":                {"/learn/get-into/start", [7]int{401, 303, 404, 403, 403, 403, 403}},
		"GET /learn/:slug/lessons/:id":           {"/learn/get-into/lessons/" + id.intoLesson, [7]int{303, 200, 404, 403, 403, 403, 403}},
		"POST /learn/:slug/lessons/:id/complete": {"/learn/get-into/lessons/" + id.intoLesson + "/complete", [7]int{401, 303, 404, 403, 403, 403, 403}},
		// The lesson has no such question: a learner on it is told so.
		"POST /learn/:slug/lessons/:id/questions/:question": {"/learn/get-into/lessons/" + id.intoLesson + "/questions/" + zero,
			[7]int{401, 404, 404, 403, 403, 403, 403}},
		// The empty body is refused before the lesson is looked up.
		"POST /api/v1/lessons/:id/questions/:question/answers": {"/api/v1/lessons/" + id.intoLesson + "/questions/" + zero + "/answers",
			[7]int{401, 422, 422, 403, 403, 403, 403}},
		"GET /learn/:slug/checks/:id":             {"/learn/get-into/checks/" + id.intoCheck, [7]int{303, 200, 404, 403, 403, 403, 403}},
		"POST /learn/:slug/checks/:id":            {"/learn/get-into/checks/" + id.intoCheck, [7]int{401, 422, 404, 403, 403, 403, 403}},
		"GET /learn/:slug/certificate":            {"/learn/get-started/certificate", [7]int{303, 404, 404, 403, 403, 403, 403}},
		"GET /learn/:slug/certificate.pdf":        {"/learn/get-started/certificate.pdf", [7]int{303, 404, 404, 403, 403, 403, 403}},
		"GET /verify":                             {"/verify", all(200)},
		"GET /verify/:code":                       {"/verify/AAAA-BBBB-CCCC", all(404)},
		"GET /api/v1/programmes":                  {"/api/v1/programmes", [7]int{401, 200, 200, 200, 200, 200, 200}},
		"GET /api/v1/programmes/:slug":            {"/api/v1/programmes/get-into", [7]int{401, 200, 404, 200, 200, 200, 200}},
		"GET /api/v1/me/enrolments":               {"/api/v1/me/enrolments", [7]int{401, 200, 200, 403, 403, 403, 403}},
		"POST /api/v1/programmes/:slug/enrolment": {"/api/v1/programmes/get-into/enrolment", [7]int{401, 200, 404, 403, 403, 403, 403}},
		"POST /api/v1/lessons/:id/complete":       {"/api/v1/lessons/" + id.intoLesson + "/complete", [7]int{401, 200, 404, 403, 403, 403, 403}},
		// The empty body is refused before the quiz is looked up, so a
		// mentor gets 422 here, not the 404 of a learners' quiz.
		"POST /api/v1/quizzes/:id/attempts": {"/api/v1/quizzes/" + id.intoCheck + "/attempts", [7]int{401, 422, 422, 403, 403, 403, 403}},
		// learner4 is in no cohort: nobody but an admin may know of them.
		"GET /api/v1/learners/:id/progress": {"/api/v1/learners/" + userID + "/progress", [7]int{401, 403, 403, 404, 403, 200, 403}},
		"POST /api/v1/media":                {"/api/v1/media", [7]int{401, 403, 403, 403, 403, 422, 422}},
		"GET /media/:id":                    {"/media/00000000-0000-0000-0000-000000000000", [7]int{303, 404, 404, 404, 404, 404, 404}},

		// The knowledge-check form editor.
		"GET /admin/content/modules/:id/check/questions":           {"/admin/content/modules/" + id.module + "/check/questions", page},
		"GET /admin/content/modules/:id/check/questions/:n":        {"/admin/content/modules/" + id.module + "/check/questions/new", page},
		"POST /admin/content/modules/:id/check/questions/:n":       {"/admin/content/modules/" + id.module + "/check/questions/new", write(422)},
		"GET /admin/content/modules/:id/check/questions/:n/remove": {"/admin/content/modules/" + id.module + "/check/questions/1/remove", page},
		"POST /admin/content/modules/:id/check/questions/move":     {"/admin/content/modules/" + id.module + "/check/questions/move", write(422)},
		"POST /admin/content/modules/:id/check/questions/remove":   {"/admin/content/modules/" + id.module + "/check/questions/remove", write(422)},
		"POST /admin/content/modules/:id/check/settings":           {"/admin/content/modules/" + id.module + "/check/settings", write(422)},

		"GET /admin/content":                         {"/admin/content", page},
		"POST /admin/content/programmes":             {"/admin/content/programmes", write(422)},
		"POST /admin/content/import":                 {"/admin/content/import", write(422)},
		"GET /admin/content/programmes/:id":          {"/admin/content/programmes/" + id.programme, page},
		"POST /admin/content/programmes/:id":         {"/admin/content/programmes/" + id.programme, write(422)},
		"GET /admin/content/programmes/:id/export":   {"/admin/content/programmes/" + id.programme + "/export", page},
		"GET /admin/content/programmes/:id/preview":  {"/admin/content/programmes/" + id.programme + "/preview", page},
		"POST /admin/content/programmes/:id/modules": {"/admin/content/programmes/" + id.programme + "/modules", write(422)},
		"POST /admin/content/programmes/:id/shared":  {"/admin/content/programmes/" + id.programme + "/shared", write(422)},
		"POST /admin/content/programmes/:id/shared/:module/remove": {"/admin/content/programmes/" + id.programme + "/shared/" + zero + "/remove",
			write(404)},
		"POST /admin/content/shared":                          {"/admin/content/shared", write(422)},
		"GET /admin/content/modules/:id":                      {"/admin/content/modules/" + id.module, page},
		"POST /admin/content/modules/:id":                     {"/admin/content/modules/" + id.module, write(422)},
		"POST /admin/content/modules/:id/move":                {"/admin/content/modules/" + id.module + "/move", write(400)},
		"POST /admin/content/modules/:id/lessons":             {"/admin/content/modules/" + id.module + "/lessons", write(422)},
		"GET /admin/content/modules/:id/check":                {"/admin/content/modules/" + id.module + "/check", page},
		"POST /admin/content/modules/:id/check":               {"/admin/content/modules/" + id.module + "/check", write(422)},
		"GET /admin/content/lessons/:id":                      {"/admin/content/lessons/" + id.lesson, page},
		"POST /admin/content/lessons/:id":                     {"/admin/content/lessons/" + id.lesson, write(422)},
		"GET /admin/content/lessons/:id/preview":              {"/admin/content/lessons/" + id.lesson + "/preview", page},
		"POST /admin/content/lessons/:id/move":                {"/admin/content/lessons/" + id.lesson + "/move", write(400)},
		"POST /admin/content/lessons/:id/delete":              {"/admin/content/lessons/" + id.lesson + "/delete", write(422)},
		"POST /admin/content/lessons/:id/media":               {"/admin/content/lessons/" + id.lesson + "/media", write(422)},
		"POST /admin/content/lessons/:id/media/:media/remove": {"/admin/content/lessons/" + id.lesson + "/media/00000000-0000-0000-0000-000000000000/remove", write(404)},
		"POST /admin/content/lessons/:id/audio":               {"/admin/content/lessons/" + id.lesson + "/audio", write(422)},
		// The lesson has no recording: taking it out changes nothing.
		"POST /admin/content/lessons/:id/audio/remove": {"/admin/content/lessons/" + id.lesson + "/audio/remove", write(303)},
		"GET /admin/media":                    {"/admin/media", page},
		"GET /manage/cohorts/new":             {"/manage/cohorts/new", staffPage},
		"POST /manage/cohorts":                {"/manage/cohorts", [7]int{401, 403, 403, 422, 403, 422, 403}},
		"GET /manage/cohorts/:id":             {"/manage/cohorts/" + id.cohort, staffPage},
		"GET /manage/cohorts/:id/export.csv":  {"/manage/cohorts/" + id.cohort + "/export.csv", staffPage},
		"GET /manage/cohorts/:id/export.xlsx": {"/manage/cohorts/" + id.cohort + "/export.xlsx", staffPage},
		"GET /api/v1/cohorts":                 {"/api/v1/cohorts", staffAPI},
		"GET /api/v1/cohorts/:id/progress":    {"/api/v1/cohorts/" + id.cohort + "/progress", staffAPI},
		// cohort import and invite rows (modules/cohorts)
		"GET /manage/cohorts/:id/import":             {"/manage/cohorts/" + id.cohort + "/import", staffPage},
		"GET /manage/cohorts/:id/import/example.csv": {"/manage/cohorts/" + id.cohort + "/import/example.csv", staffPage},
		"POST /manage/cohorts/:id/import":            {"/manage/cohorts/" + id.cohort + "/import", [7]int{401, 403, 403, 422, 403, 422, 403}},
		"GET /manage/cohorts/:id/imports/:import": {"/manage/cohorts/" + id.cohort + "/imports/00000000-0000-0000-0000-000000000000",
			[7]int{303, 403, 403, 404, 403, 404, 403}},
		"POST /manage/cohorts/:id/imports/:import/confirm": {"/manage/cohorts/" + id.cohort + "/imports/00000000-0000-0000-0000-000000000000/confirm",
			[7]int{401, 403, 403, 404, 403, 404, 403}},
		"POST /api/v1/cohorts/:id/imports": {"/api/v1/cohorts/" + id.cohort + "/imports", [7]int{401, 403, 403, 422, 403, 422, 403}},
		"POST /api/v1/cohorts/:id/imports/:import/confirm": {"/api/v1/cohorts/" + id.cohort + "/imports/00000000-0000-0000-0000-000000000000/confirm",
			[7]int{401, 403, 403, 404, 403, 404, 403}},
		"GET /manage/cohorts/:id/invites":  {"/manage/cohorts/" + id.cohort + "/invites", staffPage},
		"POST /manage/cohorts/:id/invites": {"/manage/cohorts/" + id.cohort + "/invites", [7]int{401, 403, 403, 422, 403, 422, 403}},
		"POST /manage/cohorts/:id/invites/:code/revoke": {"/manage/cohorts/" + id.cohort + "/invites/AAAAAAAA/revoke",
			[7]int{401, 403, 403, 404, 403, 404, 403}},
		"GET /join":        {"/join", all(200)},
		"GET /join/:code":  {"/join/AAAAAAAA", all(404)},
		"POST /join/:code": {"/join/AAAAAAAA", [7]int{401, 404, 403, 403, 403, 403, 403}},
		// personal invitations: only learners answer them, and only their own.
		"POST /join/invitations/:id/accept": {"/join/invitations/00000000-0000-0000-0000-000000000000/accept",
			[7]int{401, 404, 403, 403, 403, 403, 403}},
		"POST /join/invitations/:id/decline": {"/join/invitations/00000000-0000-0000-0000-000000000000/decline",
			[7]int{401, 404, 403, 403, 403, 403, 403}},
		// learner4 is in no cohort, so not in this one.
		"GET /manage/cohorts/:id/learners/:learner": {"/manage/cohorts/" + id.cohort + "/learners/" + userID,
			[7]int{303, 403, 403, 404, 403, 404, 403}},
		"POST /manage/cohorts/:id/learners/:learner/withdraw": {"/manage/cohorts/" + id.cohort + "/learners/" + userID + "/withdraw",
			[7]int{401, 403, 403, 404, 403, 404, 403}},
		"POST /manage/cohorts/:id/learners/:learner/transfer": {"/manage/cohorts/" + id.cohort + "/learners/" + userID + "/transfer",
			[7]int{401, 403, 403, 404, 403, 404, 403}},
		// nudges: the preview for everyone flagged; sending to someone not
		// in the cohort is not found (sending for real is in modules/cohorts).
		"GET /manage/cohorts/:id/nudges": {"/manage/cohorts/" + id.cohort + "/nudges", staffPage},
		"POST /manage/cohorts/:id/nudges": {"/manage/cohorts/" + id.cohort + "/nudges?learner=" + zero,
			[7]int{401, 403, 403, 404, 403, 404, 403}},
		// outcomes rows (modules/outcomes)
		"GET /manage/outcomes":         {"/manage/outcomes", [7]int{303, 403, 403, 200, 403, 200, 403}},
		"GET /manage/outcomes.csv":     {"/manage/outcomes.csv", [7]int{303, 403, 403, 200, 403, 200, 403}},
		"GET /api/v1/reports/outcomes": {"/api/v1/reports/outcomes", [7]int{401, 403, 403, 200, 403, 200, 403}},
		"GET /manage/follow-ups":       {"/manage/follow-ups", [7]int{303, 403, 403, 200, 403, 200, 403}},
		// learner4 is in no cohort: only an admin may know of them, and an
		// empty form has nothing to record against.
		"GET /manage/learners/:id/destinations":  {"/manage/learners/" + userID + "/destinations", [7]int{303, 403, 403, 404, 403, 200, 403}},
		"POST /manage/learners/:id/destinations": {"/manage/learners/" + userID + "/destinations", [7]int{401, 403, 403, 404, 403, 422, 403}},
		"POST /manage/destinations/:id/verify": {"/manage/destinations/00000000-0000-0000-0000-000000000000/verify",
			[7]int{401, 403, 403, 404, 403, 404, 403}},
		"POST /manage/destinations/:id/follow-ups/:kind": {"/manage/destinations/00000000-0000-0000-0000-000000000000/follow-ups/3_months",
			[7]int{401, 403, 403, 404, 403, 404, 403}},
		"GET /learn/news":  {"/learn/news", [7]int{303, 200, 403, 403, 403, 403, 403}},
		"POST /learn/news": {"/learn/news", [7]int{401, 422, 403, 403, 403, 403, 403}},
		// workbook rows (modules/workbook): learners only, each their own;
		// a zero id is nobody's story, and empty forms are refused.
		"GET /workbook":                         {"/workbook", learnerPage},
		"GET /workbook/stories":                 {"/workbook/stories", learnerPage},
		"GET /workbook/stories/new":             {"/workbook/stories/new", learnerPage},
		"POST /workbook/stories":                {"/workbook/stories", learnerWrite(422)},
		"GET /workbook/stories/:id":             {"/workbook/stories/" + zero, learnerRead(404)},
		"POST /workbook/stories/:id":            {"/workbook/stories/" + zero, learnerWrite(422)},
		"GET /workbook/stories/:id/delete":      {"/workbook/stories/" + zero + "/delete", learnerRead(404)},
		"POST /workbook/stories/:id/delete":     {"/workbook/stories/" + zero + "/delete", learnerWrite(404)},
		"GET /workbook/answers/:lesson/delete":  {"/workbook/answers/" + zero + "/delete", learnerRead(404)},
		"POST /workbook/answers/:lesson/delete": {"/workbook/answers/" + zero + "/delete", learnerWrite(404)},
		"GET /workbook/placements":              {"/workbook/placements", learnerPage},
		"GET /workbook/placements/new":          {"/workbook/placements/new", learnerPage},
		"POST /workbook/placements":             {"/workbook/placements", learnerWrite(422)},
		"GET /workbook/placements/:id":          {"/workbook/placements/" + zero, learnerRead(404)},
		"POST /workbook/placements/:id":         {"/workbook/placements/" + zero, learnerWrite(422)},
		"GET /workbook/placements/:id/delete":   {"/workbook/placements/" + zero + "/delete", learnerRead(404)},
		"POST /workbook/placements/:id/delete":  {"/workbook/placements/" + zero + "/delete", learnerWrite(404)},
		"GET /workbook/documents":               {"/workbook/documents", learnerPage},
		"POST /workbook/documents":              {"/workbook/documents", learnerWrite(422)},
		"GET /workbook/cv":                      {"/workbook/cv", learnerPage},
		"POST /workbook/cv":                     {"/workbook/cv", learnerWrite(422)},
		"GET /workbook/cv.pdf":                  {"/workbook/cv.pdf", learnerRead(404)}, // no CV saved yet
		"GET /workbook/cv.txt":                  {"/workbook/cv.txt", learnerRead(404)},
		// The first Get Into lesson has no Try this to answer.
		"POST /learn/:slug/lessons/:id/try-this": {"/learn/get-into/lessons/" + id.intoLesson + "/try-this", learnerWrite(404)},
		// The demo mentor reads their mentee's workbook; there is no CV yet.
		"GET /mentoring/mentorships/:id/workbook":        {"/mentoring/mentorships/" + id.mentorship + "/workbook", [7]int{303, 403, 200, 403, 403, 403, 403}},
		"GET /mentoring/mentorships/:id/workbook/cv.pdf": {"/mentoring/mentorships/" + id.mentorship + "/workbook/cv.pdf", [7]int{303, 403, 404, 403, 403, 403, 403}},
		// equality monitoring rows (modules/monitoring)
		"GET /learn/about-you":         {"/learn/about-you", [7]int{303, 200, 403, 403, 403, 403, 403}},
		"POST /learn/about-you":        {"/learn/about-you", [7]int{401, 303, 403, 403, 403, 403, 403}}, // every question is optional: an empty form holds nothing
		"POST /learn/about-you/delete": {"/learn/about-you/delete", [7]int{401, 303, 403, 403, 403, 403, 403}},
		"GET /manage/equality":         {"/manage/equality", [7]int{303, 403, 403, 200, 403, 200, 403}},
		"GET /manage/equality.csv":     {"/manage/equality.csv", [7]int{303, 403, 403, 200, 403, 200, 403}},
		"GET /api/v1/reports/equality": {"/api/v1/reports/equality", [7]int{401, 403, 403, 200, 403, 200, 403}},

		"POST /admin/media": {"/admin/media", write(422)},
		// notification rows (modules/notify): everyone signed in, their own only.
		"GET /notifications":           {"/notifications", [7]int{303, 200, 200, 200, 200, 200, 200}},
		"POST /notifications/read-all": {"/notifications/read-all", [7]int{401, 303, 303, 303, 303, 303, 303}},
		"POST /notifications/:id/read": {"/notifications/00000000-0000-0000-0000-000000000000/read", [7]int{401, 404, 404, 404, 404, 404, 404}},
		"GET /notifications/settings":  {"/notifications/settings", [7]int{303, 200, 200, 200, 200, 200, 200}},
		"POST /notifications/settings": {"/notifications/settings", [7]int{401, 422, 422, 422, 422, 422, 422}},
		"GET /api/v1/notifications":    {"/api/v1/notifications", [7]int{401, 200, 200, 200, 200, 200, 200}},

		// mentoring rows (modules/mentoring); zero ids are nobody's.
		"GET /mentoring/profile":                {"/mentoring/profile", [7]int{303, 403, 200, 403, 403, 403, 403}},
		"POST /mentoring/profile":               {"/mentoring/profile", [7]int{401, 403, 422, 403, 403, 403, 403}},
		"GET /mentoring/mentors":                {"/mentoring/mentors", [7]int{303, 403, 403, 200, 200, 200, 403}},
		"GET /mentoring/mentors/:id/vetting":    {"/mentoring/mentors/" + id.mentor + "/vetting", [7]int{303, 403, 403, 200, 200, 200, 403}},
		"POST /mentoring/mentors/:id/vetting":   {"/mentoring/mentors/" + id.mentor + "/vetting", [7]int{401, 403, 403, 422, 422, 422, 403}},
		"POST /mentoring/mentors/:id/conflicts": {"/mentoring/mentors/" + id.mentor + "/conflicts", [7]int{401, 403, 403, 422, 422, 422, 403}},
		"GET /learn/mentor":                     {"/learn/mentor", [7]int{303, 200, 403, 403, 403, 403, 403}},
		"POST /learn/mentor":                    {"/learn/mentor", [7]int{401, 303, 403, 403, 403, 403, 403}},
		"GET /manage/mentoring":                 {"/manage/mentoring", staffPage},
		"POST /manage/mentoring/match":          {"/manage/mentoring/match", [7]int{401, 403, 403, 303, 403, 303, 403}},
		"GET /manage/mentoring/proposals/:id":   {"/manage/mentoring/proposals/" + zero, [7]int{303, 403, 403, 404, 403, 404, 403}},
		"POST /manage/mentoring/proposals/:id/approve": {"/manage/mentoring/proposals/" + zero + "/approve",
			[7]int{401, 403, 403, 404, 403, 404, 403}},
		"POST /manage/mentoring/proposals/:id/reject": {"/manage/mentoring/proposals/" + zero + "/reject",
			[7]int{401, 403, 403, 422, 403, 422, 403}},
		"POST /manage/mentoring/proposals/:id/conflict": {"/manage/mentoring/proposals/" + zero + "/conflict",
			[7]int{401, 403, 403, 404, 403, 404, 403}},
		// Inviting a mentor: managers and admins; an empty form is refused.
		"GET /manage/mentoring/invitations":  {"/manage/mentoring/invitations", staffPage},
		"POST /manage/mentoring/invitations": {"/manage/mentoring/invitations", [7]int{401, 403, 403, 422, 403, 422, 403}},
		// An invitation is shown only to the person it was sent to; a zero
		// id is nobody's, and anyone else gets the same 404.
		"GET /mentoring/invitations/:id":         {"/mentoring/invitations/" + zero, [7]int{303, 404, 404, 404, 404, 404, 404}},
		"POST /mentoring/invitations/:id/accept": {"/mentoring/invitations/" + zero + "/accept", [7]int{401, 404, 404, 404, 404, 404, 404}},
		// An empty form is refused before anything is looked up.
		"POST /manage/mentoring/proposals/:id/swap": {"/manage/mentoring/proposals/" + zero + "/swap",
			[7]int{401, 403, 403, 422, 403, 422, 403}},
		// An empty reason is refused before anything is looked up.
		"POST /mentoring/mentorships/:id/end":     {"/mentoring/mentorships/" + zero + "/end", [7]int{401, 422, 422, 422, 403, 422, 403}},
		"POST /mentoring/mentorships/:id/rematch": {"/mentoring/mentorships/" + zero + "/rematch", [7]int{401, 422, 422, 403, 403, 403, 403}},
		"POST /mentoring/mentorships/:id/goals":   {"/mentoring/mentorships/" + zero + "/goals", [7]int{401, 404, 404, 403, 403, 403, 403}},
		"POST /mentoring/mentorships/:id/goals/:goal/done": {"/mentoring/mentorships/" + zero + "/goals/" + zero + "/done",
			[7]int{401, 404, 404, 403, 403, 403, 403}},
		"GET /mentoring/mentorships/:id/survey":  {"/mentoring/mentorships/" + zero + "/survey", [7]int{303, 404, 404, 403, 403, 403, 403}},
		"POST /mentoring/mentorships/:id/survey": {"/mentoring/mentorships/" + zero + "/survey", [7]int{401, 404, 404, 403, 403, 403, 403}},
		"GET /api/v1/mentorships":                {"/api/v1/mentorships", [7]int{401, 200, 200, 403, 403, 403, 403}},
		// The demo mentorship: its two people, the learner's manager,
		// safeguarding leads and admins; nobody else may know of it.
		"GET /api/v1/mentorships/:id": {"/api/v1/mentorships/" + id.mentorship, [7]int{401, 200, 200, 200, 200, 200, 404}},

		// messaging rows (modules/messaging): a thread is read by its two
		// people and safeguarding leads, written by its two people; staff
		// who may know of the mentorship are refused. An empty message or
		// report is refused before anything is stored.
		"GET /mentoring/mentorships/:id/messages": {"/mentoring/mentorships/" + id.mentorship + "/messages", [7]int{303, 200, 200, 403, 200, 403, 403}},
		// The demo mentor reads the lessons of their mentee (a Get Into lesson).
		"GET /mentoring/mentorships/:id/learning":        {"/mentoring/mentorships/" + id.mentorship + "/learning", [7]int{303, 403, 200, 403, 403, 403, 403}},
		"GET /mentoring/mentorships/:id/lessons/:lesson": {"/mentoring/mentorships/" + id.mentorship + "/lessons/" + id.intoLesson, [7]int{303, 403, 200, 403, 403, 403, 403}},
		"POST /mentoring/mentorships/:id/messages":       {"/mentoring/mentorships/" + id.mentorship + "/messages", [7]int{401, 422, 422, 403, 403, 403, 403}},
		"GET /concerns/new":                              {"/concerns/new", [7]int{303, 200, 200, 403, 403, 403, 403}},
		"POST /concerns":                                 {"/concerns", [7]int{401, 422, 422, 403, 403, 403, 403}},
		"GET /concerns/sent":                             {"/concerns/sent", [7]int{303, 200, 200, 403, 403, 403, 403}},
		"GET /safeguarding/messages/:id":                 {"/safeguarding/messages/" + zero, [7]int{303, 403, 403, 403, 404, 403, 403}},
		"POST /safeguarding/messages/:id/review":         {"/safeguarding/messages/" + zero + "/review", [7]int{401, 403, 403, 403, 404, 403, 403}},
		"POST /safeguarding/messages/:id/concern":        {"/safeguarding/messages/" + zero + "/concern", [7]int{401, 403, 403, 403, 404, 403, 403}},
		"GET /safeguarding/cases/:id":                    {"/safeguarding/cases/" + zero, [7]int{303, 403, 403, 403, 404, 403, 403}},
		"POST /safeguarding/cases/:id":                   {"/safeguarding/cases/" + zero, [7]int{401, 403, 403, 403, 404, 403, 403}},
		"POST /safeguarding/cases/:id/notes":             {"/safeguarding/cases/" + zero + "/notes", [7]int{401, 403, 403, 403, 404, 403, 403}},
		"POST /safeguarding/mentorships/:id/pause":       {"/safeguarding/mentorships/" + zero + "/pause", [7]int{401, 403, 403, 403, 422, 403, 403}},
		"POST /safeguarding/mentorships/:id/resume":      {"/safeguarding/mentorships/" + zero + "/resume", [7]int{401, 403, 403, 403, 404, 403, 403}},
		"GET /safeguarding/mentorships/:id/history":      {"/safeguarding/mentorships/" + id.mentorship + "/history", [7]int{303, 403, 403, 403, 200, 403, 403}},
		"GET /api/v1/mentorships/:id/messages":           {"/api/v1/mentorships/" + id.mentorship + "/messages", [7]int{401, 200, 200, 403, 200, 403, 403}},
		"POST /api/v1/mentorships/:id/messages":          {"/api/v1/mentorships/" + id.mentorship + "/messages", [7]int{401, 422, 422, 403, 403, 403, 403}},
		"GET /api/v1/mentorships/:id/events":             {"/api/v1/mentorships/" + id.mentorship + "/events", [7]int{401, 200, 200, 403, 403, 403, 403}},
		"GET /api/v1/moderation/queue":                   {"/api/v1/moderation/queue", [7]int{401, 403, 403, 403, 200, 403, 403}},
		// a lead's empty suspension form has no reason; a zero id is nobody.
		"POST /safeguarding/mentors/:id/suspend":   {"/safeguarding/mentors/" + zero + "/suspend", [7]int{401, 403, 403, 403, 422, 403, 403}},
		"POST /safeguarding/mentors/:id/reinstate": {"/safeguarding/mentors/" + zero + "/reinstate", [7]int{401, 403, 403, 403, 404, 403, 403}},
		// attachments: an empty upload has no file; a zero id is nobody's file.
		"POST /api/v1/attachments":       {"/api/v1/attachments", [7]int{401, 422, 422, 403, 403, 403, 403}},
		"GET /mentoring/attachments/:id": {"/mentoring/attachments/" + zero, [7]int{303, 404, 404, 403, 404, 403, 403}},
		"POST /api/v1/moderation/messages/:id/release": {"/api/v1/moderation/messages/" + zero + "/release",
			[7]int{401, 403, 403, 403, 404, 403, 403}},
		"POST /api/v1/moderation/messages/:id/redact": {"/api/v1/moderation/messages/" + zero + "/redact",
			[7]int{401, 403, 403, 403, 404, 403, 403}},
		"POST /api/v1/moderation/messages/:id/block": {"/api/v1/moderation/messages/" + zero + "/block",
			[7]int{401, 403, 403, 403, 404, 403, 403}},
		// The manager's proposals API: managers (their organisation's) and admins.
		"GET /api/v1/mentoring/proposals": {"/api/v1/mentoring/proposals", staffAPI},
		"POST /api/v1/mentoring/proposals/:id/approve": {"/api/v1/mentoring/proposals/" + zero + "/approve",
			[7]int{401, 403, 403, 404, 403, 404, 403}},
		"POST /api/v1/mentoring/proposals/:id/reject": {"/api/v1/mentoring/proposals/" + zero + "/reject",
			[7]int{401, 403, 403, 422, 403, 422, 403}},
		"POST /api/v1/mentoring/proposals/:id/swap": {"/api/v1/mentoring/proposals/" + zero + "/swap",
			[7]int{401, 403, 403, 422, 403, 422, 403}},
		"POST /api/v1/mentoring/matches": {"/api/v1/mentoring/matches", [7]int{401, 403, 403, 200, 403, 200, 403}},
		// Matching weights: admins only; an empty form is refused, an unknown programme is 404.
		"GET /admin/mentoring/weights":                   {"/admin/mentoring/weights", [7]int{303, 403, 403, 403, 403, 200, 403}},
		"GET /admin/mentoring/weights/:programme":        {"/admin/mentoring/weights/get-into", [7]int{303, 403, 403, 403, 403, 200, 403}},
		"POST /admin/mentoring/weights/:programme":       {"/admin/mentoring/weights/get-into", [7]int{401, 403, 403, 403, 403, 422, 403}},
		"POST /admin/mentoring/weights/:programme/reset": {"/admin/mentoring/weights/nothing/reset", [7]int{401, 403, 403, 403, 403, 404, 403}},
	}
}

// TestEveryRouteHasARuleAndEachRoleGetsTheExpectedStatus walks every
// registered route as every kind of caller. A new route without a row here
// fails the test, so nobody adds a route without deciding who may call it.
func TestEveryRouteHasARuleAndEachRoleGetsTheExpectedStatus(t *testing.T) {
	srv := testenv.NewServer(t)
	id := loadIDs(t)
	table := routeTable(id)

	for _, r := range srv.App.Echo.Routes() {
		key := r.Method + " " + r.Path
		if _, ok := srv.App.Routes.Rule(r.Method, r.Path); !ok {
			t.Errorf("route %s was registered without a rule (use auth.Routes)", key)
		}
		if _, ok := table[key]; !ok {
			t.Errorf("route %s has no row in the route table", key)
		}
	}
	for _, key := range srv.App.Routes.Keys() {
		row, ok := table[key]
		if !ok {
			continue // reported above
		}
		method := strings.SplitN(key, " ", 2)[0]
		for i, w := range who {
			// A fresh sign-in per call: some calls (sign-out) end the session.
			var c *testenv.Client
			if w.email == "" {
				c = srv.NewClient(t)
			} else {
				c = srv.SignIn(t, w.email)
			}
			c.NoRedirects()
			var resp *http.Response
			switch method {
			case http.MethodPost:
				resp = c.PostForm(row.path, nil)
			case http.MethodGet:
				resp = c.Get(row.path)
			default:
				resp = c.Do(c.Request(method, row.path, nil))
			}
			resp.Body.Close()
			if resp.StatusCode != row.status[i] {
				t.Errorf("%s as %s: got %d, want %d", key, w.name, resp.StatusCode, row.status[i])
			}
		}
	}
	if got, want := len(srv.App.Routes.Keys()), len(table); got != want {
		t.Errorf("%d routes registered but the table has %d rows: %s", got, want, fmt.Sprint(srv.App.Routes.Keys()))
	}
}

// loadIDs finds the demo rows the route table and the spec check call.
func loadIDs(t *testing.T) ids {
	t.Helper()
	var id ids
	g := testenv.DB(t).Gorm
	g.Raw("SELECT id FROM users WHERE email = 'learner4@example.org'").Scan(&id.user)
	g.Raw(`SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id JOIN programmes p ON p.id = m.programme_id
		WHERE p.slug = 'get-started' ORDER BY m.position, l.position LIMIT 1`).Scan(&id.lesson)
	g.Raw(`SELECT c.id FROM checks c JOIN modules m ON m.id = c.module_id JOIN programmes p ON p.id = m.programme_id
		WHERE p.slug = 'get-started' ORDER BY m.position LIMIT 1`).Scan(&id.check)
	g.Raw("SELECT id FROM programmes WHERE slug = 'get-started'").Scan(&id.programme)
	g.Raw(`SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id JOIN programmes p ON p.id = m.programme_id
		WHERE p.slug = 'get-into' ORDER BY m.position, l.position LIMIT 1`).Scan(&id.intoLesson)
	g.Raw(`SELECT c.id FROM checks c JOIN modules m ON m.id = c.module_id JOIN programmes p ON p.id = m.programme_id
		WHERE p.slug = 'get-into' ORDER BY m.position LIMIT 1`).Scan(&id.intoCheck)
	g.Raw(`SELECT c.id FROM cohorts c JOIN organisations o ON o.id = c.organisation_id
		WHERE o.name = 'Northfield NHS Foundation Trust' ORDER BY c.starts_on LIMIT 1`).Scan(&id.cohort)
	g.Raw("SELECT id FROM modules WHERE programme_id = ? ORDER BY position LIMIT 1", id.programme).Scan(&id.module)
	g.Raw("SELECT id FROM users WHERE email = 'mentor@example.org'").Scan(&id.mentor)
	g.Raw(`SELECT m.id FROM mentorships m JOIN users u ON u.id = m.learner_id
		WHERE u.email = 'learner@example.org' AND m.status = 'active'`).Scan(&id.mentorship)
	if id.mentor == "" || id.mentorship == "" || id.user == "" || id.lesson == "" || id.check == "" || id.programme == "" || id.module == "" || id.cohort == "" ||
		id.intoLesson == "" || id.intoCheck == "" {
		t.Fatalf("demo data missing: %+v", id)
	}
	return id
}

func mustJSON(t *testing.T, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("decoding %.300s: %v", body, err)
	}
}

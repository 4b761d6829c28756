package workbook_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"onramp/app/apperr"
	"onramp/app/testenv"
	"onramp/modules/workbook"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// today is the service's clock in these tests.
var today = time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)

func newService(t *testing.T) *workbook.Service {
	t.Helper()
	return workbook.NewService(testenv.DB(t), nil, nil, func() time.Time { return today })
}

func newLearner(t *testing.T) string {
	t.Helper()
	id, _ := testenv.NewFixtures(t).Learner(testenv.Learner{Name: "Workbook Learner"})
	return id
}

// fields returns the field: message pairs of an Invalid error.
func fields(t *testing.T, err error) map[string]string {
	t.Helper()
	e := apperr.As(err)
	if err == nil || e.Kind != apperr.Invalid {
		t.Fatalf("want Invalid, got %v", err)
	}
	out := map[string]string{}
	for _, f := range e.Fields {
		out[f.Field] = f.Message
	}
	return out
}

func isNotFound(err error) bool { return err != nil && apperr.As(err).Kind == apperr.NotFound }

func goodStory() workbook.StoryInput {
	return workbook.StoryInput{Title: "Helping at the food bank", Situation: "The food bank was busy.",
		Task: "Sort the tins.", Action: "I made a system.", Result: "We finished early.", Values: []string{"compassion", "working-together"}}
}

func TestAStoryNeedsEveryPartWithinItsLimitAndOnlyNHSValues(t *testing.T) {
	svc, ctx := newService(t), context.Background()
	me := newLearner(t)
	for name, c := range map[string]struct {
		change func(*workbook.StoryInput)
		field  string
		want   string
	}{
		"no title":      {func(s *workbook.StoryInput) { s.Title = "  " }, "title", "Enter a short title"},
		"long title":    {func(s *workbook.StoryInput) { s.Title = strings.Repeat("é", 81) }, "title", "Title must be 80 characters or fewer. You have 81."},
		"no situation":  {func(s *workbook.StoryInput) { s.Situation = "" }, "situation", "Enter the situation"},
		"no task":       {func(s *workbook.StoryInput) { s.Task = "" }, "task", "Enter the task"},
		"no action":     {func(s *workbook.StoryInput) { s.Action = "" }, "action", "Enter the action"},
		"long result":   {func(s *workbook.StoryInput) { s.Result = strings.Repeat("a", 1001) }, "result", "Result must be 1000 characters or fewer"},
		"made-up value": {func(s *workbook.StoryInput) { s.Values = append(s.Values, "bravery") }, "values", "Select NHS values from the list"},
	} {
		in := goodStory()
		c.change(&in)
		_, err := svc.SaveStory(ctx, me, "", in)
		if got := fields(t, err)[c.field]; !strings.HasPrefix(got, c.want) {
			t.Errorf("%s: %s says %q, want %q", name, c.field, got, c.want)
		}
	}
	if w, _ := svc.Workbook(ctx, me); len(w.Stories) != 0 {
		t.Errorf("refused stories were saved: %+v", w.Stories)
	}

	in := goodStory()
	in.Values = []string{"working-together", "compassion", "compassion"}
	id, err := svc.SaveStory(ctx, me, "", in)
	if err != nil {
		t.Fatal(err)
	}
	st, err := svc.Story(ctx, me, id)
	if err != nil || fmt.Sprint(st.NHSValues) != "[working-together compassion]" {
		t.Errorf("saved story %+v, %v; want its values once each, in the usual order", st, err)
	}
}

func TestALearnerCannotReadChangeOrDeleteAnotherLearnersEntries(t *testing.T) {
	svc, ctx := newService(t), context.Background()
	me, other := newLearner(t), newLearner(t)
	story, err := svc.SaveStory(ctx, me, "", goodStory())
	if err != nil {
		t.Fatal(err)
	}
	day, err := svc.SavePlacement(ctx, me, "", workbook.PlacementInput{Day: "9", Month: "3", Year: "2026",
		Did: "Made beds", Learned: "Hospital corners", Value: "quality-of-care"})
	if err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"read story":       func() error { _, err := svc.Story(ctx, other, story); return err }(),
		"change story":     func() error { _, err := svc.SaveStory(ctx, other, story, goodStory()); return err }(),
		"delete story":     svc.DeleteStory(ctx, other, story),
		"read placement":   func() error { _, err := svc.Placement(ctx, other, day); return err }(),
		"delete placement": svc.DeletePlacement(ctx, other, day),
		"not a uuid":       svc.DeleteStory(ctx, me, "1 OR 1=1"),
	} {
		if !isNotFound(err) {
			t.Errorf("%s: %v, want not found", name, err)
		}
	}
	w, err := svc.Workbook(ctx, me)
	if err != nil || len(w.Stories) != 1 || len(w.Placements) != 1 || w.Stories[0].Title != goodStory().Title {
		t.Fatalf("the owner's workbook after another learner's tries: %+v, %v", w, err)
	}
	if w, _ := svc.Workbook(ctx, other); len(w.Stories)+len(w.Placements) != 0 {
		t.Errorf("the other learner sees entries: %+v", w)
	}
}

func TestAPlacementDayIsARealDateNotInTheFutureWithOneNHSValue(t *testing.T) {
	svc, ctx := newService(t), context.Background()
	me := newLearner(t)
	good := workbook.PlacementInput{Day: "10", Month: "3", Year: "2026", Did: "Helped serve lunch", Learned: "Ask before helping", Value: "respect-dignity"}
	for name, c := range map[string]struct {
		change      func(*workbook.PlacementInput)
		field, want string
	}{
		"no date":   {func(p *workbook.PlacementInput) { p.Day, p.Month, p.Year = "", "", "" }, "on-day", "Enter the date"},
		"no month":  {func(p *workbook.PlacementInput) { p.Month = "" }, "on-month", "Date must include a month"},
		"not real":  {func(p *workbook.PlacementInput) { p.Day, p.Month = "30", "2" }, "on-day", "Date must be a real date"},
		"tomorrow":  {func(p *workbook.PlacementInput) { p.Day = "11" }, "on-day", "Date must be today or in the past"},
		"no value":  {func(p *workbook.PlacementInput) { p.Value = "" }, "value", "Select the NHS value you showed"},
		"not value": {func(p *workbook.PlacementInput) { p.Value = "speed" }, "value", "Select the NHS value you showed"},
		"no did":    {func(p *workbook.PlacementInput) { p.Did = " " }, "did", "Enter what you did"},
		"long place": {func(p *workbook.PlacementInput) { p.Place = strings.Repeat("w", 101) }, "place",
			"Where you were must be 100 characters or fewer"},
	} {
		in := good
		c.change(&in)
		_, err := svc.SavePlacement(ctx, me, "", in)
		if got := fields(t, err)[c.field]; !strings.HasPrefix(got, c.want) {
			t.Errorf("%s: %s says %q, want %q", name, c.field, got, c.want)
		}
	}
	older := good
	older.Day, older.Did = "2", "Earlier day"
	for _, in := range []workbook.PlacementInput{older, good} {
		if _, err := svc.SavePlacement(ctx, me, "", in); err != nil {
			t.Fatal(err)
		}
	}
	w, _ := svc.Workbook(ctx, me)
	if len(w.Placements) != 2 || w.Placements[0].Did != good.Did || w.Placements[0].HappenedOn.Day() != 10 {
		t.Errorf("placement log %+v, want today's day first", w.Placements)
	}
}

func TestTheDocumentChecklistSavesEveryItemOrNone(t *testing.T) {
	svc, ctx := newService(t), context.Background()
	me := newLearner(t)
	in := map[string]workbook.DocumentInput{}
	for _, it := range workbook.Items {
		in[it.Key] = workbook.DocumentInput{Status: workbook.Ready}
	}
	in["references"] = workbook.DocumentInput{Status: workbook.Working, Note: "Ms Patel, my tutor, by college email"}
	in["dbs"] = workbook.DocumentInput{Status: "done"}
	in["bank"] = workbook.DocumentInput{Status: workbook.Ready, Note: strings.Repeat("n", 301)}
	got := fields(t, svc.SaveDocuments(ctx, me, in))
	if got["dbs"] != "Select where you are with DBS check" || !strings.Contains(got["bank-note"], "300 characters or fewer") || len(got) != 2 {
		t.Errorf("refused checklist says %v", got)
	}
	w, _ := svc.Workbook(ctx, me)
	if w.Ready() != 0 {
		t.Errorf("a refused checklist saved %d items as ready", w.Ready())
	}

	in["dbs"], in["bank"] = workbook.DocumentInput{Status: workbook.NotStarted}, workbook.DocumentInput{Status: workbook.Ready}
	if err := svc.SaveDocuments(ctx, me, in); err != nil {
		t.Fatal(err)
	}
	w, _ = svc.Workbook(ctx, me)
	if w.Ready() != len(workbook.Items)-2 || w.Documents[3].Note != "Ms Patel, my tutor, by college email" {
		t.Errorf("saved checklist: %d ready, %+v", w.Ready(), w.Documents)
	}
}

func TestATryThisAnswerIsKeptOncePerLessonAndStartsAStory(t *testing.T) {
	svc, ctx := newService(t), context.Background()
	me := newLearner(t)
	var lesson string
	if err := testenv.DB(t).Gorm.Raw("SELECT id FROM lessons WHERE body_md LIKE '%## Try this%' LIMIT 1").Scan(&lesson).Error; err != nil || lesson == "" {
		t.Fatalf("no lesson with a Try this: %v", err)
	}
	if got := fields(t, svc.SaveTryAnswer(ctx, me, lesson, "get-into", "   "))["try-this-answer"]; got != "Write your answer before you save it" {
		t.Errorf("an empty answer: %q", got)
	}
	for _, a := range []string{"First go", "I would ask the nurse in charge."} {
		if err := svc.SaveTryAnswer(ctx, me, lesson, "get-into", a); err != nil {
			t.Fatal(err)
		}
	}
	w, _ := svc.Workbook(ctx, me)
	if len(w.Answers) != 1 || w.Answers[0].Answer != "I would ask the nurse in charge." || w.Answers[0].LessonTitle == "" {
		t.Errorf("answers %+v, want the second answer only, with its lesson's title", w.Answers)
	}
	in, err := svc.FromAnswer(ctx, me, lesson)
	if err != nil || in.Situation != "I would ask the nurse in charge." || in.Title != "" {
		t.Errorf("a story from the answer: %+v, %v", in, err)
	}
	if _, err := svc.FromAnswer(ctx, newLearner(t), lesson); !isNotFound(err) {
		t.Errorf("a story from someone else's answer: %v, want not found", err)
	}
}

func goodCV() workbook.CVInput {
	in := workbook.CVInput{FullName: "Zoë Ní Bhriain", Town: "Leeds", Phone: "07700 900982", Email: "zoe@example.org",
		Statement: "I am kind and reliable. I want to be a healthcare support worker.", Skills: "Listening, first aid"}
	in.Experience[1] = workbook.Entry{Title: "Volunteer", Place: "Food bank", Dates: "2025 to now", Details: "Sorted donations."}
	in.Education[0] = workbook.Entry{Title: "Get Into", Place: "Onramp"}
	return in
}

func TestACVIsValidatedAndItsEmptyEntriesLeftOut(t *testing.T) {
	svc, ctx := newService(t), context.Background()
	me := newLearner(t)
	for name, c := range map[string]struct {
		change      func(*workbook.CVInput)
		field, want string
	}{
		"no name":      {func(cv *workbook.CVInput) { cv.FullName = "" }, "full-name", "Enter your full name"},
		"no contact":   {func(cv *workbook.CVInput) { cv.Phone, cv.Email = "", "" }, "phone", "Enter a phone number or an email address"},
		"bad phone":    {func(cv *workbook.CVInput) { cv.Phone = "call me" }, "phone", "Enter a phone number, like 07700 900 982"},
		"short phone":  {func(cv *workbook.CVInput) { cv.Phone = "0770" }, "phone", "Enter a phone number, like 07700 900 982"},
		"bad email":    {func(cv *workbook.CVInput) { cv.Email = "zoe at example.org" }, "email", "Enter an email address in the right format"},
		"no statement": {func(cv *workbook.CVInput) { cv.Statement = "" }, "statement", "Enter a few sentences"},
		"job no place": {func(cv *workbook.CVInput) { cv.Experience[2] = workbook.Entry{Title: "Porter"} }, "experience-3-place", "Enter where for job 3"},
		"course no title": {func(cv *workbook.CVInput) { cv.Education[1] = workbook.Entry{Dates: "2024"} }, "education-2-title",
			"Enter the course or qualification for course 2"},
		"long details": {func(cv *workbook.CVInput) { cv.Experience[1].Details = strings.Repeat("x", 401) }, "experience-2-details",
			"What you did for job 2 must be 400 characters or fewer"},
	} {
		in := goodCV()
		c.change(&in)
		if got := fields(t, svc.SaveCV(ctx, me, in))[c.field]; !strings.HasPrefix(got, c.want) {
			t.Errorf("%s: %s says %q, want %q", name, c.field, got, c.want)
		}
	}
	if _, err := svc.CV(ctx, me); !isNotFound(err) {
		t.Fatalf("a refused CV was saved: %v", err)
	}
	if err := svc.SaveCV(ctx, me, goodCV()); err != nil {
		t.Fatal(err)
	}
	cv, _ := svc.CV(ctx, me)
	if len(cv.Experience) != 1 || cv.Experience[0].Place != "Food bank" || len(cv.Education) != 1 {
		t.Errorf("saved CV entries %+v %+v, want the filled-in ones only", cv.Experience, cv.Education)
	}
	if in := cv.Input(); in.Experience[0].Place != "Food bank" || in.Experience[1] != (workbook.Entry{}) {
		t.Errorf("the form shows the saved job in the first place: %+v", in.Experience)
	}
}

// pageObject is a PDF page object's type ("/Type /Page", not "/Pages").
var pageObject = regexp.MustCompile(`/Type\s*/Page\b`)

// pages counts the page objects of a PDF.
func pages(pdf []byte) int { return len(pageObject.FindAll(pdf, -1)) }

func TestTheCVIsOnePDFPageOrTheLearnerIsToldWhatToShorten(t *testing.T) {
	svc, ctx := newService(t), context.Background()
	me := newLearner(t)
	if _, err := svc.CVPDF(ctx, me); !isNotFound(err) {
		t.Errorf("the PDF of no CV: %v, want not found", err)
	}
	if err := svc.SaveCV(ctx, me, goodCV()); err != nil {
		t.Fatal(err)
	}
	pdf, err := svc.CVPDF(ctx, me)
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF") || pages(pdf) != 1 {
		t.Fatalf("PDF: %d pages, %v", pages(pdf), err)
	}
	cv, _ := svc.CV(ctx, me)
	text := cv.Text()
	for _, want := range []string{"Zoë Ní Bhriain\nLeeds  |  07700 900982  |  zoe@example.org\n", "PERSONAL STATEMENT\n\nI am kind",
		"Volunteer, Food bank (2025 to now)\nSorted donations.", "Get Into, Onramp\n", "REFERENCES\n\nReferences available on request."} {
		if !strings.Contains(text, want) {
			t.Errorf("plain text CV has no %q:\n%s", want, text)
		}
	}

	// Every part at its longest does not fit: the download names the
	// longest parts, and nothing is cut.
	long := goodCV()
	long.Statement = strings.Repeat("I like helping people. ", 34)
	long.Skills = strings.Repeat("Kind. ", 60)
	for i := range workbook.MaxEntries {
		long.Experience[i] = workbook.Entry{Title: "Care assistant", Place: "Home", Dates: "2024", Details: strings.Repeat("Helped with meals. ", 21)}
		long.Education[i] = workbook.Entry{Title: "Course", Place: "College", Details: strings.Repeat("Learned things. ", 25)}
	}
	if err := svc.SaveCV(ctx, me, long); err != nil {
		t.Fatal(err)
	}
	_, err = svc.CVPDF(ctx, me)
	got := apperr.As(err)
	if err == nil || got.Kind != apperr.Invalid || len(got.Fields) != 3 || got.Fields[0].Field != "statement" ||
		got.Fields[0].Message != "Your CV is too long for one page. Make your personal statement shorter (it has 136 words)." ||
		!strings.HasPrefix(got.Fields[1].Message, "Or make ") {
		t.Errorf("a CV too long for a page: %v %+v", err, got.Fields)
	}
	if saved, _ := svc.CV(ctx, me); saved.Statement != strings.TrimSpace(long.Statement) {
		t.Error("the long CV was not kept as written")
	}
}

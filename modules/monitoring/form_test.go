package monitoring_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"onramp/app/testenv"
	"onramp/modules/monitoring"
)

// allAnswers is a complete, valid "About you" form.
func allAnswers() url.Values {
	return url.Values{"sex": {"female"}, "gender_same_as_birth": {"yes"}, "ethnicity": {"black_caribbean"},
		"disability": {"no"}, "care_experience": {"prefer_not_to_say"}, "benefits": {"yes"}, "neet": {"yes"}}
}

type savedRow struct {
	Sex, Ethnicity, CareExperience string
	Answered, Updated              string
}

func saved(t *testing.T, userID string) *savedRow {
	t.Helper()
	var rows []savedRow
	testenv.DB(t).Gorm.Raw(`SELECT sex, ethnicity, care_experience, answered_at::text AS answered, updated_at::text AS updated
		FROM equality_answers WHERE user_id = ?`, userID).Scan(&rows)
	if len(rows) == 0 {
		return nil
	}
	return &rows[0]
}

func TestALearnerSavesChangesAndRemovesTheirAnswers(t *testing.T) {
	srv := testenv.NewServer(t)
	c := srv.SignIn(t, "learner3@example.org")
	id := userID(t, "learner3@example.org")
	c.PostForm("/learn/about-you/delete", nil).Body.Close() // start from no answers

	page := testenv.Body(t, c.Get("/learn/about-you"))
	for _, want := range []string{"These questions are optional", "never shown about you to anyone",
		"never used to make decisions about you", "change or remove your answers", "as many or as few as you like"} {
		if !strings.Contains(page, want) {
			t.Errorf("the form does not say %q", want)
		}
	}
	if n := strings.Count(page, `value="prefer_not_to_say"`); n != len(monitoring.Questions) {
		t.Errorf("%d questions offer Prefer not to say, want all %d", n, len(monitoring.Questions))
	}
	if strings.Contains(page, "Remove my answers") || strings.Contains(page, " checked") {
		t.Error("a learner with no answers is shown answers to remove or chosen")
	}

	c.NoRedirects()
	resp := c.PostForm("/learn/about-you", allAnswers())
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/learn/about-you?done=saved" {
		t.Fatalf("saving: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	first := saved(t, id)
	if first == nil || first.Sex != "female" || first.Ethnicity != "black_caribbean" || first.CareExperience != "prefer_not_to_say" {
		t.Fatalf("saved %+v", first)
	}
	page = testenv.Body(t, c.Get("/learn/about-you?done=saved"))
	for _, want := range []string{"Your answers are saved", `value="black_caribbean" checked`, `value="female" checked`, "Remove my answers"} {
		if !strings.Contains(page, want) {
			t.Errorf("after saving the form does not show %q", want)
		}
	}

	changed := allAnswers()
	changed.Set("sex", "prefer_not_to_say")
	changed.Set("ethnicity", "other_arab")
	resp = c.PostForm("/learn/about-you", changed)
	resp.Body.Close()
	second := saved(t, id)
	if resp.StatusCode != http.StatusSeeOther || second == nil || second.Sex != "prefer_not_to_say" || second.Ethnicity != "other_arab" {
		t.Fatalf("changing: %d, saved %+v", resp.StatusCode, second)
	}
	if second.Answered != first.Answered || second.Updated < first.Updated {
		t.Errorf("a change should keep when they first answered and move when they last did: %+v then %+v", first, second)
	}

	resp = c.PostForm("/learn/about-you/delete", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/learn/about-you?done=removed" {
		t.Fatalf("removing: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if s := saved(t, id); s != nil {
		t.Fatalf("answers still held after removing them: %+v", s)
	}
	page = testenv.Body(t, c.Get("/learn/about-you?done=removed"))
	if !strings.Contains(page, "Your answers have been removed") || strings.Contains(page, " checked") {
		t.Error("after removing, the page does not say so or still shows answers")
	}
}

func TestAPartlyAnsweredFormSavesWhatWasAnswered(t *testing.T) {
	srv := testenv.NewServer(t)
	c := srv.SignIn(t, "learner4@example.org").NoRedirects()
	id := userID(t, "learner4@example.org")
	c.PostForm("/learn/about-you/delete", nil).Body.Close()

	resp := c.PostForm("/learn/about-you", url.Values{"sex": {"male"}, "care_experience": {"prefer_not_to_say"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/learn/about-you?done=saved" {
		t.Fatalf("saving two answers of seven: %d to %q, want the saved page", resp.StatusCode, resp.Header.Get("Location"))
	}
	got := saved(t, id)
	if got == nil || got.Sex != "male" || got.CareExperience != "prefer_not_to_say" || got.Ethnicity != "" {
		t.Fatalf("saved %+v, want sex and care experience only", got)
	}
	var unanswered int
	testenv.DB(t).Gorm.Raw(`SELECT num_nulls(sex, gender_same_as_birth, ethnicity, disability, care_experience, benefits, neet)
		FROM equality_answers WHERE user_id = ?`, id).Scan(&unanswered)
	if unanswered != len(monitoring.Questions)-2 {
		t.Errorf("%d questions stored as not answered, want %d", unanswered, len(monitoring.Questions)-2)
	}
	page := testenv.Body(t, c.Get("/learn/about-you?done=saved"))
	if !strings.Contains(page, `value="male" checked`) || strings.Count(page, " checked") != 2 {
		t.Errorf("the saved form does not show exactly the two answers given")
	}

	// Nothing answered holds nothing.
	resp = c.PostForm("/learn/about-you", url.Values{})
	resp.Body.Close()
	if resp.Header.Get("Location") != "/learn/about-you?done=empty" || saved(t, id) != nil {
		t.Errorf("an empty form: to %q, still held %+v; want nothing held", resp.Header.Get("Location"), saved(t, id))
	}
}

func TestTheFormNamesTheQuestionOfAWrongAnswerAndKeepsWhatWasChosen(t *testing.T) {
	srv := testenv.NewServer(t)
	c := srv.SignIn(t, "learner4@example.org")
	id := userID(t, "learner4@example.org")
	c.PostForm("/learn/about-you/delete", nil).Body.Close()

	resp := c.PostForm("/learn/about-you", url.Values{"sex": {"male"}, "ethnicity": {"martian"}})
	page := testenv.Body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("an answer that is not in the list: %d, want 422", resp.StatusCode)
	}
	for _, want := range []string{
		"There is a problem",
		"<a href=\"#ethnicity\">For \u201cWhat is your ethnic group?\u201d choose one of the answers in the list</a>",
		`id="ethnicity" name="ethnicity"`, // the summary's link lands on the first answer
		`value="male" checked`,            // what was chosen is kept
		"nhsuk-form-group--error",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the refused form does not contain %q", want)
		}
	}
	if got := strings.Count(page, `class="nhsuk-error-message"`); got != 1 {
		t.Errorf("%d questions show an error, want 1", got)
	}
	if saved(t, id) != nil {
		t.Error("a form with a wrong answer was saved")
	}
}

func TestTheDatabaseAcceptsEveryAnswerTheFormOffersAndNothingElse(t *testing.T) {
	g := testenv.DB(t).Gorm
	id := mustEnrol(t, mustCohort(t, trust), learner{})
	insert := func(field, value string) error {
		cols := []string{"sex", "gender_same_as_birth", "ethnicity", "disability", "care_experience", "benefits", "neet"}
		vals := []any{id}
		for _, c := range cols {
			v := "prefer_not_to_say"
			if c == field {
				v = value
			}
			vals = append(vals, v)
		}
		tx := g.Begin()
		defer tx.Rollback()
		return tx.Exec("INSERT INTO equality_answers (user_id, "+strings.Join(cols, ", ")+") VALUES (?, ?, ?, ?, ?, ?, ?, ?)", vals...).Error
	}
	for _, q := range monitoring.Questions {
		codes := []string{monitoring.PreferNotToSay.Code}
		for _, grp := range q.Groups {
			for _, o := range grp.Options {
				codes = append(codes, o.Code)
			}
		}
		for _, code := range codes {
			if err := insert(q.Field, code); err != nil {
				t.Errorf("%s = %s refused: %v", q.Field, code, err)
			}
		}
		var pgErr *pgconn.PgError
		if err := insert(q.Field, "not_a_code"); !errors.As(err, &pgErr) || pgErr.Code != "23514" {
			t.Errorf("%s = not_a_code: %v, want a check violation", q.Field, err)
		}
	}
}

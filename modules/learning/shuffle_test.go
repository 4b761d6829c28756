package learning_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"testing"

	"onramp/app"
	"onramp/app/testenv"
)

var optionInput = regexp.MustCompile(`name="q-([0-9a-f-]{36})" type="(?:radio|checkbox)" value="([0-9a-f-]{36})"`)

// shownOrder reads the order of every question's options on a check page.
func shownOrder(t *testing.T, page string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, m := range optionInput.FindAllStringSubmatch(page, -1) {
		out[m[1]] = append(out[m[1]], m[2])
	}
	if len(out) == 0 {
		t.Fatalf("no answer options on the check page:\n%s", page)
	}
	return out
}

func TestAnswerOptionsComeInANewOrderEachAttemptAndTheSameOrderOnReload(t *testing.T) {
	srv := testenv.NewServer(t, withLoadLearners(3))
	c := srv.SignIn(t, app.LoadUserEmail(2))
	resp := c.PostForm("/learn/get-started/start", url.Values{})
	resp.Body.Close()
	var checkID string
	testenv.DB(t).Gorm.Raw(`SELECT k.id FROM checks k JOIN modules m ON m.id = k.module_id JOIN programmes p ON p.id = m.programme_id
		WHERE p.slug = 'get-started' ORDER BY m.position LIMIT 1`).Scan(&checkID)
	path := "/learn/get-started/checks/" + checkID

	first := shownOrder(t, testenv.Body(t, c.Get(path)))
	if again := shownOrder(t, testenv.Body(t, c.Get(path))); !equalOrders(first, again) {
		t.Fatalf("reloading the check page changed the order of the answers:\n%v\n%v", first, again)
	}

	// A try with the options as shown, each question's first one: marked
	// by id, whatever their position.
	form := url.Values{"round": {"1"}}
	for q, opts := range first {
		form.Set("q-"+q, opts[0])
	}
	resp = c.PostForm(path, form)
	if body := testenv.Body(t, resp); resp.StatusCode != http.StatusOK {
		t.Fatalf("submitting the check: %d\n%s", resp.StatusCode, body)
	}
	var shown string
	testenv.DB(t).Gorm.Raw(`SELECT options_shown::text FROM check_attempts WHERE user_id = ? AND check_id = ? ORDER BY created_at DESC LIMIT 1`,
		userID(t, app.LoadUserEmail(2)), checkID).Scan(&shown)
	var recorded map[string][]string
	if err := json.Unmarshal([]byte(shown), &recorded); err != nil || !equalOrders(recorded, first) {
		t.Errorf("the attempt recorded the order %s (%v), want the order shown %v", shown, err, first)
	}

	second := shownOrder(t, testenv.Body(t, c.Get(path)))
	for q, opts := range first {
		if slices.Equal(opts, second[q]) {
			t.Errorf("question %s shows its %d answers in the same order on the second try: %v", q, len(opts), opts)
		}
		if !sameSet(opts, second[q]) {
			t.Errorf("question %s shows different answers on the second try: %v, then %v", q, opts, second[q])
		}
	}
}

func equalOrders(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

package page

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"onramp/app/apperr"
)

func TestParseRefusesLimitsAndCursorsItDidNotGiveNamingTheField(t *testing.T) {
	for _, tc := range []struct{ query, field string }{
		{"limit=0", "limit"},
		{"limit=201", "limit"},
		{"limit=ten", "limit"},
		{"limit=5&limit=6", "limit"},
		{"cursor=***", "cursor"},
		{"cursor=bm90IGpzb24", "cursor"}, // "not json"
		{"cursor=W10", "cursor"},         // []
		{"cursor=e30", "cursor"},         // {}
	} {
		q, _ := url.ParseQuery(tc.query)
		_, err := Parse(q)
		e := apperr.As(err)
		if err == nil || e.Kind != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != tc.field {
			t.Errorf("%s: got %v, want Invalid naming %s", tc.query, err, tc.field)
		}
	}
	r, err := Parse(url.Values{})
	if err != nil || r.Limit != DefaultLimit || !r.IsFirst() {
		t.Fatalf("no parameters: %+v %v", r, err)
	}
}

func TestACursorGivesBackTheKeyItWasMadeFrom(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 891011000, time.UTC)
	r, err := Parse(url.Values{"cursor": {Encode(at, "Ada", int64(42))}, "limit": {"3"}})
	if err != nil || r.Limit != 3 || r.IsFirst() {
		t.Fatalf("parse: %+v %v", r, err)
	}
	var (
		gotAt time.Time
		name  string
		n     int64
	)
	if err := r.After(&gotAt, &name, &n); err != nil || !gotAt.Equal(at) || name != "Ada" || n != 42 {
		t.Fatalf("after: %v %v %q %d", err, gotAt, name, n)
	}
	if err := r.After(&name, &n); err != ErrCursor {
		t.Fatalf("a key of another shape: %v, want ErrCursor", err)
	}
	if err := r.After(&n, &name, &n); err != ErrCursor {
		t.Fatalf("a key of other types: %v, want ErrCursor", err)
	}
}

func TestCutKeepsLimitItemsAndPointsPastTheLast(t *testing.T) {
	r := First(2)
	rows, next := Cut(r, []int{1, 2, 3}, func(i int) []any { return []any{i} })
	if len(rows) != 2 || next != Encode(2) {
		t.Fatalf("got %v %q", rows, next)
	}
	rows, next = Cut(r, []int{1, 2}, func(i int) []any { return []any{i} })
	if len(rows) != 2 || next != "" {
		t.Fatalf("last page: got %v %q", rows, next)
	}
	h := http.Header{}
	u, _ := url.Parse("/api/v1/cohorts?programme=get-into&cursor=old&limit=2")
	SetNext(h, u, "abc")
	if got := h.Get("Link"); got != `</api/v1/cohorts?cursor=abc&limit=2&programme=get-into>; rel="next"` {
		t.Fatalf("Link: %s", got)
	}
}

func TestAnchorPagesFromTheLastItemWhereverItNowIs(t *testing.T) {
	id := func(s string) string { return s }
	items := []string{"a", "c", "e"}
	got, next, err := Anchor(First(2), items, id)
	if err != nil || len(got) != 2 || got[1] != "c" || next == "" {
		t.Fatalf("first page: %v %q %v", got, next, err)
	}
	r, err := Parse(url.Values{"cursor": {next}, "limit": {"2"}})
	if err != nil {
		t.Fatal(err)
	}
	// b and d arrive before the next request: b is behind the reader, d ahead.
	got, next, err = Anchor(r, []string{"a", "b", "c", "d", "e"}, id)
	if err != nil || len(got) != 2 || got[0] != "d" || got[1] != "e" || next != "" {
		t.Fatalf("second page: %v %q %v", got, next, err)
	}
	if _, _, err := Anchor(r, []string{"a", "e"}, id); err != ErrCursor {
		t.Fatalf("the anchor has gone: %v, want ErrCursor", err)
	}
}

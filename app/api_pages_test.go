package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"onramp/app"
	"onramp/app/config"
	"onramp/app/testenv"
	"onramp/modules/notify"
)

// walk reads every page of a list from path by following each answer's
// Link rel="next" until there is none, checking the body's next_cursor
// (when it has one) agrees with the link. items picks the ids out of a
// page; between runs before each request after the first, with the
// number of pages read so far.
func walk(t *testing.T, c *testenv.Client, path string, items func(body string) ([]string, *string), between func(pages int)) (ids []string, pages int) {
	t.Helper()
	for path != "" {
		if pages > 0 && between != nil {
			between(pages)
		}
		resp := c.Get(path)
		body := testenv.Body(t, resp)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		page, cursor := items(body)
		ids = append(ids, page...)
		pages++
		link := resp.Header.Get("Link")
		path = ""
		if link != "" {
			next, ok := strings.CutSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`)
			if !ok || !strings.HasPrefix(next, "/api/v1/") {
				t.Fatalf("GET %s: Link %q is not <ADDRESS>; rel=\"next\"", path, link)
			}
			path = next
		}
		if cursor != nil && (*cursor == "") != (link == "") {
			t.Fatalf("next_cursor %q disagrees with Link %q", *cursor, link)
		}
		if cursor != nil && *cursor != "" && !strings.Contains(link, "cursor="+*cursor) {
			t.Fatalf("next_cursor %q is not the Link's cursor: %q", *cursor, link)
		}
		if pages > 1000 {
			t.Fatal("more than 1000 pages: the cursor does not move")
		}
	}
	return ids, pages
}

// TestWalkingACohortsProgressReadsEveryLearnerOnceInOrderWhileLearnersJoin
// reads a cohort of 120 learners 50 at a time. Learners joining between
// two pages must not make anyone appear twice or go missing: one whose
// name sorts after the page already read shows up, one before does not.
func TestWalkingACohortsProgressReadsEveryLearnerOnceInOrderWhileLearnersJoin(t *testing.T) {
	srv := testenv.NewServer(t)
	fx := testenv.NewFixtures(t)
	org := fx.Organisation("Paging trust", "trust")
	cohort, _ := fx.Cohort(testenv.Cohort{Organisation: org, Programme: "get-into", Capacity: 300})
	// Names that collide, differ only in case, and run past one page.
	for i := range 120 {
		name := fmt.Sprintf("Learner %03d", i/2) // two of each: the id breaks the tie
		if i%5 == 0 {
			name = strings.ToLower(name)
		}
		id, _ := fx.Learner(testenv.Learner{Name: name})
		fx.Enrol(cohort, id, time.Time{})
	}
	var want []string
	testenv.DB(t).Gorm.Raw(`SELECT u.id FROM enrolments e JOIN users u ON u.id = e.user_id
		WHERE e.cohort_id = ? ORDER BY lower(u.name), u.id`, cohort).Scan(&want)
	if len(want) != 120 {
		t.Fatalf("the cohort holds %d learners, want 120", len(want))
	}

	admin := srv.SignIn(t, "admin@example.org")
	var early, late string
	got, pages := walk(t, admin, "/api/v1/cohorts/"+cohort+"/progress?limit=50", func(body string) ([]string, *string) {
		var doc struct {
			Learners   []struct{ ID string }
			NextCursor *string `json:"next_cursor"`
		}
		mustJSON(t, body, &doc)
		if len(doc.Learners) > 50 {
			t.Fatalf("a page of %d learners, asked for 50", len(doc.Learners))
		}
		ids := make([]string, len(doc.Learners))
		for i, l := range doc.Learners {
			ids[i] = l.ID
		}
		next := ""
		if doc.NextCursor != nil {
			next = *doc.NextCursor
		}
		return ids, &next
	}, func(pages int) {
		if pages == 1 {
			early, _ = fx.Learner(testenv.Learner{Name: "Aaron Early"})
			fx.Enrol(cohort, early, time.Time{})
			late, _ = fx.Learner(testenv.Learner{Name: "Zara Late"})
			fx.Enrol(cohort, late, time.Time{})
		}
	})
	if pages != 3 {
		t.Errorf("read %d pages, want 3 (50, 50 and 20 and the one who joined)", pages)
	}
	if len(got) != 121 || strings.Join(got[:120], ",") != strings.Join(want, ",") || got[120] != late {
		t.Fatalf("walked %d learners; want the 120 in name order then %s (who joined behind the reader)\ngot  %v\nwant %v", len(got), late, got, want)
	}
	for _, id := range got {
		if id == early {
			t.Errorf("%s, who joined ahead of where the reader was, showed up mid-walk", early)
		}
	}
}

// TestWalkingNotificationsReadsEachOnceNewestFirstThoughManyShareATime
// pages a person's notifications three at a time when most were made in
// the same instant: the id orders those, so none repeats or goes missing,
// and one arriving mid-walk (newest, so before the reader) does not shift
// the pages after it.
func TestWalkingNotificationsReadsEachOnceNewestFirstThoughManyShareATime(t *testing.T) {
	var frozen atomic.Pointer[time.Time]
	clock := func() time.Time {
		if at := frozen.Load(); at != nil {
			return *at
		}
		return time.Now()
	}
	srv := testenv.NewServer(t, func(_ *config.Config, o *app.Options) { o.Now = clock })
	learner := srv.SignIn(t, "learner3@example.org")
	var me struct{ ID string }
	learner.JSON("/api/v1/me", &me)
	ctx := context.Background()
	testenv.DB(t).Gorm.Exec("DELETE FROM notifications WHERE user_id = ?", me.ID)
	add := func(title string) {
		t.Helper()
		if err := srv.App.Notify.Notify(ctx, notify.Notification{UserID: me.ID, Kind: "message", Title: title}); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	for i := range 11 {
		if i < 3 || i >= 10 {
			at = at.Add(time.Minute) // a few apart, most at one instant
		}
		frozen.Store(&at)
		add(fmt.Sprintf("Note %d", i))
	}
	frozen.Store(nil)
	var want []string
	testenv.DB(t).Gorm.Raw("SELECT id FROM notifications WHERE user_id = ? ORDER BY created_at DESC, id DESC", me.ID).Scan(&want)

	got, pages := walk(t, learner, "/api/v1/notifications?limit=3", func(body string) ([]string, *string) {
		var in struct {
			Notifications []struct{ ID string }
			NextCursor    *string `json:"next_cursor"`
		}
		mustJSON(t, body, &in)
		ids := make([]string, len(in.Notifications))
		for i, n := range in.Notifications {
			ids[i] = n.ID
		}
		next := ""
		if in.NextCursor != nil {
			next = *in.NextCursor
		}
		return ids, &next
	}, func(pages int) {
		if pages == 2 {
			add("Arrived mid-walk")
		}
	})
	if pages != 4 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("%d pages, got\n%v\nwant\n%v", pages, got, want)
	}
}

package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"onramp/app/db"
	"onramp/app/testenv"
	"onramp/modules/audit"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// uniqueSubject returns a subject id no other test records events about.
func uniqueSubject(t *testing.T) string {
	t.Helper()
	return fmt.Sprintf("%s-%d", t.Name(), time.Now().UnixNano())
}

// mustCreateUser inserts a user directly and returns its id.
func mustCreateUser(t *testing.T, d *db.DB, name string) string {
	t.Helper()
	var id string
	email := strings.ToLower(fmt.Sprintf("audit-%d@example.org", time.Now().UnixNano()))
	if err := d.Gorm.Raw("INSERT INTO users (email, name) VALUES (?, ?) RETURNING id", email, name).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

// mustRecordOne records an event about subject and returns it as Recent
// reads it back.
func mustRecordOne(t *testing.T, d *db.DB, subject string) audit.Event {
	t.Helper()
	l := audit.New(d.Gorm)
	ctx := context.Background()
	if err := l.Record(ctx, "", "test.recorded", "thing", subject, map[string]any{"n": 1}); err != nil {
		t.Fatal(err)
	}
	events, err := l.Recent(ctx, "thing", subject, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 {
		t.Fatalf("Recent returned %d events about %s, want 1", len(events), subject)
	}
	return events[0]
}

func TestRecordedEventIsReturnedByRecentWithItsDetail(t *testing.T) {
	d := testenv.DB(t)
	l := audit.New(d.Gorm)
	ctx := context.Background()
	subject := uniqueSubject(t)
	actor := mustCreateUser(t, d, "Audit Actor")

	if err := l.Record(ctx, actor, "thing.changed", "thing", subject, map[string]any{"colour": "blue"}); err != nil {
		t.Fatal(err)
	}
	if err := l.Record(ctx, "", "thing.checked", "thing", subject, nil); err != nil {
		t.Fatal(err)
	}
	events, err := l.Recent(ctx, "thing", subject, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 {
		t.Fatalf("Recent returned %d events, want 2: %+v", len(events), events)
	}
	newest, older := events[0], events[1]
	if newest.Action != "thing.checked" || newest.ActorID != nil {
		t.Errorf("newest event = %s by %v, want thing.checked by the system (no actor)", newest.Action, newest.ActorID)
	}
	if older.Action != "thing.changed" || older.SubjectType != "thing" || older.SubjectID != subject {
		t.Errorf("older event = %+v, want thing.changed about thing:%s", older, subject)
	}
	if older.ActorID == nil || *older.ActorID != actor || older.ActorName != "Audit Actor" {
		t.Errorf("older event actor = %v %q, want %s \"Audit Actor\"", older.ActorID, older.ActorName, actor)
	}
	var detail map[string]any
	if err := json.Unmarshal(older.Detail, &detail); err != nil {
		t.Fatal(err)
	}
	if detail["colour"] != "blue" {
		t.Errorf("detail = %s, want colour blue", older.Detail)
	}
	if older.At.IsZero() {
		t.Error("event has no time")
	}

	// Recent without a subject includes the newest events of any subject.
	all, err := l.Recent(ctx, "", "", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 {
		t.Fatalf("Recent with limit 1 returned %d events", len(all))
	}
}

func TestAuditEventsCannotBeUpdated(t *testing.T) {
	d := testenv.DB(t)
	subject := uniqueSubject(t)
	e := mustRecordOne(t, d, subject)

	err := d.Gorm.Exec("UPDATE audit_events SET action = 'tampered' WHERE id = ?", e.ID).Error
	if err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("UPDATE on audit_events returned %v, want the append-only refusal", err)
	}
	after := onlyEventAbout(t, d, subject)
	if after.Action != e.Action {
		t.Fatalf("action changed from %s to %s", e.Action, after.Action)
	}
}

func TestAuditEventsCannotBeDeleted(t *testing.T) {
	d := testenv.DB(t)
	subject := uniqueSubject(t)
	e := mustRecordOne(t, d, subject)

	err := d.Gorm.Exec("DELETE FROM audit_events WHERE id = ?", e.ID).Error
	if err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("DELETE on audit_events returned %v, want the append-only refusal", err)
	}
	after := onlyEventAbout(t, d, subject)
	if after.ID != e.ID {
		t.Fatalf("event %d became %d", e.ID, after.ID)
	}
}

// onlyEventAbout reads back the single event about subject.
func onlyEventAbout(t *testing.T, d *db.DB, subject string) audit.Event {
	t.Helper()
	events, err := audit.New(d.Gorm).Recent(context.Background(), "thing", subject, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 {
		t.Fatalf("there are %d events about %s, want the 1 recorded", len(events), subject)
	}
	return events[0]
}

func TestRecordInsideAFailedTransactionLeavesNoEvent(t *testing.T) {
	d := testenv.DB(t)
	l := audit.New(d.Gorm)
	subject := uniqueSubject(t)
	boom := errors.New("the change failed")

	err := d.WithTx(context.Background(), func(ctx context.Context) error {
		if err := l.Record(ctx, "", "thing.changed", "thing", subject, nil); err != nil {
			t.Fatal(err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WithTx returned %v", err)
	}
	events, err := l.Recent(context.Background(), "thing", subject, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 0 {
		t.Fatalf("an event recorded in a rolled-back transaction survived: %+v", events)
	}

	// The same Record in a transaction that succeeds is kept, so the
	// absence above is the rollback, not a Record that never writes.
	if err := d.WithTx(context.Background(), func(ctx context.Context) error {
		return l.Record(ctx, "", "thing.changed", "thing", subject, nil)
	}); err != nil {
		t.Fatal(err)
	}
	onlyEventAbout(t, d, subject)
}

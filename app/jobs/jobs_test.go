package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"onramp/app/db"
	"onramp/app/jobs"
	"onramp/app/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newJobs returns a queue over the package database, stopped when the
// test ends.
func newJobs(t *testing.T, now func() time.Time) *jobs.Jobs {
	t.Helper()
	j, err := jobs.New(testenv.DB(t), jobs.Options{Now: now, PollInterval: 50 * time.Millisecond, TestOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = j.Stop(ctx)
	})
	return j
}

func start(t *testing.T, j *jobs.Jobs) {
	t.Helper()
	if err := j.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// eventually waits up to 15 s for ok: jobs run on other goroutines.
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("waited 15s for %s", what)
}

// echoArgs is a test job carrying a token; echoWorker records tokens.
type echoArgs struct {
	Token string `json:"token"`
}

func (echoArgs) Kind() string { return "test.echo" }

type echoWorker struct {
	river.WorkerDefaults[echoArgs]
	mu   sync.Mutex
	seen map[string]int
}

func (w *echoWorker) Work(_ context.Context, job *river.Job[echoArgs]) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen[job.Args.Token]++
	return nil
}

func (w *echoWorker) count(token string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.seen[token]
}

func jobRows(t *testing.T, kind, key, value string) int {
	t.Helper()
	var n int
	if err := testenv.DB(t).Gorm.Raw(`SELECT count(*) FROM river_job WHERE kind = ? AND args->>? = ?`, kind, key, value).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAJobInsertedInARolledBackTransactionNeverExistsAndOneCommittedRuns(t *testing.T) {
	w := &echoWorker{seen: map[string]int{}}
	j := newJobs(t, nil)
	if err := jobs.Register(j, w); err != nil {
		t.Fatal(err)
	}
	start(t, j)
	d := testenv.DB(t)
	ctx := context.Background()
	rolledBack, committed := testenv.Unique("rolled back"), testenv.Unique("committed")

	errRollback := errors.New("roll back")
	err := d.WithTx(ctx, func(ctx context.Context) error {
		if err := j.Insert(ctx, echoArgs{Token: rolledBack}, nil); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	err = d.WithTx(ctx, func(ctx context.Context) error {
		if db.SQLTx(ctx) == nil {
			t.Fatal("WithTx carries no database/sql transaction")
		}
		return j.Insert(ctx, echoArgs{Token: committed}, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the committed job to run", func() bool { return w.count(committed) == 1 })
	if n := jobRows(t, "test.echo", "token", rolledBack); n != 0 {
		t.Fatalf("a job inserted in a rolled-back transaction was kept (%d rows)", n)
	}
}

func TestAJobInsertedBeforeTheAppStoppedRunsAfterARestart(t *testing.T) {
	token := testenv.Unique("survivor")
	first := newJobs(t, nil)
	if err := jobs.Register(first, &echoWorker{seen: map[string]int{}}); err != nil {
		t.Fatal(err)
	}
	// The first process enqueues and stops before working anything.
	if err := first.Insert(context.Background(), echoArgs{Token: token}, nil); err != nil {
		t.Fatal(err)
	}
	if err := first.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}

	w := &echoWorker{seen: map[string]int{}}
	second := newJobs(t, nil)
	if err := jobs.Register(second, w); err != nil {
		t.Fatal(err)
	}
	start(t, second)
	eventually(t, "the job to run after the restart", func() bool { return w.count(token) == 1 })
}

// Two replicas over one database register the same periodic function:
// each period it runs once, however many of them ask for it, and the next
// period (moved on by the injected clock, never by sleeping) runs again.
func TestAPeriodicFunctionRunsOncePerPeriodAcrossTwoReplicas(t *testing.T) {
	c := &clock{now: time.Date(2031, 3, 4, 10, 15, 0, 0, time.UTC)}
	name := fmt.Sprintf("test.periodic.%d", time.Now().UnixNano())
	var runs atomic.Int32
	var seen sync.Map // what the function saw as "now", per run
	fn := func(ctx context.Context) error {
		seen.Store(runs.Add(1), c.Now())
		return nil
	}
	replicas := []*jobs.Jobs{newJobs(t, c.Now), newJobs(t, c.Now)}
	for _, r := range replicas {
		if err := r.Periodic(name, time.Hour, fn); err != nil {
			t.Fatal(err)
		}
		start(t, r)
	}
	ctx := context.Background()
	for _, r := range replicas {
		if err := r.RunPeriodic(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "the first period's run", func() bool { return runs.Load() >= 1 })
	for _, r := range replicas {
		if err := r.RunPeriodic(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
	if n := jobRows(t, "periodic", "name", name); n != 1 {
		t.Fatalf("one period has %d runs queued, want 1", n)
	}

	c.Add(time.Hour)
	for _, r := range replicas {
		if err := r.RunPeriodic(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "the second period's run", func() bool { return runs.Load() >= 2 })
	if n := jobRows(t, "periodic", "name", name); n != 2 {
		t.Fatalf("two periods have %d runs, want 2", n)
	}
	if got := runs.Load(); got != 2 {
		t.Fatalf("the function ran %d times in two periods, want 2", got)
	}
	if at, _ := seen.Load(int32(2)); !at.(time.Time).Equal(time.Date(2031, 3, 4, 11, 15, 0, 0, time.UTC)) {
		t.Fatalf("the second run saw the clock at %v", at)
	}
}

func TestRegisteringAfterStartIsRefused(t *testing.T) {
	j := newJobs(t, nil)
	start(t, j)
	if err := j.Periodic("late", time.Hour, func(context.Context) error { return nil }); !errors.Is(err, jobs.ErrStarted) {
		t.Fatalf("Periodic after Start: %v", err)
	}
	if err := jobs.Register(j, &echoWorker{}); !errors.Is(err, jobs.ErrStarted) {
		t.Fatalf("Register after Start: %v", err)
	}
}

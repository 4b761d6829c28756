// Package jobs runs background work on River: jobs are rows in PostgreSQL,
// so they survive a restart and any replica may work them. The composition
// root registers workers and periodic functions, then starts the client;
// services insert jobs inside their own transaction.
//
// Two River clients share the process's one pool. The working client uses
// the pgx driver over db.DB.Pool (it needs LISTEN/NOTIFY). An insert-only
// client uses the database/sql driver over db.DB.SQL, because stores run
// in gorm transactions on database/sql: a *sql.Tx is what db.WithTx holds,
// and River's database/sql driver inserts in it, so a job commits or rolls
// back with the rows that asked for it.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"onramp/app/db"
)

// Options are the seams tests use; production leaves them zero.
type Options struct {
	// Now is the clock periodic runs are keyed by; time.Now when nil.
	Now func() time.Time
	// PollInterval is how often the client looks for jobs it was not told
	// about; 1 s when zero. Inserts normally wake it at once.
	PollInterval time.Duration
	// Logger receives River's own logs, warnings and up; slog.Default
	// when nil.
	Logger *slog.Logger
	// TestOnly skips River's jittered start-up of its maintenance
	// services, so tests start and stop quickly.
	TestOnly bool
}

// Jobs is the process's job queue: register workers and periodic
// functions, Start, insert, Stop.
type Jobs struct {
	d      *db.DB
	opts   Options
	insert *river.Client[*sql.Tx]

	mu       sync.Mutex
	workers  *river.Workers
	periodic map[string]periodicEntry
	order    []string
	client   *river.Client[pgx.Tx] // nil until Start
}

type periodicEntry struct {
	every time.Duration
	fn    func(ctx context.Context) error
}

// ErrStarted is returned by Register and Periodic after Start: River
// fixes its workers when the client is built.
var ErrStarted = errors.New("jobs: already started")

// New returns the queue over d. Nothing runs until Start.
func New(d *db.DB, o Options) (*Jobs, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	// Insert-only: no Queues and no Workers, so it never checks that a
	// kind has a worker in this process (the working client does that).
	ins, err := river.NewClient(riverdatabasesql.New(d.SQL), &river.Config{Logger: o.Logger})
	if err != nil {
		return nil, fmt.Errorf("jobs: building the insert client: %w", err)
	}
	j := &Jobs{d: d, opts: o, insert: ins, workers: river.NewWorkers(), periodic: map[string]periodicEntry{}}
	if err := Register(j, &periodicWorker{j: j}); err != nil {
		return nil, err
	}
	return j, nil
}

// Register adds a worker for jobs of type T. Call it from the composition
// root before Start. Errors: ErrStarted after Start, or River's error for
// a kind registered twice.
func Register[T river.JobArgs](j *Jobs, w river.Worker[T]) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.client != nil {
		return ErrStarted
	}
	return river.AddWorkerSafely(j.workers, w)
}

// Insert enqueues a job. Inside db.WithTx it joins the transaction, so
// the job exists only if the transaction commits; outside one it commits
// on its own. opts may be nil (the args' own InsertOpts then apply).
func (j *Jobs) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	var err error
	if tx := db.SQLTx(ctx); tx != nil {
		_, err = j.insert.InsertTx(ctx, tx, args, opts)
	} else {
		_, err = j.insert.Insert(ctx, args, opts)
	}
	if err != nil {
		return fmt.Errorf("jobs: unable to enqueue a %s job: %w", args.Kind(), err)
	}
	return nil
}

// Start builds the working client with every registered worker and
// periodic function and starts it; it stops when ctx ends or Stop is
// called. Errors: River's, such as its tables missing (run `onramp
// migrate up`).
func (j *Jobs) Start(ctx context.Context) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.client != nil {
		return ErrStarted
	}
	var periodic []*river.PeriodicJob
	longest := 24 * time.Hour
	for _, name := range j.order {
		p := j.periodic[name]
		periodic = append(periodic, j.periodicJob(name, p.every))
		longest = max(longest, p.every+time.Hour)
	}
	c, err := river.NewClient(riverpgxv5.New(j.d.Pool), &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 10}},
		Workers:           j.workers,
		PeriodicJobs:      periodic,
		FetchPollInterval: j.opts.PollInterval,
		FetchCooldown:     min(100*time.Millisecond, j.opts.PollInterval),
		// A finished periodic run is kept at least one period: its row
		// is what makes a second run of the same period a duplicate.
		CompletedJobRetentionPeriod: longest,
		Logger:                      j.opts.Logger,
		TestOnly:                    j.opts.TestOnly,
	})
	if err != nil {
		return fmt.Errorf("jobs: building the client: %w", err)
	}
	if err := c.Start(ctx); err != nil {
		return fmt.Errorf("jobs: starting: %w", err)
	}
	j.client = c
	return nil
}

// Stop waits for running jobs to finish and stops fetching new ones. When
// ctx ends first, running jobs are cancelled (River retries them later)
// and ctx's error is returned. Stop without Start does nothing.
func (j *Jobs) Stop(ctx context.Context) error {
	j.mu.Lock()
	c := j.client
	j.mu.Unlock()
	if c == nil {
		return nil
	}
	err := c.Stop(ctx)
	if err != nil && ctx.Err() != nil {
		hard, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.StopAndCancel(hard)
	}
	return err
}

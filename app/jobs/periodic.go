package jobs

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/riverqueue/river"
)

// periodicName is what River accepts as a periodic job's id, narrowed.
var periodicName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// periodicArgs is one run of a periodic function: its name and the start
// of the period it runs for. Both are the unique key, so however many
// replicas (or restarts) ask for the same period, River keeps one job.
type periodicArgs struct {
	Name   string    `json:"name"`
	Period time.Time `json:"period"`
}

// Kind is River's name for periodic runs.
func (periodicArgs) Kind() string { return "periodic" }

// InsertOpts makes a run unique by name and period while it waits, runs
// or is kept as completed (see CompletedJobRetentionPeriod in Start).
func (periodicArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// Periodic runs fn once every period of length every, on one replica.
// Periods are aligned to the clock (a day is midnight UTC to midnight
// UTC), so the first run is at start-up and then one per period; a
// second replica, or a restart, asking for a period already run finds it
// there and adds nothing. fn should still be idempotent: a run that fails
// is retried. Call it from the composition root before Start. Errors:
// ErrStarted after Start; a name used twice.
func (j *Jobs) Periodic(name string, every time.Duration, fn func(ctx context.Context) error) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.client != nil {
		return ErrStarted
	}
	if _, dup := j.periodic[name]; dup || !periodicName.MatchString(name) || every <= 0 {
		return fmt.Errorf("jobs: periodic %q is a duplicate, has no period or is not a name of letters, digits, '.', '-' and '_'", name)
	}
	j.periodic[name] = periodicEntry{every: every, fn: fn}
	j.order = append(j.order, name)
	return nil
}

// RunPeriodic asks for the current period's run of name now, exactly as
// the scheduler does: if this period has run or is waiting, nothing new
// is added. Tests drive periods with the injected clock through it.
// Errors: an unknown name, or the insert's.
func (j *Jobs) RunPeriodic(ctx context.Context, name string) error {
	j.mu.Lock()
	p, ok := j.periodic[name]
	j.mu.Unlock()
	if !ok {
		return fmt.Errorf("jobs: no periodic function %q", name)
	}
	return j.Insert(ctx, j.periodArgs(name, p.every), nil)
}

func (j *Jobs) periodArgs(name string, every time.Duration) periodicArgs {
	return periodicArgs{Name: name, Period: j.opts.Now().UTC().Truncate(every)}
}

// periodicJob is River's schedule for name: the elected leader inserts a
// run at start-up and every period after.
func (j *Jobs) periodicJob(name string, every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		return j.periodArgs(name, every), nil
	}, &river.PeriodicJobOpts{ID: name, RunOnStart: true})
}

// periodicWorker calls the function a periodic run names.
type periodicWorker struct {
	river.WorkerDefaults[periodicArgs]
	j *Jobs
}

// Work runs one period of a periodic function. A name no longer
// registered (an old build's job) is cancelled rather than retried.
func (w *periodicWorker) Work(ctx context.Context, job *river.Job[periodicArgs]) error {
	w.j.mu.Lock()
	p, ok := w.j.periodic[job.Args.Name]
	w.j.mu.Unlock()
	if !ok {
		return river.JobCancel(fmt.Errorf("jobs: no periodic function %q", job.Args.Name))
	}
	return p.fn(ctx)
}

// Command onramp-load measures Onramp under load on this machine: it
// starts `onramp dev` on a fresh database, signs in many learners through
// the real OpenID Connect flow, then drives lesson pages and lesson
// completions, first as fast as 64 connections allow (throughput), then at
// a fixed rate (latency, timed from when each request was due, so a slow
// server cannot hide its queue). It then runs the same SQL statements
// through pgbench to show how close the app comes to the database's own
// limit, and weighs a lesson page. `make bench` runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// loadProgramme is the programme the load learners work through: open to
// anyone, so they can start it themselves.
const loadProgramme = "get-started"

type options struct {
	onramp   string
	addr     string
	adminURL string
	dbName   string
	users    int
	conns    int
	dbConns  int
	duration time.Duration
	pageRate int
	doneRate int
	pgbench  bool
	// dashboard measures managers' pages on an existing large database
	// (made with `onramp seed --scale 100000`) instead of the learner phases.
	dashboard bool
	// matchProblem writes a random matching problem ("10000x2000") to
	// matchOut for timing `onramp match`, instead of any load test.
	matchProblem, matchOut string
	// messages runs the messaging proof instead of the learner phases:
	// streams open event streams, msgRate messages a second for duration.
	messages         bool
	streams, msgRate int
}

func main() {
	var o options
	flag.StringVar(&o.onramp, "onramp", "bin/onramp", "the onramp binary to start")
	flag.StringVar(&o.addr, "addr", "127.0.0.1:18080", "where to run it")
	flag.StringVar(&o.adminURL, "admin-url", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL maintenance database")
	flag.StringVar(&o.dbName, "db", "onramp_bench", "database to (re)create for the run")
	flag.IntVar(&o.users, "users", 200, "learners to sign in")
	flag.IntVar(&o.conns, "conns", 64, "concurrent HTTP connections")
	flag.IntVar(&o.dbConns, "db-conns", 16, "the app's PostgreSQL pool size (and pgbench's connections)")
	flag.DurationVar(&o.duration, "duration", 15*time.Second, "length of each phase")
	flag.IntVar(&o.pageRate, "page-rate", 1500, "fixed rate for the lesson page latency phase (requests/s)")
	flag.IntVar(&o.doneRate, "complete-rate", 800, "fixed rate for the completion latency phase (requests/s)")
	flag.BoolVar(&o.pgbench, "pgbench", true, "also run the same statements through pgbench")
	flag.BoolVar(&o.dashboard, "dashboard", false, "measure the 500-learner cohort dashboard on -db as it is (seed it first with onramp seed --scale 100000)")
	flag.StringVar(&o.matchProblem, "match-problem", "", "only write a random matching problem of LEARNERSxMENTORS (e.g. 10000x2000) as problem.json and pairs.csv in -out, to time `onramp match`")
	flag.StringVar(&o.matchOut, "out", ".", "the folder -match-problem writes to")
	flag.BoolVar(&o.messages, "messages", false, "run the messaging proof instead: open -streams event streams and time messages sent at -message-rate to the other side's stream")
	flag.IntVar(&o.streams, "streams", 1000, "event streams to hold open for -messages (half learners, half mentors)")
	flag.IntVar(&o.msgRate, "message-rate", 50, "messages a second for -messages")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "onramp-load:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	if o.matchProblem != "" {
		return writeMatchProblem(o.matchProblem, o.matchOut)
	}
	dbURL := strings.Replace(o.adminURL, "/postgres?", "/"+o.dbName+"?", 1)
	if o.dashboard {
		return dashboards(ctx, o, dbURL)
	}
	if o.messages {
		return messageProof(ctx, o, dbURL)
	}
	if err := recreate(ctx, o.adminURL, o.dbName); err != nil {
		return err
	}
	app, err := start(ctx, o, dbURL)
	if err != nil {
		return err
	}
	defer app.stop()

	base := "http://" + o.addr
	fmt.Printf("signing in %d learners through the dev OpenID provider...\n", o.users)
	learners, err := signIn(ctx, base, o.users)
	if err != nil {
		return err
	}
	// Progress counts only on a programme the learner is on, so each
	// starts Get Started, which the demo seed opens to everyone.
	if err := startProgramme(base, learners, loadProgramme); err != nil {
		return err
	}
	lessons, err := lessonIDs(learners[0], base, loadProgramme)
	if err != nil {
		return err
	}
	var results []result

	page := func(i int) *http.Request {
		l := learners[i%len(learners)]
		return l.request(http.MethodGet, base+"/learn/"+loadProgramme+"/lessons/"+lessons[(i/len(learners))%len(lessons)])
	}
	results = append(results, closedLoop(ctx, "lesson page, as fast as possible", o.conns, o.duration, page, learners))
	results = append(results, openLoop(ctx, fmt.Sprintf("lesson page at %d/s", o.pageRate), o.conns, o.pageRate, o.duration, page, learners))

	// Each learner works through the lessons in order, so early requests
	// record new completions and later ones repeat them, as in real use.
	complete := func(i int) *http.Request {
		l := learners[i%len(learners)]
		return l.request(http.MethodPost, base+"/api/v1/lessons/"+lessons[(i/len(learners))%len(lessons)]+"/complete")
	}
	results = append(results, closedLoop(ctx, "lesson completion, as fast as possible", o.conns, o.duration, complete, learners))
	results = append(results, openLoop(ctx, fmt.Sprintf("lesson completion at %d/s", o.doneRate), o.conns, o.doneRate, o.duration, complete, learners))

	weight, err := pageWeight(learners[0], base, lessons[0])
	if err != nil {
		return err
	}
	var pg []pgResult
	if o.pgbench {
		if pg, err = runPgbench(ctx, dbURL, o, learners); err != nil {
			return err
		}
	}
	report(os.Stdout, o, results, pg, weight)
	return nil
}

func recreate(ctx context.Context, adminURL, name string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	defer conn.Close(ctx)
	id := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+id+" WITH (FORCE)"); err != nil {
		return err
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+id)
	return err
}

type process struct {
	cmd *exec.Cmd
	log *os.File
}

// start runs `onramp dev` and waits until sign-in works.
func start(ctx context.Context, o options, dbURL string) (*process, error) {
	logf, err := os.CreateTemp("", "onramp-load-app-*.log")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(o.onramp, "dev")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "ONRAMP_ADDR="+o.addr, "ONRAMP_BASE_URL=http://"+o.addr,
		fmt.Sprintf("ONRAMP_DEV_LOAD_USERS=%d", o.users), "ONRAMP_AUTH_RATE_LIMIT=10000", "ONRAMP_AUTH_RATE_BURST=10000",
		"ONRAMP_MAX_CONNS_PER_CLIENT=0", // every load client comes from one loopback address
		"STORAGE_URL=file://"+os.TempDir()+"/onramp-load-media", fmt.Sprintf("ONRAMP_DB_MAX_CONNS=%d", o.dbConns))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s (run `make build` first): %w", o.onramp, err)
	}
	p := &process{cmd: cmd, log: logf}
	fmt.Printf("started onramp dev (pid %d, log %s); waiting for it...\n", cmd.Process.Pid, logf.Name())
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + o.addr + "/auth/login")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK { // followed through the provider's sign-in page
				return p, nil
			}
		}
		select {
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	p.stop()
	return nil, fmt.Errorf("onramp did not become ready within 2 minutes; see %s", logf.Name())
}

func (p *process) stop() {
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	_ = p.cmd.Wait()
	p.log.Close()
}

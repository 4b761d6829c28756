// Command onramp runs the Onramp web service and its tools.
//
//	onramp dev                 everything local, one command
//	onramp serve               production
//	onramp migrate up|status   database schema
//	onramp seed --demo         demo people and organisations
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"onramp/app"
	"onramp/app/config"
	"onramp/app/db"
	"onramp/app/server"
	"onramp/modules/identity"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := Main{Out: os.Stdout, Err: os.Stderr}
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "onramp:", err)
		var u usageError
		if errors.As(err, &u) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// Main runs one subcommand; it is a struct so tests can run it.
type Main struct {
	Out, Err io.Writer
}

type usageError string

func (u usageError) Error() string { return string(u) }

const usage = "usage: onramp dev | serve | migrate up|status | seed --demo | seed --scale N | match --problem problem.json [--scores pairs.csv] [--out result.json] | safeguard scan"

// Run parses args and runs the subcommand until ctx ends.
func (m Main) Run(ctx context.Context, args []string) error {
	slog.SetDefault(slog.New(slog.NewJSONHandler(m.Err, &slog.HandlerOptions{Level: slog.LevelInfo})))
	if len(args) == 0 {
		return usageError(usage)
	}
	switch args[0] {
	case "dev":
		return m.serve(ctx, config.ModeDev)
	case "serve":
		return m.serve(ctx, config.ModeServe)
	case "migrate":
		return m.migrate(ctx, args[1:])
	case "seed":
		return m.seed(ctx, args[1:])
	case "match":
		return m.match(args[1:])
	case "safeguard":
		return m.safeguard(ctx, args[1:])
	}
	return usageError(usage)
}

func (m Main) serve(ctx context.Context, mode config.Mode) error {
	cfg, err := config.Load(mode)
	if err != nil {
		return err
	}
	// Listening comes first: a port in use is reported at once, and the
	// built-in identity provider is reachable as soon as it is served.
	sites, err := listen(cfg)
	if err != nil {
		return err
	}
	d, err := openDatabase(ctx, cfg)
	if err != nil {
		closeAll(sites)
		return err
	}
	defer d.Close()
	a, err := buildApp(ctx, cfg, d)
	if err != nil {
		closeAll(sites)
		return err
	}
	sites[0].Handler = a.Echo
	if len(sites) > 1 {
		sites[1].Handler = a.Metrics
	}
	// Background jobs get their own context: on shutdown they are stopped
	// after the server, so requests in flight can still enqueue work, and
	// running jobs get ShutdownTimeout to finish.
	jobsCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer stopJobs()
	if err := a.Start(jobsCtx); err != nil {
		closeAll(sites)
		return err
	}
	proxies, err := cfg.TrustedProxyNets()
	if err != nil {
		closeAll(sites)
		return err
	}
	sites[0].Listener = server.LimitConns(sites[0].Listener, cfg.MaxConnsPerClient, proxies)
	sd := server.Shutdown{
		Grace: cfg.ShutdownGrace, Drain: cfg.Drain(), Ready: a.Ready,
		// Live message streams never finish on their own: end them as the
		// listeners close, so the drain is not spent waiting on them
		// (browsers reconnect to another replica with Last-Event-ID).
		Stopping: a.Live.Stop,
	}
	if mode == config.ModeDev {
		sd.Grace = 0 // no load balancer to tell
	}
	served := make(chan error, 1)
	go func() { served <- server.Run(ctx, sd, sites...) }()
	if mode == config.ModeDev {
		waitFor(ctx, a.Auth.Ready, 10*time.Second)
		m.printDevWelcome(cfg)
	}
	slog.Info("onramp listening", "addr", cfg.Addr, "metrics_addr", cfg.MetricsAddr, "base_url", cfg.BaseURL, "mode", string(mode))
	err = <-served
	stopCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if stopErr := a.Stop(stopCtx); stopErr != nil {
		slog.Warn("background jobs did not stop in time; they will be retried", "err", stopErr)
	}
	return err
}

// listen opens the public address and, when set, the metrics address.
func listen(cfg config.Config) ([]server.Site, error) {
	ln, err := server.Listen(cfg.Addr, "ONRAMP_ADDR")
	if err != nil {
		return nil, err
	}
	sites := []server.Site{{Listener: ln}}
	if cfg.MetricsAddr == "" {
		return sites, nil
	}
	mln, err := server.Listen(cfg.MetricsAddr, "ONRAMP_METRICS_ADDR")
	if err != nil {
		ln.Close()
		return nil, err
	}
	return append(sites, server.Site{Listener: mln}), nil
}

func closeAll(sites []server.Site) {
	for _, s := range sites {
		s.Listener.Close()
	}
}

// openDatabase opens the database and checks its schema; in dev it first
// creates and migrates it.
func openDatabase(ctx context.Context, cfg config.Config) (*db.DB, error) {
	dev := cfg.Mode == config.ModeDev
	if dev {
		if err := db.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
			return nil, fmt.Errorf("is PostgreSQL running? %w", err)
		}
	}
	d, err := db.OpenWith(ctx, cfg.DatabaseURL, db.Options{MaxConns: cfg.DBMaxConns,
		AcquireTimeout: cfg.DBAcquireTimeout, StatementTimeout: cfg.DBStatementTimeout})
	if err != nil {
		return nil, err
	}
	if dev {
		err = d.MigrateUp(ctx)
		if err != nil {
			err = fmt.Errorf("migrating: %w", err)
		}
	}
	if err == nil {
		err = d.CheckSchema(ctx)
	}
	if err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// buildApp builds the app over d; in dev it also seeds the demo data.
func buildApp(ctx context.Context, cfg config.Config, d *db.DB) (*app.App, error) {
	a, err := app.New(cfg, d, app.Options{})
	if err != nil {
		return nil, err
	}
	if cfg.Mode != config.ModeDev {
		return a, nil
	}
	if addr := os.Getenv("ONRAMP_PPROF_ADDR"); addr != "" {
		// Profiling for developers only: never in serve.
		go func() { slog.Info("pprof", "err", http.ListenAndServe(addr, pprofMux())) }()
	}
	if err := a.SeedDemo(ctx); err != nil {
		return nil, fmt.Errorf("seeding demo data: %w", err)
	}
	if err := a.Identity.AdoptDemoAccounts(ctx, cfg.OIDCIssuerURL); err != nil {
		return nil, fmt.Errorf("seeding demo data: %w", err)
	}
	return a, nil
}

// waitFor polls ok until it is true, ctx ends or limit passes, so the dev
// welcome is printed once people can sign in.
func waitFor(ctx context.Context, ok func() bool, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for !ok() && ctx.Err() == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
}

func (m Main) printDevWelcome(cfg config.Config) {
	fmt.Fprintf(m.Out, "\nOnramp is running at %s\n\nDemo sign-ins (no password, pick one on the sign-in page):\n", cfg.BaseURL)
	for _, p := range identity.DemoPeople {
		fmt.Fprintf(m.Out, "  %-26s %-18s %s/auth/login?login_hint=%s\n", p.Email, p.Roles[0], cfg.BaseURL, p.Email)
	}
	fmt.Fprintln(m.Out)
}

func (m Main) migrate(ctx context.Context, args []string) error {
	if len(args) != 1 || (args[0] != "up" && args[0] != "status") {
		return usageError("usage: onramp migrate up|status")
	}
	d, err := m.openTool(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	if args[0] == "up" {
		if err := d.MigrateUp(ctx); err != nil {
			return err
		}
	}
	return d.PrintStatus(ctx, m.Out)
}

func (m Main) seed(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(m.Err)
	demo := fs.Bool("demo", false, "demo people, programmes, cohorts and progress (safe to run again)")
	scale := fs.Int("scale", 0, "also add this many synthetic learners with history, for benchmarks (once, on a fresh database)")
	if err := fs.Parse(args); err != nil || (!*demo && *scale <= 0) {
		return usageError("usage: onramp seed --demo | --scale N")
	}
	d, err := m.openTool(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.CheckSchema(ctx); err != nil {
		return err
	}
	cfg, err := config.Load(config.ModeTool)
	if err != nil {
		return err
	}
	if cfg.StorageURL == "" {
		cfg.StorageURL = "file://var/media"
	}
	a, err := app.New(cfg, d, app.Options{})
	if err != nil {
		return err
	}
	if *scale > 0 {
		if err := a.SeedScale(ctx, *scale); err != nil {
			return err
		}
		fmt.Fprintf(m.Out, "demo data and %d scale learners seeded\n", *scale)
		return nil
	}
	if err := a.SeedDemo(ctx); err != nil {
		return err
	}
	fmt.Fprintln(m.Out, "demo data seeded")
	return nil
}

// openTool opens the database for migrate and seed, which need nothing else.
func (m Main) openTool(ctx context.Context) (*db.DB, error) {
	cfg, err := config.Load(config.ModeTool)
	if err != nil {
		return nil, err
	}
	return db.Open(ctx, cfg.DatabaseURL, 4)
}

func pprofMux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("/debug/pprof/", pprof.Index)
	m.HandleFunc("/debug/pprof/profile", pprof.Profile)
	return m
}

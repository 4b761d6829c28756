package db

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"onramp/migrations"
)

func (d *DB) migrator() (*goose.Provider, error) {
	return goose.NewProvider(goose.DialectPostgres, d.SQL, migrations.FS)
}

// river is the migrator of River's own tables (river_job and friends),
// which the job queue (app/jobs) needs. River ships and versions them; we
// apply them after our own, never edit them.
func (d *DB) river() (*rivermigrate.Migrator[pgx.Tx], error) {
	return rivermigrate.New(riverpgxv5.New(d.Pool), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
}

// RiverVersion is the latest version of River's schema this build needs.
func RiverVersion() int {
	m, err := rivermigrate.New(riverpgxv5.New(nil), nil)
	if err != nil {
		return 0
	}
	all := m.AllVersions()
	return all[len(all)-1].Version
}

// MigrateUp applies every pending migration, each in its own transaction:
// Onramp's (goose, migrations/) first, then River's.
func (d *DB) MigrateUp(ctx context.Context) error {
	p, err := d.migrator()
	if err != nil {
		return err
	}
	if _, err = p.Up(ctx); err != nil {
		return err
	}
	r, err := d.river()
	if err != nil {
		return err
	}
	if _, err := r.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrating the job queue's tables: %w", err)
	}
	return nil
}

// PrintStatus writes one line per migration saying whether it is applied.
func (d *DB) PrintStatus(ctx context.Context, w io.Writer) error {
	p, err := d.migrator()
	if err != nil {
		return err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return err
	}
	for _, s := range st {
		applied := "pending"
		if s.State == goose.StateApplied {
			applied = "applied " + s.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
		}
		fmt.Fprintf(w, "%05d  %-40s %s\n", s.Source.Version, s.Source.Path, applied)
	}
	r, err := d.river()
	if err != nil {
		return err
	}
	have, err := r.ExistingVersions(ctx)
	if err != nil {
		return fmt.Errorf("reading the job queue's schema version: %w", err)
	}
	fmt.Fprintf(w, "river  %-40s %s\n", "job queue tables (rivermigrate)", riverState(have))
	return nil
}

// riverState says how far River's migrations are applied.
func riverState(have []rivermigrate.Migration) string {
	latest := RiverVersion()
	current := 0
	if len(have) > 0 {
		current = have[len(have)-1].Version
	}
	if current >= latest {
		return fmt.Sprintf("applied version %d", current)
	}
	return fmt.Sprintf("pending: at version %d, this build needs %d", current, latest)
}

// CheckSchema returns an error naming the pending migrations when the
// database is behind the binary, so `onramp serve` refuses to run on it.
func (d *DB) CheckSchema(ctx context.Context) error {
	p, err := d.migrator()
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("reading schema version: %w", err)
	}
	if pending {
		current, _ := p.GetDBVersion(ctx)
		latest := p.ListSources()[len(p.ListSources())-1].Version
		return fmt.Errorf("the database schema is at version %d but this build needs %d: run `onramp migrate up`", current, latest)
	}
	r, err := d.river()
	if err != nil {
		return err
	}
	res, err := r.Validate(ctx, nil)
	if err != nil {
		return fmt.Errorf("reading the job queue's schema version: %w", err)
	}
	if !res.OK {
		return fmt.Errorf("the job queue's tables (River) are out of date (%s): run `onramp migrate up`", strings.Join(res.Messages, "; "))
	}
	return nil
}

package db

import (
	"context"
	"fmt"
	"io"

	"github.com/pressly/goose/v3"

	"onramp/migrations"
)

func (d *DB) migrator() (*goose.Provider, error) {
	return goose.NewProvider(goose.DialectPostgres, d.SQL, migrations.FS)
}

// MigrateUp applies every pending migration, each in its own transaction.
func (d *DB) MigrateUp(ctx context.Context) error {
	p, err := d.migrator()
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
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
	return nil
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
	return nil
}

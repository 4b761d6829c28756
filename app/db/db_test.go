package db_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"onramp/app/db"
	"onramp/app/testenv"

	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// uniqueName returns an organisation name no other test uses.
func uniqueName(t *testing.T) string {
	t.Helper()
	return fmt.Sprintf("%s %d", t.Name(), time.Now().UnixNano())
}

// insertOrganisation writes an organisation through whatever Conn(ctx)
// gives, so it lands in ctx's transaction when there is one.
func insertOrganisation(t *testing.T, ctx context.Context, d *db.DB, name string) error {
	t.Helper()
	return db.Conn(ctx, d.Gorm).Exec("INSERT INTO organisations (name, kind) VALUES (?, 'other')", name).Error
}

// organisationExists looks outside any transaction, through the pool.
func organisationExists(t *testing.T, d *db.DB, name string) bool {
	t.Helper()
	var n int
	if err := d.Pool.QueryRow(context.Background(), "SELECT count(*) FROM organisations WHERE name = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

func TestWithTxCommitsWhenFnSucceeds(t *testing.T) {
	d := testenv.DB(t)
	name := uniqueName(t)
	err := d.WithTx(context.Background(), func(ctx context.Context) error {
		return insertOrganisation(t, ctx, d, name)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !organisationExists(t, d, name) {
		t.Fatal("the row written inside WithTx was not committed")
	}
}

func TestWithTxRollsBackAndReturnsTheErrorWhenFnFails(t *testing.T) {
	d := testenv.DB(t)
	name := uniqueName(t)
	boom := errors.New("boom")
	err := d.WithTx(context.Background(), func(ctx context.Context) error {
		if err := insertOrganisation(t, ctx, d, name); err != nil {
			t.Fatal(err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WithTx returned %v, want the fn's error", err)
	}
	if organisationExists(t, d, name) {
		t.Fatal("the row written before the error was committed")
	}
}

func TestNestedWithTxJoinsTheOuterTransaction(t *testing.T) {
	d := testenv.DB(t)
	name := uniqueName(t)
	boom := errors.New("outer fails after inner succeeded")
	err := d.WithTx(context.Background(), func(ctx context.Context) error {
		if err := d.WithTx(ctx, func(ctx context.Context) error {
			return insertOrganisation(t, ctx, d, name)
		}); err != nil {
			t.Fatalf("inner WithTx: %v", err)
		}
		// The outer transaction sees the inner write; nobody else does yet.
		var n int64
		if err := db.Conn(ctx, d.Gorm).Raw("SELECT count(*) FROM organisations WHERE name = ?", name).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("outer transaction sees %d rows written by the inner WithTx, want 1", n)
		}
		if organisationExists(t, d, name) {
			t.Error("the inner WithTx committed on its own instead of joining the outer transaction")
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WithTx returned %v, want the outer fn's error", err)
	}
	if organisationExists(t, d, name) {
		t.Fatal("the inner write survived the outer rollback")
	}
}

func TestConnOutsideATransactionWritesImmediately(t *testing.T) {
	d := testenv.DB(t)
	name := uniqueName(t)
	if err := insertOrganisation(t, context.Background(), d, name); err != nil {
		t.Fatal(err)
	}
	if !organisationExists(t, d, name) {
		t.Fatal("a write through Conn without a transaction is not visible to other connections")
	}
}

func databaseExists(t *testing.T, name string) bool {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testenv.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	return exists
}

func TestEnsureDatabaseCreatesAMissingDatabaseAndLeavesAnExistingOne(t *testing.T) {
	ctx := context.Background()
	// Named like testenv's databases so an interrupted run is cleaned up.
	name := fmt.Sprintf("onramp_test_ensure_%d_%d", os.Getpid(), time.Now().UnixNano())
	u, err := url.Parse(testenv.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, testenv.AdminURL())
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Error(err)
		}
	})
	if databaseExists(t, name) {
		t.Fatalf("database %s exists before the test", name)
	}

	if err := db.EnsureDatabase(ctx, u.String()); err != nil {
		t.Fatalf("EnsureDatabase on a missing database: %v", err)
	}
	if !databaseExists(t, name) {
		t.Fatal("EnsureDatabase did not create the database")
	}

	// Something written there must survive a second call.
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE marker (id int)"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	if err := db.EnsureDatabase(ctx, u.String()); err != nil {
		t.Fatalf("EnsureDatabase on an existing database: %v", err)
	}
	conn, err = pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM marker").Scan(&n); err != nil {
		t.Fatalf("the existing database was replaced: %v", err)
	}
}

func TestCheckSchemaRefusesAnUnmigratedDatabaseAndAcceptsAMigratedOne(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, testenv.NewDatabase(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	err = d.CheckSchema(ctx)
	if err == nil {
		t.Fatal("CheckSchema accepted an unmigrated database")
	}
	if !strings.Contains(err.Error(), "onramp migrate up") {
		t.Fatalf("CheckSchema error %q does not tell the operator to run `onramp migrate up`", err)
	}

	if err := d.MigrateUp(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d.CheckSchema(ctx); err != nil {
		t.Fatalf("CheckSchema after MigrateUp: %v", err)
	}
	if err := testenv.DB(t).CheckSchema(ctx); err != nil {
		t.Fatalf("CheckSchema on the package's migrated database: %v", err)
	}
}

// A database whose own migrations are current but whose job queue tables
// (River's) are behind this build is refused too: jobs would fail at
// run time instead.
func TestCheckSchemaRefusesAnOutOfDateJobQueueSchema(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, testenv.NewDatabase(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.MigrateUp(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := rivermigrate.New(riverpgxv5.New(d.Pool), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Migrate(ctx, rivermigrate.DirectionDown, &rivermigrate.MigrateOpts{MaxSteps: 1}); err != nil {
		t.Fatal(err)
	}
	err = d.CheckSchema(ctx)
	if err == nil || !strings.Contains(err.Error(), "onramp migrate up") || !strings.Contains(err.Error(), "job queue") {
		t.Fatalf("CheckSchema with River one version behind: %v", err)
	}
	if err := d.MigrateUp(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d.CheckSchema(ctx); err != nil {
		t.Fatalf("CheckSchema after migrating River up again: %v", err)
	}
}

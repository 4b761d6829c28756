package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"onramp/app/testenv"
	"onramp/modules/identity"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// onrampVariables is every environment variable the commands read.
var onrampVariables = []string{
	"DATABASE_URL", "ONRAMP_DB_MAX_CONNS", "ONRAMP_ADDR", "ONRAMP_BASE_URL",
	"OIDC_ISSUER_URL", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_ROLES_CLAIM",
	"STORAGE_URL", "S3_ACCESS_KEY", "S3_SECRET_KEY", "SMTP_URL",
	"ONRAMP_SESSION_IDLE_TIMEOUT", "ONRAMP_SESSION_ABSOLUTE_TIMEOUT", "ONRAMP_SHUTDOWN_TIMEOUT",
	"ONRAMP_AUTH_RATE_LIMIT", "ONRAMP_AUTH_RATE_BURST", "ONRAMP_BODY_LIMIT",
	"ONRAMP_TRUSTED_PROXIES", "ONRAMP_METRICS_ADDR",
}

// emptyEnv unsets every Onramp variable for the test.
func emptyEnv(t *testing.T) {
	t.Helper()
	for _, k := range onrampVariables {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

// run runs the command with a deadline, so a command that wrongly starts
// serving cannot hang the test, and returns its output and error.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	err := Main{Out: &out, Err: &errOut}.Run(ctx, args)
	if ctx.Err() != nil {
		t.Fatalf("onramp %s was still running after 30s (err %v)", strings.Join(args, " "), err)
	}
	return out.String(), err
}

func TestServeWithEmptyEnvironmentNamesTheMissingSettings(t *testing.T) {
	emptyEnv(t)
	_, err := run(t, "serve")
	if err == nil {
		t.Fatal("serve started with no configuration")
	}
	for _, name := range []string{"DATABASE_URL", "ONRAMP_BASE_URL", "OIDC_ISSUER_URL", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "STORAGE_URL"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s:\n%v", name, err)
		}
	}
}

func TestNoOrUnknownArgumentsAreAUsageError(t *testing.T) {
	for _, args := range [][]string{nil, {"frobnicate"}, {"migrate"}, {"migrate", "sideways"}, {"seed"}} {
		_, err := run(t, args...)
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("onramp %q returned %v, want a usage error", args, err)
			continue
		}
		if !strings.Contains(err.Error(), "usage: onramp") {
			t.Errorf("onramp %q: usage error %q does not show the usage", args, err)
		}
	}
}

func TestMigrateUpThenStatusReportsEveryMigrationApplied(t *testing.T) {
	emptyEnv(t)
	t.Setenv("DATABASE_URL", testenv.NewDatabase(t))

	out, err := run(t, "migrate", "status")
	if err != nil {
		t.Fatalf("migrate status on an empty database: %v", err)
	}
	if !strings.Contains(out, "pending") || strings.Contains(out, "applied") {
		t.Fatalf("before migrate up, status should list pending migrations only:\n%s", out)
	}

	if out, err := run(t, "migrate", "up"); err != nil {
		t.Fatalf("migrate up: %v\n%s", err, out)
	}
	out, err = run(t, "migrate", "status")
	if err != nil {
		t.Fatalf("migrate status: %v", err)
	}
	if !strings.Contains(out, "applied") || strings.Contains(out, "pending") {
		t.Fatalf("after migrate up, status should list every migration applied:\n%s", out)
	}
	if !strings.Contains(out, "00001_platform.sql") {
		t.Errorf("status does not name the migrations:\n%s", out)
	}
}

func TestServeRefusesAnUnmigratedDatabaseBeforeServing(t *testing.T) {
	emptyEnv(t)
	t.Setenv("DATABASE_URL", testenv.NewDatabase(t))
	t.Setenv("ONRAMP_ADDR", "127.0.0.1:0")
	t.Setenv("ONRAMP_BASE_URL", "https://onramp.example.org")
	t.Setenv("OIDC_ISSUER_URL", "https://login.example.org")
	t.Setenv("OIDC_CLIENT_ID", "onramp")
	t.Setenv("OIDC_CLIENT_SECRET", "secret")
	t.Setenv("STORAGE_URL", "file://"+t.TempDir())

	_, err := run(t, "serve")
	if err == nil {
		t.Fatal("serve ran on an unmigrated database")
	}
	if !strings.Contains(err.Error(), "onramp migrate up") {
		t.Fatalf("serve's error %q does not tell the operator to run `onramp migrate up`", err)
	}
}

func TestSeedDemoTwiceLeavesOneUserPerDemoPerson(t *testing.T) {
	emptyEnv(t)
	url := testenv.NewDatabase(t)
	t.Setenv("DATABASE_URL", url)
	if out, err := run(t, "migrate", "up"); err != nil {
		t.Fatalf("migrate up: %v\n%s", err, out)
	}
	for i := range 2 {
		out, err := run(t, "seed", "--demo")
		if err != nil {
			t.Fatalf("seed --demo run %d: %v", i+1, err)
		}
		if !strings.Contains(out, "demo data seeded") {
			t.Errorf("seed --demo run %d printed %q", i+1, out)
		}
	}

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, p := range identity.DemoPeople {
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM users WHERE email = $1", p.Email).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("%s has %d users rows after seeding twice, want 1", p.Email, n)
		}
	}
	var orgs int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM organisations").Scan(&orgs); err != nil {
		t.Fatal(err)
	}
	if orgs != 2 {
		t.Errorf("%d organisations after seeding twice, want the 2 demo ones", orgs)
	}
}

func TestSeedRefusesAnUnmigratedDatabase(t *testing.T) {
	emptyEnv(t)
	t.Setenv("DATABASE_URL", testenv.NewDatabase(t))
	_, err := run(t, "seed", "--demo")
	if err == nil || !strings.Contains(err.Error(), "onramp migrate up") {
		t.Fatalf("seed on an unmigrated database returned %v, want the migrate-up advice", err)
	}
}

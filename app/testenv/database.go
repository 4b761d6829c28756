// Package testenv is the harness every test builds on: a PostgreSQL
// database per test package cloned from a migrated template, a real MinIO
// server, and a running Onramp with the dev identity provider plus a
// helper that signs in over real HTTP.
package testenv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"onramp/app"
	"onramp/app/config"
	"onramp/app/db"
	"onramp/assets"
	"onramp/migrations"
)

// AdminURL is the maintenance database tests connect to for creating and
// dropping databases; ONRAMP_TEST_DATABASE_URL overrides it.
func AdminURL() string {
	if u := os.Getenv("ONRAMP_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

var pkg struct {
	name    string // this package's database
	url     string
	once    sync.Once
	db      *db.DB
	openErr error
}

// Main runs a test package: it clones the package's database from the
// migrated template, runs the tests, then drops the database and stops
// MinIO if a test started it. Call it from TestMain.
func Main(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		code = 1
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	name, err := clonePackageDatabase(ctx)
	if err != nil {
		return 1, err
	}
	pkg.name = name
	pkg.url = withDatabase(AdminURL(), name)
	code := m.Run()
	if pkg.db != nil {
		pkg.db.Close()
	}
	stopMinIO()
	dctx, dcancel := context.WithTimeout(context.Background(), time.Minute)
	defer dcancel()
	return code, dropDatabase(dctx, name)
}

// DatabaseURL is the URL of this package's database.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	if pkg.url == "" {
		t.Fatal("testenv: call testenv.Main(m) from TestMain first")
	}
	return pkg.url
}

// DB returns the package's database, opened once and shared by its tests.
// Tests create their own rows with unique values instead of truncating.
func DB(t testing.TB) *db.DB {
	t.Helper()
	u := DatabaseURL(t)
	pkg.once.Do(func() { pkg.db, pkg.openErr = db.Open(context.Background(), u, 10) })
	if pkg.openErr != nil {
		t.Fatalf("opening test database: %v", pkg.openErr)
	}
	return pkg.db
}

// NewDatabase creates an extra, empty (unmigrated) database for one test,
// for tests of migrations and schema checks, and drops it when the test
// ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("onramp_test_extra_%d_%d", os.Getpid(), time.Now().UnixNano())
	conn := adminConn(t, ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dropDatabase(context.Background(), name) })
	return withDatabase(AdminURL(), name)
}

func adminConn(t testing.TB, ctx context.Context) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		t.Fatalf("connecting to PostgreSQL (is it running? pg_ctlcluster --skip-systemctl-redirect 15 main start): %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// clonePackageDatabase makes sure the template for the current migrations
// exists, then clones it for this package. An advisory lock serialises
// packages running in parallel.
func clonePackageDatabase(ctx context.Context) (string, error) {
	conn, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		return "", fmt.Errorf("connecting to PostgreSQL (is it running? pg_ctlcluster --skip-systemctl-redirect 15 main start): %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(684201)"); err != nil {
		return "", err
	}
	defer conn.Exec(context.Background(), "SELECT pg_advisory_unlock(684201)")

	dropAbandoned(ctx, conn)
	tmpl, err := ensureTemplate(ctx, conn)
	if err != nil {
		return "", err
	}
	name := fmt.Sprintf("onramp_test_%s_%d", packageSlug(), os.Getpid())
	_, err = conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s",
		pgx.Identifier{name}.Sanitize(), pgx.Identifier{tmpl}.Sanitize()))
	return name, err
}

func ensureTemplate(ctx context.Context, conn *pgx.Conn) (string, error) {
	sum, err := migrationsHash()
	if err != nil {
		return "", err
	}
	tmpl := "onramp_test_template_" + sum
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", tmpl).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return tmpl, nil
	}
	// Build under a temporary name and rename when migrated, so a crash
	// half-way never leaves a template that looks complete.
	building := tmpl + "_building"
	_ = dropDatabase(ctx, building)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{building}.Sanitize()); err != nil {
		return "", err
	}
	d, err := db.Open(ctx, withDatabase(AdminURL(), building), 2)
	if err != nil {
		return "", err
	}
	err = d.MigrateUp(ctx)
	if err == nil {
		err = seedTemplate(ctx, d)
	}
	d.Close()
	if err != nil {
		return "", fmt.Errorf("preparing the test template: %w", err)
	}
	_, err = conn.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", pgx.Identifier{building}.Sanitize(), pgx.Identifier{tmpl}.Sanitize()))
	return tmpl, err
}

// dropAbandoned removes databases left by test processes that no longer
// run, and templates of other migrations untouched for a day (a template
// in use by another checkout on this server, with other migrations, is
// left alone).
func dropAbandoned(ctx context.Context, conn *pgx.Conn) {
	rows, err := conn.Query(ctx, `SELECT datname, (pg_stat_file('base/' || oid || '/PG_VERSION')).modification < now() - interval '1 day'
		FROM pg_database WHERE datname LIKE 'onramp_test_%'`)
	if err != nil {
		return
	}
	type database struct {
		Name string
		Old  bool
	}
	dbs, _ := pgx.CollectRows(rows, pgx.RowToStructByPos[database])
	sum, _ := migrationsHash()
	pidSuffix := regexp.MustCompile(`_(\d+)(_\d+)?$`)
	for _, d := range dbs {
		n, stale := d.Name, false
		if strings.HasPrefix(n, "onramp_test_template_") {
			stale = n != "onramp_test_template_"+sum && d.Old
		} else if m := pidSuffix.FindStringSubmatch(n); m != nil {
			pid, _ := strconv.Atoi(m[1])
			_, statErr := os.Stat("/proc/" + strconv.Itoa(pid))
			stale = os.IsNotExist(statErr)
		}
		if stale {
			_ = dropDatabase(ctx, n)
		}
	}
}

func dropDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

// migrationsHash names the template after what is in it: the migrations
// and the shipped content it is seeded with.
func migrationsHash() (string, error) {
	h := sha256.New()
	for _, fsys := range []fs.FS{migrations.FS, assets.Content} {
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(fsys, p)
			h.Write([]byte(p))
			h.Write(b)
			return err
		})
		if err != nil {
			return "", err
		}
	}
	fmt.Fprintf(h, "river %d", db.RiverVersion()) // River's own tables
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

// seedTemplate loads the demo data into the template, so every test
// package starts with the shipped programmes, demo people and cohorts.
func seedTemplate(ctx context.Context, d *db.DB) error {
	dir, err := os.MkdirTemp("", "onramp-template-media-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := config.Config{Mode: config.ModeTool, StorageURL: "file://" + dir, BodyLimit: "1M", MaxVideoMB: 200, MaxFileMB: 20,
		AuthRateLimit: 1, AuthRateBurst: 1, SessionIdleTimeout: time.Minute, SessionAbsoluteTimeout: time.Hour,
		ReportMinPeople: 20}
	a, err := app.New(cfg, d, app.Options{})
	if err != nil {
		return err
	}
	return a.SeedDemo(ctx)
}

// withDatabase returns raw with its database name replaced by name.
func withDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic("testenv: ONRAMP_TEST_DATABASE_URL is not a URL: " + err.Error())
	}
	u.Path = "/" + name
	return u.String()
}

// packageSlug names the database after the test binary's package.
func packageSlug() string {
	base := strings.TrimSuffix(filepath.Base(os.Args[0]), ".test")
	return regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(base), "_")
}

// ModuleRoot is the directory holding go.mod.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testenv: go.mod not found above the working directory")
		}
		dir = parent
	}
}

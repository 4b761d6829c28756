// Package db opens PostgreSQL once for the whole process and gives services
// transactions that nested calls share.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// DB is the process's one connection pool, seen three ways: pgx for the
// session store and jobs, database/sql for migrations, gorm for stores.
type DB struct {
	Pool *pgxpool.Pool
	SQL  *sql.DB
	Gorm *gorm.DB
}

// Options size the pool and bound how long database work may wait.
type Options struct {
	MaxConns int
	// AcquireTimeout bounds the wait for a connection, from the pool or
	// newly made; zero waits as long as the caller's context allows.
	AcquireTimeout time.Duration
	// StatementTimeout is PostgreSQL's statement_timeout for every
	// connection; the client gives up StatementGrace later, so a server
	// that has stopped answering fails the statement too. Zero sets none
	// (migrations and the seed tools).
	StatementTimeout time.Duration
}

// StatementGrace is how much longer than the statement timeout the
// client waits before it gives up on a server that says nothing.
const StatementGrace = time.Second

// Open connects to url with at most maxConns connections and no
// timeouts of its own, for the tools; see OpenWith.
func Open(ctx context.Context, url string, maxConns int) (*DB, error) {
	return OpenWith(ctx, url, Options{MaxConns: maxConns})
}

// OpenWith connects to url as o says. It does not fail when PostgreSQL is
// down: connections are made on demand, so the process can start and
// report itself not ready until the database answers.
func OpenWith(ctx context.Context, url string, o Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL is not a valid PostgreSQL URL: %w", err)
	}
	cfg.MaxConns = int32(o.MaxConns)
	cfg.MaxConnIdleTime = 5 * time.Minute
	cfg.MaxConnLifetime = time.Hour
	cfg.HealthCheckPeriod = 15 * time.Second
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	if o.AcquireTimeout > 0 {
		cfg.ConnConfig.ConnectTimeout = o.AcquireTimeout
	}
	if o.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(o.StatementTimeout.Milliseconds(), 10)
	}
	cfg.ConnConfig.Tracer = deadlines{acquire: o.AcquireTimeout, statement: o.StatementTimeout}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("opening database pool: %w", err)
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	g, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		TranslateError:         true,
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("opening gorm: %w", err)
	}
	return &DB{Pool: pool, SQL: sqlDB, Gorm: g}, nil
}

// Close releases every connection.
func (d *DB) Close() {
	_ = d.SQL.Close()
	d.Pool.Close()
}

// Ping reports whether PostgreSQL answers a query within the context.
func (d *DB) Ping(ctx context.Context) error {
	var one int
	return d.Pool.QueryRow(ctx, "SELECT 1").Scan(&one)
}

// ErrNotFound is what every store returns when the row asked for does not
// exist, or is outside what the caller may see: one sentinel, so services
// test for it with errors.Is whichever store they called.
var ErrNotFound = errors.New("not found")

// NotFound returns ErrNotFound for gorm's record-not-found and err
// otherwise, for stores that use gorm's First or Take.
func NotFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}

// One finishes a query for one row: ErrNotFound when it found none, other
// failures wrapped with what was being loaded ("store: unable to load
// cohort 1234: ...").
func One(res *gorm.DB, what, key string) error {
	if res.Error != nil {
		return fmt.Errorf("store: unable to load %s %s: %w", what, key, res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

type txKey struct{}

// WithTx runs fn in a transaction. Stores called with the context fn
// receives use that transaction (see Conn). A WithTx inside another reuses
// the outer transaction, so a service can call another service's method and
// still commit or roll back as one.
func (d *DB) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	return d.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(context.WithValue(ctx, txKey{}, tx))
	})
}

// Conn returns the transaction carried by ctx, or g bound to ctx when there
// is none. Every store query starts here.
func Conn(ctx context.Context, g *gorm.DB) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return g.WithContext(ctx)
}

// EnsureDatabase creates the database named in url when it does not exist,
// connecting to the server's maintenance database to do so. `onramp dev`
// uses it so a newcomer needs no setup.
func EnsureDatabase(ctx context.Context, url string) error {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("DATABASE_URL is not a valid PostgreSQL URL: %w", err)
	}
	name := cfg.Database
	cfg.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connecting to PostgreSQL at %s:%d: %w", cfg.Host, cfg.Port, err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var dup interface{ SQLState() string }
	if errors.As(err, &dup) && dup.SQLState() == "42P04" { // created meanwhile by another process
		return nil
	}
	return err
}

// IsUUID reports whether s is a UUID in canonical hyphenated form. Stores
// check ids from URLs with it, so a malformed id is "not found" rather than
// a database error.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f' || 'A' <= r && r <= 'F') {
				return false
			}
		}
	}
	return true
}

// Query runs a read on the context's transaction, or on g, without gorm's
// reflection: for the few queries every request makes.
func Query(ctx context.Context, g *gorm.DB, query string, args ...any) (*sql.Rows, error) {
	return Conn(ctx, g).Statement.ConnPool.QueryContext(ctx, query, args...)
}

// IsUniqueViolation reports whether err is PostgreSQL refusing a duplicate
// (SQLSTATE 23505), however gorm or pgx wrapped it.
func IsUniqueViolation(err error) bool {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	var pg interface{ SQLState() string }
	return errors.As(err, &pg) && pg.SQLState() == "23505"
}

// SQLTx returns the database/sql transaction ctx carries (see WithTx), or
// nil outside one, for code that must write in the same transaction
// without gorm: River's job inserts.
func SQLTx(ctx context.Context) *sql.Tx {
	tx, ok := ctx.Value(txKey{}).(*gorm.DB)
	if !ok {
		return nil
	}
	sqlTx, _ := tx.Statement.ConnPool.(*sql.Tx)
	return sqlTx
}

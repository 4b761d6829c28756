package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// IsUnavailable reports whether err says PostgreSQL could not be reached
// or did not answer in time, rather than that a query was wrong: a
// refused or lost connection, a timeout (waiting for a connection, a
// statement, or the request's own budget), or the server shutting down
// or refusing connections. Such failures are worth trying again later,
// so the HTTP layer answers them with 503 and Retry-After.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case strings.HasPrefix(pg.Code, "08"), // connection exception
			pg.Code == "57014",                     // query_canceled: the statement timeout
			pg.Code == "57P01", pg.Code == "57P02", // admin_shutdown, crash_shutdown
			pg.Code == "57P03", // cannot_connect_now: starting up or recovering
			pg.Code == "53300": // too_many_connections
			return true
		}
		return false
	}
	var connect *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connect) || errors.As(err, &netErr) || pgconn.Timeout(err) || pgconn.SafeToRetry(err)
}

// deadlines is the pool's tracer: it bounds the wait for a connection and
// each statement, whatever the caller's context says, so a database that
// has stopped answering fails requests promptly instead of holding them.
// A statement that times out takes its connection with it (pgx closes a
// connection interrupted mid-query), so the pool refills with fresh ones
// once the server answers again.
type deadlines struct {
	acquire, statement time.Duration
}

type acquireCancel struct{}
type statementCancel struct{}

var (
	_ pgx.QueryTracer       = deadlines{}
	_ pgxpool.AcquireTracer = deadlines{}
)

func (d deadlines) TraceAcquireStart(ctx context.Context, _ *pgxpool.Pool, _ pgxpool.TraceAcquireStartData) context.Context {
	if d.acquire <= 0 {
		return ctx
	}
	ctx, cancel := context.WithTimeout(ctx, d.acquire)
	return context.WithValue(ctx, acquireCancel{}, cancel)
}

func (d deadlines) TraceAcquireEnd(ctx context.Context, _ *pgxpool.Pool, _ pgxpool.TraceAcquireEndData) {
	if cancel, ok := ctx.Value(acquireCancel{}).(context.CancelFunc); ok {
		cancel()
	}
}

func (d deadlines) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	if d.statement <= 0 {
		return ctx
	}
	ctx, cancel := context.WithTimeout(ctx, d.statement+StatementGrace)
	return context.WithValue(ctx, statementCancel{}, cancel)
}

func (d deadlines) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryEndData) {
	if cancel, ok := ctx.Value(statementCancel{}).(context.CancelFunc); ok {
		cancel()
	}
}

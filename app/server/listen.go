package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

// Listen opens addr for serving. setting names the environment variable
// that chose addr, so the one-line error for a port already in use says
// what to change.
func Listen(addr, setting string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("%s is already in use; set %s to another address, e.g. %s=%s", addr, setting, setting, nextPort(addr))
	}
	return nil, fmt.Errorf("cannot listen on %s (%s): %w", addr, setting, err)
}

// nextPort suggests the address one port up, or a loopback one if addr
// cannot be read.
func nextPort(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil || n >= 65535 {
		return "127.0.0.1:8081"
	}
	return net.JoinHostPort(host, strconv.Itoa(n+1))
}

// Site is an open listener and what it serves.
type Site struct {
	Listener net.Listener
	Handler  http.Handler
}

// Shutdown says how Run stops when its context ends, so a restart drops
// no request: first /readyz turns 503 (Ready.Drain) while the sites keep
// serving for Grace, long enough for load balancers to notice and stop
// sending; then the listeners close, Stopping ends what never finishes
// by itself (live event streams), and requests in flight get up to Drain
// to finish.
type Shutdown struct {
	Grace, Drain time.Duration
	Ready        *Readiness
	Stopping     func()
	// ReadHeaderTimeout bounds how long a client may take to send its
	// request's headers; 10 s when zero. Bodies are bounded per route
	// (see Options.BodyTimeout).
	ReadHeaderTimeout time.Duration
}

// Readiness is what /readyz adds to its checks: whether this process is
// shutting down.
type Readiness struct{ draining atomic.Bool }

// Drain makes /readyz answer 503 from now on.
func (r *Readiness) Drain() { r.draining.Store(true) }

// Draining reports whether Drain was called.
func (r *Readiness) Draining() bool { return r != nil && r.draining.Load() }

// Run serves every site until ctx ends or one of them fails, then shuts
// down as sd says. It returns the first failure; a drain that ends by
// its deadline is none. Requests still running at the deadline are cut
// off and reported as an error.
func Run(ctx context.Context, sd Shutdown, sites ...Site) error {
	if sd.ReadHeaderTimeout <= 0 {
		sd.ReadHeaderTimeout = 10 * time.Second
	}
	servers := make([]*http.Server, len(sites))
	errc := make(chan error, len(sites))
	for i, s := range sites {
		servers[i] = &http.Server{
			Handler:           s.Handler,
			ReadHeaderTimeout: sd.ReadHeaderTimeout,
			// No ReadTimeout: it would also cut off handlers that run past
			// it after reading their body. Bodies get deadlines per route.
			WriteTimeout: 5 * time.Minute,
			IdleTimeout:  2 * time.Minute,
		}
		go func() { errc <- servers[i].Serve(s.Listener) }()
	}
	var failed error
	select {
	case failed = <-errc:
	case <-ctx.Done():
		if sd.Ready != nil {
			sd.Ready.Drain()
		}
		slog.Info("shutting down: not ready, still serving", "grace", sd.Grace.String(), "drain", sd.Drain.String())
		select {
		case failed = <-errc:
		case <-time.After(sd.Grace):
		}
	}
	if sd.Stopping != nil {
		sd.Stopping()
	}
	sctx, cancel := context.WithTimeout(context.Background(), sd.Drain)
	defer cancel()
	start := time.Now()
	for _, srv := range servers {
		if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = srv.Close()
			if failed == nil {
				failed = fmt.Errorf("requests still running after %s were cut off: %w", sd.Drain, err)
			}
		}
	}
	if failed == nil {
		slog.Info("shut down: every request finished", "drained_in", time.Since(start).Round(time.Millisecond).String())
	}
	return failed
}

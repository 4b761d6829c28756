package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
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

// Run serves every site until ctx ends or one of them fails, then stops
// taking requests and lets those in flight finish for up to drain. It
// returns the first failure.
func Run(ctx context.Context, drain time.Duration, sites ...Site) error {
	servers := make([]*http.Server, len(sites))
	errc := make(chan error, len(sites))
	for i, s := range sites {
		servers[i] = &http.Server{
			Handler:           s.Handler,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       5 * time.Minute, // uploads on slow phones
			WriteTimeout:      5 * time.Minute,
			IdleTimeout:       2 * time.Minute,
		}
		go func() { errc <- servers[i].Serve(s.Listener) }()
	}
	var failed error
	select {
	case failed = <-errc:
	case <-ctx.Done():
		slog.Info("shutting down", "drain", drain.String())
	}
	sctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	for _, srv := range servers {
		if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) && failed == nil {
			failed = err
		}
	}
	return failed
}

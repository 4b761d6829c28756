package storage

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"time"
)

// Health watches a store so pages can say "media unavailable" without
// asking it on every request. It is itself the Store to use: every call
// goes through to the store it watches, and one that fails because the
// store cannot be reached marks it down at once. Checks (Run) then come
// every second until it answers again, and every interval while it does.
type Health struct {
	Store
	interval time.Duration
	down     atomic.Bool
	nudge    chan struct{}
}

var _ Store = (*Health)(nil)

// NewHealth returns a monitor for s that counts as healthy until a call
// or a check says otherwise.
func NewHealth(s Store, interval time.Duration) *Health {
	return &Health{Store: s, interval: interval, nudge: make(chan struct{}, 1)}
}

// Run checks the store now and then every interval (every second while
// it is down) until ctx ends.
func (h *Health) Run(ctx context.Context) {
	for {
		h.check(ctx)
		wait := h.interval
		if h.down.Load() {
			wait = min(wait, time.Second)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-h.nudge:
			t.Stop()
		}
	}
}

func (h *Health) check(ctx context.Context) {
	cctx, cancel := context.WithTimeout(ctx, min(h.interval, 5*time.Second))
	defer cancel()
	err := h.Store.Ping(cctx)
	if ctx.Err() != nil {
		return
	}
	h.set(err)
}

func (h *Health) set(err error) {
	if was := h.down.Swap(err != nil); was != (err != nil) {
		if err != nil {
			slog.Warn("media store unavailable", "err", err)
		} else {
			slog.Info("media store available again")
		}
	}
}

// observe marks the store down when a call failed to reach it; any other
// outcome says nothing the checks will not.
func (h *Health) observe(err error) {
	if errors.Is(err, ErrUnavailable) && !h.down.Load() {
		h.set(err)
		select { // check again soon: the next second's check, not the next interval's
		case h.nudge <- struct{}{}:
		default:
		}
	}
}

// OK reports whether the store answered its last call or check.
func (h *Health) OK() bool { return !h.down.Load() }

// Put stores through the watched store; see Store.Put.
func (h *Health) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string, max int64) (Object, error) {
	o, err := h.Store.Put(ctx, key, r, size, contentType, max)
	h.observe(err)
	return o, err
}

// Open reads through the watched store; see Store.Open.
func (h *Health) Open(ctx context.Context, key string) (io.ReadSeekCloser, Object, error) {
	r, o, err := h.Store.Open(ctx, key)
	h.observe(err)
	return r, o, err
}

// Delete removes through the watched store; see Store.Delete.
func (h *Health) Delete(ctx context.Context, key string) error {
	err := h.Store.Delete(ctx, key)
	h.observe(err)
	return err
}

// SignedURL signs through the watched store; see Store.SignedURL.
func (h *Health) SignedURL(ctx context.Context, key string, ttl time.Duration, filename string) (string, error) {
	u, err := h.Store.SignedURL(ctx, key, ttl, filename)
	h.observe(err)
	return u, err
}

// SweepIncomplete sweeps the watched store when it can (see Sweeper),
// and does nothing otherwise.
func (h *Health) SweepIncomplete(ctx context.Context, cutoff time.Time) (int, error) {
	s, ok := h.Store.(Sweeper)
	if !ok {
		return 0, nil
	}
	n, err := s.SweepIncomplete(ctx, cutoff)
	h.observe(err)
	return n, err
}

// AbortIncomplete passes on to the watched store when it can; see
// Sweeper.
func (h *Health) AbortIncomplete(ctx context.Context, key string) (bool, error) {
	s, ok := h.Store.(Sweeper)
	if !ok {
		return false, nil
	}
	aborted, err := s.AbortIncomplete(ctx, key)
	h.observe(err)
	return aborted, err
}

package storage

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// Health remembers whether the store answered its last check, so pages
// can say "media unavailable" without asking the store on every request.
type Health struct {
	store    Store
	interval time.Duration
	down     atomic.Bool
}

// NewHealth returns a monitor for s that counts as healthy until a check
// (see Run) says otherwise.
func NewHealth(s Store, interval time.Duration) *Health {
	return &Health{store: s, interval: interval}
}

// Run checks the store now and then every interval until ctx ends.
func (h *Health) Run(ctx context.Context) {
	t := time.NewTicker(h.interval)
	defer t.Stop()
	for {
		h.check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (h *Health) check(ctx context.Context) {
	cctx, cancel := context.WithTimeout(ctx, min(h.interval, 5*time.Second))
	defer cancel()
	err := h.store.Ping(cctx)
	if ctx.Err() != nil {
		return
	}
	if was := h.down.Swap(err != nil); was != (err != nil) {
		if err != nil {
			slog.Warn("media store unavailable", "err", err)
		} else {
			slog.Info("media store available again")
		}
	}
}

// OK reports whether the last check succeeded.
func (h *Health) OK() bool { return !h.down.Load() }

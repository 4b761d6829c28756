package messaging

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Hub fans thread changes out to the event streams open on this process.
// It holds one PostgreSQL connection of its own, LISTENing on Channel, so
// a message sent through any app instance wakes the streams on every
// instance. A stream is woken, not sent the message: it reads what
// changed from the database, which stays the one source of truth.
type Hub struct {
	cfg   *pgx.ConnConfig
	mu    sync.Mutex
	subs  map[string]map[*Sub]struct{}
	ready chan struct{}
	once  sync.Once
	done  chan struct{}
	stop  sync.Once
}

// Sub is one stream's subscription to one thread. C receives a value
// (at most one waiting) whenever the thread may have changed.
type Sub struct {
	C            chan struct{}
	mentorshipID string
	hub          *Hub
}

// NewHub returns a hub that connects with cfg (a copy of the pool's
// connection settings).
func NewHub(cfg *pgx.ConnConfig) *Hub {
	return &Hub{cfg: cfg, subs: map[string]map[*Sub]struct{}{}, ready: make(chan struct{}), done: make(chan struct{})}
}

// Subscribe starts waking a stream on changes to a thread; Close ends it.
func (h *Hub) Subscribe(mentorshipID string) *Sub {
	s := &Sub{C: make(chan struct{}, 1), mentorshipID: mentorshipID, hub: h}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs[mentorshipID] == nil {
		h.subs[mentorshipID] = map[*Sub]struct{}{}
	}
	h.subs[mentorshipID][s] = struct{}{}
	return s
}

// Close ends the subscription.
func (s *Sub) Close() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs[s.mentorshipID], s)
	if len(h.subs[s.mentorshipID]) == 0 {
		delete(h.subs, s.mentorshipID)
	}
}

func (s *Sub) wake() {
	select {
	case s.C <- struct{}{}:
	default: // already woken; it will read every change
	}
}

// wake wakes the streams on one thread, or on all of them when
// mentorshipID is empty (after a reconnect, when notifications may have
// been missed).
func (h *Hub) wake(mentorshipID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if mentorshipID != "" {
		// One thread's streams, found directly: the cost of a message
		// does not grow with the number of threads open.
		for s := range h.subs[mentorshipID] {
			s.wake()
		}
		return
	}
	for _, subs := range h.subs {
		for s := range subs {
			s.wake()
		}
	}
}

// Streams counts the open subscriptions.
func (h *Hub) Streams() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, subs := range h.subs {
		n += len(subs)
	}
	return n
}

// Done is closed when the hub stops (shutdown): streams end then.
func (h *Hub) Done() <-chan struct{} { return h.done }

// Ready is closed once the hub first listens.
func (h *Hub) Ready() <-chan struct{} { return h.ready }

// Stop ends every stream; the process is shutting down.
func (h *Hub) Stop() { h.stop.Do(func() { close(h.done) }) }

// Run listens until ctx ends or Stop is called, reconnecting after a
// lost connection (and waking every stream, since notifications may have
// been missed meanwhile).
func (h *Hub) Run(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-h.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	defer h.Stop()
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := h.listen(ctx)
		if ctx.Err() != nil {
			return
		}
		slog.Warn("messaging: lost the live-message listener; reconnecting", "err", err, "in", wait.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, 5*time.Second)
	}
}

func (h *Hub) listen(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, h.cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	h.once.Do(func() { close(h.ready) })
	h.wake("")
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if id, _, ok := strings.Cut(n.Payload, ":"); ok {
			h.wake(id)
		}
	}
}

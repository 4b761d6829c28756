package messaging

import (
	"strings"
	"sync"
)

// Hub fans thread changes out to the event streams open on this process.
// The process's pubsub listener calls Notified for every announcement on
// Channel, so a message sent through any app instance wakes the streams
// on every instance. A stream is woken, not sent the message: it reads
// what changed from the database, which stays the one source of truth.
type Hub struct {
	mu   sync.Mutex
	subs map[string]map[*Sub]struct{}
	done chan struct{}
	stop sync.Once
}

// Sub is one stream's subscription to one thread. C receives a value
// (at most one waiting) whenever the thread may have changed.
type Sub struct {
	C            chan struct{}
	mentorshipID string
	hub          *Hub
}

// NewHub returns a hub; register its Notified with the pubsub listener
// on Channel.
func NewHub() *Hub {
	return &Hub{subs: map[string]map[*Sub]struct{}{}, done: make(chan struct{})}
}

// Notified wakes the streams a notification on Channel concerns: one
// thread's for "mentorshipID:messageID", every stream for anything else
// (pubsub.Missed after a reconnect, when notifications may have been
// missed).
func (h *Hub) Notified(payload string) {
	id, _, ok := strings.Cut(payload, ":")
	if !ok {
		id = ""
	}
	h.wake(id)
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

// Stop ends every stream; the process is shutting down.
func (h *Hub) Stop() { h.stop.Do(func() { close(h.done) }) }

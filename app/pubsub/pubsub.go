// Package pubsub carries PostgreSQL LISTEN/NOTIFY for the whole process
// over one connection of its own. Modules announce a change with Notify
// inside the transaction that makes it, so PostgreSQL delivers it on
// commit (and never on rollback), and hear of changes from every replica,
// this one included, through a handler registered with Handle. The
// database stays the one source of truth: a notification only says what
// to look at again.
package pubsub

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"onramp/app/db"
)

// Missed is the payload a handler is called with each time the listener
// (re)connects: notifications sent while it was not listening are lost,
// so a handler treats it as "anything may have changed".
const Missed = ""

// channelName is what Handle accepts: a plain lower-case identifier, so
// it needs no quoting in LISTEN.
var channelName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// Listener holds the process's one LISTEN connection and calls each
// channel's handlers with what arrives.
type Listener struct {
	cfg      *pgx.ConnConfig
	mu       sync.Mutex
	handlers map[string][]func(payload string)
	ready    chan struct{}
	once     sync.Once
}

// New returns a listener that connects with cfg (a copy of the pool's
// connection settings). It listens once Run is called.
func New(cfg *pgx.ConnConfig) *Listener {
	return &Listener{cfg: cfg, handlers: map[string][]func(string){}, ready: make(chan struct{})}
}

// Handle calls fn with the payload of every notification on channel, and
// with Missed after each (re)connection. fn runs on the listener's
// goroutine, so it must be quick (wake something, clear a cache). Call it
// before Run. Errors: a channel name that is not a lower-case identifier.
func (l *Listener) Handle(channel string, fn func(payload string)) error {
	if !channelName.MatchString(channel) {
		return fmt.Errorf("pubsub: channel %q is not a lower-case identifier", channel)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.handlers[channel] = append(l.handlers[channel], fn)
	return nil
}

// Ready is closed once the listener first listens.
func (l *Listener) Ready() <-chan struct{} { return l.ready }

// Run listens until ctx ends, reconnecting after a lost connection with a
// backoff of up to 5 s.
func (l *Listener) Run(ctx context.Context) {
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := l.listen(ctx)
		if ctx.Err() != nil {
			return
		}
		slog.Warn("pubsub: lost the LISTEN connection; reconnecting", "err", err, "in", wait.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, 5*time.Second)
	}
}

func (l *Listener) listen(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, l.cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	l.mu.Lock()
	handlers := make(map[string][]func(string), len(l.handlers))
	for ch, fns := range l.handlers {
		handlers[ch] = fns
	}
	l.mu.Unlock()
	for ch := range handlers {
		if _, err := conn.Exec(ctx, "LISTEN "+ch); err != nil {
			return err
		}
	}
	l.once.Do(func() { close(l.ready) })
	for _, fns := range handlers {
		for _, fn := range fns {
			fn(Missed)
		}
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		for _, fn := range handlers[n.Channel] {
			fn(n.Payload)
		}
	}
}

// Notify announces payload on channel to every listening replica. Inside
// a transaction (see db.WithTx) PostgreSQL sends it when the transaction
// commits, and never if it rolls back.
func Notify(ctx context.Context, g *gorm.DB, channel, payload string) error {
	if err := db.Conn(ctx, g).Exec("SELECT pg_notify(?, ?)", channel, payload).Error; err != nil {
		return fmt.Errorf("pubsub: unable to notify %s: %w", channel, err)
	}
	return nil
}

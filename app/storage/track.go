package storage

import (
	"context"
	"fmt"
	"io"
	"time"

	"gorm.io/gorm"
)

// Tracked records each upload under way in PostgreSQL (storage_uploads)
// around the Put it passes on, so the sweep finds every partial upload
// that an outage or a crash left behind, whether or not the store can
// list it. A row is written before the upload starts and removed once it
// has stored its object; any other ending leaves it for the sweep.
type Tracked struct {
	Store
	g   *gorm.DB
	now func() time.Time
}

var _ Sweeper = (*Tracked)(nil)

// Track returns s with its uploads recorded in g.
func Track(s Store, g *gorm.DB, now func() time.Time) *Tracked {
	return &Tracked{Store: s, g: g, now: now}
}

// Put records the upload, stores it through the tracked store (see
// Store.Put) and, if it stored its object, forgets it. The record is
// written on a connection of its own, outside any transaction of the
// caller's, so it outlives a rollback or a crash. Errors: the database's
// when the record cannot be written, and nothing is uploaded; Put's.
func (t *Tracked) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string, max int64) (Object, error) {
	err := t.g.WithContext(ctx).Exec("INSERT INTO storage_uploads (key, started_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
		key, t.now().UTC()).Error
	if err != nil {
		return Object{}, fmt.Errorf("storage: recording the upload of %q: %w", key, err)
	}
	o, err := t.Store.Put(ctx, key, r, size, contentType, max)
	if err == nil {
		t.forget(context.WithoutCancel(ctx), key) // if this fails, the sweep finds nothing to abort and forgets it then
	}
	return o, err
}

func (t *Tracked) forget(ctx context.Context, key string) error {
	if err := t.g.WithContext(ctx).Exec("DELETE FROM storage_uploads WHERE key = ?", key).Error; err != nil {
		return fmt.Errorf("storage: forgetting the upload of %q: %w", key, err)
	}
	return nil
}

// SweepIncomplete aborts the partial uploads of every recorded upload
// begun before cutoff, forgets them, and then sweeps the tracked store
// for partial uploads nobody recorded (see Sweeper). It removes at most
// 1,000 recorded uploads a run. The count is of partial uploads found
// and removed.
func (t *Tracked) SweepIncomplete(ctx context.Context, cutoff time.Time) (int, error) {
	var keys []string
	err := t.g.WithContext(ctx).Raw("SELECT key FROM storage_uploads WHERE started_at < ? ORDER BY started_at LIMIT 1000", cutoff.UTC()).
		Scan(&keys).Error
	if err != nil {
		return 0, fmt.Errorf("storage: listing recorded uploads: %w", err)
	}
	s, ok := t.Store.(Sweeper)
	n := 0
	for _, key := range keys {
		if ok {
			aborted, err := s.AbortIncomplete(ctx, key)
			if err != nil {
				return n, err
			}
			if aborted {
				n++
			}
		}
		if err := t.forget(ctx, key); err != nil {
			return n, err
		}
	}
	if !ok {
		return n, nil
	}
	more, err := s.SweepIncomplete(ctx, cutoff)
	return n + more, err
}

// AbortIncomplete passes on to the tracked store; see Sweeper.
func (t *Tracked) AbortIncomplete(ctx context.Context, key string) (bool, error) {
	if s, ok := t.Store.(Sweeper); ok {
		return s.AbortIncomplete(ctx, key)
	}
	return false, nil
}

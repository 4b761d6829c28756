package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Sweeper is a store that can find and remove what uploads cut short
// left behind: S3's incomplete multipart uploads (a Put in flight when
// the server or the process died), or the disk store's temporary files.
type Sweeper interface {
	// SweepIncomplete removes partial uploads begun before cutoff (older
	// than any upload still running may be) and says how many it removed.
	// Errors: ErrUnavailable when the store cannot be reached.
	SweepIncomplete(ctx context.Context, cutoff time.Time) (int, error)
	// AbortIncomplete removes any partial upload under key and says
	// whether there was one. Errors: ErrUnavailable.
	AbortIncomplete(ctx context.Context, key string) (bool, error)
}

var (
	_ Sweeper = (*S3)(nil)
	_ Sweeper = (*Disk)(nil)
)

// SweepIncomplete aborts the bucket's incomplete multipart uploads begun
// before cutoff; see Sweeper. Keys are never reused, so an upload under a
// key is only ever the one Put that was cut short.
func (s *S3) SweepIncomplete(ctx context.Context, cutoff time.Time) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing if we return early
	n := 0
	for u := range s.client.ListIncompleteUploads(ctx, s.bucket, "", true) {
		if u.Err != nil {
			if errors.Is(s.fail("list uploads", "", u.Err), ErrNotFound) {
				return n, nil // no bucket yet, so nothing to sweep
			}
			return n, s.fail("list uploads", "", u.Err)
		}
		if !u.Initiated.Before(cutoff) {
			continue
		}
		if err := s.client.RemoveIncompleteUpload(ctx, s.bucket, u.Key); err != nil {
			return n, s.fail("abort upload", u.Key, err)
		}
		n++
	}
	return n, nil
}

// AbortIncomplete aborts the incomplete multipart uploads under key; see
// Sweeper. Listing by key works where a bucket-wide listing does not:
// MinIO forgets, when restarted, the uploads it lists bucket-wide.
func (s *S3) AbortIncomplete(ctx context.Context, key string) (bool, error) {
	if err := CheckKey(key); err != nil {
		return false, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	found := false
	for u := range s.client.ListIncompleteUploads(ctx, s.bucket, key, false) {
		if u.Err != nil {
			if errors.Is(s.fail("list uploads", key, u.Err), ErrNotFound) {
				return false, nil
			}
			return false, s.fail("list uploads", key, u.Err)
		}
		found = found || u.Key == key
	}
	if !found {
		return false, nil
	}
	if err := s.client.RemoveIncompleteUpload(ctx, s.bucket, key); err != nil {
		return false, s.fail("abort upload", key, err)
	}
	return true, nil
}

// AbortIncomplete does nothing: the disk store's partial uploads are
// temporary files with names of their own, which SweepIncomplete finds.
func (d *Disk) AbortIncomplete(context.Context, string) (bool, error) { return false, nil }

// SweepIncomplete removes temporary files (".put-*") last written before
// cutoff, left by a process that died mid-Put; see Sweeper.
func (d *Disk) SweepIncomplete(ctx context.Context, cutoff time.Time) (int, error) {
	n := 0
	err := filepath.WalkDir(d.root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || ctx.Err() != nil {
			return errors.Join(err, ctx.Err())
		}
		if e.IsDir() || !strings.HasPrefix(e.Name(), ".put-") {
			return nil
		}
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(cutoff) {
			return nil // gone meanwhile, or still being written
		}
		if err := os.Remove(p); err == nil {
			n++
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("storage: sweeping temporary files: %w", err)
	}
	return n, nil
}

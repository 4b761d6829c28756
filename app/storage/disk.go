package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Disk keeps objects as files under a root directory, at the key's path.
// Each object's content type sits beside it in a hidden sidecar file,
// ".NAME.meta". Writes go to a hidden temporary file in the same
// directory and are renamed into place only when complete, so a failed
// or oversized Put leaves nothing behind and readers never see half a
// file. Disk suits one machine (the embedded default); replicas need S3.
type Disk struct {
	root string
}

var _ Store = (*Disk)(nil)

// meta is the sidecar's content.
type meta struct {
	ContentType string `json:"content_type"`
}

// NewDisk returns a store under root (made absolute against the working
// directory), creating the directory if it is missing.
func NewDisk(root string) (*Disk, error) {
	if root == "" {
		return nil, errors.New("storage: file:// needs a directory, e.g. file://var/media")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("storage: media directory %q: %w", root, err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("storage: creating media directory: %w", err)
	}
	return &Disk{root: abs}, nil
}

// Root is the absolute directory the store writes under.
func (d *Disk) Root() string { return d.root }

// paths returns where key's data and sidecar live, after checking key.
func (d *Disk) paths(key string) (data, side string, err error) {
	if err := CheckKey(key); err != nil {
		return "", "", err
	}
	data = filepath.Join(d.root, filepath.FromSlash(key))
	side = filepath.Join(filepath.Dir(data), "."+filepath.Base(data)+".meta")
	return data, side, nil
}

// Put writes r to key through a temporary file; see Store.Put.
func (d *Disk) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string, max int64) (Object, error) {
	if err := checkPut(key, size, max); err != nil {
		return Object{}, err
	}
	data, side, err := d.paths(key)
	if err != nil {
		return Object{}, err
	}
	if contentType == "" {
		contentType = defaultContentType
	}
	dir := filepath.Dir(data)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Object{}, opError("put", key, err)
	}
	body := newBodyReader(ctx, r, size, max)
	tmp, err := writeTemp(dir, body)
	if err != nil {
		if f := body.failure(); f != nil {
			err = f
		}
		return Object{}, opError("put", key, err)
	}
	m, _ := json.Marshal(meta{ContentType: contentType})
	sideTmp, err := writeTemp(dir, bytes.NewReader(m))
	if err == nil {
		err = os.Rename(sideTmp, side)
		if err == nil {
			if err = os.Rename(tmp, data); err != nil {
				_ = os.Remove(side)
			}
		}
	}
	if err != nil {
		_ = os.Remove(tmp)
		_ = os.Remove(sideTmp)
		return Object{}, opError("put", key, err)
	}
	info, err := os.Stat(data)
	if err != nil {
		return Object{}, opError("put", key, err)
	}
	return Object{Key: key, ContentType: contentType, Size: info.Size(), ModTime: info.ModTime().UTC()}, nil
}

// writeTemp copies r into a new hidden file in dir, synced to disk, and
// returns its path; on any error the file is removed.
func writeTemp(dir string, r io.Reader) (path string, err error) {
	f, err := os.CreateTemp(dir, ".put-*")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if _, err = io.Copy(f, r); err != nil {
		return "", err
	}
	if err = f.Sync(); err != nil {
		return "", err
	}
	if err = f.Close(); err != nil {
		return "", err
	}
	return f.Name(), nil
}

// Open returns key's file (an *os.File); see Store.Open.
func (d *Disk) Open(ctx context.Context, key string) (io.ReadSeekCloser, Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, Object{}, err
	}
	data, side, err := d.paths(key)
	if err != nil {
		return nil, Object{}, err
	}
	f, err := os.Open(data)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Object{}, fmt.Errorf("%w: %q", ErrNotFound, key)
	}
	if err != nil {
		return nil, Object{}, opError("open", key, err)
	}
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = fmt.Errorf("%w: %q is a directory", ErrNotFound, key)
	}
	if err != nil {
		f.Close()
		return nil, Object{}, opError("open", key, err)
	}
	obj := Object{Key: key, ContentType: defaultContentType, Size: info.Size(), ModTime: info.ModTime().UTC()}
	if b, err := os.ReadFile(side); err == nil {
		var m meta
		if json.Unmarshal(b, &m) == nil && m.ContentType != "" {
			obj.ContentType = m.ContentType
		}
	}
	return f, obj, nil
}

// Delete removes key's file and sidecar; see Store.Delete.
func (d *Disk) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, side, err := d.paths(key)
	if err != nil {
		return err
	}
	if err := os.Remove(data); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return opError("delete", key, err)
	}
	if err := os.Remove(side); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return opError("delete", key, err)
	}
	return nil
}

// SignedURL returns "": a disk store cannot sign, so callers stream the
// object through Open. It still rejects an invalid key or ttl.
func (d *Disk) SignedURL(ctx context.Context, key string, ttl time.Duration, filename string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	return "", checkTTL(ttl)
}

// Ping checks the root directory still exists; see Store.Ping.
func (d *Disk) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	info, err := os.Stat(d.root)
	if err == nil && !info.IsDir() {
		err = fmt.Errorf("%s is not a directory", d.root)
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return nil
}

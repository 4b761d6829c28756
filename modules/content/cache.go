package content

import (
	"context"
	"sync"
	"time"
)

// Catalogue is the learner-facing read side of content with a short cache
// in front of the store. Published content changes rarely and every lesson
// page needs the programme's outline, so each replica keeps what it read
// for ttl. Every edit announces itself on Channel when it commits, and
// every replica (this one too) forgets its cache when it hears it
// (Notified), so an edit shows everywhere at once; ttl only bounds what a
// replica shows while it cannot hear (its listener reconnecting). Writes
// that depend on what is published read past the cache (LessonNow,
// CheckNow).
type Catalogue struct {
	store *Store
	ttl   time.Duration
	now   func() time.Time

	mu sync.Mutex
	// gen counts invalidations: a value loaded before one is not cached
	// after it.
	gen        uint64
	programmes map[string]cached[[]ProgrammeSummary]
	outlines   map[string]cached[*Outline]
	lessons    map[string]cached[*LessonInProgramme]
	media      map[string]cached[[]LessonMedia]
	checks     map[string]cached[*CheckWithContext]
}

type cached[T any] struct {
	value T
	at    time.Time
}

// NewCatalogue caches reads of s for ttl; ttl 0 turns caching off.
func NewCatalogue(s *Store, ttl time.Duration, now func() time.Time) *Catalogue {
	c := &Catalogue{store: s, ttl: ttl, now: now}
	c.Invalidate()
	return c
}

// Channel is the PostgreSQL channel content edits are announced on.
const Channel = "onramp_content"

// Notified forgets everything cached: some replica changed content, or
// the listener reconnected and may have missed that one did.
func (c *Catalogue) Notified(string) { c.Invalidate() }

// Invalidate forgets everything cached, including values being loaded
// now, which may predate the change.
func (c *Catalogue) Invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.programmes = map[string]cached[[]ProgrammeSummary]{}
	c.outlines = map[string]cached[*Outline]{}
	c.lessons = map[string]cached[*LessonInProgramme]{}
	c.media = map[string]cached[[]LessonMedia]{}
	c.checks = map[string]cached[*CheckWithContext]{}
}

// through returns the fresh cached value for key in m, or loads, stores
// and returns it. Errors (including not found) are never cached.
func through[T any](c *Catalogue, m map[string]cached[T], key string, load func() (T, error)) (T, error) {
	if c.ttl <= 0 {
		return load()
	}
	c.mu.Lock()
	e, ok := m[key]
	gen := c.gen
	c.mu.Unlock()
	if ok && c.now().Sub(e.at) < c.ttl {
		return e.value, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.gen == gen {
		m[key] = cached[T]{value: v, at: c.now()}
	}
	c.mu.Unlock()
	return v, nil
}

// Programmes lists programmes (see Store.Programmes); drafts are never cached.
func (c *Catalogue) Programmes(ctx context.Context, drafts bool) ([]ProgrammeSummary, error) {
	if drafts {
		return c.store.Programmes(ctx, true)
	}
	return through(c, c.programmes, "published", func() ([]ProgrammeSummary, error) { return c.store.Programmes(ctx, false) })
}

// OutlineBySlug returns a programme's outline (see Store.OutlineBySlug).
func (c *Catalogue) OutlineBySlug(ctx context.Context, slug string, drafts bool) (*Outline, error) {
	if drafts {
		return c.store.OutlineBySlug(ctx, slug, true)
	}
	return through(c, c.outlines, slug, func() (*Outline, error) { return c.store.OutlineBySlug(ctx, slug, false) })
}

// Lesson returns a lesson (see Store.Lesson).
func (c *Catalogue) Lesson(ctx context.Context, id string) (*LessonInProgramme, error) {
	return through(c, c.lessons, id, func() (*LessonInProgramme, error) { return c.store.Lesson(ctx, id) })
}

// LessonNow reads a lesson from the database, past the cache, for a
// write that must not act on a lesson unpublished a moment ago.
func (c *Catalogue) LessonNow(ctx context.Context, id string) (*LessonInProgramme, error) {
	return c.store.Lesson(ctx, id)
}

// CheckNow reads a check from the database, past the cache (see
// LessonNow).
func (c *Catalogue) CheckNow(ctx context.Context, id string) (*CheckWithContext, error) {
	return c.store.Check(ctx, id)
}

// LessonMedia lists a lesson's media (see Store.LessonMedia).
func (c *Catalogue) LessonMedia(ctx context.Context, lessonID string) ([]LessonMedia, error) {
	return through(c, c.media, lessonID, func() ([]LessonMedia, error) { return c.store.LessonMedia(ctx, lessonID) })
}

// Check returns a check with its questions (see Store.Check).
func (c *Catalogue) Check(ctx context.Context, id string) (*CheckWithContext, error) {
	return through(c, c.checks, id, func() (*CheckWithContext, error) { return c.store.Check(ctx, id) })
}

package content

import (
	"context"
	"fmt"
	"reflect"

	"onramp/app/apperr"
	"onramp/app/db"
)

// A shared module is written once and included by several programmes
// (the health and care safety core). Its lessons and check are the same
// rows in each, so a learner who completes it in one programme has it
// completed in all of them, and each programme's certificate counts it
// like its own modules. Editing it changes every programme that includes
// it; the authoring pages say so, and list where it is used.

// shared returns the id of the shared module slug for a programme being
// imported: the one here, updated from the package when update is set and
// the package's copy differs (updated reports that), or else created from
// the package. Errors: Invalid when it is neither here nor in the package.
func (im *importer) shared(ctx context.Context, slug string, update bool) (id string, updated bool, err error) {
	var carried *PackageModule
	for i := range im.pkg.Shared {
		if im.pkg.Shared[i].Slug == slug {
			carried = &im.pkg.Shared[i]
		}
	}
	id, err = im.s.store.SharedModuleID(ctx, slug)
	switch {
	case isNotFound(err) && carried == nil:
		return "", false, apperr.New(apperr.Invalid, fmt.Sprintf(
			"The programme includes the shared module %q, which is not on Onramp yet and is not in the package. Export a programme that includes it and import that.", slug))
	case isNotFound(err):
		id, err = im.module(ctx, nil, *carried, 1, sharedMediaDir(slug))
		return id, false, err
	case err != nil || carried == nil || !update:
		return id, false, err
	}
	o, err := im.s.sharedOutline(ctx, id)
	if err != nil {
		return "", false, err
	}
	here, err := im.s.modulePackage(ctx, *o, sharedMediaDir(slug), nil)
	if err != nil {
		return "", false, err
	}
	if reflect.DeepEqual(here, carried) {
		return id, false, nil
	}
	if err := im.updateShared(ctx, id, *carried); err != nil {
		return "", false, err
	}
	return id, true, im.s.audit.Record(ctx, im.actorID, "content.shared_module.updated", "module", id,
		map[string]any{"slug": slug, "from_package": im.pkg.Slug})
}

// updateShared rewrites a shared module from a package, in place: lessons
// are matched by slug and keep their ids (and so learners' progress);
// lessons the package no longer has are unpublished, not deleted, so no
// learner's record is lost. Media are stored again from the package.
func (im *importer) updateShared(ctx context.Context, id string, m PackageModule) error {
	g := db.Conn(ctx, im.s.db.Gorm)
	if err := g.Exec(`UPDATE modules SET title = ?, summary = ?, overview_md = ?, published = ?,
		updated_at = greatest(now(), updated_at + interval '1 microsecond') WHERE id = ?`,
		m.Meta.Title, m.Meta.Summary, m.Overview, flag(m.Meta.Published, im.publish), id).Error; err != nil {
		return err
	}
	var existing []struct{ ID, Slug string }
	if err := g.Raw("SELECT id, slug FROM lessons WHERE module_id = ? ORDER BY position", id).Scan(&existing).Error; err != nil {
		return err
	}
	ids := map[string]string{}
	for _, l := range existing {
		ids[l.Slug] = l.ID
	}
	dir := sharedMediaDir(m.Slug)
	for j, l := range m.Lessons {
		lessonID, ok := ids[l.Slug]
		delete(ids, l.Slug)
		if ok {
			if err := g.Exec(`UPDATE lessons SET title = ?, minutes = ?, body_md = ?, position = ?, published = ?,
				updated_at = greatest(now(), updated_at + interval '1 microsecond') WHERE id = ?`,
				l.Meta.Title, l.Meta.Minutes, l.Body, j+1, flag(l.Meta.Published, im.publish), lessonID).Error; err != nil {
				return err
			}
			if err := g.Exec("DELETE FROM lesson_media WHERE lesson_id = ?", lessonID).Error; err != nil {
				return err
			}
			if err := im.s.store.SetLessonAudio(ctx, lessonID, nil, ""); err != nil {
				return err
			}
		} else if err := g.Raw(`INSERT INTO lessons (module_id, slug, title, minutes, body_md, position, published)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, id, l.Slug, l.Meta.Title, l.Meta.Minutes, l.Body,
			j+1, flag(l.Meta.Published, im.publish)).Scan(&lessonID).Error; err != nil {
			return err
		}
		if err := im.lessonParts(ctx, lessonID, l, dir); err != nil {
			return err
		}
	}
	next := len(m.Lessons)
	for _, l := range existing {
		if _, gone := ids[l.Slug]; !gone {
			continue
		}
		next++
		if err := g.Exec(`UPDATE lessons SET position = ?, published = false,
			updated_at = greatest(now(), updated_at + interval '1 microsecond') WHERE id = ?`, next, l.ID).Error; err != nil {
			return err
		}
	}
	if m.Check != nil {
		return im.s.store.ReplaceCheck(ctx, id, m.Check)
	}
	return nil
}

// sharedOutline returns a shared module with its lessons and check,
// drafts included. Errors: NotFound.
func (s *Service) sharedOutline(ctx context.Context, id string) (*OutlineModule, error) {
	m, err := s.store.ModuleByID(ctx, id)
	if err != nil {
		return nil, notFoundOr(err, errNoModule)
	}
	if !m.Shared {
		return nil, errNoModule
	}
	return s.store.ModuleOutline(ctx, *m)
}

// SharedModuleSummary is a shared module with the programmes using it.
type SharedModuleSummary struct {
	Module
	Lessons int
	Uses    []SharedUse `gorm:"-"`
}

// SharedModules lists every shared module with where it is used.
func (s *Service) SharedModules(ctx context.Context) ([]SharedModuleSummary, error) {
	mods, err := s.store.SharedModules(ctx)
	if err != nil {
		return nil, err
	}
	for i := range mods {
		if mods[i].Uses, err = s.store.SharedUses(ctx, mods[i].ID); err != nil {
			return nil, err
		}
	}
	return mods, nil
}

// CreateSharedModule starts a draft shared module and returns its id.
// Errors: Invalid (title, slug, or a shared module has the slug).
func (s *Service) CreateSharedModule(ctx context.Context, actorID string, in NewItem) (string, error) {
	title, slug, err := checkNewItem(in, "module")
	if err != nil {
		return "", err
	}
	var id string
	err = s.write(ctx, func(ctx context.Context) error {
		taken, err := s.store.exists(ctx, "SELECT 1 FROM modules WHERE shared AND slug = ?", slug)
		if err != nil {
			return err
		}
		if taken {
			return apperr.InvalidFields(apperr.FieldError{Field: "slug",
				Message: fmt.Sprintf("There is already a shared module with the short name %q. Choose a different one.", slug)})
		}
		if id, err = s.store.CreateSharedModule(ctx, slug, title); err != nil {
			return err
		}
		return s.audit.Record(ctx, actorID, "content.shared_module.created", "module", id, map[string]any{"slug": slug, "title": title})
	})
	return id, err
}

// IncludeShared includes a shared module in a programme after the
// programme's own module number after (0: first), or moves it there.
// Errors: NotFound (programme or module), Invalid (after out of range).
func (s *Service) IncludeShared(ctx context.Context, actorID, programmeID, moduleID string, after int) error {
	return s.write(ctx, func(ctx context.Context) error {
		if err := s.store.lockRow(ctx, "programmes", programmeID); err != nil {
			return notFoundOr(err, errNoProgramme)
		}
		m, err := s.store.ModuleByID(ctx, moduleID)
		if isNotFound(err) || (err == nil && !m.Shared) {
			return apperr.InvalidFields(apperr.FieldError{Field: "shared-module", Message: "Choose a shared module."})
		} else if err != nil {
			return err
		}
		own, err := s.store.OwnModulePositions(ctx, programmeID)
		if err != nil {
			return err
		}
		if after < 0 || after > len(own) {
			return apperr.InvalidFields(apperr.FieldError{Field: "shared-after",
				Message: fmt.Sprintf("Enter a module number from 0 (before the first module) to %d (after the last).", len(own))})
		}
		position := 0
		if after > 0 {
			position = own[after-1]
		}
		if err := s.store.IncludeShared(ctx, programmeID, moduleID, position); err != nil {
			return err
		}
		return s.audit.Record(ctx, actorID, "content.shared_module.included", "programme", programmeID,
			map[string]any{"module_id": moduleID, "slug": m.Slug, "after": after})
	})
}

// ExcludeShared takes a shared module out of a programme. Learners keep
// what they did in it; it no longer counts in this programme. Errors:
// NotFound.
func (s *Service) ExcludeShared(ctx context.Context, actorID, programmeID, moduleID string) error {
	return s.write(ctx, func(ctx context.Context) error {
		if err := s.store.lockRow(ctx, "programmes", programmeID); err != nil {
			return notFoundOr(err, errNoProgramme)
		}
		removed, err := s.store.ExcludeShared(ctx, programmeID, moduleID)
		if err != nil {
			return err
		}
		if !removed {
			return errNoModule
		}
		return s.audit.Record(ctx, actorID, "content.shared_module.excluded", "programme", programmeID,
			map[string]any{"module_id": moduleID})
	})
}

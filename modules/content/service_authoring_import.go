package content

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"onramp/app/apperr"
)

// ImportZip imports a programme package (see assets/content/README.md)
// from a zip as a draft, under slug when one is given (to import a copy of
// a programme that is already here). A shared module the zip carries
// creates that shared module, or updates the one here when it differs,
// which changes every programme that includes it (Imported says which).
// Errors: Invalid, with the package's problems in plain words on the
// field "file", or on "slug" when the short name is bad or taken.
func (s *Service) ImportZip(ctx context.Context, actorID string, r io.ReaderAt, size int64, slug string) (*Imported, error) {
	slug = strings.TrimSpace(slug)
	if slug != "" {
		if fe := checkSlug(slug); fe != nil {
			return nil, apperr.InvalidFields(*fe)
		}
	}
	pkg, err := ReadZip(r, size)
	if err != nil {
		return nil, apperr.InvalidFields(packageProblems(err)...)
	}
	if slug != "" {
		pkg.Slug = slug
	}
	var im *Imported
	err = s.write(ctx, func(ctx context.Context) error {
		var err error
		if im, err = s.Import(ctx, actorID, pkg, ImportOptions{UpdateShared: true}); err != nil {
			return err
		}
		return s.audit.Record(ctx, actorID, "content.programme.imported", "programme", im.ProgrammeID,
			map[string]any{"slug": pkg.Slug, "title": pkg.Meta.Title, "modules": len(pkg.Modules), "shared_updated": im.SharedUpdated})
	})
	switch e := apperr.As(err); {
	case err == nil:
		return im, nil
	case e.Kind == apperr.Conflict:
		return nil, apperr.InvalidFields(apperr.FieldError{Field: "slug", Message: fmt.Sprintf(
			"There is already a programme with the short name %q. To import a copy, enter a different short name in “Import as”.", pkg.Slug)})
	case e.Kind == apperr.Invalid && len(e.Fields) > 0: // a media file the upload rules refuse
		fields := make([]apperr.FieldError, len(e.Fields))
		for i, f := range e.Fields {
			fields[i] = apperr.FieldError{Field: "file", Message: "A media file in the programme cannot be used. " + f.Message}
		}
		return nil, apperr.InvalidFields(fields...)
	case e.Kind == apperr.Invalid && e.Cause != nil:
		return nil, apperr.InvalidFields(packageProblems(e.Cause)...)
	case e.Kind == apperr.Invalid:
		return nil, apperr.InvalidFields(apperr.FieldError{Field: "file", Message: e.Message})
	}
	return nil, err
}

// packageProblems words the errors of reading a package for the person who
// uploaded it: one message per problem, each saying where it is.
func packageProblems(err error) []apperr.FieldError {
	var pe *fs.PathError
	if errors.As(err, &pe) && errors.Is(err, fs.ErrNotExist) {
		return []apperr.FieldError{{Field: "file", Message: fmt.Sprintf("The zip has no file %s. Export a programme to see the layout it needs.", pe.Path)}}
	}
	var out []apperr.FieldError
	for _, line := range strings.Split(err.Error(), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, apperr.FieldError{Field: "file", Message: "The programme could not be imported: " + line + "."})
		}
	}
	return out
}

// ExportPackage returns a programme, drafts and media included, as a
// package to download. Errors: NotFound, Unavailable (media store down).
func (s *Service) ExportPackage(ctx context.Context, id string) (*Package, error) {
	if _, err := s.store.ProgrammeByID(ctx, id); err != nil {
		return nil, notFoundOr(err, errNoProgramme)
	}
	return s.Export(ctx, id)
}

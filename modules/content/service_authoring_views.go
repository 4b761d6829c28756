package content

import "context"

// ProgrammeForEdit returns a programme's outline, drafts included.
// Errors: NotFound.
func (s *Service) ProgrammeForEdit(ctx context.Context, id string) (*Outline, error) {
	if _, err := s.store.ProgrammeByID(ctx, id); err != nil {
		return nil, notFoundOr(err, errNoProgramme)
	}
	return s.store.OutlineByID(ctx, id)
}

// ModuleEdit is a module with its lessons and check summary, and the
// programme it is in.
type ModuleEdit struct {
	Programme Programme
	Module    OutlineModule
	Position  int // 1-based place in the programme
	Count     int // modules in the programme
}

// ModuleForEdit returns a module for editing, drafts included. Errors:
// NotFound.
func (s *Service) ModuleForEdit(ctx context.Context, id string) (*ModuleEdit, error) {
	m, err := s.store.ModuleByID(ctx, id)
	if err != nil {
		return nil, notFoundOr(err, errNoModule)
	}
	o, err := s.store.OutlineByID(ctx, m.ProgrammeID)
	if err != nil {
		return nil, err
	}
	v := &ModuleEdit{Programme: o.Programme, Count: len(o.Modules)}
	for i, om := range o.Modules {
		if om.ID == id {
			v.Module, v.Position = om, i+1
		}
	}
	return v, nil
}

// LessonEdit is a lesson with its module, programme and media, and the
// media library to add from.
type LessonEdit struct {
	Lesson    LessonInProgramme
	Module    Module
	Programme Programme
	Media     []LessonMedia
	Library   []LibraryItem
}

// LessonForEdit returns a lesson for editing, drafts included. Errors:
// NotFound.
func (s *Service) LessonForEdit(ctx context.Context, id string) (*LessonEdit, error) {
	l, err := s.store.Lesson(ctx, id)
	if err != nil {
		return nil, notFoundOr(err, errNoLesson)
	}
	v := &LessonEdit{Lesson: *l}
	m, err := s.store.ModuleByID(ctx, l.ModuleID)
	if err != nil {
		return nil, err
	}
	v.Module = *m
	p, err := s.store.ProgrammeByID(ctx, m.ProgrammeID)
	if err != nil {
		return nil, err
	}
	v.Programme = *p
	if v.Media, err = s.store.LessonMedia(ctx, id); err != nil {
		return nil, err
	}
	v.Library, err = s.store.MediaLibrary(ctx)
	return v, err
}

// CheckEdit is a module's check (nil before it has one) with where it
// sits.
type CheckEdit struct {
	Programme Programme
	Module    Module
	Check     *Check
}

// CheckForEdit returns a module's check for editing. Errors: NotFound.
func (s *Service) CheckForEdit(ctx context.Context, moduleID string) (*CheckEdit, error) {
	m, err := s.store.ModuleByID(ctx, moduleID)
	if err != nil {
		return nil, notFoundOr(err, errNoModule)
	}
	p, err := s.store.ProgrammeByID(ctx, m.ProgrammeID)
	if err != nil {
		return nil, err
	}
	c, err := s.store.CheckByModule(ctx, moduleID)
	return &CheckEdit{Programme: *p, Module: *m, Check: c}, err
}

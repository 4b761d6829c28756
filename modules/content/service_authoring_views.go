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
// programme it is in; for a shared module, the programmes that use it.
type ModuleEdit struct {
	Programme Programme
	Module    OutlineModule
	Position  int // 1-based place in the programme
	Count     int // modules in the programme
	Uses      []SharedUse
}

// ModuleForEdit returns a module for editing, drafts included. Errors:
// NotFound.
func (s *Service) ModuleForEdit(ctx context.Context, id string) (*ModuleEdit, error) {
	m, err := s.store.ModuleByID(ctx, id)
	if err != nil {
		return nil, notFoundOr(err, errNoModule)
	}
	if m.Shared {
		om, err := s.store.ModuleOutline(ctx, *m)
		if err != nil {
			return nil, err
		}
		v := &ModuleEdit{Module: *om}
		v.Uses, err = s.store.SharedUses(ctx, id)
		return v, err
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

// LessonEdit is a lesson with its module, programme (none for a shared
// module: Uses lists the programmes that include it) and media, and the
// media library to add from.
type LessonEdit struct {
	Lesson    LessonInProgramme
	Module    Module
	Programme Programme
	Uses      []SharedUse
	Media     []LessonMedia
	Audio     *Media
	Library   []LibraryItem
}

// LearnerURL is where learners see the lesson ("" while they cannot):
// for a shared module, in the first programme that includes it.
func (v *LessonEdit) LearnerURL() string {
	l := v.Lesson
	switch {
	case !l.Visible():
		return ""
	case l.Shared:
		return "/learn/" + l.SharedIn[0] + "/lessons/" + l.ID
	}
	return "/learn/" + l.ProgrammeSlug + "/lessons/" + l.ID
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
	if m.Shared {
		if v.Uses, err = s.store.SharedUses(ctx, m.ID); err != nil {
			return nil, err
		}
	} else {
		p, err := s.store.ProgrammeByID(ctx, m.ProgrammeID)
		if err != nil {
			return nil, err
		}
		v.Programme = *p
	}
	if v.Media, err = s.store.LessonMedia(ctx, id); err != nil {
		return nil, err
	}
	if l.AudioID != nil {
		if v.Audio, err = s.store.MediaByID(ctx, *l.AudioID); err != nil {
			return nil, err
		}
	}
	v.Library, err = s.store.MediaLibrary(ctx)
	return v, err
}

// CheckEdit is a module's check (nil before it has one) with where it
// sits: the programme, or for a shared module the programmes using it.
type CheckEdit struct {
	Programme Programme
	Module    Module
	Uses      []SharedUse
	Check     *Check
}

// CheckForEdit returns a module's check for editing. Errors: NotFound.
func (s *Service) CheckForEdit(ctx context.Context, moduleID string) (*CheckEdit, error) {
	m, err := s.store.ModuleByID(ctx, moduleID)
	if err != nil {
		return nil, notFoundOr(err, errNoModule)
	}
	v := &CheckEdit{Module: *m}
	if m.Shared {
		v.Uses, err = s.store.SharedUses(ctx, moduleID)
	} else {
		var p *Programme
		if p, err = s.store.ProgrammeByID(ctx, m.ProgrammeID); err == nil {
			v.Programme = *p
		}
	}
	if err != nil {
		return nil, err
	}
	v.Check, err = s.store.CheckByModule(ctx, moduleID)
	return v, err
}

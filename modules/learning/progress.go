package learning

import (
	"time"

	"onramp/modules/content"
)

// Module statuses, as learners see them.
const (
	StatusNotStarted = "Not started"
	StatusInProgress = "In progress"
	StatusCompleted  = "Completed"
)

// Progress is one learner's standing in one programme.
type Progress struct {
	Outline          *content.Outline
	Modules          []ModuleProgress
	CompletedLessons int
	TotalLessons     int
	Percent          int
	Complete         bool
	// Next is where "continue" takes the learner: the lesson after the one
	// they completed last, or a check still to pass. Nil when complete.
	Next *Step
}

// ModuleProgress is a module's standing.
type ModuleProgress struct {
	content.OutlineModule
	Completed map[string]bool // lesson id -> completed
	Done      int
	Check     CheckResult
	Status    string
	Complete  bool
}

// Step is somewhere to go next: a lesson or a module's check.
type Step struct {
	LessonID string
	CheckID  string
	Title    string
}

// computeProgress applies the completion rules: a module is complete when
// all its lessons are and its check (if it has one) has been passed; a
// programme is complete when all its modules are.
func computeProgress(o *content.Outline, completed map[string]time.Time, checks map[string]CheckResult, lastLesson string) *Progress {
	p := &Progress{Outline: o, Complete: true}
	var order []Step
	lastIndex := -1
	for _, m := range o.Modules {
		mp := ModuleProgress{OutlineModule: m, Completed: map[string]bool{}}
		for _, l := range m.Lessons {
			_, done := completed[l.ID]
			mp.Completed[l.ID] = done
			if done {
				mp.Done++
			}
			if l.ID == lastLesson {
				lastIndex = len(order)
			}
			order = append(order, Step{LessonID: l.ID, Title: l.Title})
		}
		checkDone := true
		if m.Check != nil {
			mp.Check = checks[m.Check.ID]
			checkDone = mp.Check.Passed
			order = append(order, Step{CheckID: m.Check.ID, Title: m.Check.Title + ": " + m.Title})
		}
		mp.Complete = mp.Done == len(m.Lessons) && checkDone
		switch {
		case mp.Complete:
			mp.Status = StatusCompleted
		case mp.Done > 0 || mp.Check.Attempts > 0:
			mp.Status = StatusInProgress
		default:
			mp.Status = StatusNotStarted
		}
		p.Complete = p.Complete && mp.Complete
		p.CompletedLessons += mp.Done
		p.TotalLessons += len(m.Lessons)
		p.Modules = append(p.Modules, mp)
	}
	if p.TotalLessons > 0 {
		p.Percent = p.CompletedLessons * 100 / p.TotalLessons
	}
	if len(o.Modules) == 0 {
		p.Complete = false
	}
	isDone := func(s Step) bool {
		if s.LessonID != "" {
			_, ok := completed[s.LessonID]
			return ok
		}
		return checks[s.CheckID].Passed
	}
	// Continue after the last lesson completed, else from the start.
	for i := lastIndex + 1; i < len(order) && p.Next == nil; i++ {
		if !isDone(order[i]) {
			s := order[i]
			p.Next = &s
		}
	}
	for i := 0; i < len(order) && p.Next == nil; i++ {
		if !isDone(order[i]) {
			s := order[i]
			p.Next = &s
		}
	}
	return p
}

// Neighbours returns the lessons before and after lessonID in reading
// order (nil at either end).
func (p *Progress) Neighbours(lessonID string) (prev, next *content.Lesson) {
	var all []content.Lesson
	for _, m := range p.Outline.Modules {
		all = append(all, m.Lessons...)
	}
	for i, l := range all {
		if l.ID != lessonID {
			continue
		}
		if i > 0 {
			prev = &all[i-1]
		}
		if i+1 < len(all) {
			next = &all[i+1]
		}
	}
	return prev, next
}

// ModuleOf returns the progress of the module holding lessonID.
func (p *Progress) ModuleOf(lessonID string) *ModuleProgress {
	for i, m := range p.Modules {
		if _, ok := m.Completed[lessonID]; ok {
			return &p.Modules[i]
		}
	}
	return nil
}

package learning

import (
	"time"

	"onramp/app/percent"
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
	// they completed last, or a check still to pass (or, while that check
	// waits for them to go over its lessons, the first of those). Nil when
	// complete.
	Next *Step
	// LastActive is when they last completed a lesson or tried a check
	// here; zero if never.
	LastActive time.Time
}

// ModuleProgress is a module's standing.
type ModuleProgress struct {
	content.OutlineModule
	Completed map[string]bool // lesson id -> completed
	Done      int
	Check     CheckResult
	Status    string
	Complete  bool
	// Revisit lists the lessons to go over again before the next try at
	// the check: set only after two failed tries in a row. The check
	// takes no attempt while it is not empty.
	Revisit []content.Lesson
}

// Revisiting reports whether lessonID is one the learner must go over
// again before trying the module's check.
func (m *ModuleProgress) Revisiting(lessonID string) bool {
	for _, l := range m.Revisit {
		if l.ID == lessonID {
			return true
		}
	}
	return false
}

// Step is somewhere to go next: a lesson or a module's check.
type Step struct {
	LessonID string
	CheckID  string
	Title    string
}

// computeProgress applies the completion rules: a module is complete when
// all its lessons are and its check (if it has one) has been passed; a
// programme is complete when all its modules are. It also applies the
// retry rule (see revisitList).
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
			mp.Revisit = revisitList(m, completed, mp.Check)
			order = append(order, Step{CheckID: m.Check.ID, Title: m.Check.Title + ": " + m.Title})
			if mp.Check.LastAt.After(p.LastActive) {
				p.LastActive = mp.Check.LastAt
			}
		}
		for _, l := range m.Lessons {
			if at := completed[l.ID]; at.After(p.LastActive) {
				p.LastActive = at
			}
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
		p.Percent = percent.Of(p.CompletedLessons, p.TotalLessons)
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
	if p.Next != nil && p.Next.CheckID != "" {
		if m := p.ModuleOfCheck(p.Next.CheckID); m != nil && len(m.Revisit) > 0 {
			p.Next = &Step{LessonID: m.Revisit[0].ID, Title: m.Revisit[0].Title}
		}
	}
	return p
}

// revisitList is the retry rule. After two failed tries at a module's
// check in a row, with no going over the module's lessons in between,
// the learner goes back over every lesson of the module (completing it,
// or pressing "I have read this again" on a completed one) before the
// next try. It returns the lessons still to go over: those not completed
// since the latest failed try. Nil when the check is open; a module with
// no lessons never closes its check.
func revisitList(m content.OutlineModule, completed map[string]time.Time, r CheckResult) []content.Lesson {
	if r.FailedTwiceAt.IsZero() || len(m.Lessons) == 0 {
		return nil
	}
	wentOver := true // every lesson since the first of the two failures
	for _, l := range m.Lessons {
		if at, ok := completed[l.ID]; !ok || !at.After(r.FailedTwiceAt) {
			wentOver = false
		}
	}
	if wentOver {
		return nil // so only one failure since, at most
	}
	var out []content.Lesson
	for _, l := range m.Lessons {
		if at, ok := completed[l.ID]; !ok || !at.After(r.LastAt) {
			out = append(out, l)
		}
	}
	return out
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

// ModuleOfCheck returns the progress of the module whose check is
// checkID, or nil.
func (p *Progress) ModuleOfCheck(checkID string) *ModuleProgress {
	for i, m := range p.Modules {
		if m.OutlineModule.Check != nil && m.OutlineModule.Check.ID == checkID {
			return &p.Modules[i]
		}
	}
	return nil
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

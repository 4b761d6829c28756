package learning

import (
	"context"
	"encoding/json"
	"time"
)

// SeedProgress gives a demo learner realistic history in a programme:
// the first share (0 to 1) of its lessons completed at times spread up to
// lastActive, and a passed check (after a failed try when stumble is set)
// for each module whose lessons are all done. A learner with any progress
// in the programme already is left alone, so seeding twice changes nothing.
func (s *Service) SeedProgress(ctx context.Context, userID, slug string, share float64, lastActive time.Time, stumble bool) error {
	o, err := s.catalogue.OutlineBySlug(ctx, slug, false)
	if err != nil {
		return err
	}
	ids := o.LessonIDs()
	done, err := s.store.Completed(ctx, userID, ids)
	if err != nil || len(done) > 0 {
		return err
	}
	n := int(share*float64(len(ids)) + 0.5)
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		at := lastActive.Add(-time.Duration(n) * 20 * time.Hour)
		count := 0
		for _, m := range o.Modules {
			for _, l := range m.Lessons {
				if count == n {
					return nil
				}
				at = at.Add(20 * time.Hour)
				if _, err := s.store.Complete(ctx, userID, l.ID, at); err != nil {
					return err
				}
				count++
			}
			if m.Check == nil {
				continue
			}
			c, err := s.catalogue.Check(ctx, m.Check.ID)
			if err != nil {
				return err
			}
			right := map[string][]string{}
			for _, q := range c.Questions {
				for _, opt := range q.Options {
					if opt.Correct {
						right[q.ID] = append(right[q.ID], opt.ID)
					}
				}
			}
			raw, _ := json.Marshal(right)
			total := len(c.Questions)
			if stumble && total > 2 {
				fail := &Attempt{UserID: userID, CheckID: c.ID, Correct: total / 2, Total: total, Score: 50,
					Passed: false, Answers: raw, CreatedAt: at.Add(10 * time.Minute)}
				if err := s.store.AddAttempt(ctx, fail); err != nil {
					return err
				}
			}
			pass := &Attempt{UserID: userID, CheckID: c.ID, Correct: total, Total: total, Score: 100,
				Passed: true, Answers: raw, CreatedAt: at.Add(30 * time.Minute)}
			if err := s.store.AddAttempt(ctx, pass); err != nil {
				return err
			}
		}
		return nil
	})
}

package mentoring

import (
	"context"
	"fmt"
	"strings"

	"onramp/modules/notify"
)

// Sweep does the periodic work of mentoring, on the injected clock: it
// ends mentorships whose six months are up (telling both people and
// asking for the close survey), prompts a first check-in in the first
// week and a check-in each month, warns both a month before the end,
// warns mentors and safeguarding leads 30 days before a DBS check or
// training falls due, and flags to safeguarding leads every active
// mentorship whose mentor is no longer cleared. Each prompt is sent once
// (mentorship_prompts, mentor_prompts), so running it again, or on two
// replicas at once, sends nothing twice. A periodic job runs it.
func (s *Service) Sweep(ctx context.Context) error {
	leads, err := s.store.Leads(ctx)
	if err != nil {
		return err
	}
	mentors, err := s.store.Mentors(ctx)
	if err != nil {
		return err
	}
	vetting := make(map[string]*Vetting, len(mentors))
	for _, r := range mentors {
		vetting[r.UserID] = r.vetting()
	}
	active, err := s.store.Active(ctx)
	if err != nil {
		return err
	}
	for _, m := range active {
		if err := s.db.WithTx(ctx, func(ctx context.Context) error { return s.sweepMentorship(ctx, m, vetting[m.MentorID], leads) }); err != nil {
			return fmt.Errorf("sweeping mentorship %s: %w", m.ID, err)
		}
	}
	for _, r := range mentors {
		if err := s.db.WithTx(ctx, func(ctx context.Context) error { return s.sweepMentor(ctx, r, leads) }); err != nil {
			return fmt.Errorf("sweeping mentor %s: %w", r.UserID, err)
		}
	}
	return nil
}

// both sends the same prompt to the learner and the mentor.
func (s *Service) both(ctx context.Context, m Mentorship, kind, title, body string) error {
	for _, side := range []struct{ id, other, link, name string }{
		{m.LearnerID, m.MentorFirstName(), "/learn/mentor", "learner"},
		{m.MentorID, m.LearnerFirstName(), "/mentoring", "mentor"},
	} {
		if err := s.notify(ctx, notify.Notification{UserID: side.id, Kind: "mentorship_" + kind, Title: title,
			Body: strings.ReplaceAll(body, "{other}", side.other), Link: side.link,
			DedupeKey: "mentorship:" + m.ID + ":" + kind + ":" + side.name}); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) sweepMentorship(ctx context.Context, m Mentorship, vetting *Vetting, leads []string) error {
	m, err := s.store.LockMentorship(ctx, m.ID)
	if err != nil || m.Status != StatusActive || m.StartsOn == nil || m.EndsOn == nil {
		return err
	}
	today, now := s.today(), s.now()
	starts, ends := dayOf(*m.StartsOn), dayOf(*m.EndsOn)
	once := func(kind string) (bool, error) { return s.store.Prompt(ctx, m.ID, kind, now) }

	if !today.Before(ends) {
		return s.end(ctx, m, "", "The six months are up", "Your mentoring has finished")
	}
	if today.Before(starts.AddDate(0, 0, 7)) {
		if first, err := once("checkin:0"); err != nil {
			return err
		} else if first {
			if err := s.both(ctx, m, "checkin_first", "Time for your first check-in",
				"Agree a time with {other} for your first check-in this week."); err != nil {
				return err
			}
		}
	}
	// The latest monthly check-in that is due; earlier missed ones are not
	// sent late.
	for k := 5; k >= 1; k-- {
		due := starts.AddDate(0, k, 0)
		if today.Before(due) {
			continue
		}
		if today.Before(due.AddDate(0, 0, 7)) {
			first, err := once(fmt.Sprintf("checkin:%d", k))
			if err != nil {
				return err
			}
			if first {
				if err := s.both(ctx, m, fmt.Sprintf("checkin_%d", k), "Time for your monthly check-in",
					"It is a month since your last check-in with {other}. Agree a time to catch up."); err != nil {
					return err
				}
			}
		}
		break
	}
	if !today.Before(ends.AddDate(0, -1, 0)) {
		first, err := once("ending_soon")
		if err != nil {
			return err
		}
		if first {
			if err := s.both(ctx, m, "ending_soon", "Your mentoring ends in one month",
				"Your mentoring with {other} ends on "+ends.Format("2 January 2006")+". Plan what comes next together."); err != nil {
				return err
			}
		}
	}
	// A mentor who is no longer cleared: flag the mentorship to leads once
	// for each state it is found in.
	e := Eligible(vetting, today)
	var v Vetting
	if vetting != nil {
		v = *vetting
	}
	if !e.Eligible {
		state := "ineligible:" + v.RecordedAt.UTC().Format("20060102T150405") + ":" + strings.Join(e.Reasons, "|")
		first, err := once(state)
		if err != nil || !first {
			return err
		}
		for _, lead := range leads {
			if err := s.notify(ctx, notify.Notification{UserID: lead, Kind: "mentor_not_cleared", Title: "A mentor with active mentees is no longer cleared",
				Body: "Check the mentor's vetting: " + e.Summary() + ".", Link: "/mentoring/mentors/" + m.MentorID + "/vetting",
				DedupeKey: "mentorship:" + m.ID + ":" + state + ":" + lead}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Service) sweepMentor(ctx context.Context, r mentorRow, leads []string) error {
	v := r.vetting()
	if v == nil {
		return nil
	}
	e := Eligible(v, s.today())
	soon := s.today().AddDate(0, 0, dueSoonDays)
	for _, due := range []struct {
		kind, what string
		on         bool
		date       string
	}{
		{"dbs_due", "DBS check", !e.DBSDue.IsZero() && !soon.Before(e.DBSDue) && s.today().Before(e.DBSDue), e.DBSDue.Format("2006-01-02")},
		{"training_due", "safeguarding training", !e.TrainingDue.IsZero() && !soon.Before(e.TrainingDue) && s.today().Before(e.TrainingDue), e.TrainingDue.Format("2006-01-02")},
	} {
		if !due.on {
			continue
		}
		kind := due.kind + ":" + due.date
		first, err := s.store.MentorPrompt(ctx, r.UserID, kind, s.now())
		if err != nil || !first {
			if err != nil {
				return err
			}
			continue
		}
		if err := s.notify(ctx, notify.Notification{UserID: r.UserID, Kind: "mentor_" + due.kind, Title: "Your " + due.what + " is due for renewal",
			Body: "Renew it within 30 days so you can keep mentoring.", Link: "/mentoring",
			DedupeKey: "mentor:" + r.UserID + ":" + kind}); err != nil {
			return err
		}
		for _, lead := range leads {
			if err := s.notify(ctx, notify.Notification{UserID: lead, Kind: "mentor_" + due.kind, Title: "A mentor's " + due.what + " is due for renewal",
				Body: FirstName(r.Name) + "'s " + due.what + " falls due within 30 days.", Link: "/mentoring/mentors/" + r.UserID + "/vetting",
				DedupeKey: "mentor:" + r.UserID + ":" + kind + ":" + lead}); err != nil {
				return err
			}
		}
	}
	return nil
}

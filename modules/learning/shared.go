package learning

import (
	"context"
	"slices"

	"onramp/app/apperr"
	"onramp/app/auth"
	"onramp/modules/content"
)

// A lesson or check sits in its module's programme, or, in a shared
// module, in every programme that includes it (see content's shared
// modules). Progress is kept per lesson and per check, so what a learner
// does in a shared module counts in each of those programmes; these
// helpers pick the programme a page is shown in and issue the
// certificate of every programme the progress finishes.

// placeOf is where a lesson or check sits: own is its programme's slug,
// or "" in a shared module, which sits in the programmes sharedIn.
type placeOf struct {
	own      string
	sharedIn []string
}

func lessonPlace(l *content.LessonInProgramme) placeOf {
	return placeOf{own: l.ProgrammeSlug, sharedIn: l.SharedIn}
}

func checkPlace(c *content.CheckWithContext) placeOf {
	return placeOf{own: c.ProgrammeSlug, sharedIn: c.SharedIn}
}

// slugs lists the programmes it sits in, prefer first when it is one.
func (p placeOf) slugs(prefer string) []string {
	if p.own != "" {
		return []string{p.own}
	}
	out := slices.Clone(p.sharedIn)
	if i := slices.Index(out, prefer); i > 0 {
		out[0], out[i] = out[i], out[0]
	}
	return out
}

// programmeFor returns the programme in which u reads, or makes progress
// in, something at place: prefer (a page's programme) when it is there
// and u is on it, else the first of its programmes u is on. Errors:
// NotFound; Forbidden, saying why (see Access), when u is on none of them
// (the refusal names prefer's programme, or the first).
func (s *Service) programmeFor(ctx context.Context, u *auth.User, at placeOf, prefer string) (*content.Outline, error) {
	if at.own != "" {
		return s.enrolledOutline(ctx, u, at.own)
	}
	ens, err := s.enrolments.ForUser(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	var refusal error
	for _, slug := range at.slugs(prefer) {
		o, err := s.visibleOutline(ctx, u, slug)
		if apperr.As(err).Kind == apperr.NotFound {
			continue // not for them
		} else if err != nil {
			return nil, err
		}
		a := accessTo(o, ens)
		if a.Enrolled {
			return o, nil
		}
		if refusal == nil {
			refusal = a.refusal(o)
		}
	}
	if refusal == nil {
		return nil, apperr.New(apperr.NotFound, "There is no such lesson")
	}
	return nil, refusal
}

// certifyAll issues the certificate of every programme at place that
// u's progress now completes: p's (already worked out), and for a shared
// module each other programme including it that u is on. It runs in the
// caller's transaction.
func (s *Service) certifyAll(ctx context.Context, u *auth.User, at placeOf, p *Progress) error {
	if err := s.certifyIfComplete(ctx, u, p); err != nil {
		return err
	}
	if at.own != "" {
		return nil
	}
	ens, err := s.enrolments.ForUser(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, slug := range at.sharedIn {
		if slug == p.Outline.Programme.Slug {
			continue
		}
		o, err := s.visibleOutline(ctx, u, slug)
		if apperr.As(err).Kind == apperr.NotFound {
			continue
		} else if err != nil {
			return err
		}
		if !accessTo(o, ens).Enrolled {
			continue
		}
		other, err := s.progressIn(ctx, u.ID, o)
		if err != nil {
			return err
		}
		if err := s.certifyIfComplete(ctx, u, other); err != nil {
			return err
		}
	}
	return nil
}

package mentoring

import (
	"context"

	"onramp/app/auth"
)

// UnreadMessages counts the messages a person has not read yet, per
// mentorship id; the messaging module provides it. Mentoring shows the
// counts beside each thread link and never reads messages itself.
type UnreadMessages interface {
	Unread(ctx context.Context, u *auth.User) (map[string]int, error)
}

// unreadOf is u's unread counts, or none when nothing counts them.
func (m *Module) unreadOf(ctx context.Context, u *auth.User) (map[string]int, error) {
	if m.unread == nil {
		return nil, nil
	}
	return m.unread.Unread(ctx, u)
}

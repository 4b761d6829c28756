package notify

import "time"

// Notification is one thing to tell one person. Title and Body must carry
// no message content or personal details beyond a first name, so a
// notification is safe to show on a screen someone else can see.
//
// Kind names what it is about (e.g. "follow_up_due", "mentorship.proposed":
// lower case, digits, '_', '.', '-'), so people can mute a kind's emails.
// Link is a path inside Onramp ("/manage/follow-ups"), or empty.
// DedupeKey makes sending twice safe: a second Notify with the same
// person and key changes nothing. Empty means "never a duplicate".
type Notification struct {
	UserID, Kind, Title, Body, Link, DedupeKey string
}

// Item is a recorded notification as its person sees it.
type Item struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Link      string     `json:"link"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// Unread reports whether the person has not marked it read.
func (i Item) Unread() bool { return i.ReadAt == nil }

// Preferences are what a person wants by email.
type Preferences struct {
	Email bool // any email at all
}

// emailTarget is what the email job needs about one notification.
type emailTarget struct {
	Email     string
	Name      string
	Kind      string
	Emailed   bool
	WantEmail bool
}

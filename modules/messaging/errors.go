package messaging

import "onramp/app/apperr"

var (
	errNoMessage   = apperr.New(apperr.NotFound, "There is no such message")
	errNoCase      = apperr.New(apperr.NotFound, "There is no such case")
	errNotLead     = apperr.New(apperr.Forbidden, "Only safeguarding leads can do this")
	errNotInThread = apperr.New(apperr.Forbidden, "Only the learner and mentor in a mentorship, and safeguarding leads, can read its messages")
	errNotWriter   = apperr.New(apperr.Forbidden, "Only the learner and mentor in a mentorship can send its messages")
	errEnded       = apperr.New(apperr.Conflict, "This mentorship is not active, so you can read its messages but not send new ones")
	errPaused      = apperr.New(apperr.Conflict, "Messages in this mentorship are paused by our safety team. You can still read them, and report a worry")
	errReviewed    = apperr.New(apperr.Conflict, "This message has already been checked")
)

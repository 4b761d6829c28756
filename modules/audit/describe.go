package audit

import (
	"encoding/json"
	"fmt"
	"strings"

	"onramp/app/auth"
)

// actionGroups are the choices of the audit log's "What happened" filter,
// each matching a set of actions (a name ending in "." is a prefix).
var actionGroups = []struct {
	Value, Label string
	Actions      []string
}{
	{"roles", "Roles given or taken away", []string{"role."}},
	{"sign-ins", "Sign-ins", []string{"user.signed_in", "user.linked"}},
	{"organisations", "Organisation changes", []string{"user.organisation_set"}},
	{"content", "Course content changes", []string{"content.", "media."}},
	{"safeguarding", "Safeguarding: held messages, concerns, mentor suspensions", []string{"message.held", "message.scanned", "concern.", "mentor.", "messages.paused", "messages.resumed"}},
	{"messages", "Messages read or sent", []string{"message.", "messages."}},
	{"outcomes", "Destinations and follow-ups", []string{"destination.", "follow_up."}},
	{"tokens", "Service tokens", []string{"service_token.", "user.service_identity_created"}},
}

// actionsOf returns the actions of the filter choice value, or nil.
func actionsOf(value string) []string {
	for _, g := range actionGroups {
		if g.Value == value {
			return g.Actions
		}
	}
	return nil
}

// Describe says what happened in plain words, naming the people, such as
// "Priya Shah gave Sam Jones the Programme manager role".
func (e Entry) Describe() string {
	var d map[string]any
	_ = json.Unmarshal(e.Detail, &d) // a detail that is not an object says nothing extra
	str := func(k string) string { s, _ := d[k].(string); return s }
	who := e.actorName()
	whom := e.subjectName()
	if e.ActorID != nil && e.SubjectType == "user" && *e.ActorID == e.SubjectID {
		whom = "themselves"
	}
	quoted := func(kind string) string {
		if t := str("title"); t != "" {
			return kind + " “" + t + "”"
		}
		return "a " + kind
	}
	switch e.Action {
	case "role.granted":
		return fmt.Sprintf("%s gave %s the %s role", who, whom, strings.ToLower(auth.RoleLabel(str("role"))))
	case "role.revoked":
		return fmt.Sprintf("%s took the %s role away from %s", who, strings.ToLower(auth.RoleLabel(str("role"))), whom)
	case "user.signed_in":
		return who + " signed in"
	case "user.linked":
		return who + " signed in for the first time, into the account made for them"
	case "user.organisation_set":
		if e.OrganisationName == "" {
			return fmt.Sprintf("%s took %s out of their organisation", who, whom)
		}
		return fmt.Sprintf("%s moved %s into %s", who, whom, e.OrganisationName)
	case "user.service_identity_created":
		return fmt.Sprintf("%s made the service identity %s", who, whom)
	case "service_token.created":
		return who + " made a service token"
	case "service_token.revoked":
		return who + " revoked a service token"
	case "service_token.used":
		return "A service token was used"
	case "mentor.suspended":
		return fmt.Sprintf("%s suspended %s as a mentor and paused their conversations", who, whom)
	case "mentor.reinstated":
		return fmt.Sprintf("%s let %s mentor again", who, whom)
	case "message.sent":
		return who + " sent a message"
	case "message.held":
		return "Onramp held a message for a safeguarding lead to check"
	case "message.scanned":
		return who + " had a message checked for safety"
	case "message.viewed":
		return who + " read a held message"
	case "message.attachment_sent":
		return who + " sent a file in a message"
	case "message.attachment_viewed":
		return who + " opened a file sent in a message"
	case "messages.paused":
		return who + " paused a mentoring conversation"
	case "messages.resumed":
		return who + " let a mentoring conversation carry on"
	case "messages.thread_viewed", "messages.history_viewed":
		return who + " read a mentoring conversation"
	case "messages.retention_removed":
		return "Onramp removed messages older than the time they are kept"
	case "concern.opened":
		return who + " reported a worry"
	case "concern.updated":
		return who + " updated a worry that was reported"
	case "concern.viewed":
		return who + " looked at a worry that was reported"
	case "concern.note_added":
		return who + " added a note to a worry that was reported"
	case "destination.recorded":
		return who + " recorded where a learner went next"
	case "destination.reported":
		return who + " said where they went next"
	case "destination.verified":
		return who + " checked where a learner went next"
	case "follow_up.recorded":
		return who + " recorded a follow-up on where a learner went next"
	case "workbook.viewed":
		return fmt.Sprintf("%s read %s’s workbook, as their mentor", who, whom)
	case "workbook.cv_downloaded":
		return fmt.Sprintf("%s downloaded %s’s CV, as their mentor", who, whom)
	case "media.uploaded":
		return who + " uploaded a file to the media library"
	case "content.check.updated":
		if t := str("title"); t != "" {
			return who + " changed the knowledge check “" + t + "”"
		}
		return who + " changed a knowledge check"
	}
	if rest, ok := strings.CutPrefix(e.Action, "content."); ok {
		kind, verb, _ := strings.Cut(rest, ".")
		switch verb {
		case "created", "updated", "moved", "deleted", "imported":
			verb = map[string]string{"created": "made", "updated": "changed", "moved": "moved",
				"deleted": "deleted", "imported": "imported"}[verb]
			return who + " " + verb + " " + quoted(kind)
		case "media_added":
			return who + " added a file to " + quoted(kind)
		case "media_removed":
			return who + " took a file out of " + quoted(kind)
		}
	}
	return fmt.Sprintf("%s: %s", who, strings.NewReplacer(".", " ", "_", " ").Replace(e.Action))
}

func (e Entry) actorName() string {
	switch {
	case e.ActorID == nil:
		return "Onramp"
	case e.ActorName != "":
		return e.ActorName
	case e.ActorEmail != "":
		return e.ActorEmail
	}
	return "Someone no longer known"
}

func (e Entry) subjectName() string {
	switch {
	case e.SubjectName != "":
		return e.SubjectName
	case e.SubjectEmail != "":
		return e.SubjectEmail
	}
	return "someone"
}

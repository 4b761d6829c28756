package render

import (
	"fmt"
	"html/template"
	"strings"

	"onramp/app/apperr"
)

// Option is one choice in the "select", "radios" and "checkboxes" partials
// (assets/templates/forms.html). Build one in a template with option.
type Option struct {
	Value, Label string
	// Hint is shown under the label of a radio or checkbox.
	Hint string
	// ID replaces the generated id: the group's id for the first option, so
	// the error summary can link to it, and id-value for the others.
	ID string
	// Name replaces the group's name, for a checkbox that is its own field.
	Name string
	// Checked ticks a checkbox (or a radio) whatever the group's Selected.
	Checked bool
	// Divider, when set, makes this a radios divider such as "or" instead
	// of a choice.
	Divider string
}

// OptionGroup is a set of radios under their own legend, inside the
// question's fieldset. An empty Legend gives the radios no heading.
type OptionGroup struct {
	Legend  string
	Options []Option
}

// formFuncs are the template functions the form partials and their callers
// use, besides dict and fieldError.
var formFuncs = template.FuncMap{
	// option builds an Option from a value, a label and optional
	// "Hint", "ID", "Name", "Checked" pairs:
	// (option "true" "Published" "Hint" "Learners can see it").
	"option": func(value, label any, kv ...any) (Option, error) {
		o := Option{Value: fmt.Sprint(value), Label: fmt.Sprint(label)}
		if len(kv)%2 != 0 {
			return o, fmt.Errorf("option %q: settings come in pairs", o.Value)
		}
		for i := 0; i < len(kv); i += 2 {
			k, v := kv[i], kv[i+1]
			if v == nil { // a setting a partial passes on but was not given
				continue
			}
			switch k {
			case "Hint":
				o.Hint = fmt.Sprint(v)
			case "ID":
				o.ID = fmt.Sprint(v)
			case "Name":
				o.Name = fmt.Sprint(v)
			case "Checked":
				b, ok := v.(bool)
				if !ok {
					return o, fmt.Errorf("option %q: Checked needs true or false, not %T", o.Value, v)
				}
				o.Checked = b
			default:
				return o, fmt.Errorf("option %q: unknown setting %v", o.Value, k)
			}
		}
		return o, nil
	},
	// divider is a radios divider, such as "or" before "Prefer not to say".
	"divider": func(text string) Option { return Option{Divider: text} },
	// options lists options; with no arguments it starts an empty list
	// that append adds to inside a range.
	"options": func(opts ...Option) []Option { return opts },
	"append":  func(list []Option, opts ...Option) []Option { return append(list, opts...) },
	// dateError is the first message for any box of the date input
	// name (name-day, name-month, name-year; see app/dayinput).
	"dateError": func(errs []apperr.FieldError, name string) string {
		for _, box := range []string{"-day", "-month", "-year"} {
			for _, e := range errs {
				if e.Field == name+box {
					return e.Message
				}
			}
		}
		return ""
	},
	// fieldErrors is every message for one field, for a field that can
	// have several problems at once (an uploaded file, a YAML check).
	"fieldErrors": func(errs []apperr.FieldError, field string) []string {
		var out []string
		for _, e := range errs {
			if e.Field == field {
				out = append(out, e.Message)
			}
		}
		return out
	},
	// messages turns a partial's Error (one message or a list of them)
	// into a list.
	"messages": func(v any) []string {
		switch m := v.(type) {
		case nil:
			return nil
		case string:
			if m == "" {
				return nil
			}
			return []string{m}
		case []string:
			return m
		}
		return []string{fmt.Sprint(v)}
	},
	// idList joins the ids that are not empty with spaces, for
	// aria-describedby.
	"idList": func(ids ...any) string {
		var out []string
		for _, id := range ids {
			if s, ok := id.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return strings.Join(out, " ")
	},
	// optionGroups puts a flat list of options in one group without a
	// legend, so "radios" renders Options and Groups the same way.
	"optionGroups": func(opts []Option) []OptionGroup { return []OptionGroup{{Options: opts}} },
}

package mentoring

import (
	"database/sql/driver"
	"fmt"
	"strings"
)

// Strings is a PostgreSQL text[] column.
type Strings []string

// Value writes the list as an array literal, every element quoted.
func (s Strings) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}

// Scan reads a one-dimensional array literal such as {a,"b c"}.
func (s *Strings) Scan(src any) error {
	var text string
	switch v := src.(type) {
	case nil:
		*s = nil
		return nil
	case string:
		text = v
	case []byte:
		text = string(v)
	default:
		return fmt.Errorf("mentoring: cannot read %T as a text array", src)
	}
	if len(text) < 2 || text[0] != '{' || text[len(text)-1] != '}' {
		return fmt.Errorf("mentoring: %q is not an array literal", text)
	}
	body := text[1 : len(text)-1]
	out := Strings{}
	for i := 0; i < len(body); {
		var el strings.Builder
		if body[i] == '"' {
			i++
			for i < len(body) && body[i] != '"' {
				if body[i] == '\\' && i+1 < len(body) {
					i++
				}
				el.WriteByte(body[i])
				i++
			}
			i++ // closing quote
		} else {
			for i < len(body) && body[i] != ',' {
				el.WriteByte(body[i])
				i++
			}
		}
		out = append(out, el.String())
		i++ // comma
	}
	*s = out
	return nil
}

package auth

import (
	"slices"
	"strings"
)

// lookupClaim follows a dotted path ("realm_access.roles") through nested
// claim objects; a claim whose own name contains dots wins when present.
func lookupClaim(claims map[string]any, path string) any {
	if v, ok := claims[path]; ok {
		return v
	}
	var cur any = claims
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if cur, ok = m[part]; !ok {
			return nil
		}
	}
	return cur
}

// rolesFrom keeps the known role names from a claim that is a list of
// strings or one space- or comma-separated string. Unknown names (other
// applications' roles) are ignored.
func rolesFrom(v any) []string {
	var names []string
	switch t := v.(type) {
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok {
				names = append(names, s)
			}
		}
	case []string:
		names = t
	case string:
		names = strings.FieldsFunc(t, func(r rune) bool { return r == ' ' || r == ',' })
	}
	var roles []string
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		if slices.Contains(AllRoles, n) && !slices.Contains(roles, n) {
			roles = append(roles, n)
		}
	}
	return roles
}

func stringClaim(claims map[string]any, name string) string {
	s, _ := claims[name].(string)
	return s
}

// boolClaim accepts true and "true": some providers send booleans as text.
func boolClaim(claims map[string]any, name string) bool {
	switch v := claims[name].(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true")
	}
	return false
}

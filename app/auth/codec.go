package auth

import (
	"encoding/json"
	"fmt"
	"time"
)

// sessionCodec stores session values as JSON. scs's default gob codec
// builds its decoder anew for every request, which showed up as a tenth of
// a lesson page's CPU; Onramp keeps only strings and int64s in sessions.
type sessionCodec struct{}

type sessionData struct {
	Deadline int64             `json:"d"`
	Strings  map[string]string `json:"s,omitempty"`
	Ints     map[string]int64  `json:"i,omitempty"`
}

// Encode implements scs.Codec.
func (sessionCodec) Encode(deadline time.Time, values map[string]interface{}) ([]byte, error) {
	d := sessionData{Deadline: deadline.UnixNano()}
	for k, v := range values {
		switch v := v.(type) {
		case string:
			if d.Strings == nil {
				d.Strings = map[string]string{}
			}
			d.Strings[k] = v
		case int64:
			if d.Ints == nil {
				d.Ints = map[string]int64{}
			}
			d.Ints[k] = v
		default:
			return nil, fmt.Errorf("auth: session value %q has type %T; only string and int64 are stored", k, v)
		}
	}
	return json.Marshal(d)
}

// Decode implements scs.Codec.
func (sessionCodec) Decode(b []byte) (time.Time, map[string]interface{}, error) {
	var d sessionData
	if err := json.Unmarshal(b, &d); err != nil {
		return time.Time{}, nil, err
	}
	values := make(map[string]interface{}, len(d.Strings)+len(d.Ints))
	for k, v := range d.Strings {
		values[k] = v
	}
	for k, v := range d.Ints {
		values[k] = v
	}
	return time.Unix(0, d.Deadline), values, nil
}

package install

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// jsonObject is a JSON object whose members keep their order and their
// values verbatim, so that editing one key leaves every other one as it was.
type jsonObject struct {
	members []jsonMember
}

type jsonMember struct {
	key   string
	value json.RawMessage
}

// parseJSONObject decodes data, which must be exactly one JSON object.
func parseJSONObject(data []byte) (*jsonObject, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("parse json: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("parse json: want an object, found %v", tok)
	}
	obj := &jsonObject{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("parse json: %w", err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("parse json: want a key, found %v", tok)
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, fmt.Errorf("parse json: value of %q: %w", key, err)
		}
		obj.members = append(obj.members, jsonMember{key: key, value: value})
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("parse json: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("parse json: unexpected data after the object")
	}
	return obj, nil
}

// get returns the value of key; like encoding/json, the last of duplicate
// keys wins.
func (o *jsonObject) get(key string) (json.RawMessage, bool) {
	for i := len(o.members) - 1; i >= 0; i-- {
		if o.members[i].key == key {
			return o.members[i].value, true
		}
	}
	return nil, false
}

// set replaces the value of key in place (dropping duplicates of it), or
// appends key.
func (o *jsonObject) set(key string, value json.RawMessage) {
	last := -1
	for i, m := range o.members {
		if m.key == key {
			last = i
		}
	}
	if last < 0 {
		o.members = append(o.members, jsonMember{key: key, value: value})
		return
	}
	o.members[last].value = value
	kept := o.members[:0]
	for i, m := range o.members {
		if m.key != key || i == last {
			kept = append(kept, m)
		}
	}
	o.members = kept
}

// remove deletes every member named key and reports whether there was one.
func (o *jsonObject) remove(key string) bool {
	kept := o.members[:0]
	for _, m := range o.members {
		if m.key != key {
			kept = append(kept, m)
		}
	}
	removed := len(kept) != len(o.members)
	o.members = kept
	return removed
}

func (o *jsonObject) empty() bool { return len(o.members) == 0 }

// compact renders the object on one line.
func (o *jsonObject) compact() (json.RawMessage, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range o.members {
		if i > 0 {
			buf.WriteByte(',')
		}
		key, err := marshalNoEscape(m.key)
		if err != nil {
			return nil, err
		}
		buf.Write(key)
		buf.WriteByte(':')
		if err := json.Compact(&buf, m.value); err != nil {
			return nil, fmt.Errorf("encode value of %q: %w", m.key, err)
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// pretty renders the object indented by two spaces, with a final newline.
func (o *jsonObject) pretty() ([]byte, error) {
	c, err := o.compact()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, c, "", "  "); err != nil {
		return nil, fmt.Errorf("indent json: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// marshalNoEscape encodes v without escaping <, > and &.
func marshalNoEscape(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode json: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

package dataset

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	fm "github.com/fairmatch/fairmatch"
)

var utf8BOM = []byte("\xEF\xBB\xBF")

// jsonReader walks a JSON dataset token by token, so that it can name the
// path of every unknown or duplicate key and of every badly typed value,
// and go on after them to report every issue of the document.
type jsonReader struct {
	d    *decoder
	dec  *json.Decoder
	file string
}

// readJSON reads a JSON dataset document.
func (d *decoder) readJSON(name string, data []byte) error {
	data = bytes.TrimPrefix(data, utf8BOM)
	if bad := invalidUTF8(data); bad >= 0 {
		line, col := lineColumn(data, bad)
		d.issue(name, fmt.Sprintf("line %d, column %d", line, col), "", "invalid UTF-8")
		return nil
	}
	r := &jsonReader{d: d, dec: json.NewDecoder(bytes.NewReader(data)), file: name}
	err := r.document()
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) || errors.Is(err, errTrailing) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		at, reason := syntaxIssue(data)
		d.issue(name, at, "", "JSON syntax error: "+reason)
		return nil
	}
	return err
}

// errTrailing is data after the document's top-level object (the
// streaming decoder would read it as a second document).
var errTrailing = errors.New("data after the top-level object")

// syntaxIssue returns where the first syntax error of data is ("line L,
// column C") and what it is. The streaming decoder's offsets are relative
// to the value it was reading, so the document is scanned again as a whole;
// this happens only for a broken document.
func syntaxIssue(data []byte) (at, reason string) {
	off, reason := len(data), "unexpected end of input"
	var syntax *json.SyntaxError
	if err := json.Unmarshal(data, new(json.RawMessage)); errors.As(err, &syntax) &&
		syntax.Error() != "unexpected end of JSON input" {
		off = int(syntax.Offset) - 1 // Offset counts the bad byte
		reason = strings.TrimPrefix(syntax.Error(), "json: ")
	}
	line, col := lineColumn(data, off)
	return fmt.Sprintf("line %d, column %d", line, col), reason
}

// invalidUTF8 returns the offset of the first byte of data that is not
// valid UTF-8, or -1.
func invalidUTF8(data []byte) int {
	if utf8.Valid(data) {
		return -1
	}
	for i := 0; i < len(data); {
		c, size := utf8.DecodeRune(data[i:])
		if c == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

func (r *jsonReader) issue(record, field, reason string) {
	r.d.issue(r.file, record, field, reason)
}

// document reads the top-level object.
func (r *jsonReader) document() error {
	seen := make([]string, 0, 7)
	ok, err := r.object("", "the dataset", &seen, func(key string) error {
		t := tableNamed(key)
		if t == nil {
			r.issue("", key, unknownKey(key, kindNames()))
			return r.skipValue()
		}
		return r.array("", key, func(i int) error {
			if err := r.d.counted(); err != nil {
				return err
			}
			return t.readJSON(r, fmt.Sprintf("%s[%d]", key, i))
		})
	})
	if err != nil || !ok {
		return err
	}
	if _, err := r.dec.Token(); err != io.EOF {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return err
		}
		return errTrailing
	}
	return nil
}

// object reads an object, calling fn with each key; fn must consume the
// value. A key seen before (tracked in seen) is reported and its value
// skipped. If the next value is not an object, object reports it at path,
// skips it and returns false; what names the value in that message.
func (r *jsonReader) object(path, what string, seen *[]string, fn func(key string) error) (bool, error) {
	tok, err := r.dec.Token()
	if err != nil {
		return false, err
	}
	if tok != json.Delim('{') {
		r.issue(path, "", fmt.Sprintf("%s must be a JSON object, not %s", what, tokenType(tok)))
		return false, r.skipRest(tok)
	}
	for r.dec.More() {
		tok, err := r.dec.Token()
		if err != nil {
			return false, err
		}
		key, _ := tok.(string) // the decoder only returns strings as keys
		if containsString(*seen, key) {
			r.issue(path, key, "duplicate key")
			if err := r.skipValue(); err != nil {
				return false, err
			}
			continue
		}
		*seen = append(*seen, key)
		if err := fn(key); err != nil {
			return false, err
		}
	}
	_, err = r.dec.Token() // '}'
	return true, err
}

// array reads an array (or null), calling fn with each index; fn must
// consume the element. Anything else is reported at record and field and
// skipped.
func (r *jsonReader) array(record, field string, fn func(i int) error) error {
	tok, err := r.dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if tok != json.Delim('[') {
		r.issue(record, field, fmt.Sprintf("must be a JSON array, not %s", tokenType(tok)))
		return r.skipRest(tok)
	}
	for i := 0; r.dec.More(); i++ {
		if err := fn(i); err != nil {
			return err
		}
	}
	_, err = r.dec.Token() // ']'
	return err
}

// skipValue consumes the next value.
func (r *jsonReader) skipValue() error {
	var raw json.RawMessage
	return r.dec.Decode(&raw)
}

// skipRest consumes the rest of a value whose first token was tok.
func (r *jsonReader) skipRest(tok json.Token) error {
	depth := 0
	if d, ok := tok.(json.Delim); ok && (d == '{' || d == '[') {
		depth = 1
	}
	for depth > 0 {
		tok, err := r.dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

// readJSON reads one record of kind k at path.
func (k *kind[T]) readJSON(r *jsonReader, path string) error {
	var rec T
	seen := make([]string, 0, len(k.fields))
	var bad []string // fields with a value of the wrong type, reported already
	ok, err := r.object(path, "a record", &seen, func(key string) error {
		f := k.lookup(key)
		if f == nil {
			r.issue(path, key, unknownKey(key, k.header()))
			return r.skipValue()
		}
		ok, err := f.fromJSON(&rec, r, path)
		if !ok {
			bad = append(bad, key)
		}
		return err
	})
	if err != nil || !ok {
		return err
	}
	k.check(&rec, func(field, reason string) {
		if !containsString(bad, field) {
			r.issue(path, field, reason)
		}
	})
	*k.records(&r.d.ds) = append(*k.records(&r.d.ds), rec)
	return nil
}

// fromJSON reads the next value of r into the field of rec; null means
// absent. It reports a value of the wrong type and returns false. Text and
// lists are decoded straight from the stream (the common case, kept fast);
// the decoder stays in step after a type error.
func (f *field[T]) fromJSON(rec *T, r *jsonReader, path string) (bool, error) {
	switch f.typ {
	case textField:
		var s string
		if err := r.dec.Decode(&s); err != nil {
			var te *json.UnmarshalTypeError
			if !errors.As(err, &te) {
				return false, err
			}
			r.issue(path, f.name, "must be a string, not "+describeType(te.Value))
			return false, nil
		}
		*f.text(rec) = s
		return true, nil
	case listField:
		var l []string
		if err := r.dec.Decode(&l); err != nil {
			var te *json.UnmarshalTypeError
			if !errors.As(err, &te) {
				return false, err
			}
			r.issue(path, f.name, "must be a list of strings")
			return false, nil
		}
		if len(l) > 0 {
			*f.list(rec) = l
		}
		return true, nil
	}
	var raw json.RawMessage
	if err := r.dec.Decode(&raw); err != nil || string(raw) == "null" {
		return true, err
	}
	switch f.typ {
	case intField:
		n, err := strconv.Atoi(string(raw))
		switch {
		case err != nil || raw[0] == '"':
			r.issue(path, f.name, fmt.Sprintf("must be an integer, not %s", raw))
			return false, nil
		case n == 0:
			r.issue(path, f.name, "0 is not a technology readiness level 1–9")
			return false, nil
		}
		*f.num(rec) = n
	case availField:
		a, ok, err := r.availability(path, f.name, raw)
		if len(a) > 0 {
			*f.avail(rec) = a
		}
		return ok, err
	}
	return true, nil
}

// describeType names the JSON type of an UnmarshalTypeError's Value.
func describeType(value string) string {
	switch {
	case strings.HasPrefix(value, "number"):
		return "a number"
	case value == "bool":
		return "a boolean"
	case value == "array":
		return "an array"
	case value == "object":
		return "an object"
	}
	return value
}

// availability reads an "available" object: fair id (or "*") to a list of
// {"from", "to"} windows. Issues inside it are reported at their JSON path.
// It returns false if raw is not an object.
func (r *jsonReader) availability(path, field string, raw json.RawMessage) (fm.Availability, bool, error) {
	if raw[0] != '{' {
		r.issue(path, field, "must be an object mapping * or a fair id to windows, not "+jsonType(raw))
		return nil, false, nil
	}
	sub := &jsonReader{d: r.d, dec: json.NewDecoder(bytes.NewReader(raw)), file: r.file}
	at := path + "." + field
	a := fm.Availability{}
	var fairs []string
	_, err := sub.object(at, "available", &fairs, func(fair string) error {
		var list json.RawMessage
		if err := sub.dec.Decode(&list); err != nil {
			return err
		}
		if list[0] != '[' {
			sub.issue(at, field, fmt.Sprintf("%q must be a list of windows, not %s", fair, jsonType(list)))
			return nil
		}
		windows := []fm.Window{}
		inner := &jsonReader{d: r.d, dec: json.NewDecoder(bytes.NewReader(list)), file: r.file}
		err := inner.array(at, fair, func(i int) error {
			wpath := fmt.Sprintf("%s[%s][%d]", at, strconv.Quote(fair), i)
			var w fm.Window
			var keys []string
			ok, err := inner.object(wpath, "a window", &keys, func(key string) error {
				var dst *string
				switch key {
				case "from":
					dst = &w.From
				case "to":
					dst = &w.To
				default:
					inner.issue(wpath, key, unknownKey(key, []string{"from", "to"}))
					return inner.skipValue()
				}
				var v json.RawMessage
				if err := inner.dec.Decode(&v); err != nil {
					return err
				}
				if v[0] != '"' || json.Unmarshal(v, dst) != nil {
					inner.issue(wpath, key, "must be a string \"HH:MM\", not "+jsonType(v))
				}
				return nil
			})
			if ok {
				windows = append(windows, w)
			}
			return err
		})
		a[fair] = windows
		return err
	})
	return a, true, err
}

func unknownKey(key string, known []string) string {
	return fmt.Sprintf("unknown key %q (known: %s)", key, strings.Join(known, ", "))
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// jsonType names the type of a JSON value for messages.
func jsonType(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// tokenType names the type of the value a token starts.
func tokenType(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return "an array"
		}
		return "an object"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "a number"
}

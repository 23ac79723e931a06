package agenda

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fairmatch/fairmatch"
)

// specExample is the request of formats.md §4.
const specExample = `{
  "slots": 21,
  "sessions": [{"name": "morning", "first": 1, "last": 13},
               {"name": "afternoon", "first": 14, "last": 21}],
  "tables": 14,
  "max_break_spread": 2,
  "participants": [{"id": "b1", "unavailable": [3, 4]}],
  "meetings": [
    {"id": "m1", "attendees": ["b1", "b2"], "session": "morning"},
    {"id": "m2", "attendees": ["b1", "b3", "b4"], "slot": 7},
    {"id": "m3", "attendees": ["b2", "b3"], "after": ["m1"], "duration": 2}
  ]
}`

func TestParseRequestSpecExample(t *testing.T) {
	req, err := ParseRequest("request.json", []byte(specExample))
	if err != nil {
		t.Fatal(err)
	}
	two := 2
	want := &Request{
		Slots:          21,
		Sessions:       []Session{{"morning", 1, 13}, {"afternoon", 14, 21}},
		Tables:         14,
		MaxBreakSpread: &two,
		Participants:   []Participant{{ID: "b1", Unavailable: []int{3, 4}}},
		Meetings: []Meeting{
			{ID: "m1", Attendees: []string{"b1", "b2"}, Session: "morning"},
			{ID: "m2", Attendees: []string{"b1", "b3", "b4"}, Slot: 7},
			{ID: "m3", Attendees: []string{"b2", "b3"}, After: []string{"m1"}, Duration: 2},
		},
	}
	if !reflect.DeepEqual(req, want) {
		t.Fatalf("got %+v\nwant %+v", req, want)
	}
}

// mutate returns the spec example with one change applied to its decoded form.
func mutate(t *testing.T, change func(map[string]any)) string {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(specExample), &doc); err != nil {
		t.Fatal(err)
	}
	change(doc)
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func meetingsOf(doc map[string]any) []any { return doc["meetings"].([]any) }
func meetingAt(doc map[string]any, i int) map[string]any {
	return meetingsOf(doc)[i].(map[string]any)
}

func TestParseRequestErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(map[string]any)
		raw    string // used instead of change when set
		record string
		field  string
		reason string // a part of the reason
	}{
		{name: "not JSON", raw: `{"slots": 3,`, reason: "line"},
		{name: "not an object", raw: `[1, 2]`, reason: "not a JSON object"},
		{name: "unknown top-level key", change: func(d map[string]any) { d["slot"] = 3 }, field: "slot", reason: "unknown field"},
		{name: "unknown meeting key", change: func(d map[string]any) { meetingAt(d, 1)["pinned"] = 7 },
			record: "meetings[1]", field: "pinned", reason: "unknown field"},
		{name: "unknown session key", change: func(d map[string]any) { d["sessions"].([]any)[0].(map[string]any)["from"] = "09:00" },
			record: "sessions[0]", field: "from", reason: "unknown field"},
		{name: "unknown participant key", change: func(d map[string]any) { d["participants"].([]any)[0].(map[string]any)["busy"] = []int{1} },
			record: "participants[0]", field: "busy", reason: "unknown field"},
		{name: "wrong type", change: func(d map[string]any) { d["slots"] = "21" }, field: "slots", reason: "want an integer"},
		{name: "wrong attendee type", change: func(d map[string]any) { meetingAt(d, 0)["attendees"] = "b1" },
			record: "meetings[0]", field: "attendees", reason: "want a list of strings"},
		{name: "slots missing", change: func(d map[string]any) { delete(d, "slots") }, field: "slots", reason: "required"},
		{name: "meetings missing", change: func(d map[string]any) { delete(d, "meetings") }, field: "meetings", reason: "required"},
		{name: "meeting id missing", change: func(d map[string]any) { delete(meetingAt(d, 2), "id") },
			record: "meetings[2]", field: "id", reason: "required"},
		{name: "unknown after", change: func(d map[string]any) { meetingAt(d, 2)["after"] = []string{"m9"} },
			record: "meetings[2]", field: "after", reason: `unknown meeting "m9"`},
		{name: "pinned slot too late", change: func(d map[string]any) { meetingAt(d, 1)["slot"] = 22 },
			record: "meetings[1]", field: "slot", reason: "outside 1..21"},
		{name: "pinned slot zero", change: func(d map[string]any) { meetingAt(d, 1)["slot"] = 0 },
			record: "meetings[1]", field: "slot", reason: "outside"},
		{name: "unknown session", change: func(d map[string]any) { meetingAt(d, 0)["session"] = "evening" },
			record: "meetings[0]", field: "session", reason: `unknown session "evening"`},
		{name: "duration zero", change: func(d map[string]any) { meetingAt(d, 2)["duration"] = 0 },
			record: "meetings[2]", field: "duration", reason: "below 1"},
		{name: "overlapping sessions", change: func(d map[string]any) { d["sessions"].([]any)[1].(map[string]any)["first"] = 13 },
			record: "sessions[1]", field: "first", reason: "overlaps"},
		{name: "session beyond slots", change: func(d map[string]any) { d["sessions"].([]any)[1].(map[string]any)["last"] = 30 },
			record: "sessions[1]", field: "last", reason: "outside"},
		{name: "no tables", change: func(d map[string]any) { d["tables"] = 0 }, field: "tables", reason: "below 1"},
		{name: "negative spread", change: func(d map[string]any) { d["max_break_spread"] = -1 }, field: "max_break_spread", reason: "negative"},
		{name: "duplicate meeting id", change: func(d map[string]any) { meetingAt(d, 2)["id"] = "m1" },
			record: "meetings[2]", field: "id", reason: "also meetings[0]"},
		{name: "duplicate participant", change: func(d map[string]any) {
			d["participants"] = append(d["participants"].([]any), map[string]any{"id": "b1"})
		}, record: "participants[1]", field: "id", reason: "also participants[0]"},
		{name: "unavailable outside", change: func(d map[string]any) {
			d["participants"].([]any)[0].(map[string]any)["unavailable"] = []int{0}
		}, record: "participants[0]", field: "unavailable", reason: "outside"},
		{name: "no attendees", change: func(d map[string]any) { meetingAt(d, 0)["attendees"] = []string{} },
			record: "meetings[0]", field: "attendees", reason: "no attendees"},
		{name: "attendee twice", change: func(d map[string]any) { meetingAt(d, 0)["attendees"] = []string{"b1", "b1"} },
			record: "meetings[0]", field: "attendees", reason: "twice"},
		{name: "id with space", change: func(d map[string]any) { meetingAt(d, 0)["id"] = "m 1" },
			record: "meetings[0]", field: "id", reason: "whitespace"},
		{name: "after itself", change: func(d map[string]any) { meetingAt(d, 2)["after"] = []string{"m3"} },
			record: "meetings[2]", field: "after", reason: "after itself"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.raw
			if data == "" {
				data = mutate(t, tc.change)
			}
			req, err := ParseRequest("req.json", []byte(data))
			if err == nil {
				t.Fatalf("no error; parsed %+v", req)
			}
			var fe *fairmatch.Error
			if !errors.As(err, &fe) || fe.Code != fairmatch.EINVALID {
				t.Fatalf("error %v is not an EINVALID *fairmatch.Error", err)
			}
			for _, is := range fe.Issues {
				if is.File == "req.json" && is.Record == tc.record && is.Field == tc.field && strings.Contains(is.Reason, tc.reason) {
					return
				}
			}
			t.Fatalf("no issue for record %q field %q reason ~%q in:\n%v", tc.record, tc.field, tc.reason, err)
		})
	}
}

func TestParseRequestReportsEveryRecord(t *testing.T) {
	data := mutate(t, func(d map[string]any) {
		meetingAt(d, 0)["session"] = "evening"
		meetingAt(d, 2)["after"] = []string{"nope"}
		d["tables"] = -1
	})
	_, err := ParseRequest("req.json", []byte(data))
	records := map[string]bool{}
	for _, is := range fairmatch.ErrorIssues(err) {
		records[is.Record+"/"+is.Field] = true
	}
	for _, want := range []string{"meetings[0]/session", "meetings[2]/after", "/tables"} {
		if !records[want] {
			t.Errorf("no issue for %s in %v", want, err)
		}
	}
}

func FuzzParseRequest(f *testing.F) {
	f.Add([]byte(specExample))
	f.Add([]byte(`{"slots":1,"tables":1,"meetings":[]}`))
	f.Add([]byte(`{"slots":2,"tables":2,"table_seats":[3,0],"meetings":[{"id":"a","attendees":["x","y","z","w"]}]}`))
	f.Add([]byte(`{"slots":3,"tables":1,"meetings":[{"id":"a","attendees":["x"],"after":["b"]},{"id":"b","attendees":["x"],"after":["a"]}]}`))
	f.Add([]byte(`{"slots":2,"tables":1,"sessions":[{"name":"s","first":1,"last":2}],"meetings":[{"id":"a","attendees":["x","y"],"duration":2,"session":"s"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := ParseRequest("fuzz.json", data)
		if err != nil {
			if fairmatch.ErrorCode(err) != fairmatch.EINVALID || len(fairmatch.ErrorIssues(err)) == 0 {
				t.Fatalf("error without EINVALID issues: %v", err)
			}
			return
		}
		if err := req.Validate(); err != nil {
			t.Fatalf("parsed request does not validate: %v", err)
		}
		out, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseRequest("again.json", out)
		if err != nil {
			t.Fatalf("re-encoded request %s does not parse: %v", out, err)
		}
		if !reflect.DeepEqual(normalize(req), normalize(again)) {
			t.Fatalf("round trip changed the request:\n%+v\n%+v", req, again)
		}
		if len(req.Meetings) <= 8 && req.Slots <= 50 {
			res := Solve(t.Context(), req, Options{TimeLimit: 50 * time.Millisecond})
			if v := violations(req, res); len(v) > 0 {
				t.Fatalf("solve of %s breaks rules: %v", data, v)
			}
		}
	})
}

// normalize clears the differences JSON does not keep (nil or empty lists).
func normalize(r *Request) *Request {
	c := *r
	c.Meetings = nil
	for _, m := range r.Meetings {
		if len(m.After) == 0 {
			m.After = nil
		}
		c.Meetings = append(c.Meetings, m)
	}
	c.Participants = nil
	for _, p := range r.Participants {
		if len(p.Unavailable) == 0 {
			p.Unavailable = nil
		}
		c.Participants = append(c.Participants, p)
	}
	if len(c.Sessions) == 0 {
		c.Sessions = nil
	}
	return &c
}

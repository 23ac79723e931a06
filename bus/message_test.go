package bus

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestDecodeJob(t *testing.T) {
	tests := []struct {
		data    string
		wantErr bool
		want    wireJob
	}{
		{`{"id":"a#1","key":"a","kind":"match","payload":{"x":1}}`, false,
			wireJob{Job: Job{ID: "a#1", Key: "a", Kind: "match", Payload: json.RawMessage(`{"x":1}`)}}},
		{`{"id":"a#1","key":"a","kind":"match","payload":null,"payload_object":"job/a#1/X"}`, false,
			wireJob{Job: Job{ID: "a#1", Key: "a", Kind: "match"}, PayloadObject: "job/a#1/X"}},
		{`{"id":"a#1","key":"a","kind":"match"}`, false, wireJob{Job: Job{ID: "a#1", Key: "a", Kind: "match"}}},
		{`{"id":"a#1","key":"a","kind":"match","payload":1,"payload_object":"o"}`, true, wireJob{}},
		{`{"id":"a#1","key":"a.b","kind":"match"}`, true, wireJob{}},
		{`{"id":"","key":"a","kind":"match"}`, true, wireJob{}},
		{`{"id":"a#1","key":"a"}`, true, wireJob{}},
		{`[]`, true, wireJob{}},
		{``, true, wireJob{}},
	}
	for _, tt := range tests {
		got, err := decodeJob([]byte(tt.data))
		if (err != nil) != tt.wantErr {
			t.Errorf("decodeJob(%s) error = %v, want error %v", tt.data, err, tt.wantErr)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("decodeJob(%s) = %+v, want %+v", tt.data, got, tt.want)
		}
	}
}

func TestDecodeResult(t *testing.T) {
	tests := []struct {
		data    string
		wantErr bool
		want    wireResult
	}{
		{`{"job_id":"a#1","key":"a","kind":"match","payload":[1],"worker":"w","elapsed_ns":5}`, false,
			wireResult{Result: Result{JobID: "a#1", Key: "a", Kind: "match", Payload: json.RawMessage(`[1]`), Worker: "w", Elapsed: 5}}},
		{`{"job_id":"a#1","key":"a","kind":"match","error":"boom"}`, false,
			wireResult{Result: Result{JobID: "a#1", Key: "a", Kind: "match", Error: "boom"}}},
		{`{"job_id":"a#1","key":"a","kind":"match","payload":[1],"payload_object":"o"}`, true, wireResult{}},
		{`{"key":"a","kind":"match"}`, true, wireResult{}},
		{`{"job_id":"a#1","kind":">"}`, true, wireResult{}},
		{`{"job_id":1}`, true, wireResult{}},
	}
	for _, tt := range tests {
		got, err := decodeResult([]byte(tt.data))
		if (err != nil) != tt.wantErr {
			t.Errorf("decodeResult(%s) error = %v, want error %v", tt.data, err, tt.wantErr)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("decodeResult(%s) = %+v, want %+v", tt.data, got, tt.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		n    uint64
		want time.Duration
	}{
		{0, 250 * time.Millisecond}, {1, 250 * time.Millisecond}, {2, 500 * time.Millisecond},
		{4, 2 * time.Second}, {8, 30 * time.Second}, {1 << 40, 30 * time.Second},
	}
	for _, tt := range tests {
		if got := backoff(tt.n, 30*time.Second); got != tt.want {
			t.Errorf("backoff(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
}

// FuzzDecodeJob checks that any accepted job message is valid and survives
// a re-encoding unchanged.
func FuzzDecodeJob(f *testing.F) {
	f.Add([]byte(`{"id":"2027-03/match#1","key":"2027-03/match","kind":"match","payload":{"a":[1,2]}}`))
	f.Add([]byte(`{"id":"x#1","key":"x","kind":"agenda","payload_object":"job/x#1/ABC"}`))
	f.Add([]byte(`{"id":"x#1","key":"x.y","kind":"*"}`))
	f.Add([]byte(`{"id":"x","key":"k","kind":"k","payload":"\u0000"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := decodeJob(data)
		if err != nil {
			return
		}
		if err := validateJob(w.Job); err != nil {
			t.Fatalf("accepted an invalid job: %v", err)
		}
		again, err := json.Marshal(&w)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		w2, err := decodeJob(again)
		if err != nil {
			t.Fatalf("re-decode of %s: %v", again, err)
		}
		if w2.ID != w.ID || w2.Key != w.Key || w2.Kind != w.Kind || w2.PayloadObject != w.PayloadObject ||
			!jsonEqual(w2.Payload, w.Payload) {
			t.Fatalf("round trip changed %+v into %+v", w, w2)
		}
	})
}

// FuzzDecodeResult checks that decodeResult never panics and that accepted
// results survive a re-encoding.
func FuzzDecodeResult(f *testing.F) {
	f.Add([]byte(`{"job_id":"a#1","key":"a","kind":"match","payload":[1],"worker":"w","elapsed_ns":5}`))
	f.Add([]byte(`{"job_id":"a#1","key":"a","kind":"match","error":"boom","payload_object":"result/a#1/X"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := decodeResult(data)
		if err != nil {
			return
		}
		again, err := json.Marshal(&w)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		w2, err := decodeResult(again)
		if err != nil {
			t.Fatalf("re-decode of %s: %v", again, err)
		}
		w2.Payload, w.Payload = compact(w2.Payload), compact(w.Payload)
		if !reflect.DeepEqual(w, w2) {
			t.Fatalf("round trip changed %+v into %+v", w, w2)
		}
	})
}

func compact(raw json.RawMessage) json.RawMessage {
	if raw == nil {
		return nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return raw
	}
	return b.Bytes()
}

func jsonEqual(a, b json.RawMessage) bool { return bytes.Equal(compact(a), compact(b)) }

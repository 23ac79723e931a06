package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/fairmatch/fairmatch"
)

func do(t *testing.T, srv *httptest.Server, method, path, tok string, body io.Reader, ct string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestAPIErrorsAndHeaders(t *testing.T) {
	fx := newFixture(t, withMaxUpload(1<<20))
	srv := fx.srv
	example, err := os.ReadFile("../configs/example-dataset.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, method, path, tok, ct string
		body                        string
		status                      int
		code                        string
	}{
		{"no token", "GET", "/api/fairs", "", "", "", 401, fairmatch.EUNAUTHORIZED},
		{"wrong token", "GET", "/api/fairs", "x" + token, "", "", 401, fairmatch.EUNAUTHORIZED},
		{"unknown fair", "POST", "/api/fairs/2027-04/stages/match/run", token, "", "", 404, fairmatch.ENOTFOUND},
		{"unknown stage", "POST", "/api/fairs/2027-03/stages/lunch/run", token, "", "", 404, fairmatch.ENOTFOUND},
		{"not published", "GET", "/api/fairs/2027-03/agenda", token, "", "", 404, fairmatch.ENOTFOUND},
		{"lone CSV without a name", "POST", "/api/import", token, "text/csv", "id,name\nE1,x\n", 400, fairmatch.EINVALID},
		{"broken JSON", "POST", "/api/import", token, "application/json", `{"enterprises": [`, 400, fairmatch.EINVALID},
		{"too large", "POST", "/api/import", token, "application/json", strings.Repeat(" ", 1<<20+1), 400, fairmatch.EINVALID},
		{"calendar without a token", "GET", "/api/fairs/2027-03/people/P-E001-1/schedule.ics", "", "", "", 401, fairmatch.EUNAUTHORIZED},
		{"import", "POST", "/api/import", token, "application/json", string(example), 200, ""},
		{"calendar of an unpublished fair", "GET", "/api/fairs/2027-03/people/P-E001-1/schedule.ics", token, "", "", 404, fairmatch.ENOTFOUND},
		{"run now", "POST", "/api/fairs/2027-03/stages/call-opens/run", token, "", "", 202, ""},
		{"run a running stage", "POST", "/api/fairs/2027-03/stages/call-opens/run", token, "", "", 409, fairmatch.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := do(t, srv, tc.method, tc.path, tc.tok, strings.NewReader(tc.body), tc.ct)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
				if got := resp.Header.Get(h); got != want {
					t.Errorf("%s: %q, want %q", h, got, want)
				}
			}
			if tc.code == "" {
				return
			}
			var eb struct{ Error, Message string }
			if err := json.Unmarshal(body, &eb); err != nil || eb.Error != tc.code || eb.Message == "" {
				t.Errorf("error body %s, want code %s with a message", body, tc.code)
			}
			if tc.status == 401 && !strings.HasSuffix(tc.path, ".ics") && resp.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("organizer 401 without WWW-Authenticate")
			}
		})
	}
	if fired := fx.fired.keys(); len(fired) != 1 || fired[0] != "2027-03/call-opens" {
		t.Errorf("fired %v, want only 2027-03/call-opens", fired)
	}
	resp, body := do(t, srv, "GET", "/healthz", "", nil, "")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"ok"`) {
		t.Errorf("healthz %d %s", resp.StatusCode, body)
	}
	resp, body = do(t, srv, "GET", "/", token, nil, "")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "2027-03") || strings.Contains(string(body), "P-E001-1") {
		t.Errorf("index %d: must list fairs and no personal data", resp.StatusCode)
	}
}

func TestListFairsShowsSettingsTheme(t *testing.T) {
	srv := newFixture(t).srv
	body := `{"theme": "氢能与储能"}`
	if resp, b := do(t, srv, "PUT", "/api/fairs/2027-05/settings", token, strings.NewReader(body), "application/json"); resp.StatusCode != 200 {
		t.Fatalf("settings: %d %s", resp.StatusCode, b)
	}
	_, b := do(t, srv, "GET", "/api/fairs", token, nil, "")
	var fairs []fairmatch.Fair
	if err := json.Unmarshal(b, &fairs); err != nil {
		t.Fatal(err)
	}
	themes := map[string]string{}
	for _, f := range fairs {
		themes[f.ID] = f.Theme
	}
	if themes["2027-05"] != "氢能与储能" || themes["2027-03"] == "" || themes["2027-03"] == "氢能与储能" {
		t.Errorf("themes %v: 2027-05 must show the organizers' theme, the others the plan's", themes)
	}
}

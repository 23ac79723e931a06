package main

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// chromium finds a Chromium or Chrome binary. Without one the browser
// tests skip, except in CI, where .ci/run installs Debian's chromium and a
// missing browser is a failure.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("FAIRMATCH_CHROMIUM"), "chromium", "chromium-browser", "google-chrome", "chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium on PATH (CI must install it: apt-get install -y chromium)")
	}
	t.Skip("no chromium on PATH: install Debian's chromium to run the browser tests")
	return ""
}

// tab is one browser tab in its own browser context (its own cookies, like
// an incognito window).
type tab struct {
	ctx context.Context
	// confirms counts the confirm() dialogs the tab accepted: the forms with
	// data-confirm ask before they submit.
	confirms *atomic.Int32
}

// browser starts a headless Chromium at path for the test; newTab opens a
// tab in a fresh browser context. The browser stops when the test ends.
func browser(t *testing.T, path string) (newTab func() (tab, context.CancelFunc)) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // CI runs as root
		chromedp.WindowSize(1280, 900),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil { // start the browser
		bcancel()
		acancel()
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() { bcancel(); acancel() })
	return func() (tab, context.CancelFunc) {
		ctx, cancel := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
		ctx, tcancel := context.WithTimeout(ctx, 3*time.Minute)
		stop := func() { tcancel(); cancel() }
		tb := tab{ctx: ctx, confirms: new(atomic.Int32)}
		// Subscribe before any page opens, then accept every dialog: a
		// dialog blocks the click that opened it until it is answered.
		dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for ev, err := range dialogs {
				if err != nil {
					return
				}
				if ev.Type == page.DialogTypeConfirm {
					tb.confirms.Add(1)
				}
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			}
		}()
		return tb, func() { stop(); <-done }
	}
}

// loaded runs the action, which is to navigate (a click on a link or a
// submit button), and waits until the next page has loaded.
func loaded(a chromedp.Action[chromedp.Void]) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.WaitEvent(page.LoadEventFired, nil, a)(ctx, t)
		return err
	})
}

// screenshot saves a full-page PNG in dir and logs where and how big.
func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if !strings.HasPrefix(string(png), "\x89PNG\r\n\x1a\n") {
		t.Errorf("screenshot %s is not a PNG (%d bytes)", name, len(png))
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Error(err)
		return
	}
	t.Logf("screenshot %s (%d KiB)", path, len(png)>>10)
}

// waitState loads the fair page until the stage's row has data-state want.
// The page also reloads itself (its event stream says when a stage
// changes), so a load that such a reload cuts short is tried again.
func waitState(t *testing.T, ctx context.Context, fairURL, stage, want string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	var last error
	for {
		err := chromedp.Do(ctx, chromedp.Navigate(fairURL))
		var state chromedp.AttributeResult
		if err == nil {
			state, err = chromedp.Run(ctx, chromedp.AttributeValue(chromedp.ID("stage-"+stage), "data-state"))
		}
		switch {
		case ctx.Err() != nil:
			t.Fatalf("stage %s: %v (last error: %v)", stage, ctx.Err(), last)
		case err != nil:
			last = err
		case state.Value == want:
			return
		case state.Value == "failed":
			text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("stage-"+stage)))
			t.Fatalf("stage %s failed: %s", stage, text)
		}
		if time.Now().After(deadline) {
			t.Fatalf("stage %s is %q after 2 minutes, want %q (last error: %v)", stage, state.Value, want, last)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// TestBrowserJourneys drives both journeys of issue 5 in a real headless
// Chromium: an organizer signs in, imports the example zone, switches the
// page language, runs a fair's matching, agenda and publishing and looks at
// the agenda grid; a participant opens their personal link, sees their
// schedule and downloads their calendar.
func TestBrowserJourneys(t *testing.T) {
	exe := chromium(t)
	shots := t.TempDir()
	if d := os.Getenv("FAIRMATCH_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		shots = d
	}
	const password = "organizer-password-1"
	m := &Main{Now: before2027, Getenv: func(k string) string {
		switch k {
		case "FAIRMATCH_ADMIN_TOKEN":
			return "test-token-0123456789"
		case "FAIRMATCH_ORGANIZER_PASSWORD":
			return password
		}
		return ""
	}}
	base, token := startServe(t, m, "--config", examplePlan, "--data", t.TempDir(), "--workers", "1")
	// The browser's cleanup runs before the server's: no page keeps an
	// event stream open while serve shuts down.
	newTab := browser(t, exe)
	fairURL := base + "/fairs/2027-03"

	// The organizer signs in.
	org, cancel := newTab()
	defer cancel()
	ctx := org.ctx
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=login]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=password]`)),
	); err != nil {
		t.Fatalf("open /: %v", err)
	}
	if here, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.HasPrefix(here, base+"/login") {
		t.Errorf("/ without a session is at %q (%v), want the login page %s/login", here, err, base)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name=login]`), "organizer"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), password),
		loaded(chromedp.Click(chromedp.CSS(`main form button[type=submit]`))),
	); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	if here, err := chromedp.Run(ctx, chromedp.Location()); err != nil || here != base+"/" {
		t.Fatalf("after signing in the address is %q (%v), want %s/", here, err, base)
	}

	// It imports the example zone: check, then store.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/data?lang=en"),
		chromedp.WaitVisible(chromedp.ID("upload-file")),
		chromedp.SetUploadFiles(chromedp.ID("upload-file"), []string{mustAbs(t, exampleDataset)}),
		loaded(chromedp.Click(chromedp.ID("upload-check"))),
		chromedp.WaitVisible(chromedp.ID("check-clean")),
	); err != nil {
		t.Fatalf("check the example dataset: %v", err)
	}
	if err := chromedp.Do(ctx,
		loaded(chromedp.Click(chromedp.ID("store-button"))),
		chromedp.WaitVisible(chromedp.ID("data-stored")),
	); err != nil {
		t.Fatalf("store the example dataset: %v", err)
	}
	if n := org.confirms.Load(); n != 1 {
		t.Errorf("storing asked %d confirm dialogs, want 1 (the form's data-confirm)", n)
	}
	counts, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("data-counts")))
	if err != nil {
		t.Fatalf("stored counts: %v", err)
	}
	problems, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#count-problems td.num`)))
	if err != nil || strings.TrimSpace(problems) != "71" { // the example's problems
		t.Errorf("stored problems %q (%v), want 71; the counts: %q", problems, err, counts)
	}

	// The language switch: English (chosen with ?lang=en) to Chinese and back.
	for _, want := range []struct{ lang, title string }{{"zh-CN", "数据"}, {"en", "Data"}} {
		if err := chromedp.Do(ctx, loaded(chromedp.Click(chromedp.ID("lang-switch")))); err != nil {
			t.Fatalf("switch the language to %s: %v", want.lang, err)
		}
		lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
		if err != nil {
			t.Fatal(err)
		}
		title, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("data-title")))
		if err != nil {
			t.Fatal(err)
		}
		here, _ := chromedp.Run(ctx, chromedp.Location())
		if lang != want.lang || strings.TrimSpace(title) != want.title {
			t.Errorf("after the language switch %s has lang %q and title %q, want %q and %q", here, lang, title, want.lang, want.title)
		}
		if strings.Contains(here, "lang=") {
			t.Errorf("the switch leaves ?lang in the address: %s", here)
		}
	}

	// It runs the fair's stages from the fair page, one after the other.
	for i, stage := range []string{"match", "agenda", "publish"} {
		if err := chromedp.Do(ctx,
			chromedp.Navigate(fairURL),
			loaded(chromedp.Click(chromedp.ID("run-"+stage+"-button"))),
		); err != nil {
			t.Fatalf("run %s: %v", stage, err)
		}
		if n := org.confirms.Load(); n != int32(2+i) {
			t.Errorf("after running %s the tab saw %d confirm dialogs, want %d", stage, n, 2+i)
		}
		waitState(t, ctx, fairURL, stage, "done")
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(fairURL+"/agenda?view=published"),
		chromedp.WaitVisible(chromedp.ID("agenda-grid")),
	); err != nil {
		t.Fatalf("agenda grid: %v", err)
	}
	cells, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#agenda-grid [data-testid=grid-meeting]').length`))
	if err != nil {
		t.Fatalf("agenda grid: %v", err)
	}
	if cells < 50 {
		t.Errorf("the published grid shows %d meetings, want at least 50", cells)
	}
	screenshot(t, ctx, shots, "organizer-agenda-grid.png")
	// The draft view carries the solver's verdict on it (the example fair's
	// agenda is proven optimal).
	if err := chromedp.Do(ctx,
		chromedp.Navigate(fairURL+"/agenda?view=draft"),
		chromedp.WaitVisible(chromedp.ID("agenda-verdict")),
	); err != nil {
		t.Fatalf("agenda verdict: %v", err)
	}
	verdict, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('agenda-verdict').dataset.status`))
	if err != nil || verdict != "optimal" {
		t.Errorf("the draft's verdict is %q (%v), want optimal", verdict, err)
	}

	// A participant: the organizer's API issues the link of an attendee of
	// the first published meeting (as the person page's button does).
	status, body := httpDo(t, "GET", base+"/api/fairs/2027-03/agenda", token, nil)
	var a struct {
		Meetings []struct {
			ID        string
			Table     string
			Attendees []string
		}
	}
	if status != 200 {
		t.Fatalf("published agenda: %d %s", status, body)
	}
	if err := json.Unmarshal(body, &a); err != nil || len(a.Meetings) == 0 || len(a.Meetings[0].Attendees) == 0 || a.Meetings[0].Table == "" {
		t.Fatalf("published agenda (%v): %.300s", err, body)
	}
	first := a.Meetings[0]
	person := first.Attendees[0]
	status, body = httpDo(t, "POST", base+"/api/people/"+url.PathEscape(person)+"/link", token, nil)
	var link struct{ URL string }
	if status != 201 || json.Unmarshal(body, &link) != nil || link.URL == "" {
		t.Fatalf("issue link: %d %s", status, body)
	}

	pt, pcancel := newTab()
	defer pcancel()
	pctx := pt.ctx
	if err := chromedp.Do(pctx,
		chromedp.Navigate(link.URL),
		chromedp.WaitVisible(chromedp.ID("me")),
	); err != nil {
		t.Fatalf("participant link: %v", err)
	}
	if here, err := chromedp.Run(pctx, chromedp.Location()); err != nil || here != base+"/me" {
		t.Errorf("after the link the address is %q (%v), want %s/me (no token)", here, err, base)
	}
	if err := chromedp.Do(pctx,
		loaded(chromedp.Click(chromedp.ID("fair-2027-03"))),
		chromedp.WaitVisible(chromedp.ID("schedule")),
	); err != nil {
		t.Fatalf("participant schedule: %v", err)
	}
	meetings, err := chromedp.Run(pctx, chromedp.Evaluate[int](`document.querySelectorAll('#schedule [data-testid=meeting]').length`))
	if err != nil {
		t.Fatal(err)
	}
	if meetings == 0 {
		t.Errorf("the schedule of %s shows no meeting", person)
	}
	table, err := chromedp.Run(pctx, chromedp.Text(chromedp.CSS(`#m-`+first.ID+` [data-testid=table]`)))
	if err != nil || !strings.Contains(table, first.Table) {
		schedule, _ := chromedp.Run(pctx, chromedp.Text(chromedp.ID("schedule")))
		t.Errorf("meeting %s: table %q (%v), want it to name %s; the schedule: %.300s", first.ID, table, err, first.Table, schedule)
	}
	screenshot(t, pctx, shots, "participant-schedule.png")

	// The download link gives the calendar, with the participant's cookie
	// (the page's fetch sends it as a click on the link would).
	ics, err := chromedp.Run(pctx, chromedp.Evaluate[string](
		`fetch(document.querySelector('#ics-download').href, {credentials: 'same-origin'}).then(r => {
			if (!r.ok) throw new Error('HTTP ' + r.status);
			return r.text();
		})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("calendar download: %v", err)
	}
	if !strings.HasPrefix(ics, "BEGIN:VCALENDAR") || !strings.Contains(ics, "UID:") {
		t.Errorf("downloaded calendar: %.200q", ics)
	}
	if n := strings.Count(ics, "BEGIN:VEVENT"); n != meetings {
		t.Errorf("the calendar has %d events, the schedule page %d meetings", n, meetings)
	}
	t.Logf("browser journeys: screenshots in %s", shots)
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

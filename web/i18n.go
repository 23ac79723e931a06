package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Languages the pages are written in.
const (
	langZH = "zh"
	langEN = "en"
)

// langCookie remembers a language chosen with the switch (?lang=).
const langCookie = "fm_lang"

// catalog maps a message key to its Chinese and English text. Each area of
// the app keeps its own catalog next to its handlers; messages merges them.
type catalog map[string][2]string

// messages is every page's text, built once from the areas' catalogs.
var messages = mergeCatalogs(commonMessages, organizerMessages, reviewMessages, participantMessages, reportMessages, outboxMessages, recordMessages)

func mergeCatalogs(cs ...catalog) catalog {
	out := catalog{}
	for _, c := range cs {
		for k, v := range c {
			if _, dup := out[k]; dup {
				panic("web: message key " + k + " defined twice")
			}
			out[k] = v
		}
	}
	return out
}

// translate returns the text of key in lang. A missing key shows itself, so
// a forgotten translation is visible on the page and caught by the tests.
func translate(lang, key string) string {
	v, ok := messages[key]
	if !ok {
		return key
	}
	if lang == langEN {
		return v[1]
	}
	return v[0]
}

// language picks the page language: the switch's cookie first, then the
// browser's Accept-Language (the first supported tag by q-value), then
// Chinese, the zone's language.
func language(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == langZH || c.Value == langEN) {
		return c.Value
	}
	return fromAcceptLanguage(r.Header.Get("Accept-Language"))
}

func fromAcceptLanguage(h string) string {
	best, bestQ := langZH, -1.0
	for part := range strings.SplitSeq(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			q = parseQ(v)
		}
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if (primary == langZH || primary == langEN) && q > bestQ && q > 0 {
			best, bestQ = primary, q
		}
	}
	return best
}

// parseQ reads a q-value ("0.8"); anything unreadable or out of range
// counts as 0.
func parseQ(s string) float64 {
	q, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || q < 0 || q > 1 {
		return 0
	}
	return q
}

// languageSwitch handles ?lang=zh|en on any GET page: it remembers the
// choice in a cookie and redirects to the same address without the switch.
func languageSwitch(secure bool, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := r.URL.Query().Get("lang")
		if r.Method != http.MethodGet || (l != langZH && l != langEN) {
			h.ServeHTTP(w, r)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
		q := r.URL.Query()
		q.Del("lang")
		u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
		http.Redirect(w, r, u.String(), http.StatusSeeOther)
	})
}

// commonMessages are the layout's and the shared pages' texts.
var commonMessages = catalog{
	"app.name":           {"fairmatch 技术对接", "fairmatch technology fairs"},
	"nav.fairs":          {"年度计划", "Year plan"},
	"nav.data":           {"数据", "Data"},
	"nav.reports":        {"报表", "Reports"},
	"nav.outbox":         {"邮件", "Mail"},
	"nav.accounts":       {"账号", "Accounts"},
	"nav.login":          {"登录", "Sign in"},
	"nav.logout":         {"退出", "Sign out"},
	"nav.language":       {"English", "中文"},
	"login.title":        {"登录", "Sign in"},
	"login.user":         {"用户名", "User name"},
	"login.password":     {"密码", "Password"},
	"login.submit":       {"登录", "Sign in"},
	"login.failed":       {"用户名或密码不正确。", "Wrong user name or password."},
	"login.limited":      {"尝试次数过多，请稍后再试。", "Too many attempts; try again in a minute."},
	"error.title":        {"出错了", "Something went wrong"},
	"error.back":         {"返回", "Back"},
	"error.issues":       {"问题明细", "Details"},
	"error.unauthorized": {"请先登录，或使用您收到的个人链接。", "Please sign in, or open the personal link you received."},
	"error.forbidden":    {"您的账号无权查看或修改此内容。", "Your account may not see or change this."},
	"field.file":         {"文件", "File"},
	"field.record":       {"记录", "Record"},
	"field.field":        {"字段", "Field"},
	"field.reason":       {"原因", "Reason"},
}

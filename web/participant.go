package web

import (
	"net/http"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
)

// The participants' side of the app: a participant opens the personal link
// mailed to them (GET /l/{token}), which starts a session in a cookie and
// sends them on to /me, a clean address. From there they see their fairs,
// each fair's schedule, download it as .ics or subscribe to a calendar feed
// of their own (GET /feed/{token}.ics, no cookie needed), decline a meeting
// or ask to move it, and after the fair report what came of it. Organizers
// issue and revoke the links of a person (GET /people/{person}) and see any
// participant's schedule (GET /fairs/{fair}/people/{person}).
//
// Files: participant_me.go (the participant's pages and their JSON twins),
// participant_link.go (links and link requests), participant_feed.go (the
// calendars), participant_people.go (the organizers' tools),
// participant_view.go (what the schedule pages show).

// participantMessages are the participant pages' texts.
var participantMessages = catalog{
	// /me
	"participant.me.title":      {"我的洽谈会", "My fairs"},
	"participant.me.hello":      {"%s，您好", "Hello, %s"},
	"participant.me.none":       {"您还没有已发布的洽谈日程。日程发布后会通过邮件通知您。", "You have no published schedule yet. You will get an e-mail when it is published."},
	"participant.me.meetings":   {"%d 场洽谈", "Meetings: %d"},
	"participant.me.open":       {"查看日程", "Open the schedule"},
	"participant.me.fair":       {"洽谈会", "Fair"},
	"participant.me.date":       {"日期", "Date"},
	"participant.me.theme":      {"主题", "Theme"},
	"participant.me.staff_only": {"此账号没有参会日程。请使用邮件中的个人链接打开您的日程。", "This account has no participant schedule. Open your schedule with the personal link from your e-mail."},

	// the schedule page
	"participant.schedule.title":        {"洽谈日程", "Meeting schedule"},
	"participant.schedule.of":           {"%s 的洽谈日程", "Schedule of %s"},
	"participant.schedule.zone":         {"时间均为当地时间（%s）。", "Times are local times (%s)."},
	"participant.schedule.empty":        {"此洽谈会您没有洽谈安排。", "You have no meeting at this fair."},
	"participant.schedule.time":         {"时间", "Time"},
	"participant.schedule.table":        {"桌号", "Table"},
	"participant.schedule.with":         {"洽谈对象", "Meeting with"},
	"participant.schedule.people":       {"参会人", "People"},
	"participant.schedule.topics":       {"洽谈议题", "Topics"},
	"participant.schedule.problem":      {"技术难题", "Problem"},
	"participant.schedule.offering":     {"技术成果", "Technology"},
	"participant.schedule.why":          {"匹配理由：", "Why matched:"},
	"participant.schedule.sep":          {"、", ", "},
	"participant.schedule.cancelled":    {"已取消", "Cancelled"},
	"participant.schedule.changed":      {"已调整", "Changed"},
	"participant.schedule.download":     {"下载日历文件（.ics）", "Download calendar (.ics)"},
	"participant.schedule.back":         {"返回我的洽谈会", "Back to my fairs"},
	"participant.schedule.saved":        {"已收到您的反馈，谢谢。", "Thank you, your response is saved."},
	"participant.schedule.ended":        {"本场洽谈会已结束，欢迎反馈洽谈成果。", "This fair is over; please tell us what came of your meetings."},
	"participant.schedule.staff_view":   {"组织方视图：参会人可在此页面上反馈。", "Organizer view: the participant responds on this page."},
	"participant.schedule.person_admin": {"此人的链接与反馈", "This person's links and responses"},

	// responses
	"participant.respond.title":          {"反馈", "Respond"},
	"participant.respond.reason":         {"原因（必填）", "Reason (required)"},
	"participant.respond.note":           {"说明（可选）", "Note (optional)"},
	"participant.respond.decline":        {"不能参加", "Decline"},
	"participant.respond.move":           {"申请调整时间", "Ask to move"},
	"participant.respond.outcome":        {"反馈洽谈成果", "Report the outcome"},
	"participant.respond.earlier":        {"您的反馈", "Your responses"},
	"participant.respond.submit":         {"提交成果", "Send the outcome"},
	"participant.kind.decline":           {"不能参加", "Declined"},
	"participant.kind.move":              {"申请调整时间", "Asked to move"},
	"participant.kind.outcome":           {"洽谈成果", "Outcome"},
	"participant.outcome.label":          {"成果", "Outcome"},
	"participant.outcome.none":           {"未建立联系", "No contact"},
	"participant.outcome.contact":        {"已建立联系", "Contact"},
	"participant.outcome.nda":            {"签订保密协议", "NDA"},
	"participant.outcome.proposal":       {"形成合作方案", "Proposal"},
	"participant.outcome.contract":       {"签订合同", "Contract"},
	"participant.outcome.commercialized": {"成果已转化", "Commercialized"},

	// the calendar feed
	"participant.feed.title":   {"订阅日历", "Subscribe to your calendar"},
	"participant.feed.intro":   {"在手机或电脑的日历应用中订阅您的专属地址，日程变化会自动同步。", "Subscribe to your own address in the calendar app of your phone or computer; changes to your schedule appear there by themselves."},
	"participant.feed.issue":   {"获取订阅地址", "Get my calendar address"},
	"participant.feed.rotate":  {"获取新地址后，之前的地址即失效。", "Getting a new address disables any earlier one."},
	"participant.feed.once":    {"请立即复制保存：此地址只显示这一次。", "Copy it now: this address is shown only this once."},
	"participant.feed.webcal":  {"在日历应用中订阅", "Subscribe in your calendar app"},
	"participant.feed.https":   {"或复制此地址到日历应用：", "Or copy this address into your calendar app:"},
	"participant.feed.private": {"此地址相当于密码，请勿转发。", "Treat this address like a password; do not forward it."},

	// links
	"participant.link.title":     {"个人链接", "Personal link"},
	"participant.link.dead":      {"此链接已过期或已被撤销。", "This link has expired or was revoked."},
	"participant.link.signin":    {"请使用邮件中的个人链接打开您的日程。", "Please open your schedule with the personal link from your e-mail."},
	"participant.link.ask":       {"输入您报名时使用的邮箱，我们会把新的链接发给您。", "Enter the e-mail address you registered with and we will send you a new link."},
	"participant.link.email":     {"邮箱", "E-mail address"},
	"participant.link.request":   {"发送新链接", "Send me a new link"},
	"participant.link.sent":      {"如果此邮箱已登记，新的链接几分钟内就会发到您的邮箱。", "If this address is registered, a new link is on its way to it and arrives within minutes."},
	"participant.link.limited":   {"请求过于频繁，请稍后再试。", "Too many requests; please try again later."},
	"participant.link.bad_email": {"请输入有效的邮箱地址。", "Please enter a valid e-mail address."},

	// the organizer's person page
	"participant.person.title":        {"参会人", "Participant"},
	"participant.person.id":           {"编号", "ID"},
	"participant.person.name":         {"姓名", "Name"},
	"participant.person.email":        {"邮箱", "E-mail"},
	"participant.person.org":          {"单位", "Organization"},
	"participant.person.role":         {"角色", "Role"},
	"participant.person.fairs":        {"洽谈会日程", "Schedules"},
	"participant.person.no_fairs":     {"尚无已发布的日程。", "No published schedule yet."},
	"participant.person.responses":    {"反馈", "Responses"},
	"participant.person.no_response":  {"尚无反馈。", "No response yet."},
	"participant.person.meeting":      {"洽谈", "Meeting"},
	"participant.person.at":           {"时间", "When"},
	"participant.person.access":       {"访问链接", "Access"},
	"participant.person.send":         {"发送登录链接", "Send a sign-in link"},
	"participant.person.send_note":    {"生成新的个人链接并通过邮件发送；链接只在此显示一次。", "Issues a new personal link, mails it and shows it here once."},
	"participant.person.revoke":       {"撤销全部链接", "Revoke all links"},
	"participant.person.revoke_ask":   {"撤销此人的全部链接、会话和日历订阅？", "Revoke all of this person's links, sessions and calendar feeds?"},
	"participant.person.revoked":      {"已撤销 %d 个链接、会话或订阅。", "Revoked %d links, sessions or feeds."},
	"participant.person.link":         {"新的个人链接（只显示一次）：", "The new personal link (shown only this once):"},
	"participant.person.mailed":       {"已放入发件箱，发往 %s。", "Queued for mailing to %s."},
	"participant.person.no_email":     {"此人没有邮箱，请通过其他方式转交链接。", "This person has no e-mail address; pass the link on another way."},
	"participant.person.mail_off":     {"未配置邮件服务，链接没有发出，请通过其他方式转交。", "Mail is not configured, so the link was not sent; pass it on another way."},
	"participant.person.expires":      {"有效期至 %s", "Valid until %s"},
	"participant.role.representative": {"企业代表", "Enterprise representative"},
	"participant.role.expert":         {"专家", "Expert"},
	"participant.role.commissioner":   {"科技专员", "Technology commissioner"},
	"participant.role.liaison":        {"高校联络人", "University liaison"},
}

// participantRoutes registers the participants' pages, calendars and the
// organizers' link tools.
func (s *Server) participantRoutes(mux *http.ServeMux) {
	// Links and link requests (no sign-in needed).
	mux.HandleFunc("GET /l/{token}", s.redeemLink)
	mux.HandleFunc("GET /link", s.linkPage)
	mux.HandleFunc("POST /link-request", s.linkRequestPage)
	mux.HandleFunc("POST /api/link-request", s.linkRequestAPI)

	// The participant's own pages and their JSON twins.
	mux.Handle("GET /me", s.mePage(s.meHome))
	mux.Handle("GET /me/fairs/{fair}", s.mePage(s.meFair))
	mux.Handle("GET /me/fairs/{fair}/schedule.ics", s.mePage(s.meCalendar))
	mux.Handle("POST /me/fairs/{fair}/meetings/{meeting}/respond", s.mePage(s.meRespond))
	mux.Handle("POST /me/feed", s.mePage(s.meFeed))
	mux.Handle("GET /api/me", s.meAPI(s.meHomeJSON))
	mux.Handle("GET /api/me/fairs/{fair}", s.meAPI(s.meFairJSON))
	mux.Handle("GET /api/me/fairs/{fair}/schedule.ics", s.meAPI(s.meCalendar))
	mux.Handle("POST /api/me/fairs/{fair}/meetings/{meeting}/respond", s.meAPI(s.meRespondJSON))
	mux.Handle("POST /api/me/feed", s.meAPI(s.meFeedJSON))

	// The calendar feed: the token in the address is the only credential.
	mux.HandleFunc("GET /feed/{file}", s.feed)

	// Any participant's schedule, for organizers (and the person themself).
	mux.Handle("GET /fairs/{fair}/people/{person}", s.page(needAnyone, s.personPage))
	mux.Handle("GET /api/fairs/{fair}/people/{person}", s.api(needAnyone, s.personScheduleJSON))
	mux.Handle("GET /api/fairs/{fair}/people/{person}/schedule.ics", s.api(needAnyone, s.personCalendar))

	// The organizers' tools for a person's links.
	mux.Handle("GET /people/{person}", s.page(needOrganizer, s.personAdminPage))
	mux.Handle("POST /people/{person}/link", s.page(needOrganizer, s.personLinkPage))
	mux.Handle("POST /people/{person}/revoke", s.page(needOrganizer, s.personRevokePage))
	mux.Handle("GET /api/people/{person}", s.api(needOrganizer, s.personAdminJSON))
	mux.Handle("POST /api/people/{person}/link", s.api(needOrganizer, s.personLinkJSON))
	mux.Handle("POST /api/people/{person}/revoke", s.api(needOrganizer, s.personRevokeJSON))
}

// participantOf returns the person id a principal acts for on the
// participant's own pages: the person of a link session, or the Person of
// a staff account that has one; "" for anyone else. A feed principal never
// reaches these pages (feed tokens open the feed only).
func participantOf(p *auth.Principal) string {
	switch {
	case p == nil:
		return ""
	case p.Account == nil:
		if p.Via == auth.ViaLink {
			return p.Person
		}
		return ""
	case p.Staff():
		return p.Account.Person
	}
	return ""
}

// personHandler is a handler of the participant's own pages: person is who
// is asking.
type personHandler func(w http.ResponseWriter, r *http.Request, p *auth.Principal, person string) error

// mePage guards a participant's own page: a visitor without a participant
// session gets the page that explains how to get a link (and asks for a new
// one), a staff account without a person a 403 page.
func (s *Server) mePage(h personHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.principal(r)
		if err != nil {
			s.pageError(w, r, nil, err)
			return
		}
		person := participantOf(p)
		if person == "" {
			if p.Staff() {
				s.pageError(w, r, p, fairmatch.Errorf(fairmatch.EFORBIDDEN, "%s", translate(language(r), "participant.me.staff_only")))
				return
			}
			s.render(w, withPath(r, "/link"), http.StatusUnauthorized, "link", "participant.link.title", nil, linkView{State: linkSignIn})
			return
		}
		w.Header().Set("Cache-Control", "private, no-store")
		if err := h(w, r, p, person); err != nil {
			s.pageError(w, r, p, err)
		}
	})
}

// meAPI guards a participant's own JSON route: 401 without a participant
// session, 403 for a staff account without a person.
func (s *Server) meAPI(h personHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.principal(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		person := participantOf(p)
		if person == "" {
			if p.Staff() {
				s.writeError(w, r, fairmatch.Errorf(fairmatch.EFORBIDDEN, "this account has no participant schedule"))
				return
			}
			s.writeError(w, r, fairmatch.Errorf(fairmatch.EUNAUTHORIZED, "open the personal link from your e-mail first"))
			return
		}
		w.Header().Set("Cache-Control", "private, no-store")
		if err := h(w, r, p, person); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// withPath returns a shallow copy of r whose URL path is path: a page that a
// POST renders directly gives the layout's language switch an address it
// can GET.
func withPath(r *http.Request, path string) *http.Request {
	r2 := new(http.Request)
	*r2 = *r
	u := *r.URL
	u.Path, u.RawPath, u.RawQuery = path, "", ""
	r2.URL = &u
	return r2
}

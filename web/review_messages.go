package web

import (
	"fmt"
	"regexp"
)

// reviewMessages are the matching-review and agenda pages' texts.
var reviewMessages = catalog{
	"review.title":                 {"匹配审核", "Matching review"},
	"review.to_agenda":             {"查看日程表 →", "Agenda grid →"},
	"review.counts":                {"共 %d 组对接，其中 %d 组待审核。", "%d pairings, %d of them undecided."},
	"review.filter.park":           {"园区", "Park"},
	"review.filter.university":     {"高校", "University"},
	"review.filter.all":            {"全部", "All"},
	"review.filter.undecided":      {"只看待审核", "Undecided only"},
	"review.filter.apply":          {"筛选", "Filter"},
	"review.empty":                 {"没有符合条件的对接。请先运行匹配，或放宽筛选条件。", "No pairing to show. Run matching first, or widen the filter."},
	"review.park":                  {"园区", "Park"},
	"review.col.enterprise":        {"企业", "Enterprise"},
	"review.col.university":        {"高校", "University"},
	"review.col.score":             {"相关度", "Score"},
	"review.col.items":             {"难题 ↔ 成果", "Problem ↔ offering"},
	"review.col.attendees":         {"参会人", "Attendees"},
	"review.col.state":             {"审核", "Decision"},
	"review.col.actions":           {"操作", "Actions"},
	"review.col.reason":            {"原因", "Reason"},
	"review.primary":               {"主对接高校", "primary partner"},
	"review.not_proposed":          {"本次匹配未提出", "not in the last match"},
	"review.why":                   {"匹配依据", "why"},
	"review.state.undecided":       {"待审核", "undecided"},
	"review.state.accept":          {"已接受", "accepted"},
	"review.state.reject":          {"已拒绝", "rejected"},
	"review.state.pin":             {"已锁定（优先安排）", "pinned (placed first)"},
	"review.state.add":             {"人工添加", "added by hand"},
	"review.note":                  {"备注", "Note"},
	"review.action.accept":         {"接受", "Accept"},
	"review.action.pin":            {"锁定", "Pin"},
	"review.action.reject":         {"拒绝", "Reject"},
	"review.action.withdraw":       {"撤销决定", "Withdraw decision"},
	"review.add.title":             {"人工添加会谈", "Add a meeting by hand"},
	"review.add.enterprise":        {"企业", "Enterprise"},
	"review.add.university":        {"高校", "University"},
	"review.add.problem":           {"技术难题", "Problem"},
	"review.add.offering":          {"高校成果", "Offering"},
	"review.add.attendees":         {"参会人", "Attendees"},
	"review.add.attendees_hint":    {"不选择时默认为企业的参会人和该成果的专家。", "Leave empty for the enterprise's attendees and the offering's experts."},
	"review.add.submit":            {"添加会谈", "Add the meeting"},
	"review.unmatched.title":       {"未匹配的对接", "Pairs not matched"},
	"review.unmatched.none":        {"没有未匹配的相关对接。", "No relevant pair was left out."},
	"review.reason.not_chosen":     {"未被分配方案选中", "not chosen by the assignment"},
	"review.reason.enterprise_cap": {"企业 %s 已达每场 %s 次会谈的上限", "enterprise %s reached its limit of %s meetings"},
	"review.reason.university_cap": {"高校 %s 已达每场 %s 次会谈的上限", "university %s reached its limit of %s meetings"},
	"review.reason.expert_cap":     {"其专家已达 %s 次会谈的上限", "its experts reached the limit of %s meetings"},
	"review.reason.met_none":       {"已在 %s 场次会谈且无结果", "met at fair %s with outcome none"},
	"review.reason.no_slot":        {"没有共同的空闲时段", "no common free slot"},
	"review.reason.blocked":        {"禁止对接的组合", "blocked pair"},
	"review.reason.no_table":       {"没有空余的洽谈桌", "no table left"},

	"agenda.title":             {"日程表", "Agenda"},
	"agenda.view":              {"版本", "Version"},
	"agenda.view.draft":        {"草稿", "Draft"},
	"agenda.view.published":    {"已发布", "Published"},
	"agenda.to_review":         {"← 匹配审核", "← Matching review"},
	"agenda.showing.draft":     {"当前显示：草稿日程（尚未通知参会人）。", "Showing the draft agenda (participants have not been told)."},
	"agenda.showing.published": {"当前显示：已发布的日程。", "Showing the published agenda."},
	"agenda.replan":            {"重新排程", "Re-plan"},
	"agenda.replan.confirm":    {"重新排程会生成新的草稿；发布后，参会人会收到变更通知。继续吗？", "Re-planning makes a new draft; once published, participants will be told what changed. Continue?"},
	"agenda.publish":           {"发布日程", "Publish"},
	"agenda.publish.confirm":   {"发布后，所有参会人会收到日程及变更通知。确定发布吗？", "Publishing tells every participant their schedule and what changed. Publish now?"},
	"agenda.empty.draft":       {"还没有草稿日程。请先运行匹配，再点击“重新排程”。", "No draft agenda yet. Run matching, then Re-plan."},
	"agenda.empty.published":   {"日程尚未发布。", "The agenda is not published yet."},
	"agenda.summary":           {"%d 场会谈，%d 处冲突，共 %d 个空档时段。", "%d meetings, %d conflicts, %d idle slots in all."},
	"agenda.changes":           {"与已发布版本相比：新增 %d 场，调整时间或桌号 %d 场，人员或内容变化 %d 场，取消 %d 场。", "Against the published agenda: %d new, %d moved, %d changed, %d dropped."},
	"agenda.verdict.optimal": {"排程器已证明：所有会谈均已安排，%d 处空等（两场会谈之间的等待，连续空档计一次）已是最少。",
		"The scheduler proved it: every meeting placed, with the fewest idle gaps possible (%d; a wait between two meetings counts once, however long)."},
	"agenda.verdict.optimal.replan": {"排程器已证明：调整的已发布会谈已是最少，在此前提下 %d 处空等也已是最少。",
		"The scheduler proved it: the fewest published meetings moved, and with that the fewest idle gaps possible (%d)."},
	"agenda.verdict.feasible": {"所有会谈均已安排，共 %d 处空等：这是时限内找到的最好结果，尚未证明已是最少。",
		"Every meeting placed; idle gaps: %d, the fewest found within the time limit, not proven the fewest."},
	"agenda.verdict.partial": {"并非所有会谈都能安排（已安排的会谈中共 %d 处空等）；未能安排的会谈及原因见下方。",
		"Not every meeting could be placed (idle gaps among those placed: %d); those left out, and why, are listed below."},
	"agenda.verdict.infeasible": {"排程器已证明：在这些条件下无法安排所有会谈（已安排的会谈中共 %d 处空等）；原因见下方。",
		"The scheduler proved that not every meeting can be placed under these rules (idle gaps among those placed: %d); the reasons are listed below."},
	"agenda.verdict.unknown":        {"时限内未能安排任何会谈。", "Nothing could be placed within the time limit."},
	"agenda.slot":                   {"时段", "Slot"},
	"agenda.items":                  {"%d 项", "%d items"},
	"agenda.change.new":             {"新增", "new"},
	"agenda.change.moved":           {"调整", "moved"},
	"agenda.change.changed":         {"有变化", "changed"},
	"agenda.conflicts":              {"冲突", "Conflicts"},
	"agenda.conflicts.none":         {"没有冲突。", "No conflict."},
	"agenda.conflict.double-booked": {"%[1]s 在 %[2]s 同时有多场会谈：%[3]s", "%[1]s is in two meetings at %[2]s: %[3]s"},
	"agenda.conflict.table-twice":   {"%[1]s 号桌在 %[2]s 同时有两场会谈：%[3]s", "Table %[1]s holds two meetings at %[2]s: %[3]s"},
	"agenda.conflict.outside-day":   {"%[3]s（%[2]s）不在会议日的时段内", "%[3]s at %[2]s lies outside the fair day's sessions"},
	"agenda.conflict.off-grid":      {"%[3]s 于 %[2]s 开始，与时段不对齐", "%[3]s starts at %[2]s, off the slot grid"},
	"agenda.conflict.unknown-table": {"%[3]s（%[2]s）使用了不存在的桌号 %[1]s", "%[3]s at %[2]s uses table %[1]s, which the fair day does not have"},
	"agenda.gaps":                   {"空档", "Idle gaps"},
	"agenda.gaps.none":              {"没有人在两场会谈之间空等。", "Nobody waits idle between two meetings."},
	"agenda.gap":                    {"%d 个空档时段（%s）", "%d idle slots (%s)"},
	"agenda.unscheduled":            {"未能安排的会谈", "Meetings not placed"},
	"agenda.dropped":                {"此草稿取消的已发布会谈", "Published meetings this draft drops"},
	"agenda.cancelled":              {"已取消的会谈", "Cancelled meetings"},
	"agenda.responses":              {"参会者的回复", "Participants' responses"},
	"agenda.responses.note":         {"婉拒的参会者在重新排程时不再安排；一方全部婉拒的会谈将被取消。调整时间的请求请酌情处理。", "A re-plan leaves out people who declined, and drops a meeting one side has wholly declined. Requests to move are yours to weigh."},
	"agenda.responses.meeting":      {"会谈", "Meeting"},
	"agenda.responses.person":       {"参会者", "Participant"},
	"agenda.responses.kind":         {"回复", "Response"},
	"agenda.responses.reason":       {"理由", "Reason"},
	"agenda.responses.at":           {"时间", "When"},
	"agenda.responses.decline":      {"婉拒", "declines"},
	"agenda.responses.move":         {"请求调整时间", "asks to move"},
	"agenda.col.time":               {"时间", "Time"},
	"agenda.col.table":              {"桌号", "Table"},
	"agenda.people":                 {"个人日程", "People's days"},
	"agenda.person.title":           {"个人日程", "Person's day"},
	"agenda.person.back":            {"← 日程表", "← Agenda grid"},
	"agenda.person.summary":         {"%d 场会谈，%d 个空档时段。", "%d meetings, %d idle slots."},
	"agenda.person.with":            {"对接方", "Meeting with"},
	"agenda.person.gap":             {"空档", "idle"},
	"agenda.person.offgrid":         {"未列入上表的会谈（见日程表的冲突）", "Meetings not in the column above (see the agenda's conflicts)"},
}

// Reasons the matcher and the agenda builder give, as they write them.
var (
	reasonEnterpriseCap = regexp.MustCompile(`^enterprise (\S+) reached its limit of (\d+) meetings$`)
	reasonUniversityCap = regexp.MustCompile(`^university (\S+) reached its limit of (\d+) meetings$`)
	reasonExpertCap     = regexp.MustCompile(`^its experts reached the limit of (\d+) meetings$`)
	reasonMetNone       = regexp.MustCompile(`^met at fair (\S+) with outcome none$`)
)

// reviewReason translates a reason the matcher or the agenda builder gave
// (always in English); a reason it does not know, such as an organizer's
// own words on a blocked pair, is shown as it is.
func reviewReason(lang, reason string) string {
	fixed := map[string]string{
		"not chosen by the assignment": "review.reason.not_chosen",
		"no common free slot":          "review.reason.no_slot",
		"blocked pair":                 "review.reason.blocked",
		"no table left":                "review.reason.no_table",
	}
	if key, ok := fixed[reason]; ok {
		return translate(lang, key)
	}
	for _, p := range []struct {
		re  *regexp.Regexp
		key string
	}{
		{reasonEnterpriseCap, "review.reason.enterprise_cap"},
		{reasonUniversityCap, "review.reason.university_cap"},
		{reasonExpertCap, "review.reason.expert_cap"},
		{reasonMetNone, "review.reason.met_none"},
	} {
		if m := p.re.FindStringSubmatch(reason); m != nil {
			args := make([]any, len(m)-1)
			for i, s := range m[1:] {
				args[i] = s
			}
			return fmt.Sprintf(translate(lang, p.key), args...)
		}
	}
	return reason
}

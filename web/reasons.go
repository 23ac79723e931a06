package web

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The validating packages (dataset, config, auth, store, coordinator and
// the handlers of this package) write the reasons of their issues and the
// messages of their errors in English: it is the language of the JSON API
// and of the command line. The pages show them in the reader's language:
// localizeReason and localizeMessage translate the known English patterns
// to Chinese. A text that matches no pattern is shown as it is, in English,
// never half translated.

// Reason is the reason of an issue in the page's language:
// {{$.Reason .Reason}}.
func (v *view) Reason(s string) string { return localizeReason(v.Lang, s) }

// Message is the message of an error in the page's language:
// {{$.Message .Message}}.
func (v *view) Message(s string) string { return localizeMessage(v.Lang, s) }

// localizeReason returns the reason of an issue (fairmatch.Issue.Reason)
// in lang: for Chinese the translation of a known English reason, else
// reason unchanged.
func localizeReason(lang, reason string) string {
	if lang != langZH {
		return reason
	}
	if zh, ok := reasonRules.translate(reason, maxReasonDepth); ok {
		return zh
	}
	return reason
}

// localizeMessage returns the message of an error (fairmatch.Error.Message)
// in lang, like localizeReason; a message may also be one of the reasons.
func localizeMessage(lang, msg string) string {
	if lang != langZH {
		return msg
	}
	if zh, ok := messageRules.translate(msg, maxReasonDepth); ok {
		return zh
	}
	if zh, ok := reasonRules.translate(msg, maxReasonDepth); ok {
		return zh
	}
	return msg
}

// maxReasonDepth bounds how deep reasons nest ("item 2: unknown person …"
// holds a reason); deeper text is not translated.
const maxReasonDepth = 4

// maxReasonLen bounds the texts translated, so that a page of a thousand
// issues renders in bounded time; a longer text (a reason quoting a large
// JSON value) is shown as it is.
const maxReasonLen = 2048

// A rule translates the English texts its pattern matches. The pattern is
// written like the format string that produced the text: %q a quoted Go
// string, %d an integer, %g a number, %U a code point, %c a quoted
// character (encoding/json's 'x'), %w a word without spaces, %s (and %v)
// any text. The Chinese template refers to the pattern's verbs in order:
// {1} the text as it is, {1r} translated as a reason (the rule fails if it
// cannot be), {1w} looked up in reasonWords (likewise), {1d} looked up in
// reasonDetails and left as it is if absent (an error of a library, such
// as the zip reader's).
type rule struct {
	re     *regexp.Regexp
	prefix string // literal prefix of re: a cheap first test
	zh     []piece
}

// A piece of a template: literal text, or a verb's text translated by how.
type piece struct {
	lit   string
	group int
	how   byte // 0 as is, 'r' reason, 'w' word, 'd' detail
}

type rules []rule

// verbs are the regular expressions of the pattern verbs.
var verbs = map[byte]string{
	'q': `("(?:[^"\\]|\\.)*")`,
	'c': `('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")`,
	'd': `(-?[0-9]+)`,
	'g': `(\S+)`,
	'U': `(U\+[0-9A-F]{4,6})`,
	'w': `(\S+?)`,
	's': `(.+?)`,
	'v': `(.+?)`,
}

// mustRules compiles pattern/template pairs; a bad pair panics at start,
// which the tests catch.
func mustRules(pairs ...[2]string) rules {
	out := make(rules, 0, len(pairs))
	for _, p := range pairs {
		r, err := compileRule(p[0], p[1])
		if err != nil {
			panic(err)
		}
		out = append(out, r)
	}
	return out
}

func compileRule(pattern, zh string) (rule, error) {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	n := 0
	for rest := pattern; rest != ""; {
		i := strings.IndexByte(rest, '%')
		if i < 0 || i+1 == len(rest) {
			b.WriteString(regexp.QuoteMeta(rest))
			break
		}
		b.WriteString(regexp.QuoteMeta(rest[:i]))
		c := rest[i+1]
		rest = rest[i+2:]
		if c == '%' {
			b.WriteString("%")
			continue
		}
		v, ok := verbs[c]
		if !ok {
			return rule{}, fmt.Errorf("web: reason pattern %q: unknown verb %%%c", pattern, c)
		}
		b.WriteString(v)
		n++
	}
	b.WriteString(`$`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		return rule{}, fmt.Errorf("web: reason pattern %q: %w", pattern, err)
	}
	tmpl, err := parseTemplate(zh, n)
	if err != nil {
		return rule{}, fmt.Errorf("web: reason template %q: %w", zh, err)
	}
	prefix, _ := re.LiteralPrefix()
	return rule{re: re, prefix: prefix, zh: tmpl}, nil
}

// parseTemplate splits a template into pieces; n is the number of verbs.
func parseTemplate(zh string, n int) ([]piece, error) {
	var out []piece
	for zh != "" {
		open := strings.IndexByte(zh, '{')
		if open < 0 {
			out = append(out, piece{lit: zh})
			break
		}
		end := strings.IndexByte(zh[open:], '}')
		if end < 0 {
			return nil, fmt.Errorf("unclosed {")
		}
		ref := zh[open+1 : open+end]
		var how byte
		if k := ref[len(ref)-1]; k == 'r' || k == 'w' || k == 'd' {
			how, ref = k, ref[:len(ref)-1]
		}
		g, err := strconv.Atoi(ref)
		if err != nil || g < 1 || g > n {
			return nil, fmt.Errorf("bad reference {%s}", zh[open+1:open+end])
		}
		if open > 0 {
			out = append(out, piece{lit: zh[:open]})
		}
		out = append(out, piece{group: g, how: how})
		zh = zh[open+end+1:]
	}
	return out, nil
}

// translate returns the translation of s by the first rule that matches it
// and can translate its parts.
func (rs rules) translate(s string, depth int) (string, bool) {
	if depth <= 0 || len(s) > maxReasonLen {
		return "", false
	}
	for i := range rs {
		if zh, ok := rs[i].apply(s, depth); ok {
			return zh, true
		}
	}
	return "", false
}

func (r *rule) apply(s string, depth int) (string, bool) {
	if !strings.HasPrefix(s, r.prefix) {
		return "", false
	}
	m := r.re.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	var b strings.Builder
	for _, p := range r.zh {
		if p.group == 0 {
			b.WriteString(p.lit)
			continue
		}
		v := m[p.group]
		switch p.how {
		case 'r':
			zh, ok := reasonRules.translate(v, depth-1)
			if !ok {
				return "", false
			}
			v = zh
		case 'w':
			zh, ok := reasonWords[v]
			if !ok {
				return "", false
			}
			v = zh
		case 'd':
			if zh, ok := reasonDetails[v]; ok {
				v = zh
			}
		}
		b.WriteString(v)
	}
	return b.String(), true
}

// reasonWords are the words reasons are made of: JSON types, kinds of
// records, roles, verdicts.
var reasonWords = map[string]string{
	// JSON types (dataset's describeType, jsonType and tokenType).
	"a number": "数字", "number": "数字",
	"a boolean": "布尔值", "bool": "布尔值", "boolean": "布尔值",
	"an array": "数组", "array": "数组",
	"an object": "对象", "object": "对象",
	"a string": "字符串", "string": "字符串",
	"null": "null", "nothing": "空内容",
	// What must be a JSON object.
	"the dataset": "数据集", "a record": "记录", "a window": "时间窗", "available": "available（可参会时间）",
	// Referenced records.
	"person": "人员", "enterprise": "企业", "university": "高校", "enterprise or university": "企业或高校",
	// Kinds of records.
	"enterprises": "企业", "universities": "高校", "people": "人员", "problems": "技术难题",
	"offerings": "技术成果", "blocked": "禁止配对", "history": "历史对接",
	// Roles.
	"organizer": "组织者", "commissioner": "技术专员", "liaison": "高校联络员",
	// Verdicts of the review.
	"accept": "接受", "reject": "拒绝", "pin": "固定", "add": "添加",
	// Agendas.
	"draft": "草案", "published": "已发布",
	// Where encoding/json found a bad character.
	"looking for beginning of value":             "，此处应为一个值",
	"looking for beginning of object key string": "，此处应为对象的键（字符串）",
	"after object key":                           "，位于对象的键之后（应为冒号）",
	"after object key:value pair":                "，位于键值对之后（应为逗号或 }）",
	"after array element":                        "，位于数组元素之后（应为逗号或 ]）",
	"after top-level value":                      "，位于顶层值之后",
	"in string literal":                          "，位于字符串中",
	"in numeric literal":                         "，位于数字中",
	"after decimal point in numeric literal":     "，位于数字的小数点之后",
	"in exponent of numeric literal":             "，位于数字的指数部分",
	"in string escape code":                      "，位于字符串的转义序列中",
	`in \u hexadecimal character escape`:         `，位于 \u 十六进制转义序列中`,
}

// reasonDetails translate the commonest errors of libraries that reasons
// quote after a colon; any other is shown as it is.
var reasonDetails = map[string]string{
	"zip: not a valid zip file":    "不是有效的 zip 文件",
	"unexpected EOF":               "文件意外结束",
	"EOF":                          "文件意外结束",
	"http: request body too large": "请求内容过大",
	"multipart: NextPart: EOF":     "表单内容不完整",
}

// reasonRules translate the reasons of issues. More specific patterns come
// before more general ones that would match the same text.
var reasonRules = mustRules(
	// Anything (dataset).
	[2]string{"is required", "为必填项"},
	[2]string{"is not valid UTF-8", "不是有效的 UTF-8 编码"},
	[2]string{"invalid UTF-8", "不是有效的 UTF-8 编码（请将文件另存为 UTF-8）"},
	[2]string{`is not valid UTF-8 (save the file as UTF-8, e.g. Excel's "CSV UTF-8")`,
		`不是有效的 UTF-8 编码（请将文件另存为 UTF-8 编码，例如 Excel 的 "CSV UTF-8" 格式）`},
	[2]string{"is empty", "为空"},
	[2]string{"%d more issues not listed", "另有 {1} 个问题未列出"},

	// JSON (dataset).
	[2]string{"JSON syntax error: %s", "JSON 语法错误：{1r}"},
	[2]string{"unexpected end of input", "内容意外结束（缺少结尾的 } 或 ]？）"},
	[2]string{"unexpected end of JSON input", "内容意外结束（缺少结尾的 } 或 ]？）"},
	[2]string{"invalid character %c in literal %w (expecting %c)", "无效字符 {1}，位于 {2} 中（应为 {3}）"},
	[2]string{"invalid character %c %s", "无效字符 {1}{2w}"},
	[2]string{"unknown key %q (known: %s)", "未知的键 {1}（可用：{2}）"},
	[2]string{"%s must be a JSON object, not %s", "{1w}必须是 JSON 对象，而不是{2w}"},
	[2]string{"duplicate key", "重复的键"},
	[2]string{"must be a JSON array, not %s", "必须是 JSON 数组，而不是{1w}"},
	[2]string{"must be a string, not %s", "必须是字符串，而不是{1w}"},
	[2]string{"must be a list of strings", "必须是字符串列表"},
	[2]string{"must be an integer, not %s", "必须是整数，而不是 {1}"},
	[2]string{"must be an object mapping * or a fair id to windows, not %s",
		"必须是一个对象，以 * 或展会编号为键、时间窗列表为值，而不是{1w}"},
	[2]string{"%q must be a list of windows, not %s", "{1} 必须是时间窗列表，而不是{2w}"},
	[2]string{`must be a string "HH:MM", not %s`, `必须是 "HH:MM" 格式的字符串，而不是{1w}`},

	// Files, sheets and rows (dataset).
	[2]string{"unknown CSV file %q (known: %s)", "未知的 CSV 文件 {1}（可用：{2}）"},
	[2]string{"a second %w file", "重复的 {1} 文件：每种数据只能有一个文件"},
	[2]string{"not a readable zip archive: %s", "不是可读取的 zip 压缩包：{1d}"},
	[2]string{"cannot read from the zip archive: %s", "无法从 zip 压缩包中读取：{1d}"},
	[2]string{"unreadable XLSX workbook: %s", "无法读取的 XLSX 工作簿：{1d}"},
	[2]string{"not a readable XLSX workbook: %s", "不是可读取的 XLSX 工作簿：{1d}"},
	[2]string{"unknown sheet %q (known: %s)", "未知的工作表 {1}（可用：{2}）"},
	[2]string{"unreadable sheet: %s", "无法读取的工作表：{1d}"},
	[2]string{"unreadable row: %s", "无法读取的行：{1d}"},
	[2]string{"malformed CSV at line %d, column %d: %s", "CSV 格式错误，位于第 {1} 行第 {2} 列：{3r}"},
	[2]string{`bare " in non-quoted-field`, `未加引号的单元格中出现了引号 "（请给整个单元格加上引号，并把其中的 " 写成 ""）`},
	[2]string{`extraneous or missing " in quoted-field`, `带引号的单元格中引号 " 多余或缺失`},
	[2]string{"wrong number of fields", "单元格数目不对"},
	[2]string{"value in a column without a known header", "此列没有可识别的列名，却填了值"},
	[2]string{"column name is not valid UTF-8", "列名不是有效的 UTF-8 编码"},
	[2]string{"duplicate column", "重复的列"},
	[2]string{"unknown column %q (known: %s)", "未知的列 {1}（可用：{2}）"},
	[2]string{"missing required column", "缺少必需的列"},
	[2]string{"%q is not an integer", "{1} 不是整数"},
	[2]string{"item %d (%q) is not FAIR=HH:MM-HH:MM (FAIR a fair id or *)",
		"第 {1} 项（{2}）不符合 FAIR=HH:MM-HH:MM 格式（FAIR 为展会编号或 *）"},
	[2]string{"item %d (%q): window %q is not HH:MM-HH:MM", "第 {1} 项（{2}）：时间窗 {3} 不符合 HH:MM-HH:MM 格式"},

	// Fields of records (dataset).
	[2]string{"%q is not a plausible e-mail address", "{1} 不像是有效的电子邮件地址"},
	[2]string{"%q is not a fair id like 2027-03", "{1} 不是展会编号（格式如 2027-03）"},
	[2]string{"%q is neither * nor a fair id like 2027-03", "{1} 既不是 * 也不是展会编号（格式如 2027-03）"},
	[2]string{"%d is not a technology readiness level 1–9", "{1} 不是 1–9 级的技术成熟度（TRL）"},
	[2]string{"id %q contains whitespace", "编号 {1} 含有空白字符"},
	[2]string{"id %q contains a control character", "编号 {1} 含有控制字符"},
	[2]string{"id %q contains the list separator %c", "编号 {1} 含有列表分隔符 {2}"},
	[2]string{"contains the control character %U", "含有控制字符 {1}"},
	[2]string{"has %d characters, more than %d", "有 {1} 个字符，超过了上限 {2}"},
	[2]string{"has %d characters, at most %d are kept", "有 {1} 个字符，只保留前 {2} 个"},
	[2]string{"item %d repeats item %d (%q)", "第 {1} 项与第 {2} 项重复（{3}）"},
	[2]string{"item %d (%q) contains the list separator ;", "第 {1} 项（{2}）含有列表分隔符 ;"},
	[2]string{"%w window %d: from %q is not a time HH:MM", "{1} 的第 {2} 个时间窗：开始时间 {3} 不是 HH:MM 格式的时刻"},
	[2]string{"%w window %d: to %q is not a time HH:MM", "{1} 的第 {2} 个时间窗：结束时间 {3} 不是 HH:MM 格式的时刻"},
	[2]string{"%w window %d: from %s is not before to %s", "{1} 的第 {2} 个时间窗：开始时间 {3} 不早于结束时间 {4}"},
	[2]string{"%q is not one of %s", "{1} 不是以下之一：{2}"},
	[2]string{"duplicate of %s", "与 {1} 重复"},
	[2]string{"unknown %s %q", "未知的{1w} {2}"},
	[2]string{"item %d: %s", "第 {1} 项：{2r}"},
	[2]string{"item %d %s", "第 {1} 项{2r}"},

	// The fair's day and limits (config.CheckDay, config.CheckLimits).
	[2]string{"missing: the fair day needs at least one session", "缺少时段：展会日至少需要一个时段"},
	[2]string{"session has no name", "时段没有名称"},
	[2]string{"duplicate session name %q", "时段名称 {1} 重复"},
	[2]string{"%q is not a time of day (HH:MM)", "{1} 不是 HH:MM 格式的时刻"},
	[2]string{"session %q ends (%s) before it starts (%s)", "时段 {1} 的结束时间（{2}）不晚于开始时间（{3}）"},
	[2]string{"session %q starts before the previous session ends; sessions must be in order and disjoint",
		"时段 {1} 在上一个时段结束之前开始；各时段须按时间顺序排列且互不重叠"},
	[2]string{"session %q is shorter than one slot (%s)", "时段 {1} 短于一场会谈的时长（{2}）"},
	[2]string{"slot length must be positive, e.g. 20m", "会谈时长必须大于零，例如 20 分钟"},
	[2]string{"slot length must be whole minutes", "会谈时长必须是整分钟"},
	[2]string{"buffer must not be negative", "间隔时间不能为负数"},
	[2]string{"buffer must be whole minutes", "间隔时间必须是整分钟"},
	[2]string{"the fair needs at least one table", "展会至少需要一张洽谈桌"},
	[2]string{"the fair needs at least one table, got %d", "展会至少需要一张洽谈桌，实际为 {1}"},
	[2]string{"%d tables is more than any venue holds (max 10000)", "{1} 张洽谈桌超出了任何场地的容量（最多 10000 张）"},
	[2]string{"table names must be non-empty and distinct", "洽谈桌名称不能为空，且不能重复"},
	[2]string{"must not be negative (0 means no limit)", "不能为负数（0 表示不限）"},
	[2]string{"must lie in [0, 1], got %g", "必须在 0 到 1 之间，实际为 {1}"},

	// Accounts (auth).
	[2]string{"must be at most %d characters", "最多 {1} 个字符"},
	[2]string{"must be at least %d characters", "至少需要 {1} 个字符"},
	[2]string{"must be at most %d bytes", "最多 {1} 个字节"},
	[2]string{"must be at most %d bytes long", "最多 {1} 个字节"},
	[2]string{"must be lower-case letters a-z, digits and '.', '_', '-', starting with a letter or digit",
		"只能使用小写字母 a-z、数字和“.”“_”“-”，并以字母或数字开头"},
	[2]string{"must be valid UTF-8", "必须是有效的 UTF-8 编码"},
	[2]string{"must not contain whitespace or control characters", "不能含有空白字符或控制字符"},
	[2]string{"%q is reserved for the admin token", "{1} 保留给管理令牌使用"},
	[2]string{"must be valid UTF-8 of at most %d bytes", "必须是有效的 UTF-8 文本，最多 {1} 个字节"},
	[2]string{"must be valid UTF-8 of at most %d characters", "必须是有效的 UTF-8 文本，最多 {1} 个字符"},
	[2]string{"only a commissioner's account lists enterprises", "只有技术专员的账号才能列出企业"},
	[2]string{"only a liaison's account names a university", "只有高校联络员的账号才能指定高校"},
	[2]string{"a commissioner's account lists at least one enterprise", "技术专员的账号至少要列出一家企业"},
	[2]string{"%q is listed twice", "{1} 列出了两次"},
	[2]string{"is required: %w, %w or %w", "为必填项：{1}、{2} 或 {3}"},

	// Stored records (store).
	[2]string{"must not be empty", "不能为空"},
	[2]string{"must not contain a NUL character", "不能含有 NUL 字符"},
	[2]string{"%q is used by an earlier meeting", "{1} 已被前面的会谈使用"},
	[2]string{"%q is used by an earlier stage", "{1} 已被前面的阶段使用"},
	[2]string{`must not contain "/"`, `不能含有 "/"`},
	[2]string{"is %q, not the fair's id %q", "为 {1}，而不是展会的编号 {2}"},
	[2]string{"must be one of %s", "必须是以下之一：{1}"},
	[2]string{"must be a single line", "必须是单行文本"},
	[2]string{"empty e-mail address", "电子邮件地址为空"},
	[2]string{"e-mail address is not valid UTF-8", "电子邮件地址不是有效的 UTF-8 编码"},
	[2]string{"e-mail address is longer than 254 bytes", "电子邮件地址超过 254 个字节"},
	[2]string{"e-mail address %q must be a bare address (no spaces, names or angle brackets)",
		"电子邮件地址 {1} 只能是地址本身（不含空格、姓名或尖括号）"},
	[2]string{"e-mail address %q must be a bare address", "电子邮件地址 {1} 只能是地址本身"},
	[2]string{"e-mail address %q: domain %q is not a full domain name", "电子邮件地址 {1}：域名 {2} 不是完整的域名"},
	[2]string{"e-mail address %q: %s", "电子邮件地址 {1} 无效：{2d}"},

	// Review decisions (coordinator.ApplyDecisions, the review handlers).
	[2]string{"%w of %w–%w cannot apply: enterprise %q is not in the dataset", "对 {2}–{3} 的{1w}决定无法生效：企业 {4} 不在数据集中"},
	[2]string{"%w of %w–%w cannot apply: university %q is not in the dataset", "对 {2}–{3} 的{1w}决定无法生效：高校 {4} 不在数据集中"},
	[2]string{"%w of %w–%w is refused: the pair is blocked (%s)", "对 {2}–{3} 的{1w}决定被拒绝：这一对已被禁止配对（{4}）"},
	[2]string{"%w of %w–%w is refused: the pair is blocked", "对 {2}–{3} 的{1w}决定被拒绝：这一对已被禁止配对"},
	[2]string{"%w of %w–%w: problem %q is not in the dataset; item left out", "对 {2}–{3} 的{1w}决定：技术难题 {4} 不在数据集中，已略去该议题"},
	[2]string{"%w of %w–%w: problem %q is enterprise %w's; item left out", "对 {2}–{3} 的{1w}决定：技术难题 {4} 属于企业 {5}，已略去该议题"},
	[2]string{"%w of %w–%w: offering %q is not in the dataset; item left out", "对 {2}–{3} 的{1w}决定：技术成果 {4} 不在数据集中，已略去该议题"},
	[2]string{"%w of %w–%w: offering %q is university %w's; item left out", "对 {2}–{3} 的{1w}决定：技术成果 {4} 属于高校 {5}，已略去该议题"},
	[2]string{"%w of %w–%w: item %w–%w is listed twice; left out once", "对 {2}–{3} 的{1w}决定：议题 {4}–{5} 列出了两次，已略去一次"},
	[2]string{"%w of %w–%w: person %q is not in the dataset; left out", "对 {2}–{3} 的{1w}决定：人员 {4} 不在数据集中，已略去"},
	[2]string{"%w of %w–%w: %w belongs to neither %w nor %w; left out", "对 {2}–{3} 的{1w}决定：{4} 既不属于 {5} 也不属于 {6}，已略去"},
	[2]string{"%w of %w–%w cannot apply: no item left to discuss", "对 {2}–{3} 的{1w}决定无法生效：没有剩下可讨论的议题"},
	[2]string{"%w of %w–%w cannot apply: nobody attends for enterprise %w", "对 {2}–{3} 的{1w}决定无法生效：企业 {4} 方无人参加"},
	[2]string{"%w of %w–%w cannot apply: nobody attends for university %w", "对 {2}–{3} 的{1w}决定无法生效：高校 {4} 方无人参加"},
	[2]string{"%w of %w–%w cannot be kept: the pair is no longer proposed and the decision stores no items",
		"对 {2}–{3} 的{1w}决定无法保留：这一对已不在推荐之列，而该决定没有保存议题"},
	[2]string{"unknown verdict %q on %w–%w; ignored", "对 {2}–{3} 的决定 {1} 无法识别，已忽略"},
	[2]string{"%w–%w is decided again by decisions[%d], which counts", "{1}–{2} 又由 decisions[{3}] 作了决定，以后者为准"},
	[2]string{"no enterprise %q", "没有企业 {1}"},
	[2]string{"no university %q", "没有高校 {1}"},
	[2]string{"choose an enterprise", "请选择一家企业"},
	[2]string{"choose a university", "请选择一所高校"},
	[2]string{"choose a problem and an offering", "请选择一个技术难题和一项技术成果"},
	[2]string{"enterprise and university are required", "企业和高校均为必填项"},

	// Uploads outside the uploader's scope (the data handlers).
	[2]string{"a %w may not upload %w", "{1w}不能上传{2w}"},
	[2]string{"enterprise %q is not one of your enterprises (%s)", "企业 {1} 不在您负责的企业（{2}）之列"},
	[2]string{"problem %w belongs to enterprise %q, not one of your enterprises (%s)", "技术难题 {1} 属于企业 {2}，不在您负责的企业（{3}）之列"},
	[2]string{"university %q is not your university (%s)", "高校 {1} 不是您所在的高校（{2}）"},
	[2]string{"offering %w belongs to university %q, not your university (%s)", "技术成果 {1} 属于高校 {2}，而不是您所在的高校（{3}）"},
	[2]string{"organization %q is not your enterprises (%s)", "单位 {1} 不在您负责的企业（{2}）之列"},
	[2]string{"organization %q is not your university (%s)", "单位 {1} 不是您所在的高校（{2}）"},
	[2]string{"person %w belongs to %q, not your enterprises (%s)", "人员 {1} 属于 {2}，不在您负责的企业（{3}）之列"},
	[2]string{"person %w belongs to %q, not your university (%s)", "人员 {1} 属于 {2}，而不是您所在的高校（{3}）"},
	[2]string{"this account may not upload data", "此账号不能上传数据"},
	[2]string{"and %d more records outside your scope", "另有 {1} 条记录超出您的权限范围"},

	// Other forms and queries of the pages.
	[2]string{"%q is not a state", "{1} 不是有效的状态"},
	[2]string{"%q is not a positive number", "{1} 不是正数"},
	[2]string{"%q is not a year", "{1} 不是年份"},
	[2]string{"say why, so that the organizers can act on it", "请说明原因，以便组织者处理"},
	[2]string{"must be decline, move or outcome", "必须是 decline、move 或 outcome 之一"},
	[2]string{"more than one JSON value", "含有多个 JSON 值"},
)

// messageRules translate the messages of errors the pages show.
var messageRules = mustRules(
	// Uploads.
	[2]string{"dataset %s: %d issues", "数据集 {1}：{2} 个问题"},
	[2]string{"dataset %s: 1 issue", "数据集 {1}：1 个问题"},
	[2]string{"dataset %s: unsupported format %q (want .json, .csv, .zip or .xlsx)",
		"数据集 {1}：不支持的格式 {2}（应为 .json、.csv、.zip 或 .xlsx）"},
	[2]string{"import refused: %d issue(s); nothing was stored", "导入被拒绝：共 {1} 个问题；未保存任何数据"},
	[2]string{"import refused: %d bad record(s); nothing was stored", "导入被拒绝：{1} 条记录有误；未保存任何数据"},
	[2]string{"upload is larger than %d MiB; nothing was stored", "上传的内容超过 {1} MiB；未保存任何数据"},
	[2]string{"reading the upload: %s", "读取上传内容时出错：{1d}"},
	[2]string{"unknown export format %q (want json, xlsx or zip)", "未知的导出格式 {1}（应为 json、xlsx 或 zip）"},

	// Settings and accounts.
	[2]string{"settings of fair %s not saved", "展会 {1} 的设置未保存"},
	[2]string{"account %q cannot be created", "无法创建账号 {1}"},
	[2]string{"account %q cannot be updated", "无法更新账号 {1}"},
	[2]string{"password of %q cannot be set", "无法设置 {1} 的密码"},
	[2]string{"login %q is taken", "登录名 {1} 已被占用"},
	[2]string{"no account %q", "没有账号 {1}"},
	[2]string{"no account action %q", "没有账号操作 {1}"},
	[2]string{"accounts are not configured", "账号功能未配置"},
	[2]string{"wrong login or password", "登录名或密码错误"},
	[2]string{"account %w is disabled; ask an organizer", "账号 {1} 已停用，请联系组织者"},
	[2]string{"account %w is disabled", "账号 {1} 已停用"},
	[2]string{"this link has expired or was revoked; ask the organizer for a new one", "此链接已过期或已被撤销，请向组织者索取新链接"},
	[2]string{"this calendar address is no longer valid; ask the organizer for a new one", "此日历地址已失效，请向组织者索取新地址"},
	[2]string{"person id cannot be used", "无法使用该人员编号"},
	[2]string{"sign-in is not configured", "登录功能未配置"},
	[2]string{"the login form could not be read", "无法读取登录表单"},
	[2]string{"internal error", "内部错误"},

	// Fairs, stages and agendas.
	[2]string{"fair %q not found", "找不到展会 {1}"},
	[2]string{"stage %q not found", "找不到阶段 {1}"},
	[2]string{"fair %w has no stage %q", "展会 {1} 没有阶段 {2}"},
	[2]string{"fair %w: no problems imported; import a dataset first", "展会 {1}：尚未导入技术难题，请先导入数据"},
	[2]string{"fair %w: no meetings proposed; run the match stage first (or add meetings in review)",
		"展会 {1}：尚无推荐的会谈，请先运行匹配阶段（或在审核中手动添加会谈）"},
	[2]string{"fair %w: no agenda to publish; run the agenda stage first", "展会 {1}：没有可发布的日程，请先运行日程阶段"},
	[2]string{"fair %w: no agenda to publish", "展会 {1}：没有可发布的日程"},
	[2]string{"fair %q has no published agenda yet", "展会 {1} 尚未发布日程"},
	[2]string{"fair %q has no draft agenda yet; run the agenda stage", "展会 {1} 尚无日程草案，请运行日程阶段"},
	[2]string{"fair %w has no %w agenda yet", "展会 {1} 尚无{2w}日程"},

	// Review.
	[2]string{"the decision cannot be read", "无法读取该决定"},
	[2]string{"the decision cannot be stored", "无法保存该决定"},
	[2]string{"decision cannot be stored", "无法保存该决定"},
	[2]string{"the meeting cannot be added", "无法添加该会谈"},
	[2]string{"no decision named", "未指明决定"},
	[2]string{"the %w of %w–%w cannot be stored", "无法保存对 {2}–{3} 的{1w}决定"},
	[2]string{"%w–%w is not proposed for fair %w; add the meeting by hand instead", "{1}–{2} 不在展会 {3} 的推荐之列，请改为手动添加会谈"},
	[2]string{"the decision form cannot be read: %s", "无法读取决定表单：{1d}"},

	// Participants.
	[2]string{"the response cannot be saved", "无法保存该回复"},
	[2]string{"response cannot be stored", "无法保存该回复"},
	[2]string{"the form could not be read: %s", "无法读取表单：{1d}"},
	[2]string{"the retry form could not be read: %s", "无法读取重发表单：{1d}"},
	[2]string{"you have no meeting %q at fair %w", "您在展会 {2} 没有会谈 {1}"},
	[2]string{"meeting %w was cancelled", "会谈 {1} 已取消"},
	[2]string{"the outcome can be reported once the fair is over", "展会结束后才能报告成果"},
	[2]string{"the fair is over; report the outcome instead", "展会已结束，请改为报告成果"},
	[2]string{"you may not see the schedule of %w", "您无权查看 {1} 的日程"},
	[2]string{"you may not see the calendar of %w", "您无权查看 {1} 的日历"},
	[2]string{"your account may not see %w's day", "您的账号无权查看 {1} 当天的安排"},
	[2]string{"%w is not a person of the dataset", "{1} 不是数据集中的人员"},
	[2]string{"%w has no meeting at fair %w", "{1} 在展会 {2} 没有会谈"},
	[2]string{"no person %q in the dataset", "数据集中没有人员 {1}"},
	[2]string{"no person %q", "没有人员 {1}"},
	[2]string{"personal links are not configured", "个人链接功能未配置"},
	[2]string{"calendar feeds are not configured", "日历订阅功能未配置"},
	[2]string{"links cannot be mailed: mail is not configured", "无法发送链接：邮件功能未配置"},
	[2]string{"too many link requests; try again later", "链接请求过多，请稍后再试"},
	[2]string{"no e-mail address", "没有电子邮件地址"},
	[2]string{"this account has no participant schedule", "此账号没有参会日程"},
	[2]string{"open the personal link from your e-mail first", "请先打开电子邮件中的个人链接"},
	[2]string{"the body is larger than %d KiB", "请求内容超过 {1} KiB"},
)

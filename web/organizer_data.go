package web

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
	"github.com/fairmatch/fairmatch/dataset"
	"github.com/fairmatch/fairmatch/store"
)

// dataMessages are the data page's texts.
var dataMessages = catalog{
	"organizer.data.title":        {"数据", "Data"},
	"organizer.data.stored":       {"已存储的记录", "Stored records"},
	"organizer.data.kind":         {"类别", "Kind"},
	"organizer.data.count":        {"数量", "Count"},
	"organizer.data.total":        {"合计", "Total"},
	"organizer.data.upload":       {"上传数据", "Upload data"},
	"organizer.data.uploadhint":   {"支持 JSON、XLSX 工作簿、CSV 压缩包（zip）或单个 CSV 文件（请选择其类别），最大 %d MiB。上传后先检查，确认无误后才会存储。", "JSON, an XLSX workbook, a zip of CSV files or a single CSV file (choose its kind), at most %d MiB. The upload is checked first and stored only when you confirm."},
	"organizer.data.file":         {"文件", "File"},
	"organizer.data.csvkind":      {"单个 CSV 文件的类别", "Kind of a single CSV file"},
	"organizer.data.byname":       {"按文件名判断", "from the file name"},
	"organizer.data.check":        {"检查", "Check"},
	"organizer.data.download":     {"下载", "Download"},
	"organizer.data.downloadhint": {"导出的表格中以 = + - @ 开头的单元格已加前缀 '，防止被当作公式执行；再次导入时会自动去掉。", "In exported sheets, cells starting with = + - @ get a leading ' so spreadsheets do not run them as formulas; importing removes it again."},
	"organizer.data.json":         {"JSON 文件", "JSON file"},
	"organizer.data.xlsx":         {"XLSX 工作簿", "XLSX workbook"},
	"organizer.data.zip":          {"CSV 文件（zip）", "CSV files (zip)"},
	"organizer.data.scope.all":    {"您可以上传和下载全部数据。", "You may upload and download all data."},
	"organizer.data.scope.comm":   {"您只能上传和下载所负责企业（%s）的难题和人员。", "You may upload and download only the problems and people of your enterprises (%s)."},
	"organizer.data.scope.liai":   {"您只能上传和下载本校（%s）的技术成果和人员。", "You may upload and download only the offerings and people of your university (%s)."},
	"organizer.data.storedok":     {"已存储 %d 条记录。", "%d records stored."},
	"organizer.data.report":       {"检查结果", "Check report"},
	"organizer.data.bad":          {"%s：发现 %d 个问题，未存储任何数据。请修改文件后重新上传。", "%s: %d issue(s) found; nothing was stored. Fix the file and upload it again."},
	"organizer.data.clean":        {"%s：检查通过。存储后将有以下变化：", "%s: the check passed. Storing it would change this:"},
	"organizer.data.new":          {"新增", "New"},
	"organizer.data.updated":      {"更新", "Updated"},
	"organizer.data.unchanged":    {"不变", "Unchanged"},
	"organizer.data.store":        {"存储", "Store"},
	"organizer.data.storeconfirm": {"确定存储这些数据吗？", "Store this data?"},
	"organizer.data.again":        {"重新上传", "Upload another file"},
	"organizer.data.expires":      {"检查结果保留一小时。", "The checked upload is kept for an hour."},
	"organizer.data.expired":      {"此次上传已过期或不存在，请重新上传并检查。", "This upload has expired or does not exist; upload and check it again."},
	"organizer.data.nofile":       {"请选择要上传的文件。", "Choose a file to upload."},
	"organizer.data.toolarge":     {"文件超过 %d MiB，未存储任何数据。", "The upload is larger than %d MiB; nothing was stored."},
	"organizer.data.needkind":     {"单个 CSV 文件需要选择类别，或使用类别作为文件名（如 problems.csv）。", "A single CSV file needs its kind: choose it, or name the file after it (like problems.csv)."},
	"organizer.data.notform":      {"上传表单无法读取。", "The upload form could not be read."},
	"organizer.data.format":       {"不支持的文件类型 %q：请上传 .json、.xlsx、.zip 或 .csv 文件。", "Unsupported file type %q: upload a .json, .xlsx, .zip or .csv file."},
	"organizer.kind.enterprises":  {"企业", "Enterprises"},
	"organizer.kind.universities": {"高校", "Universities"},
	"organizer.kind.people":       {"人员", "People"},
	"organizer.kind.problems":     {"技术难题", "Problems"},
	"organizer.kind.offerings":    {"技术成果", "Offerings"},
	"organizer.kind.blocked":      {"禁止配对", "Blocked pairs"},
	"organizer.kind.history":      {"历史对接", "History"},
}

// datasetKinds are the kinds of records of a dataset, in formats.md order.
var datasetKinds = []string{"enterprises", "universities", "people", "problems", "offerings", "blocked", "history"}

// exportFormats are the download formats (GET /data/export.<format>).
var exportFormats = []string{"json", "xlsx", "zip"}

// kindCount is a number of records of one kind.
type kindCount struct {
	Kind string
	N    int
}

func counts(ds *fairmatch.Dataset) map[string]int {
	return map[string]int{
		"enterprises": len(ds.Enterprises), "universities": len(ds.Universities), "people": len(ds.People),
		"problems": len(ds.Problems), "offerings": len(ds.Offerings), "blocked": len(ds.Blocked), "history": len(ds.History),
	}
}

func countList(ds *fairmatch.Dataset) ([]kindCount, int) {
	m := counts(ds)
	out := make([]kindCount, len(datasetKinds))
	total := 0
	for i, k := range datasetKinds {
		out[i] = kindCount{Kind: k, N: m[k]}
		total += m[k]
	}
	return out, total
}

// uploadKinds are the kinds a principal may upload.
func uploadKinds(p *auth.Principal) []string {
	switch {
	case p.IsOrganizer():
		return datasetKinds
	case p.Account.Role == auth.RoleCommissioner:
		return []string{"people", "problems"}
	case p.Account.Role == auth.RoleLiaison:
		return []string{"people", "offerings"}
	}
	return nil
}

// scopeDataset returns the part of ds principal p may see and change: all
// of it for an organizer; a commissioner's enterprises' problems and
// people; a liaison's university's offerings and people.
func scopeDataset(ds *fairmatch.Dataset, p *auth.Principal) *fairmatch.Dataset {
	if p.IsOrganizer() {
		return ds
	}
	out := &fairmatch.Dataset{}
	var org func(string) bool
	switch p.Account.Role {
	case auth.RoleCommissioner:
		org = p.CanEditEnterprise
		for _, pr := range ds.Problems {
			if p.CanEditEnterprise(pr.Enterprise) {
				out.Problems = append(out.Problems, pr)
			}
		}
	case auth.RoleLiaison:
		org = p.CanEditUniversity
		for _, o := range ds.Offerings {
			if p.CanEditUniversity(o.University) {
				out.Offerings = append(out.Offerings, o)
			}
		}
	default:
		return out
	}
	for _, pe := range ds.People {
		if org(pe.Org) {
			out.People = append(out.People, pe)
		}
	}
	return out
}

// scopeNote is the data page's sentence on what p may upload (a message
// key and its argument).
func scopeNote(p *auth.Principal) (string, string) {
	switch {
	case p.IsOrganizer():
		return "organizer.data.scope.all", ""
	case p.Account.Role == auth.RoleCommissioner:
		return "organizer.data.scope.comm", strings.Join(p.Account.Enterprises, ", ")
	default:
		return "organizer.data.scope.liai", p.Account.University
	}
}

// maxScopeIssues bounds the scope issues of one upload, like
// dataset.MaxIssues bounds the others.
const maxScopeIssues = dataset.MaxIssues

// scopeIssues lists every record of ds that p may not upload: a kind that
// is not theirs, a problem, offering or person of another organization, or
// one that updates a stored record of another organization. Records are
// named by JSON path ("problems[3]"), file by name.
func scopeIssues(p *auth.Principal, ds, base *fairmatch.Dataset, name string) []fairmatch.Issue {
	if p.IsOrganizer() {
		return nil
	}
	var is []fairmatch.Issue
	more := 0
	add := func(kind string, i int, field, reason string) {
		if len(is) >= maxScopeIssues {
			more++
			return
		}
		is = append(is, fairmatch.Issue{File: name, Record: fmt.Sprintf("%s[%d]", kind, i), Field: field, Reason: reason})
	}
	role := p.Account.Role
	refuse := func(kind string, n int, field string) {
		for i := range n {
			add(kind, i, field, fmt.Sprintf("a %s may not upload %s", role, kind))
		}
	}
	var own func(string) bool
	var whose string
	switch role {
	case auth.RoleCommissioner:
		own, whose = p.CanEditEnterprise, "your enterprises ("+strings.Join(p.Account.Enterprises, ", ")+")"
		refuse("enterprises", len(ds.Enterprises), "id")
		refuse("universities", len(ds.Universities), "id")
		refuse("offerings", len(ds.Offerings), "university")
		stored := indexByKey(base.Problems, func(x fairmatch.Problem) string { return x.ID })
		for i, pr := range ds.Problems {
			if !own(pr.Enterprise) {
				add("problems", i, "enterprise", fmt.Sprintf("enterprise %q is not one of %s", pr.Enterprise, whose))
			} else if old, ok := stored[pr.ID]; ok && !own(old.Enterprise) {
				add("problems", i, "id", fmt.Sprintf("problem %s belongs to enterprise %q, not one of %s", pr.ID, old.Enterprise, whose))
			}
		}
	case auth.RoleLiaison:
		own, whose = p.CanEditUniversity, "your university ("+p.Account.University+")"
		refuse("enterprises", len(ds.Enterprises), "id")
		refuse("universities", len(ds.Universities), "id")
		refuse("problems", len(ds.Problems), "enterprise")
		stored := indexByKey(base.Offerings, func(x fairmatch.Offering) string { return x.ID })
		for i, o := range ds.Offerings {
			if !own(o.University) {
				add("offerings", i, "university", fmt.Sprintf("university %q is not %s", o.University, whose))
			} else if old, ok := stored[o.ID]; ok && !own(old.University) {
				add("offerings", i, "id", fmt.Sprintf("offering %s belongs to university %q, not %s", o.ID, old.University, whose))
			}
		}
	default:
		return []fairmatch.Issue{{File: name, Reason: "this account may not upload data"}}
	}
	refuse("blocked", len(ds.Blocked), "enterprise")
	refuse("history", len(ds.History), "enterprise")
	stored := indexByKey(base.People, func(x fairmatch.Person) string { return x.ID })
	for i, pe := range ds.People {
		if !own(pe.Org) {
			add("people", i, "org", fmt.Sprintf("organization %q is not %s", pe.Org, whose))
		} else if old, ok := stored[pe.ID]; ok && !own(old.Org) {
			add("people", i, "id", fmt.Sprintf("person %s belongs to %q, not %s", pe.ID, old.Org, whose))
		}
	}
	if more > 0 {
		is = append(is, fairmatch.Issue{File: name, Reason: fmt.Sprintf("and %d more records outside your scope", more)})
	}
	return is
}

func indexByKey[T any](recs []T, key func(T) string) map[string]T {
	m := make(map[string]T, len(recs))
	for _, r := range recs {
		m[key(r)] = r
	}
	return m
}

// kindChange says what storing an upload would do to one kind.
type kindChange struct {
	Kind      string `json:"kind"`
	New       int    `json:"new"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
}

// diffKind compares the records of an upload with the stored ones by key.
func diffKind[T any](kind string, base, up []T, key func(T) string) kindChange {
	c := kindChange{Kind: kind}
	stored := make(map[string][]byte, len(base))
	for _, r := range base {
		b, _ := json.Marshal(r)
		stored[key(r)] = b
	}
	for _, r := range up {
		old, ok := stored[key(r)]
		switch b, _ := json.Marshal(r); {
		case !ok:
			c.New++
		case bytes.Equal(old, b):
			c.Unchanged++
		default:
			c.Updated++
		}
	}
	return c
}

// changes lists, per kind present in ds, its new, updated and unchanged
// records against base.
func uploadChanges(ds, base *fairmatch.Dataset) []kindChange {
	pair := func(a, b string) string { return a + "\x00" + b }
	all := []kindChange{
		diffKind("enterprises", base.Enterprises, ds.Enterprises, func(x fairmatch.Enterprise) string { return x.ID }),
		diffKind("universities", base.Universities, ds.Universities, func(x fairmatch.University) string { return x.ID }),
		diffKind("people", base.People, ds.People, func(x fairmatch.Person) string { return x.ID }),
		diffKind("problems", base.Problems, ds.Problems, func(x fairmatch.Problem) string { return x.ID }),
		diffKind("offerings", base.Offerings, ds.Offerings, func(x fairmatch.Offering) string { return x.ID }),
		diffKind("blocked", base.Blocked, ds.Blocked, func(x fairmatch.Blocked) string { return pair(x.Enterprise, x.University) }),
		diffKind("history", base.History, ds.History, func(x fairmatch.History) string {
			return pair(pair(x.Enterprise, x.University), x.Fair)
		}),
	}
	return slices.DeleteFunc(all, func(c kindChange) bool { return c.New+c.Updated+c.Unchanged == 0 })
}

// check runs everything an import checks, without storing: p's scope and
// dataset.Validate against the stored dataset. It returns the issues (file
// names filled in) and, when there are none, the changes.
func (s *Server) check(p *auth.Principal, name string, ds *fairmatch.Dataset) ([]fairmatch.Issue, []kindChange, error) {
	var base *fairmatch.Dataset
	if err := s.DB.View(func(tx *store.Tx) (err error) { base, err = tx.Dataset(); return err }); err != nil {
		return nil, nil, fmt.Errorf("check %s: %w", name, err)
	}
	issues := scopeIssues(p, ds, base, name)
	for _, is := range dataset.Validate(ds, base) {
		if is.File == "" {
			is.File = name
		}
		issues = append(issues, is)
	}
	if len(issues) > 0 {
		return issues, nil, nil
	}
	return nil, uploadChanges(ds, base), nil
}

// importScoped stores ds through the coordinator with p's scope checked
// again inside the import's transaction, so that a record whose owner
// changed since the check cannot slip through.
func (s *Server) importScoped(p *auth.Principal, name string, ds *fairmatch.Dataset) (*fairmatch.Dataset, error) {
	return s.Coord.ImportChecked(name, ds, func(base *fairmatch.Dataset) error {
		if is := scopeIssues(p, ds, base, name); len(is) > 0 {
			return fairmatch.Invalid(fmt.Sprintf("import refused: %d record(s) outside this account's scope; nothing was stored", len(is)), is)
		}
		return nil
	})
}

// uploadLimit is the largest upload accepted.
func (s *Server) uploadLimit() int64 {
	if s.MaxUpload > 0 {
		return s.MaxUpload
	}
	return DefaultMaxUpload
}

// multipartSlack is what a multipart form may add to the file it carries.
const multipartSlack = 64 << 10

// readUpload reads the data page's form: the file and, for a single CSV
// file, its kind. It returns the name to parse the data under.
func (s *Server) readUpload(w http.ResponseWriter, r *http.Request) (string, []byte, error) {
	lang, limit := language(r), s.uploadLimit()
	tooLarge := fairmatch.Errorf(fairmatch.EINVALID, translate(lang, "organizer.data.toolarge"), limit>>20)
	r.Body = http.MaxBytesReader(w, r.Body, limit+multipartSlack)
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, fairmatch.Errorf(fairmatch.EINVALID, "%s", translate(lang, "organizer.data.notform"))
	}
	var (
		kind, filename string
		data           []byte
	)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				return "", nil, tooLarge
			}
			return "", nil, fairmatch.Errorf(fairmatch.EINVALID, "%s", translate(lang, "organizer.data.notform"))
		}
		switch part.FormName() {
		case "kind":
			b, _ := io.ReadAll(io.LimitReader(part, 64))
			kind = strings.TrimSpace(string(b))
		case "file":
			filename = part.FileName()
			data, err = io.ReadAll(io.LimitReader(part, limit+1))
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok || int64(len(data)) > limit {
				return "", nil, tooLarge
			}
			if err != nil {
				return "", nil, fairmatch.Errorf(fairmatch.EINVALID, "%s", translate(lang, "organizer.data.notform"))
			}
		}
		_ = part.Close()
	}
	if filename == "" || len(data) == 0 {
		return "", nil, fairmatch.Errorf(fairmatch.EINVALID, "%s", translate(lang, "organizer.data.nofile"))
	}
	base := path.Base(strings.ReplaceAll(filename, `\`, "/"))
	ext := strings.ToLower(path.Ext(base))
	switch ext {
	case ".json", ".xlsx", ".zip":
		return base, data, nil
	case ".csv":
		if kind == "" {
			kind = strings.ToLower(strings.TrimSuffix(base, path.Ext(base)))
		}
		if !slices.Contains(datasetKinds, kind) {
			return "", nil, fairmatch.Errorf(fairmatch.EINVALID, "%s", translate(lang, "organizer.data.needkind"))
		}
		return kind + ".csv", data, nil
	}
	return "", nil, fairmatch.Errorf(fairmatch.EINVALID, translate(lang, "organizer.data.format"), ext)
}

// dataView is the data page's data.
type dataView struct {
	Counts    []kindCount
	Total     int
	Kinds     []string // what the principal may upload
	ScopeKey  string
	ScopeArg  string
	LimitMiB  int64
	StoredN   int  // records just stored
	StoredMsg bool // show StoredN
}

func (s *Server) dataPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var ds *fairmatch.Dataset
	if err := s.DB.View(func(tx *store.Tx) (err error) { ds, err = tx.Dataset(); return err }); err != nil {
		return err
	}
	v := dataView{Kinds: uploadKinds(p), LimitMiB: s.uploadLimit() >> 20}
	v.Counts, v.Total = countList(scopeDataset(ds, p))
	v.ScopeKey, v.ScopeArg = scopeNote(p)
	if n, err := strconv.Atoi(r.URL.Query().Get("stored")); err == nil && n >= 0 {
		v.StoredN, v.StoredMsg = n, true
	}
	s.render(w, r, http.StatusOK, "data", "organizer.data.title", p, v)
	return nil
}

func (s *Server) dataAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var ds *fairmatch.Dataset
	if err := s.DB.View(func(tx *store.Tx) (err error) { ds, err = tx.Dataset(); return err }); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"counts": counts(scopeDataset(ds, p)), "kinds": uploadKinds(p)})
	return nil
}

// checkView is the upload report's data.
type checkView struct {
	Name    string
	Message string // a problem with the upload itself
	Issues  []fairmatch.Issue
	Changes []kindChange
	ID      string // the checked upload, when it may be stored
}

// renderCheck shows the upload report; status 400 when anything is wrong.
func (s *Server) renderCheck(w http.ResponseWriter, r *http.Request, p *auth.Principal, v checkView) {
	status := http.StatusOK
	if v.ID == "" {
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "data_check", "organizer.data.report", p, v)
}

// invalidToCheck turns an EINVALID error into the report's message and
// issues; any other error is returned.
func invalidToCheck(v *checkView, err error) error {
	if fairmatch.ErrorCode(err) != fairmatch.EINVALID {
		return err
	}
	v.Message, v.Issues = messageOf(err), fairmatch.ErrorIssues(err)
	return nil
}

// checkUploadPage parses and checks an upload and shows the row-by-row
// report; a clean upload is kept for the "store" button.
func (o *organizer) checkUploadPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var v checkView
	name, data, err := o.readUpload(w, r)
	if err != nil {
		if err := invalidToCheck(&v, err); err != nil {
			return err
		}
		o.renderCheck(w, r, p, v)
		return nil
	}
	v.Name = name
	ds, err := dataset.Parse(name, data)
	if err != nil {
		if err := invalidToCheck(&v, err); err != nil {
			return err
		}
		o.renderCheck(w, r, p, v)
		return nil
	}
	if v.Issues, v.Changes, err = o.check(p, name, ds); err != nil {
		return err
	}
	if len(v.Issues) == 0 {
		v.ID = o.uploads.put(checkedUpload{Owner: p.Account.Login, Name: name, Dataset: ds, Size: int64(len(data))})
	}
	o.renderCheck(w, r, p, v)
	return nil
}

// importUploadPage stores a checked upload through the coordinator, which
// validates it again against what is stored now: all or nothing.
func (o *organizer) importUploadPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	u, ok := o.uploads.get(r.PathValue("id"), p.Account.Login)
	if !ok {
		return fairmatch.Errorf(fairmatch.ENOTFOUND, "%s", translate(language(r), "organizer.data.expired"))
	}
	v := checkView{Name: u.Name}
	issues, _, err := o.check(p, u.Name, u.Dataset)
	if err != nil {
		return err
	}
	if len(issues) == 0 {
		_, err = o.importScoped(p, u.Name, u.Dataset)
		if err != nil {
			if err := invalidToCheck(&v, err); err != nil {
				return err
			}
			issues = v.Issues
		}
	}
	if len(issues) > 0 {
		o.uploads.remove(u.ID)
		v.Issues = issues
		o.renderCheck(w, r, p, v)
		return nil
	}
	o.uploads.remove(u.ID)
	_, n := countList(u.Dataset)
	o.log().Info("dataset imported", "name", u.Name, "records", n, "by", p.Account.Login)
	http.Redirect(w, r, "/data?stored="+strconv.Itoa(n), http.StatusSeeOther)
	return nil
}

// importDataset is POST /api/import: a dataset as JSON, an XLSX workbook or
// a zip of CSV files (?name= names it in messages and picks the format,
// else the Content-Type decides; a single CSV file needs ?name=<kind>.csv).
// With ?dry_run=1 it checks the upload as the import would (the principal's
// scope, dataset.Validate against the stored data) and reports what would
// change, storing nothing. Commissioners and liaisons may upload their own
// records only.
func (s *Server) importDataset(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	limit := s.uploadLimit()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return fairmatch.Errorf(fairmatch.EINVALID, "upload is larger than %d MiB; nothing was stored", limit>>20)
		}
		return fairmatch.Errorf(fairmatch.EINVALID, "reading the upload: %v", err)
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		switch {
		case strings.Contains(ct, "spreadsheetml"):
			name = "upload.xlsx"
		case strings.Contains(ct, "zip"):
			name = "upload.zip"
		case strings.Contains(ct, "csv"):
			return fairmatch.Errorf(fairmatch.EINVALID, "a single CSV upload needs ?name=<kind>.csv (e.g. problems.csv)")
		default:
			name = "upload.json"
		}
	}
	ds, err := dataset.Parse(name, body)
	if err != nil {
		return err
	}
	issues, diff, err := s.check(p, name, ds)
	if err != nil {
		return err
	}
	if len(issues) > 0 {
		return fairmatch.Invalid(fmt.Sprintf("import refused: %d issue(s); nothing was stored", len(issues)), issues)
	}
	if dry, _ := strconv.ParseBool(r.URL.Query().Get("dry_run")); dry {
		if diff == nil {
			diff = []kindChange{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"dry_run": true, "records": counts(ds), "changes": diff})
		return nil
	}
	merged, err := s.importScoped(p, name, ds)
	if err != nil {
		return err
	}
	s.log().Info("dataset imported", "name", name, "by", p.Account.Login)
	writeJSON(w, http.StatusOK, map[string]any{
		"imported": counts(ds),
		"stored":   counts(scopeDataset(merged, p)),
	})
	return nil
}

// exportFile encodes the part of the stored dataset p may see in format
// (json, xlsx or zip of CSV files).
func (s *Server) exportFile(p *auth.Principal, format string) (body []byte, contentType, filename string, err error) {
	var ds *fairmatch.Dataset
	if err := s.DB.View(func(tx *store.Tx) (err error) { ds, err = tx.Dataset(); return err }); err != nil {
		return nil, "", "", err
	}
	ds = scopeDataset(ds, p)
	filename = "fairmatch-dataset-" + s.now().Format("20060102") + "." + format
	switch format {
	case "json":
		body, err = dataset.EncodeJSON(ds)
		contentType = "application/json; charset=utf-8"
	case "xlsx":
		body, err = dataset.EncodeXLSX(ds)
		contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case "zip":
		body, err = s.zipCSV(ds)
		contentType = "application/zip"
	default:
		return nil, "", "", fairmatch.Errorf(fairmatch.EINVALID, "unknown export format %q (want json, xlsx or zip)", format)
	}
	if err != nil {
		return nil, "", "", fmt.Errorf("export dataset as %s: %w", format, err)
	}
	return body, contentType, filename, nil
}

// zipCSV writes the dataset's CSV files into a zip, in formats.md order.
func (s *Server) zipCSV(ds *fairmatch.Dataset) ([]byte, error) {
	files, err := dataset.EncodeCSV(ds)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, k := range datasetKinds {
		name := k + ".csv"
		data, ok := files[name]
		if !ok {
			continue
		}
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: s.now()})
		if err != nil {
			return nil, err
		}
		if _, err := f.Write(data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (s *Server) writeExport(w http.ResponseWriter, p *auth.Principal, format string) error {
	body, ct, filename, err := s.exportFile(p, format)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "private, no-store")
	_, _ = w.Write(body)
	return nil
}

// exportPage serves GET /data/export.<format>.
func (s *Server) exportPage(format string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
		return s.writeExport(w, p, format)
	}
}

// exportAPI serves GET /api/export?format=json|xlsx|zip (default json).
func (s *Server) exportAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "json"
	}
	return s.writeExport(w, p, format)
}

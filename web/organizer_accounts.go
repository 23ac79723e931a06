package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/auth"
)

// accountsMessages are the accounts page's texts.
var accountsMessages = catalog{
	"organizer.accounts.title":         {"账号", "Accounts"},
	"organizer.accounts.list":          {"全部账号", "All accounts"},
	"organizer.accounts.none":          {"还没有账号。", "No accounts yet."},
	"organizer.accounts.login":         {"用户名", "Login"},
	"organizer.accounts.name":          {"姓名", "Name"},
	"organizer.accounts.role":          {"角色", "Role"},
	"organizer.accounts.scope":         {"负责范围", "Scope"},
	"organizer.accounts.enterprises":   {"负责的企业（编号，用逗号或空格分隔）", "Enterprises (ids, separated by commas or spaces)"},
	"organizer.accounts.university":    {"所属高校（编号）", "University (id)"},
	"organizer.accounts.person":        {"对应的人员编号", "Person id in the dataset"},
	"organizer.accounts.password":      {"初始密码（至少 %d 个字符）", "Initial password (at least %d characters)"},
	"organizer.accounts.newpassword":   {"新密码", "New password"},
	"organizer.accounts.state":         {"状态", "State"},
	"organizer.accounts.active":        {"正常", "active"},
	"organizer.accounts.disabled":      {"已停用", "disabled"},
	"organizer.accounts.actions":       {"操作", "Actions"},
	"organizer.accounts.create":        {"新建账号", "New account"},
	"organizer.accounts.createbtn":     {"创建", "Create"},
	"organizer.accounts.disable":       {"停用", "Disable"},
	"organizer.accounts.disableask":    {"停用此账号？其登录和 API 令牌将立即失效。", "Disable this account? Its sessions and API tokens stop working at once."},
	"organizer.accounts.enable":        {"启用", "Enable"},
	"organizer.accounts.reset":         {"重设密码", "Reset password"},
	"organizer.accounts.token":         {"签发 API 令牌", "Issue an API token"},
	"organizer.accounts.tokenlabel":    {"用途", "Label"},
	"organizer.accounts.tokenshown":    {"%s 的新 API 令牌（只显示这一次，请立即复制保存）：", "New API token of %s (shown this once: copy it now):"},
	"organizer.accounts.tokenuse":      {"使用方法：请求头 Authorization: Bearer <令牌>", "Use it as the header Authorization: Bearer <token>"},
	"organizer.accounts.self":          {"不能停用自己的账号。", "You cannot disable your own account."},
	"organizer.accounts.taken":         {"该用户名已被使用。", "This login is taken."},
	"organizer.accounts.done.created":  {"账号已创建。", "The account was created."},
	"organizer.accounts.done.disabled": {"账号已停用。", "The account was disabled."},
	"organizer.accounts.done.enabled":  {"账号已启用。", "The account was enabled."},
	"organizer.accounts.done.password": {"密码已重设，该账号的登录会话已结束。", "The password was reset; the account's sessions have ended."},
	"organizer.role.organizer":         {"组织者", "organizer"},
	"organizer.role.commissioner":      {"技术专员", "technology commissioner"},
	"organizer.role.liaison":           {"高校联络员", "university liaison"},
}

// accountRoles are the roles an account may have, for the form.
var accountRoles = []string{auth.RoleOrganizer, auth.RoleCommissioner, auth.RoleLiaison}

// accountDone are the confirmations the page shows after a change (?done=).
var accountDone = []string{"created", "disabled", "enabled", "password"}

// accountForm is the new-account form as typed.
type accountForm struct {
	Login, Name, Role, Enterprises, University, Person string
}

// issuedToken is an API token just issued, shown once.
type issuedToken struct {
	Login, Label, Token string
}

// accountsView is the accounts page's data.
type accountsView struct {
	Accounts    []auth.Account
	Roles       []string
	Form        accountForm
	Errors      map[string][]string // the new-account form's issues by field
	RowErrors   map[string][]string // a row's issues by login
	Token       *issuedToken
	Done        string // a message key
	Self        string // the signed-in login
	MinPassword int
}

// Err returns the issues of a field of the new-account form.
func (v *accountsView) Err(field string) []string { return v.Errors[field] }

func (v *accountsView) addErr(field, reason string) {
	if v.Errors == nil {
		v.Errors = map[string][]string{}
	}
	v.Errors[field] = append(v.Errors[field], reason)
}

// newAccountsView lists the accounts.
func (s *Server) newAccountsView(p *auth.Principal) (*accountsView, error) {
	if s.Auth == nil {
		return nil, fairmatch.Errorf(fairmatch.EUNAVAILABLE, "accounts are not configured")
	}
	list, err := s.Auth.Accounts()
	if err != nil {
		return nil, err
	}
	return &accountsView{Accounts: list, Roles: accountRoles, Form: accountForm{Role: auth.RoleCommissioner},
		Self: p.Account.Login, MinPassword: auth.MinPasswordLen}, nil
}

func (s *Server) accountsPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	v, err := s.newAccountsView(p)
	if err != nil {
		return err
	}
	if d := r.URL.Query().Get("done"); slices.Contains(accountDone, d) {
		v.Done = "organizer.accounts.done." + d
	}
	s.render(w, r, http.StatusOK, "accounts", "organizer.accounts.title", p, v)
	return nil
}

// splitIDs reads a list of ids separated by commas (also full-width) or
// white space.
func splitIDs(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == ';' || r == '；' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
}

// accountOf builds the account a form describes; only the fields of its
// role are kept.
func accountOf(f accountForm) auth.Account {
	a := auth.Account{Login: strings.ToLower(f.Login), Name: f.Name, Role: f.Role, Person: f.Person}
	switch f.Role {
	case auth.RoleCommissioner:
		a.Enterprises = splitIDs(f.Enterprises)
	case auth.RoleLiaison:
		a.University = f.University
	}
	return a
}

func (s *Server) createAccountPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	r.Body = http.MaxBytesReader(w, r.Body, organizerFormLimit)
	if err := r.ParseForm(); err != nil {
		return fairmatch.Errorf(fairmatch.EINVALID, "%s: %v", translate(language(r), "organizer.common.bodyinvalid"), err)
	}
	v, err := s.newAccountsView(p)
	if err != nil {
		return err
	}
	field := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	v.Form = accountForm{Login: field("login"), Name: field("name"), Role: field("role"),
		Enterprises: field("enterprises"), University: field("university"), Person: field("person")}
	err = s.Auth.CreateAccount(accountOf(v.Form), r.PostFormValue("password"))
	switch fairmatch.ErrorCode(err) {
	case "":
		s.log().Info("account created", "login", v.Form.Login, "role", v.Form.Role, "by", p.Account.Login)
		http.Redirect(w, r, "/accounts?done=created", http.StatusSeeOther)
		return nil
	case fairmatch.EINVALID:
		for _, is := range fairmatch.ErrorIssues(err) {
			f, _, _ := strings.Cut(is.Field, "[")
			v.addErr(f, is.Reason)
		}
	case fairmatch.ECONFLICT:
		v.addErr("login", translate(language(r), "organizer.accounts.taken"))
	default:
		return err
	}
	s.render(w, r, StatusOf(fairmatch.ErrorCode(err)), "accounts", "organizer.accounts.title", p, v)
	return nil
}

// setDisabled disables or enables an account; an organizer may not
// disable their own.
func (s *Server) setDisabled(r *http.Request, p *auth.Principal, login string, disabled bool) error {
	if s.Auth == nil {
		return fairmatch.Errorf(fairmatch.EUNAVAILABLE, "accounts are not configured")
	}
	if disabled && login == p.Account.Login {
		return fairmatch.Errorf(fairmatch.ECONFLICT, "%s", translate(language(r), "organizer.accounts.self"))
	}
	a, err := s.Auth.Account(login)
	if err != nil {
		return err
	}
	a.Disabled = disabled
	if err := s.Auth.UpdateAccount(a); err != nil {
		return err
	}
	s.log().Info("account state changed", "login", login, "disabled", disabled, "by", p.Account.Login)
	return nil
}

// accountActionPage handles the buttons of an account's row: disable,
// enable, password (reset) and token (issue one, shown once).
func (s *Server) accountActionPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	login, action := r.PathValue("login"), r.PathValue("action")
	if s.Auth == nil {
		return fairmatch.Errorf(fairmatch.EUNAVAILABLE, "accounts are not configured")
	}
	r.Body = http.MaxBytesReader(w, r.Body, organizerFormLimit)
	if err := r.ParseForm(); err != nil {
		return fairmatch.Errorf(fairmatch.EINVALID, "%s: %v", translate(language(r), "organizer.common.bodyinvalid"), err)
	}
	switch action {
	case "disable", "enable":
		if err := s.setDisabled(r, p, login, action == "disable"); err != nil {
			return err
		}
		http.Redirect(w, r, "/accounts?done="+action+"d", http.StatusSeeOther)
		return nil
	case "password":
		err := s.Auth.SetPassword(login, r.PostFormValue("password"))
		if err == nil {
			s.log().Info("password reset", "login", login, "by", p.Account.Login)
			http.Redirect(w, r, "/accounts?done=password", http.StatusSeeOther)
			return nil
		}
		if fairmatch.ErrorCode(err) != fairmatch.EINVALID {
			return err
		}
		v, verr := s.newAccountsView(p)
		if verr != nil {
			return verr
		}
		v.RowErrors = map[string][]string{}
		for _, is := range fairmatch.ErrorIssues(err) {
			v.RowErrors[login] = append(v.RowErrors[login], is.Reason)
		}
		s.render(w, r, http.StatusBadRequest, "accounts", "organizer.accounts.title", p, v)
		return nil
	case "token":
		label := strings.TrimSpace(r.PostFormValue("label"))
		if label == "" {
			label = "web"
		}
		tok, err := s.Auth.IssueAPIToken(login, label)
		if err != nil {
			return err
		}
		s.log().Info("API token issued", "login", login, "label", label, "by", p.Account.Login)
		v, err := s.newAccountsView(p)
		if err != nil {
			return err
		}
		v.Token = &issuedToken{Login: login, Label: label, Token: tok}
		s.render(w, r, http.StatusOK, "accounts", "organizer.accounts.title", p, v)
		return nil
	}
	return fairmatch.Errorf(fairmatch.ENOTFOUND, "no account action %q", action)
}

func (s *Server) accountsAPI(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if s.Auth == nil {
		return fairmatch.Errorf(fairmatch.EUNAVAILABLE, "accounts are not configured")
	}
	list, err := s.Auth.Accounts()
	if err != nil {
		return err
	}
	if list == nil {
		list = []auth.Account{}
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

// newAccountJSON is the body of POST /api/accounts.
type newAccountJSON struct {
	Login       string   `json:"login"`
	Name        string   `json:"name"`
	Role        string   `json:"role"`
	Enterprises []string `json:"enterprises"`
	University  string   `json:"university"`
	Person      string   `json:"person"`
	Password    string   `json:"password"`
}

func (s *Server) createAccountAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if s.Auth == nil {
		return fairmatch.Errorf(fairmatch.EUNAVAILABLE, "accounts are not configured")
	}
	var in newAccountJSON
	if err := decodeStrictJSON(w, r, &in); err != nil {
		return err
	}
	a := auth.Account{Login: in.Login, Name: in.Name, Role: in.Role, Enterprises: in.Enterprises,
		University: in.University, Person: in.Person}
	if err := s.Auth.CreateAccount(a, in.Password); err != nil {
		return err
	}
	s.log().Info("account created", "login", a.Login, "role", a.Role, "by", p.Account.Login)
	created, err := s.Auth.Account(a.Login)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, created)
	return nil
}

// accountStateAPI disables or enables an account and returns it.
func (s *Server) accountStateAPI(disable bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
		login := r.PathValue("login")
		if err := s.setDisabled(r, p, login, disable); err != nil {
			return err
		}
		a, err := s.Auth.Account(login)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, a)
		return nil
	}
}

func (s *Server) passwordAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if s.Auth == nil {
		return fairmatch.Errorf(fairmatch.EUNAVAILABLE, "accounts are not configured")
	}
	var in struct {
		Password string `json:"password"`
	}
	if err := decodeStrictJSON(w, r, &in); err != nil {
		return err
	}
	login := r.PathValue("login")
	if err := s.Auth.SetPassword(login, in.Password); err != nil {
		return err
	}
	s.log().Info("password reset", "login", login, "by", p.Account.Login)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) tokenAPI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if s.Auth == nil {
		return fairmatch.Errorf(fairmatch.EUNAVAILABLE, "accounts are not configured")
	}
	var in struct {
		Label string `json:"label"`
	}
	if err := decodeStrictJSON(w, r, &in); err != nil {
		return err
	}
	login := r.PathValue("login")
	tok, err := s.Auth.IssueAPIToken(login, in.Label)
	if err != nil {
		return err
	}
	s.log().Info("API token issued", "login", login, "label", in.Label, "by", p.Account.Login)
	writeJSON(w, http.StatusCreated, issuedTokenJSON{Login: login, Label: in.Label, Token: tok})
	return nil
}

// issuedTokenJSON is the answer of POST /api/accounts/{login}/tokens.
type issuedTokenJSON struct {
	Login string `json:"login"`
	Label string `json:"label"`
	Token string `json:"token"`
}

// Package config reads the year plan: the zone's time zone, the cron spec that
// gives the year's fairs, a theme per fair, stage offsets relative to the fair
// day, the fair day itself and the matching limits.
//
// # Strictness
//
// Parsing is strict: an unknown key, a value of the wrong type, a bad cron
// spec or an impossible value (a session that ends before it starts, stages
// out of order, no tables) is an error that names the file, the line and the
// key. Every problem found is reported, not just the first.
//
// # Example
//
// configs/fairmatch.yaml in the repository is a complete, commented example.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/matcher"
)

// DefaultTimezone is the zone used when the plan names none.
const DefaultTimezone = "Asia/Shanghai"

// Config is a parsed and validated year plan.
type Config struct {
	Timezone string           `yaml:"timezone"`
	Fairs    FairsConfig      `yaml:"fairs"`
	Stages   StagesConfig     `yaml:"stages"`
	Day      DayConfig        `yaml:"day"`
	Matching fairmatch.Limits `yaml:"matching"`
	// Thesaurus names the organizers' thesaurus file (see
	// configs/example-thesaurus.yaml), relative to the plan's folder;
	// optional.
	Thesaurus string `yaml:"thesaurus"`
	// Mail is the mail server participants' schedules are sent through;
	// without a host, mail waits in the outbox.
	Mail MailConfig `yaml:"mail"`

	file          string
	thesaurusData []byte
	loc           *time.Location
	schedule      cron.Schedule
}

// FairsConfig says when the fairs are and what each is about.
type FairsConfig struct {
	// Cron is a standard 5-field cron spec (minute hour day-of-month month
	// day-of-week) in the plan's time zone; each activation is a fair's start.
	Cron string `yaml:"cron"`
	// Themes are given to a year's fairs in order; with fewer themes than
	// fairs they repeat.
	Themes []string `yaml:"themes"`
}

// StagesConfig holds each stage's offset from the fair's start.
type StagesConfig struct {
	CallOpens  Offset   `yaml:"call_opens"`
	CallCloses Offset   `yaml:"call_closes"`
	Match      Offset   `yaml:"match"`
	Agenda     Offset   `yaml:"agenda"`
	Publish    Offset   `yaml:"publish"`
	Reminders  []Offset `yaml:"reminders"`
	FollowUps  []Offset `yaml:"follow_ups"`
}

// MailConfig names the submission server that relays fairmatch's mail. The
// password is not kept in the plan: it comes from FAIRMATCH_SMTP_PASSWORD.
type MailConfig struct {
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"`
	Username string `yaml:"username"`
	From     string `yaml:"from"`
	FromName string `yaml:"from_name"`
	// TLS is starttls (default), opportunistic, tls (implicit, port 465) or
	// none (a relay on the same host).
	TLS     string `yaml:"tls"`
	Timeout Offset `yaml:"timeout"`
}

// DayConfig describes the fair day.
type DayConfig struct {
	Sessions    []fairmatch.Session `yaml:"sessions"`
	Slot        Offset              `yaml:"slot"`
	Buffer      Offset              `yaml:"buffer"`
	Tables      int                 `yaml:"tables"`
	TablePrefix string              `yaml:"table_prefix"`
	TableNames  []string            `yaml:"table_names"`
	// Seats is the seats at each of the numbered tables; 0 (the
	// default) seats any number.
	Seats int `yaml:"seats"`
	// Rooms are tables added after the numbered ones, each with its own
	// name and seats: a meeting room for larger delegations.
	Rooms []RoomConfig `yaml:"rooms"`
}

// RoomConfig is a named table with its seats (at least 1).
type RoomConfig struct {
	Name  string `yaml:"name"`
	Seats int    `yaml:"seats"`
}

// Load reads and validates the year plan at path, and the thesaurus it
// names, relative to the plan's folder.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fairmatch.Errorf(fairmatch.EINVALID, "config %s: %v", path, unwrapPathError(err))
	}
	return Parse(path, data)
}

// LoadFS reads and validates the year plan name in fsys, and the thesaurus
// it names from the same folder of fsys (the built-in example uses the
// embedded configs).
func LoadFS(fsys fs.FS, name string) (*Config, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fairmatch.Errorf(fairmatch.EINVALID, "config %s: %v", name, unwrapPathError(err))
	}
	return parse(name, data, func(rel string) ([]byte, error) { return fs.ReadFile(fsys, path.Join(path.Dir(name), rel)) })
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Parse reads and validates a year plan; name is used in messages and its
// folder is where a thesaurus the plan names is read from.
func Parse(name string, data []byte) (*Config, error) {
	return parse(name, data, func(rel string) ([]byte, error) {
		if filepath.IsAbs(rel) {
			return os.ReadFile(rel)
		}
		return os.ReadFile(filepath.Join(filepath.Dir(name), rel))
	})
}

func parse(name string, data []byte, readFile func(string) ([]byte, error)) (*Config, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, fairmatch.Invalid("config "+name+" is not valid YAML",
			[]fairmatch.Issue{{File: name, Reason: strings.TrimPrefix(err.Error(), "yaml: ")}})
	}
	if len(doc.Content) == 0 {
		return nil, fairmatch.Invalid("config "+name+" is empty", []fairmatch.Issue{{File: name, Reason: "no year plan in the file"}})
	}
	root := doc.Content[0]
	p := &parser{file: name, lines: map[string]int{}}
	p.checkKeys(root, reflect.TypeOf(Config{}), "")
	if len(p.issues) > 0 {
		return nil, fairmatch.Invalid("config "+name+" has unknown keys", p.issues)
	}
	c := &Config{file: name}
	if err := root.Decode(c); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			for _, e := range te.Errors {
				p.issues = append(p.issues, fairmatch.Issue{File: name, Reason: e})
			}
		} else {
			p.issues = append(p.issues, fairmatch.Issue{File: name, Reason: err.Error()})
		}
		return nil, fairmatch.Invalid("config "+name+" has values of the wrong type", p.issues)
	}
	c.validate(p)
	c.loadThesaurus(p, readFile)
	if len(p.issues) > 0 {
		return nil, fairmatch.Invalid("config "+name+" is not a valid year plan", p.issues)
	}
	return c, nil
}

// parser collects issues and remembers the line of every key path.
type parser struct {
	file   string
	lines  map[string]int
	issues []fairmatch.Issue
}

// add records an issue on the key path, at the line of the key or, for a
// missing key, of the nearest record that holds it.
func (p *parser) add(path, format string, args ...any) {
	rec := ""
	for at := path; at != ""; {
		if l, ok := p.lines[at]; ok {
			rec = fmt.Sprintf("line %d", l)
			break
		}
		at = at[:max(strings.LastIndexAny(at, ".["), 0)]
	}
	p.issues = append(p.issues, fairmatch.Issue{File: p.file, Record: rec, Field: path, Reason: fmt.Sprintf(format, args...)})
}

// checkKeys walks n alongside type t, recording key lines and reporting keys
// that t does not have.
func (p *parser) checkKeys(n *yaml.Node, t reflect.Type, path string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fields := map[string]reflect.Type{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if tag == "" || tag == "-" || !f.IsExported() {
				continue
			}
			fields[tag] = f.Type
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			kp := join(path, k.Value)
			p.lines[kp] = k.Line
			ft, ok := fields[k.Value]
			if !ok {
				p.issues = append(p.issues, fairmatch.Issue{File: p.file, Record: fmt.Sprintf("line %d", k.Line), Field: kp,
					Reason: fmt.Sprintf("unknown key %q%s", k.Value, suggest(k.Value, fields))})
				continue
			}
			p.checkKeys(v, ft, kp)
		}
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i, c := range n.Content {
			ip := fmt.Sprintf("%s[%d]", path, i)
			p.lines[ip] = c.Line
			p.checkKeys(c, t.Elem(), ip)
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// suggest names a known key close to an unknown one.
func suggest(key string, fields map[string]reflect.Type) string {
	best, bestD := "", 3
	for k := range fields {
		if d := editDistance(key, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// loadThesaurus reads and checks the thesaurus the plan names.
func (c *Config) loadThesaurus(p *parser, readFile func(string) ([]byte, error)) {
	if c.Thesaurus == "" {
		return
	}
	data, err := readFile(c.Thesaurus)
	if err != nil {
		p.add("thesaurus", "cannot read %s: %v", c.Thesaurus, unwrapPathError(err))
		return
	}
	if _, err := matcher.ParseThesaurus(c.Thesaurus, data); err != nil {
		p.add("thesaurus", "%v", err)
		return
	}
	c.thesaurusData = data
}

// ThesaurusFile returns the thesaurus the plan names (its name and
// content), or "" and nil.
func (c *Config) ThesaurusFile() (string, []byte) { return c.Thesaurus, c.thesaurusData }

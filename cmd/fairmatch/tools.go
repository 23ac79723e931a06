package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/agenda"
	"github.com/fairmatch/fairmatch/config"
	"github.com/fairmatch/fairmatch/dataset"
	"github.com/fairmatch/fairmatch/internal/atomicfile"
	"github.com/fairmatch/fairmatch/matcher"
)

func (m *Main) plan(ctx context.Context, args []string) error {
	fs := m.flags("plan")
	cfgPath := fs.String("config", "", "year plan (YAML)")
	year := fs.Int("year", m.now().Year(), "year to plan")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if err := required(fs, "config"); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	fairs, err := cfg.Plan(*year)
	if err != nil {
		return err
	}
	if *asJSON {
		type stage struct {
			Name string `json:"name"`
			At   string `json:"at"`
		}
		type fair struct {
			ID     string  `json:"id"`
			Theme  string  `json:"theme"`
			Start  string  `json:"start"`
			End    string  `json:"end"`
			Stages []stage `json:"stages"`
		}
		out := make([]fair, 0, len(fairs))
		for _, f := range fairs {
			j := fair{ID: f.ID, Theme: f.Theme, Start: f.Start.Format(time.RFC3339), End: f.End.Format(time.RFC3339), Stages: []stage{}}
			for _, s := range f.Stages {
				j.Stages = append(j.Stages, stage{Name: s.Name, At: s.Due.Format(time.RFC3339)})
			}
			out = append(out, j)
		}
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	for _, f := range fairs {
		fmt.Fprintf(tw, "%s\t%s\t%s – %s\n", f.ID, f.Theme, f.Start.Format("2006-01-02 15:04"), f.End.Format("15:04 MST"))
		for _, s := range f.Stages {
			fmt.Fprintf(tw, "\t%s\t%s\n", s.Name, s.Due.Format("2006-01-02 15:04"))
		}
	}
	return tw.Flush()
}

func (m *Main) score(ctx context.Context, args []string) error {
	fs := m.flags("score")
	data := fs.String("data", "", "dataset (JSON file, CSV folder or XLSX)")
	pairs := fs.String("pairs", "", "PAIRS.csv: problem,target")
	out := fs.String("out", "", "SCORES.csv to write")
	thesaurus := fs.String("thesaurus", "", "organizers' thesaurus (YAML), as the plan's thesaurus key names it")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if err := required(fs, "data", "pairs", "out"); err != nil {
		return err
	}
	ds, err := dataset.Load(*data)
	if err != nil {
		return err
	}
	opt := matcher.Options{History: true} // the options of the match stage
	if *thesaurus != "" {
		raw, err := os.ReadFile(*thesaurus)
		if err != nil {
			return fairmatch.Errorf(fairmatch.EINVALID, "thesaurus %s: %v", *thesaurus, unwrapPath(err))
		}
		if opt.Thesaurus, err = matcher.ParseThesaurus(*thesaurus, raw); err != nil {
			return err
		}
	}
	in, err := os.Open(*pairs)
	if err != nil {
		return fairmatch.Errorf(fairmatch.EINVALID, "pairs %s: %v", *pairs, unwrapPath(err))
	}
	defer in.Close()
	var buf bytes.Buffer
	if err := matcher.ScoreCSV(matcher.NewIndexWith(ds, opt), filepath.Base(*pairs), in, &buf); err != nil {
		return err
	}
	return writeFile(*out, buf.Bytes())
}

func (m *Main) assign(ctx context.Context, args []string) error {
	fs := m.flags("assign")
	scores := fs.String("scores", "", "SCORES.csv: left,right,score")
	bounds := fs.String("bounds", "", "BOUNDS.csv: id,min,max (optional)")
	out := fs.String("out", "", "ASSIGN.csv to write")
	objective := fs.String("objective", "total", "total or fair")
	limit := fs.Duration("time-limit", 60*time.Second, "with --objective fair: stop the exact search after this long and keep the best assignment found (with a warning)")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if err := required(fs, "scores", "out"); err != nil {
		return err
	}
	obj, err := matcher.ParseObjective(*objective)
	if err != nil {
		return usageError(fmt.Sprintf("assign: --objective: %v", err))
	}
	pairs, err := readWith(*scores, matcher.ReadScores)
	if err != nil {
		return err
	}
	var bs []matcher.Bound
	if *bounds != "" {
		if bs, err = readWith(*bounds, matcher.ReadBounds); err != nil {
			return err
		}
	}
	actx, cancel := context.WithTimeout(ctx, *limit)
	defer cancel()
	chosen, err := matcher.Assign(actx, pairs, bs, obj)
	if errors.Is(err, matcher.ErrNotProven) && chosen != nil {
		fmt.Fprintf(m.Stderr, "fairmatch: warning: %v; writing the best assignment found within --time-limit %s\n", err, *limit)
		err = nil
	}
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := matcher.WriteAssign(&buf, chosen); err != nil {
		return err
	}
	return writeFile(*out, buf.Bytes())
}

func (m *Main) agenda(ctx context.Context, args []string) error {
	fs := m.flags("agenda")
	in := fs.String("in", "", "REQUEST.json")
	out := fs.String("out", "", "RESULT.json to write")
	limit := fs.Duration("time-limit", 30*time.Second, "stop searching after this long")
	seed := fs.Int64("seed", 1, "random seed (same input and seed, same result)")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	keep := fs.String("keep", "", "PREVIOUS.json: a result to re-plan from, moving as few meetings as possible")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if err := required(fs, "in", "out"); err != nil {
		return err
	}
	data, err := os.ReadFile(*in)
	if err != nil {
		return fairmatch.Errorf(fairmatch.EINVALID, "request %s: %v", *in, unwrapPath(err))
	}
	req, err := agenda.ParseRequest(filepath.Base(*in), data)
	if err != nil {
		return err
	}
	opt := agenda.Options{TimeLimit: *limit, Seed: *seed}
	if *keep != "" {
		raw, err := os.ReadFile(*keep)
		if err != nil {
			return fairmatch.Errorf(fairmatch.EINVALID, "previous result %s: %v", *keep, unwrapPath(err))
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		opt.Keep = new(agenda.Result)
		if err := dec.Decode(opt.Keep); err != nil {
			return fairmatch.Errorf(fairmatch.EINVALID, "previous result %s is not an agenda result: %v", *keep, err)
		}
	}
	if !*quiet {
		opt.Progress = func(msg string) { fmt.Fprintln(m.Stderr, "agenda:", msg) }
	}
	res := agenda.Solve(ctx, req, opt)
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFile(*out, append(b, '\n')); err != nil {
		return err
	}
	if !*quiet {
		fmt.Fprintf(m.Stderr, "agenda: %s, %d placed, %d unscheduled, breaks %d", res.Status, len(res.Meetings), len(res.Unscheduled), res.Breaks.Total)
		if opt.Keep != nil {
			fmt.Fprintf(m.Stderr, ", %d moved, %d changed table", res.Moved, res.TableChanged)
		}
		fmt.Fprintln(m.Stderr)
	}
	return nil
}

func readWith[T any](path string, read func(string, io.Reader) (T, error)) (T, error) {
	var zero T
	f, err := os.Open(path)
	if err != nil {
		return zero, fairmatch.Errorf(fairmatch.EINVALID, "%s: %v", path, unwrapPath(err))
	}
	defer f.Close()
	return read(filepath.Base(path), f)
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// writeFile writes an output file whole or not at all.
func writeFile(path string, data []byte) error { return atomicfile.Write(path, data, 0o644) }

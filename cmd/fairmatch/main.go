// Command fairmatch runs technology-transfer fairs: it plans the year's fairs
// from a cron spec, matches enterprises' problems with universities'
// offerings, builds each fair's agenda and publishes everyone's schedule.
//
// Usage:
//
//	fairmatch serve   --config F [--data DIR] [--http ADDR] [--dev]   the service
//	fairmatch worker  --nats-url URL                                  a job worker
//	fairmatch run     --config F --dataset D --fair ID --out DIR      one fair, now, offline
//	fairmatch plan    --config F --year Y [--json]                    the year's fairs
//	fairmatch import  --data DIR DATASET                              import into the store
//	fairmatch export  --data DIR --fair ID --out DIR                  a published agenda's files
//	fairmatch backup  --data DIR --out F                              a consistent copy of the store
//	fairmatch score   --data DATASET --pairs PAIRS.csv --out SCORES.csv
//	fairmatch assign  --scores S.csv --bounds B.csv --out A.csv [--objective total|fair]
//	fairmatch agenda  --in REQUEST.json --out RESULT.json [--time-limit 30s]
//
// Run "fairmatch COMMAND -h" for a command's flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // fairs' zones work on hosts without a zone database
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain()
	err := m.Run(ctx, os.Args[1:])
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(m.Stderr, "fairmatch:", err)
		}
		os.Exit(exitCode(err))
	}
}

// Main is the program, so that tests run it in-process with their own
// streams, environment and clock.
type Main struct {
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Now is the clock of the scheduler and of calendar stamps.
	Now func() time.Time
	// Ready, if set, is called by serve once it accepts requests, with the
	// HTTP address and the admin token.
	Ready func(httpAddr, token string)
}

// NewMain returns a Main wired to the process.
func NewMain() *Main {
	return &Main{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now}
}

type command struct {
	name, args, help string
	run              func(m *Main, ctx context.Context, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "--config F [--data DIR] [--http ADDR] [--dev]", "run the service: scheduler, NATS jobs, workers, HTTP API", (*Main).serve},
		{"worker", "--nats-url URL", "run job workers against a NATS server", (*Main).worker},
		{"run", "--config F --dataset D --fair ID --out DIR", "run one fair's match, agenda and publish now, offline", (*Main).runFair},
		{"plan", "--config F --year Y [--json]", "print the year's fairs and their stage times", (*Main).plan},
		{"import", "--data DIR DATASET", "import a dataset (JSON, CSV folder, XLSX) into the store", (*Main).importDataset},
		{"export", "--data DIR --fair ID --out DIR", "write a published agenda, calendars and pages", (*Main).export},
		{"backup", "--data DIR --out F", "write a consistent copy of the store", (*Main).backup},
		{"score", "--data DATASET --pairs PAIRS.csv --out SCORES.csv", "score problem–target pairs", (*Main).score},
		{"assign", "--scores S.csv --bounds B.csv --out A.csv", "choose pairs under bounds (exact)", (*Main).assign},
		{"agenda", "--in REQUEST.json --out RESULT.json", "place meetings in slots and at tables", (*Main).agenda},
	}
}

// Run runs the command named by args[0].
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		m.usage()
		if len(args) == 0 {
			return usageError("no command given")
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(m, ctx, args[1:])
		}
	}
	m.usage()
	return usageError(fmt.Sprintf("unknown command %q", args[0]))
}

func (m *Main) usage() {
	fmt.Fprintln(m.Stderr, "fairmatch runs technology-transfer fairs.\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(m.Stderr, "  %-7s %s\n          %s\n", c.name, c.help, c.args)
	}
}

// usageError is a command-line mistake: exit status 2.
type usageError string

func (e usageError) Error() string { return string(e) }

func exitCode(err error) int {
	var ue usageError
	if errors.As(err, &ue) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

// flags returns a FlagSet that prints to m.Stderr and returns errors.
func (m *Main) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("fairmatch "+name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	return fs
}

// parse parses flags and refuses stray arguments unless nargs allows them.
func parse(fs *flag.FlagSet, args []string, nargs int) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError(err.Error())
	}
	if fs.NArg() > nargs {
		return usageError(fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(nargs)))
	}
	return nil
}

func required(fs *flag.FlagSet, names ...string) error {
	var missing []string
	for _, n := range names {
		if f := fs.Lookup(n); f != nil && f.Value.String() == "" {
			missing = append(missing, "--"+n)
		}
	}
	if len(missing) > 0 {
		return usageError(fmt.Sprintf("%s: missing %s", fs.Name(), strings.Join(missing, ", ")))
	}
	return nil
}

func (m *Main) logger(level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: level}))
}

func (m *Main) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

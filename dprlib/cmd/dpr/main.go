// Command dpr reproduces "Beyond Imitation: Recovering Dense Rewards from
// Demonstrations" on SCAN: supervised fine-tuning, the dense reward
// r̂_t = log π_SFT(y_t|s_t) − log π_ref(y_t|s_t), Dense-Path REINFORCE and
// held-out evaluation.
//
// Usage:
//
//	dpr <command> [flags]
//
// Run "dpr help" for the commands and "dpr <command> -h" for their flags.
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
	"sort"
	"strings"
	"syscall"

	"github.com/dprkit/dprkit/dprlib/progress"
	"golang.org/x/term"
)

// command is one subcommand of dpr.
type command struct {
	summary string
	run     func(ctx context.Context, env *environment, args []string) error
}

// commands is filled by init because the commands' flag sets read it.
var commands map[string]command

func init() {
	commands = map[string]command{
		"reproduce": {"run SFT, the dense reward and DPR for several seeds; write figures and a summary", runReproduce},
		"sft":       {"fine-tune a policy on the demonstrations of a task, saving checkpoints at data fractions", runSFT},
		"dpr":       {"improve an SFT policy with Dense-Path REINFORCE", runDPR},
		"eval":      {"score a checkpoint on held-out prompts of a SCAN split or inflection task", runEval},
		"reward":    {"print the dense reward of each token of one response", runReward},
		"figures": {"redraw every figure, the summary and the results page from the run store, " +
			"training nothing", runFigures},
		"doctor": {"check the Go toolchain, backend, Jupyter kernel, data files and work folders, and print fixes", runDoctor},
		"data": {"download or verify the official datasets (SCAN, GSM8K, CoNLL-SIGMORPHON 2017) " +
			"against their SHA-256", runData},
		"experiments": {"run every ablation over seeds on SCAN and inflection; write figures with " +
			"confidence intervals and the results page", runExperiments},
		"bench":  {"measure training, scoring and sampling speed, against PyTorch when it is installed", runBench},
		"theory": {"check every identity of SFT as inverse soft-Q learning, exactly and on transformers", runTheory},
	}
}

// environment carries the process's streams so tests can capture them.
type environment struct {
	stdout, stderr io.Writer
	logger         *slog.Logger
	progress       progress.Reporter
}

// usageError marks a bad command line; main exits with status 2 for it.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, restore the default handling, so a second
		// Ctrl-C ends the process at once.
		<-ctx.Done()
		stop()
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// exitInterrupted is the status of a command stopped by a signal, as shells
// report for SIGINT.
const exitInterrupted = 130

// run executes one dpr command line and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	env := &environment{
		stdout: stdout, stderr: stderr,
		logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		env.progress = progress.NewTerminal(stderr)
	} else {
		env.progress = progress.NewLines(stderr)
	}
	if len(args) == 2 && args[0] == "help" {
		// "dpr help sft" is "dpr sft -h".
		args = []string{args[1], "-h"}
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stdout)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "dpr: unknown command %q; run \"dpr help\" for the list\n", args[0])
		return 2
	}
	err := cmd.run(ctx, env, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageError)):
		fmt.Fprintf(stderr, "dpr %s: %v\n", args[0], err)
		return 2
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "dpr %s: interrupted: %v\n", args[0], err)
		return exitInterrupted
	default:
		fmt.Fprintf(stderr, "dpr %s: %v\n", args[0], err)
		return 1
	}
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `dpr reproduces "Beyond Imitation: Recovering Dense Rewards from Demonstrations"
(arXiv 2510.02493) on SCAN and morphological inflection with GoMLX.

Usage:
  dpr <command> [flags]

Commands:
`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Fprint(w, `
Run "dpr <command> -h" or "dpr help <command>" for a command's flags, units and defaults.

Environment:
  GOMLX_BACKEND  compute backend (default go:ops_parallel,num_executors=<cores>, GoMLX's pure-Go backend)
  DPR_DATA_DIR   folder holding the official datasets (scan/, gsm8k/, sigmorphon2017_inflection/),
                 when -data-dir is not given
`)
}

// newFlagSet returns a flag set for "dpr <usage>". Its -h output gives the
// usage line, the command's summary and every flag; a parse error prints
// only the error.
func newFlagSet(env *environment, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fullUsage[fs] = func() {
		fmt.Fprintf(fs.Output(), "Usage: dpr %s [flags]\n\n%s.\n\nFlags:\n", usage, commands[name].summary)
		fs.PrintDefaults()
	}
	fs.Usage = func() {}
	return fs
}

// fullUsage holds the -h text of each flag set made by newFlagSet.
var fullUsage = map[*flag.FlagSet]func(){}

// parseFlags parses args and rejects positional arguments. -h, -help and
// --help print the full usage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" {
			fullUsage[fs]()
			return flag.ErrHelp
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q: flags start with -", fs.Arg(0))}
	}
	return nil
}

// floatList is a flag holding comma-separated numbers, such as 0.25,0.5,1.
type floatList []float64

func (l floatList) String() string {
	parts := make([]string, len(l))
	for i, v := range l {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, ",")
}

func (l *floatList) Set(s string) error {
	var out []float64
	for _, part := range strings.Split(s, ",") {
		var v float64
		if _, err := fmt.Sscan(strings.TrimSpace(part), &v); err != nil {
			return fmt.Errorf("%q is not a number", part)
		}
		out = append(out, v)
	}
	*l = out
	return nil
}

// uintList is a flag holding comma-separated non-negative integers.
type uintList []uint64

func (l uintList) String() string {
	parts := make([]string, len(l))
	for i, v := range l {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, ",")
}

func (l *uintList) Set(s string) error {
	var out []uint64
	for _, part := range strings.Split(s, ",") {
		var v uint64
		if _, err := fmt.Sscan(strings.TrimSpace(part), &v); err != nil {
			return fmt.Errorf("%q is not a non-negative integer", part)
		}
		out = append(out, v)
	}
	*l = out
	return nil
}

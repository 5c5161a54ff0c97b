package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/dprkit/dprkit/dprlib/datapath"
	"github.com/dprkit/dprkit/dprlib/internal/jsonfile"
	"github.com/dprkit/dprkit/dprlib/progress"
	"github.com/dprkit/dprkit/dprlib/theory"
)

// errChecksFailed marks a theory run in which some check failed; its rows
// have already been printed.
var errChecksFailed = errors.New("some checks failed")

func runTheory(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "theory", "theory")
	work := fs.String("work", filepath.Join("out", "theory"), "folder for the transformer runs the checks "+
		"measure; finished runs are reused")
	dataDir := dataDirFlag(fs)
	jsonOut := fs.String("json", "", "also write every check, with its detail, to this JSON file")
	figDir := fs.String("figures", "", "also draw the theory figures (SVG, PNG, CSV) into this folder")
	quiet := fs.Bool("quiet", false, "hide progress bars and stage logs")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkOutputFile(*jsonOut); err != nil {
		return usageError{err}
	}
	dir, err := datapath.Resolve(*dataDir)
	if err != nil {
		return err
	}
	opts := theory.DefaultOptions(*work, dir)
	opts.Progress, opts.Logger = env.progress, env.logger
	if *quiet {
		opts.Progress, opts.Logger = progress.Silent{}, nil
	}
	rep, err := theory.Run(ctx, opts)
	if err != nil {
		return err
	}

	header := theory.Header()
	fmt.Fprintln(env.stdout, header)
	fmt.Fprintln(env.stdout, strings.Repeat("-", len([]rune(header))))
	for _, c := range rep.Checks {
		fmt.Fprintln(env.stdout, c.String())
	}
	failed := rep.Failed()
	fmt.Fprintf(env.stdout, "%d checks, %d failed, %.1f s\n", len(rep.Checks), len(failed), rep.Seconds)
	if *jsonOut != "" {
		if err := jsonfile.Write(*jsonOut, rep); err != nil {
			return err
		}
	}
	if *figDir != "" {
		paths, err := theory.WriteFigures(rep, *figDir)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "wrote %d figure files to %s\n", len(paths), *figDir)
	}
	if len(failed) > 0 {
		return fmt.Errorf("%w: %d of %d; see the rows marked FAIL above", errChecksFailed, len(failed),
			len(rep.Checks))
	}
	return nil
}

package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/dprkit/dprkit/dprlib/datapath"
	"github.com/dprkit/dprkit/dprlib/experiment"
	"github.com/dprkit/dprkit/dprlib/progress"
)

func runExperiments(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "experiments", "experiments")
	profileName := fs.String("profile", "quick",
		"size of the runs: smoke (seconds, for tests), quick (3 seeds, about half an hour on 2 cores) or "+
			"full (5 seeds, a GPU or a night)")
	out := fs.String("out", "figures", "folder for the figures, their data, "+experiment.ResultsName+
		" and the results page (with -only, -tasks or -seeds the default is <work>/figures-partial, so a "+
		"partial run never replaces the full results in figures/)")
	work := fs.String("work", "", "run store: checkpoints and logs, reused when their configuration "+
		"matches (default out/<profile>, shared with dpr reproduce)")
	page := fs.String("page", "", "results page to write, in Markdown (default <out>/README.md; - skips it)")
	dataDir := dataDirFlag(fs)
	tasks := fs.String("tasks", "", "comma-separated tasks replacing the profile's, from: "+
		strings.Join(experiment.TaskNames(), ", "))
	only := fs.String("only", "", "comma-separated experiments to run (default all): "+
		strings.Join(experiment.ExperimentNames(), ", "))
	var seeds uintList
	fs.Var(&seeds, "seeds", "comma-separated seeds, replacing the profile's (e.g. 1,2,3)")
	quiet := fs.Bool("quiet", false, "hide progress bars and stage logs")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	p, err := profileAndFolders(fs, *profileName, seeds, *out, work)
	if err != nil {
		return err
	}
	if err := checkNames("only", "experiment", splitList(*only), experiment.ExperimentNames()); err != nil {
		return err
	}
	if err := checkNames("tasks", "task", splitList(*tasks), experiment.TaskNames()); err != nil {
		return err
	}
	if !flagGiven(fs, "out") && (*only != "" || *tasks != "" || len(seeds) > 0) {
		*out = filepath.Join(*work, "figures-partial")
	}
	if *page == "" {
		*page = filepath.Join(*out, "README.md")
	}
	dir, err := datapath.Resolve(*dataDir)
	if err != nil {
		return err
	}
	opts := experiment.ExperimentsOptions{Profile: p, DataDir: dir, WorkDir: *work, OutDir: *out,
		Tasks: splitList(*tasks), Only: splitList(*only), Progress: env.progress, Logger: env.logger}
	if *quiet {
		opts.Progress, opts.Logger = progress.Silent{}, nil
	}

	res, err := experiment.RunExperiments(ctx, opts)
	if err != nil {
		return err
	}
	printExperiments(env, res)

	if *page != "-" {
		command := "dpr experiments --profile " + p.Name
		if err := experiment.WriteResultsPage(*page, res, command); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "wrote %s\n", *page)
	}
	fmt.Fprintf(env.stdout, "wrote %s and %d figure files to %s in %.0f s\n", experiment.ResultsName,
		len(res.Figures), *out, res.Seconds)
	return nil
}

// printExperiments prints the skipped tasks and, per task, every setting's
// exact match and its paired difference to π_SFT.
func printExperiments(env *environment, res *experiment.Results) {
	for _, skipped := range res.Skipped {
		fmt.Fprintf(env.stdout, "skipped %s\n", skipped)
	}
	for _, tr := range res.Tasks {
		fmt.Fprintf(env.stdout, "%s: π_SFT exact match %s\n", tr.Task, tr.SFT.Format(100, 1))
		for _, a := range tr.Ablations {
			for _, s := range a.Settings {
				fmt.Fprintf(env.stdout, "  %-17s %-24s %s  Δ %+.1f [%+.1f, %+.1f]\n", a.Name, s.Label,
					s.ExactMatch.Format(100, 1), 100*s.Delta.Mean, 100*s.Delta.Low, 100*s.Delta.High)
			}
		}
	}
}

// splitList splits a comma-separated flag value, dropping empty parts.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

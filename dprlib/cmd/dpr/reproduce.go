package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/dprkit/dprkit/dprlib/datapath"
	"github.com/dprkit/dprkit/dprlib/experiment"
	"github.com/dprkit/dprkit/dprlib/progress"
	"github.com/dprkit/dprkit/dprlib/theory"
)

func runReproduce(ctx context.Context, env *environment, args []string) error {
	return reproduceCommand(ctx, env, args, "reproduce", false)
}

// runFigures redraws every figure of dpr reproduce from the run store. A
// missing run is an error that names the command computing it.
func runFigures(ctx context.Context, env *environment, args []string) error {
	return reproduceCommand(ctx, env, args, "figures", true)
}

// reproduceCommand is dpr reproduce, or with storedOnly dpr figures, which
// trains nothing.
func reproduceCommand(ctx context.Context, env *environment, args []string, name string, storedOnly bool) error {
	fs := newFlagSet(env, name, name)
	profileName := fs.String("profile", "quick",
		"size of the run: smoke (under a minute, for tests), quick (minutes on a laptop) or full (a GPU or a night)")
	out := fs.String("out", "figures", "folder for the figures, their data and summary.json")
	work := fs.String("work", "", "folder for checkpoints, logs and evaluation reports; finished stages "+
		"there are reused (default out/<profile>)")
	dataDir := dataDirFlag(fs)
	var seeds uintList
	fs.Var(&seeds, "seeds", "comma-separated seeds, replacing the profile's (e.g. 1,2,3)")
	quiet := fs.Bool("quiet", false, "hide progress bars and stage logs")
	withTheory := fs.Bool("theory", true, "also run the theory checks (dpr theory) and draw their figures "+
		"into -out; their runs go to a theory folder beside -work")
	withExperiments := fs.Bool("experiments", true, "also run every ablation (dpr experiments) with the same "+
		"profile, seeds and folders, and write the results page <out>/README.md")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	p, err := profileAndFolders(fs, *profileName, seeds, *out, work)
	if err != nil {
		return err
	}
	dir, err := datapath.Resolve(*dataDir)
	if err != nil {
		return err
	}
	opts := experiment.Options{Profile: p, DataDir: dir, WorkDir: *work, OutDir: *out,
		Progress: env.progress, Logger: env.logger, StoredOnly: storedOnly}
	if *quiet {
		opts.Progress, opts.Logger = progress.Silent{}, nil
	}
	start := time.Now()
	sum, err := experiment.Reproduce(ctx, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "profile %s, split %s, %d held-out commands, seeds %s, %.0f s\n",
		p.Name, p.Split, sum.EvalCount, uintList(p.Seeds).String(), time.Since(start).Seconds())
	fmt.Fprintf(env.stdout, "%-6s %10s %10s %12s\n", "seed", "SFT EM", "DPR EM", "SFT tok/s")
	for _, s := range sum.Seeds {
		fmt.Fprintf(env.stdout, "%-6d %9.1f%% %9.1f%% %12.0f\n",
			s.Seed, 100*s.SFTExactMatch, 100*s.DPRExactMatch, s.SFTTokensPerSecond)
	}
	if len(sum.Seeds) > 1 {
		fmt.Fprintf(env.stdout, "mean   %9.1f%% %9.1f%%   (DPR − SFT %+.1f ± %.1f points, std over seeds)\n",
			100*sum.SFTExactMatch.Mean, 100*sum.DPRExactMatch.Mean, 100*sum.Improvement.Mean,
			100*sum.Improvement.Std)
	}
	fmt.Fprintf(env.stdout, "wrote %s and %d figure files to %s\n",
		experiment.SummaryName, len(sum.Figures), *out)
	if *withTheory {
		if err := reproduceTheory(ctx, env, opts, dir, *work, *out); err != nil {
			return err
		}
	}
	if !*withExperiments {
		return nil
	}
	eopts := experiment.ExperimentsOptions{Profile: p, DataDir: dir, WorkDir: *work, OutDir: *out,
		Progress: opts.Progress, Logger: opts.Logger, StoredOnly: storedOnly}
	res, err := experiment.RunExperiments(ctx, eopts)
	if err != nil {
		return err
	}
	page := filepath.Join(*out, "README.md")
	// dpr figures only redraws, so the page names the command that computed the runs.
	if err := experiment.WriteResultsPage(page, res, "dpr reproduce --profile "+p.Name); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "experiments: %d tasks in %.0f s; wrote %s and %d figure files to %s\n",
		len(res.Tasks), res.Seconds, page, len(res.Figures), *out)
	for _, c := range res.Claims {
		fmt.Fprintf(env.stdout, "  %-20s %-72s %s\n", c.Task, c.Claim, c.Verdict)
	}
	return nil
}

// reproduceTheory runs the theory checks and draws their figures into out.
func reproduceTheory(ctx context.Context, env *environment, opts experiment.Options, dataDir, work, out string) error {
	topts := theory.DefaultOptions(filepath.Join(filepath.Dir(filepath.Clean(work)), "theory"), dataDir)
	topts.Progress, topts.Logger = opts.Progress, opts.Logger
	rep, err := theory.Run(ctx, topts)
	if err != nil {
		return err
	}
	paths, err := theory.WriteFigures(rep, out)
	if err != nil {
		return err
	}
	failed := rep.Failed()
	fmt.Fprintf(env.stdout, "theory checks: %d of %d pass; wrote %d figure files to %s\n",
		len(rep.Checks)-len(failed), len(rep.Checks), len(paths), out)
	for _, c := range failed {
		fmt.Fprintln(env.stdout, c.String())
	}
	if len(failed) > 0 {
		return fmt.Errorf("%w: %d of %d; run \"dpr theory\" for the full table", errChecksFailed, len(failed),
			len(rep.Checks))
	}
	return nil
}

// profileAndFolders returns the named profile with seeds (when given) in
// place of its own, and checks the -out and -work folders of fs. An empty
// -work is rejected when given and replaced by out/<profile> when not.
func profileAndFolders(fs *flag.FlagSet, profileName string, seeds uintList, out string, work *string) (
	experiment.Profile, error) {
	p, err := experiment.ProfileByName(profileName)
	if err != nil {
		return p, usageError{err}
	}
	if len(seeds) > 0 {
		p.Seeds = seeds
	}
	if err := p.Validate(); err != nil {
		return p, usageError{err}
	}
	if out == "" {
		return p, usageError{errors.New("-out is empty: name the folder for the figures, such as figures")}
	}
	if flagGiven(fs, "work") && *work == "" {
		return p, usageError{errors.New("-work is empty: name the run store folder, or leave -work out for out/" +
			p.Name)}
	}
	if *work == "" {
		*work = filepath.Join("out", p.Name)
	}
	return p, nil
}

// flagGiven reports whether the command line set the flag called name.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// checkNames rejects a value of the list flag called flagName that is not
// among known, naming the valid ones.
func checkNames(flagName, kind string, values, known []string) error {
	for _, v := range values {
		if !slices.Contains(known, v) {
			return usageError{fmt.Errorf("-%s: %s %q is unknown: use one of %s", flagName, kind, v,
				strings.Join(known, ", "))}
		}
	}
	return nil
}

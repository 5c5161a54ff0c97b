package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/dprkit/dprkit/dprlib/bench"
	"github.com/dprkit/dprkit/dprlib/device"
)

func runBench(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "bench", "bench")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	compare := fs.String("compare", "torch", "also time the training step in this framework: torch "+
		"(skipped with a message when PyTorch is not installed) or none")
	seconds := fs.Float64("seconds", 2, "least time spent timing each measurement, in seconds")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the Go measurements to this file")
	models := fs.String("models", "quick,1M", "comma-separated models to measure: quick (width 64, 2 blocks, "+
		"batch 32) and 1M (width 128, 4 blocks, batch 12)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *compare != "torch" && *compare != "none" {
		return usageError{fmt.Errorf("-compare %q is unknown: use torch or none", *compare)}
	}
	if !(*seconds > 0) || *seconds > 600 {
		return usageError{fmt.Errorf("-seconds %g is invalid: give a duration in (0, 600]", *seconds)}
	}
	if err := checkOutputFile(*cpuProfile); err != nil {
		return usageError{err}
	}
	var cases []bench.Case
	for _, name := range strings.Split(*models, ",") {
		found := false
		for _, c := range bench.DefaultCases() {
			if c.Name == strings.TrimSpace(name) {
				cases, found = append(cases, c), true
			}
		}
		if !found {
			return usageError{fmt.Errorf("-models lists %q, which is not quick or 1M", name)}
		}
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	env.logger.Info("bench", "backend", device.Config(), "seconds_per_measurement", *seconds)
	rep, err := bench.Run(ctx, bench.Options{Cases: cases, Seconds: *seconds,
		Torch: *compare == "torch"})
	if err != nil {
		return err
	}
	if *asJSON {
		data, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintln(env.stdout, string(data))
		return nil
	}
	printBench(env, rep)
	return nil
}

func printBench(env *environment, rep *bench.Report) {
	w := env.stdout
	fmt.Fprintf(w, "backend %s, %s, %d CPUs, %s\n\n", rep.Backend, rep.GoVersion, rep.CPUs, rep.CPUModel)
	fmt.Fprintf(w, "%-6s %9s %12s %12s %12s %10s %9s %9s %9s %9s %12s\n", "model", "weights", "train tok/s",
		"score tok/s", "sample tok/s", "DPR step", "train GF", "matmul GF", "wgrad GF", "roofline", "torch tok/s")
	for _, r := range rep.Cases {
		torch := "–"
		if r.Torch != nil {
			torch = fmt.Sprintf("%.0f", r.Torch.TrainTokensPerS)
		}
		fmt.Fprintf(w, "%-6s %9d %12.0f %12.0f %12.0f %9.3fs %9.1f %9.1f %9.1f %8.0f%% %12s\n", r.Case.Name, r.Params,
			r.TrainTokensPerS, r.ScoreTokensPerS, r.SampleTokensPerS, r.DPRStepSeconds, r.TrainGFLOPs,
			r.MatmulGFLOPs, r.WeightGradGFLOPs, 100*r.Roofline, torch)
	}
	fmt.Fprintln(w)
	for _, r := range rep.Cases {
		if r.Torch != nil {
			fmt.Fprintf(w, "%s: GoMLX / PyTorch training = %.2f (PyTorch %s, %d torch thread(s), %d BLAS "+
				"thread(s), %s)\n", r.Case.Name, r.TrainTokensPerS/r.Torch.TrainTokensPerS, r.Torch.Version,
				r.Torch.Threads, r.Torch.BLASThreads, r.Torch.BLASLibrary)
		}
	}
	if rep.TorchSkipped != "" {
		fmt.Fprintln(w, "PyTorch comparison skipped: "+rep.TorchSkipped)
	}
	fmt.Fprintf(w, "peak memory %.0f MiB, %.0f s\n", float64(rep.PeakRSSBytes)/(1<<20), rep.Seconds)
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/dprkit/dprkit/dprlib/doctor"
)

// datasetUse names, for each dataset, the parts of the kit that read its
// files, for the doctor's warning when they are absent.
var datasetUse = map[string]string{
	"scan":           "generated SCAN needs no files, only the official splits (simple, length, simple-p*) do",
	"gsm8k":          "only the GSM8K rows of dpr theory read them, and those rows are skipped without the files",
	"sigmorphon2017": "only the inflection tasks of dpr experiments read them",
}

// doctorReport is the JSON object that "dpr doctor -json" prints.
type doctorReport struct {
	Failures int            `json:"failures"`
	Warnings int            `json:"warnings"`
	Checks   []doctor.Check `json:"checks"`
}

func runDoctor(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "doctor", "doctor")
	dataDir := fs.String("data-dir", "", "data folder to check (default $DPR_DATA_DIR, then shared/data "+
		"beside the repository, then the user cache folder)")
	asJSON := fs.Bool("json", false, "print one JSON object with every check (name, status, detail, fix) "+
		"instead of the table")
	timeout := fs.Duration("backend-timeout", doctor.DefaultBackendTimeout, "time allowed for the "+
		"backend to start and run a 2×2 matmul")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *timeout <= 0 {
		return usageError{fmt.Errorf("-backend-timeout %v must be positive, such as %v",
			*timeout, doctor.DefaultBackendTimeout)}
	}

	opts := doctor.Options{DataDir: *dataDir, BackendTimeout: *timeout}
	for _, d := range datasets {
		opts.Datasets = append(opts.Datasets, doctor.Dataset{
			Name: d.name, Manifest: d.manifest, Use: datasetUse[d.name]})
	}
	checks := doctor.Run(ctx, opts)

	if *asJSON {
		if err := writeDoctorJSON(env.stdout, checks); err != nil {
			return err
		}
	} else {
		writeDoctorTable(env.stdout, checks)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if failed := doctor.Failed(checks); len(failed) > 0 {
		return fmt.Errorf("%d of %d checks failed: %s", len(failed), len(checks), strings.Join(failed, ", "))
	}
	return nil
}

// writeDoctorTable prints one line per check, "status  name  detail", and,
// for a warning or failure, an indented line with its fix.
func writeDoctorTable(w io.Writer, checks []doctor.Check) {
	width := 0
	for _, c := range checks {
		width = max(width, len(c.Name))
	}
	for _, c := range checks {
		fmt.Fprintf(w, "%-4s  %-*s  %s\n", c.Status, width, c.Name, c.Detail)
		if c.Status != doctor.OK && c.Fix != "" {
			fmt.Fprintf(w, "      fix: %s\n", c.Fix)
		}
	}
}

func writeDoctorJSON(w io.Writer, checks []doctor.Check) error {
	report := doctorReport{Checks: checks}
	for _, c := range checks {
		switch c.Status {
		case doctor.Fail:
			report.Failures++
		case doctor.Warn:
			report.Warnings++
		}
	}
	encoder := json.NewEncoder(w)
	encoder.SetIndent("", "  ")
	return encoder.Encode(report)
}

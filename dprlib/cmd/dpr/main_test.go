package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs one command line and returns its exit status and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestHelp(t *testing.T) {
	code, out, _ := runCLI(t, "help")
	if code != 0 {
		t.Fatalf("help exited %d", code)
	}
	for _, name := range []string{"reproduce", "sft", "dpr", "eval", "reward", "data"} {
		if !strings.Contains(out, "  "+name) {
			t.Errorf("help does not list %q:\n%s", name, out)
		}
	}
}

func TestCommandHelpGivesDefaults(t *testing.T) {
	code, _, errOut := runCLI(t, "dpr", "-h")
	if code != 0 {
		t.Fatalf("dpr -h exited %d", code)
	}
	for _, want := range []string{"-beta", "(default 0.1)", "-gamma", "(0, 1]", "-tau", "-kl"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("dpr -h lacks %q", want)
		}
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "none.ckpt")
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown command", []string{"train"}, 2, `unknown command "train"`},
		{"negative beta", []string{"dpr", "-sft", ckpt, "-out", dir, "-beta", "-0.5"}, 2, "β = -0.5"},
		{"gamma zero", []string{"dpr", "-sft", ckpt, "-out", dir, "-gamma", "0"}, 2, "γ = 0 is outside (0, 1]"},
		{"gamma above one", []string{"dpr", "-sft", ckpt, "-out", dir, "-gamma", "1.2"}, 2, "γ = 1.2"},
		{"zero temperature", []string{"dpr", "-sft", ckpt, "-out", dir, "-tau", "0"}, 2, "τ = 0"},
		{"unknown KL estimator", []string{"dpr", "-sft", ckpt, "-out", dir, "-kl", "k7"}, 2, `"k7" is unknown`},
		{"missing sft checkpoint flag", []string{"dpr", "-out", dir}, 2, "missing -sft"},
		{"missing reference checkpoint flag", []string{"dpr", "-sft", ckpt, "-out", dir}, 1, "not found"},
		{"fractions not increasing", []string{"sft", "-out", dir, "-fractions", "0.5,0.25,1"}, 2, "must increase"},
		{"fraction above one", []string{"sft", "-out", dir, "-fractions", "0.5,1.5"}, 2, "outside (0, 1]"},
		{"fraction not a number", []string{"sft", "-out", dir, "-fractions", "half"}, 2, `"half" is not a number`},
		{"unknown split", []string{"sft", "-out", dir, "-split", "gen-p3"}, 1, `split "gen-p3"`},
		{"missing data path", []string{"sft", "-out", dir, "-split", "simple-p8", "-data-dir",
			filepath.Join(dir, "nowhere")}, 1, "dpr data fetch"},
		{"heads do not divide width", []string{"sft", "-out", dir, "-heads", "3"}, 2, "heads 3"},
		{"missing checkpoint", []string{"eval", "-checkpoint", ckpt}, 1, "not found"},
		{"negative top-p", []string{"eval", "-checkpoint", ckpt, "-top-p", "-1"}, 2, "top-p -1"},
		{"stray argument", []string{"eval", "extra"}, 2, `unexpected argument "extra"`},
		{"unknown profile", []string{"reproduce", "-profile", "huge"}, 2, `profile "huge" is unknown`},
		{"unknown data action", []string{"data", "download"}, 2, "dpr data fetch"},
	}
	for _, c := range cases {
		code, _, errOut := runCLI(t, c.args...)
		if code != c.code {
			t.Errorf("%s: exit status %d, want %d (stderr %q)", c.name, code, c.code, errOut)
		}
		if !strings.Contains(errOut, c.want) {
			t.Errorf("%s: stderr %q does not contain %q", c.name, errOut, c.want)
		}
	}
}

func TestMissingReferenceCheckpoint(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runCLI(t, "sft", "-out", dir, "-split", "gen-p1", "-epochs", "0.1", "-width", "16",
		"-heads", "2", "-depth", "1")
	if code != 0 {
		t.Fatalf("sft exited %d: %s", code, errOut)
	}
	code, _, errOut = runCLI(t, "dpr", "-sft", filepath.Join(dir, "sft-1.ckpt"), "-out", filepath.Join(dir, "d"),
		"-split", "gen-p1")
	if code != 2 || !strings.Contains(errOut, "missing -ref") {
		t.Errorf("dpr without -ref: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runCLI(t, "dpr", "-sft", filepath.Join(dir, "sft-1.ckpt"), "-ref",
		filepath.Join(dir, "sft-0.3.ckpt"), "-out", filepath.Join(dir, "d"), "-split", "gen-p1")
	if code != 1 || !strings.Contains(errOut, "sft-0.3.ckpt not found") {
		t.Errorf("dpr with a missing -ref file: exit %d, stderr %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "d")); !os.IsNotExist(err) {
		t.Errorf("a rejected dpr run created its output folder (stat error %v)", err)
	}
}

func TestReproduceSmokeCommand(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "reproduce", "-profile", "smoke", "-out", filepath.Join(dir, "fig"),
		"-work", filepath.Join(dir, "work"), "-quiet")
	if code != 0 {
		t.Fatalf("reproduce exited %d: %s", code, errOut)
	}
	if !strings.Contains(out, "wrote summary.json") {
		t.Errorf("output lacks the summary line:\n%s", out)
	}
}

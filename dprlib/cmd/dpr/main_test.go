package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dprkit/dprkit/data"
	"github.com/dprkit/dprkit/dprlib/datapath"
	"github.com/dprkit/dprkit/dprlib/fetch"
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
		{"weight decay NaN", []string{"sft", "-out", dir, "-weight-decay", "NaN"}, 2, "weight decay NaN"},
		{"fractions not ending at 1", []string{"sft", "-out", dir, "-fractions", "0.25,0.5"}, 2, "end the list with 1"},
		{"huge width", []string{"sft", "-out", dir, "-width", "1000000", "-heads", "1"}, 2, "width 1000000 is too large"},
		{"huge depth", []string{"sft", "-out", dir, "-depth", "100000"}, 2, "depth 100000 is too large"},
		{"huge batch", []string{"sft", "-out", dir, "-batch", "100000000", "-warmup", "0"}, 1, "lower the batch size"},
		{"reference equals SFT", []string{"dpr", "-sft", ckpt, "-ref", ckpt, "-out", dir}, 2, "same file"},
		{"SFT-only reward with reference", []string{"dpr", "-sft", ckpt, "-ref", ckpt, "-reward", "sft-only",
			"-out", dir}, 2, "-ref is unused"},
		{"zero evaluation batch", []string{"eval", "-checkpoint", ckpt, "-batch", "0"}, 2, "-batch 0"},
		{"negative show", []string{"eval", "-checkpoint", ckpt, "-show", "-1"}, 2, "-show -1"},
		{"report path is a folder", []string{"eval", "-checkpoint", ckpt, "-out", dir}, 2, "is a folder"},
		{"repeated seeds", []string{"reproduce", "-profile", "smoke", "-seeds", "1,1"}, 2, "seed 1 twice"},
		{"empty figure folder", []string{"reproduce", "-profile", "smoke", "-out", ""}, 2, "-out is empty"},
		{"empty run store", []string{"experiments", "-profile", "smoke", "-work", ""}, 2, "-work is empty"},
		{"checkpoint is a folder", []string{"eval", "-checkpoint", dir}, 1, "is a directory"},
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
	code, _, errOut := runCLI(t, "sft", "-out", dir, "-split", "gen-p1", "-epochs", "0.1", "-warmup", "0", "-width", "16",
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
		"-work", filepath.Join(dir, "work"), "-quiet", "-theory=false")
	if code != 0 {
		t.Fatalf("reproduce exited %d: %s", code, errOut)
	}
	if !strings.Contains(out, "wrote summary.json") {
		t.Errorf("output lacks the summary line:\n%s", out)
	}
	if !strings.Contains(out, "experiments:") {
		t.Errorf("output lacks the experiments line:\n%s", out)
	}
	for _, name := range []string{"README.md", "experiments.json", "gamma-ablation.svg", "controls.png"} {
		if _, err := os.Stat(filepath.Join(dir, "fig", name)); err != nil {
			t.Errorf("reproduce did not write %s: %v", name, err)
		}
	}

	// dpr figures redraws the same files from the stored runs, and trains
	// nothing where the store is empty.
	before, err := os.ReadFile(filepath.Join(dir, "fig", "experiments.json"))
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI(t, "figures", "-profile", "smoke", "-out", filepath.Join(dir, "fig2"),
		"-work", filepath.Join(dir, "work"), "-quiet", "-theory=false")
	if code != 0 {
		t.Fatalf("figures exited %d: %s", code, errOut)
	}
	after, err := os.ReadFile(filepath.Join(dir, "fig2", "experiments.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(after) == 0 || !strings.Contains(string(after), `"claims"`) {
		t.Errorf("figures wrote an experiments.json without claims (%d bytes, first run %d)", len(after), len(before))
	}
	code, _, errOut = runCLI(t, "figures", "-profile", "smoke", "-out", filepath.Join(dir, "fig3"),
		"-work", filepath.Join(dir, "empty"), "-quiet", "-theory=false")
	if code != 1 || !strings.Contains(errOut, "not in the run store") {
		t.Errorf("figures on an empty store: exit %d, stderr %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "empty")); err == nil {
		entries, _ := os.ReadDir(filepath.Join(dir, "empty"))
		for _, e := range entries {
			t.Errorf("figures on an empty store created %s", e.Name())
		}
	}
}

func TestExperimentsCommand(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "experiments", "-profile", "smoke", "-tasks", "gen-p1", "-only",
		"gamma-ablation,reward-gaming", "-out", filepath.Join(dir, "fig"), "-work", filepath.Join(dir, "work"),
		"-quiet")
	if code != 0 {
		t.Fatalf("experiments exited %d: %s", code, errOut)
	}
	for _, want := range []string{"gen-p1: π_SFT exact match", "γ = 0.8", "wrote experiments.json"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	page, err := os.ReadFile(filepath.Join(dir, "fig", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "## gamma-ablation") || strings.Contains(string(page), "## controls") {
		t.Errorf("results page should hold the gamma ablation alone:\n%s", page)
	}
	code, _, errOut = runCLI(t, "experiments", "-profile", "smoke", "-only", "gamma", "-out",
		filepath.Join(dir, "fig"), "-work", filepath.Join(dir, "work"), "-quiet")
	if code != 2 || !strings.Contains(errOut, `experiment "gamma" is unknown`) {
		t.Errorf("unknown experiment: exit %d, stderr %q", code, errOut)
	}
}

func TestDataFetchFromLocalMirror(t *testing.T) {
	realDir, err := datapath.Resolve("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(realDir, "scan")); err != nil {
		t.Skipf("no SCAN files in %s to serve as a mirror (set DPR_DATA_DIR): %v", realDir, err)
	}
	manifest, err := fetch.ParseManifest(data.SCANManifest)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range manifest.Files {
		files[strings.TrimPrefix(f.URL, manifest.BaseURL)] = filepath.Join(realDir, filepath.FromSlash(f.Path))
	}
	mirror := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, path)
	}))
	defer mirror.Close()

	dest := t.TempDir()
	code, out, errOut := runCLI(t, "data", "fetch", "-data-dir", dest, "-base-url", mirror.URL)
	if code != 0 {
		t.Fatalf("fetch exited %d: %s", code, errOut)
	}
	if !strings.Contains(out, "11 downloaded") {
		t.Errorf("fetch output %q, want 11 downloads", out)
	}
	code, out, errOut = runCLI(t, "data", "verify", "-data-dir", dest)
	if code != 0 || !strings.Contains(out, "match their checksums") {
		t.Errorf("verify exited %d: %s %s", code, out, errOut)
	}

	// A mirror that serves nothing: every file fails, with one clear summary.
	empty := httptest.NewServer(http.NotFoundHandler())
	defer empty.Close()
	code, _, errOut = runCLI(t, "data", "fetch", "-data-dir", t.TempDir(), "-base-url", empty.URL)
	if code != 1 || !strings.Contains(errOut, "failed for 11 of 11 files") {
		t.Errorf("empty mirror: exit %d, stderr %q", code, errOut)
	}
}

func TestHelpTopic(t *testing.T) {
	code, _, errOut := runCLI(t, "help", "sft")
	if code != 0 || !strings.Contains(errOut, "Usage: dpr sft") {
		t.Errorf("help sft: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runCLI(t, "data", "-h")
	if code != 0 || !strings.Contains(errOut, "Usage: dpr data fetch|verify") {
		t.Errorf("data -h: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runCLI(t, "eval", "-batch", "x")
	if code != 2 || strings.Contains(errOut, "-max-new-tokens") {
		t.Errorf("a bad flag value printed the whole flag list or exited %d: %q", code, errOut)
	}
}

func TestInterruptedExitStatus(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	dir := t.TempDir()
	code := run(ctx, []string{"sft", "-out", dir, "-split", "gen-p1", "-epochs", "1", "-warmup", "0"},
		&stdout, &stderr)
	if code != exitInterrupted {
		t.Errorf("exit status %d, want %d; stderr %q", code, exitInterrupted, stderr.String())
	}
	if !strings.Contains(stderr.String(), "no sft-log.json") {
		t.Errorf("stderr %q does not say the run is incomplete", stderr.String())
	}
}

func TestSFTRefusesUsedFolder(t *testing.T) {
	dir := t.TempDir()
	args := []string{"sft", "-out", dir, "-split", "gen-p1", "-epochs", "0.1", "-warmup", "0", "-width", "16",
		"-heads", "2", "-depth", "1"}
	if code, _, errOut := runCLI(t, args...); code != 0 {
		t.Fatalf("first run exited %d: %s", code, errOut)
	}
	code, _, errOut := runCLI(t, args...)
	if code != 2 || !strings.Contains(errOut, "already contains a run") {
		t.Errorf("second run into the same folder: exit %d, stderr %q", code, errOut)
	}
	ckpt := filepath.Join(dir, "sft-1.ckpt")
	code, _, errOut = runCLI(t, "dpr", "-sft", ckpt, "-ref", filepath.Join(dir, "sft-1.ckpt"), "-out",
		t.TempDir())
	if code != 2 || !strings.Contains(errOut, "same file") {
		t.Errorf("same -ref and -sft: exit %d, stderr %q", code, errOut)
	}
}

func TestDataFetchGSM8KFromLocalMirror(t *testing.T) {
	realDir, err := datapath.Resolve("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(realDir, "gsm8k")); err != nil {
		t.Skipf("no GSM8K files in %s to serve as a mirror (set DPR_DATA_DIR): %v", realDir, err)
	}
	manifest, err := fetch.ParseManifest(data.GSM8KManifest)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{} // upstream URL path → local file
	for _, f := range manifest.Files {
		files[strings.TrimPrefix(f.URL, manifest.BaseURL)] =
			filepath.Join(realDir, filepath.FromSlash(f.Path))
	}
	mirror := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, path)
	}))
	defer mirror.Close()

	dest := t.TempDir()
	code, out, errOut := runCLI(t, "data", "fetch", "-dataset", "gsm8k", "-data-dir", dest,
		"-base-url", mirror.URL)
	if code != 0 {
		t.Fatalf("fetch exited %d: %s", code, errOut)
	}
	if !strings.Contains(out, "GSM8K in "+dest+": 3 downloaded") {
		t.Errorf("fetch output %q, want 3 GSM8K downloads into %s", out, dest)
	}
	if _, err := os.Stat(filepath.Join(dest, "scan")); !os.IsNotExist(err) {
		t.Errorf("fetch -dataset gsm8k created %s/scan (stat error %v)", dest, err)
	}

	code, out, errOut = runCLI(t, "data", "fetch", "-dataset", "gsm8k", "-data-dir", dest,
		"-base-url", mirror.URL)
	if code != 0 || !strings.Contains(out, "0 downloaded, 3 already present") {
		t.Errorf("second fetch exited %d: stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "data", "verify", "-dataset", "gsm8k", "-data-dir", dest)
	if code != 0 || !strings.Contains(out, "all 3 GSM8K files") {
		t.Errorf("verify exited %d: stdout %q, stderr %q", code, out, errOut)
	}
}

func TestDataVerifyGSM8KMissingFiles(t *testing.T) {
	dest := t.TempDir()
	code, _, errOut := runCLI(t, "data", "verify", "-dataset", "gsm8k", "-data-dir", dest)
	if code != 1 {
		t.Errorf("exit status %d, want 1; stderr %q", code, errOut)
	}
	for _, want := range []string{
		filepath.Join(dest, "gsm8k", "train.jsonl") + ": missing",
		`dpr data fetch -dataset gsm8k -data-dir ` + dest,
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr %q does not contain %q", errOut, want)
		}
	}
}

func TestDataFetchSIGMORPHON2017FromLocalMirror(t *testing.T) {
	realDir, err := datapath.Resolve("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(realDir, "sigmorphon2017_inflection")); err != nil {
		t.Skipf("no CoNLL-SIGMORPHON 2017 files in %s to serve as a mirror (set DPR_DATA_DIR): %v",
			realDir, err)
	}
	manifest, err := fetch.ParseManifest(data.SIGMORPHON2017Manifest)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{} // upstream URL path → local file
	for _, f := range manifest.Files {
		files[strings.TrimPrefix(f.URL, manifest.BaseURL)] =
			filepath.Join(realDir, filepath.FromSlash(f.Path))
	}
	mirror := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, path)
	}))
	defer mirror.Close()

	dest := t.TempDir()
	args := []string{"data", "fetch", "-dataset", "sigmorphon2017", "-data-dir", dest,
		"-base-url", mirror.URL}
	code, out, errOut := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("fetch exited %d: %s", code, errOut)
	}
	if !strings.Contains(out, "CoNLL-SIGMORPHON 2017 in "+dest+": 17 downloaded") {
		t.Errorf("fetch output %q, want 17 CoNLL-SIGMORPHON 2017 downloads into %s", out, dest)
	}
	test := filepath.Join(dest, "sigmorphon2017_inflection", "german", "german-test")
	if _, err := os.Stat(test); err != nil {
		t.Errorf("fetch did not write the German test file: %v", err)
	}

	code, out, errOut = runCLI(t, args...)
	if code != 0 || !strings.Contains(out, "0 downloaded, 17 already present") {
		t.Errorf("second fetch exited %d: stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "data", "verify", "-dataset", "sigmorphon2017", "-data-dir", dest)
	if code != 0 || !strings.Contains(out, "all 17 CoNLL-SIGMORPHON 2017 files") {
		t.Errorf("verify exited %d: stdout %q, stderr %q", code, out, errOut)
	}
}

func TestDataVerifySIGMORPHON2017DamagedFile(t *testing.T) {
	dest := t.TempDir()
	dev := filepath.Join(dest, "sigmorphon2017_inflection", "english", "english-dev")
	if err := os.MkdirAll(filepath.Dir(dev), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dev, []byte("stodge\tstodged\tV;PST\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "data", "verify", "-dataset", "sigmorphon2017", "-data-dir", dest)
	if code != 1 {
		t.Errorf("exit status %d, want 1; stderr %q", code, errOut)
	}
	for _, want := range []string{
		dev + ": size mismatch",
		filepath.Join(dest, "sigmorphon2017_inflection", "spanish", "spanish-test") + ": missing",
		"dpr data fetch -dataset sigmorphon2017 -data-dir " + dest,
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr %q does not contain %q", errOut, want)
		}
	}
}

func TestDataUnknownDataset(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "data")
	for _, action := range []string{"fetch", "verify"} {
		code, _, errOut := runCLI(t, "data", action, "-dataset", "mnist", "-data-dir", dest)
		if code != 2 {
			t.Errorf("%s: exit status %d, want 2; stderr %q", action, code, errOut)
		}
		for _, want := range []string{`-dataset "mnist" is unknown`, "valid names are scan, gsm8k"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("%s: stderr %q does not contain %q", action, errOut, want)
			}
		}
	}
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Errorf("a rejected -dataset created %s (stat error %v)", dest, err)
	}
}

func TestTheoryCommand(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "theory.json")
	// An empty data folder skips the GSM8K rows, as on a machine without the data.
	code, out, errOut := runCLI(t, "theory", "-work", filepath.Join(dir, "work"), "-json", report, "-quiet",
		"-data-dir", t.TempDir())
	if code != 0 {
		t.Fatalf("theory exited %d: %s\n%s", code, errOut, out)
	}
	rows := 0
	levels := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasSuffix(line, " pass") {
			rows++
			for _, level := range []string{"tree MDP", "SCAN transformer"} {
				if strings.Contains(line, level) {
					levels[level] = true
				}
			}
		}
	}
	if rows < 10 {
		t.Errorf("%d passing rows, want at least 10:\n%s", rows, out)
	}
	if len(levels) != 2 {
		t.Errorf("rows cover levels %v, want the tree MDP and the SCAN transformer", levels)
	}
	if !strings.Contains(out, "GSM8K transformer") || !strings.Contains(out, "skipped") {
		t.Errorf("output lacks the skipped GSM8K row:\n%s", out)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("JSON report missing: %v", err)
	}
	if !strings.Contains(string(data), `"measured": null`) {
		t.Errorf("JSON report does not write the skipped row's value as null")
	}
}

func TestBenchJSON(t *testing.T) {
	code, out, errOut := runCLI(t, "bench", "-models", "quick", "-seconds", "0.05", "-compare", "none", "-json")
	if code != 0 {
		t.Fatalf("bench exited %d: %s", code, errOut)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out)
	}
	for _, field := range []string{"train_tokens_per_s", "score_tokens_per_s", "sample_tokens_per_s",
		"train_gflops", "matmul_gflops"} {
		if v, ok := rep[field].(float64); !ok || v <= 0 {
			t.Errorf("field %s = %v, want a positive number", field, rep[field])
		}
	}
	code, _, errOut = runCLI(t, "bench", "-models", "2M")
	if code != 2 || !strings.Contains(errOut, `"2M"`) {
		t.Errorf("unknown model: exit %d, stderr %q", code, errOut)
	}
}

func TestEvalChecksTheTaskTokenizer(t *testing.T) {
	dataDir, err := datapath.Resolve("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "sigmorphon2017_inflection")); err != nil {
		t.Skipf("no inflection files in %s (run dpr data fetch -dataset sigmorphon2017): %v", dataDir, err)
	}
	dir := t.TempDir()
	code, _, errOut := runCLI(t, "sft", "-split", "inflection-english", "-epochs", "0.1", "-width", "16",
		"-depth", "1", "-heads", "2", "-warmup", "1", "-out", dir)
	if code != 0 {
		t.Fatalf("sft on inflection-english exited %d: %s", code, errOut)
	}
	ckpt := filepath.Join(dir, "sft-1.ckpt")
	code, out, errOut := runCLI(t, "eval", "-split", "inflection-english", "-checkpoint", ckpt, "-eval-count", "8")
	if code != 0 || !strings.Contains(out, "8 held-out prompts of inflection-english") {
		t.Errorf("eval on its own task: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, _, errOut = runCLI(t, "eval", "-split", "gen-p1", "-checkpoint", ckpt, "-eval-count", "8")
	if code != 1 || !strings.Contains(errOut, "another tokenizer than the one of gen-p1") {
		t.Errorf("eval on SCAN: exit %d, stderr %q", code, errOut)
	}
	// Without -split, eval scores the task the checkpoint records.
	code, out, errOut = runCLI(t, "eval", "-checkpoint", ckpt, "-eval-count", "8")
	if code != 0 || !strings.Contains(out, "of inflection-english") {
		t.Errorf("eval without -split: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestPartialExperimentsKeepFigures(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	code, out, errOut := runCLI(t, "experiments", "-profile", "smoke", "-tasks", "gen-p1", "-only", "temperature",
		"-quiet")
	if code != 0 {
		t.Fatalf("experiments exited %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "figures")); !os.IsNotExist(err) {
		t.Errorf("a partial run wrote into figures/ (stat error %v)", err)
	}
	partial := filepath.Join("out", "smoke", "figures-partial")
	if !strings.Contains(out, partial) {
		t.Errorf("output does not name %s:\n%s", partial, out)
	}
	if _, err := os.Stat(filepath.Join(dir, partial, "temperature.svg")); err != nil {
		t.Error(err)
	}
}

package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dprkit/dprkit/dprlib/datapath"
	"github.com/dprkit/dprkit/dprlib/doctor"
)

// doctorSandbox runs the test in a new working directory that holds a copy of
// the kit's go.mod go line, with an empty PATH, the default backend, the
// settings of setup.sh and an empty data folder, which it returns.
func doctorSandbox(t *testing.T) string {
	t.Helper()
	root, err := datapath.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	goMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goLine := ""
	scanner := bufio.NewScanner(strings.NewReader(string(goMod)))
	for scanner.Scan() {
		if fields := strings.Fields(scanner.Text()); len(fields) == 2 && fields[0] == "go" {
			goLine = fields[1]
		}
	}
	if goLine == "" {
		t.Fatalf("no go line in %s/go.mod", root)
	}

	work := t.TempDir()
	t.Chdir(work)
	sandboxMod := "module " + datapath.ModulePath + "\n\ngo " + goLine + "\n"
	if err := os.WriteFile("go.mod", []byte(sandboxMod), 0o644); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	dataDir := filepath.Join(work, "data")
	for name, value := range map[string]string{
		"PATH":               t.TempDir(),
		"HOME":               home,
		"GOBIN":              "",
		"GOPATH":             "",
		"XDG_CACHE_HOME":     filepath.Join(home, "cache"),
		"GOMLX_BACKEND":      "",
		"GOTOOLCHAIN":        "go" + goLine,
		"GOEXPERIMENT":       "simd",
		datapath.EnvVar:      dataDir,
		"JUPYTER_DATA_DIR":   filepath.Join(home, "jupyter"),
		"JUPYTER_PATH":       "",
		"JUPYTER_CONFIG_DIR": filepath.Join(home, "jupyter-config"),
	} {
		t.Setenv(name, value)
	}
	if err := os.Mkdir(dataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dataDir
}

// checkLine returns the table line of the check called name and the fix
// printed under it, or "" when there is none.
func checkLine(t *testing.T, out, name string) (line, fix string) {
	t.Helper()
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		// A line is "status  name  detail", with the status padded to 4 columns
		// and the name padded to the longest name.
		if len(l) > 6 && !strings.HasPrefix(l, " ") && strings.HasPrefix(l[6:], name+"  ") {
			if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "      fix: ") {
				fix = strings.TrimPrefix(lines[i+1], "      fix: ")
			}
			return l, fix
		}
	}
	t.Fatalf("no line for check %q in:\n%s", name, out)
	return "", ""
}

func TestDoctorWithoutJupyter(t *testing.T) {
	dataDir := doctorSandbox(t)
	code, out, errOut := runCLI(t, "doctor")
	if code != 0 {
		t.Fatalf("doctor exited %d, want 0; stdout:\n%s\nstderr: %s", code, out, errOut)
	}
	line, fix := checkLine(t, out, "jupyter")
	if !strings.HasPrefix(line, "warn") {
		t.Errorf("jupyter line %q, want a warning", line)
	}
	if !strings.Contains(fix, "bash dprlib/scripts/setup.sh") {
		t.Errorf("jupyter fix %q lacks setup.sh", fix)
	}
	if !strings.Contains(fix, "conda env create -f environment.yml") {
		t.Errorf("jupyter fix %q lacks the conda route", fix)
	}
	for _, name := range []string{"go environment", "goimports", "gopls", "gonb kernel", "data scan"} {
		line, fix := checkLine(t, out, name)
		if !strings.HasPrefix(line, "warn") {
			t.Errorf("%s line %q, want a warning", name, line)
		}
		if fix == "" {
			t.Errorf("%s warning has no fix line", name)
		}
	}
	for _, name := range []string{"go toolchain", "backend", "data dir", "out/", "figures/"} {
		if line, _ := checkLine(t, out, name); !strings.HasPrefix(line, "ok") {
			t.Errorf("%s line %q, want ok", name, line)
		}
	}
	if _, fix := checkLine(t, out, "data scan"); fix != "dpr data fetch -dataset scan -data-dir "+dataDir {
		t.Errorf("data scan fix %q, want dpr data fetch into %s", fix, dataDir)
	}
	if _, err := os.Stat("out"); !os.IsNotExist(err) {
		t.Errorf("doctor created out/ (stat error %v)", err)
	}
}

func TestDoctorDamagedDataFile(t *testing.T) {
	dataDir := doctorSandbox(t)
	license := filepath.Join(dataDir, "scan", "LICENSE")
	if err := os.MkdirAll(filepath.Dir(license), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(license, []byte("not the SCAN license\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runCLI(t, "doctor")
	if code != 1 {
		t.Fatalf("doctor exited %d, want 1; stdout:\n%s", code, out)
	}
	line, fix := checkLine(t, out, "data scan")
	if !strings.HasPrefix(line, "FAIL") {
		t.Errorf("data scan line %q, want FAIL", line)
	}
	if !strings.Contains(line, license) {
		t.Errorf("data scan line %q does not name %s", line, license)
	}
	if !strings.HasPrefix(fix, "dpr data fetch -dataset scan -data-dir "+dataDir) {
		t.Errorf("data scan fix %q, want dpr data fetch into %s", fix, dataDir)
	}
	if !strings.Contains(errOut, "data scan") {
		t.Errorf("stderr %q does not name the failed check", errOut)
	}
}

func TestDoctorJSON(t *testing.T) {
	doctorSandbox(t)
	t.Setenv("GOMLX_BACKEND", "nosuchbackend:x")
	code, out, errOut := runCLI(t, "doctor", "-json")
	if code != 1 {
		t.Errorf("doctor -json with an unknown backend exited %d, want 1 (stderr %q)", code, errOut)
	}
	var report struct {
		Failures int            `json:"failures"`
		Warnings int            `json:"warnings"`
		Checks   []doctor.Check `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("-json output is not JSON: %v\n%s", err, out)
	}

	byName := map[string]doctor.Check{}
	for _, c := range report.Checks {
		byName[c.Name] = c
	}
	want := []string{"go toolchain", "go simd", "go environment", "backend", "jupyter", "gonb kernel",
		"goimports", "gopls", "data dir", "data scan", "data gsm8k", "data sigmorphon2017", "out/", "figures/"}
	for _, name := range want {
		c, ok := byName[name]
		if !ok {
			t.Errorf("-json output lacks the check %q", name)
			continue
		}
		if c.Detail == "" {
			t.Errorf("check %q has no detail", name)
		}
		if c.Status != doctor.OK && c.Fix == "" {
			t.Errorf("check %q is %s without a fix", name, c.Status)
		}
	}
	if len(report.Checks) != len(want) {
		t.Errorf("-json output has %d checks, want %d", len(report.Checks), len(want))
	}
	backend := byName["backend"]
	if backend.Status != doctor.Fail {
		t.Errorf("backend check status %s, want FAIL", backend.Status)
	}
	if !strings.Contains(backend.Detail, "nosuchbackend") {
		t.Errorf("backend detail %q does not name nosuchbackend", backend.Detail)
	}
	if report.Failures != 1 {
		t.Errorf("failures = %d, want 1", report.Failures)
	}
	if report.Warnings == 0 {
		t.Error("warnings = 0, want the missing Jupyter and data among them")
	}
}

func TestDoctorBadFlag(t *testing.T) {
	code, _, errOut := runCLI(t, "doctor", "-backend-timeout", "0s")
	if code != 2 {
		t.Errorf("doctor -backend-timeout 0s exited %d, want 2", code)
	}
	if !strings.Contains(errOut, "-backend-timeout 0s must be positive") {
		t.Errorf("doctor -backend-timeout 0s: stderr %q lacks the reason", errOut)
	}
}

package doctor

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dprkit/dprkit/dprlib/datapath"
	"github.com/gomlx/compute"
)

func TestParseModule(t *testing.T) {
	data := []byte("module github.com/dprkit/dprkit\n\ngo 1.27.3\n\nrequire (\n" +
		"\tgithub.com/gomlx/gomlx v0.28.16\n\tgithub.com/janpfeifer/gonb v0.11.5\n)\n")
	mod := parseModule("/repo", data)
	if mod.root != "/repo" {
		t.Errorf("root %q, want /repo", mod.root)
	}
	if mod.goVersion != "go1.27.3" {
		t.Errorf("goVersion %q, want go1.27.3", mod.goVersion)
	}
	if mod.gonbVersion != "v0.11.5" {
		t.Errorf("gonbVersion %q, want v0.11.5", mod.gonbVersion)
	}
}

func TestJudgeToolchain(t *testing.T) {
	cases := []struct {
		value string
		want  toolchainJudgement
	}{
		{"go1.27.3", toolchainProvides},
		{"go1.28.0", toolchainProvides},
		{"go1.27.3+path", toolchainProvides},
		{"go1.26.8", toolchainTooOld},
		{"go1.26.8+path", toolchainTooOld},
		{"go1.26.8+auto", toolchainProvides},
		{"auto", toolchainProvides},
		{"local", toolchainLocal},
		{"path", toolchainLocal},
		{"", toolchainLocal},
	}
	for _, c := range cases {
		if got := judgeToolchain(c.value, "go1.27.3"); got != c.want {
			t.Errorf("judgeToolchain(%q, go1.27.3) = %d, want %d", c.value, got, c.want)
		}
	}
}

func TestHasExperiment(t *testing.T) {
	cases := []struct {
		list string
		want bool
	}{
		{"simd", true},
		{"arenas,simd", true},
		{"simd,nosimd", false},
		{"nosimd", false},
		{"", false},
		{"simdx", false},
	}
	for _, c := range cases {
		if got := hasExperiment(c.list, "simd"); got != c.want {
			t.Errorf("hasExperiment(%q, simd) = %v, want %v", c.list, got, c.want)
		}
	}
}

func TestToolchainVersion(t *testing.T) {
	for in, want := range map[string]string{
		"go1.27.3-X:simd": "go1.27.3",
		"go1.27.3 X:simd": "go1.27.3",
		"go1.27.3":        "go1.27.3",
	} {
		if got := toolchainVersion(in); got != want {
			t.Errorf("toolchainVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestToolchainNewerGoMod(t *testing.T) {
	mod := module{root: "/repo", goVersion: "go1.99.0"}
	c := checkToolchain(mod, nil, newFixes(""))
	if c.Status != Fail {
		t.Fatalf("status %s, want FAIL: %+v", c.Status, c)
	}
	if !strings.Contains(c.Detail, "go1.99.0") {
		t.Errorf("detail %q does not name go.mod's version", c.Detail)
	}
	if !strings.Contains(c.Fix, "source dprlib/scripts/setup.sh") {
		t.Errorf("fix %q does not source setup.sh", c.Fix)
	}
}

// testDataset returns a dataset of two files and the files' contents, which
// it does not write.
func testDataset(t *testing.T) (Dataset, map[string]string) {
	t.Helper()
	contents := map[string]string{"toy/a.txt": "first file\n", "toy/b.txt": "second file\n"}
	type file struct {
		Path   string `json:"path"`
		URL    string `json:"url"`
		Size   int    `json:"size"`
		SHA256 string `json:"sha256"`
	}
	manifest := struct {
		Name    string `json:"name"`
		BaseURL string `json:"base_url"`
		Files   []file `json:"files"`
	}{Name: "toy", BaseURL: "http://127.0.0.1/toy"}
	for _, p := range []string{"toy/a.txt", "toy/b.txt"} {
		sum := sha256.Sum256([]byte(contents[p]))
		manifest.Files = append(manifest.Files, file{Path: p, URL: "http://127.0.0.1/toy/" + p,
			Size: len(contents[p]), SHA256: hex.EncodeToString(sum[:])})
	}
	data, err := json.Marshal(manifest)
	if err != nil {
		t.Fatal(err)
	}
	return Dataset{Name: "toy", Manifest: data, Use: "only the toy task reads them"}, contents
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCheckDataset(t *testing.T) {
	dataset, contents := testDataset(t)
	cases := []struct {
		name       string
		files      map[string]string
		status     Status
		wantDetail string
	}{
		{"all present", contents, OK, "all 2 files"},
		{"none present", nil, Warn, "optional: only the toy task reads them"},
		{"one missing", map[string]string{"toy/a.txt": contents["toy/a.txt"]}, Warn, "toy/b.txt"},
		{"wrong size", map[string]string{"toy/a.txt": "x", "toy/b.txt": contents["toy/b.txt"]},
			Fail, "a.txt: size mismatch"},
		{"wrong content", map[string]string{"toy/a.txt": "first fil!\n"}, Fail, "a.txt: sha256 mismatch"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		writeFiles(t, dir, c.files)
		location := datapath.Location{Dir: dir, Source: datapath.FromFlag}
		got := checkDataset(location, true, dataset)
		if got.Status != c.status {
			t.Errorf("%s: status %s, want %s (%q)", c.name, got.Status, c.status, got.Detail)
		}
		if !strings.Contains(got.Detail, c.wantDetail) {
			t.Errorf("%s: detail %q does not contain %q", c.name, got.Detail, c.wantDetail)
		}
		if c.status != OK && !strings.Contains(got.Fix, "dpr data fetch -dataset toy -data-dir "+dir) {
			t.Errorf("%s: fix %q does not fetch into %s", c.name, got.Fix, dir)
		}
	}
}

func TestFetchCommandFromRepo(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/cache home")
	got := fetchCommand(datapath.Location{Dir: "/shared/data", Source: datapath.FromRepo}, "gsm8k")
	want := "dpr data fetch -dataset gsm8k -data-dir '/cache home/dprkit/data', " +
		"then export DPR_DATA_DIR='/cache home/dprkit/data'"
	if got != want {
		t.Errorf("fetchCommand = %q, want %q", got, want)
	}
}

// expectCheck reports, each on its own, a status other than status, a
// detail without detailPart and a fix without fixPart. An empty part is not
// checked.
func expectCheck(t *testing.T, label string, c Check, status Status, detailPart, fixPart string) {
	t.Helper()
	if c.Status != status {
		t.Errorf("%s: status %s, want %s (detail %q)", label, c.Status, status, c.Detail)
	}
	if !strings.Contains(c.Detail, detailPart) {
		t.Errorf("%s: detail %q does not contain %q", label, c.Detail, detailPart)
	}
	if !strings.Contains(c.Fix, fixPart) {
		t.Errorf("%s: fix %q does not contain %q", label, c.Fix, fixPart)
	}
}

func TestCheckDataDirIsFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "data")
	writeFiles(t, filepath.Dir(file), map[string]string{"data": "not a folder"})
	c, _, ok := checkDataDir(file)
	expectCheck(t, "data dir is a file", c, Fail, file+" (flag) is a file", "-data-dir")
	if ok {
		t.Error("checkDataDir reports a file as a usable data directory")
	}
}

func TestCheckFolder(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.Mkdir("out", 0o755); err != nil {
		t.Fatal(err)
	}
	expectCheck(t, "existing folder", checkFolder("out"), OK, "out is writable", "")
	entries, err := os.ReadDir("out")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("checkFolder left %d entries in out/, such as %s", len(entries), entries[0].Name())
	}

	expectCheck(t, "missing folder", checkFolder("figures"), OK, "does not exist yet", "")
	if _, err := os.Stat("figures"); !os.IsNotExist(err) {
		t.Errorf("checkFolder created figures/ (stat error %v)", err)
	}

	writeFiles(t, ".", map[string]string{"work": "a file"})
	expectCheck(t, "file in place of the folder", checkFolder("work"), Fail, "is a file", "mv ")
}

// writeScript writes an executable shell script to dir/name.
func writeScript(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// fakeJupyter writes a jupyter script whose `kernelspec list --json` lists
// a gonb kernel that runs gonb with env, and returns the script's path.
func fakeJupyter(t *testing.T, gonb string, env map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	resources := filepath.Join(dir, "kernels", "gonb")
	spec := map[string]any{"kernelspecs": map[string]any{"gonb": map[string]any{
		"resource_dir": resources,
		"spec":         map[string]any{"argv": []string{gonb, "--kernel", "{connection_file}"}, "env": env},
	}}}
	data, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	body := "case \"$1\" in\nnbconvert) echo 7.16.4 ;;\nkernelspec) printf '%s\\n' '" + string(data) +
		"' ;;\n*) exit 2 ;;\nesac\n"
	return writeScript(t, dir, "jupyter", body)
}

func TestCheckKernel(t *testing.T) {
	bin := t.TempDir()
	gonb := writeScript(t, bin, "gonb", "echo 'GoNB version: v0.11.5'\n")
	goodEnv := map[string]string{"GOTOOLCHAIN": "go1.27.3", "GOEXPERIMENT": "simd"}
	mod := module{goVersion: "go1.27.3", gonbVersion: "v0.11.5"}
	cases := []struct {
		name   string
		gonb   string
		env    map[string]string
		mod    module
		status Status
		want   string
	}{
		{"registered", gonb, goodEnv, mod, OK, "(v0.11.5)"},
		{"binary missing", filepath.Join(bin, "gone"), goodEnv, mod, Fail, "does not exist"},
		{"no simd", gonb, map[string]string{"GOTOOLCHAIN": "go1.27.3"}, mod, Warn, "GOEXPERIMENT=simd"},
		{"old toolchain", gonb, map[string]string{"GOTOOLCHAIN": "go1.26.8", "GOEXPERIMENT": "simd"}, mod,
			Warn, `GOTOOLCHAIN="go1.26.8"`},
		{"other gonb", gonb, goodEnv, module{goVersion: "go1.27.3", gonbVersion: "v0.11.6"}, Warn,
			"requires v0.11.6"},
	}
	for _, c := range cases {
		jupyter := fakeJupyter(t, c.gonb, c.env)
		got := checkKernel(context.Background(), jupyter, c.mod, newFixes(""))
		if got.Status != c.status {
			t.Errorf("%s: status %s, want %s (%q)", c.name, got.Status, c.status, got.Detail)
		}
		if !strings.Contains(got.Detail, c.want) {
			t.Errorf("%s: detail %q does not contain %q", c.name, got.Detail, c.want)
		}
		if c.status != OK && got.Fix != "bash dprlib/scripts/setup.sh" {
			t.Errorf("%s: fix %q, want bash dprlib/scripts/setup.sh", c.name, got.Fix)
		}
	}
}

func TestCheckKernelNotRegistered(t *testing.T) {
	dir := t.TempDir()
	jupyter := writeScript(t, dir, "jupyter", "echo '{\"kernelspecs\": {}}'\n")
	c := checkKernel(context.Background(), jupyter, module{}, newFixes(""))
	expectCheck(t, "unregistered kernel", c, Warn, "no kernel named gonb", "bash dprlib/scripts/setup.sh")
}

func TestCheckJupyter(t *testing.T) {
	bin := t.TempDir()
	t.Setenv("PATH", bin)
	c, path := checkJupyter(context.Background(), newFixes(""))
	expectCheck(t, "without jupyter", c, Warn, "not on PATH", "conda env create -f environment.yml")
	if path != "" {
		t.Errorf("without jupyter: path %q, want empty", path)
	}

	jupyter := fakeJupyter(t, "/nowhere/gonb", nil)
	if err := os.Rename(jupyter, filepath.Join(bin, "jupyter")); err != nil {
		t.Fatal(err)
	}
	c, path = checkJupyter(context.Background(), newFixes(""))
	expectCheck(t, "with jupyter", c, OK, "nbconvert 7.16.4", "")
	if path != filepath.Join(bin, "jupyter") {
		t.Errorf("with jupyter: path %q, want %s", path, filepath.Join(bin, "jupyter"))
	}
}

func TestCheckGoTool(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	gobin := t.TempDir()
	t.Setenv("GOBIN", gobin)
	expectCheck(t, "gopls nowhere", checkGoTool("gopls", newFixes("")), Warn, "nor in "+gobin,
		"bash dprlib/scripts/setup.sh")

	writeScript(t, gobin, "gopls", "exit 0\n")
	expectCheck(t, "gopls in GOBIN only", checkGoTool("gopls", newFixes("")), Warn, gobin+" is not on PATH",
		"source dprlib/scripts/setup.sh")

	t.Setenv("PATH", gobin)
	expectCheck(t, "gopls on PATH", checkGoTool("gopls", newFixes("")), OK, filepath.Join(gobin, "gopls"), "")
}

func TestCheckBackend(t *testing.T) {
	t.Setenv(compute.ConfigEnvVar, "")
	c := checkBackend(context.Background(), DefaultBackendTimeout)
	expectCheck(t, "default backend", c, OK, "ran a 2×2 matmul", "")

	t.Setenv(compute.ConfigEnvVar, "tpu9:fast")
	c = checkBackend(context.Background(), DefaultBackendTimeout)
	expectCheck(t, "unknown backend", c, Fail, `"tpu9" is not compiled`, "unset GOMLX_BACKEND")

	if slices.Contains(compute.List(), "xla") {
		return
	}
	t.Setenv(compute.ConfigEnvVar, "xla:cuda")
	c = checkBackend(context.Background(), DefaultBackendTimeout)
	expectCheck(t, "xla without the build tag", c, Fail, `"xla" is not compiled`, "go run -tags xla")
}

func TestFailed(t *testing.T) {
	checks := []Check{{Name: "a", Status: OK}, {Name: "b", Status: Fail}, {Name: "c", Status: Warn},
		{Name: "d", Status: Fail}}
	if got := Failed(checks); !slices.Equal(got, []string{"b", "d"}) {
		t.Errorf("Failed = %v, want [b d]", got)
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/home/me/data": "/home/me/data",
		"/my data":      "'/my data'",
		"it's":          `'it'\''s'`,
		"":              "''",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %q, want %q", in, got, want)
		}
	}
}

// Package doctor checks that a machine is set up to build, test and run the
// kit, and returns the fix for each problem it finds.
//
// Run performs every check in a fixed order. It checks the Go toolchain
// and its SIMD experiment, the environment of the shell and the GoMLX
// backend. Then it checks Jupyter with the GoNB kernel and the tools GoNB
// needs, the data files against their manifests, and the work folders. The checks download nothing and change
// nothing, except for one temporary file that the work-folder checks create
// and remove at once.
package doctor

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/dprkit/dprkit/dprlib/datapath"
)

// Status is the outcome of one check.
type Status string

// Outcomes of a check. Only Fail means that something the kit needs is
// broken. Warn marks a missing optional part or a slow setting.
const (
	OK   Status = "ok"
	Warn Status = "warn"
	Fail Status = "FAIL"
)

// Check is the result of one check.
type Check struct {
	// Name identifies the check, such as "backend" or "data scan".
	Name   string `json:"name"`
	Status Status `json:"status"`
	// Detail states what was found, with the values and paths involved.
	Detail string `json:"detail"`
	// Fix is the command or setting that repairs a Warn or Fail, and empty
	// for OK.
	Fix string `json:"fix,omitempty"`
}

// Dataset is one dataset whose files Run verifies.
type Dataset struct {
	// Name is the value of "dpr data fetch -dataset", such as "scan".
	Name     string
	Manifest []byte
	// Use names the parts of the kit that read the files, for the warning
	// shown when they are absent, such as "generated SCAN needs no files".
	Use string
}

// DefaultBackendTimeout is the time Run allows the backend to start and run
// its test graph when Options.BackendTimeout is zero.
const DefaultBackendTimeout = 20 * time.Second

// commandTimeout bounds each external program that Run starts, such as
// `jupyter nbconvert --version`, so that a hung program cannot stall it.
const commandTimeout = 10 * time.Second

// Options configures Run.
type Options struct {
	// DataDir is the value of a -data-dir flag, or empty to resolve the data
	// directory with datapath.Lookup's other rules.
	DataDir  string
	Datasets []Dataset
	// BackendTimeout bounds the backend check. Zero means
	// DefaultBackendTimeout.
	BackendTimeout time.Duration
}

// Run performs every check and returns the results in a fixed order. The
// work folders are "out" and "figures" under the working directory, where
// the kit's commands write by default.
func Run(ctx context.Context, opts Options) []Check {
	timeout := opts.BackendTimeout
	if timeout <= 0 {
		timeout = DefaultBackendTimeout
	}
	mod, modErr := findModule()
	fixes := newFixes(mod.root)

	checks := []Check{
		checkToolchain(mod, modErr, fixes),
		checkSIMD(fixes),
		checkGoEnvironment(ctx, mod, fixes),
		checkBackend(ctx, timeout),
	}
	jupyter, jupyterPath := checkJupyter(ctx, fixes)
	checks = append(checks,
		jupyter,
		checkKernel(ctx, jupyterPath, mod, fixes),
		checkGoTool("goimports", fixes),
		checkGoTool("gopls", fixes),
	)
	dataDir, location, ok := checkDataDir(opts.DataDir)
	checks = append(checks, dataDir)
	for _, d := range opts.Datasets {
		checks = append(checks, checkDataset(location, ok, d))
	}
	checks = append(checks, checkFolder("out"), checkFolder("figures"))
	return checks
}

// Failed returns the names of the checks whose status is Fail.
func Failed(checks []Check) []string {
	var names []string
	for _, c := range checks {
		if c.Status == Fail {
			names = append(names, c.Name)
		}
	}
	return names
}

// module contains the fields of the kit's go.mod that the checks read.
type module struct {
	// root is the repository root, or empty when the working directory is
	// outside the repository.
	root string
	// goVersion is the go line in the form of runtime.Version, such as
	// "go1.27.3", or empty when no go.mod was found.
	goVersion string
	// gonbVersion is the required version of GoNB, such as "v0.11.5".
	gonbVersion string
}

const gonbModule = "github.com/janpfeifer/gonb"

// findModule reads the go.mod of the repository that contains the working
// directory. Outside the repository it returns an empty module and no error.
func findModule() (module, error) {
	root, err := datapath.RepoRoot()
	if errors.Is(err, datapath.ErrNoRepoRoot) {
		return module{}, nil
	}
	if err != nil {
		return module{}, err
	}
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return module{root: root}, err
	}
	return parseModule(root, data), nil
}

func parseModule(root string, data []byte) module {
	mod := module{root: root}
	scanner := bufio.NewScanner(bytes.NewReader(data))
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		if len(fields) == 2 && fields[0] == "go" {
			mod.goVersion = "go" + fields[1]
		}
		for i, field := range fields {
			if field == gonbModule && i+1 < len(fields) {
				mod.gonbVersion = fields[i+1]
			}
		}
	}
	return mod
}

// fixes holds the set-up commands that fixes name, with paths that work
// from the working directory.
type fixes struct {
	// source exports the kit's settings into the current shell.
	source string
	// setup installs Jupyter's nbconvert, GoNB, goimports and gopls and
	// registers the kernel.
	setup string
	// conda creates the conda environment of environment.yml.
	conda string
}

func newFixes(root string) fixes {
	script := filepath.Join("dprlib", "scripts", "setup.sh")
	environment := "environment.yml"
	if wd, err := os.Getwd(); err == nil && root != "" && root != wd {
		script = shellQuote(filepath.Join(root, script))
		environment = shellQuote(filepath.Join(root, environment))
	}
	return fixes{
		source: "source " + script,
		setup:  "bash " + script,
		conda:  "conda env create -f " + environment + " && conda activate dprkit",
	}
}

// runOutput runs a program for at most commandTimeout and returns its
// standard output. extraEnv entries, such as "GOTOOLCHAIN=local", are added
// to the process's environment. The error names the program and carries the
// first line of its standard error.
func runOutput(ctx context.Context, dir string, extraEnv []string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()

	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	if len(extraEnv) > 0 {
		cmd.Env = append(os.Environ(), extraEnv...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	commandLine := strings.Join(append([]string{name}, args...), " ")
	if ctx.Err() == context.DeadlineExceeded {
		return "", fmt.Errorf("`%s` timed out after %v", commandLine, commandTimeout)
	}
	if err != nil {
		if line := firstLine(stderr.String()); line != "" {
			return "", fmt.Errorf("`%s` failed: %v: %s", commandLine, err, line)
		}
		return "", fmt.Errorf("`%s` failed: %v", commandLine, err)
	}
	return stdout.String(), nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(line)
}

// shellQuote returns s quoted for a POSIX shell when it contains characters
// that the shell would interpret.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("/._-+,:=@%", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

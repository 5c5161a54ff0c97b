package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// checkJupyter finds jupyter on PATH and reads nbconvert's version. It also
// returns the path of jupyter, or "" when it is missing. Jupyter is optional
// because the dpr command runs without it, so problems are warnings.
func checkJupyter(ctx context.Context, fix fixes) (Check, string) {
	c := Check{Name: "jupyter"}
	installFix := fix.setup + ", or with conda: " + fix.conda + " && " + fix.setup
	path, err := exec.LookPath("jupyter")
	if err != nil {
		c.Status = Warn
		c.Detail = "jupyter is not on PATH, so the notebooks cannot run (the dpr command works without it)"
		c.Fix = installFix
		return c, ""
	}
	out, err := runOutput(ctx, "", nil, path, "nbconvert", "--version")
	if err != nil {
		c.Status = Warn
		c.Detail = fmt.Sprintf("%s is on PATH but nbconvert is unusable: %v", path, err)
		c.Fix = installFix
		return c, path
	}
	c.Status = OK
	c.Detail = fmt.Sprintf("%s, nbconvert %s", path, firstLine(out))
	return c, path
}

// kernelSpecs is the part of `jupyter kernelspec list --json` that the
// kernel check reads.
type kernelSpecs struct {
	KernelSpecs map[string]struct {
		ResourceDir string `json:"resource_dir"`
		Spec        struct {
			Argv []string          `json:"argv"`
			Env  map[string]string `json:"env"`
		} `json:"spec"`
	} `json:"kernelspecs"`
}

// checkKernel checks that Jupyter lists the GoNB kernel, that the gonb
// binary of its kernelspec runs, and that the kernelspec's environment has
// the settings setup.sh writes into it.
func checkKernel(ctx context.Context, jupyterPath string, mod module, fix fixes) Check {
	c := Check{Name: "gonb kernel", Status: Warn, Fix: fix.setup}
	if jupyterPath == "" {
		c.Detail = "not checked, because jupyter is not on PATH"
		return c
	}
	out, err := runOutput(ctx, "", nil, jupyterPath, "kernelspec", "list", "--json")
	if err != nil {
		c.Detail = fmt.Sprintf("cannot list the kernels: %v", err)
		return c
	}
	var specs kernelSpecs
	if err := json.Unmarshal([]byte(out), &specs); err != nil {
		c.Detail = fmt.Sprintf("`jupyter kernelspec list --json` printed invalid JSON: %v", err)
		return c
	}
	kernel, ok := specs.KernelSpecs["gonb"]
	if !ok {
		c.Detail = "Jupyter has no kernel named gonb, so the notebooks cannot run"
		return c
	}
	specFile := filepath.Join(kernel.ResourceDir, "kernel.json")
	if len(kernel.Spec.Argv) == 0 {
		c.Status = Fail
		c.Detail = fmt.Sprintf("%s has an empty argv", specFile)
		return c
	}

	gonb := kernel.Spec.Argv[0]
	if err := checkExecutable(gonb); err != nil {
		c.Status = Fail
		c.Detail = fmt.Sprintf("%s runs %s, which %v", specFile, gonb, err)
		return c
	}
	gonbVersion := "version unknown"
	if out, err := runOutput(ctx, "", nil, gonb, "--version"); err == nil {
		gonbVersion = strings.TrimPrefix(firstLine(out), "GoNB version: ")
	}

	var problems []string
	if mod.gonbVersion != "" && gonbVersion != mod.gonbVersion {
		problems = append(problems, fmt.Sprintf("gonb is %s but go.mod requires %s", gonbVersion,
			mod.gonbVersion))
	}
	env := kernel.Spec.Env
	if !hasExperiment(env["GOEXPERIMENT"], "simd") {
		problems = append(problems, "its env lacks GOEXPERIMENT=simd, so notebooks run GoMLX's "+
			"scalar kernels, 10-20x slower")
	}
	if mod.goVersion != "" && judgeToolchain(env["GOTOOLCHAIN"], mod.goVersion) != toolchainProvides {
		problems = append(problems, fmt.Sprintf("its env has GOTOOLCHAIN=%q, so a local Go older than "+
			"%s fails to build the notebooks", env["GOTOOLCHAIN"], mod.goVersion))
	}
	detail := fmt.Sprintf("%s runs %s (%s)", specFile, gonb, gonbVersion)
	if len(problems) > 0 {
		c.Detail = detail + "; " + strings.Join(problems, "; ")
		return c
	}
	return Check{Name: c.Name, Status: OK, Detail: detail}
}

// checkExecutable returns an error, phrased to follow the file's name, when
// path is not an executable regular file. A name without a slash is looked
// up on PATH, as Jupyter does.
func checkExecutable(path string) error {
	if !strings.ContainsRune(path, filepath.Separator) {
		if _, err := exec.LookPath(path); err != nil {
			return fmt.Errorf("is not on PATH")
		}
		return nil
	}
	info, err := os.Stat(path)
	switch {
	case os.IsNotExist(err):
		return fmt.Errorf("does not exist")
	case err != nil:
		return fmt.Errorf("cannot be read: %v", err)
	case !info.Mode().IsRegular():
		return fmt.Errorf("is not a regular file")
	case info.Mode().Perm()&0o111 == 0:
		return fmt.Errorf("is not executable (mode %v)", info.Mode().Perm())
	}
	return nil
}

// checkGoTool looks for a program that GoNB runs, goimports or gopls, on
// PATH and then in the folder that `go install` writes to.
func checkGoTool(name string, fix fixes) Check {
	c := Check{Name: name}
	if path, err := exec.LookPath(name); err == nil {
		c.Status = OK
		c.Detail = path
		return c
	}
	c.Status = Warn
	dir := goInstallDir()
	if dir == "" {
		c.Detail = fmt.Sprintf("%s is not on PATH; GoNB needs it", name)
		c.Fix = fix.setup
		return c
	}
	path := filepath.Join(dir, name)
	if checkExecutable(path) == nil {
		c.Detail = fmt.Sprintf("%s exists but %s is not on PATH; GoNB needs it there", path, dir)
		c.Fix = fix.source
		return c
	}
	c.Detail = fmt.Sprintf("%s is not on PATH nor in %s; GoNB needs it", name, dir)
	c.Fix = fix.setup
	return c
}

// goInstallDir returns the folder that `go install` writes to: GOBIN, else
// the bin folder of the first GOPATH entry, else ~/go/bin. It returns ""
// when none of them can be determined.
func goInstallDir() string {
	if gobin := os.Getenv("GOBIN"); gobin != "" {
		return gobin
	}
	if gopath := os.Getenv("GOPATH"); gopath != "" {
		first, _, _ := strings.Cut(gopath, string(os.PathListSeparator))
		return filepath.Join(first, "bin")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, "go", "bin")
}

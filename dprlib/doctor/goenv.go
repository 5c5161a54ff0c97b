package doctor

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"

	"go/version"
)

// toolchainVersion returns the Go version of a version string such as
// runtime.Version's "go1.27.3-X:simd" or "go1.27.3 X:simd", without the
// experiments.
func toolchainVersion(v string) string {
	v, _, _ = strings.Cut(v, " ")
	v, _, _ = strings.Cut(v, "-X:")
	return v
}

// checkToolchain compares the Go version that built the running binary with
// the go line of go.mod.
func checkToolchain(mod module, modErr error, fix fixes) Check {
	running := runtime.Version()
	c := Check{Name: "go toolchain"}
	switch {
	case modErr != nil:
		c.Status = Warn
		c.Detail = fmt.Sprintf("%s built this binary; go.mod could not be read: %v", running, modErr)
		c.Fix = "run dpr from the repository, or check that its go.mod is readable"
	case mod.goVersion == "":
		c.Status = OK
		c.Detail = fmt.Sprintf("%s built this binary (the working directory is outside the repository, "+
			"so there is no go.mod to compare with)", running)
	case !version.IsValid(toolchainVersion(running)):
		c.Status = Warn
		c.Detail = fmt.Sprintf("%s built this binary, which cannot be compared with go.mod's %s",
			running, mod.goVersion)
		c.Fix = fix.source + " && go run ./dprlib/cmd/dpr doctor"
	case version.Compare(toolchainVersion(running), mod.goVersion) < 0:
		c.Status = Fail
		c.Detail = fmt.Sprintf("%s built this binary, older than go.mod's %s", running, mod.goVersion)
		c.Fix = fix.source + " && go run ./dprlib/cmd/dpr doctor"
	default:
		c.Status = OK
		c.Detail = fmt.Sprintf("%s built this binary; go.mod needs %s", running, mod.goVersion)
	}
	return c
}

// builtWithSIMD reports whether the running binary was built with
// GOEXPERIMENT=simd, from its build information or, when that is missing,
// from runtime.Version, which lists the experiments after "X:".
func builtWithSIMD() bool {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "GOEXPERIMENT" {
				return hasExperiment(s.Value, "simd")
			}
		}
	}
	_, experiments, found := strings.Cut(runtime.Version(), "X:")
	return found && hasExperiment(experiments, "simd")
}

// hasExperiment reports whether the comma-separated GOEXPERIMENT list turns
// name on.
func hasExperiment(list, name string) bool {
	on := false
	for _, e := range strings.Split(list, ",") {
		switch strings.TrimSpace(e) {
		case name:
			on = true
		case "no" + name:
			on = false
		}
	}
	return on
}

// checkSIMD reports whether the running binary uses GoMLX's SIMD kernels.
func checkSIMD(fix fixes) Check {
	if builtWithSIMD() {
		return Check{Name: "go simd", Status: OK,
			Detail: "this binary was built with GOEXPERIMENT=simd, so GoMLX's Go backend can use " +
				"its AVX2/AVX-512 kernels"}
	}
	return Check{Name: "go simd", Status: Warn,
		Detail: "this binary was built without GOEXPERIMENT=simd: GoMLX's Go backend falls back to " +
			"scalar kernels, 10-20x slower",
		Fix: fix.source + " && go run ./dprlib/cmd/dpr doctor"}
}

// checkGoEnvironment checks the settings that later go commands in this
// shell build with: GOEXPERIMENT must turn simd on, and GOTOOLCHAIN or the
// go on PATH must provide go.mod's Go version.
func checkGoEnvironment(ctx context.Context, mod module, fix fixes) Check {
	c := Check{Name: "go environment", Status: OK}
	var problems, facts []string

	experiment := os.Getenv("GOEXPERIMENT")
	if hasExperiment(experiment, "simd") {
		facts = append(facts, fmt.Sprintf("GOEXPERIMENT=%s", experiment))
	} else {
		problems = append(problems, fmt.Sprintf("GOEXPERIMENT=%q lacks simd, so go build, go test "+
			"and go run in this shell make scalar, 10-20x slower binaries", experiment))
	}

	toolchain := os.Getenv("GOTOOLCHAIN")
	goPath, lookErr := exec.LookPath("go")
	switch {
	case lookErr != nil:
		problems = append(problems, "go is not on PATH")
	case mod.goVersion == "":
		facts = append(facts, fmt.Sprintf("GOTOOLCHAIN=%s, go at %s", toolchain, goPath))
	case judgeToolchain(toolchain, mod.goVersion) == toolchainProvides:
		facts = append(facts, fmt.Sprintf("GOTOOLCHAIN=%s", toolchain))
	case judgeToolchain(toolchain, mod.goVersion) == toolchainTooOld:
		problems = append(problems, fmt.Sprintf("GOTOOLCHAIN=%s is older than go.mod's %s",
			toolchain, mod.goVersion))
	default:
		// GOTOOLCHAIN=local makes go report its own version and never switch to
		// or download another toolchain. The root folder has no go.mod whose go
		// line could reject the local Go.
		out, err := runOutput(ctx, string(os.PathSeparator), []string{"GOTOOLCHAIN=local"},
			goPath, "env", "GOVERSION")
		local := strings.TrimSpace(out)
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("GOTOOLCHAIN=%q and the version of %s is unknown: %v",
				toolchain, goPath, err))
		case version.Compare(toolchainVersion(local), mod.goVersion) < 0:
			problems = append(problems, fmt.Sprintf("GOTOOLCHAIN=%q and %s is %s, older than go.mod's %s, "+
				"so go commands in this shell need GOTOOLCHAIN=%s", toolchain, goPath, local,
				mod.goVersion, mod.goVersion))
		default:
			facts = append(facts, fmt.Sprintf("%s is %s", goPath, local))
		}
	}

	if len(problems) > 0 {
		c.Status = Warn
		c.Detail = strings.Join(problems, "; ")
		c.Fix = fix.source
		if lookErr != nil {
			c.Fix = "install Go 1.21 or newer (https://go.dev/dl/, or " + fix.conda + "), then " + fix.source
		}
		return c
	}
	c.Detail = strings.Join(facts, ", ")
	return c
}

// toolchainJudgement is the meaning of a GOTOOLCHAIN value for a required
// Go version.
type toolchainJudgement int

const (
	// toolchainProvides: the value names a version at least the required
	// one, or lets go switch to the version that go.mod requires ("auto",
	// "go1.26.8+auto").
	toolchainProvides toolchainJudgement = iota
	// toolchainTooOld: the value names an older version and forbids
	// switching.
	toolchainTooOld
	// toolchainLocal: the value ("", "local", "path") leaves the choice to
	// the go on PATH.
	toolchainLocal
)

// judgeToolchain classifies a GOTOOLCHAIN value, such as "go1.27.3",
// "go1.27.3+path" or "local", against the minimum Go version.
func judgeToolchain(toolchain, minimum string) toolchainJudgement {
	if toolchain == "auto" || strings.HasSuffix(toolchain, "+auto") {
		return toolchainProvides
	}
	named, _, _ := strings.Cut(toolchain, "+")
	if !version.IsValid(named) {
		return toolchainLocal
	}
	if version.Compare(named, minimum) < 0 {
		return toolchainTooOld
	}
	return toolchainProvides
}

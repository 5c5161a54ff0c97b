package bench

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

//go:embed torch_bench.py
var torchScript []byte

// TorchResult is the PyTorch measurement of a training step.
type TorchResult struct {
	Version         string  `json:"torch_version"`
	Threads         int     `json:"threads"`
	BLASThreads     int     `json:"blas_threads"`
	BLASInfo        string  `json:"blas_info"`
	BLASLibrary     string  `json:"blas_library"`
	Params          int     `json:"params"`
	TrainTokensPerS float64 `json:"train_tokens_per_s"`
	Python          string  `json:"python"`
}

// pythonCandidates are tried in order for an interpreter that imports torch;
// Debian's python3-torch installs into /usr/bin/python3, which a pyenv or
// conda python3 on PATH may hide.
var pythonCandidates = []string{"python3", "/usr/bin/python3"}

// FindTorch returns a Python interpreter that imports torch, or, when none
// does, an empty string and the reason to show the user.
func FindTorch() (python, skipped string) {
	for _, p := range pythonCandidates {
		path, err := exec.LookPath(p)
		if err != nil {
			continue
		}
		if exec.Command(path, "-c", "import torch").Run() == nil {
			return path, ""
		}
	}
	return "", "PyTorch not found (tried " + strings.Join(pythonCandidates, ", ") + "): on Debian, " +
		"apt-get install python3-torch libopenblas0-pthread"
}

// RunTorch trains the case's model in PyTorch and returns the faster of two
// thread settings that keep the cores busy without oversubscribing them:
// one torch thread with one BLAS thread per core, and one torch thread per
// core with a single BLAS thread.
func RunTorch(ctx context.Context, python string, c Case, seconds float64) (*TorchResult, error) {
	dir, err := os.MkdirTemp("", "dpr-torch-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "torch_bench.py")
	if err := os.WriteFile(script, torchScript, 0o644); err != nil {
		return nil, err
	}
	cores := runtime.NumCPU()
	var best *TorchResult
	for _, setting := range []struct{ torch, blas int }{{1, cores}, {cores, 1}} {
		m := c.Model
		cmd := exec.CommandContext(ctx, python, script,
			"--width", strconv.Itoa(m.Width), "--depth", strconv.Itoa(m.Depth), "--heads", strconv.Itoa(m.Heads),
			"--context", strconv.Itoa(m.Context), "--mlp-ratio", strconv.Itoa(m.MLPRatio),
			"--vocab", strconv.Itoa(m.VocabSize), "--batch", strconv.Itoa(c.Rows),
			"--seconds", strconv.FormatFloat(seconds, 'f', -1, 64), "--threads", strconv.Itoa(setting.torch))
		cmd.Env = append(os.Environ(), "OPENBLAS_NUM_THREADS="+strconv.Itoa(setting.blas),
			"OMP_NUM_THREADS="+strconv.Itoa(setting.torch))
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("%s %s: %w: %s", python, script, err, strings.TrimSpace(stderr.String()))
		}
		var r TorchResult
		if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("read PyTorch benchmark output %q: %w", stdout.String(), err)
		}
		r.BLASThreads, r.Python = setting.blas, python
		if r.Params != c.Model.NumParams() {
			return nil, fmt.Errorf("PyTorch model has %d weights, the kit's %d: the two models differ",
				r.Params, c.Model.NumParams())
		}
		if best == nil || r.TrainTokensPerS > best.TrainTokensPerS {
			best = &r
		}
	}
	return best, nil
}

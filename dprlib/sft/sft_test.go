package sft

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dprkit/dprkit/dprlib/device"
	scandemos "github.com/dprkit/dprkit/dprlib/internal/demos"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/tokenizer"
)

func TestValidateFractions(t *testing.T) {
	cases := []struct {
		fractions []float64
		want      string // "" means valid
	}{
		{[]float64{0.25, 0.5, 0.75, 1}, ""},
		{[]float64{1}, ""},
		{[]float64{0.5, 0.25, 1}, "must increase"},
		{[]float64{0.5, 0.5}, "must increase"},
		{[]float64{0, 1}, "outside (0, 1]"},
		{[]float64{0.5, 1.5}, "outside (0, 1]"},
		{nil, "no checkpoint fractions"},
		{[]float64{0.25, 0.5}, "end the list with 1"},
	}
	for _, c := range cases {
		err := ValidateFractions(c.fractions)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%v: unexpected error %v", c.fractions, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%v: error = %v, want it to contain %q", c.fractions, err, c.want)
		}
	}
}

func TestLearningRateSchedule(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Adam.LearningRate, cfg.WarmupSteps, cfg.MinLRRatio = 1, 10, 0.1
	if got := learningRate(cfg, 5, 100); got != 0.5 {
		t.Errorf("warm-up step 5 of 10: rate %g, want 0.5", got)
	}
	if got := learningRate(cfg, 10, 100); got != 1 {
		t.Errorf("end of warm-up: rate %g, want 1", got)
	}
	if got := learningRate(cfg, 100, 100); got < 0.0999 || got > 0.1001 {
		t.Errorf("last step: rate %g, want the floor 0.1", got)
	}
	cfg.Schedule = "constant"
	if got := learningRate(cfg, 100, 100); got != 1 {
		t.Errorf("constant schedule, last step: rate %g, want 1", got)
	}
}

func demos(t *testing.T, n int) []policy.Sequence {
	t.Helper()
	seqs, err := scandemos.Generated(1, n)
	if err != nil {
		t.Fatal(err)
	}
	return seqs
}

func smallModel(t *testing.T) *policy.Model {
	t.Helper()
	cfg := policy.Config{VocabSize: tokenizer.ForSCAN().VocabSize(), Width: 32, Depth: 1, Heads: 2,
		Context: 64, MLPRatio: 2}
	m, err := policy.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTrainSavesCheckpointsAtFractions(t *testing.T) {
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.BatchSize, cfg.Epochs, cfg.WarmupSteps, cfg.LogEvery = 10, 2, 2, 1
	cfg.Adam.LearningRate = 3e-3
	data := demos(t, 40) // 80 examples seen, 8 updates.
	res, err := Train(context.Background(), device.MustBackend(), smallModel(t), data, cfg, dir,
		policy.Metadata{Seed: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 8 {
		t.Errorf("steps = %d, want 8", res.Steps)
	}
	wantSteps := map[float64]int{0: 0, 0.25: 2, 0.5: 4, 0.75: 6, 1: 8}
	if len(res.Checkpoints) != len(wantSteps) {
		t.Fatalf("saved %d checkpoints, want %d", len(res.Checkpoints), len(wantSteps))
	}
	for _, c := range res.Checkpoints {
		if c.Step != wantSteps[c.Fraction] {
			t.Errorf("fraction %g saved at step %d, want %d", c.Fraction, c.Step, wantSteps[c.Fraction])
		}
		_, meta, err := policy.LoadCheckpoint(c.Path)
		if err != nil {
			t.Fatal(err)
		}
		if meta.Fraction != c.Fraction || meta.Step != c.Step || meta.Seed != 1 || meta.Kind != "sft" {
			t.Errorf("%s metadata = %+v", c.Path, meta)
		}
		if !strings.Contains(string(meta.Train), `"batch_size":10`) {
			t.Errorf("%s metadata lacks the training config: %s", c.Path, meta.Train)
		}
	}
	if res.Loss[len(res.Loss)-1].Loss >= res.Loss[0].Loss {
		t.Errorf("loss did not fall: %v", res.Loss)
	}
	logged, err := ReadLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	if logged.Steps != res.Steps {
		t.Errorf("log records %d steps, want %d", logged.Steps, res.Steps)
	}
}

func TestDivergedRunLeavesNoLog(t *testing.T) {
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.BatchSize, cfg.Epochs, cfg.WarmupSteps = 10, 4, 0
	cfg.Adam.LearningRate = 1e30
	cfg.Schedule = "constant"
	_, err := Train(context.Background(), device.MustBackend(), smallModel(t), demos(t, 40), cfg, dir,
		policy.Metadata{}, nil)
	if err == nil || !strings.Contains(err.Error(), "diverged") {
		t.Fatalf("error = %v, want a divergence error", err)
	}
	if !strings.Contains(err.Error(), "lower the learning rate") {
		t.Errorf("error %q does not say how to fix it", err)
	}
	if _, err := os.Stat(filepath.Join(dir, LogName)); !os.IsNotExist(err) {
		t.Errorf("a diverged run left %s (stat error %v)", LogName, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
			continue
		}
		if _, _, err := policy.LoadCheckpoint(filepath.Join(dir, e.Name())); err != nil {
			t.Errorf("checkpoint %s left by the failed run is unreadable: %v", e.Name(), err)
		}
	}
}

func TestTrainRejectsLongDemonstration(t *testing.T) {
	m := smallModel(t)
	long := policy.Sequence{Tokens: make([]int32, 70), PromptLen: 3}
	_, err := Train(context.Background(), device.MustBackend(), m, []policy.Sequence{long}, DefaultConfig(),
		t.TempDir(), policy.Metadata{}, nil)
	if err == nil || !strings.Contains(err.Error(), "context 64") {
		t.Errorf("error = %v, want it to name the context", err)
	}
}

func TestTrainRejectsLongWarmup(t *testing.T) {
	cfg := DefaultConfig()
	cfg.BatchSize, cfg.Epochs, cfg.WarmupSteps = 10, 1, 4 // 4 updates in all.
	_, err := Train(context.Background(), device.MustBackend(), smallModel(t), demos(t, 40), cfg,
		t.TempDir(), policy.Metadata{}, nil)
	if err == nil || !strings.Contains(err.Error(), "warm-up of 4 updates") {
		t.Errorf("error = %v, want it to reject the warm-up", err)
	}
}

func TestTrainRejectsHugeEpochs(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Epochs = 1e12
	_, err := Train(context.Background(), device.MustBackend(), smallModel(t), demos(t, 40), cfg,
		t.TempDir(), policy.Metadata{}, nil)
	if err == nil || !strings.Contains(err.Error(), "lower the epochs") {
		t.Errorf("error = %v, want it to reject the epoch count", err)
	}
}

func TestCheckpointPathNames(t *testing.T) {
	cases := map[float64]string{0: "sft-0.ckpt", 0.25: "sft-0.25.ckpt", 1: "sft-1.ckpt", 1e-300: "sft-1e-300.ckpt"}
	for f, want := range cases {
		if got := filepath.Base(CheckpointPath("d", f)); got != want {
			t.Errorf("CheckpointPath(%g) = %s, want %s", f, got, want)
		}
	}
}

package bench

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/dprkit/dprkit/dprlib/policy"
)

func TestTrainFLOPsPerToken(t *testing.T) {
	cfg := policy.Config{VocabSize: 10, Width: 8, Depth: 1, Heads: 2, Context: 4, MLPRatio: 2}
	// Forward: 2·(3·64 + 64 + 2·8·16) + 4·4·8 + 2·8·10 = 2·512 + 128 + 160 = 1312.
	if got := ForwardFLOPsPerToken(cfg, cfg.Context); got != 1312 {
		t.Errorf("forward FLOPs per token = %g, want 1312", got)
	}
	if got := TrainFLOPsPerToken(cfg); got != 3*1312 {
		t.Errorf("training FLOPs per token = %g, want %d", got, 3*1312)
	}
}

func TestRunSmallCase(t *testing.T) {
	cases := []Case{{Name: "tiny", Rows: 4,
		Model: policy.Config{VocabSize: 23, Width: 16, Depth: 1, Heads: 2, Context: 64, MLPRatio: 2}}}
	rep, err := Run(context.Background(), Options{Cases: cases, Seconds: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Cases) != 1 {
		t.Fatalf("%d results, want 1", len(rep.Cases))
	}
	r := rep.Cases[0]
	for name, v := range map[string]float64{
		"train tokens/s": r.TrainTokensPerS, "score tokens/s": r.ScoreTokensPerS,
		"sample tokens/s": r.SampleTokensPerS, "DPR step seconds": r.DPRStepSeconds,
		"train GFLOP/s": r.TrainGFLOPs, "matmul GFLOP/s": r.MatmulGFLOPs, "weight-gradient GFLOP/s": r.WeightGradGFLOPs,
	} {
		if !(v > 0) || math.IsInf(v, 0) {
			t.Errorf("%s = %g, want a positive finite value", name, v)
		}
	}
	if rep.TrainTokensPerS != r.TrainTokensPerS {
		t.Errorf("top-level train rate %g differs from the last case's %g", rep.TrainTokensPerS, r.TrainTokensPerS)
	}
	if r.Params != cases[0].Model.NumParams() {
		t.Errorf("params = %d, want %d", r.Params, cases[0].Model.NumParams())
	}
}

func TestFindTorchExplainsAbsence(t *testing.T) {
	saved := pythonCandidates
	defer func() { pythonCandidates = saved }()
	pythonCandidates = []string{"/nonexistent/python3"}
	python, skipped := FindTorch()
	if python != "" || !strings.Contains(skipped, "python3-torch") {
		t.Errorf("FindTorch() = %q, %q; want no interpreter and the package to install", python, skipped)
	}
}

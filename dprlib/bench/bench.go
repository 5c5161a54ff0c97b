// Package bench measures the kit's speed: training, scoring and sampling
// throughput, one DPR update, the backend's own matrix-multiply rate, and,
// when PyTorch is installed, the same training step in PyTorch.
//
// Throughput uses random tokens in full-length batches, so every number is
// for a known shape. Achieved GFLOP/s come from an analytic count of the
// floating-point operations of the model (see TrainFLOPsPerToken).
package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/dprkit/dprkit/dprlib/device"
	"github.com/dprkit/dprkit/dprlib/dpr"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// Case is one model shape to measure.
type Case struct {
	Name  string        `json:"name"`
	Model policy.Config `json:"model"`
	// Rows is the training and scoring batch size, in sequences of
	// Model.Context tokens.
	Rows int `json:"rows"`
}

// DefaultCases returns the quick profile's model (width 64, 2 blocks, batch
// 32) and a ~1M-parameter model (width 128, 4 blocks, batch 12), both with
// context 64 and the SCAN vocabulary of 23.
func DefaultCases() []Case {
	quick := policy.DefaultConfig(23)
	return []Case{
		{Name: "quick", Model: quick, Rows: 32},
		{Name: "1M", Model: policy.Config{VocabSize: 23, Width: 128, Depth: 4, Heads: 4, Context: 64, MLPRatio: 4},
			Rows: 12},
	}
}

// Result holds one case's measurements.
type Result struct {
	Case   Case `json:"case"`
	Params int  `json:"params"`
	// TrainTokensPerS counts tokens of Adam steps on the SFT loss.
	TrainTokensPerS float64 `json:"train_tokens_per_s"`
	// ScoreTokensPerS counts tokens scored under the policy, π_SFT and π_ref
	// in one graph, as a DPR step needs them; each token counts once.
	ScoreTokensPerS float64 `json:"score_tokens_per_s"`
	// SampleTokensPerS counts new tokens of cached decoding, 32 prompts × 48 tokens.
	SampleTokensPerS float64 `json:"sample_tokens_per_s"`
	// DPRStepSeconds is one DPR update end to end: sampling 8 prompts × 4
	// responses of 48 tokens, scoring and the Adam step.
	DPRStepSeconds float64 `json:"dpr_step_seconds"`
	// TrainGFLOPs is the achieved rate of the training step, from the analytic count.
	TrainGFLOPs float64 `json:"train_gflops"`
	// MatmulGFLOPs is the backend's float32 rate on the model's largest
	// matrix product, [rows·context, width] × [width, MLPRatio·width].
	MatmulGFLOPs float64 `json:"matmul_gflops"`
	// WeightGradGFLOPs is the rate of the same product's weight gradient,
	// xᵀ·dy, which contracts the long axis.
	WeightGradGFLOPs float64 `json:"weight_grad_gflops"`
	// Roofline is TrainGFLOPs / MatmulGFLOPs.
	Roofline float64 `json:"roofline"`
	// Torch holds the PyTorch measurement of the same training step, if it ran.
	Torch *TorchResult `json:"torch,omitempty"`
}

// TrainFLOPsPerToken counts the floating-point operations of one training
// token: 3× the forward pass (forward, then two products per matrix in the
// backward pass). The forward pass costs 2 per weight of every matrix
// (projections, feed-forward, head) plus 4·T·d per block for the attention
// scores and the mixing of values over all T positions.
func TrainFLOPsPerToken(cfg policy.Config) float64 {
	return 3 * ForwardFLOPsPerToken(cfg, cfg.Context)
}

// ForwardFLOPsPerToken counts one token's forward pass when it attends to
// span positions.
func ForwardFLOPsPerToken(cfg policy.Config, span int) float64 {
	d, h := float64(cfg.Width), float64(cfg.Width*cfg.MLPRatio)
	perBlock := 2*(3*d*d+d*d+2*d*h) + 4*float64(span)*d
	return float64(cfg.Depth)*perBlock + 2*d*float64(cfg.VocabSize)
}

// Options sets a benchmark run.
type Options struct {
	Cases []Case
	// Seconds is the least time spent timing each measurement.
	Seconds float64
	// Torch runs the PyTorch comparison when PyTorch is installed.
	Torch bool
}

// Report is the JSON printed by "dpr bench --json". Its top-level rates
// are those of the largest case (the ~1M model by default); Cases has all.
type Report struct {
	TrainTokensPerS      float64  `json:"train_tokens_per_s"`
	ScoreTokensPerS      float64  `json:"score_tokens_per_s"`
	SampleTokensPerS     float64  `json:"sample_tokens_per_s"`
	TrainGFLOPs          float64  `json:"train_gflops"`
	MatmulGFLOPs         float64  `json:"matmul_gflops"`
	TorchTrainTokensPerS float64  `json:"torch_train_tokens_per_s,omitempty"`
	TorchRatio           float64  `json:"torch_ratio,omitempty"`
	TorchSkipped         string   `json:"torch_skipped,omitempty"`
	Cases                []Result `json:"cases"`
	Backend              string   `json:"backend"`
	GoVersion            string   `json:"go_version"`
	CPUs                 int      `json:"cpus"`
	CPUModel             string   `json:"cpu_model"`
	// PeakRSSBytes is the largest resident memory of the process so far.
	PeakRSSBytes int64   `json:"peak_rss_bytes"`
	Seconds      float64 `json:"seconds"`
}

// Run measures every case.
func Run(ctx context.Context, opts Options) (*Report, error) {
	start := time.Now()
	backend, err := device.Backend()
	if err != nil {
		return nil, err
	}
	rep := &Report{Backend: device.Config(), GoVersion: runtime.Version(), CPUs: runtime.NumCPU(),
		CPUModel: cpuModel()}
	var python string
	if opts.Torch {
		python, rep.TorchSkipped = FindTorch()
	}
	for _, c := range opts.Cases {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r, err := runCase(ctx, backend, c, opts.Seconds)
		if err != nil {
			return nil, fmt.Errorf("benchmark %s: %w", c.Name, err)
		}
		if python != "" {
			t, err := RunTorch(ctx, python, c, opts.Seconds)
			if err != nil {
				return nil, fmt.Errorf("PyTorch benchmark %s: %w", c.Name, err)
			}
			r.Torch = t
		}
		rep.Cases = append(rep.Cases, *r)
	}
	if n := len(rep.Cases); n > 0 {
		top := rep.Cases[n-1]
		rep.TrainTokensPerS, rep.ScoreTokensPerS = top.TrainTokensPerS, top.ScoreTokensPerS
		rep.SampleTokensPerS, rep.TrainGFLOPs, rep.MatmulGFLOPs = top.SampleTokensPerS, top.TrainGFLOPs, top.MatmulGFLOPs
		if top.Torch != nil {
			rep.TorchTrainTokensPerS = top.Torch.TrainTokensPerS
			rep.TorchRatio = top.TrainTokensPerS / top.Torch.TrainTokensPerS
		}
	}
	rep.PeakRSSBytes = peakRSS()
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

func runCase(ctx context.Context, backend compute.Backend, c Case, seconds float64) (*Result, error) {
	if err := c.Model.Validate(); err != nil {
		return nil, err
	}
	r := &Result{Case: c, Params: c.Model.NumParams()}
	rng := rand.New(rand.NewPCG(1, 2))
	batch := randomBatch(rng, c.Rows, c.Model)

	theta, err := policy.New(c.Model, 1)
	if err != nil {
		return nil, err
	}
	trainer, err := policy.NewTrainer(backend, theta, policy.DefaultAdam())
	if err != nil {
		return nil, err
	}
	weights := make([]float32, c.Rows*(c.Model.Context-1))
	for i := range weights {
		weights[i] = 1 / float32(len(weights))
	}
	perSecond, err := timeLoop(seconds, func() error { _, err := trainer.Step(batch, weights); return err })
	if err != nil {
		return nil, err
	}
	tokensPerStep := float64(c.Rows * c.Model.Context)
	r.TrainTokensPerS = perSecond * tokensPerStep
	r.TrainGFLOPs = r.TrainTokensPerS * TrainFLOPsPerToken(c.Model) / 1e9

	sftModel, err := policy.New(c.Model, 2)
	if err != nil {
		return nil, err
	}
	refModel, err := policy.New(c.Model, 3)
	if err != nil {
		return nil, err
	}
	scorer, err := policy.NewScorer(backend, c.Model)
	if err != nil {
		return nil, err
	}
	three := []*policy.Model{theta, sftModel, refModel}
	perSecond, err = timeLoop(seconds, func() error { _, err := scorer.LogProbsOf(three, batch); return err })
	if err != nil {
		return nil, err
	}
	r.ScoreTokensPerS = perSecond * tokensPerStep

	if r.SampleTokensPerS, err = sampleRate(backend, theta, rng, seconds); err != nil {
		return nil, err
	}
	if r.DPRStepSeconds, err = dprStep(ctx, backend, sftModel, refModel, rng, seconds); err != nil {
		return nil, err
	}
	m, k, n := c.Rows*c.Model.Context, c.Model.Width, c.Model.Width*c.Model.MLPRatio
	if r.MatmulGFLOPs, err = MatmulRate(backend, m, k, n, false, seconds); err != nil {
		return nil, err
	}
	if r.WeightGradGFLOPs, err = MatmulRate(backend, m, k, n, true, seconds); err != nil {
		return nil, err
	}
	r.Roofline = r.TrainGFLOPs / r.MatmulGFLOPs
	return r, nil
}

// sampleLength and samplePrompts size the sampling measurement.
const (
	sampleLength  = 48
	samplePrompts = 32
	promptLength  = 8
)

func sampleRate(backend compute.Backend, m *policy.Model, rng *rand.Rand, seconds float64) (float64, error) {
	sampler, err := policy.NewSampler(backend, m.Config)
	if err != nil {
		return 0, err
	}
	prompts := randomPrompts(rng, samplePrompts, m.Config)
	// An EOS id outside the vocabulary never ends a row early.
	opts := policy.SampleOptions{Temperature: 1, MaxNewTokens: sampleLength, EOS: -1}
	perSecond, err := timeLoop(seconds, func() error {
		_, _, err := sampler.Generate(m, prompts, opts, rng)
		return err
	})
	return perSecond * samplePrompts * sampleLength, err
}

func dprStep(ctx context.Context, backend compute.Backend, sftModel, refModel *policy.Model, rng *rand.Rand,
	seconds float64) (float64, error) {
	cfg := dpr.DefaultConfig()
	cfg.MaxNewTokens, cfg.EvalEvery = sampleLength, 0
	run := dpr.Run{Backend: backend, SFT: sftModel, Ref: refModel, EOS: -1,
		Prompts: randomPrompts(rng, 64, sftModel.Config)}
	// Measure with growing step counts until the run lasts long enough.
	for steps := 2; ; steps *= 2 {
		cfg.Steps = steps
		_, res, err := dpr.Train(ctx, run, cfg)
		if err != nil {
			return 0, err
		}
		if res.Seconds >= seconds || steps >= 256 {
			return res.Seconds / float64(steps), nil
		}
	}
}

// MatmulRate measures the backend's float32 GFLOP/s on an [m, k] × [k, n]
// product, or, with weightGrad, on the weight gradient xᵀ·dy of x [m, k]
// and dy [m, n], which contracts the m axis.
func MatmulRate(backend compute.Backend, m, k, n int, weightGrad bool, seconds float64) (float64, error) {
	exec, err := NewExec(backend, func(x, y *Node) *Node {
		if weightGrad {
			return DotGeneral(x, []int{0}, nil, y, []int{0}, nil)
		}
		return MatMul(x, y)
	})
	if err != nil {
		return 0, err
	}
	rng := rand.New(rand.NewPCG(3, 4))
	x := randomMatrix(rng, m, k)
	y := randomMatrix(rng, k, n)
	if weightGrad {
		y = randomMatrix(rng, m, n)
	}
	perSecond, err := timeLoop(seconds, func() error {
		out, err := exec.Call1(x, y)
		if err == nil {
			out.MustFinalizeAll()
		}
		return err
	})
	return perSecond * 2 * float64(m*k*n) / 1e9, err
}

// timeLoop runs f once to compile, then repeatedly for at least seconds,
// and returns the calls per second.
func timeLoop(seconds float64, f func() error) (float64, error) {
	if err := f(); err != nil {
		return 0, err
	}
	start := time.Now()
	calls := 0
	for calls < 2 || time.Since(start).Seconds() < seconds {
		if err := f(); err != nil {
			return 0, err
		}
		calls++
	}
	return float64(calls) / time.Since(start).Seconds(), nil
}

func randomBatch(rng *rand.Rand, rows int, cfg policy.Config) policy.Batch {
	b := policy.Batch{Rows: rows, Length: cfg.Context, Tokens: make([]int32, rows*cfg.Context)}
	for i := range b.Tokens {
		b.Tokens[i] = int32(rng.IntN(cfg.VocabSize))
	}
	return b
}

func randomPrompts(rng *rand.Rand, n int, cfg policy.Config) [][]int32 {
	prompts := make([][]int32, n)
	for i := range prompts {
		for range promptLength {
			prompts[i] = append(prompts[i], int32(rng.IntN(cfg.VocabSize)))
		}
	}
	return prompts
}

func randomMatrix(rng *rand.Rand, rows, cols int) *tensors.Tensor {
	values := make([]float32, rows*cols)
	for i := range values {
		values[i] = float32(rng.NormFloat64())
	}
	return tensors.FromFlatDataAndDimensions(values, rows, cols)
}

// peakRSS returns VmHWM from /proc/self/status in bytes, or 0 where it is
// not available.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if fields := strings.Fields(line); len(fields) >= 2 && fields[0] == "VmHWM:" {
			kib, _ := strconv.ParseInt(fields[1], 10, 64)
			return kib * 1024
		}
	}
	return 0
}

// cpuModel returns the first "model name" of /proc/cpuinfo, or "unknown".
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return "unknown"
}

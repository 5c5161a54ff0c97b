package policy

import (
	"math/rand/v2"
	"testing"

	"github.com/dprkit/dprkit/dprlib/device"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// BenchmarkMatMul1024 measures a float32 1024×1024 by 1024×1024 product on
// the configured backend; it reports GFLOP/s (2·1024³ flops per product).
func BenchmarkMatMul1024(b *testing.B) {
	backend := device.MustBackend()
	exec := MustNewExec(backend, func(x, y *Node) *Node { return MatMul(x, y) })
	n := 1024
	values := make([]float32, n*n)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range values {
		values[i] = float32(rng.NormFloat64())
	}
	x := tensors.FromFlatDataAndDimensions(values, n, n)
	exec.MustExec1(x, x).MustFinalizeAll() // Compile outside the timing.
	b.ResetTimer()
	for range b.N {
		exec.MustExec1(x, x).MustFinalizeAll()
	}
	b.ReportMetric(2*float64(n*n*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// benchmarkTrain measures Adam steps on random tokens of a full-length batch
// and reports tokens per second.
func benchmarkTrain(b *testing.B, cfg Config, rows int) {
	m, err := New(cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	tr, err := NewTrainer(device.MustBackend(), m, DefaultAdam())
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	batch := Batch{Rows: rows, Length: cfg.Context, Tokens: make([]int32, rows*cfg.Context)}
	for i := range batch.Tokens {
		batch.Tokens[i] = int32(rng.IntN(cfg.VocabSize))
	}
	weights := make([]float32, rows*(cfg.Context-1))
	for i := range weights {
		weights[i] = 1 / float32(len(weights))
	}
	if _, err := tr.Step(batch, weights); err != nil { // Compile outside the timing.
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := tr.Step(batch, weights); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows*cfg.Context*b.N)/b.Elapsed().Seconds(), "tokens/s")
}

// BenchmarkTrainQuick is the quick profile's model: width 64, 2 blocks,
// batch 32 × 64 tokens.
func BenchmarkTrainQuick(b *testing.B) {
	benchmarkTrain(b, Config{VocabSize: 23, Width: 64, Depth: 2, Heads: 4, Context: 64, MLPRatio: 4}, 32)
}

// BenchmarkTrain1M is a 0.8M-parameter model: width 128, 4 blocks, batch
// 12 × 64 tokens.
func BenchmarkTrain1M(b *testing.B) {
	benchmarkTrain(b, Config{VocabSize: 23, Width: 128, Depth: 4, Heads: 4, Context: 64, MLPRatio: 4}, 12)
}

// BenchmarkSample measures cached decoding of 32 prompts × 48 new tokens with
// the quick profile's model and reports sampled tokens per second.
func BenchmarkSample(b *testing.B) {
	cfg := Config{VocabSize: 23, Width: 64, Depth: 2, Heads: 4, Context: 64, MLPRatio: 4}
	m, err := New(cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	sampler, err := NewSampler(device.MustBackend(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	prompts := make([][]int32, 32)
	for i := range prompts {
		prompts[i] = []int32{1, 5, 6, 2}
	}
	// An EOS id outside the vocabulary never ends a row early.
	opts := SampleOptions{Temperature: 1, MaxNewTokens: 48, EOS: -1}
	rng := rand.New(rand.NewPCG(1, 3))
	if _, _, err := sampler.Generate(m, prompts, opts, rng); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, _, err := sampler.Generate(m, prompts, opts, rng); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(32*48*b.N)/b.Elapsed().Seconds(), "tokens/s")
}

// BenchmarkScore1M scores a batch of 12 × 64 tokens under three 0.8M-weight
// models in one graph, as a DPR step does, and reports tokens per second.
func BenchmarkScore1M(b *testing.B) {
	cfg := Config{VocabSize: 23, Width: 128, Depth: 4, Heads: 4, Context: 64, MLPRatio: 4}
	var models []*Model
	for seed := range uint64(3) {
		m, err := New(cfg, seed)
		if err != nil {
			b.Fatal(err)
		}
		models = append(models, m)
	}
	scorer, err := NewScorer(device.MustBackend(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	batch := Batch{Rows: 12, Length: 64, Tokens: make([]int32, 12*64)}
	for i := range batch.Tokens {
		batch.Tokens[i] = int32(rng.IntN(23))
	}
	if _, err := scorer.LogProbsOf(models, batch); err != nil { // Compile outside the timing.
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := scorer.LogProbsOf(models, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(12*64*b.N)/b.Elapsed().Seconds(), "tokens/s")
}

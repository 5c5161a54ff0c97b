package policy

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dprkit/dprkit/dprlib/device"
)

func testModel(t *testing.T, seed uint64) *Model {
	t.Helper()
	cfg := Config{VocabSize: 11, Width: 32, Depth: 2, Heads: 4, Context: 24, MLPRatio: 2}
	m, err := New(cfg, seed)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The cached decoder must assign every sampled token the same log-probability
// as a full teacher-forced pass over the finished sequence.
func TestGenerateMatchesScorer(t *testing.T) {
	backend := device.MustBackend()
	m := testModel(t, 3)
	sampler, err := NewSampler(backend, m.Config)
	if err != nil {
		t.Fatal(err)
	}
	scorer, err := NewScorer(backend, m.Config)
	if err != nil {
		t.Fatal(err)
	}
	prompts := [][]int32{{1, 4, 5, 2}, {1, 6, 2}, {1, 7, 8, 9, 10, 2}}
	opts := SampleOptions{Temperature: 1, MaxNewTokens: 12, EOS: 3}
	responses, logProbs, err := sampler.Generate(m, prompts, opts, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	for r, resp := range responses {
		if len(resp) == 0 || len(resp) > 12 {
			t.Fatalf("row %d: response length %d, want 1..12", r, len(resp))
		}
		full := append(append([]int32{}, prompts[r]...), resp...)
		b, err := PadSequences([][]int32{full}, len(full), 0)
		if err != nil {
			t.Fatal(err)
		}
		want, err := scorer.LogProbs(m, b)
		if err != nil {
			t.Fatal(err)
		}
		for i := range resp {
			got := logProbs[r][i]
			ref := want[len(prompts[r])-1+i]
			if math.Abs(float64(got-ref)) > 1e-4 {
				t.Errorf("row %d token %d: cached log-prob %.6f, full pass %.6f", r, i, got, ref)
			}
		}
	}
}

func TestGenerateIsSeeded(t *testing.T) {
	backend := device.MustBackend()
	m := testModel(t, 5)
	sampler, err := NewSampler(backend, m.Config)
	if err != nil {
		t.Fatal(err)
	}
	prompts := [][]int32{{1, 4, 2}, {1, 5, 6, 2}}
	opts := SampleOptions{Temperature: 1.3, TopK: 5, TopP: 0.9, MaxNewTokens: 10, EOS: 3}
	a, _, err := sampler.Generate(m, prompts, opts, rand.New(rand.NewPCG(7, 7)))
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := sampler.Generate(m, prompts, opts, rand.New(rand.NewPCG(7, 7)))
	if err != nil {
		t.Fatal(err)
	}
	for r := range a {
		if len(a[r]) != len(b[r]) {
			t.Fatalf("row %d: lengths %d and %d differ for the same seed", r, len(a[r]), len(b[r]))
		}
		for i := range a[r] {
			if a[r][i] != b[r][i] {
				t.Errorf("row %d token %d: %d vs %d for the same seed", r, i, a[r][i], b[r][i])
			}
		}
	}
}

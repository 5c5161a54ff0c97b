package reward

import (
	"math"
	"strings"
	"testing"

	"github.com/dprkit/dprkit/dprlib/device"
	"github.com/dprkit/dprkit/dprlib/internal/demos"
	"github.com/dprkit/dprkit/dprlib/policy"
	"github.com/dprkit/dprkit/dprlib/tokenizer"
)

// scanDemos tokenises the first n commands of the gen-p2 split.
func scanDemos(t *testing.T, n int) []policy.Sequence {
	t.Helper()
	seqs, err := demos.Generated(2, n)
	if err != nil {
		t.Fatal(err)
	}
	return seqs
}

// trainedPair returns a reference checkpoint after 20 SFT updates and the
// model after 80, both on SCAN demonstrations.
func trainedPair(t *testing.T, demos []policy.Sequence) (sft, ref *policy.Model) {
	t.Helper()
	cfg := policy.Config{VocabSize: tokenizer.ForSCAN().VocabSize(), Width: 32, Depth: 1, Heads: 2,
		Context: 64, MLPRatio: 2}
	m, err := policy.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	adam := policy.DefaultAdam()
	adam.LearningRate = 3e-3
	tr, err := policy.NewTrainer(device.MustBackend(), m, adam)
	if err != nil {
		t.Fatal(err)
	}
	for step := range 80 {
		if step == 20 {
			if ref, err = m.Clone(); err != nil {
				t.Fatal(err)
			}
		}
		lo := (step * 16) % (len(demos) - 16)
		b, mask, err := policy.SequenceBatch(demos[lo:lo+16], cfg.Context, 0)
		if err != nil {
			t.Fatal(err)
		}
		n := float32(0)
		for _, v := range mask {
			n += v
		}
		for i := range mask {
			mask[i] /= n
		}
		if _, err := tr.Step(b, mask); err != nil {
			t.Fatal(err)
		}
	}
	return m, ref
}

// sumTolerance bounds |Σ_t r̂_t − (log π_SFT(y|x) − log π_ref(y|x))| in nats:
// both sides add the same float32 terms, so only float64 summation order
// differs. A response has at most 49 tokens.
const sumTolerance = 1e-4

func TestDenseRewardTelescopes(t *testing.T) {
	demos := scanDemos(t, 200)
	sft, ref := trainedPair(t, demos)
	scorer, err := policy.NewScorer(device.MustBackend(), sft.Config)
	if err != nil {
		t.Fatal(err)
	}
	dense, err := NewScorer(scorer, LogRatio, sft, ref)
	if err != nil {
		t.Fatal(err)
	}
	d, err := dense.Score(demos[:40], 16)
	if err != nil {
		t.Fatal(err)
	}
	nonZero := false
	for i := range d.Reward {
		if len(d.Reward[i]) != len(demos[i].Response()) {
			t.Fatalf("sequence %d: %d rewards for %d response tokens", i, len(d.Reward[i]),
				len(demos[i].Response()))
		}
		got := Sum(d.Reward[i])
		want := Sum(d.SFTLogProb[i]) - Sum(d.RefLogProb[i])
		if math.Abs(got-want) > sumTolerance {
			t.Errorf("sequence %d: Σ r̂ = %.6f, sequence log-ratio = %.6f", i, got, want)
		}
		if math.Abs(got) > 1e-3 {
			nonZero = true
		}
	}
	if !nonZero {
		t.Error("every sequence log-ratio is 0: the two checkpoints are the same model")
	}
}

// iqTolerance bounds |J(Q) − Σ log π| at γ = 1 in nats. The two sides differ
// only by float32 rounding of logits and log-sum-exps of size ~10 over up to
// 49 tokens.
const iqTolerance = 1e-3

func TestSFTEqualsIQLearnAtGammaOne(t *testing.T) {
	demos := scanDemos(t, 200)
	sft, _ := trainedPair(t, demos)
	scorer, err := policy.NewScorer(device.MustBackend(), sft.Config)
	if err != nil {
		t.Fatal(err)
	}
	batch, _, err := policy.SequenceBatch(demos[:32], sft.Config.Context, 0)
	if err != nil {
		t.Fatal(err)
	}
	terms, err := scorer.Terms(sft, batch)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range SoftQFromTerms(demos[:32], terms) {
		j := s.IQLearnObjective(1)
		ll := s.LogLikelihood()
		if math.Abs(j-ll) > iqTolerance {
			t.Errorf("demonstration %d: J(Q) = %.6f, Σ log π = %.6f", i, j, ll)
		}
		// At γ < 1 the gap is (1 − γ)·Σ_{t≥2} V(s_t), which is not 0.
		gamma := 0.9
		gap := s.IQLearnObjective(gamma) - ll
		formula := 0.0
		for _, v := range s.V[1:] {
			formula += (1 - gamma) * v
		}
		if math.Abs(gap-formula) > iqTolerance {
			t.Errorf("demonstration %d, γ = %g: gap %.6f, formula %.6f", i, gamma, gap, formula)
		}
		if math.Abs(gap) < 10*iqTolerance {
			t.Errorf("demonstration %d, γ = %g: gap %.6f is too small to show the identity breaking",
				i, gamma, gap)
		}
	}
}

func TestRecoveredRewardShaping(t *testing.T) {
	s := SoftQ{Q: []float64{2, 1, 3}, V: []float64{2.5, 1.5, 3.2}}
	s.LogProb = []float64{2 - 2.5, 1 - 1.5, 3 - 3.2}
	r := s.Recovered(1)
	// log π = r + V(s') − V(s), with V = 0 after the last token.
	next := []float64{1.5, 3.2, 0}
	for i := range r {
		if got := r[i] + next[i] - s.V[i]; math.Abs(got-s.LogProb[i]) > 1e-12 {
			t.Errorf("step %d: r + V(s') − V(s) = %g, log π = %g", i, got, s.LogProb[i])
		}
	}
}

func TestNewScorerNeedsReference(t *testing.T) {
	m, err := policy.New(policy.Config{VocabSize: 5, Width: 8, Depth: 1, Heads: 1, Context: 8, MLPRatio: 1}, 1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewScorer(nil, LogRatio, m, nil)
	if err == nil || !strings.Contains(err.Error(), "reference checkpoint") {
		t.Errorf("error = %v, want it to ask for a reference checkpoint", err)
	}
	if _, err := NewScorer(nil, SFTOnly, m, nil); err != nil {
		t.Errorf("the SFT-only reward needs no reference, got %v", err)
	}
	if _, err := ParseKind("log ratio"); err == nil {
		t.Error("ParseKind accepted an unknown reward name")
	}
}
